/* test_nn.c — the network layers against finite differences, and learning
 * on a separable toy problem. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "aimc/nn.h"
#include "aimc/rng.h"

/* conv 3×3 → tanh → maxpool 2 → dense → sigmoid → dense: every kind of
 * layer, on 2×7×7 inputs (conv output 6×6, pooled 3×3). */
static const aimc_nn_layer_spec toy_layers[] = {
    {AIMC_NN_CONV, 3, 3}, {AIMC_NN_TANH, 0, 0},    {AIMC_NN_MAXPOOL, 0, 2},
    {AIMC_NN_DENSE, 5, 0}, {AIMC_NN_SIGMOID, 0, 0}, {AIMC_NN_DENSE, 4, 0}};
static const aimc_nn_arch toy_arch = {2, 7, 7, 6, toy_layers};

static void fill(double *v, size_t n, double a, uint32_t sub)
{
    aimc_stream s;
    aimc_stream_init(&s, 5, 1, 0, sub);
    for (size_t k = 0; k < n; ++k)
        v[k] = a * (2.0 * aimc_stream_uniform(&s) - 1.0);
}

static double loss_at(aimc_nn *n, const double *x, const unsigned char *y, size_t B)
{
    cr_assert_eq(aimc_nn_forward(n, x, B, NULL), GSL_SUCCESS);
    return aimc_nn_loss(n, y, B);
}

/* Central difference of the mean NLL in one parameter *p. */
static double central(aimc_nn *n, double *p, void (*commit)(aimc_nn *, size_t), size_t l,
                      const double *x, const unsigned char *y, size_t B)
{
    const double h = 1e-6, p0 = *p;
    *p = p0 + h;
    if (commit)
        commit(n, l);
    const double fp = loss_at(n, x, y, B);
    *p = p0 - h;
    if (commit)
        commit(n, l);
    const double fm = loss_at(n, x, y, B);
    *p = p0;
    if (commit)
        commit(n, l);
    return (fp - fm) / (2 * h);
}

static double *wbuf;  /* the weights being perturbed, programmed by commit */
static void commit_weights(aimc_nn *n, size_t l) { aimc_optim_set_weights(aimc_nn_optim(n, l), wbuf, NULL); }

/* Central differences with h = 1e-6 are exact to O(h²·f''') ≈ 1e-12 plus
 * rounding ε·f/h ≈ 1e-10; the analytic gradient must agree within 1e-7
 * (absolute, or relative for entries above 1). */
static void expect_close(double fd, double an, const char *what, size_t l, size_t k)
{
    cr_expect_leq(fabs(fd - an), 1e-7 * fmax(1.0, fabs(an)), "%s layer %zu entry %zu: fd %.10g, analytic %.10g",
                  what, l, k, fd, an);
}

Test(nn, every_layer_passes_a_finite_difference_gradient_check)
{
    aimc_nn_params p = aimc_nn_default_params(); /* dsgd: float weights, perfect reads */
    p.out_scale = 1;
    p.omega = 0.7;
    enum { B = 3 };
    aimc_err err = {0};
    aimc_nn *n = aimc_nn_alloc(&toy_arch, &p, B, 11, &err);
    cr_assert_not_null(n, "%s", err.msg);
    const size_t in = aimc_nn_input_size(n);
    cr_assert_eq(in, 98);
    double x[B * 98];
    fill(x, B * in, 1.0, 1);
    const unsigned char y[B] = {0, 3, 2};
    /* Non-trivial scales, so that their gradients and the d ⊙ s path count. */
    size_t R, C;
    for (size_t l = 0; l < 6; ++l)
        if (aimc_nn_weight_shape(n, l, &R, &C))
            for (size_t i = 0; i < R; ++i)
                aimc_nn_out_scale(n, l)[i] *= 1.0 + 0.1 * (double)i;
    loss_at(n, x, y, B);
    cr_assert_eq(aimc_nn_backward(n, y, B, &err), GSL_SUCCESS, "%s", err.msg);
    /* Every analytic gradient first (a forward pass clears them); the
     * digital ones are kept as sums, the mean divides by B. */
    double *dW[6] = {0}, *gb[6] = {0}, *gs[6] = {0};
    for (size_t l = 0; l < 6; ++l) {
        if (!aimc_nn_weight_shape(n, l, &R, &C))
            continue;
        dW[l] = malloc(R * C * sizeof(double));
        gb[l] = malloc(R * sizeof(double));
        gs[l] = malloc(R * sizeof(double));
        cr_assert_eq(aimc_nn_weight_grad(n, l, dW[l], &err), GSL_SUCCESS, "%s", err.msg);
        for (size_t i = 0; i < R; ++i) {
            gb[l][i] = aimc_nn_bias_grad(n, l)[i] / B;
            gs[l][i] = aimc_nn_out_scale_grad(n, l)[i] / B;
        }
    }
    size_t checked = 0;
    for (size_t l = 0; l < 6; ++l) {
        if (!aimc_nn_weight_shape(n, l, &R, &C))
            continue;
        wbuf = malloc(R * C * sizeof *wbuf);
        memcpy(wbuf, aimc_optim_weights(aimc_nn_optim(n, l)), R * C * sizeof *wbuf);
        for (size_t k = 0; k < R * C; k += 1 + (R * C) / 40) {
            expect_close(central(n, &wbuf[k], commit_weights, l, x, y, B), dW[l][k], "weight", l, k);
            checked++;
        }
        for (size_t i = 0; i < R; ++i) {
            expect_close(central(n, &aimc_nn_bias(n, l)[i], NULL, l, x, y, B), gb[l][i], "bias", l, i);
            expect_close(central(n, &aimc_nn_out_scale(n, l)[i], NULL, l, x, y, B), gs[l][i], "scale",
                         l, i);
        }
        free(wbuf), free(dW[l]), free(gb[l]), free(gs[l]);
    }
    cr_expect_gt(checked, 60);
    aimc_nn_free(n);
}

