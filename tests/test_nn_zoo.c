/* test_nn_zoo.c — the shared networks, settings, data and training loop of
 * the MNIST experiments (include/aimc/nn_zoo.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "aimc/nn_zoo.h"
#include "aimc/rng.h"

/* Weight shapes of every layer that has one, in order. */
static size_t shapes(const aimc_nn_arch *a, size_t (*rc)[2])
{
    aimc_nn_params p = aimc_nn_default_params();
    aimc_nn *n = aimc_nn_alloc(a, &p, 4, 1, NULL);
    cr_assert_not_null(n);
    size_t m = 0;
    for (size_t l = 0; l < aimc_nn_n_layers(n); ++l)
        if (aimc_nn_weight_shape(n, l, &rc[m][0], &rc[m][1]))
            ++m;
    cr_assert_eq(aimc_nn_classes(n), 10);
    aimc_nn_free(n);
    return m;
}

Test(nn_zoo, fcn_is_784_256_128_10)
{
    const aimc_nn_arch a = aimc_zoo_fcn(28, 28);
    size_t rc[8][2];
    cr_assert_eq(shapes(&a, rc), 3);
    const size_t want[3][2] = {{256, 784}, {128, 256}, {10, 128}};
    for (int k = 0; k < 3; ++k)
        cr_assert(rc[k][0] == want[k][0] && rc[k][1] == want[k][1], "layer %d: %zux%zu", k,
                  rc[k][0], rc[k][1]);
    cr_assert_eq(a.layers[1].kind, AIMC_NN_SIGMOID);
}

Test(nn_zoo, cnn_shapes)
{
    /* 28 → conv5 24 → pool 12 → conv5 8 → pool 4: 32·4·4 = 512 inputs of fc128. */
    const aimc_nn_arch a = aimc_zoo_cnn();
    size_t rc[8][2];
    cr_assert_eq(shapes(&a, rc), 4);
    const size_t want[4][2] = {{16, 25}, {32, 400}, {128, 512}, {10, 128}};
    for (int k = 0; k < 4; ++k)
        cr_assert(rc[k][0] == want[k][0] && rc[k][1] == want[k][1], "layer %d: %zux%zu", k,
                  rc[k][0], rc[k][1]);
}

Test(nn_zoo, cnn_with_another_head)
{
    /* Same layers as aimc_zoo_cnn but the head; the 10-way one is the CNN. */
    aimc_nn_layer_spec layers[AIMC_ZOO_CNN_LAYERS];
    const aimc_nn_arch ref = aimc_zoo_cnn();
    cr_assert_eq(ref.n_layers, AIMC_ZOO_CNN_LAYERS);
    aimc_nn_arch a = aimc_zoo_cnn_classes(5, layers);
    cr_assert(a.layers == layers && a.n_layers == ref.n_layers && a.channels == ref.channels &&
              a.height == ref.height && a.width == ref.width);
    for (size_t l = 0; l < AIMC_ZOO_CNN_HEAD; ++l)
        cr_assert(memcmp(&a.layers[l], &ref.layers[l], sizeof *a.layers) == 0, "layer %zu", l);
    cr_assert_eq(a.layers[AIMC_ZOO_CNN_HEAD].kind, AIMC_NN_DENSE);
    cr_assert_eq(a.layers[AIMC_ZOO_CNN_HEAD].out, 5);
    aimc_nn_params p = aimc_nn_default_params();
    aimc_nn *n = aimc_nn_alloc(&a, &p, 4, 1, NULL);
    cr_assert_not_null(n);
    size_t R, C;
    cr_assert(aimc_nn_weight_shape(n, AIMC_ZOO_CNN_HEAD, &R, &C) && R == 5 && C == 128);
    cr_assert_eq(aimc_nn_classes(n), 5);
    aimc_nn_free(n);
    a = aimc_zoo_cnn_classes(10, layers);
    cr_assert(memcmp(a.layers, ref.layers, AIMC_ZOO_CNN_LAYERS * sizeof *a.layers) == 0);
}

Test(nn_zoo, value_lists)
{
    double v[3];
    cr_assert_eq(aimc_zoo_parse_values("0.1,1.2", v, 3, 0, 100, 0), 2);
    cr_assert(v[0] == 0.1 && v[1] == 1.2);
    /* The low end belongs to the range only when closed; the high end never. */
    cr_assert_eq(aimc_zoo_parse_values("0,2", v, 3, 0, 100, 0), 0);
    cr_assert_eq(aimc_zoo_parse_values("0,2", v, 3, 0, 100, 1), 2);
    cr_assert_eq(aimc_zoo_parse_values("100", v, 3, 0, 100, 1), 0);
    const char *bad[] = {"", ",1", "1,,2", "1;2", "x", "nan", "inf", "1,2,3,4"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k)
        cr_assert_eq(aimc_zoo_parse_values(bad[k], v, 3, 0, 100, 1), 0, "\"%s\"", bad[k]);
    cr_assert_eq(aimc_zoo_parse_values("1,", v, 3, 0, 100, 1), 1); /* the programs' old lists */
}

