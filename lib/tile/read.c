/* read.c — noisy reads of an analog array (SPEC §1.7, Table 4): DAC, MAC,
 * output noise, ADC, noise and bound management; or perfect reads.
 *
 * The pipeline per input vector is documented in aimc/tile.h.  A batch goes
 * through the converters vector by vector but through the MAC as one BLAS
 * gemm; vectors that saturate under bound management are re-read one by
 * one (gemv).  Each vector's noise comes from its own stream keyed by the
 * read counter, the vector's index and the bound-management round, so the
 * numbers do not depend on how many threads share the work. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "aimc/rng.h"
#include "aimc/tile.h"

/* Bound-management rounds are numbered in the stream's sub index. */
#define BM_MAX_ROUNDS 16u
/* Below this many output values a parallel region costs more than it saves. */
#define READ_OMP_MIN 8192u

struct aimc_reader {
    aimc_read_settings s;
    size_t rows, cols, max_batch;
    uint64_t seed;
    uint32_t object;
    uint64_t calls, bm_repeats;
    double *u;          /* max_batch × max(rows, cols): converted inputs */
    double *alpha;      /* max_batch: noise-management scale of each vector */
    unsigned char *sat; /* max_batch: saturated after the first read */
};

aimc_read_settings aimc_read_default_settings(void)
{
    aimc_read_settings s = {.perfect = 0,
                            .inp_bound = 1.0,
                            .inp_res = 1.0 / 126.0, /* 7 bits: 1/(2^7 − 2) */
                            .out_noise = 0.06,
                            .out_bound = 12.0,
                            .out_res = 1.0 / 510.0, /* 9 bits: 1/(2^9 − 2) */
                            .noise_management = 1,
                            .bound_management = 1,
                            .max_bm_factor = 1000.0,
                            .max_bm_res = 0.25};
    return s;
}

aimc_read_settings aimc_read_default_backward_settings(void)
{
    aimc_read_settings s = aimc_read_default_settings();
    s.bound_management = 0;
    return s;
}

aimc_read_settings aimc_read_perfect_settings(void)
{
    aimc_read_settings s = aimc_read_default_settings();
    s.perfect = 1;
    return s;
}

static int nonneg(double x) { return isfinite(x) && x >= 0.0; }

int aimc_read_validate(const aimc_read_settings *s, aimc_err *err)
{
    if (!nonneg(s->inp_bound) || !nonneg(s->inp_res) || !nonneg(s->out_noise) ||
        !nonneg(s->out_bound) || !nonneg(s->out_res))
        return AIMC_FAIL(err, GSL_EINVAL,
                         "read: bounds, resolutions and noise should be finite and >= 0 "
                         "(inp_bound %g, inp_res %g, out_noise %g, out_bound %g, out_res %g)",
                         s->inp_bound, s->inp_res, s->out_noise, s->out_bound, s->out_res);
    if (s->inp_res >= 1.0 || s->out_res >= 1.0)
        return AIMC_FAIL(err, GSL_EINVAL, "read: resolutions %g, %g should be < 1", s->inp_res,
                         s->out_res);
    if (!(s->max_bm_factor >= 1.0) || !isfinite(s->max_bm_factor) || !nonneg(s->max_bm_res))
        return AIMC_FAIL(err, GSL_EINVAL, "read: max_bm_factor %g should be >= 1, max_bm_res %g >= 0",
                         s->max_bm_factor, s->max_bm_res);
    return GSL_SUCCESS;
}

void aimc_reader_free(aimc_reader *r)
{
    if (r == NULL)
        return;
    free(r->u);
    free(r->alpha);
    free(r->sat);
    free(r);
}

