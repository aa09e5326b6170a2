#!/usr/bin/env bash
# hostile-cases.sh [BINARY]: runs evtchn-bench under hostile conditions and
# checks that it fails cleanly or gives a correct result (issue 19).
#
# Classes: stdio (closed or odd standard descriptors), histograms (odd
# --histograms folders), env (environment and terminal), signals, mem
# (--mem-node and what each row says of memory placement). Each case runs
# in a folder of its own under a temporary folder removed at the end, and
# checks some of: the exit status class, stderr being exactly one line,
# no crash report, the user's files byte for byte, the report still being
# readable (`compare R R`), and its row count.
#
# Prints "PASS class/name" or "FAIL class/name: why" per case, a count per
# class, and exits 1 if any case failed. `make hostile` runs it on a debug
# build. Runs are tiny (0.02-0.05 s each); no check depends on speed.
set -u

# ---------------------------------------------------------------- setup

bin=${1:-}
if [ -z "$bin" ]; then
    for candidate in .build/debug/evtchn-bench .build/release/evtchn-bench; do
        [ -x "$candidate" ] && { bin=$candidate; break; }
    done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "usage: $0 [path to evtchn-bench]" >&2; exit 2; }
# Absolute, since every case runs in a folder of its own.
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d "${TMPDIR:-/tmp}/hostile-cases.XXXXXX") || exit 2
# Some cases take permissions away or leave a process behind; give them
# back before removing everything.
cleanup() {
    jobs -p | xargs -r kill 2>/dev/null
    chmod -R u+rwX "$work" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The tiny run every case starts from: one design, one configuration, no
# warm-up. `tiny N` takes N repetitions of 0.02 s.
tiny() {
    echo run --design rwlock --scenario ipi --senders 1 --vcpus 1 --placement compact \
        --duration 0.02 --warmup 0 --reps "${1:-1}"
}
# A long sweep (up to 200 x 0.05 s) for cases that stop it midway; it is
# always stopped or killed after a few rows.
long() {
    echo run --design rwlock --scenario ipi --senders 1 --vcpus 1 --placement compact \
        --duration 0.05 --warmup 0 --reps 200
}
# shellcheck disable=SC2207 # the options have no spaces
TINY=($(tiny 1)) TINY2=($(tiny 2)) TINY3=($(tiny 3)) LONG=($(long))
# --no-pin goes with no placement option.
UNPINNED=(run --design rwlock --scenario ipi --senders 1 --vcpus 1 --duration 0.02 --warmup 0 --reps 2 --no-pin)

declare -A passed=() failed=()
classes=()
failures=()

# check CLASS NAME FUNCTION [ARGS...]: runs FUNCTION in a fresh folder, in
# a subshell (so that cd, exec and traps stay there), and records it.
check() {
    local class=$1 name=$2
    shift 2
    [ -n "${passed[$class]+x}" ] || { classes+=("$class"); passed[$class]=0; failed[$class]=0; }
    local dir
    dir=$(mktemp -d "$work/$class.XXXXXX")
    local started=$SECONDS
    # The shell's own notes ("Hangup" for a killed job) go to .shell.
    if (cd "$dir" && case_dir=$dir && "$@") </dev/null 2>"$dir/.shell"; then
        passed[$class]=$((passed[$class] + 1))
        echo "PASS $class/$name${HOSTILE_TIMES:+ ($((SECONDS - started)) s)}"
    else
        failed[$class]=$((failed[$class] + 1))
        local why
        why=$(head -c 400 "$dir/.why" 2>/dev/null | tr '\n' ' ')
        echo "FAIL $class/$name: ${why:-failed}"
        failures+=("$class/$name")
    fi
    # A case that left a child behind (it failed) must not slow the rest.
    pkill_children "$dir"
}

# Kills, by pid, a process still running in the case's folder (a failed
# case may leave its sweep running).
pkill_children() {
    local pid
    for pid in $(jobs -p); do kill "$pid" 2>/dev/null; done
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/cwd" 2>/dev/null)" = "$1" ] || continue
        kill -KILL "${proc#/proc/}" 2>/dev/null
    done
}

# fail WHY: records why the case failed; returns 1 so `|| fail` ends it.
fail() {
    printf '%s; ' "$*" >>"$case_dir/.why"
    return 1
}

# ---------------------------------------------------------- assertions

# The statuses a crash gives: SIGILL, SIGTRAP (Swift's trap), SIGABRT,
# SIGBUS, SIGFPE, SIGSEGV, SIGSYS.
is_crash_status() { case $1 in 132 | 133 | 134 | 135 | 136 | 139 | 159) return 0 ;; esac; return 1; }

# status_in STATUS SPEC...: each SPEC is a number, or `nz` (a non-zero
# exit by the program itself, 1 to 125).
status_in() {
    local status=$1 spec
    shift
    for spec in "$@"; do
        case $spec in
            nz) [ "$status" -ge 1 ] && [ "$status" -le 125 ] && return 0 ;;
            *) [ "$status" = "$spec" ] && return 0 ;;
        esac
    done
    fail "exit $status, wanted $*"
}

# no_crash FILE...: none of the words a crash report or backtrace prints.
no_crash() {
    local file
    for file in "$@"; do
        [ -f "$file" ] || continue
        if grep -aqE 'Fatal error|[Bb]acktrace|Program crashed|Current stack trace|Stack dump|💣' "$file"; then
            fail "crash text in $file: $(grep -aE 'Fatal error|[Bb]acktrace|crashed|stack' "$file" | head -1)"
            return 1
        fi
    done
}

# one_line FILE [MAX]: exactly one line, ended, at most MAX characters.
one_line() {
    local lines chars
    lines=$(wc -l <"$1")
    [ "$lines" -eq 1 ] && [ -z "$(tail -c 1 "$1")" ] \
        || { fail "$1 has $lines lines: $(head -c 200 "$1" | tr '\n' '|')"; return 1; }
    chars=$(wc -m <"$1")
    [ "$chars" -le "${2:-100000}" ] || fail "$1 is $chars characters long (at most ${2})"
}

# empty FILE: nothing written.
empty() { [ ! -s "$1" ] || fail "$1 not empty: $(head -c 200 "$1" | tr '\n' '|')"; }

# no_escapes FILE...: no ESC byte (colours, cursor movement).
no_escapes() {
    local file
    for file in "$@"; do
        ! grep -aq $'\x1b' "$file" || { fail "escape codes in $file"; return 1; }
    done
}

