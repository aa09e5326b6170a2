#!/usr/bin/env bash
# check-fast-path-codegen.sh: the senders' hot loop must stay straight-line.
#
# Runner.sendBurst is generic over the locking design and is meant to be
# specialised per design, so that one send is a few atomics on the guest
# page: no reference counting, no allocation, no generic metadata lookup and
# no dynamic dispatch. This script disassembles a release build, finds the
# specialisations of sendBurst for the designs below, and checks every
# instruction that can reach another function in them, following direct
# calls into other functions of the binary (deliver, the lock's read side,
# ...) until it reaches something on the explicit allowed list.
#
# Usage: scripts/check-fast-path-codegen.sh
#   CODEGEN_BINARY=path   check this already built evtchn-bench instead of
#                         building one into .build-codegen
#   CODEGEN_DEPTH=n       how deep to follow direct calls (default 8)
#   CODEGEN_VERBOSE=1     also print every call that was accepted
#
# Exit status: 0 passed (or skipped: not x86_64), 1 check failed, 2 could not
# run (build failed, tool missing, ...).
set -euo pipefail

# A relative CODEGEN_BINARY is relative to where the script was started.
if [ -n "${CODEGEN_BINARY:-}" ] && [ "${CODEGEN_BINARY#/}" = "$CODEGEN_BINARY" ]; then
    CODEGEN_BINARY=$PWD/$CODEGEN_BINARY
fi
cd "$(dirname "$0")/.."

die() { echo "codegen check: ERROR: $*" >&2; exit 2; }

# --- Architecture ----------------------------------------------------------
# The patterns below are x86-64 AT&T syntax as GNU objdump prints it.
arch=$(uname -m)
if [ "$arch" != "x86_64" ]; then
    echo "codegen check: skipped (host architecture is $arch; this check reads x86_64 disassembly)"
    exit 0
fi

# --- Tools -----------------------------------------------------------------
command -v objdump >/dev/null 2>&1 || die "objdump not found (install binutils)"
if command -v swift-demangle >/dev/null 2>&1; then
    demangle=(swift-demangle)
elif command -v swift >/dev/null 2>&1 && echo '$sSiD' | swift demangle >/dev/null 2>&1; then
    demangle=(swift demangle)
else
    die "neither swift-demangle nor 'swift demangle' is available"
fi

# --- The binary ------------------------------------------------------------
if [ -n "${CODEGEN_BINARY:-}" ]; then
    binary=$CODEGEN_BINARY
    [ -f "$binary" ] || die "CODEGEN_BINARY=$binary does not exist"
else
    echo "codegen check: building release evtchn-bench into .build-codegen"
    swift build -c release --scratch-path .build-codegen --product evtchn-bench >&2 \
        || die "release build failed"
    binary=.build-codegen/release/evtchn-bench
    [ -f "$binary" ] || die "build produced no $binary"
fi
format=$(objdump -f "$binary" | sed -n 's/.*file format \(.*\)$/\1/p' | head -n1)
[ "$format" = "elf64-x86-64" ] || die "$binary is '$format', not elf64-x86-64"

# --- What is checked -------------------------------------------------------
# design name | demangled type of its lock | required?
# rwlock is the kernel's design and must be there; seqlock and rcu are checked
# whenever the build has them (the brief: "if present").
targets='rwlock|LockDesigns.QueuedRWLock<LockDesigns.WaitingReaders>|required
seqlock|LockDesigns.SeqLockDesign|optional
rcu|LockDesigns.EpochRCU|optional'

