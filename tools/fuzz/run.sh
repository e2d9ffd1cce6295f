#!/usr/bin/env bash
# tools/fuzz/run.sh TARGET SECONDS [BUILD_DIR]
# tools/fuzz/run.sh list
#
# Builds the libFuzzer target TARGET (clang -fsanitize=fuzzer,address,
# undefined; the library's sources are compiled alongside, since meson
# builds them with gcc) into BUILD_DIR (default $AIMC_FUZZ_BUILD, else
# build-fuzz next to this tree), replays the regression inputs of
# tools/fuzz/corpus/TARGET/ once each, then fuzzes for SECONDS seconds from
# those and from seeds made by the project's own writers (make_seeds.c).
#
# Targets (the parsers of outside input):
#   cli             aimc_prog_parse, every kind of option + the device options
#   h5              aimc_h5_read, aimc_h5_read_attr_* on arbitrary bytes
#   idx             aimc_idx_read (IDX, plain or gzip)          lib/data/idx.c
#   digits_csv      aimc_dataset_read_digits_csv                 lib/data/text.c
#   mnist_json      aimc_mnist_json_count + _append_mnist_json   lib/data/text.c
#   response_table  aimc_response_table_load (measured CSV)      lib/response/table_csv.c
#
# Exit status: 0 no crash; 1 a crash (the input is saved under
# BUILD_DIR/artifacts/; copy it into tools/fuzz/corpus/TARGET/ to keep it as
# a regression input once fixed); 77 (meson's "skipped") when clang cannot
# build libFuzzer programs here or the parser does not exist yet.
# Longer runs by hand:  tools/fuzz/run.sh h5 3600
# AIMC_FUZZ_SEED=N fixes libFuzzer's seed (the meson tests use 1, so a CI run
# explores the same inputs each time; 0 or unset: a fresh seed per run).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
targets=(cli h5 idx digits_csv mnist_json response_table)
if [ "${1:-}" = list ]; then
    printf '%s\n' "${targets[@]}"
    exit 0
fi
if [ $# -lt 2 ]; then
    echo "usage: tools/fuzz/run.sh TARGET SECONDS [BUILD_DIR]  (targets: ${targets[*]})" >&2
    exit 2
fi
target=$1 seconds=$2
build=${3:-${AIMC_FUZZ_BUILD:-$root/build-fuzz}}
cc=${AIMC_FUZZ_CC:-clang}

# ---- can this target be built here? -------------------------------------
case $target in
cli) needs="lib/prog/prog.c" ;;
h5) needs="lib/h5/h5.c" ;;
idx) needs="lib/data/idx.c" ;;
digits_csv | mnist_json) needs="lib/data/text.c" ;;
response_table) needs="lib/response/table_csv.c" ;;
*)
    echo "run.sh: unknown target \"$target\" (one of ${targets[*]})" >&2
    exit 2
    ;;
esac
if [ ! -f "$root/$needs" ]; then
    echo "SKIP fuzz $target: $needs does not exist yet"
    exit 77
fi
if ! command -v "$cc" >/dev/null; then
    echo "SKIP fuzz $target: no $cc on this machine"
    exit 77
fi
mkdir -p "$build" || exit 2
if [ ! -f "$build/.clang-ok" ]; then
    printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$build/probe.c"
    if ! "$cc" -fsanitize=fuzzer,address,undefined "$build/probe.c" -o "$build/probe" 2>"$build/probe.log"; then
        echo "SKIP fuzz $target: $cc cannot build libFuzzer programs ($(head -c 200 "$build/probe.log"))"
        exit 77
    fi
    touch "$build/.clang-ok"
fi

