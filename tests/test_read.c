/* test_read.c — noisy reads (SPEC §1.7) against the pipeline they model. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <gsl/gsl_cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "aimc/rng.h"
#include "aimc/tile.h"

/* Deterministic pseudo-random fill in [−a, a]. */
static void fill(double *v, size_t n, double a, uint32_t sub)
{
    aimc_stream s;
    aimc_stream_init(&s, 99, 1, 0, sub);
    for (size_t k = 0; k < n; ++k)
        v[k] = a * (2.0 * aimc_stream_uniform(&s) - 1.0);
}

/* Only the named stages on. */
static aimc_read_settings all_off(void)
{
    aimc_read_settings s = aimc_read_default_settings();
    s.inp_bound = s.inp_res = s.out_noise = s.out_bound = s.out_res = 0.0;
    s.noise_management = s.bound_management = 0;
    return s;
}

Test(read, perfect_read_is_the_blas_product)
{
    enum { R = 7, C = 13, B = 5 };
    double W[R * C], X[B * C], D[B * R], Y[B * R], Z[B * C], Yr[B * R], Zr[B * C];
    fill(W, R * C, 3.0, 1);
    fill(X, B * C, 2.0, 2);
    fill(D, B * R, 2.0, 3);
    aimc_read_settings s = aimc_read_perfect_settings();
    aimc_reader *r = aimc_reader_alloc(&s, R, C, B, 1, 1, NULL);
    cr_assert_not_null(r);
    cr_assert_eq(aimc_read_forward(r, W, X, B, Y, NULL), GSL_SUCCESS);
    cr_assert_eq(aimc_read_backward(r, W, D, B, Z, NULL), GSL_SUCCESS);
    /* Exactly the gemm the reader promises: bit for bit. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, R, C, 1.0, X, C, W, C, 0.0, Yr, R);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, C, R, 1.0, D, R, W, C, 0.0, Zr, C);
    cr_expect_arr_eq(Y, Yr, sizeof Y);
    cr_expect_arr_eq(Z, Zr, sizeof Z);
    /* And the product itself: a plain loop agrees to rounding (|terms| ≤ 6,
     * 13 of them: 1e-12 is many ulps). */
    for (int b = 0; b < B; ++b)
        for (int i = 0; i < R; ++i) {
            double y = 0;
            for (int j = 0; j < C; ++j)
                y += W[i * C + j] * X[b * C + j];
            cr_expect_float_eq(Y[b * R + i], y, 1e-12);
        }
    aimc_reader_free(r);
}

/* DAC: with W = I and the output stage off, the output is the converted
 * input — clipped to ±1 and on the grid k/63 (7 bits, 1/(2⁷−2) of the
 * range [−1, 1]); the rounding error is at most half a step. */
Test(read, input_is_clipped_and_quantized_to_7_bits)
{
    enum { N = 64 };
    double W[N * N] = {0}, x[N], y[N];
    for (int i = 0; i < N; ++i)
        W[i * N + i] = 1.0;
    fill(x, N, 1.5, 4);
    aimc_read_settings s = all_off();
    s.inp_bound = 1.0;
    s.inp_res = 1.0 / 126.0;
    aimc_reader *r = aimc_reader_alloc(&s, N, N, 1, 1, 1, NULL);
    aimc_read_forward(r, W, x, 1, y, NULL);
    for (int j = 0; j < N; ++j) {
        const double k = y[j] * 63.0;
        cr_expect_float_eq(k, round(k), 1e-9, "output %g is off the 1/63 grid", y[j]);
        cr_expect_leq(fabs(y[j]), 1.0);
        if (fabs(x[j]) <= 1.0)
            cr_expect_leq(fabs(y[j] - x[j]), 0.5 / 63.0 + 1e-12);
        else
            cr_expect_eq(y[j], x[j] > 0 ? 1.0 : -1.0);
    }
    aimc_reader_free(r);
}

/* ADC: output on the grid 24/510 (9 bits over ±12), clipped at ±12. */
Test(read, output_is_quantized_to_9_bits_and_clipped)
{
    enum { N = 50 };
    double W[N], x[1] = {1.0}, y[N];
    for (int i = 0; i < N; ++i)
        W[i] = -15.0 + 0.61 * i; /* a column: outputs −15 … 14.9 */
    aimc_read_settings s = all_off();
    s.out_bound = 12.0;
    s.out_res = 1.0 / 510.0;
    aimc_reader *r = aimc_reader_alloc(&s, N, 1, 1, 1, 1, NULL);
    aimc_read_forward(r, W, x, 1, y, NULL);
    const double step = 24.0 / 510.0;
    for (int i = 0; i < N; ++i) {
        cr_expect_float_eq(y[i] / step, round(y[i] / step), 1e-9, "%g off the grid", y[i]);
        if (fabs(W[i]) < 12.0)
            cr_expect_leq(fabs(y[i] - W[i]), 0.5 * step + 1e-12);
        else
            cr_expect_eq(y[i], W[i] > 0 ? 12.0 : -12.0);
    }
    aimc_reader_free(r);
}

/* Output noise: with W = 0 every output is pure noise, N(0, σ²) with
 * σ = 0.06·max|x| under noise management (the rescale of step 6).  With
 * N = 40 000 draws, the sample mean has standard error σ/√N and the sample
 * standard deviation σ/√(2N); both must sit within 5 standard errors
 * (a false alarm has probability below 1e-6). */
