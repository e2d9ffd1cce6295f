/* tile.c — an analog array and its update kernels.
 *
 * Random streams: every kernel call is one "update" of the tile and uses
 * the tile's update counter as the stream step; rows draw from their own
 * streams, so an OpenMP split over rows gives the same numbers as a serial
 * loop.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "aimc/tile.h"

#define RANK1_MAX_BL 4096u
/* Below this many elements a parallel region costs more than it saves. */
#define AIMC_OMP_MIN_ELEMENTS 4096u

struct aimc_tile {
    size_t rows, cols, n;
    aimc_tile_params p;
    aimc_device *dev;
    double *w;
    double *qp, *qm;       /* scratch, n */
    double *dW;            /* scratch, n */
    uint64_t *xbits;       /* rank1: cols × words */
    uint64_t *dbits;       /* rank1: rows × words */
    unsigned words;        /* 64-bit words per pulse train */
    uint64_t seed;
    uint32_t object;
    uint64_t updates, pulses;
};

aimc_pulse_settings aimc_pulse_default_settings(void)
{
    aimc_pulse_settings s = {.bl_max = 31,
                             .rounding = AIMC_ROUND_STOCHASTIC,
                             .update_bl_management = 1,
                             .update_management = 1,
                             .mean_count = 0};
    return s;
}

aimc_tile_params aimc_tile_default_params(void)
{
    aimc_tile_params p;
    p.device = aimc_device_default_params();
    p.update = &aimc_update_rank1;
    p.pulse = aimc_pulse_default_settings();
    return p;
}

int aimc_tile_validate(const aimc_tile_params *p, aimc_err *err)
{
    int st = aimc_device_validate(&p->device, err);
    if (st != GSL_SUCCESS)
        return st;
    if (p->update == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "tile: no update kernel given");
    if (p->pulse.bl_max < 1 || p->pulse.bl_max > RANK1_MAX_BL)
        return AIMC_FAIL(err, GSL_EINVAL, "tile: bl_max = %u should be in [1, %u]",
                         p->pulse.bl_max, RANK1_MAX_BL);
    if ((unsigned)p->pulse.rounding > AIMC_ROUND_CEIL)
        return AIMC_FAIL(err, GSL_EINVAL, "tile: unknown rounding %d", (int)p->pulse.rounding);
    return GSL_SUCCESS;
}

void aimc_tile_free(aimc_tile *t)
{
    if (t == NULL)
        return;
    aimc_device_free(t->dev);
    free(t->w);
    free(t->qp);
    free(t->qm);
    free(t->dW);
    free(t->xbits);
    free(t->dbits);
    free(t);
}

aimc_tile *aimc_tile_alloc(size_t rows, size_t cols, const aimc_tile_params *p, uint64_t seed,
                           uint32_t object, aimc_err *err)
{
    if (aimc_tile_validate(p, err) != GSL_SUCCESS)
        return NULL;
    if (rows == 0 || cols == 0 || rows > SIZE_MAX / cols) {
        AIMC_FAIL(err, GSL_EINVAL, "tile: shape %zu x %zu should be positive", rows, cols);
        return NULL;
    }
    aimc_tile *t = calloc(1, sizeof *t);
    if (t == NULL) {
        AIMC_FAIL(err, GSL_ENOMEM, "tile: out of memory");
        return NULL;
    }
    t->rows = rows;
    t->cols = cols;
    t->n = rows * cols;
    t->p = *p;
    t->seed = seed;
    t->object = object;
    t->words = (p->pulse.bl_max + 63) / 64;
    t->dev = aimc_device_alloc(&p->device, t->n, seed, object, err);
    if (t->dev == NULL) {
        aimc_tile_free(t);
        return NULL;
    }
    t->w = calloc(t->n, sizeof *t->w);
    t->qp = malloc(t->n * sizeof *t->qp);
    t->qm = malloc(t->n * sizeof *t->qm);
    t->dW = malloc(t->n * sizeof *t->dW);
    t->xbits = malloc((size_t)t->words * cols * sizeof *t->xbits);
    t->dbits = malloc((size_t)t->words * rows * sizeof *t->dbits);
    if (!t->w || !t->qp || !t->qm || !t->dW || !t->xbits || !t->dbits) {
        aimc_tile_free(t);
        AIMC_FAIL(err, GSL_ENOMEM, "tile: out of memory for %zu x %zu", rows, cols);
        return NULL;
    }
    aimc_device_clip(t->dev, 0, t->n, t->w);
    return t;
}