/* Analog SGD on an ideal device with the float kernel and perfect reads is
 * Digital SGD: one training step gives the same weights (to rounding: the
 * two paths order the same products differently, 1e-13 absolute). */
Test(nn, analog_sgd_with_float_kernel_and_ideal_device_is_digital_sgd)
{
    enum { B = 4 };
    double x[B * 98];
    fill(x, B * 98, 1.0, 2);
    const unsigned char y[B] = {1, 0, 3, 2};
    aimc_nn *nets[2];
    for (int a = 0; a < 2; ++a) {
        aimc_nn_params p = aimc_nn_default_params();
        if (a == 1) {
            p.algo = &aimc_optim_asgd;
            p.optim.main.update = &aimc_update_float;
            aimc_response_params rp = aimc_response_default_params();
            cr_assert_eq(aimc_response_init(&p.optim.main.device.response, &aimc_response_ideal, &rp, NULL), GSL_SUCCESS);
            p.forward = p.backward = aimc_read_perfect_settings();
        }
        nets[a] = aimc_nn_alloc(&toy_arch, &p, B, 3, NULL);
        cr_assert_not_null(nets[a]);
        loss_at(nets[a], x, y, B);
        cr_assert_eq(aimc_nn_backward(nets[a], y, B, NULL), GSL_SUCCESS);
        cr_assert_eq(aimc_nn_step(nets[a], 1.0, NULL), GSL_SUCCESS);
    }
    for (size_t l = 0; l < 6; ++l) {
        size_t R, C;
        if (!aimc_nn_weight_shape(nets[0], l, &R, &C))
            continue;
        const double *w0 = aimc_optim_weights(aimc_nn_optim(nets[0], l));
        const double *w1 = aimc_optim_weights(aimc_nn_optim(nets[1], l));
        for (size_t k = 0; k < R * C; ++k)
            cr_expect_float_eq(w0[k], w1[k], 1e-13, "layer %zu entry %zu", l, k);
    }
    aimc_nn_free(nets[0]);
    aimc_nn_free(nets[1]);
}

/* Two Gaussian blobs per class in 4 dimensions, centres ±1 apart along one
 * axis per class, σ = 0.25: linearly separable up to far tails.  A dense
 * 4-8-2 sigmoid network trained by Digital SGD must go from chance to
 * ≥ 95 % test accuracy in 20 epochs (it reaches ~100 %; 95 % leaves room
 * for the few tail samples, P(|ξ| > 2σ-distance) ≈ 2e-5 each). */
static aimc_dataset *blobs(size_t n, uint32_t sub)
{
    aimc_dataset *d = aimc_dataset_alloc(n, 1, 1, 4, 2, NULL);
    aimc_stream s;
    aimc_stream_init(&s, 8, 1, 0, sub);
    for (size_t i = 0; i < n; ++i) {
        d->y[i] = (unsigned char)(i % 2);
        for (size_t j = 0; j < 4; ++j)
            d->x[i * 4 + j] = 0.5 + 0.25 * aimc_stream_normal(&s) + (j == 0 ? (d->y[i] ? 0.5 : -0.5) : 0.0);
    }
    return d;
}

