/* test_problem.c — least squares: gradients, factors, curvature; noise moments. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <float.h>
#include <criterion/criterion.h>
#include <gsl/gsl_integration.h>

#include "aimc/problem.h"

Test(problem, the_minimiser_has_zero_loss_and_zero_gradient)
{
    aimc_lsq *p = aimc_lsq_alloc_random(30, 8, 1.0, 0.5, 3, 100, NULL);
    cr_assert_not_null(p);
    double g[8];
    cr_expect_lt(aimc_lsq_loss(p, p->w_star), 1e-28);
    aimc_lsq_gradient(p, p->w_star, g);
    for (int j = 0; j < 8; ++j)
        cr_expect_lt(fabs(g[j]), 1e-14);
    aimc_lsq_free(p);
}

/* Central differences of f agree with ∇f to O(h²·f''') + O(eps·f/h); f is
 * quadratic, so f''' = 0 and only round-off (≈ 1e-16·f/h ≈ 1e-10) remains. */
Test(problem, gradient_matches_finite_differences)
{
    aimc_lsq *p = aimc_lsq_alloc_random(25, 6, 1.0, 0.5, 9, 100, NULL);
    double w[6], g[6];
    for (int j = 0; j < 6; ++j)
        w[j] = 0.3 * j - 0.7;
    aimc_lsq_gradient(p, w, g);
    const double h = 1e-5;
    for (int j = 0; j < 6; ++j) {
        double wp[6], wm[6];
        memcpy(wp, w, sizeof w);
        memcpy(wm, w, sizeof w);
        wp[j] += h;
        wm[j] -= h;
        double fd = (aimc_lsq_loss(p, wp) - aimc_lsq_loss(p, wm)) / (2 * h);
        cr_expect_lt(fabs(fd - g[j]), 1e-8 * (1 + fabs(g[j])), "coordinate %d", j);
    }
    aimc_lsq_free(p);
}

Test(problem, per_sample_factors_sum_to_the_gradient)
{
    aimc_lsq *p = aimc_lsq_alloc_random(40, 5, 1.0, 0.5, 2, 100, NULL);
    double w[5] = {1, -1, 0.5, 0, 2}, g[5], dense[5], d[40];
    aimc_grad grad;
    aimc_lsq_gradient(p, w, g);
    aimc_lsq_grad_factors(p, w, d, dense, &grad);
    cr_expect_eq(grad.batch, 40u);
    for (int j = 0; j < 5; ++j) {
        double s = 0;
        for (size_t b = 0; b < grad.batch; ++b)
            s += grad.scale * grad.d[b] * grad.x[b * 5 + j];
        cr_expect_lt(fabs(s - g[j]), 1e-13 * (1 + fabs(g[j])));
        cr_expect_lt(fabs(dense[j] - g[j]), 1e-13 * (1 + fabs(g[j])));
    }
    aimc_lsq_free(p);
}

/* L is the largest eigenvalue of AᵀA/m: ‖Hv‖ ≤ L‖v‖ for any v, with
 * equality approached by power iteration; μ is the smallest. */
Test(problem, curvature_constants_bound_the_hessian)
{
    aimc_lsq *p = aimc_lsq_alloc_random(100, 50, 1.0, 0.5, 42, 100, NULL);
    cr_expect_gt(p->L, p->mu);
    cr_expect_gt(p->mu, 0.0);
    /* Marchenko–Pastur: eigenvalues of AᵀA/m lie near [(1−√(n/m))², (1+√(n/m))²]
     * = [0.086, 2.91] for n/m = 1/2; finite-size edges move by a few 10 %. */
    cr_expect(p->L > 2.0 && p->L < 4.0, "L = %g", p->L);
    double v[50], hv[50], lam = 0;
    for (int j = 0; j < 50; ++j)
        v[j] = 1.0;
    double zero[50] = {0};
    for (int it = 0; it < 500; ++it) {
        /* H v = ∇f(v + w*) − ∇f(w*) = ∇f(v + w*) since ∇f(w*) = 0 */
        double wv[50];
        for (int j = 0; j < 50; ++j)
            wv[j] = v[j] + p->w_star[j];
        aimc_lsq_gradient(p, wv, hv);
        double nrm = 0;
        for (int j = 0; j < 50; ++j)
            nrm += hv[j] * hv[j];
        nrm = sqrt(nrm);
        lam = nrm;
        for (int j = 0; j < 50; ++j)
            v[j] = hv[j] / nrm;
    }
    (void)zero;
    cr_expect_lt(fabs(lam - p->L), 1e-6 * p->L, "power iteration %g vs %g", lam, p->L);
    aimc_lsq_free(p);
}

Test(problem, bad_sizes_are_refused_with_a_message)
{
    aimc_err err = {0};
    cr_expect_null(aimc_lsq_alloc_random(0, 5, 1, 1, 1, 1, &err));
    cr_expect(strstr(err.msg, "problem") != NULL);
    cr_expect_null(aimc_lsq_alloc_random(5, 5, -1, 1, 1, 1, &err));
}

/* ---- E|μ + σξ| ---------------------------------------------------------- */

typedef struct {
    double mu, sigma;
} shift;

/* |μ + σx|·φ(x), the integrand of the Gaussian moment. */
static double folded_integrand(double x, void *c)
{
    const shift *s = c;
    return fabs(s->mu + s->sigma * x) * exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
}

/* E|μ + σξ|, ξ ~ N(0, 1), by GSL's adaptive quadrature on (−∞, k] and
 * [k, ∞), k = −μ/σ the kink; requested relative error 1e-13. */
