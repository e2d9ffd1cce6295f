/* test_device.c — per-element variation and the single-pulse kernels. */
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>

#include "aimc/device.h"
#include "families.h"

static aimc_device_params device_of(const aimc_response_type *t, double tau, double dw_min)
{
    aimc_device_params p = aimc_device_default_params();
    aimc_response_params rp = test_family_params(t, tau);
    cr_assert_eq(aimc_response_init(&p.response, t, &rp, NULL), GSL_SUCCESS, "%s", t->name);
    p.dw_min = dw_min;
    return p;
}

Test(device, validation_rejects_each_bad_parameter)
{
    aimc_device_params good = aimc_device_default_params(), p;
    aimc_err err = {0};
    cr_assert_eq(aimc_device_validate(&good, &err), GSL_SUCCESS);
    p = good, p.dw_min = 0;
    cr_expect_neq(aimc_device_validate(&p, &err), GSL_SUCCESS);
    cr_expect(strstr(err.msg, "dw_min") != NULL, "message names the parameter: %s", err.msg);
    p = good, p.dw_min = NAN;
    cr_expect_neq(aimc_device_validate(&p, &err), GSL_SUCCESS);
    p = good, p.sigma_c = -0.1;
    cr_expect_neq(aimc_device_validate(&p, &err), GSL_SUCCESS);
    p = good, p.bounds_dtod = INFINITY;
    cr_expect_neq(aimc_device_validate(&p, &err), GSL_SUCCESS);
    p = good, p.ref_std = -1;
    cr_expect_neq(aimc_device_validate(&p, &err), GSL_SUCCESS);
    p = good, p.response.type = NULL;
    cr_expect_neq(aimc_device_validate(&p, &err), GSL_SUCCESS);
    cr_expect_null(aimc_device_alloc(&good, 0, 1, 1, &err));
}

/* Softbounds, noise free: τ − w shrinks by (1 − Δw_min/τ) per up pulse, so
 * after n pulses τ − w_n = (τ − w₀)(1 − Δw_min/τ)^n (aihwkit note §5.3). */
Test(device, noise_free_softbounds_train_matches_its_closed_form)
{
    aimc_device_params p = device_of(&aimc_response_softbounds, 2.0, 0.01);
    aimc_device *d = aimc_device_alloc(&p, 1, 1, 1, NULL);
    cr_assert_not_null(d);
    const double w0 = -0.5;
    for (unsigned n = 0; n <= 300; n += 37) {
        double w = aimc_device_pulse_train(d, 0, w0, +1, n, NULL);
        double want = 2.0 - (2.0 - w0) * pow(1 - 0.01 / 2.0, n);
        /* n multiply-adds: relative rounding below n·eps. */
        cr_expect_float_eq(w, want, 1e-13, "n = %u: %.17g vs %.17g", n, w, want);
        double wd = aimc_device_pulse_train(d, 0, w0, -1, n, NULL);
        double wantd = -2.0 + (2.0 + w0) * pow(1 - 0.01 / 2.0, n);
        cr_expect_float_eq(wd, wantd, 1e-13);
    }
    aimc_device_free(d);
}

/* Bounds are hard: whatever the family, the noise, the variation and the
 * pulse sequence, no visible weight ever leaves [lo − ref, hi − ref]. */
