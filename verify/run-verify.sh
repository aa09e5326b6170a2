#!/usr/bin/env bash
# run-verify.sh: model-checks the event-delivery protocol (evtchn.pml) with
# SPIN for every design family x relocation strategy (and, for the grace
# period family, the old invalidate rule), exhaustively, at the default
# bound and at the larger bounds listed in the expected table, and prints a
# table: safe, or LOST with the assertion that failed first (strict: an
# owed event unsignalled before the final drain; retired: a write into a
# retired frame; drain: an event still owed after the final drain) and the
# depth of that counterexample; states stored, memory, seconds.
#
# Usage: verify/run-verify.sh [FAMILY...]
#   FAMILY                 only these families (exclusion, grace-period,
#                          replay, none); default all
#   VERIFY_JOBS=n          runs in parallel (default 2; every run of the
#                          expected table needs well under 10 GB)
#   VERIFY_OUT=dir         keep each run's pan output and, for a loss, its
#                          trail and the replayed trail (trail.txt) here
#                          (default verify/.out)
#   VERIFY_BOUNDS="..."    only the table's rows at these bounds (e.g.
#                          "default")
#   VERIFY_DEFINES="..."   extra -D options for the model (see evtchn.pml),
#                          e.g. "-DSTRICT=0"; the expected table is for the
#                          model's own options, so the exit status then only
#                          reports failures to run
#   VERIFY_MODEL=file      the model to check (default evtchn.pml beside
#                          this script; run-mutants.sh passes a mutant)
#   VERIFY_PAN_FLAGS="..." extra gcc options for pan (e.g. -DMEMLIM=18000)
#   VERIFY_CC_OPT=-On      gcc's optimisation level for pan (default -O1:
#                          most runs here take longer to compile than to
#                          search; -O2 compiles twice as long for a pan
#                          about 10 % faster)
#   VERIFY_PAN_RUN="..."   options for the pan run (default: -w26 for the
#                          replay family, pan's -w24 for the others)
#
# run-verify.sh --one OUTDIR FAMILY STRATEGY RULE BOUND runs one
# combination and prints its result line (run-verify-large.sh and
# run-mutants.sh use it); run-verify.sh --table prints the expected table.
#
# Exit status: 0 every verdict as expected, 1 some verdict differs from the
# expected table below (the model or the protocol changed: look at it, then
# update the table and verify/README.md together), 2 could not run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
model=${VERIFY_MODEL:-$here/evtchn.pml}

# What the checker found (verify/README.md explains every line), and the
# bounds at which `make verify` checks it: `default` is the model's own bound
# (2 senders x 1 event to their own ports, one migration of guest frame 0);
# the larger ones (bound_defines below) run where they fit CI's budget
# (measured: verify/README.md). A verdict is the same at every bound listed;
# a change in any of them fails the run.
all='default,migrate-vi,anyport,nmigr2,early-unmask,nevents2'
replay_bounds='default,migrate-vi,anyport'
replay_big='default,migrate-vi'
verdict_table() {
    cat <<EOF
exclusion     quiesce            new  safe  $all
exclusion     both-locks         new  LOST  $all
exclusion     forced-slow        new  LOST  $all
exclusion     deactivate         new  safe  $all
exclusion     xen-mark-all       new  safe  $all
exclusion     forced-slow-drain  new  safe  $all
grace-period  quiesce            new  safe  $all
grace-period  both-locks         new  LOST  $all
grace-period  forced-slow        new  LOST  $all
grace-period  deactivate         new  safe  $all
grace-period  xen-mark-all       new  safe  $all
grace-period  forced-slow-drain  new  safe  $all
grace-period  quiesce            old  safe  $all
grace-period  both-locks         old  LOST  $all
grace-period  forced-slow        old  LOST  $all
grace-period  deactivate         old  LOST  $all
grace-period  xen-mark-all       old  LOST  $all
grace-period  forced-slow-drain  old  safe  $all
replay        quiesce            new  safe  $replay_bounds
replay        both-locks         new  LOST  $replay_bounds
replay        forced-slow        new  LOST  $replay_bounds
replay        deactivate         new  safe  $replay_big
replay        xen-mark-all       new  safe  $replay_big
replay        forced-slow-drain  new  safe  $replay_bounds
none          quiesce            new  LOST  $all
none          both-locks         new  LOST  $all
none          forced-slow        new  LOST  $all
none          deactivate         new  LOST  $all
none          xen-mark-all       new  LOST  $all
none          forced-slow-drain  new  LOST  $all
EOF
}

