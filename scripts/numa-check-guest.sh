#!/bin/sh
# numa-check-guest.sh: runs inside the NUMA VM (busybox sh, working folder
# /bench): prints the plan of the quick default suite, runs it, and prints
# its report, between marker lines that numa-check.sh splits on.
set -e
echo "@@PLAN"
./evtchn-bench run --quick --plan --output report.csv
if ! ./evtchn-bench run --quick --output report.csv > run.log 2>&1; then
    cat run.log
    exit 1
fi
echo "@@CSV"
cat report.csv
echo "@@END"