Test(nn_zoo, name_lists)
{
    static const char *const names[] = {"dsgd", "asgd", "rl", NULL};
    int f[3] = {1, 1, 1};
    cr_assert_eq(aimc_zoo_parse_names("rl,dsgd", names, f), 2);
    cr_assert(f[0] == 1 && f[1] == 0 && f[2] == 1);
    const char *bad[] = {"", ",rl", "rl,", "rl,,dsgd", "rl,rl", "sgd", "dsgd asgd"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k)
        cr_assert_eq(aimc_zoo_parse_names(bad[k], names, f), 0, "\"%s\"", bad[k]);
    char longer[300];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    cr_assert_eq(aimc_zoo_parse_names(longer, names, f), 0);
}

Test(nn_zoo, paper_settings_reach_the_optimizer)
{
    aimc_zoo_settings s = aimc_zoo_default_settings();
    aimc_nn_params p;
    cr_assert_eq(aimc_zoo_params(&s, &aimc_optim_dsgd, 0.6, &p, NULL), GSL_SUCCESS);
    cr_assert(p.optim.alpha == 0.1 && p.digital_rate == 0.1);
    cr_assert_eq(aimc_zoo_params(&s, &aimc_optim_asgd, 0.6, &p, NULL), GSL_SUCCESS);
    cr_assert(p.optim.alpha == 0.05 && p.digital_rate == 0.05);
    /* The authors' example: τ = 0.6 and 1200 states give Δw_min = 0.001. */
    cr_assert_float_eq(p.optim.main.device.dw_min, 0.001, 1e-15);
    cr_assert_eq(p.optim.main.device.response.type, aimc_response_type_find("power"));
    cr_assert_eq(p.optim.main.pulse.bl_max, 31);
    s.sigma_c = 0.3;
    s.noise_form = AIMC_NOISE_MULTIPLICATIVE;
    s.n_col = 8;
    cr_assert_eq(aimc_zoo_params(&s, &aimc_optim_rl, 0.7, &p, NULL), GSL_SUCCESS);
    cr_assert(p.optim.alpha == 0.01 && p.optim.beta == 0.05 && p.optim.gamma == 0.0);
    cr_assert_eq(p.optim.n_col, 8);
    cr_assert(p.optim.residual.device.sigma_c == 0.3 && p.optim.main.device.sigma_c == 0.3);
    cr_assert_eq(p.optim.main.device.noise_form, AIMC_NOISE_MULTIPLICATIVE);
    cr_assert_float_eq(p.optim.read_noise, 0.06, 1e-15);
    s.states = 0;
    cr_assert_neq(aimc_zoo_params(&s, &aimc_optim_asgd, 0.7, &p, NULL), GSL_SUCCESS);
}

Test(nn_zoo, bad_data_fails_cleanly)
{
    aimc_dataset *tr = (aimc_dataset *)1, *te = (aimc_dataset *)1;
    aimc_err err = {0};
    cr_assert_neq(aimc_zoo_load("cifar", "/nonexistent", 0, 0, &tr, &te, &err), GSL_SUCCESS);
    cr_assert(tr == NULL && te == NULL);
    cr_assert_neq(aimc_zoo_load("mnist", "/nonexistent", 0, 0, &tr, &te, &err), GSL_SUCCESS);
    cr_assert(tr == NULL && te == NULL);
}

/* Two separable classes of 8×8 images: class 0 lights the top half, class
 * 1 the bottom half, plus uniform noise. */
static aimc_dataset *toy(size_t n, uint32_t sub)
{
    aimc_dataset *d = aimc_dataset_alloc(n, 1, 8, 8, 10, NULL);
    aimc_stream s;
    aimc_stream_init(&s, 11, 2, 0, sub);
    for (size_t i = 0; i < n; ++i) {
        d->y[i] = (unsigned char)(i % 2);
        for (size_t j = 0; j < 64; ++j)
            d->x[i * 64 + j] = 0.3 * aimc_stream_uniform(&s) + ((j < 32) == (i % 2 == 0) ? 0.7 : 0);
    }
    return d;
}

