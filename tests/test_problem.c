/* test_problem.c — least squares: gradients, factors, curvature. */
#include <math.h>
#include <stdlib.h>
#include <criterion/criterion.h>

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