Test(read, output_noise_has_the_stated_mean_and_std)
{
    enum { R = 200, C = 4, B = 200 };
    const double amax = 2.5;
    double *W = calloc(R * C, sizeof *W), *X = malloc(B * C * sizeof *X), *Y = malloc(B * R * sizeof *Y);
    for (int b = 0; b < B; ++b)
        for (int j = 0; j < C; ++j)
            X[b * C + j] = j == 0 ? amax : 0.3;
    aimc_read_settings s = all_off();
    s.out_noise = 0.06;
    s.noise_management = 1;
    aimc_reader *r = aimc_reader_alloc(&s, R, C, B, 17, 1, NULL);
    aimc_read_forward(r, W, X, B, Y, NULL);
    const double N = (double)R * B, sigma = 0.06 * amax;
    double m = 0, v = 0;
    for (int k = 0; k < R * B; ++k)
        m += Y[k];
    m /= N;
    for (int k = 0; k < R * B; ++k)
        v += (Y[k] - m) * (Y[k] - m);
    const double sd = sqrt(v / (N - 1));
    cr_expect_leq(fabs(m), 5 * sigma / sqrt(N), "mean %g", m);
    cr_expect_leq(fabs(sd - sigma), 5 * sigma / sqrt(2 * N), "std %g vs %g", sd, sigma);
    /* Fresh noise on the next read: not a replay. */
    double *Y2 = malloc(B * R * sizeof *Y2);
    aimc_read_forward(r, W, X, B, Y2, NULL);
    cr_expect(memcmp(Y, Y2, B * R * sizeof *Y) != 0);
    free(W), free(X), free(Y), free(Y2);
    aimc_reader_free(r);
}

/* Bound management: y = 20·(1+1+1+1)·x̂ = 80 saturates the ±12 ADC; halving
 * the input scale three times brings it to 10, inside the range, and the
 * rescale recovers 80 exactly (no quantisation, no noise here).  Without
 * bound management the output stays at the bound, and so it does when the
 * needed factor exceeds max_bm_factor. */
Test(read, bound_management_recovers_saturated_outputs)
{
    double W[2 * 4], x[4] = {1, 1, 1, 1}, y[2];
    for (int j = 0; j < 4; ++j) {
        W[j] = 20.0;
        W[4 + j] = 0.5;
    }
    aimc_read_settings s = all_off();
    s.out_bound = 12.0;
    s.noise_management = 1;
    aimc_reader *r = aimc_reader_alloc(&s, 2, 4, 1, 1, 1, NULL);
    aimc_read_forward(r, W, x, 1, y, NULL);
    cr_expect_eq(y[0], 12.0, "without bound management: clipped, got %g", y[0]);
    aimc_reader_free(r);

    s.bound_management = 1;
    r = aimc_reader_alloc(&s, 2, 4, 1, 1, 1, NULL);
    aimc_read_forward(r, W, x, 1, y, NULL);
    cr_expect_float_eq(y[0], 80.0, 1e-12, "recovered %g", y[0]);
    cr_expect_float_eq(y[1], 2.0, 1e-12, "unsaturated neighbour %g", y[1]);
    cr_expect_eq(aimc_reader_bm_repeats(r), 3);
    aimc_reader_free(r);

    s.max_bm_factor = 4.0; /* 80/4 = 20 still saturates: stays at the bound ×4 */
    r = aimc_reader_alloc(&s, 2, 4, 1, 1, 1, NULL);
    aimc_read_forward(r, W, x, 1, y, NULL);
    cr_expect_float_eq(y[0], 48.0, 1e-12, "limited by max_bm_factor: %g", y[0]);
    aimc_reader_free(r);

    /* With the 7-bit DAC the limit max_bm_res/inp_res = 0.25·126 = 31.5
     * admits 2^4 = 16, so 80 is still recovered (to input quantisation). */
    s = aimc_read_default_settings();
    s.out_noise = 0.0;
    r = aimc_reader_alloc(&s, 2, 4, 1, 1, 1, NULL);
    aimc_read_forward(r, W, x, 1, y, NULL);
    cr_expect_gt(y[0], 70.0, "default settings: %g", y[0]);
    aimc_reader_free(r);
}

/* Same seed, same numbers, whatever the number of threads (the batch is
 * large enough to open a parallel region). */
Test(read, noisy_reads_do_not_depend_on_threads)
{
    enum { R = 64, C = 30, B = 300 };
    double *W = malloc(R * C * sizeof *W), *X = malloc(B * C * sizeof *X);
    double *Y1 = malloc(B * R * sizeof *Y1), *Y2 = malloc(B * R * sizeof *Y2);
    fill(W, R * C, 1.0, 5);
    fill(X, B * C, 1.0, 6);
    aimc_read_settings s = aimc_read_default_settings();
    double *out[2] = {Y1, Y2};
    for (int t = 0; t < 2; ++t) {
#ifdef _OPENMP
        omp_set_num_threads(t + 1);
#endif
        aimc_reader *r = aimc_reader_alloc(&s, R, C, B, 3, 2, NULL);
        aimc_read_forward(r, W, X, B, out[t], NULL);
        aimc_reader_free(r);
    }
    cr_expect_arr_eq(Y1, Y2, B * R * sizeof *Y1);
    free(W), free(X), free(Y1), free(Y2);
}

Test(read, bad_settings_are_refused)
{
    aimc_read_settings s = aimc_read_default_settings();
    s.out_noise = -1;
    cr_expect_neq(aimc_read_validate(&s, NULL), GSL_SUCCESS);
    s = aimc_read_default_settings();
    s.inp_res = NAN;
    cr_expect_null(aimc_reader_alloc(&s, 2, 2, 1, 1, 1, NULL));
    s = aimc_read_default_settings();
    aimc_reader *r = aimc_reader_alloc(&s, 2, 2, 1, 1, 1, NULL);
    double W[4] = {0}, X[4] = {0}, Y[4];
    cr_expect_neq(aimc_read_forward(r, W, X, 2, Y, NULL), GSL_SUCCESS, "batch above max_batch");
    aimc_reader_free(r);
}
