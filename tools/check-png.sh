#!/usr/bin/env bash
# check-png.sh MAKE_FIGURE ID PROGRAM H5COLS OUTDIR
# Renders figure ID (quick preset) into OUTDIR and checks that the PNG is a
# real, non-trivial picture: the PNG signature, an IHDR of at least 400x300,
# and a size that a blank canvas would not reach.
set -euo pipefail
mk=$1 id=$2 prog=$3 h5cols=$4 out=$5
rm -rf "$out"
AIMC_PRESET=quick "$mk" "$id" "$prog" "$h5cols" "$out" "$out"
png="$out/$id.png"
sig=$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')
[ "$sig" = "89504e470d0a1a0a" ] || { echo "check-png: $png is not a PNG" >&2; exit 1; }
w=$(od -An -tu1 -j16 -N4 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
h=$(od -An -tu1 -j20 -N4 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
size=$(stat -c %s "$png")
echo "check-png: $png ${w}x${h}, $size bytes"
[ "$w" -ge 400 ] && [ "$h" -ge 300 ] || { echo "check-png: too small" >&2; exit 1; }
[ "$size" -ge 15000 ] || { echo "check-png: $size bytes looks blank" >&2; exit 1; }