# One line per run, "family strategy rule bound verdict", bound by bound.
expected_table() {
    verdict_table | awk '{
        n = split($5, bounds, ",")
        for (i = 1; i <= n; i++) rows[i] = rows[i] sprintf("%-13s %-18s %-4s %-12s %s\n", $1, $2, $3, bounds[i], $4)
        if (n > max) max = n
    } END { for (i = 1; i <= max; i++) printf "%s", rows[i] }'
}

# The -D options of each bound.
bound_defines() {
    case $1 in
    default) echo "" ;;
    anyport) echo "-DANYPORT" ;;
    nmigr2) echo "-DNMIGR=2" ;;
    migrate-vi) echo "-DMIGRATE_VI" ;;
    migrate-vi2) echo "-DMIGRATE_VI -DNMIGR=2" ;;
    early-unmask) echo "-DEARLY_UNMASK" ;;
    nevents2) echo "-DNEVENTS=2" ;;
    *) echo "unknown bound: $1" >&2; exit 2 ;;
    esac
}

family_number() {
    case $1 in
    exclusion) echo 1 ;; grace-period) echo 2 ;; replay) echo 3 ;; none) echo 4 ;;
    *) echo "unknown family: $1" >&2; exit 2 ;;
    esac
}

strategy_number() {
    case $1 in
    quiesce) echo 1 ;; both-locks) echo 2 ;; forced-slow) echo 3 ;; deactivate) echo 4 ;; xen-mark-all) echo 5 ;;
    forced-slow-drain) echo 6 ;;
    *) echo "unknown strategy: $1" >&2; exit 2 ;;
    esac
}

# One combination: generate, compile, search; prints one result line
# "family strategy rule bound verdict assert depth states MB seconds".
run_one() {
    local family=$1 strategy=$2 rule=$3 bound=$4
    local dir=$out/$family-$strategy-$rule-$bound
    local rule_number=1
    [ "$rule" = old ] && rule_number=0
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$model" "$dir/evtchn.pml"
    local defines
    defines="-DFAMILY=$(family_number "$family") -DSTRATEGY=$(strategy_number "$strategy") -DRULE=$rule_number $(bound_defines "$bound") ${VERIFY_DEFINES:-}"
    local start end
    start=$(date +%s.%N)
    (
        cd "$dir"
        echo "$defines" >defines
        # shellcheck disable=SC2086 # $defines is a list of options
        spin -a $defines evtchn.pml >spin.out 2>&1
        # Exhaustive safety search (assertions and invalid end states), no
        # bit-state hashing; COLLAPSE compresses stored states.
        # shellcheck disable=SC2086
        gcc "${VERIFY_CC_OPT:--O1}" -w -DSAFETY -DCOLLAPSE ${VERIFY_PAN_FLAGS:-} -o pan pan.c >gcc.out 2>&1
        # The replay family's safe runs store tens of millions of states: a
        # 2^26-slot hash table (512 MB) keeps its chains short.
        local run_flags=${VERIFY_PAN_RUN:-}
        [ -z "$run_flags" ] && [ "$family" = replay ] && run_flags=-w26
        # shellcheck disable=SC2086
        ./pan -m20000 $run_flags >pan.out 2>&1 || true
        if [ -f evtchn.pml.trail ]; then
            # shellcheck disable=SC2086
            spin -t -p -g -l $defines evtchn.pml >trail.txt 2>&1 || true
        fi
    ) || { echo "$family $strategy $rule $bound ERROR - - - - -"; return; }
    end=$(date +%s.%N)
    local verdict kind depth states mb
    states=$(awk '/states, stored/ { printf "%d", $1; exit }' "$dir/pan.out")
    mb=$(awk '/total actual memory usage/ { printf "%.0f", $1; exit }' "$dir/pan.out")
    kind=-
    if grep -q "max search depth too small" "$dir/pan.out"; then
        verdict=INCOMPLETE
    elif grep -qiE "out of memory|reached -DMEMLIM" "$dir/pan.out"; then
        verdict=OUT-OF-MEMORY
    elif grep -q "errors: 0" "$dir/pan.out"; then
        verdict=safe
    elif grep -q "assertion violated" "$dir/pan.out"; then
        verdict=LOST
        case $(grep -m1 "assertion violated" "$dir/pan.out") in
        *unsignalled*) kind=strict ;;
        *retired*) kind=retired ;;
        *owed*) kind=drain ;;
        *) kind=other ;;
        esac
    elif grep -q "invalid end state" "$dir/pan.out"; then
        verdict=DEADLOCK
    else
        verdict=ERROR
    fi
    depth=$(sed -n 's/.*(at depth \([0-9]*\)).*/\1/p' "$dir/pan.out" | head -1)
    echo "$family $strategy $rule $bound $verdict $kind ${depth:--} ${states:--} ${mb:--} $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')"
}

