/* test_tile.c — the update kernels against the model they implement. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "aimc/tile.h"
#include "families.h"

static aimc_tile_params params_of(const aimc_response_type *t, double tau, double dw_min)
{
    aimc_tile_params p = aimc_tile_default_params();
    aimc_response_params rp = test_family_params(t, tau);
    cr_assert_eq(aimc_response_init(&p.device.response, t, &rp, NULL), GSL_SUCCESS);
    p.device.dw_min = dw_min;
    return p;
}

/* (5) is (3) written with F and G: w + Δw·q₊(w) for Δw ≥ 0, w + Δw·q₋(w)
 * otherwise.  Checked for every family on a grid of weights, both signs. */
Test(tile, compact_update_is_equation_3_for_both_signs)
{
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f) {
        const aimc_response_type *ty = aimc_response_types[f];
        aimc_tile_params p = params_of(ty, 1.0, 1e-3);
        p.update = &aimc_update_compact;
        aimc_tile *t = aimc_tile_alloc(2, 9, &p, 1, 1, NULL);
        cr_assert_not_null(t);
        double w[18], dW[18];
        for (int k = 0; k < 18; ++k) {
            w[k] = -0.8 + 0.1 * (k % 9) * 2;
            dW[k] = (k < 9 ? 1 : -1) * 0.01 * (1 + k % 3);
        }
        aimc_tile_set_weights(t, w);
        aimc_tile_apply_compact(t, dW);
        const double *nw = aimc_tile_weights(t);
        for (int k = 0; k < 18; ++k) {
            double qp, qm;
            aimc_response_q(&p.device.response, w[k], &qp, &qm);
            double want = w[k] + dW[k] * (dW[k] >= 0 ? qp : qm);
            /* Same arithmetic, one rounding apart at most. */
            cr_expect_float_eq(nw[k], want, 1e-15, "%s k=%d: %.17g vs %.17g", ty->name, k, nw[k],
                               want);
            double F = aimc_response_F(&p.device.response, w[k]);
            double G = aimc_response_G(&p.device.response, w[k]);
            cr_expect_float_eq(nw[k], w[k] + dW[k] * F - fabs(dW[k]) * G, 1e-12);
        }
        aimc_tile_free(t);
    }
}

/* The compact kernel (chunked, one family call per chunk, one side per
 * element where the family has eval_one) gives the bits of the scalar
 * definition, aimc_device_q then aimc_device_clip, for every family, with
 * and without device variation, across chunk boundaries, with both signs,
 * zeros and −0 in ΔW and weights at and beyond the bounds. */
Test(tile, compact_update_matches_device_q_and_clip_to_the_bit)
{
    enum { R = 3, C = 400, N = R * C };
    static double w[N], dW[N], ref[N], qp[N], qm[N];
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f)
        for (int vary = 0; vary < 2; ++vary) {
            const aimc_response_type *ty = aimc_response_types[f];
            aimc_tile_params p = params_of(ty, 1.0, 1e-3);
            p.update = &aimc_update_compact;
            if (vary) {
                p.device.dw_min_dtod = 0.3;
                p.device.bounds_dtod = 0.3;
                p.device.up_down_dtod = 0.01;
                p.device.ref_std = 0.05;
            }
            aimc_tile *t = aimc_tile_alloc(R, C, &p, 7, 3, NULL);
            cr_assert_not_null(t);
            for (size_t k = 0; k < N; ++k) {
                w[k] = 1.2 * sin(0.37 * (double)k);   /* beyond ±1 at times */
                dW[k] = 0.05 * cos(1.3 * (double)k); /* both signs */
                if (k % 97 == 0)
                    dW[k] = k % 2 ? -0.0 : 0.0;
            }
            aimc_tile_set_weights(t, w);
            memcpy(ref, aimc_tile_weights(t), sizeof ref); /* as the tile holds them */
            aimc_tile_apply_compact(t, dW);
            const aimc_device *d = aimc_tile_device(t);
            aimc_device_q(d, 0, N, ref, qp, qm);
            for (size_t k = 0; k < N; ++k)
                ref[k] = ref[k] + dW[k] * (dW[k] >= 0.0 ? qp[k] : qm[k]);
            aimc_device_clip(d, 0, N, ref);
            const double *got = aimc_tile_weights(t);
            for (size_t k = 0; k < N; ++k)
                cr_assert_eq(memcmp(&got[k], &ref[k], sizeof ref[k]), 0,
                             "%s vary %d k=%zu: %.17g vs %.17g", ty->name, vary, k, got[k],
                             ref[k]);
            aimc_tile_free(t);
        }
}

