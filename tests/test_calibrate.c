/* test_calibrate.c — zero-shifting calibration (lib/device/calibrate.c):
 * Paper B's Algorithm 1 and its alternating form estimate an element's
 * symmetric point; the estimate is then applied as a reference shift. */
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>

#include "aimc/device.h"
#include "aimc/tile.h"
#include "families.h"

static aimc_device_params device_of(const aimc_response_type *t, double tau, double dw_min)
{
    aimc_device_params p = aimc_device_default_params();
    aimc_response_params rp = test_family_params(t, tau);
    cr_assert_eq(aimc_response_init(&p.response, t, &rp, NULL), GSL_SUCCESS, "%s", t->name);
    p.dw_min = dw_min;
    return p;
}

static aimc_device *linear_aihwkit(double c, double dw_min, double sigma_c, size_t n)
{
    aimc_device_params p = device_of(&aimc_response_linear_aihwkit, 1.0, dw_min);
    p.response.p.c_lin = c;
    p.sigma_c = sigma_c;
    aimc_device *d = aimc_device_alloc(&p, n, 1, 1, NULL);
    cr_assert_not_null(d);
    return d;
}

static double sp_of(const aimc_device *d, size_t i)
{
    double w;
    cr_assert_eq(aimc_device_symmetric_point(d, i, &w, NULL), GSL_SUCCESS);
    return w;
}

Test(calibrate, bad_arguments_are_refused_with_a_message)
{
    aimc_device *d = linear_aihwkit(0.3, 1e-3, 0.0, 2);
    aimc_zs_estimate e;
    aimc_err err = {0};
    aimc_stream s;
    aimc_stream_init(&s, 1, 2, 3, 4);
    cr_expect_eq(aimc_device_estimate_symmetric_point(d, 0, 0.0, 1, 0, NULL, &e, &err), GSL_EINVAL);
    cr_expect(strstr(err.msg, "n_pulses") != NULL, "%s", err.msg);
    cr_expect_eq(aimc_device_estimate_symmetric_point(d, 2, 0.0, 10, 0, NULL, &e, &err), GSL_EINVAL);
    cr_expect(strstr(err.msg, "element") != NULL, "%s", err.msg);
    cr_expect_eq(aimc_device_estimate_symmetric_point(d, 0, NAN, 10, 0, NULL, &e, &err), GSL_EINVAL);
    cr_expect_eq(aimc_device_estimate_symmetric_point(d, 0, 0.0, 10, 1, NULL, &e, &err), GSL_EINVAL);
    cr_expect(strstr(err.msg, "stream") != NULL, "%s", err.msg);
    cr_expect_eq(aimc_device_estimate_symmetric_point(d, 0, 0.0, 10, 1, &s, &e, &err), GSL_SUCCESS);
    aimc_device_free(d);
    d = linear_aihwkit(0.3, 1e-3, 0.1, 1); /* cycle noise needs a stream too */
    cr_expect_eq(aimc_device_estimate_symmetric_point(d, 0, 0.0, 10, 0, NULL, &e, &err), GSL_EINVAL);
    aimc_device_free(d);
}

/* Worked by hand: softbounds τ = 1 (G(w) = w, q₊ = 1 − w, q₋ = 1 + w),
 * Δw_min = 0.1, w₀ = 0.5, N = 2 (M = 2: the tail is W₁, W₂):
 *   W₁ = 0.5 + 0.1·0.5 = 0.55,  W₂ = 0.55 − 0.1·1.55 = 0.395,
 *   estimate = (0.55 + 0.395)/2 = 0.4725,  mean G² = (0.5² + 0.55²)/2 = 0.27625. */
Test(calibrate, two_pulses_by_hand)
{
    aimc_device_params p = device_of(&aimc_response_softbounds, 1.0, 0.1);
    aimc_device *d = aimc_device_alloc(&p, 1, 1, 1, NULL);
    aimc_zs_estimate e;
    cr_assert_eq(aimc_device_estimate_symmetric_point(d, 0, 0.5, 2, 0, NULL, &e, NULL), 0);
    cr_expect_float_eq(e.w_last, 0.395, 1e-15);
    cr_expect_float_eq(e.estimate, 0.4725, 1e-15);
    cr_expect_float_eq(e.mean_G2, 0.27625, 1e-15);
    aimc_device_free(d);
}