static double folded_quadrature(double mu, double sigma)
{
    shift s = {mu, sigma};
    gsl_function F = {folded_integrand, &s};
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    double lo, hi, err;
    gsl_integration_qagil(&F, -mu / sigma, 0.0, 1e-13, 200, w, &lo, &err);
    gsl_integration_qagiu(&F, -mu / sigma, 0.0, 1e-13, 200, w, &hi, &err);
    gsl_integration_workspace_free(w);
    return lo + hi;
}

Test(problem, gaussian_shifted_abs_mean_matches_quadrature)
{
    /* Tolerance 1e-11 relative: the quadrature's requested 1e-13 plus the
     * closed form's few roundings, with room for the quadrature's error
     * estimate being an estimate. */
    const double sigma[] = {0.1, 0.7, 3.0}, ratio[] = {-6.0, -1.3, -0.2, 0.0, 0.05, 0.9, 2.5, 8.0};
    for (size_t i = 0; i < 3; ++i)
        for (size_t j = 0; j < 8; ++j) {
            const double mu = ratio[j] * sigma[i];
            const double got = aimc_gnoise_abs_mean_shifted(AIMC_GNOISE_GAUSSIAN, mu, sigma[i]);
            const double want = folded_quadrature(mu, sigma[i]);
            cr_expect_leq(fabs(got - want), 1e-11 * want, "mu=%g sigma=%g: %.17g vs %.17g", mu,
                          sigma[i], got, want);
        }
}

Test(problem, shifted_abs_mean_has_the_known_limits)
{
    /* μ = 0: exp(0) = 1 and erf(0) = 0 exactly, so E|σξ| to the bit. */
    cr_expect_eq(aimc_gnoise_abs_mean_shifted(AIMC_GNOISE_GAUSSIAN, 0.0, 0.7),
                 aimc_gnoise_abs_mean(AIMC_GNOISE_GAUSSIAN, 0.7));
    /* |μ| = 40σ: the exp term underflows below ε|μ| and erf = ±1 in double,
     * so |μ| up to one rounding. */
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        const double mu = sgn * 40.0 * 0.3;
        cr_expect_leq(fabs(aimc_gnoise_abs_mean_shifted(AIMC_GNOISE_GAUSSIAN, mu, 0.3) - fabs(mu)),
                      DBL_EPSILON * fabs(mu));
    }
    /* Rademacher: the average of the two outcomes, ½(|μ + σ| + |μ − σ|). */
    const double mus[] = {-2.0, -0.5, 0.0, 0.3, 1.0, 4.0};
    for (size_t j = 0; j < 6; ++j) {
        const double m = mus[j], want = 0.5 * (fabs(m + 1.0) + fabs(m - 1.0));
        cr_expect_leq(fabs(aimc_gnoise_abs_mean_shifted(AIMC_GNOISE_RADEMACHER, m, 1.0) - want),
                      DBL_EPSILON * want, "mu=%g", m);
        /* No noise, or σ = 0: |μ|. */
        cr_expect_eq(aimc_gnoise_abs_mean_shifted(AIMC_GNOISE_NONE, m, 1.0), fabs(m));
        cr_expect_eq(aimc_gnoise_abs_mean_shifted(AIMC_GNOISE_GAUSSIAN, m, 0.0), fabs(m));
    }
}

Test(problem, shifted_abs_mean_is_even_in_mu_and_at_least_the_larger_part)
{
    /* E|μ + σξ| = E|−μ − σξ| = E|−μ + σξ| for a symmetric law, and by
     * Jensen ≥ |μ|; by E|σξ| ≤ E|μ + σξ| (a symmetric law's mean absolute
     * value is smallest at its centre) ≥ E|σξ| too. */
    const aimc_gnoise laws[] = {AIMC_GNOISE_GAUSSIAN, AIMC_GNOISE_RADEMACHER};
    for (size_t l = 0; l < 2; ++l)
        for (double mu = 0.05; mu < 3.0; mu *= 1.7) {
            const double a = aimc_gnoise_abs_mean_shifted(laws[l], mu, 0.8);
            const double b = aimc_gnoise_abs_mean_shifted(laws[l], -mu, 0.8);
            cr_expect_leq(fabs(a - b), 4.0 * DBL_EPSILON * a, "law %zu mu=%g", l, mu);
            const double floor = fmax(mu, aimc_gnoise_abs_mean(laws[l], 0.8));
            cr_expect_geq(a, floor * (1.0 - 4.0 * DBL_EPSILON), "law %zu mu=%g", l, mu);
        }
}

/* A with singular values 3 and 1 (any row rotation keeps them): s̄ = 2. */
Test(problem, mean_singular_value_of_a_known_matrix)
{
    aimc_err err = {0};
    aimc_lsq *p = aimc_lsq_alloc_random(4, 2, 1.0, 1.0, 1, 1, &err);
    cr_assert_not_null(p, "%s", err.msg);
    const double c = cos(0.3), s = sin(0.3);
    const double A[8] = {3 * c, 0, 3 * s, 0, 0, 1, 0, 0}; /* rows (3c,0),(3s,0),(0,1),(0,0) */
    memcpy(p->A, A, sizeof A);
    double sbar = 0;
    cr_assert_eq(aimc_lsq_mean_singular_value(p, &sbar, &err), 0, "%s", err.msg);
    cr_assert_float_eq(sbar, 2.0, 1e-12, "s = %.17g", sbar);
    aimc_lsq_free(p);
    aimc_lsq *w = aimc_lsq_alloc_random(2, 3, 1.0, 1.0, 1, 1, &err);
    cr_assert_not_null(w, "%s", err.msg);
    cr_assert_neq(aimc_lsq_mean_singular_value(w, &sbar, &err), 0, "m < n must be refused");
    aimc_lsq_free(w);
}
