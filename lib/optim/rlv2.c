/* rlv2.c — residual learning v2 (14)–(15) (SPEC §2): TT-v2's threshold
 * transfer with a decaying buffer, and the gradient at W̄ = W + γP. */
#include "algorithm.h"

/* P ← AnalogUpdate(P, −α∇f(W̄; ξ)); every T steps, for the next n_col
 * columns, (14) H ← (1−β)H + β(P + ε), then (15) one pulse of sign(H) into
 * W where |H| ≥ Δw_min, H ← H − sign(H)·Δw_min. */
static int rlv2_step(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    int st = aimc_tile_update(o->P, g, o->p.alpha, err);
    if (st == GSL_SUCCESS && optim_transfer_due(o))
        optim_transfer_threshold(o, o->state, 1);
    return st;
}

static const aimc_optim_hooks rlv2_hooks = {
    .state_alloc = optim_buffer_alloc,
    .state_free = optim_buffer_free,
    .state_reset = optim_buffer_reset,
    .buffer = optim_buffer_values,
};

const aimc_optim_type aimc_optim_rlv2 = {
    .name = "rlv2",
    .summary = "residual learning v2 (14)-(15): H = (1-beta)H + beta*P, threshold pulses, "
               "gradient at W+gamma*P",
    .uses_residual = 1,
    .mixes = 1,
    .step = rlv2_step,
    .hooks = &rlv2_hooks,
};