/* Statistical agreement of the pulsed kernel (27) with its expectation.
 * Softbounds is linear in w and additive cycle noise has mean zero, so the
 * mean of a train of n noisy pulses equals the noise-free train; with
 * stochastic rounding n is floor(k) or floor(k)+1 with P(+1) = frac(k).  The
 * exact mean is therefore a mixture of two noise-free trains, and the sample
 * mean of N trains must sit within five standard errors of it. */
Test(tile, mean_of_noisy_pulse_trains_matches_its_exact_expectation)
{
    aimc_tile_params p = params_of(&aimc_response_softbounds, 1.0, 1e-3);
    p.update = &aimc_update_pulsed;
    p.pulse.bl_max = 1000;
    p.device.sigma_c = 0.5;
    const size_t N = 4000;
    aimc_tile *t = aimc_tile_alloc(1, N, &p, 7, 1, NULL);
    const double w0 = 0.3, dw = 0.0237; /* k = 23.7 pulses */
    double *dW = malloc(N * sizeof *dW);
    for (size_t i = 0; i < N; ++i)
        dW[i] = dw;
    aimc_tile_fill(t, w0);
    aimc_tile_apply_pulsed(t, dW);
    const double *w = aimc_tile_weights(t);
    double s = 0, s2 = 0;
    for (size_t i = 0; i < N; ++i) {
        s += w[i];
        s2 += w[i] * w[i];
    }
    const double mean = s / N, var = (s2 - N * mean * mean) / (N - 1);
    const double a = 1 - 1e-3 / 1.0;
    const double w23 = 1.0 - (1.0 - w0) * pow(a, 23), w24 = 1.0 - (1.0 - w0) * pow(a, 24);
    const double exact = 0.3 * w23 + 0.7 * w24;
    cr_expect_lt(fabs(mean - exact), 5 * sqrt(var / N), "mean %.10g exact %.10g se %.3g", mean,
                 exact, sqrt(var / N));
    free(dW);
    aimc_tile_free(t);
}

/* Theorem 4: as Δw → 0 with Δw_min = o(Δw), the pulse train approaches the
 * compact update relative to the step: |train − compact|/|train − w| → 0.
 * With ceil rounding (29) the gap is Θ(Δw_min) + Θ(Δw²); taking Δw_min =
 * Δw^1.5 makes the ratio Θ(Δw^0.5) + Θ(Δw): it must fall at every level and
 * be about 0.01 at Δw = 1e-4 (bound 0.05 leaves the constants room). */
Test(tile, pulse_train_approaches_the_compact_update_theorem_4)
{
    const double dws[4] = {1e-1, 1e-2, 1e-3, 1e-4};
    double prev = INFINITY;
    for (int l = 0; l < 4; ++l) {
        const double dw = dws[l], dwmin = pow(dw, 1.5);
        aimc_tile_params p = params_of(&aimc_response_power, 1.0, dwmin);
        p.pulse.bl_max = 4096;
        p.pulse.rounding = AIMC_ROUND_CEIL;
        aimc_tile *t = aimc_tile_alloc(1, 1, &p, 1, 1, NULL), *c = aimc_tile_alloc(1, 1, &p, 1, 1, NULL);
        const double w0 = 0.25, d = -dw;
        aimc_tile_fill(t, w0);
        aimc_tile_fill(c, w0);
        aimc_tile_apply_pulsed(t, &d);
        aimc_tile_apply_compact(c, &d);
        const double wt = aimc_tile_weights(t)[0], wc = aimc_tile_weights(c)[0];
        const double ratio = fabs(wt - wc) / fabs(wt - w0);
        cr_expect_lt(ratio, prev, "dw %g: ratio %g did not fall (previous %g)", dw, ratio, prev);
        prev = ratio;
        aimc_tile_free(t);
        aimc_tile_free(c);
    }
    cr_expect_lt(prev, 0.05, "ratio at dw = 1e-4 is %g", prev);
}

