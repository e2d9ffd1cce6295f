/* aimc/train.h — the standard training loop on a least-squares problem.
 *
 * Experiments and checks that train an optimizer on aimc_lsq share this one
 * loop instead of each writing its own: gradient at the optimizer's query
 * point (W, or W̄ = W + γP), optional mini-batches, optional noise — digital
 * noise on the dense gradient (the stochastic gradient of SPEC §3) or noisy
 * forward reads (aihwkit's additive weight noise, as Paper A ran it) — and
 * the loss recorded at every step.
 */
#ifndef AIMC_TRAIN_H
#define AIMC_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include "aimc/common.h"
#include "aimc/optim.h"
#include "aimc/problem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const aimc_optim_type *algo;
    aimc_optim_params optim;
    unsigned steps;          /* gradient computations K */
    const double *w0;        /* initial W (n entries), or NULL: every entry w0_value */
    double w0_value;
    const double *p0;        /* initial P, or NULL: 0 */
    size_t batch;            /* samples per step, 0 = the full batch */
    aimc_gnoise noise;       /* digital noise added to the dense gradient ... */
    double noise_sigma;      /* ... with this σ (needs a dense update kernel) */
    double read_noise;       /* σ of noisy forward reads (works with every kernel) */
} aimc_lsq_train_params;

aimc_lsq_train_params aimc_lsq_train_default_params(void);

/* What the loop records; any pointer may be NULL.  Arrays have steps + 1
 * entries: index k is the state before step k (k = steps: the end). */
typedef struct {
    double *loss;       /* f at the query point (what the layer computes with) */
    double *loss_main;  /* f at W */
    double *dist;       /* ‖W − w*‖ */
    double *final_w;    /* n: W at the end */
    double pulses;      /* pulses fired into all arrays */
    /* Set on every return: where the run stopped being finite, so that a
     * program can report it (aimc_divergence of aimc/prog.h) as is. */
    int diverged;              /* 1: stopped with GSL_ERANGE, 0 otherwise */
    size_t diverged_step;      /* the first state k with a non-finite W, P or loss */
    char diverged_parameter[32]; /* what went first: "W[12]", "P[3]" or "loss" */
    double diverged_value;     /* its value: NaN or ±inf */
} aimc_lsq_trace;

/* Run the loop; random streams from `seed`.  Before each step k (and at
 * the end) W, then P (residual algorithms), then the loss at the query
 * point must be finite; if one is not, the loop stops with GSL_ERANGE and a
 * message naming the step and the first non-finite entry ("train: rl
 * diverged at step 21 (W[3] = nan)"), records them in tr->diverged_*, and
 * sets the entries of loss, loss_main and dist after step k to NaN (never
 * computed).  State k is recorded in loss, loss_main, dist and final_w as
 * usual. */
int aimc_lsq_train(aimc_lsq *p, const aimc_lsq_train_params *tp, uint64_t seed, aimc_lsq_trace *tr,
                   aimc_err *err);

#ifdef __cplusplus
}
#endif
#endif
