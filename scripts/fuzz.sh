#!/usr/bin/env bash
# Fuzzes the report reader (CSV parser and report decoder) and the cpulist
# syntax with libFuzzer, through the Swift toolchain's -sanitize=fuzzer
# (plus AddressSanitizer). Each target runs for FUZZ_SECONDS (default 20).
#
#   scripts/fuzz.sh                 both targets
#   FUZZ_SECONDS=300 scripts/fuzz.sh report
#
# Built into .build/fuzz/ from the sources themselves (no package build
# needed). The corpus is kept in .build/fuzz/corpus-<target> between runs
# and seeded from results/*.csv and a few cpulists. A crash stops the run
# with a non-zero exit and leaves the input in .build/fuzz/crash-<target>-*;
# turn each into a regression test (Tests/ReportsTests or
# Tests/TopologyTests/TopologyCPUListTests.swift) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
SECONDS_EACH=${FUZZ_SECONDS:-20}
OUT=.build/fuzz
mkdir -p "$OUT"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(report cpulist)

sources() {
    case "$1" in
    report) echo Fuzz/ReportFuzz.swift Sources/Reports/CSV.swift Sources/Reports/ReportDecoder.swift Sources/Reports/Statistics.swift ;;
    cpulist) echo Fuzz/CPUListFuzz.swift Fuzz/TopologyErrorStub.swift Sources/Topology/CPUList.swift ;;
    *) echo "unknown fuzz target '$1' (report, cpulist)" >&2; exit 2 ;;
    esac
}

seed() {
    local corpus=$1 target=$2
    [ -z "$(ls -A "$corpus" 2>/dev/null)" ] || return 0
    mkdir -p "$corpus"
    case "$target" in
    report)
        for f in results/*.csv; do [ -f "$f" ] && head -c 4000 "$f" > "$corpus/$(basename "$f")"; done
        printf 'a,b\r\n1,"x\r\ny"\r\n' > "$corpus/crlf"
        printf 'a,b\n1,2e5\n-3,nan\n' > "$corpus/numbers" ;;
    cpulist)
        for s in "0" "0-3,8" "0-3,8-11" "" " 1 " "0-65535" "5-1" "1,,2"; do printf '%s' "$s" > "$corpus/$(printf '%s' "$s" | od -An -tx1 | tr -d ' \n')x"; done ;;
    esac
}

# lld when the toolchain has it (gold warns about every ASan symbol).
lld_flag() { command -v ld.lld >/dev/null 2>&1 || [ -x "$(dirname "$(command -v "$SWIFTC")")/ld.lld" ] && echo -use-ld=lld; }

for target in "${targets[@]}"; do
    binary="$OUT/fuzz-$target"
    # shellcheck disable=SC2046
    "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -g $(lld_flag) -module-name Fuzz$target \
        $(sources "$target") -o "$binary" 2> "$OUT/build-$target.log" || { cat "$OUT/build-$target.log" >&2; exit 1; }
    corpus="$OUT/corpus-$target"
    seed "$corpus" "$target"
    echo "fuzzing $target for ${SECONDS_EACH}s"
    if ! "$binary" "$corpus" -max_total_time="$SECONDS_EACH" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$OUT/crash-$target-" -print_final_stats=1 > "$OUT/run-$target.log" 2>&1; then
        tail -40 "$OUT/run-$target.log" >&2
        echo "fuzz $target: FAILED; the input is in $OUT/crash-$target-*" >&2
        exit 1
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$OUT/run-$target.log" | sed "s/^/  $target: /"
done
