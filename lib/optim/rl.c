/* rl.c — residual learning / Tiki-Taka (10)–(11) (SPEC §2).  γ = 0 is
 * Paper A's Tiki-Taka; the gradient is taken at W̄ = W + γP (`mixes`). */
#include "algorithm.h"

/* (10) P ← AnalogUpdate(P, −α∇f(W̄; ξ)) through the residual tile's kernel;
 * then every T steps (11) W[:,c] ← AnalogUpdate(W[:,c], β·(P[:,c] + ε)) for
 * the next n_col columns, through the main tile's kernel. */
static int rl_step(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    int st = aimc_tile_update(o->P, g, o->p.alpha, err);
    if (st == GSL_SUCCESS && optim_transfer_due(o))
        st = optim_transfer_columns(o, err);
    return st;
}

const aimc_optim_type aimc_optim_rl = {
    .name = "rl",
    .summary = "residual learning / Tiki-Taka (10)-(11): gradient at W+gamma*P into P, "
               "columns of P transferred to W",
    .uses_residual = 1,
    .mixes = 1,
    .step = rl_step,
    .hooks = NULL,
};
