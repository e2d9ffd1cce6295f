/* aimc/tile.h — an analog array: weights, a device, update kernels, reads.
 *
 * A tile holds rows×cols visible weights W (row-major, W[i·cols + j]; row i
 * is an output, column j an input) on a device of rows·cols elements.  The
 * caller asks for W ← W − lr·∇, where the gradient ∇ comes either dense or
 * as a batch of rank-one terms  ∇ = scale·Σ_b d_b x_bᵀ  (an aimc_grad).  How
 * the change reaches the elements is the tile's *update kernel*, a
 * registered variant:
 *
 *   float    exact float step, then clip to the bounds
 *   compact  the compact model (5): W ← W + ΔW⊙F(W) − |ΔW|⊙G(W)
 *   pulsed   a pulse train per element (27): n = round(|ΔW|/Δw_min) pulses
 *            (ceil | nearest | stochastic), capped at bl_max
 *   rank1    stochastic rank-one pulse trains per sample (SPEC §1.6), as
 *            aihwkit's StochasticCompressed update, with update-BL and
 *            update management; `mean_count` makes the counts deterministic
 *
 * Random numbers come from streams keyed by (seed, object, role, update
 * counter, row or sample), so results do not depend on the thread count.
 * Reads are perfect here; noisy reads (SPEC §1.7) plug in at aimc_tile_read.
 */
#ifndef AIMC_TILE_H
#define AIMC_TILE_H

#include <stddef.h>
#include <stdint.h>
#include "aimc/common.h"
#include "aimc/device.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AIMC_ROUND_STOCHASTIC = 0,  /* n = floor(k) + Bern(k − floor(k)), E[n] = k (default) */
    AIMC_ROUND_NEAREST = 1,     /* n = round(k) */
    AIMC_ROUND_CEIL = 2         /* n = ceil(k), as in (29) */
} aimc_rounding;

typedef struct {
    unsigned bl_max;           /* cap on pulses per element and update (bit length); default 31 */
    aimc_rounding rounding;    /* pulsed kernel: count rounding; default stochastic */
    int update_bl_management;  /* rank1: BL = min(ceil(k), bl_max); default 1 */
    int update_management;     /* rank1: balance the x and d trains, clip d; default 1 */
    int mean_count;            /* rank1: deterministic expected counts; default 0 */
} aimc_pulse_settings;

/* A gradient: dense (rows×cols) and/or rank-one factors. */
typedef struct {
    size_t rows, cols;
    const double *dense;  /* rows×cols, or NULL when only factors are given */
    size_t batch;         /* number of rank-one terms (0 if none) */
    const double *x;      /* batch×cols */
    const double *d;      /* batch×rows */
    double scale;         /* ∇ = scale·Σ_b d_b x_bᵀ */
} aimc_grad;

typedef struct aimc_tile aimc_tile;

typedef struct aimc_update_type {
    const char *name;
    const char *summary;
    int needs_factors;  /* 1: only rank-one factors will do */
    int (*apply)(aimc_tile *t, const aimc_grad *g, double lr, aimc_err *err);
} aimc_update_type;

extern const aimc_update_type aimc_update_float, aimc_update_compact, aimc_update_pulsed,
    aimc_update_rank1;
extern const aimc_update_type *const aimc_update_types[];  /* NULL-terminated */
const aimc_update_type *aimc_update_type_find(const char *name);
const char *aimc_update_type_names(void);

typedef struct {
    aimc_device_params device;
    const aimc_update_type *update;  /* default rank1 */
    aimc_pulse_settings pulse;
} aimc_tile_params;

aimc_pulse_settings aimc_pulse_default_settings(void);
aimc_tile_params aimc_tile_default_params(void);
int aimc_tile_validate(const aimc_tile_params *p, aimc_err *err);

/* `object` names this tile in the random streams (distinct per tile). */
aimc_tile *aimc_tile_alloc(size_t rows, size_t cols, const aimc_tile_params *p, uint64_t seed,
                           uint32_t object, aimc_err *err);
void aimc_tile_free(aimc_tile *t);  /* NULL is a no-op */

size_t aimc_tile_rows(const aimc_tile *t);
size_t aimc_tile_cols(const aimc_tile *t);
const aimc_tile_params *aimc_tile_params_of(const aimc_tile *t);
const aimc_device *aimc_tile_device(const aimc_tile *t);
/* The device for calibration (e.g. setting reference offsets after a
 * symmetric-point estimate); the caller keeps the per-element arrays valid. */
aimc_device *aimc_tile_device_mutable(aimc_tile *t);
const double *aimc_tile_weights(const aimc_tile *t);
/* Program the weights (exactly, then clipped to the element bounds). */
void aimc_tile_set_weights(aimc_tile *t, const double *w);
void aimc_tile_fill(aimc_tile *t, double value);
/* Pulses fired so far (all kernels that pulse), for the timing model. */
uint64_t aimc_tile_pulse_count(const aimc_tile *t);
/* Number of update calls so far (the step of the random streams). */
uint64_t aimc_tile_update_count(const aimc_tile *t);

/* W ← W − lr·∇ through the tile's update kernel. */
int aimc_tile_update(aimc_tile *t, const aimc_grad *g, double lr, aimc_err *err);

/* The kernels, callable directly (tests, benchmarks, other kernels).
 * Dense forms take the desired change ΔW (not a gradient). */
void aimc_tile_apply_float(aimc_tile *t, const double *dW);
void aimc_tile_apply_compact(aimc_tile *t, const double *dW);          /* (5) */
void aimc_tile_apply_pulsed(aimc_tile *t, const double *dW);           /* (27) */
/* One sample of the stochastic rank-one update: W ← W − lr·d xᵀ. */
void aimc_tile_apply_rank1(aimc_tile *t, const double *x, const double *d, double lr);
/* One pulse of sign sign[k] ∈ {−1, 0, +1} on every element k (threshold
 * transfers of TT-v2 / RL-v2). */
void aimc_tile_apply_single_pulses(aimc_tile *t, const signed char *sign);

/* Perfect read of column c: out[i] = W[i, c].  (Noisy reads: network issue.) */
void aimc_tile_read_column(const aimc_tile *t, size_t c, double *out);

/* The rank-one pulse-train plan of SPEC §1.6 for one sample (exposed for
 * tests): bit length and the x- and d-side probability scales. */
typedef struct {
    unsigned bl;     /* slots; 0 means no pulses */
    double scale_x;  /* p_j = min(1, |x_j|·scale_x) */
    double scale_d;  /* p_i = min(1, |d_i|·scale_d) */
} aimc_rank1_plan;
aimc_rank1_plan aimc_rank1_plan_make(const aimc_pulse_settings *s, double lr, double dw_min,
                                     double x_max, double d_max);

#ifdef __cplusplus
}
#endif
#endif