# no_raw_bytes FILE: no control byte but newline (tab allowed), so a name
# or content with control bytes was echoed escaped.
no_raw_bytes() {
    ! LC_ALL=C grep -aq '[^[:print:][:space:]]' "$1" && ! LC_ALL=C tr -d '\n\t' <"$1" | grep -aq $'[\x01-\x1f]' \
        || fail "raw control bytes in $1: $(od -c "$1" | head -3 | tr '\n' ' ')"
}

# rows REPORT: the number of data rows (lines starting with a UTC time:
# a quoted newline inside a field does not count as a row).
rows() {
    if [ -f "$1" ]; then grep -acE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z,' "$1"; else echo 0; fi
}

# want_rows REPORT MIN [MAX]
want_rows() {
    local n
    n=$(rows "$1")
    [ "$n" -ge "$2" ] && [ "$n" -le "${3:-$2}" ] || fail "$1 has $n rows, wanted $2..${3:-$2}"
}

# progress OUT: the runs the sweep said finished ("[k/N] ...: result").
progress() { grep -acE '^\[[0-9]+/[0-9]+\] .*: ' "$1"; }

# kept REPORT OUT: every run the sweep said finished is in the report; one
# more row is allowed (a stop between the append and its progress line).
kept() {
    local n p
    n=$(rows "$1") p=$(progress "$2")
    [ "$n" -ge "$p" ] && [ "$n" -le $((p + 1)) ] || fail "$1 has $n rows, the sweep said $p finished"
}

# parses REPORT: the report still reads (compare reads every row of both
# sides); a report with no rows must be just its header.
parses() {
    [ -f "$1" ] || { fail "no report $1"; return 1; }
    [ -z "$(tail -c 1 "$1")" ] || { fail "$1 ends in the middle of a line"; return 1; }
    head -n 1 "$1" | grep -q '^utc_time,host,' || { fail "$1 does not start with the header"; return 1; }
    if [ "$(rows "$1")" -eq 0 ]; then
        [ "$(wc -l <"$1")" -eq 1 ] || fail "$1 has lines but no rows"
        return
    fi
    "$bin" compare "$1" "$1" >"$case_dir/.compare.out" 2>"$case_dir/.compare.err" \
        || fail "compare $1 $1 failed: $(head -c 200 "$case_dir/.compare.err")"
}

# intact FILE: byte for byte as `keep FILE` saved it.
keep() { cp -a "$1" "$case_dir/.orig.$(basename "$1")"; }
intact() { cmp -s "$1" "$case_dir/.orig.$(basename "$1")" || fail "$1 changed"; }

# no_report FILE: nothing ran, so nothing was created.
no_report() { [ ! -e "$1" ] || fail "$1 was created"; }

# bench ARGS...: runs the binary, stdout to out, stderr to err; sets st.
bench() {
    "$bin" "$@" >out 2>err
    st=$?
}

# refused ARGS...: a one-line error, non-zero, nothing run or created.
refused() {
    bench "$@" --output r.csv
    status_in "$st" nz && one_line err 400 && no_crash out err && empty out && no_report r.csv
}

# wait_rows REPORT N PID: waits (up to 20 s) until the report has N rows
# or the process ended; the handshake before a signal.
wait_rows() {
    local i=0
    while [ "$(rows "$1")" -lt "$2" ] && kill -0 "$3" 2>/dev/null && [ $i -lt 400 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    [ "$(rows "$1")" -ge "$2" ] || fail "no $2 rows in $1 after $((i / 20)) s"
}

# wait_file FILE PID: waits until FILE exists (the sweep opened its report).
wait_file() {
    local i=0
    while [ ! -e "$1" ] && kill -0 "$2" 2>/dev/null && [ $i -lt 400 ]; do
        sleep 0.02
        i=$((i + 1))
    done
}

# start ARGS...: the binary in the background, with SIGINT and SIGQUIT at
# their defaults (a shell without job control ignores them in background
# jobs); sets pid.
start() {
    env --default-signal=INT,QUIT "$bin" "$@" >out 2>err &
    pid=$!
}

# finish: waits for the background run (at most 30 s, then kills it);
# sets st.
finish() {
    local i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
    kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "still running after 30 s"; }
    wait "$pid"
    st=$?
}

# broken_pipe: opens descriptor 7 as a pipe nobody reads (a FIFO whose
# only reader closed), so that the first write fails with EPIPE at once,
# with no race against a reader like `| true`.
broken_pipe() {
    mkfifo .pipe
    exec 8<>.pipe 7>.pipe
    exec 8<&-
}

# A finished one-row report, for commands that read one.
report() { "$bin" "${TINY2[@]}" --output "${1:-r.csv}" >/dev/null 2>&1 || fail "could not make a report"; }

# ======================================================= 1. stdio

# A run with a closed or odd descriptor: the report holds its header and
# rows only (the report never became descriptor 1 or 2).
stdio_run() {
    local redirection=$1
    eval "\"\$bin\" \"\${TINY2[@]}\" --output r.csv >out 2>err $redirection"
    st=$?
    status_in "$st" 0 && want_rows r.csv 2 && parses r.csv && [ "$(wc -l <r.csv)" -eq 3 ] || fail "r.csv: $(wc -l <r.csv) lines"
}

stdio_full_stdout() {
    "$bin" "${TINY3[@]}" --output r.csv >/dev/full 2>err
    st=$?
    status_in "$st" 141 nz && no_crash err && parses r.csv
}

stdio_full_both() {
    "$bin" "${TINY3[@]}" --output r.csv >/dev/full 2>/dev/full
    st=$?
    status_in "$st" 141 nz && parses r.csv
}

stdio_readonly_stdout() {
    "$bin" "${TINY3[@]}" --output r.csv 1</dev/null 2>err
    st=$?
    status_in "$st" 141 nz && no_crash err && parses r.csv
}

stdio_directory_stdout() {
    "$bin" "${TINY3[@]}" --output r.csv 1<. 2>err
    st=$?
    status_in "$st" 141 nz && no_crash err && parses r.csv
}

stdio_run_broken_pipe() {
    broken_pipe
    "$bin" "${TINY3[@]}" --output r.csv >&7 2>err
    st=$?
    status_in "$st" 141 && no_crash err && { [ ! -e r.csv ] || parses r.csv; }
}

# A reader that stops after the sweep's first progress line: the sweep
# stops at its next line (141), every finished row kept.
stdio_run_reader_leaves() {
    "$bin" "${LONG[@]}" --output r.csv 2>err | head -n 6 >out
    st=${PIPESTATUS[0]}
    status_in "$st" 141 && no_crash err && parses r.csv && want_rows r.csv 1 199
}