Test(nn_zoo, loop_is_a_function_of_the_seed)
{
    aimc_dataset *tr = toy(40, 1), *te = toy(20, 2);
    const aimc_nn_arch a = aimc_zoo_fcn(8, 8);
    aimc_zoo_settings s = aimc_zoo_default_settings();
    s.sigma_c = 0.3; /* pulses, their noise and the reads all drawn from the seed */
    aimc_nn_params p;
    cr_assert_eq(aimc_zoo_params(&s, &aimc_optim_rl, 0.7, &p, NULL), GSL_SUCCESS);
    const aimc_zoo_schedule sch = {10, 2, 0, 1};
    double acc[3][3], loss[3][3];
    aimc_zoo_stats st;
    const uint64_t seeds[3] = {5, 5, 6};
    for (int r = 0; r < 3; ++r) {
        cr_assert_eq(aimc_zoo_train(&a, &p, &sch, seeds[r], tr, te, acc[r], loss[r], &st, NULL,
                                    NULL, NULL),
                     GSL_SUCCESS);
        cr_assert_eq(st.epochs_done, 2);
        cr_assert_gt(st.pulses, 0);
    }
    cr_assert(isnan(loss[0][0]) && isfinite(loss[0][2]));
    cr_assert_eq(memcmp(acc[0], acc[1], sizeof acc[0]), 0, "same seed, different accuracies");
    cr_assert_eq(memcmp(loss[0], loss[1], sizeof loss[0]), 0, "same seed, different losses");
    cr_assert_neq(memcmp(loss[0], loss[2], sizeof loss[0]), 0, "the seed changes nothing");
    aimc_dataset_free(tr);
    aimc_dataset_free(te);
}

static void count_epochs(void *ctx) { ++*(int *)ctx; }

Test(nn_zoo, loop_learns)
{
    aimc_dataset *tr = toy(200, 1), *te = toy(100, 2);
    const aimc_nn_arch a = aimc_zoo_fcn(8, 8);
    aimc_zoo_settings s = aimc_zoo_default_settings();
    s.alpha_dsgd = 0.5;
    aimc_nn_params p;
    cr_assert_eq(aimc_zoo_params(&s, &aimc_optim_dsgd, 0, &p, NULL), GSL_SUCCESS);
    const aimc_zoo_schedule sch = {10, 8, 4, 0.5};
    double acc[9], loss[9];
    aimc_zoo_stats st;
    int calls = 0;
    cr_assert_eq(aimc_zoo_train(&a, &p, &sch, 3, tr, te, acc, loss, &st, count_epochs, &calls,
                                NULL),
                 GSL_SUCCESS);
    cr_assert_eq(calls, 8);
    /* Separable classes: the loss falls, and the test accuracy ends above
     * 50 % + 5 binomial standard errors of a coin on 100 samples (75 %). */
    cr_assert_lt(loss[8], loss[1]);
    cr_assert_gt(acc[8], 0.75, "accuracy %g after 8 epochs", acc[8]);
    aimc_dataset_free(tr);
    aimc_dataset_free(te);
}

Test(nn_zoo, a_nan_input_stops_the_loop)
{
    aimc_dataset *tr = toy(40, 1), *te = toy(20, 2);
    tr->x[5] = NAN;
    const aimc_nn_arch a = aimc_zoo_fcn(8, 8);
    aimc_zoo_settings s = aimc_zoo_default_settings();
    aimc_nn_params p;
    cr_assert_eq(aimc_zoo_params(&s, &aimc_optim_dsgd, 0, &p, NULL), GSL_SUCCESS);
    const aimc_zoo_schedule sch = {10, 3, 0, 1};
    double acc[4], loss[4];
    aimc_zoo_stats st;
    aimc_err err = {0};
    cr_assert_eq(aimc_zoo_train(&a, &p, &sch, 1, tr, te, acc, loss, &st, NULL, NULL, &err),
                 GSL_ERANGE);
    cr_assert_eq(st.epochs_done, 0);
    cr_assert(isfinite(acc[0]) && isnan(acc[1]) && isnan(loss[1]));
    aimc_dataset_free(tr);
    aimc_dataset_free(te);
}

Test(nn_zoo, mean_std_over_a_stride)
{
    const double x[6] = {1, 9, 3, 9, 5, 9};
    double m, sd;
    aimc_zoo_mean_std(x, 3, 2, &m, &sd);
    cr_assert_float_eq(m, 3.0, 1e-15);
    cr_assert_float_eq(sd, 2.0, 1e-15);
    aimc_zoo_mean_std(x, 1, 2, &m, &sd);
    cr_assert(m == 1.0 && sd == 0.0);
}
