/* test_train.c — the shared training loop and the noise laws it uses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "aimc/train.h"

static void setup(void) { gsl_set_error_handler_off(); }
TestSuite(train, .init = setup);

/* The loop adds nothing of its own: Digital SGD through aimc_lsq_train is
 * the textbook iteration w ← w − α∇f(w).  The loop forms the gradient as
 * Aᵀ(r/m), the reference as (Aᵀr)/m: one rounding apart per step, and the
 * iteration is a contraction (α < 2/L), so the two stay within ~1e-13. */
Test(train, digital_sgd_through_the_loop_is_the_plain_iteration)
{
    aimc_lsq *p = aimc_lsq_alloc_random(20, 6, 1.0, 0.5, 4, 100, NULL);
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    tp.algo = &aimc_optim_dsgd;
    tp.optim.alpha = 0.05;
    tp.steps = 50;
    tp.w0_value = 0.3;
    double loss[51], w_loop[6];
    aimc_lsq_trace tr = {.loss = loss, .final_w = w_loop};
    cr_assert_eq(aimc_lsq_train(p, &tp, 1, &tr, NULL), GSL_SUCCESS);
    double w[6], g[6];
    for (int j = 0; j < 6; ++j)
        w[j] = 0.3;
    for (int k = 0; k < 50; ++k) {
        const double f = aimc_lsq_loss(p, w);
        cr_assert_leq(fabs(loss[k] - f), 1e-13 * f, "loss at step %d", k);
        aimc_lsq_gradient(p, w, g);
        for (int j = 0; j < 6; ++j)
            w[j] -= 0.05 * g[j];
    }
    for (int j = 0; j < 6; ++j)
        cr_expect_leq(fabs(w[j] - w_loop[j]), 1e-13, "coordinate %d", j);
    aimc_lsq_free(p);
}

/* Noisy forward reads are unbiased: d_n gains σ‖a_n‖ξ_n/m, so the dense
 * gradient gains Σ_n a_n σ‖a_n‖ξ_n/m with per-coordinate variance
 * v_j = Σ_n (σ‖a_n‖ a_nj/m)².  The mean of N draws must lie within five
 * standard errors sqrt(v_j/N) of the exact gradient. */
Test(train, noisy_reads_give_an_unbiased_gradient_with_the_predicted_spread)
{
    aimc_lsq *p = aimc_lsq_alloc_random(30, 4, 1.0, 0.5, 8, 100, NULL);
    const double sigma = 0.2, w[4] = {0.1, -0.2, 0.3, 0.0};
    double exact[4], d[30], dense[4], mean[4] = {0}, var[4] = {0};
    aimc_lsq_gradient(p, w, exact);
    for (size_t n = 0; n < 30; ++n) {
        double an = 0;
        for (int j = 0; j < 4; ++j)
            an += p->A[n * 4 + j] * p->A[n * 4 + j];
        for (int j = 0; j < 4; ++j)
            var[j] += pow(sigma * sqrt(an) * p->A[n * 4 + j] / 30.0, 2);
    }
    aimc_stream s;
    aimc_stream_init(&s, 3, 77, 0, 0);
    const int N = 20000;
    for (int it = 0; it < N; ++it) {
        aimc_grad g;
        aimc_lsq_grad_factors_read_noise(p, w, sigma, &s, d, dense, &g);
        for (int j = 0; j < 4; ++j)
            mean[j] += dense[j] / N;
    }
    for (int j = 0; j < 4; ++j)
        cr_expect_lt(fabs(mean[j] - exact[j]), 5 * sqrt(var[j] / N), "coordinate %d", j);
    aimc_lsq_free(p);
}

/* b = A w* makes every mini-batch gradient vanish at w*, so mini-batch SGD
 * converges to w* exactly (no noise floor without gradient noise). */
Test(train, minibatch_sgd_converges_on_a_consistent_problem)
{
    aimc_lsq *p = aimc_lsq_alloc_random(60, 5, 1.0, 0.5, 2, 100, NULL);
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    tp.algo = &aimc_optim_dsgd;
    tp.optim.alpha = 0.1;
    tp.steps = 3000;
    tp.batch = 6;
    double dist[3001];
    aimc_lsq_trace tr = {.dist = dist};
    cr_assert_eq(aimc_lsq_train(p, &tp, 5, &tr, NULL), GSL_SUCCESS);
    cr_expect_lt(dist[3000], 1e-8 * dist[0], "%g from %g", dist[3000], dist[0]);
    aimc_lsq_free(p);
}