stdio_bad_input_full_stderr() {
    "$bin" run --design nope --output r.csv >out 2>/dev/full
    st=$?
    status_in "$st" nz && no_report r.csv && empty out
}

stdio_bad_input_broken_stderr() {
    broken_pipe
    "$bin" run --design nope --output r.csv >out 2>&7
    st=$?
    is_crash_status "$st" && fail "crash status $st"
    [ "$st" -ne 0 ] || fail "exit 0"
    no_report r.csv
}

stdio_missing_file_full_stderr() {
    "$bin" compare nowhere.csv nowhere.csv >out 2>/dev/full
    st=$?
    status_in "$st" nz && empty out
}

# cmd_full ARGS...: output to a full device is a failure, not a success.
cmd_full() {
    "$bin" "$@" >/dev/full 2>err
    st=$?
    status_in "$st" 141 nz && no_crash err
}

# cmd_broken ARGS...: output to a pipe nobody reads ends like SIGPIPE.
cmd_broken() {
    broken_pipe
    "$bin" "$@" >&7 2>err
    st=$?
    status_in "$st" 141 && no_crash err
}

# cmd_closed REDIRECTION ARGS...: closed descriptors get /dev/null; the
# command succeeds.
cmd_closed() {
    local redirection=$1
    shift
    eval "\"\$bin\" \"\$@\" $redirection"
    st=$?
    status_in "$st" 0
}

with_report() { report r.csv && keep r.csv && "$@" && intact r.csv; }
with_plan() {
    report r.csv && "$bin" "${TINY2[@]}" --plan >plan.txt 2>/dev/null && "$@"
}

stdio_cases() {
    local c=stdio
    check $c "run >&- (sample)" stdio_run '>&-'
    check $c "run 2>&- (sample)" stdio_run '2>&-'
    check $c "run <&- (sample)" stdio_run '<&-'
    check $c "run >/dev/full (sample)" stdio_full_stdout
    check $c "run <&- >&-" stdio_run '<&- >&-'
    check $c "run <&- 2>&-" stdio_run '<&- 2>&-'
    check $c "run >&- 2>&-" stdio_run '>&- 2>&-'
    check $c "run <&- >&- 2>&-" stdio_run '<&- >&- 2>&-'
    check $c "run 2>/dev/full" stdio_run '2>/dev/full'
    check $c "run >&- 2>/dev/full" stdio_run '>&- 2>/dev/full'
    check $c "run >/dev/full 2>/dev/full" stdio_full_both
    check $c "run, stdout opened read-only" stdio_readonly_stdout
    check $c "run, stdout a directory" stdio_directory_stdout
    check $c "run, stdout a pipe nobody reads" stdio_run_broken_pipe
    check $c "run | head -n 6: stops, rows kept" stdio_run_reader_leaves
    check $c "bad option, stderr /dev/full" stdio_bad_input_full_stderr
    check $c "bad option, stderr a pipe nobody reads" stdio_bad_input_broken_stderr
    check $c "compare missing, stderr /dev/full" stdio_missing_file_full_stderr
    check $c "run --plan >/dev/full" cmd_full "${TINY[@]}" --plan
    check $c "run --plan to a closed pipe" cmd_broken "${TINY[@]}" --plan
    check $c "list >/dev/full" cmd_full list
    check $c "list to a closed pipe" cmd_broken list
    check $c "list >&- 2>&- <&-" cmd_closed '>&- 2>&- <&-' list
    check $c "schema >/dev/full" cmd_full schema
    check $c "schema to a closed pipe" cmd_broken schema
    check $c "schema <&- >&-" cmd_closed '<&- >&-' schema
    check $c "topology >/dev/full" cmd_full topology
    check $c "topology --json >/dev/full" cmd_full topology --json
    check $c "topology --json to a closed pipe" cmd_broken topology --json
    check $c "topology >&- 2>&-" cmd_closed '>&- 2>&-' topology
    check $c "compare >/dev/full" with_report cmd_full compare r.csv r.csv
    check $c "compare to a closed pipe" with_report cmd_broken compare r.csv r.csv
    check $c "compare >&- 2>&- <&-" with_report cmd_closed '>&- 2>&- <&-' compare r.csv r.csv
    check $c "plot >/dev/full" with_report cmd_full plot r.csv
    check $c "plot >&-" with_report cmd_closed '>&-' plot r.csv
    check $c "validate >/dev/full" cmd_full validate --design rwlock --seconds 0.05
    check $c "validate <&- >&- 2>&-" cmd_closed '<&- >&- 2>&-' validate --design rwlock --seconds 0.05
    check $c "check-placement >/dev/full" with_plan cmd_full check-placement --plan plan.txt r.csv
    check $c "check-placement to a closed pipe" with_plan cmd_broken check-placement --plan plan.txt r.csv
    check $c "check-placement >&- 2>&-" with_plan cmd_closed '>&- 2>&-' check-placement --plan plan.txt r.csv
    check $c "--help >/dev/full" cmd_full --help
    check $c "run --help to a closed pipe" cmd_broken run --help
}

# =================================================== 2. histograms

# hist_refused ARGS...: an unusable folder is one line before the first
# run: no report, no progress.
hist_refused() {
    bench "${TINY2[@]}" --output r.csv "$@"
    status_in "$st" nz && one_line err 400 && no_crash out err && no_report r.csv \
        && [ "$(progress out)" -eq 0 ] || fail "ran: $(progress out) runs"
}

# hist_files FOLDER N: N rows' send and e2e files, no temporary or probe
# file left.
hist_files() {
    local send e2e
    # One character per file: a folder name may hold a newline.
    send=$(find "$1/" -maxdepth 1 -name '*.send.hgrm' -printf x | wc -c)
    e2e=$(find "$1/" -maxdepth 1 -name '*.e2e.hgrm' -printf x | wc -c)
    [ "$send" -eq "$2" ] && [ "$e2e" -eq "$2" ] || { fail "$1: $send send and $e2e e2e files, wanted $2"; return 1; }
    [ -z "$(find "$1/" -maxdepth 1 \( -name '*.hgrm.tmp' -o -name '.evtchn-bench-probe*' \))" ] \
        || fail "temporary files left in $1"
}

# hist_ok FOLDER [ARGS...]: two rows, four files, report readable.
hist_ok() {
    local folder=$1
    shift
    bench "${TINY2[@]}" --output r.csv --histograms "$folder" "$@"
    status_in "$st" 0 && no_crash out err && want_rows r.csv 2 && parses r.csv && hist_files "$folder" 2
}