Test(device, weights_never_leave_their_bounds_for_any_family)
{
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f) {
        const aimc_response_type *t = aimc_response_types[f];
        if (!t->bounded)
            continue;
        for (int form = 0; form < 2; ++form) {
            aimc_device_params p = device_of(t, 1.0, 0.3);
            p.sigma_c = 1.0;
            p.noise_form = form ? AIMC_NOISE_MULTIPLICATIVE : AIMC_NOISE_ADDITIVE;
            p.dw_min_dtod = p.bounds_dtod = 0.3;
            p.up_down_dtod = 0.05;
            p.ref_std = 0.2;
            const size_t n = 64;
            aimc_device *d = aimc_device_alloc(&p, n, 11, 1, NULL);
            cr_assert_not_null(d, "%s", t->name);
            aimc_stream s, noise;
            aimc_stream_init(&s, 5, 99, 0, 0);
            aimc_stream_init(&noise, 5, 98, 0, 0);
            for (size_t i = 0; i < n; ++i) {
                double lo, hi, w = 0.0;
                aimc_device_visible_bounds(d, i, &lo, &hi);
                for (int k = 0; k < 400; ++k) {
                    int sign = aimc_stream_uniform(&s) < 0.5 ? -1 : 1;
                    unsigned len = 1 + aimc_stream_u32(&s) % 20;
                    w = aimc_device_pulse_train(d, i, w, sign, len, &noise);
                    cr_assert(w >= lo && w <= hi, "%s form %d element %zu: %g not in [%g, %g]",
                              t->name, form, i, w, lo, hi);
                }
            }
            aimc_device_free(d);
        }
    }
}

Test(device, element_variation_has_the_requested_spread)
{
    aimc_device_params p = device_of(&aimc_response_softbounds, 1.0, 1e-3);
    p.dw_min_dtod = 0.3;
    p.bounds_dtod = 0.3;
    const size_t n = 100000;
    aimc_device *d = aimc_device_alloc(&p, n, 3, 1, NULL);
    cr_assert_not_null(d);
    double s = 0, s2 = 0, h = 0;
    for (size_t i = 0; i < n; ++i) {
        s += d->up[i];
        s2 += d->up[i] * d->up[i];
        h += d->hi[i];
        cr_assert_eq(d->up[i], d->down[i]); /* no up/down spread requested */
    }
    const double mean = s / n, sd = sqrt(s2 / n - mean * mean);
    /* gain = |1 + 0.3ξ|: the fold changes the mean by < 1e-5, far below the
     * standard error 0.3/sqrt(n) ≈ 9.5e-4; five standard errors allowed. */
    cr_expect_lt(fabs(mean - 1.0), 5 * 0.3 / sqrt((double)n));
    /* SE of a sample std ≈ σ/sqrt(2n). */
    cr_expect_lt(fabs(sd - 0.3), 5 * 0.3 / sqrt(2.0 * n));
    cr_expect_lt(fabs(h / n - 1.0), 5 * 0.3 / sqrt((double)n));
    aimc_device_free(d);
}

Test(device, the_same_seed_draws_the_same_elements)
{
    aimc_device_params p = device_of(&aimc_response_power, 1.0, 1e-3);
    p.dw_min_dtod = 0.3;
    p.up_down_dtod = 0.01;
    aimc_device *a = aimc_device_alloc(&p, 500, 8, 2, NULL), *b = aimc_device_alloc(&p, 500, 8, 2, NULL);
    aimc_device *c = aimc_device_alloc(&p, 500, 8, 3, NULL);
    int differ = 0;
    for (size_t i = 0; i < 500; ++i) {
        cr_assert_eq(a->up[i], b->up[i]);
        cr_assert_eq(a->down[i], b->down[i]);
        differ += a->up[i] != c->up[i];
    }
    cr_expect_gt(differ, 490, "another object id gives other elements");
    aimc_device_free(a);
    aimc_device_free(b);
    aimc_device_free(c);
}

/* aihwkit's asymmetric softbounds (up_down = c) has w⋄ = cτ/(2 − c): 0.3889
 * for c = 0.2 and 0.6176 for c = 0.3 at τ = 3.5 (SPEC §5). */