Test(nn, tiny_network_learns_a_separable_problem_with_dsgd)
{
    static const aimc_nn_layer_spec L[] = {
        {AIMC_NN_DENSE, 8, 0}, {AIMC_NN_SIGMOID, 0, 0}, {AIMC_NN_DENSE, 2, 0}};
    const aimc_nn_arch a = {1, 1, 4, 3, L};
    aimc_nn_params p = aimc_nn_default_params();
    p.optim.alpha = 0.5;
    p.digital_rate = 0.5;
    aimc_nn *n = aimc_nn_alloc(&a, &p, 10, 1, NULL);
    aimc_dataset *tr = blobs(400, 1), *te = blobs(400, 2);
    double acc0, acc;
    aimc_nn_evaluate(n, te, &acc0, NULL, NULL);
    size_t order[400];
    for (unsigned e = 0; e < 20; ++e) {
        aimc_data_permutation(order, 400, 1, 1, e);
        cr_assert_eq(aimc_nn_train_epoch(n, tr, order, 400, 10, 1.0, NULL, NULL), GSL_SUCCESS);
    }
    aimc_nn_evaluate(n, te, &acc, NULL, NULL);
    cr_expect_geq(acc, 0.95, "accuracy %.3f after training (%.3f before)", acc, acc0);
    aimc_dataset_free(tr);
    aimc_dataset_free(te);
    aimc_nn_free(n);
}

/* A weight that stops being finite in a step stops training at that step
 * with GSL_ERANGE, and the network names it; the loss check names "loss". */
Test(nn, a_non_finite_weight_after_a_step_is_named)
{
    static const aimc_nn_layer_spec L[] = {
        {AIMC_NN_DENSE, 8, 0}, {AIMC_NN_SIGMOID, 0, 0}, {AIMC_NN_DENSE, 2, 0}};
    const aimc_nn_arch a = {1, 1, 4, 3, L};
    aimc_nn_params p = aimc_nn_default_params();
    aimc_nn *n = aimc_nn_alloc(&a, &p, 10, 1, NULL);
    aimc_dataset *tr = blobs(20, 1);
    size_t order[20];
    for (size_t k = 0; k < 20; ++k)
        order[k] = k;
    double v = 0;
    cr_expect_str_eq(aimc_nn_divergence(n, &v), "");
    cr_assert_eq(aimc_nn_train_epoch(n, tr, order, 20, 10, 1.0, NULL, NULL), GSL_SUCCESS);
    cr_expect_str_eq(aimc_nn_divergence(n, &v), "", "a healthy epoch diverges nowhere");
    /* Digital SGD keeps a NaN weight through its step (W − α·g); written
     * after the backward pass, so that the gradients are still finite. */
    aimc_err err = {0};
    cr_expect_eq(aimc_nn_forward(n, tr->x, 10, NULL), GSL_SUCCESS);
    cr_expect_eq(aimc_nn_backward(n, tr->y, 10, NULL), GSL_SUCCESS);
    double *w = (double *)aimc_optim_weights(aimc_nn_optim(n, 2));
    w[5] = NAN;
    cr_expect_eq(aimc_nn_step(n, 1.0, &err), GSL_ERANGE);
    cr_expect_str_eq(aimc_nn_divergence(n, &v), "layer 2 W[5]");
    cr_expect(isnan(v));
    cr_expect(strstr(err.msg, "layer 2 W[5]") != NULL, "message: %s", err.msg);
    /* The next forward pass sees the NaN in the loss. */
    cr_expect_eq(aimc_nn_train_epoch(n, tr, order, 20, 10, 1.0, NULL, NULL), GSL_ERANGE);
    cr_expect_str_eq(aimc_nn_divergence(n, &v), "loss");
    aimc_dataset_free(tr);
    aimc_nn_free(n);
}

Test(nn, bad_architectures_are_refused)
{
    aimc_nn_params p = aimc_nn_default_params();
    const aimc_nn_layer_spec big[] = {{AIMC_NN_CONV, 3, 9}};
    const aimc_nn_arch a1 = {1, 7, 7, 1, big};
    cr_expect_null(aimc_nn_alloc(&a1, &p, 2, 1, NULL));
    const aimc_nn_layer_spec none[] = {{AIMC_NN_TANH, 0, 0}};
    const aimc_nn_arch a2 = {1, 1, 4, 1, none};
    cr_expect_null(aimc_nn_alloc(&a2, &p, 2, 1, NULL));
}

