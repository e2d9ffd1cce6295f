/* tile.c — an analog array and its update kernels.
 *
 * Random streams: every kernel call is one "update" of the tile and uses
 * the tile's update counter as the stream step; rows draw from their own
 * streams, so an OpenMP split over rows gives the same numbers as a serial
 * loop.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "aimc/tile.h"
#include "trains.h"

#define RANK1_MAX_BL 4096u
/* Below this many elements a parallel region costs more than it saves. */
#define AIMC_OMP_MIN_ELEMENTS 4096u

struct aimc_tile {
    size_t rows, cols, n;
    aimc_tile_params p;
    aimc_device *dev;
    double *w;
    double *dW;            /* scratch, n */
    uint64_t *xbits;       /* rank1: cols × words */
    uint64_t *dbits;       /* rank1: rows × words */
    uint64_t *thr;         /* rank1: Bernoulli thresholds, max(rows, cols) */
    uint64_t *planes;      /* rank1, bl_max ≤ 64: slot planes of the x trains, bl_max × blocks */
    uint64_t *xsign;       /* rank1, bl_max ≤ 64: x_j·sign(lr) > 0, then < 0, per block */
    unsigned words;        /* 64-bit words per pulse train */
    trains_cache cache;    /* closed-form factors of the pulse trains */
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
    free(t->dW);
    free(t->xbits);
    free(t->dbits);
    free(t->thr);
    free(t->planes);
    free(t->xsign);
    trains_cache_free(&t->cache);
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
    /* Lean: a nominal device keeps no per-element arrays (40 B/element). */
    t->dev = aimc_device_alloc_lean(&p->device, t->n, seed, object, err);
    if (t->dev == NULL) {
        aimc_tile_free(t);
        return NULL;
    }
    t->w = calloc(t->n, sizeof *t->w);
    t->dW = malloc(t->n * sizeof *t->dW);
    t->xbits = malloc((size_t)t->words * cols * sizeof *t->xbits);
    t->dbits = malloc((size_t)t->words * rows * sizeof *t->dbits);
    t->thr = malloc((rows > cols ? rows : cols) * sizeof *t->thr);
    const int cache_ok = trains_cache_init(&t->cache, p->pulse.bl_max);
    int planes_ok = 1;
    if (t->words == 1) {
        const size_t nb = (cols + 63) / 64;
        t->planes = malloc((size_t)p->pulse.bl_max * nb * sizeof *t->planes);
        t->xsign = malloc(2 * nb * sizeof *t->xsign);
        planes_ok = t->planes && t->xsign;
    }
    if (!t->w || !t->dW || !t->xbits || !t->dbits || !t->thr || !cache_ok || !planes_ok) {
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
aimc_device *aimc_tile_device_mutable(aimc_tile *t)
{
    /* The caller may write the arrays (calibration): give a lean device
     * its filled arrays first; NULL if that runs out of memory. */
    return aimc_device_expand(t->dev, NULL) == GSL_SUCCESS ? t->dev : NULL;
}
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

/* compact_chunk for a family with eval_one (power, exponential): each
 * element needs one side, q₊ where ΔW ≥ 0 and q₋ elsewhere, so the chunk is
 * gathered by that sign and the family evaluates only what is used — half
 * the pow or exp calls, the same bits. */
static void compact_chunk_one(const aimc_device *dev, size_t k0, size_t len, double *w,
                              const double *dW)
{
    double v[COMPACT_CHUNK], ref[COMPACT_CHUNK], lo[COMPACT_CHUNK], hi[COMPACT_CHUNK];
    double q[COMPACT_CHUNK];
    unsigned short at[COMPACT_CHUNK]; /* the element (offset from k0) in slot r */
    const aimc_response_type *T = dev->p.response.type;
    const int nominal = dev->nominal;
    size_t npos = 0, back = len;
    for (size_t k = 0; k < len; ++k) {
        if (dW[k0 + k] >= 0.0)
            at[npos++] = (unsigned short)k;
        else
            at[--back] = (unsigned short)k;
    }
    for (size_t r = 0; r < len; ++r) {
        const size_t i = k0 + at[r];
        v[r] = w[i];
        if (!nominal) {
            ref[r] = dev->ref[i];
            lo[r] = dev->lo[i];
            hi[r] = dev->hi[i];
        }
    }
    /* nominal: the family's own bounds and no reference, as eval gets them */
    const double *rf = nominal ? NULL : ref, *l = nominal ? NULL : lo, *h = nominal ? NULL : hi;
    if (npos > 0)
        T->eval_one(&dev->p.response.p, npos, v, rf, l, h, 1, q);
    if (len > npos)
        T->eval_one(&dev->p.response.p, len - npos, v + npos, nominal ? NULL : ref + npos,
                    nominal ? NULL : lo + npos, nominal ? NULL : hi + npos, -1, q + npos);
    double blo, bhi;
    aimc_response_bounds(&dev->p.response, &blo, &bhi);
    for (size_t r = 0; r < len; ++r) {
        const size_t i = k0 + at[r];
        const double g = nominal ? q[r] : q[r] * (r < npos ? dev->up[i] : dev->down[i]);
        const double x = w[i] + dW[i] * g;
        const double a = nominal ? blo : dev->lo[i] - dev->ref[i];
        const double b = nominal ? bhi : dev->hi[i] - dev->ref[i];
        w[i] = x < a ? a : (x > b ? b : x);
    }
}

static void compact_chunk(const aimc_device *dev, size_t k0, size_t len, double *w,
                          const double *dW)
{
    double qp[COMPACT_CHUNK], qm[COMPACT_CHUNK];
    const aimc_response_type *T = dev->p.response.type;
    if (T->eval_one != NULL) {
        compact_chunk_one(dev, k0, len, w, dW);
        return;
    }
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

/* Rows of a pulsing kernel, serially for small tiles (even a parallel
 * region that an if clause turns serial costs a runtime call per update),
 * else split over threads; each row draws from its own streams, so the
 * split does not change the numbers.  Returns the pulses fired. */
typedef uint64_t (*row_fn)(aimc_tile *t, size_t i, uint64_t step, const void *ctx);

static uint64_t for_each_row(aimc_tile *t, row_fn row, uint64_t step, const void *ctx)
{
    uint64_t fired = 0;
    if (t->n < AIMC_OMP_MIN_ELEMENTS) {
        for (size_t i = 0; i < t->rows; ++i)
            fired += row(t, i, step, ctx);
    } else {
#pragma omp parallel for schedule(static) reduction(+ : fired)
        for (size_t i = 0; i < t->rows; ++i)
            fired += row(t, i, step, ctx);
    }
    return fired;
}

/* The cycle-noise stream of row i at this step. */
static void noise_stream(const aimc_tile *t, size_t i, uint64_t step, aimc_stream *ns)
{
    aimc_stream_init(ns, t->seed, tile_purpose(t, AIMC_ROLE_CYCLE), (uint32_t)step, (uint32_t)i);
}

typedef struct {
    const double *dW;
    trains_plan plan;
} pulsed_ctx;

/* Row i of (27): the counts of a chunk first (the rounding stream in
 * element order), then the trains (trains.h). */
static uint64_t pulsed_row(aimc_tile *t, size_t i, uint64_t step, const void *vctx)
{
    const pulsed_ctx *c = vctx;
    aimc_stream rs, ns;
    aimc_stream_init(&rs, t->seed, tile_purpose(t, AIMC_ROLE_ROUND), (uint32_t)step, (uint32_t)i);
    noise_stream(t, i, step, &ns);
    const double dw_min = t->dev->p.dw_min;
    uint64_t fired = 0;
    for (size_t j0 = 0; j0 < t->cols; j0 += TRAINS_CHUNK) {
        const size_t len = t->cols - j0 < TRAINS_CHUNK ? t->cols - j0 : TRAINS_CHUNK;
        const size_t k0 = i * t->cols + j0;
        unsigned n[TRAINS_CHUNK];
        signed char s[TRAINS_CHUNK];
        for (size_t j = 0; j < len; ++j) {
            const double dw = c->dW[k0 + j];
            n[j] = dw == 0.0 ? 0
                             : round_count(fabs(dw) / dw_min, t->p.pulse.rounding,
                                           t->p.pulse.bl_max, &rs);
            s[j] = dw > 0 ? 1 : -1;
            fired += n[j];
        }
        trains_apply(&c->plan, t->w + k0, k0, len, n, s, &ns);
    }
    return fired;
}

/* ---- (27) a pulse train per element ------------------------------------ */
void aimc_tile_apply_pulsed(aimc_tile *t, const double *dW)
{
    pulsed_ctx c = {dW, {0}};
    trains_plan_make(&c.plan, t->dev, &t->cache, t->p.pulse.bl_max);
    t->pulses += for_each_row(t, pulsed_row, t->updates, &c);
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

/* Pack BL Bernoulli(p_j) draws per train into words (bit t set = a pulse
 * in slot t), for the trains j = 0..count−1 in order.  One 32-bit word per
 * slot (aimc_bernoulli_threshold), none when p is 0 or 1, so the stream
 * position depends on the data — still a pure function of (seed, step) and
 * the inputs.  The words come in bulk (aimc_stream_fill_u32), exactly the
 * ones slot-by-slot draws would give, in the same order. */
#define DRAW_POOL (2 * RANK1_MAX_BL)

static void draw_trains(uint64_t *words, unsigned nw, size_t count, const double *v,
                        double scale, unsigned bl, uint64_t *thr, aimc_stream *s)
{
    const uint64_t always = (uint64_t)1 << 32;
    size_t need = 0;
    for (size_t j = 0; j < count; ++j) {
        thr[j] = aimc_bernoulli_threshold(fabs(v[j]) * scale);
        need += thr[j] != 0 && thr[j] != always ? bl : 0;
    }
    memset(words, 0, count * nw * sizeof *words);
    uint32_t pool[DRAW_POOL];
    size_t pos = 0, have = 0;
    for (size_t j = 0; j < count; ++j) {
        uint64_t *wj = words + j * nw;
        if (thr[j] == 0)
            continue;
        if (thr[j] == always) {
            for (unsigned slot = 0; slot < bl; ++slot)
                wj[slot >> 6] |= (uint64_t)1 << (slot & 63);
            continue;
        }
        if (have - pos < bl) { /* top the pool up with the next words */
            memmove(pool, pool + pos, (have - pos) * sizeof *pool);
            have -= pos;
            pos = 0;
            const size_t more = need < DRAW_POOL - have ? need : DRAW_POOL - have;
            aimc_stream_fill_u32(s, pool + have, more);
            have += more;
            need -= more;
        }
        const uint32_t *u = pool + pos;
        for (unsigned q = 0; q * 64 < bl; ++q) {
            const unsigned end = bl - q * 64 < 64 ? bl - q * 64 : 64;
            uint64_t m = 0;
            for (unsigned b = 0; b < end; ++b)
                m |= (uint64_t)(u[q * 64 + b] < thr[j]) << b;
            wj[q] = m;
        }
        pos += bl;
    }
}

/* Coincidences of two packed trains.  Without a hardware popcount (the
 * default x86-64 target) __builtin_popcountll is a library call; the
 * bit-slicing count is a dozen inline operations. */
static inline unsigned popcount64(uint64_t x)
{
#ifdef __POPCNT__
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

typedef struct {
    const double *x, *d;
    double sgn_lr;
    double xmin; /* smallest |x_j| with a firing train (slot planes) */
    aimc_rank1_plan plan;
    trains_plan trains;
} rank1_ctx;

/* Row i of a rank-one update: count the coincidences of its d train with
 * every x train and fire them, a chunk of columns at a time; returns the
 * pulses fired.  Each coincidence is one pulse of sign −sign(lr·d_i·x_j). */
static uint64_t rank1_row(aimc_tile *t, size_t i, uint64_t step, const void *vctx)
{
    const rank1_ctx *c = vctx;
    const unsigned nw = t->words;
    const uint64_t *db = t->dbits + i * nw;
    int any = 0;
    for (unsigned q = 0; q < nw; ++q)
        any |= db[q] != 0;
    if (!any)
        return 0;
    aimc_stream ns;
    noise_stream(t, i, step, &ns);
    uint64_t fired = 0;
    for (size_t j0 = 0; j0 < t->cols; j0 += TRAINS_CHUNK) {
        const size_t len = t->cols - j0 < TRAINS_CHUNK ? t->cols - j0 : TRAINS_CHUNK;
        unsigned n[TRAINS_CHUNK];
        signed char s[TRAINS_CHUNK];
        for (size_t j = 0; j < len; ++j) {
            const uint64_t *xb = t->xbits + (j0 + j) * nw;
            unsigned cnt = 0;
            for (unsigned q = 0; q < nw; ++q)
                cnt += popcount64(xb[q] & db[q]);
            n[j] = cnt;
            s[j] = (c->d[i] * c->x[j0 + j] * c->sgn_lr > 0) ? -1 : 1;
            fired += cnt;
        }
        trains_apply(&c->trains, t->w + i * t->cols + j0, i * t->cols + j0, len, n, s, &ns);
    }
    return fired;
}

/* ---- rank-one, noise-free, BL ≤ 64: counts from slot planes ------------
 *
 * The x trains transposed into slot planes (bit j of plane t: x_j's train
 * fires in slot t) give a row's coincidence counts for 64 columns at once:
 * the planes of the row's firing slots are summed in bit-sliced counters,
 * whose bits then yield the mask of the columns with each count.  The
 * columns are gathered by sign and by count, largest first, and fired
 * through trains_apply_sorted; columns without a coincidence cost nothing.
 * The pulses are those of rank1_row, to the bit. */
#define R1_BLOCKS (TRAINS_CHUNK / 64)

/* The slot planes and sign masks of this update's x trains; returns the
 * smallest |x_j| whose train fires (+inf if none). */
static double x_planes(aimc_tile *t, unsigned bl, const double *x, double sgn_lr)
{
    const size_t nb = (t->cols + 63) / 64;
    uint64_t *pos = t->xsign, *neg = t->xsign + nb;
    memset(t->planes, 0, (size_t)bl * nb * sizeof *t->planes);
    memset(t->xsign, 0, 2 * nb * sizeof *t->xsign);
    double xmin = INFINITY;
    for (size_t j = 0; j < t->cols; ++j) {
        const uint64_t bit = (uint64_t)1 << (j & 63);
        const double sx = x[j] * sgn_lr;
        pos[j >> 6] |= sx > 0 ? bit : 0;
        neg[j >> 6] |= sx < 0 ? bit : 0;
        uint64_t wj = t->xbits[j];
        if (wj == 0)
            continue;
        xmin = fabs(x[j]) < xmin ? fabs(x[j]) : xmin;
        for (; wj != 0; wj &= wj - 1)
            t->planes[(size_t)__builtin_ctzll(wj) * nb + (j >> 6)] |= bit;
    }
    return xmin;
}

/* mask[k] (k = 1..ns): the columns of block blk with k coincidences, from
 * the ns firing slots of the row.  The counters take nbits = bits(ns)
 * carry steps per plane whatever the data (no branch on the carry). */
static inline __attribute__((always_inline)) void
block_counts(const uint64_t *planes, size_t nb, size_t blk, const unsigned *slot, unsigned ns,
             unsigned nbits, uint64_t *mask)
{
    uint64_t c[8] = {0}; /* bit b of every column's count */
    for (unsigned q = 0; q < ns; ++q) {
        uint64_t x = planes[(size_t)slot[q] * nb + blk];
        for (unsigned b = 0; b < nbits; ++b) {
            const uint64_t carry = c[b] & x;
            c[b] ^= x;
            x = carry;
        }
    }
    for (unsigned k = 1; k <= ns; ++k) {
        uint64_t m = ~(uint64_t)0;
        for (unsigned b = 0; b < nbits; ++b)
            m &= (k >> b) & 1 ? c[b] : ~c[b];
        mask[k] = m;
    }
}

/* Room past the gathered columns for the unconditional stores below. */
#define R1_SLACK 8

/* The columns of sign s (bits of sel) in the chunk's blocks, by count,
 * largest first; len[t] = those with more than t.  Returns the pulses.
 * Each mask is flattened eight columns at a time without a test per
 * column (a mask of ≤ 8 columns, the common case, takes no branch that
 * depends on its size); the extra entries are overwritten or ignored.
 * hw: the popcnt instruction may be used (a clone built for it). */
static inline __attribute__((always_inline)) uint64_t
gather_sorted(uint64_t mask[][R1_BLOCKS], size_t nblk, const uint64_t *sel, unsigned ns,
              unsigned short *idx, unsigned char *cnt, size_t *len, int hw)
{
    size_t m = 0;
    uint64_t fired = 0;
    for (unsigned k = ns; k >= 1; --k) {
        const uint64_t fill = 0x0101010101010101ull * k;
        for (size_t b = 0; b < nblk; ++b) {
            uint64_t mm = mask[k][b] & sel[b];
            const unsigned bits = hw ? (unsigned)__builtin_popcountll(mm) : popcount64(mm);
            unsigned q = 0;
            do {
                for (unsigned u = 0; u < 8; ++u, mm &= mm - 1) /* ctz(0 | top) = 63 */
                    idx[m + q + u] = (unsigned short)(b * 64 + (unsigned)__builtin_ctzll(
                                                                   mm | (uint64_t)1 << 63));
                memcpy(cnt + m + q, &fill, 8);
                q += 8;
            } while (q < bits);
            m += bits;
        }
        len[k - 1] = m;
        fired += (uint64_t)k * (m - (k < ns ? len[k] : 0));
    }
    return fired;
}

/* Pulse sign −1 where d_i·x_j·sign(lr) > 0: x's sign masks, unless the
 * product of a firing column could underflow to 0 (then per column). */
static void block_signs(const aimc_tile *t, const rank1_ctx *c, size_t i, size_t blk,
                        uint64_t *neg)
{
    const double di = c->d[i];
    const size_t nb = (t->cols + 63) / 64;
    if (fabs(di) * c->xmin >= DBL_MIN) {
        *neg = di > 0 ? t->xsign[blk] : (di < 0 ? t->xsign[nb + blk] : 0);
        return;
    }
    *neg = 0;
    for (size_t j = blk * 64; j < t->cols && j < blk * 64 + 64; ++j)
        *neg |= (uint64_t)(di * c->x[j] * c->sgn_lr > 0) << (j & 63);
}

static inline __attribute__((always_inline)) uint64_t
row_planes(aimc_tile *t, size_t i, const rank1_ctx *c, int hw)
{
    unsigned slot[64];
    uint64_t db = t->dbits[i];
    const unsigned ns = hw ? (unsigned)__builtin_popcountll(db) : popcount64(db);
    for (unsigned q = 0; q < ns; ++q, db &= db - 1)
        slot[q] = (unsigned)__builtin_ctzll(db);
    if (ns == 0)
        return 0;
    unsigned nbits = 0;
    while ((1u << nbits) <= ns)
        ++nbits;
    const size_t nb = (t->cols + 63) / 64;
    uint64_t fired = 0;
    for (size_t b0 = 0; b0 < nb; b0 += R1_BLOCKS) {
        const size_t nblk = nb - b0 < R1_BLOCKS ? nb - b0 : R1_BLOCKS, j0 = b0 * 64;
        uint64_t mask[65][R1_BLOCKS], sel[2][R1_BLOCKS];
        for (size_t b = 0; b < nblk; ++b) {
            uint64_t bm[65];
            block_counts(t->planes, nb, b0 + b, slot, ns, nbits, bm);
            for (unsigned k = 1; k <= ns; ++k)
                mask[k][b] = bm[k];
            block_signs(t, c, i, b0 + b, &sel[0][b]);
            sel[1][b] = ~sel[0][b];
        }
        const size_t k0 = i * t->cols + j0;
        /* The weights of the next chunk in memory (this row's or the next
         * row's) while this one is counted and fired: the gathers below
         * would otherwise wait for them (a prefetch never faults). */
        for (size_t j = 0; j < TRAINS_CHUNK; j += 8)
            __builtin_prefetch(t->w + k0 + TRAINS_CHUNK + j, 1);
        for (int s = 0; s < 2; ++s) {
            unsigned short idx[TRAINS_CHUNK + R1_SLACK];
            unsigned char cnt[TRAINS_CHUNK + R1_SLACK];
            size_t len[64];
            fired += gather_sorted(mask, nblk, sel[s], ns, idx, cnt, len, hw);
            trains_apply_sorted(&c->trains, t->w + k0, k0, idx, cnt, len, ns, s ? 1 : -1);
        }
    }
    return fired;
}

/* The row kernel twice: with the popcnt instruction where the machine has
 * it (the default x86-64 target has none), and without.  Integer work
 * only, so both give the same pulses. */
#if defined(__x86_64__) && !defined(__POPCNT__)
__attribute__((target("popcnt,bmi"))) static uint64_t
rank1_row_planes_hw(aimc_tile *t, size_t i, uint64_t step, const void *vctx)
{
    (void)step;
    return row_planes(t, i, vctx, 1);
}
#endif

static uint64_t rank1_row_planes(aimc_tile *t, size_t i, uint64_t step, const void *vctx)
{
    (void)step;
#ifdef __POPCNT__
    return row_planes(t, i, vctx, 1);
#else
    return row_planes(t, i, vctx, 0);
#endif
}

/* The planes' row kernel for this machine. */
static row_fn rank1_planes_kernel(void)
{
#if defined(__x86_64__) && !defined(__POPCNT__)
    if (__builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi"))
        return rank1_row_planes_hw;
#endif
    return rank1_row_planes;
}

/* Row i with deterministic counts (aihwkit MeanCount): c_j = rint(BL·p_j),
 * c_i = rint(BL·p_i), n_ij = rint(c_i·c_j/BL). */
static uint64_t mean_count_row(aimc_tile *t, size_t i, uint64_t step, const void *vctx)
{
    const rank1_ctx *c = vctx;
    const aimc_rank1_plan plan = c->plan;
    aimc_stream ns;
    noise_stream(t, i, step, &ns);
    const double ci = rint(plan.bl * fmin(1.0, fabs(c->d[i]) * plan.scale_d));
    uint64_t fired = 0;
    for (size_t j0 = 0; j0 < t->cols; j0 += TRAINS_CHUNK) {
        const size_t len = t->cols - j0 < TRAINS_CHUNK ? t->cols - j0 : TRAINS_CHUNK;
        unsigned n[TRAINS_CHUNK];
        signed char s[TRAINS_CHUNK];
        for (size_t j = 0; j < len; ++j) {
            const double cj = rint(plan.bl * fmin(1.0, fabs(c->x[j0 + j]) * plan.scale_x));
            n[j] = (unsigned)rint(ci * cj / plan.bl);
            s[j] = (c->d[i] * c->x[j0 + j] * c->sgn_lr > 0) ? -1 : 1;
            fired += n[j];
        }
        trains_apply(&c->trains, t->w + i * t->cols + j0, i * t->cols + j0, len, n, s, &ns);
    }
    return fired;
}

/* max |v_k|, NaNs skipped (as fmax does), without a libm call each. */
static double abs_max(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t k = 0; k < n; ++k) {
        const double a = fabs(v[k]);
        m = a > m ? a : m;
    }
    return m;
}

/* ---- SPEC §1.6: one sample of the stochastic rank-one update ------------ */
void aimc_tile_apply_rank1(aimc_tile *t, const double *x, const double *d, double lr)
{
    const uint64_t step = t->updates++;
    const double xm = abs_max(x, t->cols), dm = abs_max(d, t->rows);
    rank1_ctx c = {x, d, lr < 0 ? -1.0 : 1.0, INFINITY, {0, 0, 0}, {0}};
    /* The sign of lr goes into the pulse signs, its size into the plan. */
    c.plan = aimc_rank1_plan_make(&t->p.pulse, fabs(lr), t->dev->p.dw_min, xm, dm);
    if (c.plan.bl == 0)
        return;
    if (t->p.pulse.mean_count) {
        trains_plan_make(&c.trains, t->dev, &t->cache, c.plan.bl);
        t->pulses += for_each_row(t, mean_count_row, step, &c);
        return;
    }
    aimc_stream xs, ds;
    aimc_stream_init(&xs, t->seed, tile_purpose(t, AIMC_ROLE_XBITS), (uint32_t)step, 0);
    aimc_stream_init(&ds, t->seed, tile_purpose(t, AIMC_ROLE_DBITS), (uint32_t)step, 0);
    draw_trains(t->xbits, t->words, t->cols, x, c.plan.scale_x, c.plan.bl, t->thr, &xs);
    draw_trains(t->dbits, t->words, t->rows, d, c.plan.scale_d, c.plan.bl, t->thr, &ds);
    trains_plan_make(&c.trains, t->dev, &t->cache, c.plan.bl);
    if (t->words == 1 && !c.trains.noisy) {
        c.xmin = x_planes(t, c.plan.bl, x, c.sgn_lr);
        t->pulses += for_each_row(t, rank1_planes_kernel(), step, &c);
        return;
    }
    t->pulses += for_each_row(t, rank1_row, step, &c);
}

static uint64_t single_row(aimc_tile *t, size_t i, uint64_t step, const void *vctx)
{
    const signed char *sign = ((const void *const *)vctx)[0];
    const trains_plan *plan = ((const void *const *)vctx)[1];
    aimc_stream ns;
    noise_stream(t, i, step, &ns);
    uint64_t fired = 0;
    for (size_t j0 = 0; j0 < t->cols; j0 += TRAINS_CHUNK) {
        const size_t len = t->cols - j0 < TRAINS_CHUNK ? t->cols - j0 : TRAINS_CHUNK;
        const size_t k0 = i * t->cols + j0;
        unsigned n[TRAINS_CHUNK];
        for (size_t j = 0; j < len; ++j) {
            n[j] = sign[k0 + j] != 0;
            fired += n[j];
        }
        trains_apply(plan, t->w + k0, k0, len, n, sign + k0, &ns);
    }
    return fired;
}

void aimc_tile_apply_single_pulses(aimc_tile *t, const signed char *sign)
{
    trains_plan plan;
    trains_plan_make(&plan, t->dev, &t->cache, 1);
    const void *ctx[2] = {sign, &plan};
    t->pulses += for_each_row(t, single_row, t->updates++, ctx);
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
