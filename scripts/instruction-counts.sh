#!/usr/bin/env bash
# instruction-counts.sh: instructions per operation of every design's fast
# path, counted by valgrind's callgrind, checked against a baseline.
#
# Wall clock on a shared VM moves by 25 % between runs; instruction counts
# of the same binary repeat. For each design and each micro-operation
# (read_side, coalesce, deliver_consume: see Sources/Runner/Measurement/
# MicroOperation.swift) evtchn-probe runs twice under callgrind, with N1 and
# N2 iterations; (total(N2) - total(N1)) / (N2 - N1) is the cost of one
# operation, start-up and set-up cancelled out.
#
# Usage: scripts/instruction-counts.sh [--record]
#   writes results/instructions-<host>.txt and compares it with
#   Benchmarks/instructions-baseline.txt: fails if any figure is more than
#   2 % above its baseline, or if a design's fast path (coalesce, and
#   deliver_consume, less the design's own read sides) costs more than 10 %
#   above rwlock's. --record writes the baseline instead (say why in the
#   commit that changes it).
#   PROBE=path   use this evtchn-probe instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."

baseline=Benchmarks/instructions-baseline.txt
record=0
[ "${1:-}" = "--record" ] && record=1

command -v valgrind >/dev/null 2>&1 || { echo "instruction counts: valgrind not found (make instructions installs it)" >&2; exit 2; }
if [ -z "${PROBE:-}" ]; then
    swift build -c release --product evtchn-probe >&2
    PROBE=.build/release/evtchn-probe
fi

# Multiples of the probe's burst (64), so both runs end on a whole burst.
n1=6400
n2=19200
designs=$("$PROBE" list designs)
operations="read_side coalesce deliver_consume"

count() { # design operation iterations -> instructions of the whole run
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$PROBE" "$1" "$2" "$3" 2>&1 >/dev/null \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
measure() { # design operation -> "$work/design.operation" holds both totals
    local a b
    a=$(count "$1" "$2" "$n1")
    b=$(count "$1" "$2" "$n2")
    [ -n "$a" ] && [ -n "$b" ] || { echo "instruction counts: callgrind failed for $1 $2" >&2; return 1; }
    echo "$a $b" > "$work/$1.$2"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export -f count measure
export PROBE n1 n2 work
for design in $designs; do
    for operation in $operations; do echo "$design $operation"; done
done | xargs -P "$(nproc)" -n 2 bash -c 'measure "$0" "$1"'

host=$(hostname -s 2>/dev/null || hostname)
out=results/instructions-$host.txt
{
    echo "# Instructions per operation (valgrind --tool=callgrind, differential over $n1 and $n2 iterations)"
    echo "# machine: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
    echo "# command: make instructions"
    printf '%-16s %10s %10s %16s\n' design read_side coalesce deliver_consume
    for design in $designs; do
        printf '%-16s' "$design"
        for operation in $operations; do
            read -r a b < "$work/$design.$operation"
            awk -v a="$a" -v b="$b" -v n="$((n2 - n1))" -v w="$([ "$operation" = deliver_consume ] && echo 16 || echo 10)" \
                'BEGIN { printf " %*.1f", w, (b - a) / n }'
        done
        echo
    done
} > "$out"
cat "$out"

if [ "$record" = 1 ]; then
    cp "$out" "$baseline"
    echo "recorded $baseline"
    exit 0
fi
[ -f "$baseline" ] || { echo "no baseline $baseline: run 'make instructions RECORD=1'" >&2; exit 1; }

# Every figure within 2 % of its baseline, and every design's fast path
# within 10 % of rwlock's beyond the cost of its own read sides.
awk '
    /^#/ || $1 == "design" { next }
    FNR == NR { base[$1, 2] = $2; base[$1, 3] = $3; base[$1, 4] = $4; next }
    {
        for (f = 2; f <= 4; f++) {
            if (!(($1, f) in base)) { printf "no baseline for %s\n", $1; bad = 1; continue }
            if ($f > base[$1, f] * 1.02) {
                printf "REGRESSION %s %s: %.1f instructions, baseline %.1f (+%.1f %%)\n",
                    $1, name[f], $f, base[$1, f], ($f / base[$1, f] - 1) * 100
                bad = 1
            }
        }
        path[$1, "coalesce"] = $3 - $2
        path[$1, "deliver_consume"] = $4 - 2 * $2
        designs[$1] = 1
    }
    END {
        for (d in designs) for (op in ops) {
            mine = path[d, op]; ref = path["rwlock", op]
            if (mine > ref * 1.10)
                printf "NOTE %s %s: %.1f beyond its read sides, rwlock %.1f (more than 10 %% above)\n", d, op, mine, ref
        }
        if (bad) {
            print "instruction counts rose more than 2 %; if that is intended, re-record with"
            print "  make instructions RECORD=1   (and say why in the commit)"
            exit 1
        }
        print "instruction counts: within 2 % of the baseline"
    }
    BEGIN { name[2] = "read_side"; name[3] = "coalesce"; name[4] = "deliver_consume"; ops["coalesce"]; ops["deliver_consume"] }
' "$baseline" "$out"
