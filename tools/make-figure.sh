#!/usr/bin/env bash
# make-figure.sh ID PROGRAM H5COLS [RESULTS_DIR FIGURES_DIR]
# Runs experiment ID (preset from $AIMC_PRESET: quick by default, or full)
# into RESULTS_DIR/ID.h5, then renders plots/ID.gp into FIGURES_DIR/ID.png
# and ID.pdf.  Used by the meson run targets and by the figure tests.
set -euo pipefail
# Passive OpenMP waits: spinning threads waste a shared machine (meson.build).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
if [ $# -lt 3 ]; then
    echo "usage: make-figure.sh ID PROGRAM H5COLS [RESULTS_DIR FIGURES_DIR]" >&2
    exit 2
fi
id=$1 prog=$2 h5cols=$3
root=${MESON_SOURCE_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
results=${4:-$root/results}
figures=${5:-$root/paper-figures}
preset=${AIMC_PRESET:-quick}
mkdir -p "$results" "$figures"
"$prog" "--$preset" --force -o "$results/$id.h5"
gnuplot -e "h5cols='$h5cols'; infile='$results/$id.h5'; outstem='$figures/$id'; plotdir='$root/plots'" \
    "$root/plots/$id.gp"
for ext in png pdf; do
    if [ ! -s "$figures/$id.$ext" ]; then
        echo "make-figure.sh: $figures/$id.$ext was not written" >&2
        exit 1
    fi
done
echo "make-figure.sh: $figures/$id.png and .pdf from $results/$id.h5"
