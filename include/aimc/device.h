/* aimc/device.h — per-element device parameters and the pulse kernels.
 *
 * A device is an array of n resistive elements sharing one response family.
 * Each element gets its own parameters, drawn once from the seed with
 * device-to-device variation (SPEC §1.5, aihwkit's populate step):
 *
 *     gain   = 1 + dw_min_dtod·ξ₁             (relative spread of Δw_min)
 *     r      = up_down_dtod·ξ₂                (absolute up/down asymmetry)
 *     up     = gain + r,   down = gain − r    (multipliers of Δw_min·q±)
 *     hi     = τ_max·(1 + bounds_dtod·ξ₃),  lo = τ_min·(1 + bounds_dtod·ξ₄)
 *     ref    = ref_mean + ref_std·ξ₅          (+ the element's symmetric
 *                                              point when zero_shift is on)
 *
 * Negative draws are folded to their absolute value (aihwkit's
 * enforce_consistency).  The *visible* weight w is the physical state minus
 * the reference, v = w + ref; q± are evaluated at v with the element's own
 * bounds, and v is clipped to [lo, hi] after every pulse (SPEC §1.1).
 *
 * One pulse (26), sign s ∈ {+1, −1}:
 *     additive noise:        v ← v + s·Δw_min·g_s·(q_s(v) + σ_c·ξ)
 *     multiplicative noise:  v ← v + s·Δw_min·g_s·q_s(v)·(1 + σ_c·ξ)
 * with g₊ = up, g₋ = down, ξ ~ N(0, 1) fresh per pulse (the element's gain
 * scales its whole step, noise included, as in aihwkit).
 */
#ifndef AIMC_DEVICE_H
#define AIMC_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include "aimc/common.h"
#include "aimc/response.h"
#include "aimc/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AIMC_NOISE_ADDITIVE = 0,       /* SPEC (26): Δw_min·(q + σ_c ξ) */
    AIMC_NOISE_MULTIPLICATIVE = 1  /* aihwkit: Δw_min·q·(1 + σ_c ξ) */
} aimc_noise_form;

typedef struct {
    aimc_response response;      /* family and nominal parameters (τ, γ_res, c) */
    double dw_min;               /* Δw_min > 0, response granularity; default 1e-3 */
    double sigma_c;              /* cycle-to-cycle noise σ_c ≥ 0; default 0 */
    aimc_noise_form noise_form;  /* default additive */
    double dw_min_dtod;          /* relative spread of Δw_min (aihwkit 0.3); default 0 */
    double bounds_dtod;          /* relative spread of each bound (aihwkit 0.3); default 0 */
    double up_down_dtod;         /* absolute spread of up/down asymmetry (aihwkit 0.01); default 0 */
    double ref_mean;             /* reference offset mean; default 0 */
    double ref_std;              /* reference offset spread; default 0 */
    int zero_shift;              /* 1: add each element's symmetric point to ref, so the
                                    visible symmetric point is 0 (exact calibration); default 0 */
} aimc_device_params;

/* Per-element arrays are public, read-only for callers (like gsl_vector);
 * a lean nominal device has them NULL: read elements with aimc_device_up()
 * etc. below, which work for both. */
typedef struct {
    aimc_device_params p;
    size_t n;
    double *up, *down;  /* multipliers of Δw_min·q₊ / Δw_min·q₋ */
    double *lo, *hi;    /* physical bounds */
    double *ref;        /* reference: visible = physical − ref */
    int nominal;        /* every element has gains 1, the nominal bounds and ref 0:
                           kernels may then skip the per-element arrays */
    double lo0, hi0;    /* the family's nominal physical bounds */
} aimc_device;

/* Element i's parameters whether or not the arrays exist: a lean nominal
 * device (aimc_device_alloc_lean) has up/down/lo/hi/ref NULL and every
 * element at gains 1, bounds [lo0, hi0] and ref 0. */
static inline double aimc_device_up(const aimc_device *d, size_t i)
{
    return d->up != NULL ? d->up[i] : 1.0;
}
static inline double aimc_device_down(const aimc_device *d, size_t i)
{
    return d->down != NULL ? d->down[i] : 1.0;
}
static inline double aimc_device_lo(const aimc_device *d, size_t i)
{
    return d->lo != NULL ? d->lo[i] : d->lo0;
}
static inline double aimc_device_hi(const aimc_device *d, size_t i)
{
    return d->hi != NULL ? d->hi[i] : d->hi0;
}
static inline double aimc_device_ref(const aimc_device *d, size_t i)
{
    return d->ref != NULL ? d->ref[i] : 0.0;
}