size_t aimc_tile_rows(const aimc_tile *t) { return t->rows; }
size_t aimc_tile_cols(const aimc_tile *t) { return t->cols; }
const aimc_tile_params *aimc_tile_params_of(const aimc_tile *t) { return &t->p; }
const aimc_device *aimc_tile_device(const aimc_tile *t) { return t->dev; }
aimc_device *aimc_tile_device_mutable(aimc_tile *t) { return t->dev; }
const double *aimc_tile_weights(const aimc_tile *t) { return t->w; }
uint64_t aimc_tile_pulse_count(const aimc_tile *t) { return t->pulses; }
uint64_t aimc_tile_update_count(const aimc_tile *t) { return t->updates; }

void aimc_tile_set_weights(aimc_tile *t, const double *w)
{
    memcpy(t->w, w, t->n * sizeof *w);
    aimc_device_clip(t->dev, 0, t->n, t->w);
}

void aimc_tile_fill(aimc_tile *t, double value)
{
    for (size_t k = 0; k < t->n; ++k)
        t->w[k] = value;
    aimc_device_clip(t->dev, 0, t->n, t->w);
}

void aimc_tile_read_column(const aimc_tile *t, size_t c, double *out)
{
    for (size_t i = 0; i < t->rows; ++i)
        out[i] = t->w[i * t->cols + c];
}

static uint32_t tile_purpose(const aimc_tile *t, int role) { return AIMC_PURPOSE(t->object, role); }

/* ---- float: W ← W + ΔW, then clip -------------------------------------- */
void aimc_tile_apply_float(aimc_tile *t, const double *dW)
{
    for (size_t k = 0; k < t->n; ++k)
        t->w[k] += dW[k];
    aimc_device_clip(t->dev, 0, t->n, t->w);
    t->updates++;
}

/* ---- (5) compact update: W ← W + ΔW⊙F(W) − |ΔW|⊙G(W), i.e. (3) per sign --
 *
 * One pass in cache-sized chunks: the family evaluates q± for a chunk (one
 * function call per chunk), then gain, step and clip are fused.  A device
 * whose elements are all nominal (no variation, no reference) skips the
 * per-element arrays, so only w and ΔW stream through memory.  The
 * arithmetic is that of aimc_device_q followed by aimc_device_clip, so the
 * result is the same to the bit. */
#define COMPACT_CHUNK 512

static void compact_chunk(const aimc_device *dev, size_t k0, size_t len, double *w,
                          const double *dW)
{
    double qp[COMPACT_CHUNK], qm[COMPACT_CHUNK];
    const aimc_response_type *T = dev->p.response.type;
    if (dev->nominal) {
        double lo, hi;
        aimc_response_bounds(&dev->p.response, &lo, &hi);
        T->eval(&dev->p.response.p, len, w + k0, NULL, NULL, NULL, qp, qm);
        for (size_t k = 0; k < len; ++k) {
            double x = w[k0 + k] + dW[k0 + k] * (dW[k0 + k] >= 0.0 ? qp[k] : qm[k]);
            w[k0 + k] = x < lo ? lo : (x > hi ? hi : x);
        }
        return;
    }
    T->eval(&dev->p.response.p, len, w + k0, dev->ref + k0, dev->lo + k0, dev->hi + k0, qp, qm);
    for (size_t k = 0; k < len; ++k) {
        const size_t i = k0 + k;
        const double q = dW[i] >= 0.0 ? qp[k] * dev->up[i] : qm[k] * dev->down[i];
        const double x = w[i] + dW[i] * q;
        const double lo = dev->lo[i] - dev->ref[i], hi = dev->hi[i] - dev->ref[i];
        w[i] = x < lo ? lo : (x > hi ? hi : x);
    }
}