/* SPEC §1.6: A·B = λ/(Δw_min·BL); with update management the largest x and
 * d both fire with probability sqrt(k/BL). */
Test(tile, rank1_plan_satisfies_its_identities)
{
    aimc_pulse_settings s = aimc_pulse_default_settings();
    s.bl_max = 31;
    const double lr = 0.01, g = 1e-3;
    const double xm[3] = {1.0, 0.5, 3.0}, dm[3] = {0.1, 0.02, 2.0};
    for (int c = 0; c < 3; ++c) {
        aimc_rank1_plan pl = aimc_rank1_plan_make(&s, lr, g, xm[c], dm[c]);
        const double k = lr * xm[c] * dm[c] / g;
        cr_expect_eq(pl.bl, k >= 31 ? 31u : (unsigned)ceil(k));
        cr_expect_float_eq(pl.scale_x * pl.scale_d, lr / (g * pl.bl), 1e-12);
        if (k <= 31) {
            cr_expect_float_eq(xm[c] * pl.scale_x, sqrt(k / pl.bl), 1e-12);
            cr_expect_float_eq(dm[c] * pl.scale_d, sqrt(k / pl.bl), 1e-12);
        } else { /* clipped: largest x always fires, d probability saturates */
            cr_expect_float_eq(xm[c] * pl.scale_x, 1.0, 1e-12);
            cr_expect_geq(dm[c] * pl.scale_d, 1.0);
        }
    }
    /* the aihwkit worked example: λ = 0.01, x̂ = 1, d̂ = 0.1, g = 1e-3 → BL = 1, A = 10, B = 1 */
    aimc_rank1_plan pl = aimc_rank1_plan_make(&s, 0.01, 1e-3, 1.0, 0.1);
    cr_expect_eq(pl.bl, 1u);
    cr_expect_float_eq(pl.scale_d, 10.0, 1e-12);
    cr_expect_float_eq(pl.scale_x, 1.0, 1e-12);
}

/* Binomial test of the coincidence counts: on an ideal device each pulse
 * moves a weight by exactly ±Δw_min, so the count is read off the weight.
 * Unclipped, n_ij ~ Binomial(BL, p_j p_i) with mean λ|x_j d_i|/Δw_min. */
Test(tile, rank1_counts_are_binomial_with_the_sgd_mean)
{
    aimc_tile_params p = params_of(&aimc_response_ideal, 1.0, 1e-3);
    const size_t rows = 3, cols = 4;
    aimc_tile *t = aimc_tile_alloc(rows, cols, &p, 12, 1, NULL);
    const double x[4] = {0.9, -0.45, 0.2, 0.0}, d[3] = {0.02, -0.01, 0.005};
    const double lr = 0.5; /* k = 0.5·0.9·0.02/1e-3 = 9 ≤ 31: unclipped */
    const int N = 20000;
    double sum[12] = {0}, sum2[12] = {0};
    for (int it = 0; it < N; ++it) {
        aimc_tile_fill(t, 0.0);
        aimc_tile_apply_rank1(t, x, d, lr);
        const double *w = aimc_tile_weights(t);
        for (size_t k = 0; k < rows * cols; ++k) {
            double n = -w[k] / 1e-3; /* signed count along −sign(d x) */
            sum[k] += n;
            sum2[k] += n * n;
        }
    }
    aimc_rank1_plan pl = aimc_rank1_plan_make(&p.pulse, lr, 1e-3, 0.9, 0.02);
    for (size_t i = 0; i < rows; ++i)
        for (size_t j = 0; j < cols; ++j) {
            const size_t k = i * cols + j;
            const double want = lr * x[j] * d[i] / 1e-3;
            const double q = fmin(1, fabs(x[j]) * pl.scale_x) * fmin(1, fabs(d[i]) * pl.scale_d);
            const double var = pl.bl * q * (1 - q);
            const double mean = sum[k] / N;
            cr_expect_float_eq(pl.bl * q, fabs(want), 1e-9, "E[n] formula, element %zu", k);
            if (var == 0) {
                cr_expect_eq(mean, want);
                continue;
            }
            cr_expect_lt(fabs(mean - want), 5 * sqrt(var / N), "element (%zu,%zu): %g vs %g", i,
                         j, mean, want);
            /* Var of the sample variance ≈ 2σ⁴/N (+ kurtosis term, small
             * here); allow five of its standard errors plus 10 %. */
            const double svar = sum2[k] / N - mean * mean;
            cr_expect_lt(fabs(svar - var), 5 * sqrt(2.0 / N) * var + 0.1 * var,
                         "variance (%zu,%zu): %g vs %g", i, j, svar, var);
        }
    aimc_tile_free(t);
}