if [ "${1:-}" = --table ]; then
    expected_table
    exit 0
fi
if [ "${1:-}" = --one ]; then
    out=$2
    run_one "$3" "$4" "$5" "$6"
    exit 0
fi

for tool in spin gcc; do
    command -v "$tool" >/dev/null || { echo "run-verify: $tool not found (make verify installs it)" >&2; exit 2; }
done
out=${VERIFY_OUT:-$here/.out}
mkdir -p "$out"
jobs=${VERIFY_JOBS:-2}

selected=$(expected_table)
if [ $# -gt 0 ]; then
    for family in "$@"; do family_number "$family" >/dev/null; done
    selected=$(echo "$selected" | awk -v list=" $* " 'index(list, " " $1 " ")')
fi
if [ -n "${VERIFY_BOUNDS:-}" ]; then
    selected=$(echo "$selected" | awk -v list=" $VERIFY_BOUNDS " 'index(list, " " $4 " ")')
fi

total_start=$(date +%s.%N)
# The longest runs first (the replay family's, then the early-unmask bound's),
# so that the parallel queues end together; the table prints in its order.
results=$(echo "$selected" |
    awk '{ w = 2; if ($4 == "early-unmask") w = 1; if ($1 == "replay" && $5 == "safe") w = 0; print w, $1, $2, $3, $4 }' |
    sort -s -n -k1,1 | cut -d' ' -f2- |
    xargs -r -P "$jobs" -L 1 "$0" --one "$out")
total_end=$(date +%s.%N)

status=0
fmt='%-13s %-18s %-4s %-12s %-8s %-8s %6s %11s %6s %8s%s\n'
# shellcheck disable=SC2059 # the format is ours
printf "$fmt" family strategy rule bound verdict assert depth states MB seconds ""
while read -r family strategy rule bound want; do
    line=$(echo "$results" | awk -v f="$family" -v s="$strategy" -v r="$rule" -v b="$bound" '$1 == f && $2 == s && $3 == r && $4 == b')
    read -r _ _ _ _ verdict kind depth states mb seconds <<<"$line"
    note=""
    case $verdict in
    safe|LOST)
        if [ -z "${VERIFY_DEFINES:-}" ] && [ "$verdict" != "$want" ]; then
            note="  <- expected $want"
            [ $status = 0 ] && status=1
        fi ;;
    *)
        note="  <- could not decide (see $out/$family-$strategy-$rule-$bound)"
        status=2 ;;
    esac
    # shellcheck disable=SC2059
    printf "$fmt" "$family" "$strategy" "$rule" "$bound" "$verdict" "$kind" "$depth" "$states" "$mb" "$seconds" "$note"
done <<<"$selected"
total=$(awk -v s="$total_start" -v e="$total_end" 'BEGIN { printf "%.1f", e - s }')
echo "total $total s with $jobs parallel runs; each run's output (and the trail of a loss) in $out"
case $status in
0) echo "verify: every verdict as expected" ;;
1) echo "verify: FAILED: a verdict differs from the expected table (run-verify.sh, verify/README.md)" ;;
*) echo "verify: FAILED: a run could not decide" ;;
esac
exit $status
