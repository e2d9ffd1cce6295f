/* ttv2.c — Tiki-Taka v2 (Appendix D, SPEC §2): a digital buffer H between
 * P and W, threshold pulses into W; the gradient is taken at W (γ = 0). */
#include "algorithm.h"

/* P ← AnalogUpdate(P, −α∇f(W; ξ)); every T steps, for the next n_col
 * columns, H ← H + β(P + ε) and one pulse of sign(H) into W where
 * |H| ≥ Δw_min, H ← H − sign(H)·Δw_min. */
static int ttv2_step(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    int st = aimc_tile_update(o->P, g, o->p.alpha, err);
    if (st == GSL_SUCCESS && optim_transfer_due(o))
        optim_transfer_threshold(o, o->state, 0);
    return st;
}

static const aimc_optim_hooks ttv2_hooks = {
    .state_alloc = optim_buffer_alloc,
    .state_free = optim_buffer_free,
    .state_reset = optim_buffer_reset,
    .buffer = optim_buffer_values,
};

const aimc_optim_type aimc_optim_ttv2 = {
    .name = "ttv2",
    .summary = "Tiki-Taka v2: buffer H += beta*P, one pulse into W where |H| >= dw_min",
    .uses_residual = 1,
    .mixes = 0,
    .step = ttv2_step,
    .hooks = &ttv2_hooks,
};