# Calls that must never be on the hot path. Matched as extended regular
# expressions against the demangled callee name (after dropping @plt and
# symbol versions).
deny_patterns=(
    # Reference counting (ARC) of native, bridged and unknown objects.
    '^swift_(nonatomic_)?(retain|release)'
    '^swift_(nonatomic_)?(bridgeObject|unknownObject)(Retain|Release)'
    # Heap allocation.
    '^swift_allocObject$' '^swift_allocBox$' '^swift_slowAlloc$'
    '^(malloc|calloc|realloc|posix_memalign|aligned_alloc|memalign|valloc)$'
    # Dynamic dispatch through a protocol conformance (an unspecialised call).
    'protocol witness'
    # Generic metadata and conformance lookups at run time.
    '^swift_getGenericMetadata' '^swift_getWitnessTable'
    '^swift_getAssociated(TypeWitness|ConformanceWitness)$'
    '^swift_(dynamicCast|conformsToProtocol)'
)

# Calls that are fine on the hot path; they are not followed further.
allow_patterns=(
    # The out-of-line slow path (kvm_xen_set_evtchn): taken only when the
    # fast path says would-block; it takes the slow-path mutex and refreshes.
    '\.deliverSlow\('
    # pthread locks (the slow-path mutex, pthread-rwlock and mutex designs).
    '^pthread_'
    # Waking a halted vCPU (EventKick): the futex wake of the C shim, and
    # glibc's syscall(2) it may use.
    '^evtchn_futex_wake$' '^syscall$'
    # Back-off in contended read-side slow paths (queued rwlock, ticket lock).
    '^sched_yield$'
)

# Calls to other functions of the binary that match none of the above are
# followed (to CODEGEN_DEPTH levels) and their bodies checked the same way.
# Calls to external functions (PLT) that match none of the above fail: add a
# benign one to allow_patterns, with a comment saying why it is fine.

depth=${CODEGEN_DEPTH:-8}
verbose=${CODEGEN_VERBOSE:-0}

# --- Disassemble -----------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/codegen-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
objdump -d --no-show-raw-insn "$binary" > "$work/raw.dis" || die "objdump failed on $binary"
"${demangle[@]}" < "$work/raw.dis" > "$work/all.dis" || die "demangling failed"
[ -s "$work/all.dis" ] || die "empty disassembly"

printf '%s\n' "${deny_patterns[@]}" > "$work/deny"
printf '%s\n' "${allow_patterns[@]}" > "$work/allow"

# --- Analyse ---------------------------------------------------------------
# One awk pass (POSIX awk, mawk-compatible): reads the deny and allow lists,
# then the disassembly; for each target, finds its specialisation(s) of
# Runner.sendBurst and walks the call graph from them.
status=0
awk -v targets="$targets" -v maxdepth="$depth" -v verbose="$verbose" \
    -v denyfile="$work/deny" -v allowfile="$work/allow" '
