#!/usr/bin/env bash
# numa-check.sh: a real multi-node check of placement (make numa-check).
#
# Builds evtchn-bench with the Swift runtime linked in (--static-swift-stdlib;
# glibc, libnuma and libhwloc stay dynamic: Debian has no libudev.a for a
# static libhwloc, and the binary's libraries go into the VM's /bench/lib),
# and boots throw-away QEMU VMs through ../shared/tools/numa-vm/run-in-numa-vm:
# 2 nodes x 2 CPUs, 4 nodes x 1 CPU, and 2 nodes x 4 CPUs, each node 2 cores
# x 2 SMT threads (siblings 0,1 / 2,3 ...), SLIT distance 21 between them.
# In each VM it prints `evtchn-bench topology` and checks, on that text and
# on `topology --json`'s PU lines, that hwloc sees the nodes, cores, PUs,
# siblings (PU p on core p/THREADS) and distance the VM was given. In the
# layouts without SMT it runs `run --quick --plan` and the quick default
# suite; in the SMT layout, a 1 sender + 1 vCPU sweep over compact, smt and
# split, and checks the tiers on the plan lines: compact on two cores of one
# node (pair_tier=llc, or node where hwloc sees no LLC shared by them,
# smt_shared=false), smt on sibling PUs 0 and 1 (pair_tier=smt,
# smt_shared=true), split on two nodes (pair_tier=remote, pair_distance 21).
# Every report row is then checked against its plan line with
# `evtchn-bench check-placement`: the senders', vCPUs' and host thread's CPUs
# and nodes, that the shared_info page sits on the node asked for
# (page_node = mem_node), and pair_tier, pair_distance and smt_shared.
# A VM that does not boot within 60 s (run-in-numa-vm exit 125) is tried
# once more. Skipped, with a message, when the VM tool is not there.
#
# NUMA_CHECK_LAYOUTS  layouts, space-separated (default "2x2 4x1 2x4x2/0,1,21"):
#                     NODESxCPUS[xTHREADS][/I,J,D]...: NODES nodes of CPUS
#                     CPUs each, THREADS SMT threads per core (default 1),
#                     SLIT distance D between nodes I and J (repeatable;
#                     20 where not given). A layout with THREADS > 1 runs
#                     the tier sweep instead of the quick suite and needs
#                     2 nodes or more and 2 cores or more per node.
# NUMA_CHECK_KEEP     a folder to keep each VM's plan, report and output in
#                     (files named after the layout, "/" and "," as "_")
set -euo pipefail
cd "$(dirname "$0")/.."

vm=../shared/tools/numa-vm/run-in-numa-vm
if [ ! -x "$vm" ]; then
    echo "numa-check: skipped: $vm is not there (it boots the multi-node VMs)"
    exit 0