void aimc_tile_apply_compact(aimc_tile *t, const double *dW)
{
    const size_t n = t->n, chunks = (n + COMPACT_CHUNK - 1) / COMPACT_CHUNK;
    if (n < AIMC_OMP_MIN_ELEMENTS) {
        /* Small tiles stay out of OpenMP altogether: even a parallel region
         * that an if clause turns serial costs a runtime call per update. */
        for (size_t k0 = 0; k0 < n; k0 += COMPACT_CHUNK)
            compact_chunk(t->dev, k0, n - k0 < COMPACT_CHUNK ? n - k0 : COMPACT_CHUNK, t->w, dW);
    } else {
#pragma omp parallel for schedule(static)
        for (size_t c = 0; c < chunks; ++c) {
            const size_t k0 = c * COMPACT_CHUNK;
            compact_chunk(t->dev, k0, n - k0 < COMPACT_CHUNK ? n - k0 : COMPACT_CHUNK, t->w, dW);
        }
    }
    t->updates++;
}

/* Pulse count for a desired change of k = |Δw|/Δw_min pulses (SPEC §1.2). */
static unsigned round_count(double k, aimc_rounding mode, unsigned cap, aimc_stream *s)
{
    double n;
    switch (mode) {
    case AIMC_ROUND_CEIL:
        n = ceil(k);
        break;
    case AIMC_ROUND_NEAREST:
        n = floor(k + 0.5);
        break;
    default: { /* unbiased: floor(k) + Bern(frac(k)) */
        const double fl = floor(k);
        n = fl + (aimc_stream_uniform(s) < k - fl ? 1.0 : 0.0);
        break;
    }
    }
    return n >= (double)cap ? cap : (unsigned)n;
}

/* ---- (27) a pulse train per element ------------------------------------ */
void aimc_tile_apply_pulsed(aimc_tile *t, const double *dW)
{
    const aimc_device *dev = t->dev;
    const uint64_t step = t->updates;
    uint64_t fired = 0;
#pragma omp parallel for schedule(static) reduction(+ : fired) if (t->n >= AIMC_OMP_MIN_ELEMENTS)
    for (size_t i = 0; i < t->rows; ++i) {
        aimc_stream rs, ns;
        aimc_stream_init(&rs, t->seed, tile_purpose(t, AIMC_ROLE_ROUND), (uint32_t)step,
                         (uint32_t)i);
        aimc_stream_init(&ns, t->seed, tile_purpose(t, AIMC_ROLE_CYCLE), (uint32_t)step,
                         (uint32_t)i);
        for (size_t j = 0; j < t->cols; ++j) {
            const size_t k = i * t->cols + j;
            if (dW[k] == 0.0)
                continue;
            const unsigned n =
                round_count(fabs(dW[k]) / dev->p.dw_min, t->p.pulse.rounding, t->p.pulse.bl_max, &rs);
            t->w[k] = aimc_device_pulse_train(dev, k, t->w[k], dW[k] > 0 ? 1 : -1, n, &ns);
            fired += n;
        }
    }
    t->pulses += fired;
    t->updates++;
}