Test(device, symmetric_point_of_the_aihwkit_linear_device)
{
    const double cs[2] = {0.2, 0.3};
    for (int k = 0; k < 2; ++k) {
        aimc_device_params p = device_of(&aimc_response_linear_aihwkit, 3.5, 1e-4);
        p.response.p.c_lin = cs[k];
        aimc_device *d = aimc_device_alloc(&p, 1, 1, 1, NULL);
        double w;
        cr_assert_eq(aimc_device_symmetric_point(d, 0, &w, NULL), GSL_SUCCESS);
        cr_expect_float_eq(w, cs[k] * 3.5 / (2 - cs[k]), 1e-12);
        aimc_device_free(d);
    }
}

/* Zero-shifting with exact calibration puts every element's visible
 * symmetric point at 0, whatever its drawn parameters. */
Test(device, zero_shift_moves_every_symmetric_point_to_zero)
{
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f) {
        const aimc_response_type *t = aimc_response_types[f];
        if (!t->bounded)
            continue;
        aimc_device_params p = device_of(t, 1.0, 1e-3);
        p.up_down_dtod = 0.05;
        p.bounds_dtod = 0.2;
        p.zero_shift = 1;
        aimc_device *d = aimc_device_alloc(&p, 50, 4, 1, NULL);
        cr_assert_not_null(d, "%s", t->name);
        for (size_t i = 0; i < 50; ++i) {
            double w, qp, qm, z = 0.0;
            cr_assert_eq(aimc_device_symmetric_point(d, i, &w, NULL), GSL_SUCCESS);
            cr_expect_lt(fabs(w), 1e-9, "%s element %zu: %g", t->name, i, w);
            aimc_device_q(d, i, 1, &z, &qp, &qm);
            cr_expect_lt(fabs(qp - qm), 1e-8, "%s: G(0) = %g", t->name, (qm - qp) / 2);
        }
        aimc_device_free(d);
    }
}

/* Alternating ± pulses settle at the symmetric point, within the step of
 * one pulse (the fixed point of an up-down pair is w⋄ to O(Δw_min)). */
Test(device, alternating_pulses_settle_at_the_symmetric_point)
{
    aimc_device_params p = device_of(&aimc_response_linear_aihwkit, 3.5, 1e-3);
    p.response.p.c_lin = 0.3;
    aimc_device *d = aimc_device_alloc(&p, 1, 1, 1, NULL);
    double w = -2.0, wsp;
    for (int k = 0; k < 40000; ++k)
        w = aimc_device_pulse(d, 0, w, (k & 1) ? -1 : 1, NULL);
    aimc_device_symmetric_point(d, 0, &wsp, NULL);
    cr_expect_lt(fabs(w - wsp), 2 * 1e-3, "%g vs w* %g", w, wsp);
    aimc_device_free(d);
}

/* The closed-form train of affine families (device.c) is pinned to the
 * per-pulse reference loop: n pulses accumulate at most a few ulps of
 * rounding each, so the two agree to ~n·1e-16 relative to the range. */
Test(device, closed_form_trains_match_the_pulse_by_pulse_loop)
{
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f) {
        const aimc_response_type *t = aimc_response_types[f];
        if (t->affine == NULL)
            continue;
        aimc_device_params p = device_of(t, 3.5, 1e-3);
        p.dw_min_dtod = 0.3;
        p.up_down_dtod = 0.05;
        p.bounds_dtod = 0.2;
        p.ref_std = 0.1;
        aimc_device *d = aimc_device_alloc(&p, 20, 2, 1, NULL);
        cr_assert_not_null(d, "%s", t->name);
        for (size_t i = 0; i < 20; ++i)
            for (int sign = -1; sign <= 1; sign += 2)
                for (unsigned n = 2; n <= 4000; n *= 3) {
                    const double w0 = -3.0 + 0.3 * i;
                    double lo, hi, wl = w0;
                    aimc_device_visible_bounds(d, i, &lo, &hi);
                    wl = wl < lo ? lo : (wl > hi ? hi : wl);
                    const double start = wl;
                    for (unsigned k = 0; k < n; ++k)
                        wl = aimc_device_pulse(d, i, wl, sign, NULL);
                    const double wc = aimc_device_pulse_train(d, i, start, sign, n, NULL);
                    cr_expect_lt(fabs(wc - wl), 4e-16 * n * (hi - lo) + 1e-15,
                                 "%s element %zu sign %d n %u: %.17g vs %.17g", t->name, i, sign,
                                 n, wc, wl);
                }
        aimc_device_free(d);
    }
}