aimc_reader *aimc_reader_alloc(const aimc_read_settings *s, size_t rows, size_t cols,
                               size_t max_batch, uint64_t seed, uint32_t object, aimc_err *err)
{
    if (aimc_read_validate(s, err) != GSL_SUCCESS)
        return NULL;
    if (rows == 0 || cols == 0 || max_batch == 0) {
        AIMC_FAIL(err, GSL_EINVAL, "read: shape %zu x %zu, batch %zu should be positive", rows,
                  cols, max_batch);
        return NULL;
    }
    aimc_reader *r = calloc(1, sizeof *r);
    const size_t wide = rows > cols ? rows : cols;
    if (r != NULL) {
        r->u = malloc(max_batch * wide * sizeof *r->u);
        r->alpha = malloc(max_batch * sizeof *r->alpha);
        r->sat = malloc(max_batch);
    }
    if (r == NULL || !r->u || !r->alpha || !r->sat) {
        aimc_reader_free(r);
        AIMC_FAIL(err, GSL_ENOMEM, "read: out of memory for a batch of %zu", max_batch);
        return NULL;
    }
    r->s = *s;
    r->rows = rows;
    r->cols = cols;
    r->max_batch = max_batch;
    r->seed = seed;
    r->object = object;
    return r;
}

const aimc_read_settings *aimc_reader_settings(const aimc_reader *r) { return &r->s; }
uint64_t aimc_reader_calls(const aimc_reader *r) { return r->calls; }
uint64_t aimc_reader_bm_repeats(const aimc_reader *r) { return r->bm_repeats; }

static double quantize(double v, double step) { return step > 0.0 ? step * round(v / step) : v; }

static double clip(double v, double bound)
{
    if (bound <= 0.0)
        return v;
    return v > bound ? bound : v < -bound ? -bound : v;
}

/* Step 2, DAC: u = quantize(clip(x/scale)). */
static void convert_input(const aimc_read_settings *s, const double *x, size_t n, double scale,
                          double *u)
{
    const double step = s->inp_res * 2.0 * s->inp_bound;
    for (size_t j = 0; j < n; ++j)
        u[j] = clip(quantize(x[j] / scale, step), s->inp_bound);
}

/* Step 4, ADC on one output vector; returns 1 if an output sits at a bound. */
static int convert_output(const aimc_read_settings *s, double *v, size_t n, aimc_stream *st)
{
    const double step = s->out_res * 2.0 * s->out_bound;
    int saturated = 0;
    for (size_t i = 0; i < n; ++i) {
        double y = v[i];
        if (s->out_noise > 0.0)
            y += s->out_noise * aimc_stream_normal(st);
        y = clip(quantize(y, step), s->out_bound);
        saturated |= s->out_bound > 0.0 && fabs(y) >= s->out_bound;
        v[i] = y;
    }
    return saturated;
}

/* Step 5: may bound management go to round r? */
static int bm_allows(const aimc_read_settings *s, unsigned r)
{
    const double f = ldexp(1.0, (int)r);
    return r < BM_MAX_ROUNDS && f <= s->max_bm_factor &&
           (s->inp_res <= 0.0 || f <= s->max_bm_res / s->inp_res);
}

/* The MAC of one batch: out = U Wᵀ (forward) or U W (backward). */
static void mac(const aimc_reader *r, const double *W, int backward, const double *U, size_t batch,
                double *out)
{
    const int rows = (int)r->rows, cols = (int)r->cols;
    if (batch == 1) {
        cblas_dgemv(CblasRowMajor, backward ? CblasTrans : CblasNoTrans, rows, cols, 1.0, W, cols,
                    U, 1, 0.0, out, 1);
    } else if (backward) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)batch, cols, rows, 1.0, U,
                    rows, W, cols, 0.0, out, cols);
    } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)batch, rows, cols, 1.0, U, cols,
                    W, cols, 0.0, out, rows);
    }
}

/* Re-read vector b with halved input scales until it no longer saturates
 * or bound management may go no further (step 5). */