/* ---- SPEC §1.6: the pulse-train plan of one sample ---------------------- */
aimc_rank1_plan aimc_rank1_plan_make(const aimc_pulse_settings *s, double lr, double dw_min,
                                     double x_max, double d_max)
{
    aimc_rank1_plan plan = {0, 0.0, 0.0};
    if (!(lr > 0.0) || !(x_max > 0.0) || !(d_max > 0.0))
        return plan;
    /* k: pulses the largest |x_j d_i| needs. */
    const double k = lr * x_max * d_max / dw_min;
    const unsigned blmax = s->bl_max;
    unsigned bl = blmax;
    if (s->update_bl_management)
        bl = k >= (double)blmax ? blmax : (unsigned)ceil(k);
    if (bl == 0)
        bl = 1;
    const double base = sqrt(lr / (dw_min * bl)); /* A·B = lr/(Δw_min·BL) */
    double a = base, b = base;
    if (s->update_management || s->update_bl_management) {
        /* Balance the trains; when k > BL_max the d side is clipped so the
         * largest element gets at most BL_max pulses. */
        const double dm = k > blmax ? d_max * blmax / k : d_max;
        a = base * sqrt(x_max / dm);
        b = base * sqrt(dm / x_max);
    }
    plan.bl = bl;
    plan.scale_d = a;
    plan.scale_x = b;
    return plan;
}

/* Pack BL Bernoulli(p) draws into words[0..]: bit t set = a pulse in slot t.
 * One 32-bit word per slot (aimc_bernoulli_threshold); no draw when p is 0
 * or 1, so the stream position depends on the data — it is still a pure
 * function of (seed, step) and the inputs. */
static void draw_train(uint64_t *words, unsigned nwords, unsigned bl, double p, aimc_stream *s)
{
    memset(words, 0, nwords * sizeof *words);
    const uint64_t thr = aimc_bernoulli_threshold(p);
    if (thr == 0)
        return;
    const int always = thr >> 32 != 0;
    for (unsigned slot = 0; slot < bl; ++slot)
        if (always || aimc_stream_fires(s, thr))
            words[slot >> 6] |= (uint64_t)1 << (slot & 63);
}

/* Row i of a rank-one update: count the coincidences of its d train with
 * every x train (popcount of the packed slots) and fire them; returns the
 * pulses fired.  Each row draws its cycle noise from its own stream. */
static uint64_t rank1_row(aimc_tile *t, size_t i, const double *x, const double *d, double sgn_lr,
                          uint64_t step)
{
    const unsigned nw = t->words;
    const size_t cols = t->cols;
    const uint64_t *db = t->dbits + i * nw;
    int any = 0;
    for (unsigned q = 0; q < nw; ++q)
        any |= db[q] != 0;
    if (!any)
        return 0;
    aimc_stream ns;
    aimc_stream_init(&ns, t->seed, tile_purpose(t, AIMC_ROLE_CYCLE), (uint32_t)step, (uint32_t)i);
    uint64_t fired = 0;
    for (size_t j = 0; j < cols; ++j) {
        const uint64_t *xb = t->xbits + j * nw;
        unsigned n = 0;
        for (unsigned q = 0; q < nw; ++q)
            n += (unsigned)__builtin_popcountll(xb[q] & db[q]);
        if (n == 0)
            continue;
        /* Each coincidence is one pulse of sign −sign(lr·d_i·x_j). */
        const int s = (d[i] * x[j] * sgn_lr > 0) ? -1 : 1;
        const size_t k = i * cols + j;
        t->w[k] = aimc_device_pulse_train(t->dev, k, t->w[k], s, n, &ns);
        fired += n;
    }
    return fired;
}