/* With cycle noise the fast train draws the same normals in the same order
 * as the pulse-by-pulse reference, so the two agree to rounding as well. */
Test(device, noisy_fast_trains_match_the_reference_pulses)
{
    for (int form = 0; form < 2; ++form) {
        aimc_device_params p = device_of(&aimc_response_linear_aihwkit, 1.0, 1e-2);
        p.sigma_c = 0.3;
        p.noise_form = form ? AIMC_NOISE_MULTIPLICATIVE : AIMC_NOISE_ADDITIVE;
        p.dw_min_dtod = 0.2;
        aimc_device *d = aimc_device_alloc(&p, 8, 3, 1, NULL);
        for (size_t i = 0; i < 8; ++i)
            for (unsigned n = 2; n <= 40; n += 7) {
                aimc_stream s1, s2;
                aimc_stream_init(&s1, 4, 9, n, (uint32_t)i);
                aimc_stream_init(&s2, 4, 9, n, (uint32_t)i);
                const int sign = (i + n) & 1 ? 1 : -1;
                double ref = 0.1 * i - 0.3;
                for (unsigned k = 0; k < n; ++k)
                    ref = aimc_device_pulse(d, i, ref, sign, &s1);
                const double fast = aimc_device_pulse_train(d, i, 0.1 * i - 0.3, sign, n, &s2);
                cr_expect_lt(fabs(fast - ref), 1e-14, "form %d element %zu n %u: %.17g vs %.17g",
                             form, i, n, fast, ref);
            }
        aimc_device_free(d);
    }
}

/* A lean nominal device (no per-element arrays) against the same device
 * with its arrays filled: every kernel gives the same bits, for every
 * family, with and without cycle noise (the same noise stream for both).
 * 300 elements cross the lean path's 256-element chunks. */
static void expect_same_bits(double a, double b, const char *what, const char *name, size_t i)
{
    cr_expect(memcmp(&a, &b, sizeof a) == 0, "%s %s element %zu: %.17g vs %.17g", name, what, i,
              a, b);
}

static void compare_lean_and_filled(const aimc_device *lean, const aimc_device *full,
                                    const char *name)
{
    enum { N = 300 };
    double w[N], qp1[N], qm1[N], qp2[N], qm2[N], c1[N], c2[N];
    aimc_stream s, n1, n2;
    aimc_stream_init(&s, 7, 1, 0, 0);
    aimc_stream_init(&n1, 7, 2, 0, 0);
    aimc_stream_init(&n2, 7, 2, 0, 0);
    for (size_t i = 0; i < N; ++i)
        w[i] = c1[i] = c2[i] = 2.4 * (aimc_stream_uniform(&s) - 0.5) * (lean->hi0 - lean->lo0);
    aimc_device_q(lean, 0, N, w, qp1, qm1);
    aimc_device_q(full, 0, N, w, qp2, qm2);
    aimc_device_clip(lean, 0, N, c1);
    aimc_device_clip(full, 0, N, c2);
    for (size_t i = 0; i < N; ++i) {
        expect_same_bits(qp1[i], qp2[i], "q+", name, i);
        expect_same_bits(qm1[i], qm2[i], "q-", name, i);
        expect_same_bits(c1[i], c2[i], "clip", name, i);
        double a1, a2;
        aimc_err e1 = {0}, e2 = {0};
        const int st1 = aimc_device_symmetric_point(lean, i, &a1, &e1);
        cr_expect_eq(st1, aimc_device_symmetric_point(full, i, &a2, &e2), "%s", name);
        if (st1 == GSL_SUCCESS)
            expect_same_bits(a1, a2, "symmetric point", name, i);
        double x1 = c1[i], x2 = c2[i];
        for (int k = 0; k < 12; ++k) {
            const int sign = aimc_stream_uniform(&s) < 0.5 ? -1 : 1;
            const unsigned len = aimc_stream_u32(&s) % 20; /* 0, 1 and trains */
            x1 = aimc_device_pulse_train(lean, i, x1, sign, len, &n1);
            x2 = aimc_device_pulse_train(full, i, x2, sign, len, &n2);
            expect_same_bits(x1, x2, "train", name, i);
            x1 = aimc_device_pulse(lean, i, x1, -sign, &n1);
            x2 = aimc_device_pulse(full, i, x2, -sign, &n2);
            expect_same_bits(x1, x2, "pulse", name, i);
        }
    }
}