/* Clipping regime (aihwkit note §1.4): with k > BL_max the largest x fires
 * every slot, so E[n_ij] = BL_max·|x_j|/x̂ for the saturated d rows. */
Test(tile, rank1_clips_the_gradient_at_bl_max)
{
    aimc_tile_params p = params_of(&aimc_response_ideal, 1.0, 1e-3);
    p.pulse.bl_max = 8;
    aimc_tile *t = aimc_tile_alloc(1, 2, &p, 3, 1, NULL);
    const double x[2] = {1.0, 0.5}, d[1] = {1.0};
    const int N = 5000;
    double s0 = 0, s1 = 0;
    for (int it = 0; it < N; ++it) {
        aimc_tile_fill(t, 0.0);
        aimc_tile_apply_rank1(t, x, d, 1.0); /* k = 1000 ≫ 8 */
        s0 += -aimc_tile_weights(t)[0] / 1e-3;
        s1 += -aimc_tile_weights(t)[1] / 1e-3;
    }
    cr_expect_float_eq(s0 / N, 8.0, 1e-12, "the largest element gets exactly BL_max pulses");
    /* x = 0.5 fires with p = 1/2 in each of 8 slots: mean 4, SE sqrt(2/N). */
    cr_expect_lt(fabs(s1 / N - 4.0), 5 * sqrt(2.0 / N));
    aimc_tile_free(t);
}

Test(tile, rank1_pulse_signs_follow_sgd)
{
    aimc_tile_params p = params_of(&aimc_response_ideal, 1.0, 1e-3);
    aimc_tile *t = aimc_tile_alloc(1, 1, &p, 3, 1, NULL);
    const double x = 1.0, d = 0.01;
    aimc_tile_fill(t, 0.0);
    aimc_tile_apply_rank1(t, &x, &d, 1.0); /* W −= λ d x: decreases */
    cr_expect_lt(aimc_tile_weights(t)[0], 0.0);
    aimc_tile_fill(t, 0.0);
    aimc_tile_apply_rank1(t, &x, &d, -1.0); /* negative λ reverses */
    cr_expect_gt(aimc_tile_weights(t)[0], 0.0);
    aimc_tile_free(t);
}

Test(tile, mean_count_mode_is_deterministic_and_unbiased_when_exact)
{
    aimc_tile_params p = params_of(&aimc_response_ideal, 1.0, 1e-3);
    p.pulse.mean_count = 1;
    aimc_tile *t = aimc_tile_alloc(1, 2, &p, 3, 1, NULL);
    /* k = 1·1·0.016/1e-3 = 16 → BL 16, p = 1 for both maxima: 16 pulses;
     * x = 0.25 → c_j = rint(16·0.25) = 4 → n = rint(16·4/16) = 4. */
    const double x[2] = {1.0, 0.25}, d = 0.016;
    aimc_tile_fill(t, 0.0);
    aimc_tile_apply_rank1(t, x, &d, 1.0);
    cr_expect_float_eq(aimc_tile_weights(t)[0], -16e-3, 1e-15);
    cr_expect_float_eq(aimc_tile_weights(t)[1], -4e-3, 1e-15);
    aimc_tile_free(t);
}

/* Rows draw from their own streams: the thread count cannot change results. */
Test(tile, results_do_not_depend_on_the_thread_count)
{
#ifdef _OPENMP
    aimc_tile_params p = params_of(&aimc_response_power, 1.0, 1e-3);
    p.device.sigma_c = 0.3;
    const size_t rows = 64, cols = 32;
    double x[32], d[64], *w1 = malloc(rows * cols * sizeof *w1);
    for (size_t j = 0; j < cols; ++j)
        x[j] = sin(1.0 + j);
    for (size_t i = 0; i < rows; ++i)
        d[i] = 0.01 * cos(2.0 + i);
    for (int threads = 1; threads <= 2; ++threads) {
        omp_set_num_threads(threads);
        aimc_tile *t = aimc_tile_alloc(rows, cols, &p, 5, 1, NULL);
        for (int it = 0; it < 20; ++it)
            aimc_tile_apply_rank1(t, x, d, 0.1);
        if (threads == 1)
            memcpy(w1, aimc_tile_weights(t), rows * cols * sizeof *w1);
        else
            cr_expect_arr_eq(w1, aimc_tile_weights(t), rows * cols * sizeof *w1);
        aimc_tile_free(t);
    }
    free(w1);
#else
    cr_skip_test("built without OpenMP");
#endif
}