function strip0(a) { sub(/^0+/, "", a); return a == "" ? "0" : a }
function basename_of(t,   p) {
    # "name+0x1f" -> "name"; strips the @plt / @GLIBC... decorations too.
    p = match(t, /\+0x[0-9a-f]+$/); if (p) t = substr(t, 1, p - 1)
    return t
}
function external_name(t) {
    sub(/@plt$/, "", t); sub(/@@?[A-Z_][A-Za-z0-9_.]*$/, "", t); return t
}
function matches_any(name, list, count,   i) {
    for (i = 1; i <= count; i++) if (name ~ list[i]) return list[i]
    return ""
}
# A switch: "jmp *(,%rax,8)"-style absolute tables, or the PIC pattern
# "movslq (%rT,%rI,4),%rX ... add %rT,%rX ... jmp *%rX" within a few
# instructions of the same function.
function is_jump_table(i, ops,   reg, j) {
    if (ops ~ /^\*(0x[0-9a-f]+)?\(,%r[a-z0-9]+,8\)/) return 1
    if (ops !~ /^\*%r[a-z0-9]+$/) return 0
    reg = substr(ops, 2)
    for (j = i - 1; j >= 1 && j >= i - 12 && funcof[j] == funcof[i]; j--)
        if (text[j] ~ /^movslq +\(%r[a-z0-9]+,%r[a-z0-9]+,4\),%r/ && substr(text[j], length(text[j]) - length(reg) + 1) == reg) return 1
    return 0
}
function short(s) { return length(s) > 170 ? substr(s, 1, 167) "..." : s }
function report(path, text) {
    bad++
    problems[bad] = "  " text "\n      via " path
}
# Walks the code that starts at instruction index `start` up to the next
# symbol, recording forbidden and unknown calls, and queueing direct callees.
function walk(start, label, path, level,   i, f, listing, ins, mn, ops, tgt, tname, base, hit, n_here) {
    if (level > maxdepth) { report(path, "call chain deeper than " maxdepth " levels, not followed: " short(label)); return }
    f = funcof[start]; listing = fname[f]
    for (i = start; i <= ninsn && funcof[i] == f; i++) {
        ins = text[i]
        sub(/^(notrack|bnd) +/, "", ins)
        mn = ins; sub(/[ \t].*/, "", mn)
        if (mn !~ /^(call|jmp|j[a-z]+)q?$/) continue
        ops = ins; sub(/^[^ \t]+[ \t]+/, "", ops)
        if (ops ~ /^\*/) {
            # Indirect. A jump through a table (switch) stays in the function;
            # anything else reaches code chosen at run time.
            if (mn ~ /^jmp/ && is_jump_table(i, ops)) continue
            if (ops ~ /\(%rip\)/ && ops ~ /<[^>]*>/) {
                # Through the GOT: the comment names the target.
                tname = ops; sub(/^[^<]*</, "", tname); sub(/>[^>]*$/, "", tname)
                tname = external_name(basename_of(tname))
                hit = matches_any(tname, deny, ndeny)
                if (hit != "") report(path, addr[i] ": " short(ins) "   [forbidden: " hit "]")
                else if (matches_any(tname, allow, nallow) == "") report(path, addr[i] ": " short(ins) "   [call through the GOT to a function not on the allowed list]")
                continue
            }
            report(path, addr[i] ": " short(ins) "   [indirect " (mn ~ /^call/ ? "call" : "jump") ": target chosen at run time]")
            continue
        }
        if (ops !~ /^[0-9a-f]+ </) continue
        tgt = ops; sub(/ .*/, "", tgt); tgt = strip0(tgt)
        tname = ops; sub(/^[0-9a-f]+ </, "", tname); sub(/>$/, "", tname)
        base = basename_of(tname)
        if (mn !~ /^call/ && base == listing) continue          # branch inside the function
        if (mn ~ /^call/ && tgt == addr[start]) continue         # direct recursion
        if (base ~ /@plt$/ || !(tgt in lineof)) {
            # External function through the PLT.
            tname = external_name(base)
            hit = matches_any(tname, deny, ndeny)
            if (hit != "") { report(path, addr[i] ": " short(ins) "   [forbidden: " hit "]"); continue }
            if (matches_any(tname, allow, nallow) != "") { if (verbose) accepted[path " -> " tname] = 1; continue }
            report(path, addr[i] ": " short(ins) "   [external call not on the allowed list]")
            continue
        }
        # A function of this binary (named, or an unnamed chunk shown as
        # "other+0x..."), possibly a tail call.
        hit = matches_any(base, deny, ndeny)
        if (hit != "") { report(path, addr[i] ": " short(ins) "   [forbidden: " hit "]"); continue }
        if (matches_any(base, allow, nallow) != "") { if (verbose) accepted[path " -> " short(base)] = 1; continue }
        if (tgt in visited) continue
        visited[tgt] = 1
        checked_callees++
        followed[checked_callees] = tname == base ? short(tname) : "unnamed function at 0x" tgt " (no symbol; shown as " short(tname) ")"
        walk(lineof[tgt], tname, path " -> " short(tname == base ? tname : "code at 0x" tgt " (" tname ")"), level + 1)
    }
}
BEGIN {
    while ((getline l < denyfile) > 0) if (l != "") deny[++ndeny] = l
    while ((getline l < allowfile) > 0) if (l != "") allow[++nallow] = l
}
/^[0-9a-f]+ <.*>:$/ {
    nfunc++
    fa = $0; sub(/ .*/, "", fa); faddr[nfunc] = strip0(fa)
    n = $0; sub(/^[0-9a-f]+ </, "", n); sub(/>:$/, "", n); fname[nfunc] = n
    fstart[nfunc] = ninsn + 1
    next
}
/^ +[0-9a-f]+:\t/ {
    ninsn++
    a = $0; sub(/^ +/, "", a); sub(/:.*/, "", a); addr[ninsn] = a
    t = $0; sub(/^ +[0-9a-f]+:\t/, "", t); text[ninsn] = t
    lineof[a] = ninsn; funcof[ninsn] = nfunc
    next
}
END {
    if (nfunc == 0) { print "codegen check: ERROR: no functions in the disassembly"; exit 2 }
    ntargets = split(targets, rows, "\n")
    failed = 0; passed_names = ""; npassed = 0
    for (r = 1; r <= ntargets; r++) {
        split(rows[r], col, "|"); design = col[1]; type = col[2]; need = col[3]
        # Names such as "generic specialization <T> of Runner.sendBurst...",
        # "merged generic specialization <T> of ...", "function signature
        # specialization <...> of generic specialization <T> of ...", with or
        # without "serialized, " and unmangled suffixes.
        k1 = "specialization <" type "> of Runner.sendBurst"
        k2 = "specialization <serialized, " type "> of Runner.sendBurst"
        found = 0
        for (f = 1; f <= nfunc; f++) {
            if (index(fname[f], k1) == 0 && index(fname[f], k2) == 0) continue
            if (fstart[f] > ninsn || funcof[fstart[f]] != f) continue   # no code
            found++
            printf "codegen check: %s: checking %s @ 0x%s\n", design, fname[f], faddr[f]
            bad = 0; delete problems; delete visited; delete accepted; delete followed; checked_callees = 0
            visited[faddr[f]] = 1
            walk(fstart[f], fname[f], "sendBurst<" design ">", 0)
            for (x = 1; x <= checked_callees; x++) print "  followed into: " followed[x]
            if (verbose) for (x in accepted) print "  accepted: " x
            if (bad > 0) {
                failed = 1
                printf "codegen check: FAILED: %s: %d offending instruction(s) reachable from %s:\n", design, bad, fname[f]
                for (p = 1; p <= bad; p++) print problems[p]
            } else {
                printf "codegen check: %s: clean (%d callee function(s) followed)\n", design, checked_callees
            }
        }
        if (found == 0) {
            if (need == "required") {
                failed = 1
                printf "codegen check: FAILED: no specialisation of Runner.sendBurst for %s (%s) in the binary.\n", design, type
                print "  Expected a symbol containing \"generic specialization <" type "> of Runner.sendBurst\"."
                print "  Either nothing calls sendBurst with that concrete type (the visitor that picks the design is"
                print "  not specialised: is LockDesign.visit @inlinable?), or LLVM function merging folded it into a"
                print "  \"merged\" body shared by several designs, whose design-specific calls become indirect."
                print "  Symbols mentioning Runner.sendBurst in the binary:"
                shown = 0
                for (f = 1; f <= nfunc; f++) if (index(fname[f], "Runner.sendBurst") > 0) { print "    0x" faddr[f] "  " short(fname[f]); shown++ }
                if (shown == 0) print "    (none)"
            } else {
                printf "codegen check: %s: no specialisation in this binary (optional, not checked)\n", design
            }
        } else if (index(passed_names, design) == 0) {
            npassed++; passed_names = passed_names (passed_names == "" ? "" : ", ") design
        }
    }
    if (failed) exit 1
    printf "codegen check: passed (%d specialisation%s of Runner.sendBurst: %s; no retain/release/witness calls)\n", npassed, npassed == 1 ? "" : "s", passed_names
}
' "$work/all.dis" || status=$?

if [ "$status" -ne 0 ]; then
    [ "$status" -eq 1 ] && echo "codegen check: FAILED (binary: $binary)" >&2
    exit "$status"
fi
