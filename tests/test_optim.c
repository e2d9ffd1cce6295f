/* test_optim.c — the algorithms against facts that must hold exactly. */
#include <math.h>
#include <stdlib.h>
#include <criterion/criterion.h>

#include "aimc/optim.h"
#include "aimc/problem.h"
#include "families.h"

static aimc_tile_params ideal_compact(void)
{
    aimc_tile_params p = aimc_tile_default_params();
    aimc_response_params rp = aimc_response_default_params();
    aimc_response_init(&p.device.response, &aimc_response_ideal, &rp, NULL);
    p.update = &aimc_update_compact;
    return p;
}

static double dist(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; ++i)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return sqrt(s);
}

/* With q± ≡ 1, (2) is W − α∇f exactly: Analog SGD is Digital SGD, bit for
 * bit (w + (−α g)·1 rounds like w − α g). */
Test(optim, analog_sgd_on_ideal_devices_is_digital_sgd)
{
    aimc_lsq *prob = aimc_lsq_alloc_random(30, 10, 1.0, 0.5, 5, 100, NULL);
    aimc_optim_params p = aimc_optim_default_params();
    p.alpha = 0.2;
    p.main = ideal_compact();
    aimc_optim *a = aimc_optim_alloc(&aimc_optim_asgd, &p, 1, 10, 1, NULL);
    aimc_optim *d = aimc_optim_alloc(&aimc_optim_dsgd, &p, 1, 10, 1, NULL);
    cr_assert(a && d);
    double w0[10], g[10], dd[30];
    for (int j = 0; j < 10; ++j)
        w0[j] = 1.0;
    aimc_optim_set_weights(a, w0, NULL);
    aimc_optim_set_weights(d, w0, NULL);
    /* 1000 steps: rate 1 − αμ ≈ 0.964 (μ ≈ 0.18 for a 30×10 Gaussian A)
     * shrinks the error by 1e-16, so W* must be reached too. */
    for (int k = 0; k < 1000; ++k) {
        aimc_grad ga, gd;
        aimc_lsq_grad_factors(prob, aimc_optim_query_point(a), dd, g, &ga);
        cr_assert_eq(aimc_optim_step(a, &ga, NULL), GSL_SUCCESS);
        aimc_lsq_grad_factors(prob, aimc_optim_query_point(d), dd, g, &gd);
        cr_assert_eq(aimc_optim_step(d, &gd, NULL), GSL_SUCCESS);
        cr_assert_arr_eq(aimc_optim_weights(a), aimc_optim_weights(d), sizeof w0, "step %d", k);
    }
    cr_expect_lt(dist(aimc_optim_weights(a), prob->w_star, 10), 1e-6);
    aimc_optim_free(a);
    aimc_optim_free(d);
    aimc_lsq_free(prob);
}

/* Residual learning on ideal devices: e = W − W* follows the damped
 * oscillator e'' = −αβHe − αγHe' (P integrates −α∇f(W + γP), W integrates
 * βP), so for γ > 0 it converges to W* exactly — nothing biases it. */
Test(optim, residual_learning_on_ideal_devices_converges_to_w_star)
{
    aimc_lsq *prob = aimc_lsq_alloc_random(30, 10, 1.0, 0.5, 6, 100, NULL);
    aimc_optim_params p = aimc_optim_default_params();
    p.alpha = 0.1;
    p.beta = 0.1;
    p.gamma = 1.0;
    p.main = p.residual = ideal_compact();
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_rl, &p, 1, 10, 1, NULL);
    cr_assert_not_null(o);
    double w0[10], g[10], dd[30];
    for (int j = 0; j < 10; ++j)
        w0[j] = 1.0;
    aimc_optim_set_weights(o, w0, NULL);
    const double e0 = dist(w0, prob->w_star, 10);
    for (int k = 0; k < 6000; ++k) {
        aimc_grad gr;
        aimc_lsq_grad_factors(prob, aimc_optim_query_point(o), dd, g, &gr);
        cr_assert_eq(aimc_optim_step(o, &gr, NULL), GSL_SUCCESS);
    }
    const double e = dist(aimc_optim_weights(o), prob->w_star, 10);
    cr_expect_lt(e, 1e-8 * e0, "|W - W*| = %g from %g", e, e0);
    aimc_optim_free(o);
    aimc_lsq_free(prob);
}

/* The query point of residual learning is W̄ = W + γP. */
Test(optim, residual_learning_takes_gradients_at_the_mixed_weight)
{
    aimc_optim_params p = aimc_optim_default_params();
    p.gamma = 0.4;
    p.main = p.residual = ideal_compact();
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_rl, &p, 2, 3, 1, NULL);
    double W[6] = {1, 2, 3, 4, 5, 6}, P[6] = {-1, 0, 1, 2, 3, 4};
    aimc_optim_set_weights(o, W, P);
    const double *q = aimc_optim_query_point(o);
    for (int k = 0; k < 6; ++k)
        cr_expect_float_eq(q[k], W[k] + 0.4 * P[k], 1e-15);
    aimc_optim_free(o);
}

