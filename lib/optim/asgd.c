/* asgd.c — Analog SGD (2): W ← AnalogUpdate(W, −α∇f(W; ξ)).  The main
 * tile's update kernel does the work: compact (5), pulse trains (27) or
 * stochastic rank-one pulses (SPEC §1.6). */
#include "algorithm.h"

static int asgd_step(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    return aimc_tile_update(o->W, g, o->p.alpha, err);
}

const aimc_optim_type aimc_optim_asgd = {
    .name = "asgd",
    .summary = "analog SGD (2): the gradient is written to W by the main tile's kernel",
    .uses_residual = 0,
    .mixes = 0,
    .step = asgd_step,
    .hooks = NULL,
};
