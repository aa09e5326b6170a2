#!/usr/bin/env bash
# numa-check.sh: a real multi-node check of placement (make numa-check).
#
# Builds evtchn-bench with the Swift runtime linked in (--static-swift-stdlib;
# glibc, libnuma and libhwloc stay dynamic: Debian has no libudev.a for a
# static libhwloc, and run-in-numa-vm copies the libraries ldd lists into
# the VM), boots throw-away QEMU VMs with 2 nodes x 2 CPUs and 4 nodes x
# 1 CPU through
# ../shared/tools/numa-vm/run-in-numa-vm, runs `run --quick --plan` and the
# quick default suite in each, and checks every report row against its plan
# line: the senders', vCPUs' and host thread's CPUs and nodes, and that the
# shared_info page sits on the node asked for (page_node = mem_node), with
# `evtchn-bench check-placement`.
# Skipped, with a message, when the VM tool is not there.
#
# NUMA_CHECK_LAYOUTS  "nodes x cpus-per-node" pairs (default "2x2 4x1")
# NUMA_CHECK_KEEP     a folder to keep each VM's plan, report and output in
set -euo pipefail
cd "$(dirname "$0")/.."

vm=../shared/tools/numa-vm/run-in-numa-vm
if [ ! -x "$vm" ]; then
    echo "numa-check: skipped: $vm is not there (it boots the multi-node VMs)"
    exit 0
fi
echo "numa-check: building into .build-static (Swift runtime static, C libraries dynamic)"
swift build -c release --scratch-path .build-static --static-swift-stdlib
binary=.build-static/release/evtchn-bench
if ldd "$binary" | grep -q 'libswift'; then
    echo "numa-check: ERROR: $binary links the Swift runtime dynamically" >&2
    exit 2
fi
if ldd "$binary" | grep -q 'not found'; then
    echo "numa-check: ERROR: $binary needs a library this host lacks:" >&2
    ldd "$binary" | grep 'not found' >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The VM tool brings in the libraries of the program it runs, which is
# numa-check-guest.sh here, not the binary: the binary's go in /bench/lib.
mkdir "$work/lib"
ldd "$binary" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | while read -r lib; do cp -L "$lib" "$work/lib/"; done
keep() { if [ -n "${NUMA_CHECK_KEEP:-}" ]; then mkdir -p "$NUMA_CHECK_KEEP" && cp "$work/$1".* "$NUMA_CHECK_KEEP/"; fi; }
failed=0
for layout in ${NUMA_CHECK_LAYOUTS:-2x2 4x1}; do
    nodes=${layout%x*}
    cpus=${layout#*x}
    out="$work/$layout.out"
    echo "numa-check: $nodes nodes x $cpus CPUs: plan and quick suite"
    if ! "$vm" --nodes "$nodes" --cpus-per-node "$cpus" --mem-mb $((1024 / nodes + 256)) --timeout 900 --quiet \
        --extra-file "$binary" --extra-file "$work/lib" --env LD_LIBRARY_PATH=/bench/lib -- scripts/numa-check-guest.sh > "$out"; then
        echo "numa-check: FAILED: the run in the $layout VM failed:" >&2
        tail -20 "$out" >&2
        keep "$layout"
        failed=1
        continue
    fi
    sed -n '/^@@PLAN$/,/^@@CSV$/p' "$out" > "$work/$layout.plan"
    sed -n '/^@@CSV$/,/^@@END$/p' "$out" | sed '1d;$d' > "$work/$layout.csv"
    grep -E '^[0-9]+ configurations|^estimated time' "$out" | sed "s/^/numa-check: $layout: /"
    if ! "$binary" check-placement --plan "$work/$layout.plan" "$work/$layout.csv" | sed "s/^/numa-check: $layout: /"; then
        failed=1
    else
        echo "numa-check: $layout: every row ran where its plan line said"
    fi
    keep "$layout"
done
exit $failed
