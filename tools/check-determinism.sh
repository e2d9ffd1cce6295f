#!/usr/bin/env bash
# check-determinism.sh PROGRAM OUTDIR [ARGS...]
# Same seed ⇒ the same datasets, whatever the thread count and however often
# the program runs (DESIGN §3).  Runs PROGRAM (quick preset, seed 7) three
# times — --threads 1, --threads 2, and --threads 2 again — and requires the
# files to agree, compared with h5diff: every dataset anywhere in the file
# and every attribute except the root's (provenance: threads, command_line,
# created_utc, output differ by design) and /config's (the resolved options,
# which hold --threads and -o).
#   t1 vs t2     the thread count does not change a result;
#   t2 vs t2'    two runs with the same thread count agree (a race between
#                threads would show here even where it happens to reproduce
#                the single-thread result once).
set -euo pipefail
prog=$1 out=$2
shift 2
mkdir -p "$out"
name=$(basename "$prog")
"$prog" --quick --seed 7 --threads 1 --force -q -o "$out/$name-t1.h5" "$@" >/dev/null
"$prog" --quick --seed 7 --threads 2 --force -q -o "$out/$name-t2.h5" "$@" >/dev/null
"$prog" --quick --seed 7 --threads 2 --force -q -o "$out/$name-t2b.h5" "$@" >/dev/null
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $name: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $name: $*"; }
compare() { # compare A B WHAT
    local rc=0
    h5diff --exclude-attribute / --exclude-attribute /config "$out/$name-$1.h5" "$out/$name-$2.h5" \
        >"$out/$name-$1-$2.diff" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "every dataset and attribute identical ($3)"
    else
        fail "files differ ($3); h5diff status $rc:"
        head -n 20 "$out/$name-$1-$2.diff"
    fi
}
compare t1 t2 "--threads 1 and 2"
compare t2 t2b "two runs with --threads 2"
# Each file records the thread count it ran with: the runs above did differ.
for t in t1 t2; do
    want=${t#t}
    got=$(h5dump -a /threads "$out/$name-$t.h5" 2>/dev/null | awk '/\(0\)/ { print $2; exit }')
    if [ "$got" = "$want" ]; then
        pass "root attribute threads = $want in the --threads $want file"
    else
        fail "root attribute threads is '$got' in the --threads $want file"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