Test(tile, update_dispatch_checks_shapes_and_factors)
{
    aimc_tile_params p = params_of(&aimc_response_softbounds, 1.0, 1e-3);
    aimc_tile *t = aimc_tile_alloc(2, 3, &p, 1, 1, NULL);
    double dense[6] = {0};
    aimc_err err = {0};
    aimc_grad g = {2, 3, dense, 0, NULL, NULL, 1.0};
    cr_expect_neq(aimc_tile_update(t, &g, 0.1, &err), GSL_SUCCESS, "rank1 needs factors");
    g.rows = 3;
    cr_expect_neq(aimc_tile_update(t, &g, 0.1, &err), GSL_SUCCESS, "shape mismatch");
    cr_expect_not_null(aimc_update_type_find("compact"));
    cr_expect_null(aimc_update_type_find("nonsense"));
    aimc_tile_free(t);
}

Test(tile, float_update_is_exact_inside_the_bounds)
{
    aimc_tile_params p = params_of(&aimc_response_softbounds, 1.0, 1e-3);
    p.update = &aimc_update_float;
    aimc_tile *t = aimc_tile_alloc(1, 2, &p, 1, 1, NULL);
    double g[2] = {0.5, -30.0};
    aimc_grad gr = {1, 2, g, 0, NULL, NULL, 1.0};
    aimc_tile_fill(t, 0.1);
    cr_assert_eq(aimc_tile_update(t, &gr, 0.1, NULL), GSL_SUCCESS);
    cr_expect_eq(aimc_tile_weights(t)[0], 0.1 - 0.1 * 0.5);
    cr_expect_eq(aimc_tile_weights(t)[1], 1.0, "clipped at the bound");
    aimc_tile_free(t);
}

/* ---- pins: the optimized pulsing kernels against the reference ----------
 *
 * The reference kernels below are the straightforward forms the library
 * kernels replaced: element by element through aimc_device_pulse_train /
 * aimc_device_pulse, Bernoulli slots drawn one word at a time.  The
 * optimized kernels (lib/tile/trains.c, bulk draws) must give the same
 * weights and pulse counts to the bit, for every family, with and without
 * device variation and cycle noise, on a small (serial) and a large
 * (threaded, several column chunks) tile. */

static unsigned ref_round(double k, aimc_rounding mode, unsigned cap, aimc_stream *s)
{
    double n;
    if (mode == AIMC_ROUND_CEIL)
        n = ceil(k);
    else if (mode == AIMC_ROUND_NEAREST)
        n = floor(k + 0.5);
    else {
        const double fl = floor(k);
        n = fl + (aimc_stream_uniform(s) < k - fl ? 1.0 : 0.0);
    }
    return n >= (double)cap ? cap : (unsigned)n;
}

typedef struct {
    const aimc_device *dev;
    size_t rows, cols;
    uint64_t seed;
    uint32_t object;
    aimc_pulse_settings ps;
} ref_tile;

static uint64_t ref_pulsed(const ref_tile *r, double *w, const double *dW, uint64_t step)
{
    uint64_t fired = 0;
    for (size_t i = 0; i < r->rows; ++i) {
        aimc_stream rs, ns;
        aimc_stream_init(&rs, r->seed, AIMC_PURPOSE(r->object, AIMC_ROLE_ROUND), (uint32_t)step,
                         (uint32_t)i);
        aimc_stream_init(&ns, r->seed, AIMC_PURPOSE(r->object, AIMC_ROLE_CYCLE), (uint32_t)step,
                         (uint32_t)i);
        for (size_t j = 0; j < r->cols; ++j) {
            const size_t k = i * r->cols + j;
            if (dW[k] == 0.0)
                continue;
            const unsigned n = ref_round(fabs(dW[k]) / r->dev->p.dw_min, r->ps.rounding,
                                         r->ps.bl_max, &rs);
            w[k] = aimc_device_pulse_train(r->dev, k, w[k], dW[k] > 0 ? 1 : -1, n, &ns);
            fired += n;
        }
    }
    return fired;
}

