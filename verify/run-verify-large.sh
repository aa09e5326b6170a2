#!/usr/bin/env bash
# run-verify-large.sh: every family x strategy (and the grace period
# family's old rule) at the larger bounds, which `make verify` runs only in
# part (CI's time budget): `make verify-large`, not in CI. Writes a markdown
# table (verdict, states, memory, seconds per run) to
# verify/large-results.md, rewritten after every run, so a partial table is
# there while it runs.
#
# Usage: verify/run-verify-large.sh [BOUND...]
#   BOUND  migrate-vi, anyport, nmigr2, early-unmask, nevents2 (default all; see
#          run-verify.sh's bound_defines; migrate-vi also covers
#          invalidation of the new vcpu_info frame during a relocation)
#   VERIFY_LARGE_FAMILIES="..."  only these families (default all)
#   VERIFY_LARGE_RESULTS=file    the table (default verify/large-results.md)
#   VERIFY_OUT=dir               pan outputs (default verify/.out/large)
#   VERIFY_LARGE_KEEP=1          keep the results of an earlier (partial)
#                                run in VERIFY_OUT and run only what is
#                                missing (to resume, or to run the families
#                                in separate sittings)
#
# Memory: runs that may need more than 10 GB (the replay family, whose safe
# runs store hundreds of millions of states) run one at a time; the other
# families two at a time. Every pan is capped with -DMEMLIM=18000 (MB): a
# run that does not fit reports OUT-OF-MEMORY instead of exhausting the
# machine. The replay family uses run-verify.sh's 2^26-slot hash table
# (-w26, 512 MB; VERIFY_PAN_RUN overrides it): a larger one cost the
# early-unmask runs the memory they needed (large-results.md says which
# table each of its runs had).
#
# Exit status: 0 every run decided with the default bound's verdict, 1 a
# verdict differs from the default bound's, 2 some run could not decide.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bounds=${*:-migrate-vi anyport nmigr2 early-unmask nevents2}
families=${VERIFY_LARGE_FAMILIES:-exclusion grace-period none replay}
results_md=${VERIFY_LARGE_RESULTS:-$here/large-results.md}
out=${VERIFY_OUT:-$here/.out}/large
mkdir -p "$out"
tsv=$out/results.tsv
[ "${VERIFY_LARGE_KEEP:-0}" = 1 ] && [ -f "$tsv" ] || : >"$tsv"

for tool in spin gcc; do
    command -v "$tool" >/dev/null || { echo "run-verify-large: $tool not found (make verify-deps installs it)" >&2; exit 2; }
done

# The expected table's default rows give the combinations (and the verdict
# at the default bound, to compare with).
defaults=$("$here/run-verify.sh" --table | awk '$4 == "default"')

render() {
    {
        echo "# SPIN at the larger bounds (make verify-large)"
        echo
        echo "Written by verify/run-verify-large.sh on $(hostname) ($(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)),"
        echo "$(date -u +%Y-%m-%dT%H:%MZ), with pan -DMEMLIM=18000 (MB). States are those stored by"
        echo "an exhaustive search (-DSAFETY -DCOLLAPSE); MB is pan's \"total actual memory usage\";"
        echo "seconds include generating and compiling pan (gcc -O2). \"default\" is the verdict at the"
        echo "default bound (run-verify.sh's expected table). OUT-OF-MEMORY: pan reached the cap (states"
        echo "and seconds when it stopped). The replay family's MB include pan's hash table: 2 GB"
        echo "(-w28) for the migrate-vi and anyport runs made here, 1 GB (-w27) for nmigr2, nevents2 and"
        echo "early-unmask but xen-mark-all, 512 MB (-w26, the script's default now) for that one."
        echo
        echo "| bound | family | strategy | rule | verdict | assert | default | states | MB | seconds |"
        echo "|---|---|---|---|---|---|---|---:|---:|---:|"
        while read -r family strategy rule bound verdict kind _ states mb seconds; do
            want=$(echo "$defaults" | awk -v f="$family" -v s="$strategy" -v r="$rule" '$1 == f && $2 == s && $3 == r { print $5 }')
            mark=$verdict
            [ "$verdict" = LOST ] && mark="**LOST**"
            echo "| $bound | $family | $strategy | $rule | $mark | $kind | $want | $states | $mb | $seconds |"
        done < <(sort -t' ' -k4,4 -k1,1 -k3,3r -s "$tsv")
        echo
        echo "Sum of the runs' seconds per bound (the non-replay families ran two at a time, replay one at a time):"
        awk '{ s[$4] += $10; n[$4]++ } END { for (b in s) printf "%s %d runs %.0f s\n", b, n[b], s[b] }' "$tsv" | sort |
            awk '{ printf "%s%s: %s runs, %s s", (NR > 1 ? "; " : ""), $1, $2, $4 } END { print "." }'
    } >"$results_md.tmp"
    mv "$results_md.tmp" "$results_md"
}

# Runs "family strategy rule bound" lines with $1 parallel jobs, appending
# each result line to the tsv and re-rendering the table.
run_lines() {
    local jobs=$1
    while read -r family strategy rule bound; do
        [ -n "$family" ] || continue
        # already there (VERIFY_LARGE_KEEP)
        awk -v f="$family" -v s="$strategy" -v r="$rule" -v b="$bound" \
            '$1 == f && $2 == s && $3 == r && $4 == b { found = 1 } END { exit !found }' "$tsv" && continue
        echo "$family $strategy $rule $bound"
    done | xargs -r -P "$jobs" -L 1 "$here/run-verify.sh" --one "$out" |
        while read -r result; do
            echo "$result" | tee -a "$tsv"
            render
        done
}

start=$(date +%s)
export VERIFY_PAN_FLAGS="-DMEMLIM=18000" VERIFY_CC_OPT=-O2
for bound in $bounds; do
    for family in $families; do
        [ "$family" = replay ] && continue
        echo "$defaults" | awk -v f="$family" -v b="$bound" '$1 == f { print $1, $2, $3, b }'
    done
done | run_lines 2
if echo " $families " | grep -q " replay "; then
    for bound in $bounds; do
        # the losses (small) first, then the safe runs by their size at the default bound
        for strategy in both-locks forced-slow quiesce forced-slow-drain deactivate xen-mark-all; do
            echo "$defaults" | awk -v b="$bound" -v s="$strategy" '$1 == "replay" && $2 == s { print $1, $2, $3, b }'
        done
    done | run_lines 1
fi
render
end=$(date +%s)
echo "total $((end - start)) s; table in $results_md"

status=0
while read -r family strategy rule bound verdict _; do
    want=$(echo "$defaults" | awk -v f="$family" -v s="$strategy" -v r="$rule" '$1 == f && $2 == s && $3 == r { print $5 }')
    case $verdict in
    safe|LOST) [ "$verdict" = "$want" ] || { echo "differs from the default bound: $family $strategy $rule $bound: $verdict"; [ $status = 2 ] || status=1; } ;;
    *) echo "could not decide: $family $strategy $rule $bound: $verdict"; status=2 ;;
    esac
done <"$tsv"
exit $status
