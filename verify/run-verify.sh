#!/usr/bin/env bash
# run-verify.sh: model-checks the event-delivery protocol (evtchn.pml) with
# SPIN for every design family x relocation strategy (and, for the grace
# period family, the old invalidate rule), exhaustively, and prints a table:
# safe, or LOST with the depth of the counterexample, states stored, seconds.
#
# Usage: verify/run-verify.sh [FAMILY...]
#   FAMILY                 only these families (exclusion, grace-period,
#                          replay, none); default all
#   VERIFY_JOBS=n          runs in parallel (default 2)
#   VERIFY_OUT=dir         keep each run's pan output and, for a loss, its
#                          trail and the replayed trail (trail.txt) here
#                          (default verify/.out)
#   VERIFY_DEFINES="..."   extra -D options for the model (see evtchn.pml),
#                          e.g. "-DANYPORT -DNMIGR=2"; the expected table
#                          below is for the defaults, so the exit status
#                          then only reports failures to run
#
# Exit status: 0 every verdict as expected, 1 some verdict differs from the
# expected table below (the model or the protocol changed: look at it, then
# update the table and verify/README.md together), 2 could not run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
model=$here/evtchn.pml

# What the checker found (verify/README.md explains every line). A change in
# any verdict fails the run.
expected_table() {
    cat <<'EOF'
exclusion     quiesce       new  safe
exclusion     both-locks    new  LOST
exclusion     forced-slow   new  LOST
exclusion     deactivate    new  safe
exclusion     xen-mark-all  new  safe
grace-period  quiesce       new  safe
grace-period  both-locks    new  LOST
grace-period  forced-slow   new  LOST
grace-period  deactivate    new  safe
grace-period  xen-mark-all  new  safe
grace-period  quiesce       old  safe
grace-period  both-locks    old  LOST
grace-period  forced-slow   old  LOST
grace-period  deactivate    old  LOST
grace-period  xen-mark-all  old  safe
replay        quiesce       new  safe
replay        both-locks    new  LOST
replay        forced-slow   new  LOST
replay        deactivate    new  safe
replay        xen-mark-all  new  safe
none          quiesce       new  LOST
none          both-locks    new  LOST
none          forced-slow   new  LOST
none          deactivate    new  LOST
none          xen-mark-all  new  LOST
EOF
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
    *) echo "unknown strategy: $1" >&2; exit 2 ;;
    esac
}

# One combination: generate, compile, search; prints one result line
# "family strategy rule verdict depth states seconds".
run_one() {
    local family=$1 strategy=$2 rule=$3
    local dir=$out/$family-$strategy-$rule
    local rule_number=1
    [ "$rule" = old ] && rule_number=0
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$model" "$dir/evtchn.pml"
    local defines="-DFAMILY=$(family_number "$family") -DSTRATEGY=$(strategy_number "$strategy") -DRULE=$rule_number ${VERIFY_DEFINES:-}"
    local start end
    start=$(date +%s.%N)
    (
        cd "$dir"
        # shellcheck disable=SC2086 # $defines is a list of options
        spin -a $defines evtchn.pml >spin.out 2>&1
        # Exhaustive safety search (assertions and invalid end states), no
        # bit-state hashing; COLLAPSE compresses stored states.
        gcc -O2 -w -DSAFETY -DCOLLAPSE -o pan pan.c >gcc.out 2>&1
        ./pan -m20000 >pan.out 2>&1 || true
        if [ -f evtchn.pml.trail ]; then
            # shellcheck disable=SC2086
            spin -t -p -g -l $defines evtchn.pml >trail.txt 2>&1 || true
        fi
    ) || { echo "$family $strategy $rule ERROR - - -"; return; }
    end=$(date +%s.%N)
    local verdict depth states
    states=$(awk '/states, stored/ { print $1; exit }' "$dir/pan.out")
    if grep -q "max search depth too small" "$dir/pan.out"; then
        verdict=INCOMPLETE
    elif grep -q "errors: 0" "$dir/pan.out"; then
        verdict=safe
    elif grep -q "assertion violated" "$dir/pan.out"; then
        verdict=LOST
    elif grep -q "invalid end state" "$dir/pan.out"; then
        verdict=DEADLOCK
    else
        verdict=ERROR
    fi
    depth=$(sed -n 's/.*(at depth \([0-9]*\)).*/\1/p' "$dir/pan.out" | head -1)
    echo "$family $strategy $rule $verdict ${depth:--} ${states:--} $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')"
}

if [ "${1:-}" = --one ]; then
    out=$2
    run_one "$3" "$4" "$5"
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

total_start=$(date +%s.%N)
results=$(echo "$selected" | awk '{ print $1, $2, $3 }' |
    xargs -P "$jobs" -L 1 "$0" --one "$out")
total_end=$(date +%s.%N)

status=0
printf '%-13s %-13s %-4s %-8s %6s %12s %8s\n' family strategy rule verdict depth states seconds
while read -r family strategy rule want; do
    line=$(echo "$results" | awk -v f="$family" -v s="$strategy" -v r="$rule" '$1 == f && $2 == s && $3 == r')
    read -r _ _ _ verdict depth states seconds <<<"$line"
    note=""
    if [ "$verdict" = ERROR ] || [ "$verdict" = INCOMPLETE ]; then
        note="  <- could not decide (see $out/$family-$strategy-$rule)"
        status=2
    elif [ -z "${VERIFY_DEFINES:-}" ] && [ "$verdict" != "$want" ]; then
        note="  <- expected $want"
        [ $status = 0 ] && status=1
    fi
    printf '%-13s %-13s %-4s %-8s %6s %12s %8s%s\n' "$family" "$strategy" "$rule" "$verdict" "$depth" "$states" "$seconds" "$note"
done <<<"$selected"
total=$(awk -v s="$total_start" -v e="$total_end" 'BEGIN { printf "%.1f", e - s }')
echo "total $total s with $jobs parallel runs; each run's output (and the trail of a loss) in $out"
case $status in
0) echo "verify: every verdict as expected" ;;
1) echo "verify: FAILED: a verdict differs from the expected table (run-verify.sh, verify/README.md)" ;;
*) echo "verify: FAILED: a run could not decide" ;;
esac
exit $status