Test(device, lean_nominal_device_gives_the_bits_of_its_filled_arrays)
{
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f)
        for (int noisy = 0; noisy < 2; ++noisy) {
            const aimc_response_type *t = aimc_response_types[f];
            aimc_device_params p = device_of(t, 1.5, 1e-2);
            p.sigma_c = noisy ? 0.3 : 0.0;
            aimc_device *lean = aimc_device_alloc_lean(&p, 300, 3, 1, NULL);
            aimc_device *full = aimc_device_alloc(&p, 300, 3, 1, NULL);
            cr_assert(lean != NULL && full != NULL, "%s", t->name);
            cr_assert(lean->nominal && full->nominal, "%s", t->name);
            cr_assert(lean->up == NULL && lean->ref == NULL, "%s: lean keeps no arrays", t->name);
            cr_assert(full->up != NULL, "%s", t->name);
            cr_expect(lean->lo0 == full->lo[0] && lean->hi0 == full->hi[0], "%s", t->name);
            compare_lean_and_filled(lean, full, t->name);
            /* Expanded, it has exactly the arrays aimc_device_alloc fills. */
            cr_assert_eq(aimc_device_expand(lean, NULL), GSL_SUCCESS);
            for (size_t i = 0; i < 300; ++i)
                cr_expect(lean->up[i] == full->up[i] && lean->down[i] == full->down[i] &&
                              lean->lo[i] == full->lo[i] && lean->hi[i] == full->hi[i] &&
                              lean->ref[i] == full->ref[i],
                          "%s element %zu", t->name, i);
            aimc_device_free(lean);
            aimc_device_free(full);
        }
}

/* A device with variation, a reference or zero shifting is not nominal:
 * the lean allocator then draws and fills the same arrays. */
Test(device, lean_allocator_fills_the_arrays_of_a_varied_device)
{
    aimc_device_params p = device_of(&aimc_response_softbounds, 1.0, 1e-3);
    for (int c = 0; c < 3; ++c) {
        aimc_device_params q = p;
        if (c == 0)
            q.dw_min_dtod = 0.3;
        else if (c == 1)
            q.ref_mean = 0.1;
        else
            q.zero_shift = 1, q.up_down_dtod = 0.05;
        aimc_device *a = aimc_device_alloc_lean(&q, 50, 9, 2, NULL);
        aimc_device *b = aimc_device_alloc(&q, 50, 9, 2, NULL);
        cr_assert(a != NULL && b != NULL && a->up != NULL, "case %d", c);
        cr_expect_eq(a->nominal, b->nominal);
        for (size_t i = 0; i < 50; ++i)
            cr_expect(a->up[i] == b->up[i] && a->down[i] == b->down[i] && a->lo[i] == b->lo[i] &&
                          a->hi[i] == b->hi[i] && a->ref[i] == b->ref[i],
                      "case %d element %zu", c, i);
        aimc_device_free(a);
        aimc_device_free(b);
    }
}
