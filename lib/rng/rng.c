/* rng.c — Philox4x32-10 counter-based streams and a GSL wrapper.
 *
 * Philox (Salmon, Moraes, Dror, Shaw, SC'11) is a keyed bijection of a
 * 128-bit counter: ten rounds of two 32×32→64-bit multiplications whose high
 * halves are mixed with the other words and the round key, the key being
 * bumped by two Weyl constants between rounds.  Because the output is a pure
 * function of (counter, key), any thread can jump to any stream position.
 */
#include <math.h>
#include <string.h>

#include "aimc/rng.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u /* golden ratio */
#define PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */

static inline void philox_round(uint32_t x[4], const uint32_t k[2])
{
    const uint64_t p0 = (uint64_t)PHILOX_M0 * x[0];
    const uint64_t p1 = (uint64_t)PHILOX_M1 * x[2];
    const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    const uint32_t y0 = hi1 ^ x[1] ^ k[0];
    const uint32_t y2 = hi0 ^ x[3] ^ k[1];
    x[0] = y0;
    x[1] = lo1;
    x[2] = y2;
    x[3] = lo0;
}

void aimc_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t x[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {key[0], key[1]};
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            k[0] += PHILOX_W0;
            k[1] += PHILOX_W1;
        }
        philox_round(x, k);
    }
    memcpy(out, x, sizeof x);
}

void aimc_stream_init(aimc_stream *s, uint64_t seed, uint32_t purpose, uint32_t step, uint32_t sub)
{
    s->key[0] = (uint32_t)seed;
    s->key[1] = (uint32_t)(seed >> 32);
    s->ctr[0] = 0;
    s->ctr[1] = sub;
    s->ctr[2] = step;
    s->ctr[3] = purpose;
    s->avail = 0;
    s->has_spare = 0;
    s->spare = 0.0;
}

void aimc_stream_refill(aimc_stream *s)
{
    aimc_philox4x32_10(s->ctr, s->key, s->buf);
    s->ctr[0]++; /* 2^32 blocks = 2^34 words per stream: ample */
    s->avail = 4;
}

/* Philox on PHILOX_LANES consecutive blocks at once, the counter words in
 * structure-of-arrays form so that the compiler turns each round into
 * vector multiplies (pmuludq) over the lanes.  The arithmetic is that of
 * philox_round word for word, so the output is the same to the bit. */
#define PHILOX_LANES 8

static void philox_lanes(const uint32_t ctr[4], const uint32_t key[2], uint32_t *out)
{
    uint32_t x0[PHILOX_LANES], x1[PHILOX_LANES], x2[PHILOX_LANES], x3[PHILOX_LANES];
    for (unsigned l = 0; l < PHILOX_LANES; ++l) {
        x0[l] = ctr[0] + l; /* the block index wraps like ctr[0]++ does */
        x1[l] = ctr[1];
        x2[l] = ctr[2];
        x3[l] = ctr[3];
    }
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        for (unsigned l = 0; l < PHILOX_LANES; ++l) {
            const uint64_t p0 = (uint64_t)PHILOX_M0 * x0[l];
            const uint64_t p1 = (uint64_t)PHILOX_M1 * x2[l];
            const uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1[l] ^ k0;
            const uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3[l] ^ k1;
            x0[l] = y0;
            x1[l] = (uint32_t)p1;
            x2[l] = y2;
            x3[l] = (uint32_t)p0;
        }
    }
    for (unsigned l = 0; l < PHILOX_LANES; ++l) {
        out[4 * l + 0] = x0[l];
        out[4 * l + 1] = x1[l];
        out[4 * l + 2] = x2[l];
        out[4 * l + 3] = x3[l];
    }
}

void aimc_stream_fill_u32(aimc_stream *s, uint32_t *out, size_t n)
{
    size_t k = 0;
    while (k < n && s->avail > 0) /* first what the buffer still holds */
        out[k++] = s->buf[4 - s->avail--];
    /* Then whole blocks, PHILOX_LANES at a time, then one at a time. */
    while (n - k >= 4 * PHILOX_LANES) {
        philox_lanes(s->ctr, s->key, out + k);
        s->ctr[0] += PHILOX_LANES;
        k += 4 * PHILOX_LANES;
    }
    while (n - k >= 4) {
        aimc_philox4x32_10(s->ctr, s->key, out + k);
        s->ctr[0]++;
        k += 4;
    }
    if (k < n) { /* a partial block: the rest stays buffered */
        aimc_stream_refill(s);
        while (k < n)
            out[k++] = s->buf[4 - s->avail--];
    }
}

double aimc_stream_normal(aimc_stream *s)
{
    if (s->has_spare) {
        s->has_spare = 0;
        return s->spare;
    }
    /* Box–Muller: exact transformation, both outputs used. */
    const double u1 = aimc_stream_uniform(s);
    const double u2 = aimc_stream_uniform(s);
    const double r = sqrt(-2.0 * log(u1));
    const double th = 2.0 * M_PI * u2;
    s->spare = r * sin(th);
    s->has_spare = 1;
    return r * cos(th);
}

int aimc_stream_bernoulli(aimc_stream *s, double p)
{
    if (p <= 0.0)
        return 0;
    if (p >= 1.0)
        return 1;
    return aimc_stream_uniform(s) < p;
}

/* ---- GSL wrapper ------------------------------------------------------ */

static void gsl_philox_set(void *state, unsigned long seed)
{
    aimc_stream_init((aimc_stream *)state, (uint64_t)seed, 0, 0, 0);
}

static unsigned long gsl_philox_get(void *state) { return aimc_stream_u32((aimc_stream *)state); }

static double gsl_philox_get_double(void *state)
{
    /* GSL wants [0, 1); our uniform is in (0, 1). */
    return aimc_stream_uniform((aimc_stream *)state);
}

static const gsl_rng_type gsl_philox_type = {
    "aimc-philox4x32-10", 0xffffffffUL, 0UL, sizeof(aimc_stream),
    gsl_philox_set, gsl_philox_get, gsl_philox_get_double};

const gsl_rng_type *aimc_rng_gsl_philox = &gsl_philox_type;

gsl_rng *aimc_rng_gsl_alloc(uint64_t seed, uint32_t purpose, uint32_t step, uint32_t sub)
{
    gsl_rng *r = gsl_rng_alloc(aimc_rng_gsl_philox);
    if (r != NULL)
        aimc_rng_gsl_open(r, seed, purpose, step, sub);
    return r;
}

void aimc_rng_gsl_open(gsl_rng *r, uint64_t seed, uint32_t purpose, uint32_t step, uint32_t sub)
{
    aimc_stream_init((aimc_stream *)r->state, seed, purpose, step, sub);
}

uint64_t aimc_seed_derive(uint64_t seed, uint64_t index)
{
    /* SplitMix64 (Steele, Lea, Flood 2014) applied to a mix of both words. */
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