/* Upper end of the converged pair bound (calibrate.c): w⋄ ∈ [v₀, v₁] with
 * v₁ − v₀ = Δw_min·up·q₊(v₀), so |mean − w⋄| ≤ Δw_min·up·q₊(v₀)/2.  Since
 * v₀ ∈ [w⋄ − 2s, w⋄] with s = Δw_min·up·q₊(w⋄) (the pair is about one step
 * long) and q₊ is non-increasing, q₊(v₀) ≤ q₊(w⋄ − 2s). */
static double half_step_bound(const aimc_device *d, size_t i, double wsp)
{
    double qp, qm;
    aimc_device_q(d, i, 1, &wsp, &qp, &qm);
    double w = wsp - 2.0 * d->p.dw_min * qp;
    aimc_device_q(d, i, 1, &w, &qp, &qm);
    return 0.5 * d->p.dw_min * qp;
}

/* Smallest secant slope κ = G(w)/(w − w⋄) on the way from `start` to w⋄:
 * along it each ± pair shrinks the distance by at least a factor
 * (1 − 2Δw_min·κ) to first order, so ln(e₀/ε)/(2Δw_min·κ) pairs bring it
 * below ε.  Families flat in the middle (aihwkit's ExpStep) need many. */
static double secant_slope_min(const aimc_device *d, size_t i, double start, double wsp)
{
    double kappa = INFINITY;
    for (int k = 1; k <= 400; ++k) {
        double w = wsp + (start - wsp) * k / 400.0, qp, qm;
        aimc_device_q(d, i, 1, &w, &qp, &qm);
        kappa = fmin(kappa, 0.5 * (qm - qp) / (w - wsp));
    }
    return kappa;
}

/* Noise free, every bounded family, with element variation: from either
 * side, the alternating estimate lands within half a step of w⋄ once the
 * transient has died out — N is chosen per element so that the tail
 * (N/4 pairs in) starts within 1e-3 of the bound, which is allowed on top. */
Test(calibrate, alternating_estimate_is_within_half_a_step_for_every_family)
{
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f) {
        const aimc_response_type *t = aimc_response_types[f];
        if (!t->bounded)
            continue;
        aimc_device_params p = device_of(t, 1.0, 1e-3);
        p.up_down_dtod = 0.05;
        p.bounds_dtod = 0.2;
        p.dw_min_dtod = 0.2;
        aimc_device *d = aimc_device_alloc(&p, 6, 9, 1, NULL);
        cr_assert_not_null(d, "%s", t->name);
        for (size_t i = 0; i < 6; ++i) {
            const double wsp = sp_of(d, i), bound = half_step_bound(d, i, wsp);
            const double start = (i % 2 ? 0.5 : -0.5);
            const double kappa = secant_slope_min(d, i, start, wsp);
            const double pairs =
                log(fabs(start - wsp) / (1e-3 * bound)) / (2 * d->p.dw_min * kappa);
            cr_assert(kappa > 0 && pairs < 5e6, "%s element %zu: G too flat (κ = %g)", t->name,
                      i, kappa);
            const unsigned N = 4u * (unsigned)ceil(pairs > 1 ? pairs : 1);
            aimc_zs_estimate e;
            cr_assert_eq(aimc_device_estimate_symmetric_point(d, i, start, N, 0, NULL, &e, NULL),
                         0);
            cr_expect_leq(fabs(e.estimate - wsp), 1.001 * bound,
                          "%s element %zu (N = %u): |%g - %g| > %g", t->name, i, N, e.estimate,
                          wsp, bound);
            /* Algorithm 1's raw output W_N lies within one step. */
            cr_expect_leq(fabs(e.w_last - wsp), 2.002 * bound, "%s element %zu", t->name, i);
        }
        aimc_device_free(d);
    }
}

