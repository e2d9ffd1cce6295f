/* aimc/rng.h — counter-based random streams (Philox4x32-10).
 *
 * Every random number in the suite is a pure function of
 *     (seed, purpose, step, sub, index)
 * so results do not depend on the number of threads or on the order in which
 * work is scheduled: a thread that handles row i of step k opens the stream
 * (seed, purpose, k, i) and gets the same numbers as any other thread would.
 *
 *   seed     the run's --seed (64 bits, the Philox key)
 *   purpose  which object and role draws (AIMC_PURPOSE(object, role))
 *   step     the optimisation step, or any outer counter
 *   sub      the row, sample or element inside the step
 *   index    position inside the stream (advanced by the draw functions)
 *
 * Philox4x32-10 is the generator of Salmon et al., SC'11 ("Parallel random
 * numbers: as easy as 1, 2, 3"); it passes BigCrush and needs no state but
 * its counter.  A gsl_rng_type wrapper is provided so that GSL's
 * distributions (gsl_ran_*) can draw from a stream.
 */
#ifndef AIMC_RNG_H
#define AIMC_RNG_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One Philox4x32-10 block: out = philox(ctr, key). */
void aimc_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Purposes: the high 24 bits name the object (an id chosen by the caller,
 * e.g. 1 for the main array, 2 for the residual array), the low 8 bits its
 * role.  Different purposes give independent streams. */
#define AIMC_PURPOSE(object, role) ((uint32_t)(((uint32_t)(object) << 8) | ((uint32_t)(role) & 0xffu)))
enum {
    AIMC_ROLE_INIT = 1,      /* problem data, initial weights */
    AIMC_ROLE_DEVICE = 2,    /* device-to-device variation, drawn once */
    AIMC_ROLE_ROUND = 3,     /* stochastic rounding of pulse counts */
    AIMC_ROLE_CYCLE = 4,     /* cycle-to-cycle noise of single pulses */
    AIMC_ROLE_XBITS = 5,     /* stochastic pulse trains on the x side */
    AIMC_ROLE_DBITS = 6,     /* stochastic pulse trains on the d side */
    AIMC_ROLE_GRADNOISE = 7, /* noise added to gradients */
    AIMC_ROLE_READ = 8,      /* read noise */
    AIMC_ROLE_SAMPLE = 9     /* mini-batch sampling */
};

/* Derive an independent seed for sub-run `index` of a run (repetition r,
 * curve c, ...): a SplitMix64 finaliser of (seed, index). */
uint64_t aimc_seed_derive(uint64_t seed, uint64_t index);

typedef struct {
    uint32_t key[2];
    uint32_t ctr[4];   /* ctr[0] = block index, ctr[1] = sub, ctr[2..3] = step, purpose */
    uint32_t buf[4];
    unsigned avail;    /* unread words left in buf (taken from the end) */
    int has_spare;     /* Box–Muller keeps its second normal */
    double spare;
} aimc_stream;

/* Open the stream (seed, purpose, step, sub) at index 0. */
void aimc_stream_init(aimc_stream *s, uint64_t seed, uint32_t purpose, uint32_t step, uint32_t sub);

/* Refill the four-word buffer from the next counter block. */
void aimc_stream_refill(aimc_stream *s);

/* The draws are inline: they sit in the innermost loops of the kernels. */
static inline uint32_t aimc_stream_u32(aimc_stream *s)
{
    if (s->avail == 0)
        aimc_stream_refill(s);
    return s->buf[4 - s->avail--];
}

static inline uint64_t aimc_stream_u64(aimc_stream *s)
{
    const uint64_t hi = aimc_stream_u32(s);
    return (hi << 32) | aimc_stream_u32(s);
}

/* The next n words of the stream, exactly as n calls of aimc_stream_u32
 * would return them (and leaving the stream where they would), but with
 * whole counter blocks generated several at a time in SIMD-friendly lanes:
 * for kernels that know how many words they need. */
void aimc_stream_fill_u32(aimc_stream *s, uint32_t *out, size_t n);

/* Uniform on the open interval (0, 1): 53 random bits placed at the centre
 * of their cell, so never 0 and never 1. */
static inline double aimc_stream_uniform(aimc_stream *s)
{
    return ((double)(aimc_stream_u64(s) >> 11) + 0.5) * 0x1.0p-53;
}

/* Bernoulli thresholds on one 32-bit word: a draw u fires when u < t with
 * t = round(p·2³²) (t = 2³² for p ≥ 1), so P(fire) is p to within 2⁻³³ —
 * far below any statistics a run can resolve — at half the cost of a
 * 53-bit uniform.  Used for pulse trains. */
static inline uint64_t aimc_bernoulli_threshold(double p)
{
    if (!(p > 0.0))
        return 0;
    if (p >= 1.0)
        return (uint64_t)1 << 32;
    return (uint64_t)(p * 4294967296.0 + 0.5);
}
static inline int aimc_stream_fires(aimc_stream *s, uint64_t threshold)
{
    return (uint64_t)aimc_stream_u32(s) < threshold;
}
/* Standard normal (Box–Muller on two uniforms; the pair is used in order). */
double aimc_stream_normal(aimc_stream *s);
/* Bernoulli(p) as 0/1; p <= 0 never fires, p >= 1 always fires. */
int aimc_stream_bernoulli(aimc_stream *s, double p);

/* GSL wrapper: a gsl_rng whose state is an aimc_stream.  gsl_rng_set(r, s)
 * opens stream (s, 0, 0, 0); use aimc_rng_gsl_open() to pick all four. */
extern const gsl_rng_type *aimc_rng_gsl_philox;
gsl_rng *aimc_rng_gsl_alloc(uint64_t seed, uint32_t purpose, uint32_t step, uint32_t sub);
void aimc_rng_gsl_open(gsl_rng *r, uint64_t seed, uint32_t purpose, uint32_t step, uint32_t sub);

#ifdef __cplusplus
}
#endif
#endif