static void ref_train_bits(uint64_t *words, unsigned nw, unsigned bl, double p, aimc_stream *s)
{
    memset(words, 0, nw * sizeof *words);
    const uint64_t thr = aimc_bernoulli_threshold(p);
    if (thr == 0)
        return;
    for (unsigned slot = 0; slot < bl; ++slot)
        if (thr >> 32 != 0 || aimc_stream_fires(s, thr))
            words[slot >> 6] |= (uint64_t)1 << (slot & 63);
}

static uint64_t ref_rank1(const ref_tile *r, double *w, const double *x, const double *d,
                          double lr, uint64_t step)
{
    double xm = 0, dm = 0;
    for (size_t j = 0; j < r->cols; ++j)
        xm = fmax(xm, fabs(x[j]));
    for (size_t i = 0; i < r->rows; ++i)
        dm = fmax(dm, fabs(d[i]));
    const double sg = lr < 0 ? -1.0 : 1.0;
    const aimc_rank1_plan plan = aimc_rank1_plan_make(&r->ps, fabs(lr), r->dev->p.dw_min, xm, dm);
    if (plan.bl == 0)
        return 0;
    const unsigned nw = (r->ps.bl_max + 63) / 64;
    uint64_t *xb = calloc(r->cols * nw, 8), *db = calloc(r->rows * nw, 8), fired = 0;
    aimc_stream xs, ds;
    aimc_stream_init(&xs, r->seed, AIMC_PURPOSE(r->object, AIMC_ROLE_XBITS), (uint32_t)step, 0);
    aimc_stream_init(&ds, r->seed, AIMC_PURPOSE(r->object, AIMC_ROLE_DBITS), (uint32_t)step, 0);
    for (size_t j = 0; j < r->cols && !r->ps.mean_count; ++j)
        ref_train_bits(xb + j * nw, nw, plan.bl, fabs(x[j]) * plan.scale_x, &xs);
    for (size_t i = 0; i < r->rows && !r->ps.mean_count; ++i)
        ref_train_bits(db + i * nw, nw, plan.bl, fabs(d[i]) * plan.scale_d, &ds);
    for (size_t i = 0; i < r->rows; ++i) {
        aimc_stream ns;
        aimc_stream_init(&ns, r->seed, AIMC_PURPOSE(r->object, AIMC_ROLE_CYCLE), (uint32_t)step,
                         (uint32_t)i);
        const double ci = rint(plan.bl * fmin(1.0, fabs(d[i]) * plan.scale_d));
        for (size_t j = 0; j < r->cols; ++j) {
            unsigned n = 0;
            if (r->ps.mean_count)
                n = (unsigned)rint(ci * rint(plan.bl * fmin(1.0, fabs(x[j]) * plan.scale_x)) /
                                   plan.bl);
            else
                for (unsigned q = 0; q < nw; ++q)
                    n += (unsigned)__builtin_popcountll(xb[j * nw + q] & db[i * nw + q]);
            if (n == 0)
                continue;
            const size_t k = i * r->cols + j;
            w[k] = aimc_device_pulse_train(r->dev, k, w[k], (d[i] * x[j] * sg > 0) ? -1 : 1, n,
                                           &ns);
            fired += n;
        }
    }
    free(xb);
    free(db);
    return fired;
}

static uint64_t ref_single(const ref_tile *r, double *w, const signed char *sign, uint64_t step)
{
    uint64_t fired = 0;
    for (size_t i = 0; i < r->rows; ++i) {
        aimc_stream ns;
        aimc_stream_init(&ns, r->seed, AIMC_PURPOSE(r->object, AIMC_ROLE_CYCLE), (uint32_t)step,
                         (uint32_t)i);
        for (size_t j = 0; j < r->cols; ++j) {
            const size_t k = i * r->cols + j;
            if (sign[k] != 0) {
                w[k] = aimc_device_pulse(r->dev, k, w[k], sign[k], &ns);
                fired++;
            }
        }
    }
    return fired;
}