/* Known answer for affine families: the converged ± pair solves
 *   v₁ = v₀ + D₊(a₊ + b₊v₀),  v₀ = v₁ − D₋(a₋ + b₋v₁)   (D± = Δw_min·up/down),
 * so v₀ = [(1 − D₋b₋)D₊a₊ − D₋a₋] / [1 − (1 − D₋b₋)(1 + D₊b₊)], and the
 * estimate is (v₀ + v₁)/2 − ref.  Its distance to w⋄ is the Θ(Δw_min) floor
 * of Paper B's Theorem 2.2: proportional to Δw_min to first order. */
static double pair_midpoint(const aimc_device *d, size_t i)
{
    double c[4];
    d->p.response.type->affine(&d->p.response.p, d->lo[i], d->hi[i], c);
    const double Dp = d->p.dw_min * d->up[i], Dm = d->p.dw_min * d->down[i];
    const double v0 = ((1 - Dm * c[3]) * Dp * c[0] - Dm * c[2]) /
                      (1 - (1 - Dm * c[3]) * (1 + Dp * c[1]));
    const double v1 = v0 + Dp * (c[0] + c[1] * v0);
    return 0.5 * (v0 + v1) - d->ref[i];
}

Test(calibrate, alternating_estimate_is_the_exact_two_cycle_of_affine_families)
{
    double floor_per_dw[2];
    const double dws[2] = {1e-3, 1e-4};
    for (int k = 0; k < 2; ++k) {
        aimc_device *d = linear_aihwkit(0.3, dws[k], 0.0, 1);
        const double wsp = sp_of(d, 0), mid = pair_midpoint(d, 0);
        /* Transient left in the tail: a pair contracts the distance to the
         * cycle by ρ = (1 + D₊b₊)(1 − D₋b₋) = (1 − Δw_min)(1 − 0.7Δw_min) here,
         * so after the (N − M)/2 = N/4 pairs before the tail it is below
         * e₀ρ^{N/4} with e₀ < 1.  N = 60/Δw_min: e^{−25.5} ≈ 8e-12. */
        const unsigned N = (unsigned)(60.0 / dws[k]);
        const double rho = (1 - dws[k]) * (1 - 0.7 * dws[k]);
        const double tol = pow(rho, N / 4) + 1e-14;
        aimc_zs_estimate e;
        cr_assert_eq(aimc_device_estimate_symmetric_point(d, 0, -0.5, N, 0, NULL, &e, NULL), 0);
        cr_expect_lt(fabs(e.estimate - mid), tol, "Δw_min %g: %.15g vs %.15g (tol %g)", dws[k],
                     e.estimate, mid, tol);
        floor_per_dw[k] = (e.estimate - wsp) / dws[k];
        cr_expect_gt(fabs(floor_per_dw[k]), 0.01, "the floor is a real Θ(Δw_min) offset");
        aimc_device_free(d);
    }
    /* First order in Δw_min: the floor/Δw_min changes by O(Δw_min·b) ≈ 1e-3
     * relative between the two; 1 % allowed. */
    cr_expect_lt(fabs(floor_per_dw[0] / floor_per_dw[1] - 1.0), 0.01, "%g vs %g",
                 floor_per_dw[0], floor_per_dw[1]);
}

/* The error falls as N grows until it reaches the floor: along N = 16·4^k
 * each estimate is either closer than the last or already within the
 * half-step bound, and the longest run ends within it. */
Test(calibrate, error_falls_with_the_number_of_pulses_until_the_floor)
{
    aimc_device *d = linear_aihwkit(0.3, 1e-3, 0.0, 1);
    const double wsp = sp_of(d, 0), bound = half_step_bound(d, 0, wsp);
    double prev = INFINITY, first = 0, last = 0;
    for (unsigned N = 16; N <= 262144; N *= 4) {
        aimc_zs_estimate e;
        cr_assert_eq(aimc_device_estimate_symmetric_point(d, 0, -0.5, N, 0, NULL, &e, NULL), 0);
        const double err = fabs(e.estimate - wsp);
        cr_expect(err <= bound || err < prev, "N = %u: %g after %g (bound %g)", N, err, prev,
                  bound);
        if (N == 16)
            first = err;
        prev = last = err;
    }
    cr_expect_gt(first, 100 * bound, "the start is far from w⋄");
    cr_expect_leq(last, bound);
    aimc_device_free(d);
}

