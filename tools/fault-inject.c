/* fault-inject.c — a fault injector for the reliability tests: an
 * LD_PRELOAD library that puts a NaN (or ±inf) into the weights of a
 * running optimizer, to see the program stop, name the step and the
 * parameter, and keep the series it computed (docs/RELIABILITY.md).
 *
 *     LD_PRELOAD=libaimc-fault-inject.so AIMC_FAULT_STEP=37 AIMC_FAULT_INDEX=12 \
 *         build/experiments/fig2/fig2 --quick -o /tmp/x.h5
 *
 * It wraps aimc_optim_step (libaimc calls it through the PLT, so the wrapper
 * is seen from inside the library too): after the AIMC_FAULT_STEP-th call in
 * the process (counting from 0) it sets W[AIMC_FAULT_INDEX] (default 0) to
 * AIMC_FAULT_VALUE (nan, inf or -inf; default nan).  Without AIMC_FAULT_STEP
 * it changes nothing.  A test tool: it reads the environment, the library
 * and the programs never do.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/optim.h"

typedef int (*step_fn)(aimc_optim *, const aimc_grad *, aimc_err *);

static double fault_value(void)
{
    const char *v = getenv("AIMC_FAULT_VALUE");
    if (v != NULL && strcmp(v, "inf") == 0)
        return INFINITY;
    if (v != NULL && strcmp(v, "-inf") == 0)
        return -INFINITY;
    return NAN;
}

int aimc_optim_step(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    static step_fn real;
    static long long calls;
    const char *at = getenv("AIMC_FAULT_STEP");
    int st;

    if (real == NULL)
        real = (step_fn)dlsym(RTLD_NEXT, "aimc_optim_step");
    if (real == NULL) {
        fprintf(stderr, "fault-inject: aimc_optim_step not found\n");
        abort();
    }
    st = real(o, g, err);
    if (at != NULL && calls++ == atoll(at)) {
        const char *idx = getenv("AIMC_FAULT_INDEX");
        /* The weights are the optimizer's own array, seen read-only by
         * callers: writing it is the fault. */
        double *w = (double *)aimc_optim_weights(o);
        w[idx != NULL ? atol(idx) : 0] = fault_value();
    }
    return st;
}
