#!/bin/sh
# numa-check-guest.sh: runs inside the NUMA VM (busybox sh, working folder
# /bench): prints the topology hwloc sees (as text and as JSON), then the
# plan of `run ARGS` (default --quick: the quick default suite), runs it,
# and prints its report, between marker lines that numa-check.sh splits on.
set -e
[ $# -gt 0 ] || set -- --quick
echo "@@TOPOLOGY"
./evtchn-bench topology
echo "@@JSON"
./evtchn-bench topology --json
echo "@@PLAN"
./evtchn-bench run "$@" --plan --output report.csv
if ! ./evtchn-bench run "$@" --output report.csv > run.log 2>&1; then
    cat run.log
    exit 1
fi
echo "@@CSV"
cat report.csv
echo "@@END"