/* Mean and standard error of x[0..n). */
static void mean_se(const double *x, size_t n, double *mean, double *se)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; ++i)
        s += x[i];
    *mean = s / n;
    for (size_t i = 0; i < n; ++i)
        s2 += (x[i] - *mean) * (x[i] - *mean);
    *se = sqrt(s2 / (n - 1) / n);
}

/* Cycle noise on an affine response: the noise enters each step linearly
 * and with mean zero (additive Δw_min·σ_c·ξ, or Δw_min·q·σ_c·ξ), so without
 * clipping the mean state follows the noise-free recursion exactly and the
 * mean estimate over identical elements equals the noise-free estimate.
 * The states stay near w⋄ = 0.18, far from the bounds ±1 (per-pulse noise
 * 3e-4).  Allowed: 4 standard errors (two-sided false alarm 6e-5). */
Test(calibrate, cycle_noise_leaves_the_mean_estimate_unbiased)
{
    const size_t n = 400;
    double est[400];
    for (int form = 0; form < 2; ++form) {
        aimc_device *clean = linear_aihwkit(0.3, 1e-3, 0.0, 1);
        aimc_device *d = linear_aihwkit(0.3, 1e-3, 0.3, n);
        d->p.noise_form = form ? AIMC_NOISE_MULTIPLICATIVE : AIMC_NOISE_ADDITIVE;
        aimc_zs_estimate e0, e;
        cr_assert_eq(aimc_device_estimate_symmetric_point(clean, 0, 0.0, 8000, 0, NULL, &e0, NULL),
                     0);
        for (size_t i = 0; i < n; ++i) {
            aimc_stream s;
            aimc_stream_init(&s, 5, 77, 0, (uint32_t)i);
            cr_assert_eq(aimc_device_estimate_symmetric_point(d, i, 0.0, 8000, 0, &s, &e, NULL), 0);
            est[i] = e.estimate;
        }
        double m, se;
        mean_se(est, n, &m, &se);
        cr_expect_gt(se, 0.0, "the noise does reach the estimate");
        cr_expect_lt(fabs(m - e0.estimate), 4 * se, "form %d: mean %.9g vs noise-free %.9g (se %g)",
                     form, m, e0.estimate, se);
        aimc_device_free(d);
        aimc_device_free(clean);
    }
}

/* Random signs (Algorithm 1) on an affine response: E[W_{n+1} | W_n] =
 * W_n − Δw_min·G(W_n) exactly, so the mean state converges geometrically to
 * w⋄ itself (no floor in the mean) and the mean estimate over elements is
 * w⋄ to within 4 standard errors once (1 − Δw_min·G′)^{N/2} with G′ = 0.85,
 * N = 4·10⁴ (e^{−17}), is negligible.  A biased coin would fail this. */
Test(calibrate, random_sign_estimate_is_unbiased_on_affine_devices)
{
    const size_t n = 400;
    double est[400];
    aimc_device *d = linear_aihwkit(0.3, 1e-3, 0.0, n);
    const double wsp = sp_of(d, 0);
    for (size_t i = 0; i < n; ++i) {
        aimc_stream s;
        aimc_stream_init(&s, 6, 78, 0, (uint32_t)i);
        aimc_zs_estimate e;
        cr_assert_eq(aimc_device_estimate_symmetric_point(d, i, -0.5, 40000, 1, &s, &e, NULL), 0);
        est[i] = e.estimate;
    }
    double m, se;
    mean_se(est, n, &m, &se);
    cr_expect_lt(fabs(m - wsp), 4 * se, "mean %.9g vs w⋄ %.9g (se %g)", m, wsp, se);
    aimc_device_free(d);
}