# hist_either FOLDER: root may write where others may not (a read-only
# or non-searchable folder): refused in one line, or every file written.
hist_either() {
    bench "${TINY2[@]}" --output r.csv --histograms "$1"
    no_crash out err || return 1
    if [ "$st" -eq 0 ]; then
        want_rows r.csv 2 && parses r.csv && hist_files "$1" 2
    else
        status_in "$st" nz && one_line err 400 && no_report r.csv
    fi
}

hist_readonly() { mkdir h && chmod 555 h && hist_either h; }
hist_no_search() { mkdir h && chmod 666 h && hist_either h; }
hist_no_permissions() { mkdir h && chmod 000 h && hist_either h; }
hist_file() { echo data >h && keep h && hist_refused --histograms h && intact h; }
hist_under_file() { echo data >f && keep f && hist_refused --histograms f/h && intact f; }
hist_two_missing() { hist_refused --histograms a/b/c && [ ! -e a ] || fail "a created"; }
hist_one_missing() { hist_ok new; }
hist_loop() { ln -s loop loop && hist_refused --histograms loop; }
hist_dangling() {
    ln -s nowhere h
    bench "${TINY2[@]}" --output r.csv --histograms h
    no_crash out err || return 1
    if [ "$st" -eq 0 ]; then hist_files h 2 && parses r.csv; else one_line err 400 && no_report r.csv; fi
}
hist_link_folder() { mkdir target && ln -s target h && hist_ok h && hist_files target 2; }
hist_link_proc() { ln -s /proc h && hist_refused --histograms h; }
hist_fifo() { mkfifo h && hist_refused --histograms h; }
hist_devnull() { hist_refused --histograms /dev/null; }
hist_empty() { hist_refused --histograms ''; }
hist_output_is_folder() {
    mkdir h
    bench "${TINY2[@]}" --output h --histograms h
    status_in "$st" nz && one_line err 400 && [ -z "$(ls -A h)" ] || fail "h not empty"
}

hist_leftover_tmp() {
    mkdir h
    echo partial >h/r-old.send.hgrm.tmp
    echo probe >h/.evtchn-bench-probe-20260101T000000Z-p1.tmp
    keep h/r-old.send.hgrm.tmp
    keep h/.evtchn-bench-probe-20260101T000000Z-p1.tmp
    bench "${TINY2[@]}" --output r.csv --histograms h
    status_in "$st" 0 && want_rows r.csv 2 && intact h/r-old.send.hgrm.tmp \
        && intact h/.evtchn-bench-probe-20260101T000000Z-p1.tmp \
        && [ "$(find h -name '*.send.hgrm' | wc -l)" -eq 2 ] || fail "wrong number of files"
}

hist_twice() {
    bench "${TINY2[@]}" --output r.csv --histograms h && bench "${TINY2[@]}" --output r.csv --histograms h
    status_in "$st" 0 && want_rows r.csv 4 && parses r.csv && hist_files h 4
}

hist_concurrent() {
    "$bin" "${TINY3[@]}" --output r.csv --histograms h >out1 2>err1 &
    local first=$!
    "$bin" "${TINY3[@]}" --output r.csv --histograms h >out2 2>err2
    local second=$?
    wait $first
    status_in "$?" 0 && status_in "$second" 0 && want_rows r.csv 6 && parses r.csv && hist_files h 6
}

hist_spaces() { hist_ok 'my histograms  here'; }
hist_newline() {
    local folder=$'h\nx'
    bench "${TINY2[@]}" --output r.csv --histograms "$folder"
    no_crash out err || return 1
    if [ "$st" -eq 0 ]; then want_rows r.csv 2 && parses r.csv && hist_files "$folder" 2
    else one_line err 400 && no_report r.csv; fi
}
hist_csv_chars() { hist_ok 'h,"q"'; }
hist_dash() { mkdir -- -h && hist_ok ./-h && bench "${TINY[@]}" --output r2.csv --histograms=-h && status_in "$st" 0; }
hist_dot() { hist_ok .; }
hist_trailing_slash() { mkdir h && hist_ok h/; }
hist_proc() { hist_refused --histograms /proc; }
hist_proc_self() { hist_refused --histograms /proc/self; }
hist_sys() { hist_refused --histograms /sys/kernel; }

hist_plan() {
    bench "${TINY2[@]}" --plan --output r.csv --histograms new
    status_in "$st" 0 && [ ! -e new ] || fail "--plan created the folder"
}

hist_relocate() {
    bench run --design rwlock --scenario relocate --strategy quiesce --senders 1 --vcpus 1 --duration 0.02 \
        --warmup 0 --reps 2 --output r.csv --histograms h
    status_in "$st" 0 && hist_files h 2 && [ "$(find h -name '*.stall.hgrm' | wc -l)" -eq 2 ] || fail "no stall files"
}

# A report name so long that the histogram file names exceed NAME_MAX:
# the first row goes in without its files, then the sweep stops in one line.
hist_name_too_long() {
    local name
    name=$(printf 'r%.0s' $(seq 1 220)).csv
    bench "${TINY3[@]}" --output "$name" --histograms h
    status_in "$st" nz && one_line err 400 && no_crash out err && parses "$name" && kept "$name" out \
        && want_rows "$name" 1
}

# The folder vanishes (or becomes a file) midway: finished rows stay.
hist_removed_midway() {
    start "${LONG[@]}" --output r.csv --histograms h
    wait_rows r.csv 1 "$pid"
    rm -rf h
    [ "${1:-}" = file ] && echo x >h
    finish
    status_in "$st" nz && one_line err 400 && no_crash out err && parses r.csv && kept r.csv out
}

hist_interrupted() {
    start "${LONG[@]}" --output r.csv --histograms h
    wait_rows r.csv 2 "$pid"
    kill -INT "$pid"
    finish
    status_in "$st" 130 && parses r.csv && kept r.csv out && hist_files h "$(rows r.csv)"
}