static void bound_manage(aimc_reader *r, const double *W, int backward, const double *x,
                         size_t b, double *y, uint32_t call)
{
    const size_t n_in = backward ? r->rows : r->cols, n_out = backward ? r->cols : r->rows;
    double *u = r->u + b * n_in;
    const uint32_t purpose = AIMC_PURPOSE(r->object, AIMC_ROLE_READ);
    unsigned round = 0;
    int saturated = 1;
    while (saturated && bm_allows(&r->s, round + 1)) {
        ++round;
        const double scale = ldexp(r->alpha[b], (int)round);
        convert_input(&r->s, x, n_in, scale, u);
        mac(r, W, backward, u, 1, y);
        aimc_stream st;
        aimc_stream_init(&st, r->seed, purpose, call, (uint32_t)(b * BM_MAX_ROUNDS + round));
        saturated = convert_output(&r->s, y, n_out, &st);
        r->bm_repeats++;
    }
    const double back = ldexp(r->alpha[b], (int)round);
    for (size_t i = 0; i < n_out; ++i)
        y[i] *= back;
}

static int read_batch(aimc_reader *r, const double *W, int backward, const double *in,
                      size_t batch, double *out, aimc_err *err)
{
    if (batch > r->max_batch)
        return AIMC_FAIL(err, GSL_EBADLEN, "read: batch %zu exceeds the reader's %zu", batch,
                         r->max_batch);
    const size_t n_in = backward ? r->rows : r->cols, n_out = backward ? r->cols : r->rows;
    const aimc_read_settings *s = &r->s;
    const uint32_t call = (uint32_t)r->calls++;
    if (batch == 0)
        return GSL_SUCCESS;
    if (s->perfect) {
        mac(r, W, backward, in, batch, out);
        return GSL_SUCCESS;
    }
    /* Steps 1–2 for every vector, then one gemm (step 3). */
    for (size_t b = 0; b < batch; ++b) {
        const double *x = in + b * n_in;
        double a = 1.0;
        if (s->noise_management) {
            a = 0.0;
            for (size_t j = 0; j < n_in; ++j)
                a = fmax(a, fabs(x[j]));
        }
        r->alpha[b] = a;
        convert_input(s, x, n_in, a > 0.0 ? a : 1.0, r->u + b * n_in);
    }
    mac(r, W, backward, r->u, batch, out);
    /* Step 4 per vector, each from its own stream; step 6 unless re-read. */
    const uint32_t purpose = AIMC_PURPOSE(r->object, AIMC_ROLE_READ);
#pragma omp parallel for schedule(static) if (batch * n_out >= READ_OMP_MIN)
    for (size_t b = 0; b < batch; ++b) {
        double *y = out + b * n_out;
        r->sat[b] = 0;
        if (r->alpha[b] == 0.0) { /* nothing driven: the output is 0 */
            memset(y, 0, n_out * sizeof *y);
            continue;
        }
        aimc_stream st;
        aimc_stream_init(&st, r->seed, purpose, call, (uint32_t)(b * BM_MAX_ROUNDS));
        r->sat[b] = convert_output(s, y, n_out, &st) && s->bound_management;
        if (!r->sat[b])
            for (size_t i = 0; i < n_out; ++i)
                y[i] *= r->alpha[b];
    }
    /* Step 5: rare, serial (BLAS calls stay outside the parallel region). */
    for (size_t b = 0; b < batch; ++b)
        if (r->sat[b])
            bound_manage(r, W, backward, in + b * n_in, b, out + b * n_out, call);
    return GSL_SUCCESS;
}

int aimc_read_forward(aimc_reader *r, const double *W, const double *X, size_t batch, double *Y,
                      aimc_err *err)
{
    return read_batch(r, W, 0, X, batch, Y, err);
}

int aimc_read_backward(aimc_reader *r, const double *W, const double *D, size_t batch, double *Z,
                       aimc_err *err)
{
    return read_batch(r, W, 1, D, batch, Z, err);
}