/* Weights and pulses of the tile against the reference, bit for bit. */
static void pin_compare(const aimc_tile *t, const double *wr, size_t n, uint64_t p0,
                        uint64_t fired, const char *what, int kind, int it)
{
    cr_assert_eq(aimc_tile_pulse_count(t) - p0, fired, "%s kind %d step %d: pulses", what, kind,
                 it);
    const double *w = aimc_tile_weights(t);
    for (size_t k = 0; k < n; ++k)
        cr_assert(memcmp(&w[k], &wr[k], sizeof *w) == 0,
                  "%s kind %d step %d element %zu: %.17g != reference %.17g", what, kind, it, k,
                  w[k], wr[k]);
}

/* One kernel step on the tile and on the reference; weights and pulse
 * counts compared bit for bit.  kind: 0 pulsed, 1 rank1, 2 single pulses. */
static void pin_step(aimc_tile *t, const ref_tile *r, double *wr, int kind, int it,
                     const char *what)
{
    const size_t n = r->rows * r->cols;
    double *dW = malloc(n * sizeof *dW), x[400], d[400];
    signed char *sg = malloc(n);
    for (size_t k = 0; k < n; ++k) {
        /* counts from 0 to past bl_max, both signs, some exact zeros */
        const double u = sin(0.37 * k + 1.3 * it);
        dW[k] = k % 11 == 3 ? 0.0 : 40.0 * r->dev->p.dw_min * u * fabs(u);
        sg[k] = (signed char)(k % 3 == 0 ? 0 : (u > 0 ? 1 : -1));
    }
    for (size_t j = 0; j < r->cols; ++j) /* some p = 0, some p ≥ 1 */
        x[j] = j % 7 == 2 ? 0.0 : sin(1.0 + j + it) * (j % 5 == 0 ? 3.0 : 1.0);
    for (size_t i = 0; i < r->rows; ++i)
        d[i] = 0.01 * cos(2.0 + 3 * i - it);
    const double lr = it % 2 ? 1.0 : -0.5;
    const uint64_t step = aimc_tile_update_count(t), p0 = aimc_tile_pulse_count(t);
    uint64_t fired;
    if (kind == 0) {
        aimc_tile_apply_pulsed(t, dW);
        fired = ref_pulsed(r, wr, dW, step);
    } else if (kind == 1) {
        aimc_tile_apply_rank1(t, x, d, lr);
        fired = ref_rank1(r, wr, x, d, lr, step);
    } else {
        aimc_tile_apply_single_pulses(t, sg);
        fired = ref_single(r, wr, sg, step);
    }
    pin_compare(t, wr, n, p0, fired, what, kind, it);
    free(dW);
    free(sg);
}

static void pin_family(const aimc_response_type *T, int vary, double sigma_c, unsigned bl_max,
                       int mean_count, size_t rows, size_t cols)
{
    aimc_tile_params p = params_of(T, 1.0, 1e-3);
    p.device.sigma_c = sigma_c;
    if (vary) {
        p.device.dw_min_dtod = 0.3;
        p.device.bounds_dtod = 0.3;
        p.device.up_down_dtod = 0.01;
        p.device.ref_std = 0.05;
    }
    p.pulse.bl_max = bl_max;
    p.pulse.mean_count = mean_count;
    char what[160];
    snprintf(what, sizeof what, "%s vary %d sigma_c %g bl_max %u mean_count %d %zux%zu", T->name,
             vary, sigma_c, bl_max, mean_count, rows, cols);
    for (int kind = 0; kind < 3; ++kind)
        for (int rounding = 0; rounding <= (kind == 0 ? 2 : 0); ++rounding) {
            p.pulse.rounding = (aimc_rounding)rounding;
            aimc_tile *t = aimc_tile_alloc(rows, cols, &p, 77, 3, NULL);
            cr_assert_not_null(t, "%s", what);
            const size_t n = rows * cols;
            double *w0 = malloc(n * sizeof *w0);
            for (size_t k = 0; k < n; ++k)
                w0[k] = 0.9 * sin(0.11 * k);
            aimc_tile_set_weights(t, w0);
            memcpy(w0, aimc_tile_weights(t), n * sizeof *w0);
            const ref_tile r = {aimc_tile_device(t), rows, cols, 77, 3, p.pulse};
            for (int it = 0; it < 3; ++it)
                pin_step(t, &r, w0, kind, it, what);
            aimc_tile_free(t);
            free(w0);
        }
}