/* ---- SPEC §1.6: one sample of the stochastic rank-one update ------------ */
void aimc_tile_apply_rank1(aimc_tile *t, const double *x, const double *d, double lr)
{
    const size_t rows = t->rows, cols = t->cols;
    const uint64_t step = t->updates++;
    double xm = 0.0, dm = 0.0;
    for (size_t j = 0; j < cols; ++j)
        xm = fmax(xm, fabs(x[j]));
    for (size_t i = 0; i < rows; ++i)
        dm = fmax(dm, fabs(d[i]));
    /* The sign of lr goes into the pulse signs, its size into the plan. */
    const double sgn_lr = lr < 0 ? -1.0 : 1.0;
    const aimc_rank1_plan plan =
        aimc_rank1_plan_make(&t->p.pulse, fabs(lr), t->dev->p.dw_min, xm, dm);
    if (plan.bl == 0)
        return;
    const unsigned nw = t->words;
    const aimc_device *dev = t->dev;

    if (t->p.pulse.mean_count) {
        /* Deterministic counts (aihwkit MeanCount): c_j = rint(BL·p_j),
         * c_i = rint(BL·p_i), n_ij = rint(c_i·c_j/BL). */
        uint64_t fired = 0;
#pragma omp parallel for schedule(static) reduction(+ : fired) if (t->n >= AIMC_OMP_MIN_ELEMENTS)
        for (size_t i = 0; i < rows; ++i) {
            aimc_stream ns;
            aimc_stream_init(&ns, t->seed, tile_purpose(t, AIMC_ROLE_CYCLE), (uint32_t)step,
                             (uint32_t)i);
            const double ci = rint(plan.bl * fmin(1.0, fabs(d[i]) * plan.scale_d));
            for (size_t j = 0; j < cols; ++j) {
                const double cj = rint(plan.bl * fmin(1.0, fabs(x[j]) * plan.scale_x));
                const unsigned n = (unsigned)rint(ci * cj / plan.bl);
                if (n == 0)
                    continue;
                const int s = (d[i] * x[j] * sgn_lr > 0) ? -1 : 1;
                const size_t k = i * cols + j;
                t->w[k] = aimc_device_pulse_train(dev, k, t->w[k], s, n, &ns);
                fired += n;
            }
        }
        t->pulses += fired;
        return;
    }

    aimc_stream xs, ds;
    aimc_stream_init(&xs, t->seed, tile_purpose(t, AIMC_ROLE_XBITS), (uint32_t)step, 0);
    aimc_stream_init(&ds, t->seed, tile_purpose(t, AIMC_ROLE_DBITS), (uint32_t)step, 0);
    for (size_t j = 0; j < cols; ++j)
        draw_train(t->xbits + j * nw, nw, plan.bl, fabs(x[j]) * plan.scale_x, &xs);
    for (size_t i = 0; i < rows; ++i)
        draw_train(t->dbits + i * nw, nw, plan.bl, fabs(d[i]) * plan.scale_d, &ds);

    uint64_t fired = 0;
    if (t->n < AIMC_OMP_MIN_ELEMENTS) {
        for (size_t i = 0; i < rows; ++i)
            fired += rank1_row(t, i, x, d, sgn_lr, step);
    } else {
#pragma omp parallel for schedule(static) reduction(+ : fired)
        for (size_t i = 0; i < rows; ++i)
            fired += rank1_row(t, i, x, d, sgn_lr, step);
    }
    t->pulses += fired;
}

void aimc_tile_apply_single_pulses(aimc_tile *t, const signed char *sign)
{
    const uint64_t step = t->updates++;
    uint64_t fired = 0;
#pragma omp parallel for schedule(static) reduction(+ : fired) if (t->n >= AIMC_OMP_MIN_ELEMENTS)
    for (size_t i = 0; i < t->rows; ++i) {
        aimc_stream ns;
        aimc_stream_init(&ns, t->seed, tile_purpose(t, AIMC_ROLE_CYCLE), (uint32_t)step,
                         (uint32_t)i);
        for (size_t j = 0; j < t->cols; ++j) {
            const size_t k = i * t->cols + j;
            if (sign[k] == 0)
                continue;
            t->w[k] = aimc_device_pulse(t->dev, k, t->w[k], sign[k], &ns);
            fired++;
        }
    }
    t->pulses += fired;
}

/* ---- the registered kernels --------------------------------------------- */

static int check_grad(const aimc_tile *t, const aimc_grad *g, int needs_factors, aimc_err *err)
{
    if (g->rows != t->rows || g->cols != t->cols)
        return AIMC_FAIL(err, GSL_EBADLEN, "tile: gradient is %zu x %zu, tile is %zu x %zu",
                         g->rows, g->cols, t->rows, t->cols);
    if (needs_factors && (g->batch == 0 || g->x == NULL || g->d == NULL))
        return AIMC_FAIL(err, GSL_EINVAL,
                         "tile: the rank1 update needs rank-one factors (x, d) of the gradient");
    if (!needs_factors && g->dense == NULL && (g->batch == 0 || !g->x || !g->d))
        return AIMC_FAIL(err, GSL_EINVAL, "tile: empty gradient");
    return GSL_SUCCESS;
}

