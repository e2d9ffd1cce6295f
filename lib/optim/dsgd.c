/* dsgd.c — Digital SGD (SPEC §2): W ← W − α∇f(W; ξ), in floating point and
 * unbounded.  The reference every analog algorithm is measured against. */
#include "algorithm.h"

static int dsgd_step(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    (void)err;
    const double *gr = optim_dense_grad(o, g);
    for (size_t k = 0; k < o->n; ++k)
        o->wd[k] -= o->p.alpha * gr[k];
    return GSL_SUCCESS;
}

/* W is a plain float array: no tile, no device. */
static const aimc_optim_hooks dsgd_hooks = {.digital = 1};

const aimc_optim_type aimc_optim_dsgd = {
    .name = "dsgd",
    .summary = "digital SGD: W -= alpha*grad (float, unbounded)",
    .uses_residual = 0,
    .mixes = 0,
    .step = dsgd_step,
    .hooks = &dsgd_hooks,
};
