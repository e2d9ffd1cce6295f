#!/usr/bin/env bash
# quick-presets.sh OUTDIR PROGRAM...
#
# Issue #6's last target: every experiment's quick preset together under
# two minutes.  Runs each PROGRAM with --quick (one after the other, one
# thread, files into OUTDIR) and prints its CPU time (user + system) and
# wall time, then the totals against the 120 s target.  A report, not a
# timed test: on a shared machine the wall times move with the load, the
# CPU times much less.  Exit status 1 only if a program fails.
set -uo pipefail
if [ $# -lt 2 ]; then
    echo "usage: quick-presets.sh OUTDIR PROGRAM..." >&2
    exit 2
fi
out=$1
shift
mkdir -p "$out" || exit 2
export OMP_WAIT_POLICY=PASSIVE
TIMEFORMAT='%U %S %R'
failed=0 cpu_total=0 wall_total=0
printf '%-14s %9s %9s\n' program "CPU s" "wall s"
for prog in "$@"; do
    id=$(basename "$prog")
    t=$( { time "$prog" --quick -q --force --threads 1 -o "$out/$id.h5" \
        >"$out/$id.out" 2>"$out/$id.err" </dev/null; } 2>&1 )
    st=$?
    read -r user sys wall <<<"$(tail -n 1 <<<"$t")"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    cpu_total=$(awk -v a="$cpu_total" -v b="$cpu" 'BEGIN { printf "%.2f", a + b }')
    wall_total=$(awk -v a="$wall_total" -v b="$wall" 'BEGIN { printf "%.2f", a + b }')
    note=""
    if [ "$st" -ne 0 ]; then
        failed=$((failed + 1))
        note="  FAILED (status $st): $(head -c 200 "$out/$id.err")"
    fi
    printf '%-14s %9.2f %9.2f%s\n' "$id" "$cpu" "$wall" "$note"
done
printf '%-14s %9.2f %9.2f\n' total "$cpu_total" "$wall_total"
awk -v c="$cpu_total" -v w="$wall_total" 'BEGIN {
    printf "target: all quick presets together < 120 s: CPU %.0f s (%s), wall %.0f s (%s)\n",
        c, c < 120 ? "met" : "not met", w, w < 120 ? "met" : "not met" }'
echo "machine load while measured:$(uptime | sed 's/.*load average://')"
[ "$failed" -eq 0 ]
