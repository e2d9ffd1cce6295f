/* aimc/problem.h — objectives with exact and per-sample gradients.
 *
 * Least squares (SPEC §4, fig2):  m samples (rows a_n of A), n unknowns,
 *
 *     f(w) = (1/(2m))·‖Aw − b‖²,   ∇f(w) = (1/m)·Aᵀ(Aw − b)
 *          = Σ_n d_n a_n  with  d_n = (a_nᵀw − b_n)/m,
 *
 * i.e. the mean-squared error over the batch, halved — what aihwkit's
 * MSELoss/2 on a full batch computes.  The per-sample terms d_n a_nᵀ are the
 * rank-one factors that a pulsed analog layer applies one sample at a time.
 * L = λ_max(AᵀA)/m and μ = λ_min(AᵀA)/m.
 */
#ifndef AIMC_PROBLEM_H
#define AIMC_PROBLEM_H

#include <stddef.h>
#include <stdint.h>
#include "aimc/common.h"
#include "aimc/tile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    size_t m, n;     /* samples, unknowns */
    double *A;       /* m×n row-major */
    double *b;       /* m */
    double *w_star;  /* n: the minimiser */
    double f_star;   /* f(w_star) */
    double L, mu;    /* smoothness and strong convexity of f */
    double *r;       /* m: scratch residual */
} aimc_lsq;

/* A ~ N(0, sigma_a²), w* ~ N(0, sigma_w²), b = A w* (so f* = 0); drawn from
 * stream (seed, AIMC_PURPOSE(object, INIT)). */
aimc_lsq *aimc_lsq_alloc_random(size_t m, size_t n, double sigma_a, double sigma_w,
                                uint64_t seed, uint32_t object, aimc_err *err);
void aimc_lsq_free(aimc_lsq *p);

double aimc_lsq_loss(aimc_lsq *p, const double *w);
/* Dense gradient into g (n). */
void aimc_lsq_gradient(aimc_lsq *p, const double *w, double *g);
/* Per-sample factors at w: d (m) gets d_n = (a_nᵀw − b_n)/m; *grad is set to
 * the rank-one form (x = A, d, scale 1) with `dense` (n) filled too. */
void aimc_lsq_grad_factors(aimc_lsq *p, const double *w, double *d, double *dense,
                           aimc_grad *grad);

#ifdef __cplusplus
}
#endif
#endif