Test(tile, optimized_pulsing_kernels_match_the_reference_to_the_bit)
{
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f)
        for (int vary = 0; vary < 2; ++vary)
            for (int noisy = 0; noisy < 2; ++noisy) {
                const aimc_response_type *T = aimc_response_types[f];
                pin_family(T, vary, noisy ? 0.3 : 0.0, 31, 0, 3, 70);
                pin_family(T, vary, noisy ? 0.3 : 0.0, 100, 0, 2, 300);
            }
}

Test(tile, optimized_kernels_match_the_reference_on_threaded_tiles)
{
    const aimc_response_type *fam[] = {&aimc_response_softbounds, &aimc_response_linear_aihwkit,
                                       &aimc_response_power, NULL};
    for (size_t f = 0; fam[f] != NULL; ++f)
        for (int noisy = 0; noisy < 2; ++noisy) {
            pin_family(fam[f], 0, noisy ? 0.3 : 0.0, 31, 0, 24, 300);
            pin_family(fam[f], 1, 0.0, 31, 1, 24, 300); /* mean-count mode */
        }
}

/* The rank-one kernel on inputs the sweep above does not produce: rows and
 * columns whose trains are empty or always fire, a NaN, whole blocks of
 * silent columns, a full 64-slot word (counts up to 64), and a learning
 * rate so large that d_i·x_j of firing pairs is subnormal (the signs then
 * come from the products, not from the signs of x). */
static void pin_rank1_edges(const aimc_response_type *T, int vary, unsigned bl_max, size_t cols)
{
    const size_t rows = 5, n = rows * cols;
    aimc_tile_params p = params_of(T, 1.0, 1e-3);
    if (vary) {
        p.device.dw_min_dtod = 0.3;
        p.device.bounds_dtod = 0.3;
        p.device.ref_std = 0.05;
    }
    p.pulse.bl_max = bl_max;
    char what[160];
    snprintf(what, sizeof what, "rank1 edges %s vary %d bl_max %u 5x%zu", T->name, vary, bl_max,
             cols);
    aimc_tile *t = aimc_tile_alloc(rows, cols, &p, 78, 4, NULL);
    cr_assert_not_null(t, "%s", what);
    double *wr = malloc(n * sizeof *wr), *x = malloc(cols * sizeof *x), d[5];
    for (size_t k = 0; k < n; ++k)
        wr[k] = 0.8 * cos(0.07 * k);
    aimc_tile_set_weights(t, wr);
    memcpy(wr, aimc_tile_weights(t), n * sizeof *wr);
    const ref_tile r = {aimc_tile_device(t), rows, cols, 78, 4, p.pulse};
    for (int it = 0; it < 4; ++it) {
        const int huge = it == 3;
        for (size_t j = 0; j < cols; ++j) /* columns 64..191 silent */
            x[j] = (j >= 64 && j < 192) || j % 9 == 4 ? 0.0 : sin(0.5 + 0.3 * j + it);
        x[1] = it == 1 ? NAN : 1.0;
        /* row 0 silent, row 1 always fires, the rest by chance */
        const double dd[5] = {0.0, 0.05, -0.01, 0.004, -0.02 * cos(it)};
        for (size_t i = 0; i < rows; ++i)
            d[i] = huge ? (i == 1 ? 1e-300 : dd[i] * 3e-306) : dd[i];
        const double lr = huge ? 1e306 : (it % 2 ? 4.0 : -2.0);
        const uint64_t step = aimc_tile_update_count(t), p0 = aimc_tile_pulse_count(t);
        aimc_tile_apply_rank1(t, x, d, lr);
        const uint64_t fired = ref_rank1(&r, wr, x, d, lr, step);
        cr_expect_gt(fired, 0, "%s step %d fires", what, it);
        pin_compare(t, wr, n, p0, fired, what, 1, it);
    }
    aimc_tile_free(t);
    free(wr);
    free(x);
}

Test(tile, optimized_rank1_matches_the_reference_on_edge_inputs)
{
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f)
        for (int vary = 0; vary < 2; ++vary) {
            pin_rank1_edges(aimc_response_types[f], vary, 64, 300);
            pin_rank1_edges(aimc_response_types[f], vary, 31, 70);
        }
}
