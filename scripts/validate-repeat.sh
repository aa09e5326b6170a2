#!/usr/bin/env bash
# validate-repeat.sh: runs `evtchn-bench validate` N times (default 20) and
# writes a markdown summary: per design, in how many runs it lost events
# (lost > 0), and the range of lost and unsignalled; and how many runs
# exited 0 (every verdict as expected).
#
# Usage: scripts/validate-repeat.sh [N] [OUTPUT.md]
#   BIN=path   the evtchn-bench to run (default .build/release/evtchn-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
output=${2:-/dev/stdout}
bin=${BIN:-.build/release/evtchn-bench}
[ -x "$bin" ] || { echo "validate-repeat: no $bin (swift build -c release)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
start=$(date +%s)
for i in $(seq 1 "$runs"); do
    if "$bin" validate >"$work/$i.txt" 2>&1; then passed=$((passed + 1)); fi
done
end=$(date +%s)
{
    echo "# \`evtchn-bench validate\`, $runs runs"
    echo
    echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r);"
    echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); $((end - start)) s in all."
    echo "Command: \`scripts/validate-repeat.sh $runs\` (each run: \`evtchn-bench validate\`, every design, default options)."
    echo
    echo "Runs whose exit status was 0 (every verdict as expected): **$passed of $runs**."
    echo
    echo "| design | runs with lost > 0 | lost (min-max) | unsignalled (min-max) |"
    echo "|---|---:|---:|---:|"
    cat "$work"/*.txt | awk '
        /^design=/ {
            d = ""; l = 0; u = 0
            for (i = 1; i <= NF; i++) {
                split($i, kv, "=")
                if (kv[1] == "design") d = kv[2]
                if (kv[1] == "lost") l = kv[2] + 0
                if (kv[1] == "unsignalled") u = kv[2] + 0
            }
            if (!(d in n)) { order[++k] = d; lmin[d] = l; lmax[d] = l; umin[d] = u; umax[d] = u }
            n[d]++; if (l > 0) lossy[d]++
            if (l < lmin[d]) lmin[d] = l; if (l > lmax[d]) lmax[d] = l
            if (u < umin[d]) umin[d] = u; if (u > umax[d]) umax[d] = u
        }
        END {
            for (i = 1; i <= k; i++) {
                d = order[i]
                printf "| %s | %d of %d | %d-%d | %d-%d |\n", d, lossy[d] + 0, n[d], lmin[d], lmax[d], umin[d], umax[d]
            }
        }'
} >"$output"
[ "$passed" = "$runs" ]
