# checklist.sh — sourced by the fault-injection checks (check-divergence.sh,
# check-divergence-net.sh): their arguments, work folder and PASS/FAIL
# lines, counted, ending in the "N passed, N failed" line that
# tools/test-summary.py adds up.
#   checklist_start N USAGE WORKDIR "$@"  exit 2 with USAGE unless there
#                                          are N arguments; WORKDIR made afresh
#   pass TEXT... / fail TEXT...           one line each, counted
#   checklist_end                         the count; status 1 if any failed
passed=0 failed=0

checklist_start() {
    local n=$1 usage=$2 dir=$3
    shift 3
    if [ $# -ne "$n" ]; then
        echo "usage: $usage" >&2
        exit 2
    fi
    rm -rf "$dir"
    mkdir -p "$dir" || exit 2
}

pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

checklist_end() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