/* Paper B, Theorem 2.2 with its proof constants, for Algorithm 1 on
 * softbounds τ = 1 (G = w, φ(w) = w²/2, L_q = 1, q_max = 2 on [−1, 1]):
 *   (1/N) Σ E G(W_n)² ≤ w₀²/(2NΔw_min) + 2Δw_min.
 * The expectation is the mean over 400 independent elements; 4 standard
 * errors allowed. */
Test(calibrate, theorem_2_2_bound_holds_for_algorithm_1)
{
    const size_t n = 400;
    double g2[400];
    const double dw = 1e-2, w0 = 0.8;
    aimc_device_params p = device_of(&aimc_response_softbounds, 1.0, dw);
    aimc_device *d = aimc_device_alloc(&p, n, 1, 1, NULL);
    for (unsigned N = 10; N <= 10000; N *= 10) {
        for (size_t i = 0; i < n; ++i) {
            aimc_stream s;
            aimc_stream_init(&s, 7, 79, N, (uint32_t)i);
            aimc_zs_estimate e;
            cr_assert_eq(aimc_device_estimate_symmetric_point(d, i, w0, N, 1, &s, &e, NULL), 0);
            g2[i] = e.mean_G2;
        }
        double m, se;
        mean_se(g2, n, &m, &se);
        const double bound = w0 * w0 / (2.0 * N * dw) + 2.0 * dw;
        cr_expect_leq(m, bound + 4 * se, "N = %u: %g > %g", N, m, bound);
    }
    aimc_device_free(d);
}

/* Applying an estimate: the physical state is kept, the visible weight
 * and the visible symmetric point both move down by the shift, so a
 * converged estimate leaves the visible w⋄ within the half-step bound of 0. */
Test(calibrate, applying_an_estimate_moves_the_visible_symmetric_point_to_zero)
{
    aimc_device *d = linear_aihwkit(0.3, 1e-3, 0.0, 1);
    const double wsp = sp_of(d, 0), bound = half_step_bound(d, 0, wsp);
    aimc_zs_estimate e;
    cr_assert_eq(aimc_device_estimate_symmetric_point(d, 0, 0.0, 40000, 0, NULL, &e, NULL), 0);
    double w = e.w_last;
    const double physical = w + d->ref[0];
    aimc_device_shift_reference(d, 0, e.estimate, &w);
    cr_expect_float_eq(w + d->ref[0], physical, 1e-15, "the element itself did not move");
    cr_expect_float_eq(sp_of(d, 0), wsp - e.estimate, 1e-12);
    cr_expect_leq(fabs(sp_of(d, 0)), bound);
    cr_expect_leq(fabs(w), 2 * bound, "the element sits next to its new zero");
    aimc_device_free(d);
}

/* A device drawn without variation is "nominal" and the compact kernel then
 * skips the reference; a shift must clear that, or the calibration would be
 * silently ignored.  After shifting element 0 of a nominal softbounds tile
 * by 0.3, a compact step there must use q₊ at the physical state 0.3 + w. */
Test(calibrate, a_shifted_reference_is_seen_by_the_tile_kernels)
{
    aimc_tile_params tp = aimc_tile_default_params();
    tp.device = device_of(&aimc_response_softbounds, 1.0, 1e-3);
    tp.update = &aimc_update_compact;
    aimc_tile *t = aimc_tile_alloc(1, 2, &tp, 1, 1, NULL);
    cr_assert_not_null(t);
    aimc_device *d = aimc_tile_device_mutable(t);
    cr_assert(d->nominal, "no variation: the device starts nominal");
    double w[2] = {0.0, 0.0};
    aimc_device_shift_reference(d, 0, 0.3, &w[0]);
    cr_expect_not(d->nominal);
    aimc_tile_set_weights(t, w);
    const double dW[2] = {0.1, 0.1};
    aimc_tile_apply_compact(t, dW);
    /* element 0: visible −0.3, physical 0, q₊ = 1 − 0 = 1 → −0.3 + 0.1;
     * element 1: visible = physical = 0, q₊ = 1 → 0.1. */
    cr_expect_float_eq(aimc_tile_weights(t)[0], -0.2, 1e-15);
    cr_expect_float_eq(aimc_tile_weights(t)[1], 0.1, 1e-15);
    aimc_tile_free(t);
}
