#!/usr/bin/env bash
# check-corrupt-h5.sh [--xfail REGEX]... H5COLS PROGRAM WORKDIR
#
# Damaged result files must give an error, never a crash or a hang.  Makes a
# good result file with PROGRAM (--quick; the experiment template is fast),
# derives damaged copies of it, and reads each with aimc-h5cols three ways
# (a dataset as columns, --list, --attr), i.e. through the library's readers
# (aimc_h5_read, aimc_h5_read_attr_*) and HDF5's traversal:
#   - missing, empty, a directory, /dev/null, a FIFO (must not block);
#   - truncated at 1, 8, 96, 512, 2048 bytes, half, and one byte short;
#   - one byte overwritten (0xff, then 0x00) at 48 offsets spread over the file;
#   - the HDF5 signature followed by zeros, and text that is not HDF5.
# Each read must end within $AIMC_CASE_TIMEOUT s (default 10) with status 0
# (the damage missed what was read) or 2 with exactly one line on stderr;
# anything else (a signal, another status, several lines) fails.
# --xfail REGEX: a known failure outside this project's reach (matched with
# grep -E against "LABEL, HOW: PROBLEM") is shown as XFAIL and not counted;
# a pattern that matches nothing is reported, so that it gets removed once
# the cause is fixed.
# Prints PASS/FAIL lines and "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
xfail=()
while [ "${1:-}" = --xfail ]; do
    xfail+=("$2")
    shift 2
done
if [ $# -ne 3 ]; then
    echo "usage: check-corrupt-h5.sh [--xfail REGEX]... H5COLS PROGRAM WORKDIR" >&2
    exit 2
fi
h5cols=$1 prog=$2 work=$3/corrupt-h5
case_timeout=${AIMC_CASE_TIMEOUT:-10}
rm -rf "$work"
mkdir -p "$work/cases" || exit 2

passed=0 failed=0 status0=0 xfailed=0
declare -A xfail_hits=()
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() {
    local x
    for x in "${xfail[@]}"; do
        if grep -qE -- "$x" <<<"$*"; then
            xfailed=$((xfailed + 1))
            xfail_hits[$x]=1
            echo "XFAIL $* [known: $x]"
            return
        fi
    done
    failed=$((failed + 1))
    echo "FAIL $*"
}

good=$work/good.h5
if ! "$prog" --quick -q --force -o "$good" >/dev/null 2>"$work/prog.err"; then
    fail "cannot make a good file with $prog: $(head -c 300 "$work/prog.err")"
    echo "$passed passed, $failed failed"
    exit 1
fi
size=$(stat -c %s "$good")
dset=$("$h5cols" --list "$good" | awk '$2 == "dataset" { print $1; exit }')
if [ -z "$dset" ]; then
    fail "no dataset in $good"
    echo "$passed passed, $failed failed"
    exit 1
fi

# read_case LABEL FILE: the three reads of FILE.
read_case() {
    local label=$1 file=$2 how st lines problems
    for how in columns list attr; do
        case $how in
        columns) set -- "$file" "$dset" ;;
        list) set -- --list "$file" ;;
        attr) set -- --attr "$file" / program ;;
        esac
        timeout -k 2 "$case_timeout" "$h5cols" "$@" >"$work/out" 2>"$work/err" </dev/null
        st=$?
        lines=$(wc -l <"$work/err")
        problems=""
        case $st in
        0) status0=$((status0 + 1)) ;;
        2) [ "$lines" -eq 1 ] || problems="status 2 with $lines stderr lines" ;;
        124 | 137) problems="hung (no answer in ${case_timeout}s)" ;;
        *) problems="status $st$([ "$st" -gt 128 ] && echo " (killed by signal $((st - 128)))")" ;;
        esac
        if [ -z "$problems" ]; then
            pass "$label, $how: status $st"
        else
            fail "$label, $how: $problems; stderr: $(head -c 300 "$work/err" | tr '\n' ' ')"
        fi
    done
}

read_case "missing file" "$work/cases/missing.h5"
: >"$work/cases/empty.h5"
read_case "empty file" "$work/cases/empty.h5"
mkdir -p "$work/cases/dir.h5"
read_case "a directory" "$work/cases/dir.h5"
read_case "/dev/null" /dev/null
mkfifo "$work/cases/fifo.h5"
read_case "a FIFO" "$work/cases/fifo.h5"
for n in 1 8 96 512 2048 $((size / 2)) $((size - 1)); do
    head -c "$n" "$good" >"$work/cases/cut.h5"
    read_case "truncated to $n of $size bytes" "$work/cases/cut.h5"
done
for byte in ff 00; do
    for k in $(seq 0 47); do
        off=$((k * (size - 1) / 47))
        cp "$good" "$work/cases/hit.h5"
        printf "\\x$byte" | dd of="$work/cases/hit.h5" bs=1 seek="$off" conv=notrunc status=none
        read_case "byte $off set to 0x$byte" "$work/cases/hit.h5"
    done
done
{ printf '\x89HDF\r\n\x1a\n'; head -c 4096 /dev/zero; } >"$work/cases/sig.h5"
read_case "signature then zeros" "$work/cases/sig.h5"
yes 'not an HDF5 file' | head -c 4096 >"$work/cases/text.h5"
read_case "text" "$work/cases/text.h5"

echo "note: $status0 reads were unaffected by their damage (status 0); $xfailed known failures"
for x in "${xfail[@]}"; do
    [ -n "${xfail_hits[$x]:-}" ] || echo "note: --xfail '$x' matched nothing: remove it"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
