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
} aimc_lsq_trace;

/* Run the loop; random streams from `seed`.  Stops with GSL_ERANGE and a
 * message naming the step if the loss stops being finite. */
int aimc_lsq_train(aimc_lsq *p, const aimc_lsq_train_params *tp, uint64_t seed, aimc_lsq_trace *tr,
                   aimc_err *err);

#ifdef __cplusplus
}
#endif
#endif