# ---- build (once for all targets; a lock keeps parallel tests apart) -------
hdf5_cflags=$(pkg-config --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
hdf5_libs=$(pkg-config --libs hdf5 2>/dev/null || echo "-L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5")
version=$(sed -n "s/^ *version : '\\([^']*\\)'.*/\\1/p" "$root/meson.build" | head -n 1)
have_data=()
[ -f "$root/lib/data/idx.c" ] && have_data=(-DAIMC_FUZZ_HAVE_DATA)
cflags=(-g -O1 -std=gnu11 -fno-omit-frame-pointer -fno-sanitize-recover=undefined
    -I"$root/include" $hdf5_cflags -DAIMC_VERSION_STRING="\"${version:-0}\"" -w)
san=(-fsanitize=address,undefined)
libs=($hdf5_libs -lgsl -lgslcblas -lz -lm)

build_all() {
    local lib=$build/libaimc-fuzz.a stamp src obj objs=()
    # Rebuild when any source or header changed since the last build.
    if [ -f "$lib" ] && [ -z "$(find "$root/lib/" "$root/include/" "$here/" -newer "$lib" \
        \( -name '*.c' -o -name '*.h' \) -print -quit)" ]; then
        return 0
    fi
    echo "run.sh: building the library with $cc and sanitizers into $build"
    rm -rf "$build/obj" && mkdir -p "$build/obj"
    cat >"$build/obj/build_info.c" <<EOF
#include "aimc/prog.h"
const char *aimc_build_git_describe(void) { return "fuzz"; }
const char *aimc_build_compiler(void) { return "clang (fuzz)"; }
const char *aimc_build_type(void) { return "fuzz"; }
EOF
    while IFS= read -r src; do
        obj=$build/obj/$(echo "${src#$root/lib/}" | tr / _).o
        "$cc" "${cflags[@]}" "${san[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" || return 1
        objs+=("$obj")
    done < <(find "$root/lib/" -name '*.c' | sort)
    "$cc" "${cflags[@]}" "${san[@]}" -c "$build/obj/build_info.c" -o "$build/obj/build_info.o" || return 1
    # The archive gets its final name only when everything built: a failed
    # build is never mistaken for an up-to-date one.
    rm -f "$lib" "$lib.tmp"
    ar rcs "$lib.tmp" "${objs[@]}" "$build/obj/build_info.o" || return 1
    # Seeds from the project's own writers.
    "$cc" "${cflags[@]}" "${san[@]}" "${have_data[@]}" "$here/make_seeds.c" "$lib.tmp" \
        "${libs[@]}" -o "$build/make_seeds" || return 1
    rm -rf "$build/seeds"
    ASAN_OPTIONS=detect_leaks=0 "$build/make_seeds" "$build/seeds" || return 1
    rm -f "$build"/fuzz_*
    mv "$lib.tmp" "$lib"
}
(
    flock 9
    build_all || exit 1
    exe=$build/fuzz_$target
    if [ ! -x "$exe" ] || [ "$here/fuzz_$target.c" -nt "$exe" ]; then
        "$cc" "${cflags[@]}" -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined "$here/fuzz_$target.c" \
            "$build/libaimc-fuzz.a" "${libs[@]}" -o "$exe" || exit 1
    fi
) 9>"$build/.lock" || {
    echo "FAIL fuzz $target: build failed"
    echo "0 passed, 1 failed"
    exit 1
}

# ---- replay the regression inputs, then fuzz ---------------------------------
exe=$build/fuzz_$target
regress=$here/corpus/$target
work=$build/corpus/$target
mkdir -p "$work" "$build/artifacts" "$build/seeds/$target"
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:print_stacktrace=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
if [ "$target" = h5 ]; then
    # libhdf5 is not ours and not instrumented.  On damaged files it asks
    # malloc for absurd sizes (0xa3 << 52 bytes: ASan aborts, glibc returns
    # NULL and HDF5 reports an error, which is what users get) and leaks a
    # few bytes on some of its own error paths.  So malloc may fail here as
    # it does outside ASan, and leaks allocated inside libhdf5 are not
    # counted - which also hides HDF5 objects our code would forget to
    # close; memory our code allocates is still checked (regression input:
    # corpus/h5/hdf5-huge-malloc-and-leak, found by the CI fuzz run).
    ASAN_OPTIONS=$ASAN_OPTIONS:allocator_may_return_null=1
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/h5.lsan}
fi
common=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -close_fd_mask=3
    -artifact_prefix="$build/artifacts/$target-")
[ -f "$here/$target.dict" ] && common+=(-dict="$here/$target.dict")
shopt -s nullglob
inputs=("$regress"/*)
if [ "${#inputs[@]}" -gt 0 ]; then
    if ! "$exe" "${common[@]}" "${inputs[@]}" >"$build/$target-replay.log" 2>&1; then
        tail -n 40 "$build/$target-replay.log"
        echo "FAIL fuzz $target: a regression input of tools/fuzz/corpus/$target crashes again"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "PASS fuzz $target: ${#inputs[@]} regression inputs replayed"
fi
"$exe" "${common[@]}" -seed="${AIMC_FUZZ_SEED:-0}" -max_total_time="$seconds" -print_final_stats=1 \
    "$work" "$build/seeds/$target" ${inputs[0]:+"$regress"} >"$build/$target.log" 2>&1
st=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$target.log" | tail -n 1)
if [ "$st" -ne 0 ]; then
    grep -E 'ERROR|SUMMARY|==[0-9]+==|#[0-9]+ ' "$build/$target.log" | head -n 40
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$build/$target.log" | tail -n 1)
    echo "FAIL fuzz $target: crash after ${runs:-?} runs; input: ${crash:-see $build/$target.log}"
    echo "  reproduce: $exe $crash"
    echo "  once fixed, keep it: cp $crash $regress/"
    echo "$(( ${#inputs[@]} > 0 )) passed, 1 failed"
    exit 1
fi
echo "PASS fuzz $target: ${runs:-?} inputs in ${seconds}s, no crash, leak or hang"
echo "$(( 1 + (${#inputs[@]} > 0) )) passed, 0 failed"
