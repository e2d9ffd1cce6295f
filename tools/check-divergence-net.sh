#!/usr/bin/env bash
# check-divergence-net.sh PROGRAM FAULT_LIB H5COLS WORKDIR   (PROGRAM: tab8 or tab1)
#
# The network programs (fig4, tab7, tab8 through aimc_zoo_train; tab1 and
# fig5 through their fine-tuning loop; all on lib/nn) must stop a run whose
# weights stop being finite at the epoch it happens,
# name the layer and the weight, and keep the series up to there as
# /runs/<run>-diverged (docs/RELIABILITY.md).  An analog array clips its
# weights at every pulse, so a NaN left unchecked is absorbed by its next
# pulse and the run goes on as if nothing happened: lib/nn checks W and P
# after every step.  FAULT_LIB (tools/fault-inject.c, LD_PRELOAD) writes the
# fault after the K-th optimizer step of the process.  tab8 on 1 000 digits,
# batch 10: 100 mini-batches x 3 layers = 300 steps per epoch; the Digital
# SGD run takes steps 0-299, Analog SGD 300-599.  tab1 on one seed: 50
# mini-batches x 4 weight layers per epoch (steps from the last layer back):
# pre-training 0-199, Digital SGD fine-tuning 200-399, then Analog SGD, whose
# first step is layer 7's, the analog head.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/checklist.sh"
checklist_start 4 "check-divergence-net.sh PROGRAM FAULT_LIB H5COLS WORKDIR" "${4:-}" "$@"
prog=$1 lib=$2 h5cols=$3 work=$4
case $(basename "$1") in
tab8) args=(--quick -q --force --n-train 1000 --n-test 300) ;;
tab1) args=(--quick -q --force --reps 1 --algos dsgd,asgd) ;;
*) echo "check-divergence-net.sh: no cases for $1" >&2; exit 2 ;;
esac

# case LABEL K INDEX VALUE RUN PARAMETER PREVIOUS
check_case() {
    local label=$1 k=$2 idx=$3 value=$4 run=$5 param=$6 prev=$7
    local out=$work/$label.h5 st problems="" line got
    LD_PRELOAD=$lib AIMC_FAULT_STEP=$k AIMC_FAULT_INDEX=$idx AIMC_FAULT_VALUE=$value \
        "$prog" "${args[@]}" -o "$out" >"$work/stdout" 2>"$work/stderr" </dev/null
    st=$?
    line=$(tail -n 1 "$work/stderr")
    [ "$st" -eq 1 ] || problems+="status $st, want 1; "
    [ "$(wc -l <"$work/stderr")" -eq 1 ] || problems+="stderr is not one line; "
    [ -e "$out.partial" ] && problems+="FILE.partial left; "
    case $line in
    *"$run diverged at step 1 of repetition 0 ($param = $value)"*"saved as $run-diverged in $out"*) ;;
    *) problems+="stderr line does not name the run, epoch 1, $param = $value and the series; " ;;
    esac
    if [ -e "$out" ]; then
        got=$("$h5cols" --attr "$out" / diverged 2>&1)
        [ "$got" = "$run-diverged" ] || problems+="root attribute diverged = '$got'; "
        got=$("$h5cols" --attr "$out" "$run-diverged" parameter 2>&1)
        [ "$got" = "$param" ] || problems+="attribute parameter = '$got'; "
        got=$("$h5cols" "$out" "$run-diverged/step" "$run-diverged/test_acc" 2>&1)
        # epoch 0 measured, epoch 1 (the failed one) NaN
        [ "$(echo "$got" | awk 'NR == 1 && $2 ~ /^[0-9]/ { a = 1 } NR == 2 && $2 == "nan" { b = 1 }
            END { print NR == 2 && a && b }')" = 1 ] \
            || problems+="test_acc of the diverged run is not [finite, nan]: $got; "
        [ -n "$prev" ] && ! "$h5cols" "$out" "$prev/test_acc" >/dev/null 2>&1 \
            && problems+="finished run $prev missing; "
        "$h5cols" --list "$out" | grep -q "^$run/" && problems+="$run saved as if complete; "
    else
        problems+="no result file; "
    fi
    if [ -z "$problems" ]; then
        pass "$label: $line"
    else
        fail "$label: ${problems%; }; stderr: $(head -c 400 "$work/stderr")"
    fi
}

if [ "$(basename "$prog")" = tab8 ]; then
    check_case digital-nan 30 5 nan /runs/fcn-dsgd "layer 0 W[5]" ""
    # Analog SGD: without the per-step check this NaN vanished at the next pulse.
    check_case analog-nan 330 5 nan /runs/fcn-asgd-power-g2-tau0.6 "layer 0 W[5]" /runs/fcn-dsgd
    check_case analog-inf 331 7 inf /runs/fcn-asgd-power-g2-tau0.6 "layer 2 W[7]" /runs/fcn-dsgd
else
    check_case head-nan 402 3 nan /runs/asgd "layer 7 W[3]" ""
    check_case backbone-inf 401 3 inf /runs/asgd "layer 3 W[3]" ""
fi

out=$work/clean.h5
if "$prog" "${args[@]}" -o "$out" >/dev/null 2>"$work/stderr" \
    && ! "$h5cols" --attr "$out" / diverged >/dev/null 2>&1; then
    pass "no fault: status 0, no diverged attribute"
else
    fail "no fault: $(head -c 300 "$work/stderr")"
fi

checklist_end
