#!/usr/bin/env bash
# run-sanitized.sh [BUILD_DIR [SUITE...]]
#
# Builds the project a second time with AddressSanitizer + UndefinedBehavior-
# Sanitizer (meson's builtin option -Db_sanitize=address,undefined; never
# -march=native) in BUILD_DIR (default: build-sanitize next to this tree) and
# runs the given suites there (default: unit and theory).  Any sanitizer
# report is fatal: the process stops at the first one with a stack trace and
# a non-zero status, and the logs are searched for reports afterwards too (a
# report inside a child process that a test harness tolerated still counts).
# Ends with one line "sanitizers: N reports" and exits non-zero on a failed
# test or any report.  Nothing is suppressed.
#
#   tools/run-sanitized.sh                      # build-sanitize, unit + theory
#   tools/run-sanitized.sh /tmp/san unit        # one suite, another directory
# AIMC_SANITIZE_TIMEOUT_MULTIPLIER (default 5) stretches the tests' limits.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-sanitize}
shift || true
suites=("$@")
[ "${#suites[@]}" -gt 0 ] || suites=(unit theory)

# halt_on_error: stop at the first report; exitcode: a status no test uses
# for its own failures (86 ASan and its LeakSanitizer, 87 UBSan);
# detect_leaks: LeakSanitizer at exit.  These take precedence over meson's
# defaults (it only sets unset ones).
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=1:print_stacktrace=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=0:exitcode=87:print_stacktrace=1:report_error_type=1
unset LSAN_OPTIONS

if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" --buildtype=debugoptimized \
        -Db_sanitize=address,undefined -Db_lundef=false -Dnative=false || exit 1
else
    meson configure "$build" -Db_sanitize=address,undefined -Db_lundef=false -Dnative=false \
        || exit 1
fi
meson compile -C "$build" || exit 1

args=()
for s in "${suites[@]}"; do
    args+=(--suite "$s")
done
# Instrumented code runs 2-3 times slower: stretch the tests' time limits.
meson test -C "$build" "${args[@]}" --num-processes 2 --print-errorlogs \
    --timeout-multiplier "${AIMC_SANITIZE_TIMEOUT_MULTIPLIER:-5}"
status=$?

# Count the reports in every test's captured output.
log=$build/meson-logs/testlog.txt
reports=0
if [ -f "$log" ]; then
    reports=$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: ' "$log")
    if [ "$reports" -gt 0 ]; then
        echo "run-sanitized.sh: sanitizer reports in $log:"
        grep -nE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: ' "$log" | head -20
    fi
fi
echo "sanitizers: $reports reports"
[ "$status" -eq 0 ] && [ "$reports" -eq 0 ]
