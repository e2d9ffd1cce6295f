#!/usr/bin/env bash
# check-faults.sh PROGRAM WORKDIR [--disk [ARGS...]]
#
# Faults injected into a run of PROGRAM (an experiment, or a theory check
# writing with -o); none may leave a file that looks like a complete result:
#   SIGINT, SIGTERM, SIGHUP  sent to a --full run once FILE.partial exists
#                 (or after $AIMC_FAULT_WAIT s, default 5): the program must
#                 die of the signal (status 128 + signal), remove
#                 FILE.partial and say so on stderr; FILE must not exist;
#   SIGKILL       FILE must not exist (a FILE.partial may: it cannot be
#                 cleaned up, and its name says it is not a result);
#   --disk        a --quick run (plus ARGS, e.g. a smaller problem) that runs
#                 out of room: on a full disk — a 4 KiB tmpfs mounted in a
#                 private user and mount namespace (unshare -rm; skipped
#                 where the kernel does not allow it) — and under a file size
#                 limit (ulimit -f 4 KiB).  Each must give exit status 1, a
#                 last stderr line naming the file and the reason, no FILE
#                 and no FILE.partial.
# A run that ends before its signal is reported as SKIP.
# Prints PASS/FAIL lines and "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
if [ $# -lt 2 ]; then
    echo "usage: check-faults.sh PROGRAM WORKDIR [--disk [ARGS...]]" >&2
    exit 2
fi
prog=$1
name=$(basename "$prog")
work=$2/$name
shift 2
disk=0
if [ "${1:-}" = --disk ]; then
    disk=1
    shift
fi
args=("$@")
wait_s=${AIMC_FAULT_WAIT:-5}
rm -rf "$work"
mkdir -p "$work" || exit 2
export OUTDIR="$work"
set -m # background jobs get their own process group and do not ignore SIGINT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $name $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $name $*"; }

# Start a run; wait until its partial file exists, it ends, or wait_s pass.
# Sets pid and saw_partial.
start_run() {
    local out=$1 t=0
    shift
    "$prog" "$@" -q --force -o "$out" >"$work/stdout" 2>"$work/stderr" </dev/null &
    pid=$!
    saw_partial=0
    while [ "$t" -lt $((wait_s * 20)) ]; do
        if [ -e "$out.partial" ]; then
            saw_partial=1
            return
        fi
        kill -0 "$pid" 2>/dev/null || return
        sleep 0.05
        t=$((t + 1))
    done
}

signal_case() {
    local sig=$1 num out=$work/$1.h5 st
    num=$(kill -l "$sig")
    start_run "$out" --full
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"
        echo "SKIP $name $sig: the run ended (status $?) before the signal"
        rm -f "$out" "$out.partial"
        return
    fi
    kill -s "$sig" "$pid"
    wait "$pid"
    st=$?
    local problems=""
    if [ "$sig" = KILL ]; then
        [ "$st" -eq $((128 + num)) ] || problems+="status $st, want $((128 + num)); "
        [ -e "$out" ] && problems+="$out exists; "
        [ "$problems" = "" ] && pass "SIGKILL mid-run: no result file (status $st; stale partial: $([ -e "$out.partial" ] && echo yes || echo no))"
    else
        [ "$st" -eq $((128 + num)) ] || problems+="status $st, want $((128 + num)); "
        [ -e "$out" ] && problems+="$out exists; "
        [ -e "$out.partial" ] && problems+="$out.partial left behind; "
        if [ "$saw_partial" = 1 ] && ! grep -q "stopped by SIG$sig; removed .*$sig.h5.partial" "$work/stderr"; then
            problems+="no 'stopped by SIG$sig; removed FILE.partial' line on stderr; "
        fi
        [ "$problems" = "" ] && pass "SIG$sig mid-run: status $st, partial removed$([ "$saw_partial" = 1 ] || echo ' (none seen)')"
    fi
    [ "$problems" = "" ] || fail "SIG$sig mid-run: ${problems%; }; stderr: $(tail -c 300 "$work/stderr")"
    rm -f "$out" "$out.partial"
}

for sig in INT TERM HUP KILL; do
    signal_case "$sig"
done

# judge_disk HOW OUT STATUS: the verdict on a run that ran out of room.
judge_disk() {
    local how=$1 out=$2 st=$3 last problems=""
    last=$(tail -n 1 "$work/stderr")
    [ "$st" -eq 1 ] || problems+="status $st, want 1; "
    [ -e "$out" ] && problems+="$out exists; "
    [ -e "$out.partial" ] && problems+="$out.partial left behind; "
    case $last in
    *"$out"*"File too large"* | *"$out"*"No space left"*) ;;
    *) problems+="last stderr line does not name the file and the reason; " ;;
    esac
    if [ -z "$problems" ]; then
        pass "$how: status 1, no file, says: $last"
    else
        fail "$how: ${problems%; }; stderr: $(tail -c 400 "$work/stderr")"
    fi
}

if [ "$disk" = 1 ]; then
    out=$work/disk.h5
    (
        ulimit -f 4 # KiB: less than any result file
        exec "$prog" --quick -q --force -o "$out" "${args[@]}" >"$work/stdout" 2>"$work/stderr" </dev/null
    )
    judge_disk "file size limit (ulimit -f 4)" "$out" $?

    mnt=$work/full
    mkdir -p "$mnt"
    if unshare -rm true 2>/dev/null; then
        # The tmpfs exists only inside the namespace: $mnt is an empty
        # directory again afterwards, whatever happened.
        unshare -rm sh -c 'mount -t tmpfs -o size=4k none "$1" || exit 125
            shift; out=$1; shift
            "$@" --quick -q --force -o "$out" >"$OUTDIR/stdout" 2>"$OUTDIR/stderr" </dev/null
            st=$?
            ls -A "$(dirname "$out")" >"$OUTDIR/left"
            exit $st' sh "$mnt" "$mnt/disk.h5" "$prog" "${args[@]}"
        st=$?
        if [ "$st" -eq 125 ]; then
            echo "SKIP $name full disk: cannot mount a tmpfs here"
        else
            [ -s "$work/left" ] && echo "$mnt/disk.h5 left: $(cat "$work/left")" >>"$work/stderr"
            [ -s "$work/left" ] && st=99
            judge_disk "full disk (4 KiB tmpfs)" "$mnt/disk.h5" "$st"
        fi
    else
        echo "SKIP $name full disk: no user namespaces (unshare -rm) here"
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