/* Digital SGD with α = 50 ≫ 2/L grows |w| geometrically, so the loss
 * (quadratic in w) overflows to inf while W is still finite: the loop must
 * stop at the first state whose loss is not finite, name "loss", keep W of
 * that state, and mark the entries after it as never computed (NaN). */
Test(train, a_diverging_run_stops_with_the_step_named)
{
    aimc_lsq *p = aimc_lsq_alloc_random(20, 5, 1.0, 0.5, 2, 100, NULL);
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    tp.algo = &aimc_optim_dsgd;
    tp.optim.alpha = 50.0; /* far beyond 2/L */
    tp.steps = 5000;
    static double loss[5001];
    double w[5];
    aimc_lsq_trace tr = {.loss = loss, .final_w = w};
    aimc_err err = {0};
    cr_assert_eq(aimc_lsq_train(p, &tp, 1, &tr, &err), GSL_ERANGE);
    size_t k = 0;
    while (isfinite(loss[k]))
        ++k;
    cr_assert_lt(k, 5000, "the run should diverge well before its last step");
    cr_expect_eq(tr.diverged, 1);
    cr_expect_eq(tr.diverged_step, k);
    cr_expect_str_eq(tr.diverged_parameter, "loss");
    cr_expect(isinf(tr.diverged_value) && tr.diverged_value > 0, "%g", tr.diverged_value);
    cr_expect_eq(loss[k], tr.diverged_value);
    for (int j = 0; j < 5; ++j)
        cr_expect(isfinite(w[j]), "W[%d] = %g at the diverged state", j, w[j]);
    for (size_t j = k + 1; j <= 5000; ++j)
        cr_assert(isnan(loss[j]), "loss[%zu] = %g after the stop", j, loss[j]);
    char want[96];
    snprintf(want, sizeof want, "dsgd diverged at step %zu (loss = inf)", k);
    cr_expect(strstr(err.msg, want) != NULL, "%s (want %s)", err.msg, want);
    aimc_lsq_free(p);
}

/* A NaN or inf in W or P is found by name at the state it is in, before
 * the loss is looked at: here put into W0 (or P0) at one index, it must stop
 * the run at step 0 naming exactly that entry and its value.  For
 * Tiki-Taka the loss at W + γP is not finite either, but the parameter
 * comes first; W is checked before P. */
static void expect_named(const aimc_optim_type *algo, const double *w0, const double *p0,
                         const char *name, double value)
{
    aimc_lsq *p = aimc_lsq_alloc_random(12, 6, 1.0, 0.5, 3, 100, NULL);
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    tp.algo = algo;
    tp.steps = 20;
    tp.w0 = w0;
    tp.p0 = p0;
    double loss[21], lmain[21], dist[21];
    aimc_lsq_trace tr = {.loss = loss, .loss_main = lmain, .dist = dist};
    aimc_err err = {0};
    cr_assert_eq(aimc_lsq_train(p, &tp, 3, &tr, &err), GSL_ERANGE, "%s: %s", name, err.msg);
    cr_expect_eq(tr.diverged, 1);
    cr_expect_eq(tr.diverged_step, 0, "%s: step %zu", name, tr.diverged_step);
    cr_expect_str_eq(tr.diverged_parameter, name);
    if (isnan(value))
        cr_expect(isnan(tr.diverged_value), "%s = %g", name, tr.diverged_value);
    else
        cr_expect_eq(tr.diverged_value, value, "%s = %g", name, tr.diverged_value);
    for (int j = 1; j <= 20; ++j)
        cr_expect(isnan(loss[j]) && isnan(lmain[j]) && isnan(dist[j]), "entry %d", j);
    char want[64];
    snprintf(want, sizeof want, "at step 0 (%s = %g)", name, value);
    cr_expect(strstr(err.msg, want) != NULL, "%s (want %s)", err.msg, want);
    aimc_lsq_free(p);
}

Test(train, a_nonfinite_weight_is_named_with_its_step_and_value)
{
    double w0[6] = {0.1, -0.1, 0.2, 0, 0.05, 0}, p0[6] = {0};
    w0[3] = NAN;
    expect_named(&aimc_optim_asgd, w0, NULL, "W[3]", NAN);
    expect_named(&aimc_optim_rl, w0, NULL, "W[3]", NAN);
    w0[3] = 0;
    w0[5] = -INFINITY; /* a device clips ±inf into [-tau, tau]; digital W keeps it */
    expect_named(&aimc_optim_dsgd, w0, NULL, "W[5]", -INFINITY);
    w0[5] = 0;
    p0[2] = NAN;
    expect_named(&aimc_optim_rl, w0, p0, "P[2]", NAN);
    w0[4] = NAN; /* W before P */
    expect_named(&aimc_optim_rl, w0, p0, "W[4]", NAN);
}

