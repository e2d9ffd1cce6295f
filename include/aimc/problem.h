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
#include "aimc/rng.h"
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

/* The mean singular value s̄ of A (Paper A's scripts divide a read-noise
 * std by it); needs m ≥ n.  GSL's SVD on a copy of A. */
int aimc_lsq_mean_singular_value(const aimc_lsq *p, double *sbar, aimc_err *err);

double aimc_lsq_loss(aimc_lsq *p, const double *w);
/* Dense gradient into g (n). */
void aimc_lsq_gradient(aimc_lsq *p, const double *w, double *g);
/* Per-sample factors at w: d (m) gets d_n = (a_nᵀw − b_n)/m; *grad is set to
 * the rank-one form (x = A, d, scale 1) with `dense` (n) filled too. */
void aimc_lsq_grad_factors(aimc_lsq *p, const double *w, double *d, double *dense,
                           aimc_grad *grad);

/* ---- gradient noise -------------------------------------------------- */

/* Noise laws for stochastic gradients ∇f(w; ξ) = ∇f(w) + σ·ξ. */
typedef enum {
    AIMC_GNOISE_NONE = 0,
    AIMC_GNOISE_GAUSSIAN = 1,   /* ξ ~ N(0, 1): E|σξ| = σ·sqrt(2/π) */
    AIMC_GNOISE_RADEMACHER = 2  /* ξ = ±1 with probability ½: E|σξ| = σ */
} aimc_gnoise;

/* "none|gaussian|rademacher" and the lookup (-1 if unknown). */
const char *aimc_gnoise_names(void);
int aimc_gnoise_find(const char *name);
/* E|σξ| for the law: the Σ of the implicit penalty at a critical point. */
double aimc_gnoise_abs_mean(aimc_gnoise kind, double sigma);
/* E|μ + σξ| for the law, in closed form: the first absolute moment of a
 * stochastic gradient whose mean is μ (the penalty weight of T in (42)).
 * Gaussian: σ√(2/π)·exp(−μ²/2σ²) + μ·erf(μ/(σ√2)); Rademacher:
 * ½(|μ + σ| + |μ − σ|) = max(|μ|, σ); none (or σ = 0): |μ|. */
double aimc_gnoise_abs_mean_shifted(aimc_gnoise kind, double mu, double sigma);
/* g[k] += σ·ξ_k for k < n. */
void aimc_gnoise_add(double *g, size_t n, aimc_gnoise kind, double sigma, aimc_stream *s);

/* Per-sample factors with noisy forward reads, as aihwkit's additive
 * weight noise (w_noise, ADDITIVE_CONSTANT) that Paper A used: the output
 * of sample n is read as a_nᵀw + σ‖a_n‖·ξ_n, so d_n = (a_nᵀw + σ‖a_n‖ξ_n − b_n)/m.
 * With σ = 0 this is aimc_lsq_grad_factors. */
void aimc_lsq_grad_factors_read_noise(aimc_lsq *p, const double *w, double sigma, aimc_stream *s,
                                      double *d, double *dense, aimc_grad *grad);

/* ---- separable quadratics with a known noise law ---------------------
 *
 *     f(w) = ½ Σ_k λ_k (w_k − w*_k)²,   ∇f(w; ξ) = λ⊙(w − w*) + σ·ξ,
 *
 * so L = max λ, μ = min λ, f* = 0, ∇²f = Diag(λ), and Σ = E|∇f(w*; ξ)| is
 * aimc_gnoise_abs_mean(kind, σ) in every coordinate: the instances on which
 * the implicit-penalty theory (Thm 1, Thm 5) has exact answers. */
typedef struct {
    size_t n;
    double *lambda;  /* curvatures (> 0) */
    double *w_star;  /* minimiser */
    aimc_gnoise noise;
    double sigma;
    double L, mu;
} aimc_quad;

aimc_quad *aimc_quad_alloc(size_t n, const double *lambda, const double *w_star, aimc_gnoise noise,
                           double sigma, aimc_err *err);
void aimc_quad_free(aimc_quad *q);
double aimc_quad_loss(const aimc_quad *q, const double *w);
void aimc_quad_gradient(const aimc_quad *q, const double *w, double *g);
/* Stochastic gradient: the exact one plus the noise law drawn from s. */
void aimc_quad_stoch_gradient(const aimc_quad *q, const double *w, aimc_stream *s, double *g);

#ifdef __cplusplus
}
#endif
#endif