/* ΔW = −lr·∇ into t->dW, from the dense form or from the factors. */
static void desired_change(aimc_tile *t, const aimc_grad *g, double lr)
{
    if (g->dense != NULL) {
        for (size_t k = 0; k < t->n; ++k)
            t->dW[k] = -lr * g->dense[k];
        return;
    }
    /* ΔW = −lr·scale·Dᵀ X  (D: batch×rows, X: batch×cols). */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)t->rows, (int)t->cols,
                (int)g->batch, -lr * g->scale, g->d, (int)t->rows, g->x, (int)t->cols, 0.0, t->dW,
                (int)t->cols);
}

/* The element-wise kernels share one shape: form ΔW = −lr·∇, apply it. */
static int update_dense(aimc_tile *t, const aimc_grad *g, double lr, aimc_err *err,
                        void (*apply)(aimc_tile *, const double *))
{
    int st = check_grad(t, g, 0, err);
    if (st == GSL_SUCCESS) {
        desired_change(t, g, lr);
        apply(t, t->dW);
    }
    return st;
}

static int update_float(aimc_tile *t, const aimc_grad *g, double lr, aimc_err *err)
{
    return update_dense(t, g, lr, err, aimc_tile_apply_float);
}

static int update_compact(aimc_tile *t, const aimc_grad *g, double lr, aimc_err *err)
{
    return update_dense(t, g, lr, err, aimc_tile_apply_compact);
}

static int update_pulsed(aimc_tile *t, const aimc_grad *g, double lr, aimc_err *err)
{
    return update_dense(t, g, lr, err, aimc_tile_apply_pulsed);
}

static int update_rank1(aimc_tile *t, const aimc_grad *g, double lr, aimc_err *err)
{
    int st = check_grad(t, g, 1, err);
    if (st != GSL_SUCCESS)
        return st;
    /* One stochastic rank-one update per sample, in batch order (aihwkit). */
    for (size_t b = 0; b < g->batch; ++b)
        aimc_tile_apply_rank1(t, g->x + b * t->cols, g->d + b * t->rows, lr * g->scale);
    return GSL_SUCCESS;
}

int aimc_tile_update(aimc_tile *t, const aimc_grad *g, double lr, aimc_err *err)
{
    if (!isfinite(lr))
        return AIMC_FAIL(err, GSL_EINVAL, "tile: learning rate %g should be finite", lr);
    return t->p.update->apply(t, g, lr, err);
}

const aimc_update_type aimc_update_float = {
    "float", "exact floating-point step, clipped to the device bounds", 0, update_float};
const aimc_update_type aimc_update_compact = {
    "compact", "compact analog update (5): dW*F(W) - |dW|*G(W)", 0, update_compact};
const aimc_update_type aimc_update_pulsed = {
    "pulsed", "a pulse train per element (27), count rounded and capped at bl_max", 0,
    update_pulsed};
const aimc_update_type aimc_update_rank1 = {
    "rank1", "stochastic rank-one pulse trains per sample (SPEC 1.6), as aihwkit", 1,
    update_rank1};

const aimc_update_type *const aimc_update_types[] = {&aimc_update_rank1, &aimc_update_pulsed,
                                                     &aimc_update_compact, &aimc_update_float,
                                                     NULL};

const aimc_update_type *aimc_update_type_find(const char *name)
{
    for (size_t i = 0; aimc_update_types[i] != NULL; ++i)
        if (strcmp(aimc_update_types[i]->name, name) == 0)
            return aimc_update_types[i];
    return NULL;
}

const char *aimc_update_type_names(void)
{
    static char buf[256];
    return aimc_registry_names((const void *const *)aimc_update_types, buf, sizeof buf);
}
