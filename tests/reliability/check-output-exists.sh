#!/usr/bin/env bash
# check-output-exists.sh WORKDIR PROGRAM...
#
# An existing result file is never overwritten without --force, and the
# refusal comes before any work (lib/prog checks -o while parsing; theory
# checks open their file only after the run, so before, they ran in full and
# only then failed).  For each PROGRAM, `PROGRAM --quick -o DIR/existing.h5`
# (no --force) must
#   - exit with status 2 and exactly one stderr line that names the file and
#     says --force;
#   - print nothing on stdout (every program prints its results, or its
#     PASS/FAIL lines, on stdout: none means no work was done);
#   - leave the file as it was (bytes and mtime) and create nothing beside it.
# The time each refusal took is shown (process start-up, ~0.1 s).
# Prints PASS/FAIL lines and "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
if [ $# -lt 2 ]; then
    echo "usage: check-output-exists.sh WORKDIR PROGRAM..." >&2
    exit 2
fi
work=$1/output-exists
shift
rm -rf "$work"
mkdir -p "$work" || exit 2
passed=0 failed=0
sentinel='an existing result that must survive'

for prog in "$@"; do
    name=$(basename "$prog")
    dir=$work/$name
    mkdir -p "$dir"
    file=$dir/existing.h5
    printf '%s\n' "$sentinel" >"$file"
    touch -d '2001-01-01 00:00:00' "$file"
    t0=$(date +%s.%N)
    timeout -k 5 60 "$prog" --quick -o "$file" >"$work/stdout" 2>"$work/stderr" </dev/null
    st=$?
    t1=$(date +%s.%N)
    problems=""
    [ "$st" -eq 2 ] || problems+="exit status $st (want 2); "
    [ "$(wc -l <"$work/stderr")" -eq 1 ] || problems+="stderr is not one line; "
    grep -qF -- "$file" "$work/stderr" || problems+="the line does not name the file; "
    grep -qF -- "--force" "$work/stderr" || problems+="the line does not say --force; "
    [ -s "$work/stdout" ] && problems+="stdout not empty (work was done); "
    [ "$(cat "$file")" = "$sentinel" ] || problems+="the file was changed; "
    [ "$(stat -c %Y "$file")" = "$(date -d '2001-01-01 00:00:00' +%s)" ] \
        || problems+="the file's mtime changed; "
    others=$(find "$dir" -mindepth 1 ! -name existing.h5 -printf '%f ')
    [ -z "$others" ] || problems+="files appeared: $others; "
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    if [ -z "$problems" ]; then
        passed=$((passed + 1))
        echo "PASS $name: refused in ${secs}s: $(head -c 300 "$work/stderr")"
    else
        failed=$((failed + 1))
        echo "FAIL $name: ${problems%; } (${secs}s); stderr: $(head -c 300 "$work/stderr" | tr '\n' ' ')"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
