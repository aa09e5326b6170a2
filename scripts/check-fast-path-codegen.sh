#!/usr/bin/env bash
# check-fast-path-codegen.sh: every design's hot loop must stay straight-line.
#
# Runner.sendBurst is generic over the locking design and specialised per
# design, so that a send is a few atomics on the guest page. This script
# disassembles a release evtchn-bench, finds sendBurst's specialisation for
# every design (the designs and their Swift types come from
# `evtchn-probe list types`, so a new design is checked without editing this
# file, and a missing specialisation fails), and fails if one of them calls
# reference counting, allocation, generic metadata, a protocol witness or
# dispatch thunk, or anything through a register (an indirect call: what
# LLVM leaves when it merges specialisations).
#
# It also checks that the lock designs' slow paths stay out of line. Every
# function that Sources/LockDesigns (or PageCache's ReadMostlyLock.swift)
# marks `@inline(never)` (the spins, the waits, the bias-off read side, the
# grace period) must be a function of its own in the
# binary; no sendBurst may hold a spin-wait (a `pause`, or a call to
# sched_yield), which is what an inlined slow path leaves; and each read
# side's slow path (`readLock...`) must be called by some sendBurst.
#
# Usage: scripts/check-fast-path-codegen.sh
#   CODEGEN_BIN=dir   use the release binaries in dir (default: build them
#                     into .build/release)
# Exit status: 0 passed (or skipped: not x86_64), 1 failed, 2 could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "codegen check: ERROR: $*" >&2; exit 2; }

if [ "$(uname -m)" != x86_64 ]; then
    echo "codegen check: skipped (reads x86_64 disassembly; this is $(uname -m))"
    exit 0
fi
command -v objdump >/dev/null || die "objdump not found (install binutils)"
if command -v swift-demangle >/dev/null; then demangle=(swift-demangle); else demangle=(swift demangle); fi
if [ -z "${CODEGEN_BIN:-}" ]; then
    swift build -c release --product evtchn-bench >&2 || die "release build failed"
    swift build -c release --product evtchn-probe >&2 || die "release build failed"
    CODEGEN_BIN=.build/release
fi
binary=$CODEGEN_BIN/evtchn-bench
[ -x "$binary" ] && [ -x "$CODEGEN_BIN/evtchn-probe" ] || die "no evtchn-bench and evtchn-probe in $CODEGEN_BIN"

# The whole disassembly, Swift names demangled.
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
objdump -d --no-show-raw-insn "$binary" | "${demangle[@]}" > "$listing" || die "objdump or swift demangle failed"
grep -q 'of Runner.sendBurst' "$listing" || die "no specialisation of Runner.sendBurst at all in $binary"

# The slow paths, as "Module.Type.function(": each `@inline(never)`
# function of the lock designs, with the type it is declared in.
slow_paths=$(awk '
    FNR == 1 { module = FILENAME; sub(/^Sources\//, "", module); sub(/\/.*/, "", module) }
    /^(public |@usableFromInline |final )*(struct|enum|class|extension) / {
        type = $0; sub(/^(public |@usableFromInline |final )*(struct|enum|class|extension) /, "", type)
        sub(/[^A-Za-z0-9_].*/, "", type)
    }
    /@inline\(never\)/ { pending = 1 }
    pending && /func / {
        name = $0; sub(/.*func /, "", name); sub(/[(<].*/, "", name)
        print module "." type "." name "("
        pending = 0
    }' Sources/LockDesigns/*.swift Sources/PageCache/ReadMostlyLock.swift)
[ -n "$slow_paths" ] || die "no @inline(never) slow path found in Sources/LockDesigns"

forbidden='swift_retain|swift_release|swift_allocObject|swift_alloc\b|swift_slowAlloc|malloc|swift_getGenericMetadata|swift_getWitnessTable|swift_getAssociated|protocol witness|dispatch thunk'
failed=0
checked=()
while read -r design type; do
    # The specialisation's body: from its label to the next blank line.
    body=$(awk -v type="$type" '
        /^[0-9a-f]+ <generic specialization </ && index($0, "<" type "> of Runner.sendBurst") { on = 1; next }
        on && /^$/ { exit }
        on' "$listing")
    if [ -z "$body" ]; then
        echo "codegen check: FAIL $design: no specialisation of Runner.sendBurst for $type"
        failed=1
        continue
    fi
    # Calls and tail calls to forbidden functions, and calls through a
    # register (a `jmp *` is a switch's jump table, which is fine).
    bad=$(grep -E "(call|jmp)q? " <<< "$body" | grep -E "(call|jmp)q? .*($forbidden)|callq? +\*" || true)
    # A spin-wait: a slow path inlined into the hot loop.
    bad+=$(grep -E $'\tpause|(call|jmp)q? .*<sched_yield' <<< "$body" || true)
    if [ -n "$bad" ]; then
        echo "codegen check: FAIL $design ($type):"
        sed 's/^/    /' <<< "$bad"
        failed=1
    else
        checked+=("$design")
    fi
done < <("$CODEGEN_BIN/evtchn-probe" list types)

[ ${#checked[@]} -gt 0 ] || die "evtchn-probe listed no designs"

# Every slow path is a function of its own, and a read side's is called
# from the hot loops (some specialisation of sendBurst calls it).
functions=$(grep -E '^[0-9a-f]+ <' "$listing")
calls=$(awk '
    /^[0-9a-f]+ <generic specialization </ && /of Runner.sendBurst/ { on = 1; next }
    on && /^$/ { on = 0 }
    on && /(call|jmp)q? /' "$listing")
slow_count=0
while read -r slow; do
    slow_count=$((slow_count + 1))
    if ! grep -qF "<$slow" <<< "$functions"; then
        echo "codegen check: FAIL slow path ${slow%(} is not a function of its own in $binary"
        failed=1
    elif [[ "${slow##*.}" == readLock* ]] && ! grep -qF "<$slow" <<< "$calls"; then
        echo "codegen check: FAIL slow path ${slow%(} is called by no Runner.sendBurst (inlined?)"
        failed=1
    fi
done <<< "$slow_paths"

[ "$failed" = 0 ] || exit 1
echo "codegen check: passed (${#checked[@]} specialisations of Runner.sendBurst: ${checked[*]}; no reference counting, allocation, witness or indirect calls, no spin-wait; $slow_count lock slow paths out of line)"
