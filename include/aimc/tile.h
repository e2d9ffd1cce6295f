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
 * Reads: aimc_tile_read_column is a perfect read of one column; the
 * readers below (aimc_reader_*, lib/tile/read.c) do noisy, quantized
 * batched reads (SPEC §1.7, Table 4) or exact ones with `perfect`.
 *
 * The pulsing kernels (pulsed, rank1, single pulses) share one train
 * engine (lib/tile/trains.c) that gives, to the bit, what firing each
 * element's train through aimc_device_pulse_train would give; the Bernoulli
 * slots of rank1 are drawn in bulk (aimc_stream_fill_u32), the same words
 * in the same order as one draw per slot.  tests/test_tile.c pins both.
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
 * symmetric-point estimate).  Tiles of nominal devices keep no per-element
 * arrays; this call first expands them (aimc_device_expand), so it may
 * return NULL when memory runs out.  The caller keeps the arrays valid. */
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

/* Perfect read of column c: out[i] = W[i, c].  (Noisy reads: aimc_read_*.) */
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

/* ---- noisy reads (SPEC §1.7, Table 4; lib/tile/read.c) ------------------
 *
 * A read of an analog array is a matrix–vector product through converters.
 * For each input vector x of a batch (forward: y = W x; backward: z = Wᵀ d):
 *
 *   1. noise management: α = max_j |x_j| (aihwkit's ABS_MAX), else α = 1;
 *      α = 0 gives the output 0 (nothing is driven, nothing is read);
 *   2. DAC: u = x/(α·2^r) clipped to [−inp_bound, inp_bound], rounded to the
 *      step inp_res·2·inp_bound (7 bits: 1/(2⁷−2) of the full range = 1/63);
 *   3. MAC: v = W u (a BLAS gemm over the whole batch);
 *   4. ADC: v + out_noise·ξ, ξ ~ N(0, 1) fresh per output, rounded to the
 *      step out_res·2·out_bound (9 bits: 24/510), clipped to ±out_bound;
 *   5. bound management: while some output of the vector sits at ±out_bound
 *      and 2^(r+1) is within max_bm_factor and max_bm_res/inp_res, r ← r+1
 *      and the vector is read again from step 2 (r starts at 0);
 *   6. rescale: y = v·α·2^r (so the output noise scales with max|x|).
 *
 * Every stage is switchable (a zero bound, step or σ turns it off); `perfect`
 * bypasses all of them and returns the exact BLAS product.  Noise is drawn
 * from the stream (seed, AIMC_PURPOSE(object, AIMC_ROLE_READ), call, sample),
 * `call` counting the reader's reads, so results do not depend on threads.
 * aihwkit turns bound management off for backward reads; so does
 * aimc_read_default_backward_settings(). */
typedef struct {
    int perfect;            /* 1: exact y = W x, every stage bypassed; default 0 */
    double inp_bound;       /* DAC clip ±inp_bound (0: none); default 1 */
    double inp_res;         /* DAC step / (2·inp_bound) (0: none); default 1/(2^7 − 2) */
    double out_noise;       /* σ of additive output noise (0: none); default 0.06 */
    double out_bound;       /* ADC clip ±out_bound (0: none); default 12 */
    double out_res;         /* ADC step / (2·out_bound) (0: none); default 1/(2^9 − 2) */
    int noise_management;   /* 1: divide each input vector by its max|x|; default 1 */
    int bound_management;   /* 1: halve the input scale and re-read on saturation; default 1 */
    double max_bm_factor;   /* bound management stops before 2^r exceeds this; default 1000 */
    double max_bm_res;      /* ... or exceeds max_bm_res/inp_res; default 0.25 (aihwkit) */
} aimc_read_settings;

aimc_read_settings aimc_read_default_settings(void);          /* Table 4, forward */
aimc_read_settings aimc_read_default_backward_settings(void); /* Table 4, bound management off */
aimc_read_settings aimc_read_perfect_settings(void);          /* exact products */
int aimc_read_validate(const aimc_read_settings *s, aimc_err *err);

/* A reader of rows×cols arrays for batches of up to max_batch vectors; holds
 * its settings, scratch and read counter.  `object` names it in the random
 * streams (distinct per reader). */
typedef struct aimc_reader aimc_reader;
aimc_reader *aimc_reader_alloc(const aimc_read_settings *s, size_t rows, size_t cols,
                               size_t max_batch, uint64_t seed, uint32_t object, aimc_err *err);
void aimc_reader_free(aimc_reader *r);  /* NULL is a no-op */
const aimc_read_settings *aimc_reader_settings(const aimc_reader *r);
/* Reads so far, and how many vector re-reads bound management made. */
uint64_t aimc_reader_calls(const aimc_reader *r);
uint64_t aimc_reader_bm_repeats(const aimc_reader *r);

/* Forward reads: Y (batch×rows) = W X, X batch×cols, W rows×cols row-major
 * (e.g. aimc_tile_weights(t), or an optimizer's query point W + γP). */
int aimc_read_forward(aimc_reader *r, const double *W, const double *X, size_t batch, double *Y,
                      aimc_err *err);
/* Backward reads: Z (batch×cols) = Wᵀ D, D batch×rows. */
int aimc_read_backward(aimc_reader *r, const double *W, const double *D, size_t batch, double *Z,
                       aimc_err *err);

#ifdef __cplusplus
}
#endif
#endif
