#!/usr/bin/env bash
# run-mutants.sh: mutation test of the model's oracle. Each
# verify/mutants/NAME.patch is a one-place bug in evtchn.pml; KILLS names,
# per mutant, the configuration of `make verify` (a row of run-verify.sh's
# expected table) at which SPIN must catch it (verdict LOST: some assertion
# fails). Only that configuration runs, so this is fast enough for CI.
#
# Usage: verify/run-mutants.sh [MUTANT...]
#   VERIFY_JOBS=n   runs in parallel (default 2)
#   VERIFY_OUT=dir  each run's output under dir/mutants (default verify/.out)
#
# Prints mutant | configuration | verdict | seconds; exits 1 if a mutant
# survives, a patch does not apply or a KILLS configuration is not one that
# `make verify` runs, 2 if a run could not decide.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kills=$here/mutants/KILLS

if [ "${1:-}" = --one ]; then
    # --one OUTDIR MUTANT FAMILY STRATEGY RULE BOUND
    out=$2 name=$3
    dir=$out/$name
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$here/evtchn.pml" "$dir/evtchn.pml"
    if ! patch -s --no-backup-if-mismatch "$dir/evtchn.pml" <"$here/mutants/$name.patch" >"$dir/patch.out" 2>&1; then
        echo "$name $4 $5 $6 $7 NO-PATCH - - - - 0"
        exit 0
    fi
    line=$(VERIFY_MODEL=$dir/evtchn.pml VERIFY_DEFINES='' "$here/run-verify.sh" --one "$dir" "$4" "$5" "$6" "$7")
    echo "$name $line"
    exit 0
fi

for tool in spin gcc patch; do
    command -v "$tool" >/dev/null || { echo "run-mutants: $tool not found (make verify-deps installs it)" >&2; exit 2; }
done
out=${VERIFY_OUT:-$here/.out}/mutants
mkdir -p "$out"
jobs=${VERIFY_JOBS:-2}

# KILLS: "mutant family strategy rule bound" per line; # comments.
table=$(grep -v '^[[:space:]]*#' "$kills" | awk 'NF >= 5 { print $1, $2, $3, $4, $5 }')
if [ $# -gt 0 ]; then
    table=$(echo "$table" | awk -v list=" $* " 'index(list, " " $1 " ")')
fi

status=0
# Every patch has a row, and every row is a configuration `make verify` runs.
expected=$("$here/run-verify.sh" --table | awk '{ print $1, $2, $3, $4 }')
for patchfile in "$here"/mutants/*.patch; do
    name=$(basename "$patchfile" .patch)
    if [ $# -eq 0 ] && ! echo "$table" | awk -v n="$name" '$1 == n { found = 1 } END { exit !found }'; then
        echo "run-mutants: $name has no row in $kills"
        status=1
    fi
done
while read -r name family strategy rule bound; do
    if [ ! -f "$here/mutants/$name.patch" ]; then
        echo "run-mutants: $kills names $name, which has no patch"
        status=1
    fi
    if ! echo "$expected" | grep -qx "$family $strategy $rule $bound"; then
        echo "run-mutants: $name: $family $strategy $rule $bound is not a configuration make verify runs"
        status=1
    fi
done <<<"$table"

start=$(date +%s.%N)
results=$(echo "$table" | xargs -r -P "$jobs" -L 1 "$0" --one "$out")
end=$(date +%s.%N)

fmt='| %-26s | %-50s | %-8s | %-8s | %7s |%s\n'
# shellcheck disable=SC2059 # the format is ours
printf "$fmt" mutant configuration verdict assert seconds ""
# shellcheck disable=SC2059
printf "$fmt" "---" "---" "---" "---" "---:" ""
while read -r name family strategy rule bound; do
    line=$(echo "$results" | awk -v n="$name" '$1 == n')
    read -r _ _ _ _ _ verdict kind _ _ _ seconds <<<"$line"
    note=""
    case $verdict in
    LOST) verdict=killed ;;
    safe) verdict=SURVIVED; note="  <- not caught"; [ $status = 2 ] || status=1 ;;
    NO-PATCH) note="  <- the patch does not apply"; [ $status = 2 ] || status=1 ;;
    *) note="  <- could not decide (see $out/$name)"; status=2 ;;
    esac
    # shellcheck disable=SC2059
    printf "$fmt" "$name" "$family $strategy $rule $bound" "$verdict" "$kind" "$seconds" "$note"
done <<<"$table"
echo "total $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }') s with $jobs parallel runs; outputs in $out"
case $status in
0) echo "verify-mutants: every mutant killed" ;;
1) echo "verify-mutants: FAILED: a mutant survived, a patch does not apply or KILLS names a configuration make verify does not run" ;;
*) echo "verify-mutants: FAILED: a run could not decide" ;;
esac
exit $status
