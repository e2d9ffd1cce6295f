#!/usr/bin/env bash
# check-determinism.sh PROGRAM OUTDIR [ARGS...]
# Runs PROGRAM (quick preset, fixed seed) with --threads 1 and --threads 2
# and requires every dataset and attribute under /runs and /summary to be
# identical (h5diff).  Root attributes differ by design (threads,
# command_line, created_utc) and are not compared.
set -euo pipefail
prog=$1 out=$2
shift 2
mkdir -p "$out"
name=$(basename "$prog")
for t in 1 2; do
    "$prog" --quick --seed 7 --threads "$t" --force -q -o "$out/$name-t$t.h5" "$@" >/dev/null
done
status=0
for grp in /runs /summary; do
    if h5diff "$out/$name-t1.h5" "$out/$name-t2.h5" "$grp" "$grp"; then
        echo "PASS $name: $grp identical with --threads 1 and 2"
    else
        echo "FAIL $name: $grp differs between --threads 1 and 2"
        status=1
    fi
done
exit $status