aimc_device_params aimc_device_default_params(void);
/* Validate every field; runs before any allocation. */
int aimc_device_validate(const aimc_device_params *p, aimc_err *err);

/* Draw n elements from stream (seed, AIMC_PURPOSE(object, DEVICE)). */
aimc_device *aimc_device_alloc(const aimc_device_params *p, size_t n, uint64_t seed,
                               uint32_t object, aimc_err *err);
/* The same device, but when it is nominal (no variation, ref_mean 0, no
 * zero_shift) it keeps no per-element arrays: 40 bytes per element less.
 * Read its elements with aimc_device_up() etc.; the kernels give the same
 * bits as on the filled arrays.  Tiles allocate their devices this way. */
aimc_device *aimc_device_alloc_lean(const aimc_device_params *p, size_t n, uint64_t seed,
                                    uint32_t object, aimc_err *err);
/* Give a lean device its filled per-element arrays (a no-op if it has
 * them), e.g. before writing d->ref; GSL_ENOMEM leaves it unchanged. */
int aimc_device_expand(aimc_device *d, aimc_err *err);
void aimc_device_free(aimc_device *d);  /* NULL is a no-op */

/* Effective responses of elements [i0, i0+n) at visible weights w:
 * qp[k] = up·q₊(w+ref), qm[k] = down·q₋(w+ref).  Scratch-free. */
void aimc_device_q(const aimc_device *d, size_t i0, size_t n, const double *w,
                   double *qp, double *qm);
/* Clip visible weights of elements [i0, i0+n) to [lo − ref, hi − ref]. */
void aimc_device_clip(const aimc_device *d, size_t i0, size_t n, double *w);
/* Visible bounds of element i. */
void aimc_device_visible_bounds(const aimc_device *d, size_t i, double *lo, double *hi);
/* Symmetric point of element i in visible coordinates (numeric if needed). */
int aimc_device_symmetric_point(const aimc_device *d, size_t i, double *w, aimc_err *err);

/* One pulse (26) on element i; `noise` may be NULL when σ_c = 0. */
double aimc_device_pulse(const aimc_device *d, size_t i, double w, int sign, aimc_stream *noise);
/* A train of n pulses of one sign (27), each at the current state. */
double aimc_device_pulse_train(const aimc_device *d, size_t i, double w, int sign,
                               unsigned n, aimc_stream *noise);

/* ---- zero-shifting calibration (Paper B, Algorithm 1; lib/device/calibrate.c)
 *
 * An element's symmetric point is found with pulses alone: from its current
 * visible weight w_start, fire N pulses of alternating sign (+, −, +, ...;
 * Kim et al.'s cyclic form) or of independent fair random signs (Paper B's
 * stochastic form), each through aimc_device_pulse, so the element's own
 * gains, bounds and cycle noise apply.  Where q₊ falls and q₋ rises, the
 * mean drift of a ± pair is −2Δw_min·G(w), so the state settles around w⋄
 * and then oscillates within one step of it; the estimate is the mean of
 * the last half of the visited states (an even number of them, so that a
 * converged ± pair counts both its points).  All in visible coordinates. */
typedef struct {
    double estimate;  /* mean of the states W_{N−M+1..N}, M = 2⌈N/4⌉ */
    double w_last;    /* W_N: where the pulses left the element (Algorithm 1's output) */
    double mean_G2;   /* (1/N) Σ_{n<N} G(W_n)², G = (down·q₋ − up·q₊)/2: the left
                         side of Paper B's Theorem 2.2 */
} aimc_zs_estimate;

/* Estimate element i's visible symmetric point with n_pulses ≥ 2 pulses.
 * `noise` draws the random signs and the cycle noise; it may be NULL only
 * with alternating signs and σ_c = 0.  Fails (GSL_EINVAL) on a bad index,
 * count, start or missing stream; the device is not changed. */
int aimc_device_estimate_symmetric_point(const aimc_device *d, size_t i, double w_start,
                                         unsigned n_pulses, int random_signs, aimc_stream *noise,
                                         aimc_zs_estimate *out, aimc_err *err);

/* Apply a calibration: move element i's reference by `shift` keeping its
 * physical state, so the visible weight *w (may be NULL) becomes *w − shift
 * and the visible symmetric point moves from w⋄ to w⋄ − shift.  With
 * shift = an estimate of w⋄ the visible symmetric point lands near 0.
 * Use this rather than writing d->ref directly: it also clears d->nominal,
 * which lets kernels skip the reference.  A lean device must have been
 * expanded first (aimc_device_expand; aimc_tile_device_mutable does it). */
void aimc_device_shift_reference(aimc_device *d, size_t i, double shift, double *w);

#ifdef __cplusplus
}
#endif
#endif