/* One transfer of column c with β: W[:,c] += β·P[:,c] on ideal devices, the
 * other columns untouched; the columns advance cyclically. */
Test(optim, transfer_moves_n_col_columns_in_cyclic_order)
{
    aimc_optim_params p = aimc_optim_default_params();
    p.alpha = 0.0;
    p.beta = 0.5;
    p.n_col = 2;
    p.main = p.residual = ideal_compact();
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_rl, &p, 2, 3, 1, NULL);
    double W[6] = {0}, P[6] = {1, 2, 3, 4, 5, 6}, zero[6] = {0};
    aimc_optim_set_weights(o, W, P);
    aimc_grad g = {2, 3, zero, 0, NULL, NULL, 1.0};
    aimc_optim_step(o, &g, NULL); /* columns 0, 1 */
    const double *w = aimc_optim_weights(o);
    const double want1[6] = {0.5, 1.0, 0, 2.0, 2.5, 0};
    for (int k = 0; k < 6; ++k)
        cr_expect_float_eq(w[k], want1[k], 1e-15, "k = %d", k);
    aimc_optim_step(o, &g, NULL); /* columns 2, 0 */
    const double want2[6] = {1.0, 1.0, 1.5, 4.0, 2.5, 3.0};
    for (int k = 0; k < 6; ++k)
        cr_expect_float_eq(w[k], want2[k], 1e-15, "k = %d", k);
    aimc_optim_free(o);
}

/* TT-v2 / RL-v2 threshold transfer: at most one pulse per element and
 * transfer.  When one step adds less than a pulse (β|P| < Δw_min) the buffer
 * stays below the threshold: by induction, if |H_k| < Δw_min then
 * |H_{k+½}| < Δw_min + β|P| (ttv2: H + βP; rlv2: (1−β)H + βP), and either no
 * pulse fires (|H| < Δw_min) or one does and |H| drops below β|P| < Δw_min. */
Test(optim, buffered_transfers_fire_at_most_one_pulse_per_element)
{
    const aimc_optim_type *types[2] = {&aimc_optim_ttv2, &aimc_optim_rlv2};
    for (int v = 0; v < 2; ++v) {
        aimc_optim_params p = aimc_optim_default_params();
        p.alpha = 0.0;
        p.beta = 0.3;
        p.gamma = 0.2;
        p.main = p.residual = ideal_compact();
        p.main.device.dw_min = 0.01;
        aimc_optim *o = aimc_optim_alloc(types[v], &p, 2, 2, 1, NULL);
        double W[4] = {0}, P[4] = {0.02, -0.03, 0.004, 0.0}, zero[4] = {0};
        aimc_optim_set_weights(o, W, P);
        aimc_grad g = {2, 2, zero, 0, NULL, NULL, 1.0};
        double prev[4] = {0};
        int pulses = 0;
        for (int k = 0; k < 50; ++k) {
            aimc_optim_step(o, &g, NULL);
            const double *w = aimc_optim_weights(o), *H = aimc_optim_buffer(o);
            for (int e = 0; e < 4; ++e) {
                double moved = fabs(w[e] - prev[e]);
                cr_expect(moved < 1e-15 || fabs(moved - 0.01) < 1e-12, "%s: one pulse at most",
                          types[v]->name);
                pulses += moved > 1e-15;
                cr_expect_lt(fabs(H[e]), 0.01, "%s element %d: H = %g", types[v]->name, e, H[e]);
                prev[e] = w[e];
            }
        }
        cr_expect_gt(pulses, 50, "%s: the transfer does fire", types[v]->name);
        aimc_optim_free(o);
    }
}

Test(optim, registry_and_validation)
{
    for (size_t i = 0; aimc_optim_types[i] != NULL; ++i)
        cr_expect_eq(aimc_optim_find(aimc_optim_types[i]->name), aimc_optim_types[i]);
    cr_expect_null(aimc_optim_find("adam"));
    aimc_optim_params p = aimc_optim_default_params();
    aimc_err err = {0};
    p.alpha = -1;
    cr_expect_null(aimc_optim_alloc(&aimc_optim_asgd, &p, 1, 1, 1, &err));
    cr_expect(strstr(err.msg, "alpha") != NULL, "%s", err.msg);
    p = aimc_optim_default_params();
    p.transfer_every = 0;
    cr_expect_null(aimc_optim_alloc(&aimc_optim_rl, &p, 1, 1, 1, &err));
}