/* A per-layer override (SPEC §4 tab1: a digital network whose last layer
 * alone is analog).  Initial weights depend on (seed, layer) only, and with
 * perfect reads the gradient reaching the earlier layers is the same as in
 * an all-digital network of the same seed, so after one step those layers
 * must agree to the last bit.  The overridden layer is driven by stochastic
 * pulses on a power-response device instead: it must differ from the float
 * step, and only it fires pulses. */
Test(nn, layer_override_makes_only_that_layer_analog)
{
    enum { B = 4, LAST = 5 };
    double x[B * 98];
    fill(x, B * 98, 1.0, 3);
    const unsigned char y[B] = {2, 1, 0, 3};
    aimc_nn_layer_override ov = {LAST, &aimc_optim_asgd, aimc_optim_default_params()};
    aimc_response_params rp = aimc_response_default_params();
    rp.tau = 1.0;
    rp.gamma_res = 3.0;
    cr_assert_eq(aimc_response_init(&ov.optim.main.device.response, &aimc_response_power, &rp, NULL),
                 GSL_SUCCESS);
    ov.optim.main.device.dw_min = 2.0 / 1200;
    aimc_nn *nets[2];
    for (int a = 0; a < 2; ++a) {
        aimc_nn_params p = aimc_nn_default_params();
        p.forward = p.backward = aimc_read_perfect_settings();
        if (a == 1) {
            p.n_overrides = 1;
            p.overrides = &ov;
        }
        aimc_err err = {0};
        nets[a] = aimc_nn_alloc(&toy_arch, &p, B, 7, &err);
        cr_assert_not_null(nets[a], "%s", err.msg);
        loss_at(nets[a], x, y, B);
        cr_assert_eq(aimc_nn_backward(nets[a], y, B, NULL), GSL_SUCCESS);
        cr_assert_eq(aimc_nn_step(nets[a], 1.0, NULL), GSL_SUCCESS);
    }
    for (size_t l = 0; l < 6; ++l) {
        size_t R, C;
        if (!aimc_nn_weight_shape(nets[0], l, &R, &C)) {
            cr_expect_null(aimc_nn_layer_algo(nets[1], l));
            continue;
        }
        const aimc_optim_type *want = l == LAST ? &aimc_optim_asgd : &aimc_optim_dsgd;
        cr_expect_eq(aimc_nn_layer_algo(nets[1], l), want, "layer %zu", l);
        const double *w0 = aimc_optim_weights(aimc_nn_optim(nets[0], l));
        const double *w1 = aimc_optim_weights(aimc_nn_optim(nets[1], l));
        double diff = 0;
        for (size_t k = 0; k < R * C; ++k)
            diff = fmax(diff, fabs(w0[k] - w1[k]));
        if (l == LAST)
            cr_expect_gt(diff, 0.0, "the analog layer took the float step");
        else
            cr_expect_eq(diff, 0.0, "digital layer %zu differs by %g", l, diff);
    }
    cr_expect_eq(aimc_nn_pulses(nets[0]), 0);
    cr_expect_gt(aimc_nn_pulses(nets[1]), 0);
    aimc_nn_free(nets[0]);
    aimc_nn_free(nets[1]);
}

Test(nn, bad_layer_overrides_are_refused)
{
    aimc_nn_params p = aimc_nn_default_params();
    aimc_nn_layer_override ov[2] = {{1, &aimc_optim_asgd, aimc_optim_default_params()},
                                    {5, &aimc_optim_asgd, aimc_optim_default_params()}};
    p.overrides = ov;
    p.n_overrides = 1; /* layer 1 is tanh: no weights */
    cr_expect_neq(aimc_nn_validate(&toy_arch, &p, NULL), GSL_SUCCESS);
    ov[0].layer = 9; /* out of range */
    cr_expect_neq(aimc_nn_validate(&toy_arch, &p, NULL), GSL_SUCCESS);
    ov[0].layer = 5; /* twice the same layer */
    p.n_overrides = 2;
    cr_expect_neq(aimc_nn_validate(&toy_arch, &p, NULL), GSL_SUCCESS);
    ov[0].layer = 3;
    cr_expect_eq(aimc_nn_validate(&toy_arch, &p, NULL), GSL_SUCCESS);
    ov[1].optim.alpha = -1; /* the override's own parameters are validated */
    cr_expect_neq(aimc_nn_validate(&toy_arch, &p, NULL), GSL_SUCCESS);
    ov[1].optim.alpha = 0.1;
    ov[1].algo = NULL;
    cr_expect_neq(aimc_nn_validate(&toy_arch, &p, NULL), GSL_SUCCESS);
    p.overrides = NULL; /* a count without an array */
    cr_expect_neq(aimc_nn_validate(&toy_arch, &p, NULL), GSL_SUCCESS);
}