histograms_cases() {
    local c=histograms
    check $c "read-only folder" hist_readonly
    check $c "/proc" hist_proc
    check $c "/proc/self" hist_proc_self
    check $c "/sys/kernel" hist_sys
    check $c "a file instead of a folder" hist_file
    check $c "a folder under a file" hist_under_file
    check $c "two missing levels" hist_two_missing
    check $c "one missing level is created" hist_one_missing
    check $c "leftover .tmp files untouched" hist_leftover_tmp
    check $c "symlink loop" hist_loop
    check $c "dangling link" hist_dangling
    check $c "link to a folder" hist_link_folder
    check $c "link to /proc" hist_link_proc
    check $c "FIFO" hist_fifo
    check $c "/dev/null" hist_devnull
    check $c "empty path" hist_empty
    check $c "--output is the histogram folder" hist_output_is_folder
    check $c "folder without execute permission" hist_no_search
    check $c "folder mode 000" hist_no_permissions
    check $c "two runs on one report: unique names" hist_twice
    check $c "two concurrent runs" hist_concurrent
    check $c "path with spaces" hist_spaces
    check $c "path with a newline" hist_newline
    check $c "path with comma and quotes" hist_csv_chars
    check $c "folder named -h" hist_dash
    check $c "folder ." hist_dot
    check $c "trailing slash" hist_trailing_slash
    check $c "--plan creates nothing" hist_plan
    check $c "relocate writes stall files" hist_relocate
    check $c "file names over NAME_MAX: row kept, one line" hist_name_too_long
    check $c "folder removed midway: rows kept" hist_removed_midway
    check $c "folder replaced by a file midway" hist_removed_midway file
    check $c "SIGINT: every row has its files" hist_interrupted
}

# ============================================ 6. environment, terminal

# env_run ENV...: a tiny run under `env ENV...`; its rows, no escapes.
env_run() {
    env "$@" "$bin" "${TINY2[@]}" --output r.csv >out 2>err
    st=$?
    status_in "$st" 0 && no_escapes out err && want_rows r.csv 2 && parses r.csv
}

# on_terminal ENV...: the run's output through a pseudo-terminal (script).
on_terminal() {
    local command
    command=$(printf '%q ' env "$@" "$bin" "${TINY3[@]}" --output r.csv)
    script -qec "$command" /dev/null >tty.out 2>&1 </dev/null
    st=$?
    status_in "$st" 0 && want_rows r.csv 3 && parses r.csv
}
tty_no_escapes() { on_terminal "$@" && no_escapes tty.out; }
# The control: a terminal that takes escapes gets its line rewritten, so
# the cases above would see escapes if they were sent.
tty_escapes() { on_terminal "$@" && grep -aq $'\x1b' tty.out || fail "no escape codes on an xterm"; }

env_results_file() {
    echo "not a folder" >results
    keep results
    "$bin" "${TINY[@]}" >out 2>err
    st=$?
    status_in "$st" nz && one_line err 400 && intact results && ! grep -q 'does not exist' err \
        || fail "says: $(cat err)"
}