fi
# Layouts are checked before the build, so a typo fails at once.
layout_syntax='^([1-9][0-9]*)x([1-9][0-9]*)(x([1-9][0-9]*))?((/[0-9]+,[0-9]+,[0-9]+)*)$'
read -ra layouts <<< "${NUMA_CHECK_LAYOUTS:-2x2 4x1 2x4x2/0,1,21}"
[ ${#layouts[@]} -gt 0 ] || { echo "numa-check: ERROR: NUMA_CHECK_LAYOUTS is empty" >&2; exit 2; }
for layout in "${layouts[@]}"; do
    if ! [[ $layout =~ $layout_syntax ]] || [ $((BASH_REMATCH[2] % ${BASH_REMATCH[4]:-1})) != 0 ]; then
        echo "numa-check: ERROR: NUMA_CHECK_LAYOUTS: '$layout' is not NODESxCPUS[xTHREADS][/I,J,D]... (THREADS dividing CPUS)" >&2
        exit 2
    fi
    if [ "${BASH_REMATCH[4]:-1}" -gt 1 ] && { [ "${BASH_REMATCH[1]}" -lt 2 ] || [ $((BASH_REMATCH[2] / BASH_REMATCH[4])) -lt 2 ]; }; then
        echo "numa-check: ERROR: NUMA_CHECK_LAYOUTS: the SMT layout '$layout' needs 2 nodes or more and 2 cores or more per node (compact, smt and split)" >&2
        exit 2
    fi
done
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
# expect FILE REGEX MESSAGE: a line of FILE must match REGEX (grep -E).
expect() { grep -qE -- "$2" "$1" || { echo "numa-check: $layout: FAILED: $3"; failed=1; }; }
keep() { if [ -n "${NUMA_CHECK_KEEP:-}" ]; then mkdir -p "$NUMA_CHECK_KEEP" && cp "$work/$1".* "$NUMA_CHECK_KEEP/"; fi; }
failed=0
for layout in "${layouts[@]}"; do
    [[ $layout =~ $layout_syntax ]]
    nodes=${BASH_REMATCH[1]} cpus=${BASH_REMATCH[2]} threads=${BASH_REMATCH[4]:-1}
    distance_args=() distance=20
    IFS=/ read -ra distances <<< "${BASH_REMATCH[5]#/}"
    for d in ${distances[@]+"${distances[@]}"}; do
        distance_args+=(--distance "$d")
        case $d in 0,1,*|1,0,*) distance=${d##*,} ;; esac
    done
    name=${layout//[\/,]/_}
    if [ "$threads" -gt 1 ]; then
        what="tier sweep"
        run_args=(--placement compact,smt,split --senders 1 --vcpus 1 --design rwlock --scenario ipi
                  --reps 1 --duration 0.2 --warmup 0.05)
    else
        what="quick suite"
        run_args=(--quick)
    fi
    out="$work/$name.out"
    started=$SECONDS
    echo "numa-check: $nodes nodes x $cpus CPUs ($threads thread(s) per core, node 0 to 1 distance $distance): plan and $what"
    # A VM that does not boot (run-in-numa-vm exit 125, its reasons on
    # stderr) is tried once more: once in a while a TCG guest hangs at boot.
    for attempt in 1 2; do
        rc=0
        "$vm" --nodes "$nodes" --cpus-per-node "$cpus" --threads-per-core "$threads" ${distance_args[@]+"${distance_args[@]}"} \
            --mem-mb $((1024 / nodes + 256)) --boot-timeout 60 --timeout 900 --quiet \
            --extra-file "$binary" --extra-file "$work/lib" --env LD_LIBRARY_PATH=/bench/lib \
            -- scripts/numa-check-guest.sh "${run_args[@]}" > "$out" || rc=$?
        [ "$rc" = 125 ] && [ "$attempt" = 1 ] || break
        echo "numa-check: $layout: the VM did not boot or its setup failed (run-in-numa-vm exit 125); trying once more" >&2
    done
    if [ "$rc" != 0 ]; then
        echo "numa-check: FAILED: the run in the $layout VM failed (exit $rc):" >&2
        tail -20 "$out" >&2
        keep "$name"
        failed=1
        continue
    fi
    sed -n '/^@@TOPOLOGY$/,/^@@JSON$/p' "$out" | sed '1d;$d' > "$work/$name.topology"
    sed -n '/^@@JSON$/,/^@@PLAN$/p' "$out" | sed '1d;$d' > "$work/$name.json"
    sed -n '/^@@PLAN$/,/^@@CSV$/p' "$out" > "$work/$name.plan"
    sed -n '/^@@CSV$/,/^@@END$/p' "$out" | sed '1d;$d' > "$work/$name.csv"
    sed "s|^|numa-check: $layout: topology: |" "$work/$name.topology"
    grep -E '^[0-9]+ configurations|^estimated time' "$out" | sed "s|^|numa-check: $layout: |"
    pus=$((nodes * cpus)) cores=$((nodes * cpus / threads))
    expect "$work/$name.topology" "^nodes: $nodes\$" "hwloc in the VM does not see $nodes nodes"
    expect "$work/$name.topology" "^packages: [0-9]+, cores: $cores, LLC domains: .*, PUs: $pus\$" \
        "hwloc in the VM does not see $cores cores and $pus PUs (its summary line above)"
    for ((pu = 0; pu < pus; pu++)); do
        expect "$work/$name.json" "^    \{\"id\": $pu, \"core\": $((pu / threads))," \
            "hwloc in the VM does not put PU $pu on core $((pu / threads)) ($threads adjacent PU(s) a core expected)"
    done
    if [ "$nodes" -gt 1 ]; then
        expect "$work/$name.topology" "^node 0: .*, distances 10 $distance( |\$)" "hwloc in the VM sees no distance $distance from node 0 to node 1"
    fi
    if [ "$threads" -gt 1 ]; then
        grep '^design=' "$work/$name.plan" | sed "s|^|numa-check: $layout: plan: |"
        expect "$work/$name.plan" "placement=compact .* sender_nodes=([0-9]+) vcpu_cpus=[0-9]+ vcpu_nodes=\1 .* pair_tier=(llc|node) pair_distance=10 smt_shared=false\$" \
            "compact: expected the sender and vCPU on two cores of one node, pair_tier=llc (or node) pair_distance=10 smt_shared=false"
        expect "$work/$name.plan" "placement=smt .* sender_cpus=0 .* vcpu_cpus=1 .* pair_tier=smt pair_distance=10 smt_shared=true\$" \
            "smt: expected the sender on PU 0 and the vCPU on its sibling 1, pair_tier=smt pair_distance=10 smt_shared=true"
        expect "$work/$name.plan" "placement=split .* pair_tier=remote pair_distance=$distance smt_shared=false\$" \
            "split: expected the sender and vCPU on two nodes, pair_tier=remote pair_distance=$distance smt_shared=false"
    fi
    if ! "$binary" check-placement --plan "$work/$name.plan" "$work/$name.csv" | sed "s|^|numa-check: $layout: |"; then
        failed=1
    else
        echo "numa-check: $layout: every row ran where its plan line said ($((SECONDS - started)) s)"
    fi
    keep "$name"
done
[ "$failed" = 0 ] && echo "numa-check: all layouts passed"
exit $failed
