#!/usr/bin/env bash
# check-divergence.sh FIG2 FAULT_LIB H5COLS WORKDIR
#
# A NaN or inf appearing in the weights must stop the run with the step and
# the parameter that caused it, and the series computed until then must be
# saved under a name that says it diverged (docs/RELIABILITY.md).  Faults are
# put into fig2's optimizer by FAULT_LIB (tools/fault-inject.c, LD_PRELOAD):
# after the K-th optimizer step of the process, W[i] is set to NaN or inf.
# fig2 runs a short problem (100 steps, 2 repetitions, c = 0 and 0.1): its
# asgd curves take steps 0-199 (c = 0) and 200-399 (c = 0.1), then rl.
# Checks: exit status 1; one stderr line naming the step, the weight and the
# series; the file committed (no FILE.partial) with the root attribute
# "diverged", the series <run>-diverged/loss and loss_main of step + 1 values
# (finite, then a non-finite one in either) with the attributes
# diverged_at_step and parameter, and every curve finished before it
# complete.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/checklist.sh"
checklist_start 4 "check-divergence.sh FIG2 FAULT_LIB H5COLS WORKDIR" "${4:-}" "$@"
prog=$1 lib=$2 h5cols=$3 work=$4

# case LABEL K INDEX VALUE RUN STEP PREVIOUS: inject, then check.
# STEP is the exact step; PREVIOUS is a run that must be complete, or "".
check_case() {
    local label=$1 k=$2 idx=$3 value=$4 run=$5 step=$6 prev=$7
    local out=$work/$label.h5 st problems="" line got n last first_bad
    LD_PRELOAD=$lib AIMC_FAULT_STEP=$k AIMC_FAULT_INDEX=$idx AIMC_FAULT_VALUE=$value \
        "$prog" --quick -q --force -o "$out" --steps 100 --tail 10 --reps 2 --c-list 0,0.1 \
        >"$work/stdout" 2>"$work/stderr" </dev/null
    st=$?
    line=$(tail -n 1 "$work/stderr")
    [ "$st" -eq 1 ] || problems+="status $st, want 1; "
    [ "$(wc -l <"$work/stderr")" -eq 1 ] || problems+="stderr is not one line; "
    [ -e "$out.partial" ] && problems+="FILE.partial left; "
    [ -e "$out" ] || problems+="no result file; "
    case $line in
    *"$run diverged at step "*"W[$idx] = $value"*"saved as $run-diverged in $out"*) ;;
    *) problems+="stderr line does not name the run, step, W[$idx] = $value and the series; " ;;
    esac
    if [ -e "$out" ]; then
        got=$("$h5cols" --attr "$out" / diverged 2>&1)
        [ "$got" = "$run-diverged" ] || problems+="root attribute diverged = '$got'; "
        got=$("$h5cols" --attr "$out" "$run-diverged" diverged_at_step 2>&1)
        [ "$got" = "$step" ] || problems+="diverged_at_step = '$got', want $step; "
        [ "$("$h5cols" --attr "$out" "$run-diverged" parameter 2>&1)" = "W[$idx]" ] \
            || problems+="attribute parameter is not W[$idx]; "
        "$h5cols" "$out" "$run-diverged/step" "$run-diverged/loss" "$run-diverged/loss_main" \
            >"$work/series" 2>&1 || problems+="cannot read the diverged series: $(head -c 200 "$work/series"); "
        n=$(wc -l <"$work/series")
        [ "$n" -eq $((got + 1)) ] || problems+="the series has $n points, want $((got + 1)); "
        # the first row where loss or loss_main is not a finite number
        first_bad=$(awk '$2 !~ /^-?[0-9]/ || $3 !~ /^-?[0-9]/ { print NR - 1; exit }' "$work/series")
        [ "$first_bad" = "$got" ] \
            || problems+="first non-finite loss or loss_main at index '$first_bad', want $got; "
        last=$(tail -n 1 "$work/series" | awk '{ print $2 }')
        [ -n "$prev" ] && ! "$h5cols" "$out" "$prev/loss" >/dev/null 2>&1 \
            && problems+="finished curve $prev missing; "
        "$h5cols" --list "$out" | grep -q "^$run/" && problems+="$run saved as if complete; "
    fi
    if [ -z "$problems" ]; then
        pass "$label: status 1, stopped at step $got (last loss $last); $line"
    else
        fail "$label: ${problems%; }; stderr: $(head -c 400 "$work/stderr")"
    fi
}

check_case nan-first-curve 37 12 nan /runs/asgd-linear-aihwkit-c0 38 ""
check_case inf-second-rep 105 0 inf /runs/asgd-linear-aihwkit-c0 6 ""
check_case nan-second-curve 210 49 nan /runs/asgd-linear-aihwkit-c0.1 11 /runs/asgd-linear-aihwkit-c0
# rl: the training loop checks W itself each step (lib/train), so the fault
# is named at its own step even though the loss at W + gamma*P shows it one
# step later.
check_case nan-rl 420 3 nan /runs/rl-linear-aihwkit-c0 21 /runs/asgd-linear-aihwkit-c0.1

# Without a fault the same run completes and has no diverged series.
out=$work/clean.h5
if "$prog" --quick -q --force -o "$out" --steps 100 --tail 10 --reps 2 --c-list 0,0.1 \
    >/dev/null 2>"$work/stderr" && ! "$h5cols" --attr "$out" / diverged >/dev/null 2>&1; then
    pass "no fault: status 0, no diverged attribute"
else
    fail "no fault: $(head -c 300 "$work/stderr")"
fi

checklist_end