/* A run that stays finite says so, whatever the trace held before. */
Test(train, a_finite_run_records_no_divergence)
{
    aimc_lsq *p = aimc_lsq_alloc_random(12, 6, 1.0, 0.5, 3, 100, NULL);
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    tp.algo = &aimc_optim_rl;
    tp.steps = 50;
    double loss[51];
    aimc_lsq_trace tr = {.loss = loss, .diverged = 1, .diverged_step = 7,
                         .diverged_parameter = "W[1]", .diverged_value = NAN};
    cr_assert_eq(aimc_lsq_train(p, &tp, 3, &tr, NULL), GSL_SUCCESS);
    cr_expect_eq(tr.diverged, 0);
    cr_expect_eq(tr.diverged_step, 0);
    cr_expect_str_empty(tr.diverged_parameter);
    for (int k = 0; k <= 50; ++k)
        cr_expect(isfinite(loss[k]), "loss[%d]", k);
    aimc_lsq_free(p);
}

Test(train, digital_noise_needs_a_dense_kernel)
{
    aimc_lsq *p = aimc_lsq_alloc_random(10, 3, 1.0, 0.5, 2, 100, NULL);
    aimc_lsq_train_params tp = aimc_lsq_train_default_params(); /* asgd, rank1 */
    tp.noise = AIMC_GNOISE_GAUSSIAN;
    tp.noise_sigma = 0.1;
    aimc_lsq_trace tr = {0};
    aimc_err err = {0};
    cr_expect_eq(aimc_lsq_train(p, &tp, 1, &tr, &err), GSL_EINVAL);
    cr_expect(strstr(err.msg, "dense") != NULL, "%s", err.msg);
    aimc_lsq_free(p);
}

/* E|σξ| is σ for Rademacher and σ·sqrt(2/π) for Gaussian noise; the sample
 * mean of |noise| must sit within five standard errors (Var|σξ| = σ² −
 * (E|σξ|)²) of it. */
Test(train, noise_laws_have_their_first_absolute_moment)
{
    const aimc_gnoise kinds[2] = {AIMC_GNOISE_GAUSSIAN, AIMC_GNOISE_RADEMACHER};
    for (int k = 0; k < 2; ++k) {
        aimc_stream s;
        aimc_stream_init(&s, 9, 1, 0, (uint32_t)k);
        const int N = 100000;
        const double sigma = 0.7;
        double *g = calloc(N, sizeof *g), m = 0;
        aimc_gnoise_add(g, N, kinds[k], sigma, &s);
        for (int i = 0; i < N; ++i) {
            m += fabs(g[i]) / N;
            if (kinds[k] == AIMC_GNOISE_RADEMACHER)
                cr_assert_eq(fabs(g[i]), sigma);
        }
        const double want = aimc_gnoise_abs_mean(kinds[k], sigma);
        const double sd = sqrt(sigma * sigma - want * want);
        /* + the rounding of N summed terms, below N·eps relative */
        cr_expect_leq(fabs(m - want), 5 * sd / sqrt((double)N) + N * 2.3e-16 * want, "%s: %g vs %g",
                      k ? "rademacher" : "gaussian", m, want);
        free(g);
    }
    cr_expect_eq(aimc_gnoise_find("rademacher"), AIMC_GNOISE_RADEMACHER);
    cr_expect_eq(aimc_gnoise_find("cauchy"), -1);
}

Test(train, separable_quadratic_has_the_stated_gradient_and_constants)
{
    const double lam[3] = {0.5, 2.0, 1.0}, ws[3] = {1.0, -1.0, 0.25}, w[3] = {0, 0, 0};
    aimc_quad *q = aimc_quad_alloc(3, lam, ws, AIMC_GNOISE_NONE, 0.0, NULL);
    double g[3];
    aimc_quad_gradient(q, w, g);
    for (int k = 0; k < 3; ++k)
        cr_expect_eq(g[k], lam[k] * (w[k] - ws[k]));
    cr_expect_eq(q->L, 2.0);
    cr_expect_eq(q->mu, 0.5);
    cr_expect_float_eq(aimc_quad_loss(q, w), 0.5 * (0.5 + 2.0 + 0.0625), 1e-15);
    aimc_quad_free(q);
    aimc_err err = {0};
    const double bad[1] = {-1.0};
    cr_expect_null(aimc_quad_alloc(1, bad, ws, AIMC_GNOISE_NONE, 0.0, &err));
}