env_results_dangling() {
    ln -s nowhere results
    "$bin" "${TINY[@]}" >out 2>err
    st=$?
    no_crash out err || return 1
    if [ "$st" -eq 0 ]; then want_rows nowhere/*.csv 1; else one_line err 400; fi
}

env_results_link() {
    mkdir target && ln -s target results
    "$bin" "${TINY[@]}" >out 2>err
    st=$?
    status_in "$st" 0 && [ "$(find target -name '*.csv' | wc -l)" -eq 1 ] || fail "no report in target"
}

long_name() { printf '%s/' $(for _ in $(seq 1 16); do printf 'd%.0s' $(seq 1 250); echo; done); }

# long_path ARGS...: the error names a 4 KB path in one short line.
env_long_output() { bench "${TINY[@]}" --output "$(long_name)r.csv"; status_in "$st" nz && one_line err 240; }
env_long_compare() { bench compare "$(long_name)r.csv" "$(long_name)r.csv"; status_in "$st" nz && one_line err 240; }
env_long_histograms() {
    bench "${TINY[@]}" --output r.csv --histograms "$(long_name)h"
    status_in "$st" nz && one_line err 240 && no_report r.csv
}
env_long_plot() { bench plot "$(long_name)r.csv"; status_in "$st" nz && one_line err 240; }
env_long_design() {
    bench "${TINY[@]}" --output r.csv --design "$(printf 'x%.0s' $(seq 1 4000))"
    status_in "$st" nz && one_line err 400 && no_report r.csv
}
env_long_plan() {
    bench "${TINY[@]}" --plan --topology "$(long_name)machine.xml"
    status_in "$st" nz && one_line err 240
}

# ctl_name NAME: an error about a file whose name holds control bytes
# shows them escaped, in one line.
env_ctl_output() { bench "${TINY[@]}" --output "$1"; status_in "$st" nz && one_line err 400 && no_raw_bytes err; }
env_ctl_compare() { bench compare "$1" "$1"; status_in "$st" nz && one_line err 400 && no_raw_bytes err; }

# A report whose content holds NUL or escape bytes: refused in one line
# that does not echo them raw, and the file untouched.
env_ctl_content() {
    printf "$1" >bad.csv
    keep bad.csv
    bench compare bad.csv bad.csv
    status_in "$st" nz && one_line err 400 && no_raw_bytes err && intact bad.csv || return 1
    bench "${TINY[@]}" --output bad.csv
    status_in "$st" nz && one_line err 400 && no_raw_bytes err && intact bad.csv
}

env_deleted_cwd() {
    mkdir gone && cd gone && rmdir ../gone
    "$bin" "${TINY[@]}" >../out 2>../err
    st=$?
    cd .. && status_in "$st" nz && one_line err 400 && no_crash out err
}

env_readonly_cwd() {
    mkdir ro && chmod 555 ro && cd ro
    "$bin" "${TINY[@]}" >../out 2>../err
    st=$?
    cd .. || return 1
    no_crash out err || return 1
    if [ "$st" -eq 0 ]; then want_rows ro/results/*.csv 1; else one_line err 400; fi
}

# Without gnuplot, plot writes its script and says how to draw it (exit 0).
env_no_path_plot() {
    report r.csv || return 1
    env PATH= "$bin" plot r.csv >out 2>err
    st=$?
    status_in "$st" 0 && empty err && [ -s r.gp ] && grep -q 'gnuplot' out || fail "no script, or not said"
}

env_tmpdir_plot() {
    report r.csv || return 1
    env TMPDIR="$1" "$bin" plot r.csv >out 2>err
    st=$?
    no_crash out err || return 1
    [ "$st" -eq 0 ] || one_line err 400
}

env_bad_utf8_design() { refused "${TINY[@]}" --design $'\xff\xfe'; }
env_bad_utf8_compare() { bench compare $'\xff.csv' $'\xff.csv'; status_in "$st" nz && one_line err 400; }

env_locale_numbers() {
    env_run LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 LC_NUMERIC=de_DE.UTF-8 \
        && grep -q ',0\.020,' r.csv || fail "duration_s not 0.020"
}

env_tz() {
    env_run TZ='Nowhere/Garbage-99' && [ "$(rows r.csv)" -eq 2 ] || fail "utc_time not in UTC form"
}

# A umask that leaves the new report no permission at all: the run works,
# or refuses in one line and leaves no file behind (a leftover empty file
# without a header, mode 000, would be refused by every later run).
env_umask() {
    umask 0777
    "$bin" "${TINY2[@]}" --output r.csv >out 2>err
    st=$?
    umask 022
    no_crash out err || return 1
    if [ "$st" -eq 0 ]; then want_rows r.csv 2 && parses r.csv; else one_line err 400 && no_report r.csv; fi
}

env_help_columns() {
    env COLUMNS=abc LINES=-1 "$bin" run --help >out 2>err
    st=$?
    status_in "$st" 0 && empty err && grep -q -- '--output' out || fail "help lacks --output"
}

env_cases() {
    local c=env
    check $c "TERM=dumb on a terminal" tty_no_escapes TERM=dumb
    check $c "TERM unset on a terminal" tty_no_escapes -u TERM
    check $c "TERM empty on a terminal" tty_no_escapes TERM=
    check $c "NO_COLOR=1 on a terminal" tty_no_escapes TERM=xterm NO_COLOR=1
    check $c "xterm terminal gets escapes (control)" tty_escapes -u NO_COLOR TERM=xterm
    check $c "TERM=dumb, not a terminal" env_run TERM=dumb
    check $c "TERM unset, not a terminal" env_run -u TERM
    check $c "NO_COLOR set, not a terminal" env_run NO_COLOR=1
    check $c "TERM=xterm, stderr not a terminal" env_run TERM=xterm-256color
    check $c "HOME unset" env_run -u HOME
    check $c "HOME a file" env_run HOME=/etc/passwd
    check $c "LANG and LC_ALL unknown" env_run LANG=xx_YY.bogus LC_ALL=zz_ZZ@nowhere
    check $c "LC_ALL=C" env_run LC_ALL=C
    check $c "German numbers (decimal comma)" env_locale_numbers
    check $c "TMPDIR missing" env_run TMPDIR=/nonexistent/tmp
    check $c "TMPDIR a file" env_run TMPDIR=/etc/passwd
    check $c "TZ garbage" env_tz
    check $c "umask 0777" env_umask
    check $c "empty environment" env_run -i
    check $c "COLUMNS=abc for help" env_help_columns
    check $c "results is a file" env_results_file
    check $c "results a dangling link" env_results_dangling
    check $c "results a link to a folder" env_results_link
    check $c "4 KB --output path" env_long_output
    check $c "4 KB compare path" env_long_compare
    check $c "4 KB --histograms path" env_long_histograms
    check $c "4 KB plot path" env_long_plot
    check $c "4 KB --topology path" env_long_plan
    check $c "4 KB design name" env_long_design
    check $c "control byte in --output name" env_ctl_output $'nofolder/a\x01b.csv'
    check $c "escape in --output name" env_ctl_output $'nofolder/\x1b[31mred.csv'
    check $c "newline in compare name" env_ctl_compare $'no\nsuch.csv'
    check $c "escape in compare name" env_ctl_compare $'\x1b]0;title\x07.csv'
    check $c "NUL bytes in a report" env_ctl_content 'utc_time,host\n\0\0\0,x\n'
    check $c "escape bytes in a report" env_ctl_content '\033[31mutc_time,host\n\033[2J,x\n'
    check $c "invalid UTF-8 design" env_bad_utf8_design
    check $c "invalid UTF-8 file name" env_bad_utf8_compare
    check $c "deleted working folder" env_deleted_cwd
    check $c "read-only working folder" env_readonly_cwd
    check $c "PATH empty: plot" env_no_path_plot
    check $c "TMPDIR missing: plot" env_tmpdir_plot /nonexistent/tmp
}

# ============================================================ 7. signals

# sig_midrun SIGNAL STATUS [ROWS]: the signal after ROWS rows (default 1)
# ends the sweep with STATUS, every finished row kept, no backtrace.
sig_midrun() {
    start "${LONG[@]}" --output r.csv
    wait_rows r.csv "${3:-1}" "$pid" || return 1
    kill -s "$1" "$pid"
    finish
    status_in "$st" "$2" && no_crash out err && parses r.csv && kept r.csv out
}

# sig_killed SIGNAL STATUS: a signal the program leaves at its default
# kills it; the rows written before stay whole.
sig_killed() {
    start "${LONG[@]}" --output r.csv
    wait_rows r.csv 1 "$pid" || return 1
    kill -s "$1" "$pid"
    finish
    status_in "$st" "$2" && no_crash out err && parses r.csv && want_rows r.csv 1 199
}

# sig_harmless SIGNAL: a signal ignored by default, sent over and over,
# changes nothing: every row is there and the exit is 0.
sig_harmless() {
    start "${TINY3[@]}" --output r.csv
    while kill -s "$1" "$pid" 2>/dev/null; do sleep 0.005; done
    finish
    status_in "$st" 0 && want_rows r.csv 3 && parses r.csv
}

# Stopped and continued midway: the sweep finishes.
sig_stop_cont() {
    start "${TINY3[@]}" --output r.csv
    wait_file r.csv "$pid"
    kill -s "$1" "$pid" 2>/dev/null
    sleep 0.2
    kill -CONT "$pid" 2>/dev/null
    finish
    status_in "$st" 0 && want_rows r.csv 3 && parses r.csv
}

# At the sweep's start: as soon as the report exists (header only).
sig_at_start() {
    start "${LONG[@]}" --output r.csv
    wait_file r.csv "$pid"
    kill -s "$1" "$pid"
    finish
    status_in "$st" "$2" && no_crash out err && parses r.csv && kept r.csv out
}

# Before the program could install anything: killed or stopped, 128+n
# either way, nothing half-written.
sig_at_once() {
    start "${LONG[@]}" --output r.csv
    kill -s "$1" "$pid"
    finish
    status_in "$st" "$2" && no_crash out err && { [ ! -e r.csv ] || parses r.csv; }
}

# Two signals in a row: the second kills if the first did not end it yet.
sig_twice() {
    start "${LONG[@]}" --output r.csv
    wait_rows r.csv 1 "$pid" || return 1
    kill -s "$1" "$pid"
    kill -s "$2" "$pid" 2>/dev/null
    finish
    shift 2
    status_in "$st" "$@" && no_crash out err && parses r.csv && want_rows r.csv 1 199
}

# A parent that ignored or blocked the signal: the run still stops cleanly.
sig_parent() {
    env "$1" --default-signal=INT,QUIT "$bin" "${LONG[@]}" --output r.csv >out 2>err &
    pid=$!
    wait_rows r.csv 1 "$pid" || return 1
    kill -s "$2" "$pid"
    finish
    status_in "$st" "$3" && no_crash out err && parses r.csv && kept r.csv out
}

# A stop while the finished row waits for the report's lock (held by
# another writer): the row still goes in once the lock is free.
sig_waiting_for_lock() {
    start "${LONG[@]}" --output r.csv
    wait_rows r.csv 2 "$pid" || return 1
    flock r.csv sleep 1 &
    local holder=$!
    local i=0
    while [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" != locks_lock_inode_wait ] && [ $i -lt 200 ]; do
        sleep 0.01
        i=$((i + 1))
    done
    kill -INT "$pid"
    finish
    wait $holder
    status_in "$st" 130 && parses r.csv && kept r.csv out
}

sig_process_group() {
    setsid env --default-signal=INT,QUIT "$bin" "${LONG[@]}" --output r.csv >out 2>err &
    pid=$!
    wait_rows r.csv 1 "$pid" || return 1
    kill -INT -- "-$pid"
    finish
    status_in "$st" 130 && no_crash out err && parses r.csv && kept r.csv out
}

sig_backtrace_env() {
    env SWIFT_BACKTRACE=enable=yes,interactive=no --default-signal=INT,QUIT "$bin" "${LONG[@]}" --output r.csv \
        >out 2>err &
    pid=$!
    wait_rows r.csv 1 "$pid" || return 1
    kill -QUIT "$pid"
    finish
    status_in "$st" 131 && no_crash out err && parses r.csv && kept r.csv out
}

# sig_scenario SIGNAL STATUS OPTIONS...: the stop reaches every kind of
# run (halted vCPUs, open loop, relocation, polling) without hanging.
sig_scenario() {
    local signal=$1 status=$2
    shift 2
    start run --design rwlock --senders 1 --vcpus 1 --duration 0.05 --warmup 0 --reps 200 --output r.csv "$@"
    wait_rows r.csv 1 "$pid" || return 1
    kill -s "$signal" "$pid"
    finish
    status_in "$st" "$status" && no_crash out err && parses r.csv && kept r.csv out
}

sig_validate() {
    start validate --design rwlock --seconds 5
    sleep 0.3
    kill -TERM "$pid"
    finish
    status_in "$st" 143 && no_crash out err
}

signals_cases() {
    local c=signals
    check $c "SIGQUIT mid-run (sample)" sig_midrun QUIT 131
    check $c "SIGTERM mid-run" sig_midrun TERM 143
    check $c "SIGINT mid-run" sig_midrun INT 130
    check $c "SIGPIPE mid-run" sig_midrun PIPE 141
    check $c "SIGINT after 3 rows" sig_midrun INT 130 3
    check $c "SIGHUP kills, rows whole" sig_killed HUP 129
    check $c "SIGUSR1 kills, rows whole" sig_killed USR1 138
    check $c "SIGALRM kills, rows whole" sig_killed ALRM 142
    check $c "SIGRTMIN kills, rows whole" sig_killed RTMIN 162
    check $c "SIGKILL, rows whole" sig_killed KILL 137
    check $c "SIGINT at sweep start" sig_at_start INT 130
    check $c "SIGTERM at sweep start" sig_at_start TERM 143
    check $c "SIGQUIT at sweep start" sig_at_start QUIT 131
    check $c "SIGINT at once" sig_at_once INT 130
    check $c "SIGTERM at once" sig_at_once TERM 143
    check $c "SIGINT twice" sig_twice INT INT 130
    check $c "SIGINT then SIGTERM" sig_twice INT TERM 130 143
    check $c "SIGTERM twice" sig_twice TERM TERM 143
    check $c "SIGQUIT twice" sig_twice QUIT QUIT 131
    check $c "SIGINT ignored by the parent" sig_parent --ignore-signal=INT INT 130
    check $c "SIGTERM ignored by the parent" sig_parent --ignore-signal=TERM TERM 143
    check $c "signals blocked by the parent: SIGTERM" sig_parent --block-signal=INT,TERM,QUIT,PIPE TERM 143
    check $c "signals blocked by the parent: SIGQUIT" sig_parent --block-signal=INT,TERM,QUIT,PIPE QUIT 131
    check $c "SIGPIPE ignored by the parent" sig_parent --ignore-signal=PIPE PIPE 141
    check $c "SIGSTOP then SIGCONT" sig_stop_cont STOP
    check $c "SIGTSTP then SIGCONT" sig_stop_cont TSTP
    check $c "SIGWINCH storm" sig_harmless WINCH
    check $c "SIGCHLD storm" sig_harmless CHLD
    check $c "SIGURG storm" sig_harmless URG
    check $c "SIGINT while waiting for the report lock" sig_waiting_for_lock
    check $c "SIGINT to the process group" sig_process_group
    check $c "SIGQUIT with SWIFT_BACKTRACE on" sig_backtrace_env
    check $c "SIGINT, halted vCPUs" sig_scenario INT 130 --scenario ipi --vcpu-mode halt
    check $c "SIGTERM, open loop" sig_scenario TERM 143 --scenario ipi --load open --rate 1000
    check $c "SIGINT, relocation" sig_scenario INT 130 --scenario relocate --strategy quiesce
    check $c "SIGQUIT, poll scenario" sig_scenario QUIT 131 --scenario poll
    check $c "SIGTERM, shinfo-move" sig_scenario TERM 143 --scenario shinfo-move
    check $c "SIGINT, not interleaved" sig_scenario INT 130 --scenario ipi --no-interleave
    check $c "SIGTERM during validate" sig_validate
}

# ================================================== 8. memory placement

# truthful REPORT: every row's mem_placement agrees with its page_node:
# as-asked only where the page is on the node asked for; interleave rows
# say interleave; the value is one of the documented ones.
truthful() {
    awk -v file="$1" '
        # Splits a CSV line into f[1..n], honouring quotes.
        function split_csv(line, f,    n, i, c, field, quoted) {
            n = 0; field = ""; quoted = 0
            for (i = 1; i <= length(line); i++) {
                c = substr(line, i, 1)
                if (quoted) {
                    if (c == "\"" && substr(line, i + 1, 1) == "\"") { field = field c; i++ }
                    else if (c == "\"") quoted = 0
                    else field = field c
                } else if (c == "\"") quoted = 1
                else if (c == ",") { f[++n] = field; field = "" }
                else field = field c
            }
            f[++n] = field
            return n
        }
        NR == 1 { split_csv($0, h); for (i in h) col[h[i]] = i; next }
        /^[0-9][0-9][0-9][0-9]-/ {
            split_csv($0, f)
            asked = f[col["mem_node"]]; page = f[col["page_node"]]; said = f[col["mem_placement"]]
            rows++
            if (said !~ /^(as-asked|failed|unknown|interleave|local)$/) bad = bad " row " rows ": mem_placement=" said
            if (said == "as-asked" && (asked !~ /^[0-9]+$/ || page != asked))
                bad = bad " row " rows ": as-asked with mem_node=" asked " page_node=" page
            if (asked == "interleave" && said != "interleave") bad = bad " row " rows ": interleave said " said
            if (asked ~ /^[0-9]+$/ && page ~ /^[0-9]+$/ && page != asked && said == "as-asked")
                bad = bad " row " rows ": page elsewhere"
        }
        END {
            if (rows == 0) { print file ": no rows"; exit 1 }
            if (bad != "") { print file ":" bad; exit 1 }
        }' "$1" >.truth 2>&1 || fail "$(cat .truth)"
}

# mem_ok VALUE [OPTIONS...]: accepted; every row truthful.
mem_ok() {
    local value=$1
    shift
    bench "${TINY2[@]}" --output r.csv --mem-node "$value" "$@"
    mem_truthful
}
mem_truthful() { status_in "$st" 0 && no_crash out err && want_rows r.csv 2 && parses r.csv && truthful r.csv; }
mem_unpinned() { bench "${UNPINNED[@]}" --output r.csv --mem-node "$1" && mem_truthful; }

# mem_refused VALUE: one line before anything runs; the default output
# folder is not even created.
mem_refused() {
    bench "${TINY[@]}" "--mem-node=$1"
    status_in "$st" nz && one_line err 400 && no_crash out err && empty out && [ ! -e results ] \
        || fail "results/ created"
}

# mem_either VALUE: refused in one line, or accepted and truthful.
mem_either() {
    bench "${TINY2[@]}" --output r.csv "--mem-node=$1"
    no_crash out err || return 1
    if [ "$st" -eq 0 ]; then want_rows r.csv 2 && truthful r.csv; else one_line err 400 && no_report r.csv; fi
}

mem_repeated() {
    bench "${TINY2[@]}" --output r.csv --mem-node 0 --mem-node 5
    no_crash out err || return 1
    if [ "$st" -eq 0 ]; then want_rows r.csv 2 && truthful r.csv; else one_line err 400 && no_report r.csv; fi
}

mem_plan_refused() { refused "${TINY[@]}" --plan --mem-node 5; }

# With a synthetic two-node machine, node 1 is a fine plan, and no run.
mem_plan_other() {
    bench "${TINY[@]}" --plan --mem-node 1 --topology 'synthetic:pack:1 numa:2 core:2 pu:1'
    status_in "$st" 0 && empty err && no_report r.csv
}
mem_other_machine_run() { refused "${TINY[@]}" --mem-node 1 --topology 'synthetic:pack:1 numa:2 core:2 pu:1'; }
mem_with_bad_design() { refused "${TINY[@]}" --mem-node 5 --design nope; }
mem_missing_value() {
    bench "${TINY[@]}" --output r.csv --mem-node
    status_in "$st" nz && one_line err 400 && no_report r.csv
}

# Every row of a report with rows asked for node 0, local and interleave.
mem_all_kinds() {
    local value
    for value in 0 local interleave; do
        "$bin" "${TINY[@]}" --output r.csv --mem-node "$value" >/dev/null 2>err || { fail "$value: $(cat err)"; return 1; }
    done
    want_rows r.csv 3 && parses r.csv && truthful r.csv
}

mem_cases() {
    local c=mem
    check $c "--mem-node 5 (sample)" mem_refused 5
    check $c "--mem-node -1 (sample)" mem_refused -1
    check $c "interleave (sample)" mem_ok interleave
    check $c "local (sample)" mem_ok local
    check $c "0" mem_ok 0
    check $c "00" mem_either 00
    check $c "-0" mem_either -0
    check $c "1 (one node here)" mem_refused 1
    check $c "64" mem_refused 64
    check $c "2^31" mem_refused 2147483648
    check $c "2^32 (no wrap to 0)" mem_refused 4294967296
    check $c "2^64 (no wrap to 0)" mem_refused 18446744073709551616
    check $c "Int.max" mem_refused 9223372036854775807
    check $c "Int.min" mem_refused -9223372036854775808
    check $c "99999999999999999999" mem_refused 99999999999999999999
    check $c "abc" mem_refused abc
    check $c "empty" mem_refused ''
    check $c "' 0'" mem_refused ' 0'
    check $c "'0 '" mem_refused '0 '
    check $c "0x0" mem_refused 0x0
    check $c "+0" mem_refused +0
    check $c "1.0" mem_refused 1.0
    check $c "0,1" mem_refused 0,1
    check $c "0-1" mem_refused 0-1
    check $c "all" mem_refused all
    check $c "LOCAL" mem_refused LOCAL
    check $c "Interleave" mem_refused Interleave
    check $c "fullwidth digit" mem_refused '０'
    check $c "newline after 0" mem_refused $'0\n'
    check $c "given twice (0, then 5)" mem_repeated
    check $c "missing value" mem_missing_value
    check $c "with a bad design: one line" mem_with_bad_design
    check $c "5 with --plan" mem_plan_refused
    check $c "1 on a 2-node synthetic plan" mem_plan_other
    check $c "1 with --topology, no --plan" mem_other_machine_run
    check $c "0 with --no-pin" mem_unpinned 0
    check $c "local with --no-pin" mem_unpinned local
    check $c "interleave, halted vCPUs" mem_ok interleave --vcpu-mode halt
    check $c "0, shinfo-move (the page moves)" mem_ok 0 --scenario shinfo-move
    check $c "local, relocate" mem_ok local --scenario relocate --strategy quiesce
    check $c "0, local, interleave in one report" mem_all_kinds
}

# ================================================================ main

echo "hostile cases: $bin"
stdio_cases
histograms_cases
env_cases
signals_cases
mem_cases

total_failed=0
echo
for class in "${classes[@]}"; do
    printf '%-11s %3d passed, %d failed\n' "$class" "${passed[$class]}" "${failed[$class]}"
    total_failed=$((total_failed + failed[$class]))
done
if [ "$total_failed" -gt 0 ]; then
    echo "$total_failed case(s) failed:"
    printf '  %s\n' "${failures[@]}"
    exit 1
fi
echo "every case passed"
