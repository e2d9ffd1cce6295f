/* trains.h — pulse trains on many elements at once (private to lib/tile).
 *
 * Every pulsing kernel of a tile (pulsed, rank1, single pulses) ends the
 * same way: element k of a row gets n[k] pulses of sign s[k].  The
 * reference is aimc_device_pulse_train per element (lib/device); this
 * module gives the same numbers, bit for bit, faster:
 *
 *   - with cycle noise the elements draw their normals from the row's
 *     stream in element order, so they run one by one through the
 *     reference kernel;
 *   - without noise the elements are independent.  Single pulses (and every
 *     pulse of a family without affine coefficients) are evaluated slot by
 *     slot: the elements still pulsing are gathered and the family's q± is
 *     evaluated for all of them in one call (never one function-pointer
 *     call per element), then the one-pulse rule (26) is applied as
 *     aimc_device_pulse does;
 *   - trains of n ≥ 2 pulses on an affine family run the per-pulse loop of
 *     aimc_device_pulse_train inline with the coefficients hoisted out of
 *     the element loop (nominal devices), and its closed form for long
 *     trains with the factor expm1(n·log1p(D·b)) tabulated once per n.
 *
 * tests/test_tile.c pins every kernel that uses this against the reference
 * kernels to the bit. */
#ifndef AIMC_TILE_TRAINS_H
#define AIMC_TILE_TRAINS_H

#include <stddef.h>
#include <stdint.h>

#include "aimc/device.h"

/* Elements handled per call (stack scratch of the gather). */
#define TRAINS_CHUNK 256

/* Closed-form factors of one device, kept by the tile and filled before
 * any parallel region (the table is read-only inside it). */
typedef struct {
    double key[4];  /* D₋, b₋, D₊, b₊ the factors were computed for */
    unsigned upto;  /* factors valid for n ≤ upto */
    unsigned cap;   /* entries per sign */
    double *fac;    /* fac[s·cap + n], s = 0 for sign −, 1 for sign + */
} trains_cache;

typedef struct {
    const aimc_device *dev;
    int noisy;       /* cycle noise: the reference kernel, in order */
    int inline_ok;   /* nominal device with an affine family */
    double a[2], b[2], D[2]; /* q_s = a + b·v, signed step per unit q; [0]: −, [1]: + */
    int closed[2];   /* the closed form applies to this sign */
    double a_over_b[2];      /* a/b (the fixed point is −a/b), where b ≠ 0 */
    const double *fac[2];
    double lo, hi;   /* physical bounds (nominal) */
} trains_plan;

int trains_cache_init(trains_cache *c, unsigned bl_max);
void trains_cache_free(trains_cache *c);

/* Plan the trains of one kernel call, counts at most nmax (≤ bl_max).
 * Serial: call it before the parallel region. */
void trains_plan_make(trains_plan *P, const aimc_device *dev, trains_cache *c, unsigned nmax);

/* Elements k0 .. k0+len−1 (len ≤ TRAINS_CHUNK), weights w[0..len) of
 * them: n[j] pulses of sign s[j] ∈ {−1, +1} (ignored where n[j] = 0).
 * Noise from `noise` (the row's stream), used in element order. */
void trains_apply(const trains_plan *P, double *w, size_t k0, size_t len, const unsigned *n,
                  const signed char *s, aimc_stream *noise);

/* The most pulses trains_apply_sorted takes per element (one 64-bit
 * word of slots). */
#define TRAINS_MAX_SORTED 64

/* Noise-free plans only.  Elements idx[0..len[0]) of a chunk (weights w,
 * first element k0; idx < TRAINS_CHUNK) all take pulses of one sign, cnt[r]
 * of them, sorted by count, largest first: len[t] is the number with more
 * than t pulses, t < nmax ≤ TRAINS_MAX_SORTED.  The same bits as
 * aimc_device_pulse_train per element; no gather by count, no work for
 * elements without pulses. */
void trains_apply_sorted(const trains_plan *P, double *w, size_t k0, const unsigned short *idx,
                         const unsigned char *cnt, const size_t *len, unsigned nmax, int sign);

#endif
