/* aimc/optim.h — training algorithms on analog tiles (SPEC §2).
 *
 * An optimizer owns its arrays; the caller owns the loop (GSL style):
 *
 *     o = aimc_optim_alloc(aimc_optim_find("rl"), &params, rows, cols, seed, &err);
 *     aimc_optim_set_weights(o, W0, NULL);
 *     for (k = 0; k < K; ++k) {
 *         q = aimc_optim_query_point(o);        // where to take the gradient
 *         ... compute ∇f(q; ξ_k) into an aimc_grad g ...
 *         aimc_optim_step(o, &g, &err);
 *     }
 *     W = aimc_optim_weights(o);
 *
 * Variants (registered by name for --algorithm; one file each in lib/optim,
 * listed in lib/optim/registry.def):
 *   dsgd   Digital SGD:      W ← W − α∇                       (float, unbounded)
 *   asgd   Analog SGD (2):   W ← AnalogUpdate(W, −α∇)         (main tile's kernel)
 *   rl     Residual learning / Tiki-Taka (10)–(11):
 *            W̄ = W + γP;  P ← AnalogUpdate(P, −α∇f(W̄));
 *            every T steps, for n_col columns c in cyclic order:
 *              W[:,c] ← AnalogUpdate(W[:,c], β·(P[:,c] + ε))
 *          γ = 0 is Paper A's Tiki-Taka.
 *   ttv2   Tiki-Taka v2 (App. D): H ← H + β(P + ε); one pulse of sign(H)
 *          where |H| ≥ Δw_min, H ← H − sign(H)·Δw_min; gradient at W.
 *   rlv2   Residual learning v2 (14)–(15): H ← (1−β)H + β(P + ε); the same
 *          threshold transfer; gradient at W̄ = W + γP.
 *
 * The main tile's update kernel writes the transfers of rl; the residual
 * tile's kernel takes the gradient updates.  For asgd the main tile's
 * kernel takes the gradient.
 */
#ifndef AIMC_OPTIM_H
#define AIMC_OPTIM_H

#include <stddef.h>
#include <stdint.h>
#include "aimc/common.h"
#include "aimc/tile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double alpha;              /* α: rate of the array that receives gradients; default 0.1 */
    double beta;               /* β: transfer rate (rl) / buffer rate (ttv2, rlv2); default 0.1 */
    double gamma;              /* γ: mixing W̄ = W + γP (rl, rlv2); default 0 */
    unsigned transfer_every;   /* T: steps between transfers; default 1 */
    size_t n_col;              /* columns per transfer, cyclic; 0 = all; default 0 */
    double read_noise;         /* std of Gaussian noise ε on the transfer read; default 0 */
    aimc_tile_params main;     /* W: device and kernel (gradient for asgd, transfer for rl) */
    aimc_tile_params residual; /* P: device and kernel of the gradient updates */
} aimc_optim_params;

typedef struct aimc_optim aimc_optim;

/* An algorithm's type table.  Each is defined in its own file
 * lib/optim/<id>.c and registered by one line of lib/optim/registry.def;
 * docs/EXTENDING.md §2 is the recipe. */
struct aimc_optim_hooks;  /* private to lib/optim (lib/optim/algorithm.h) */
typedef struct aimc_optim_type {
    const char *name;
    const char *summary;
    int uses_residual;  /* has a P array */
    int mixes;          /* gradient taken at W̄ = W + γP */
    int (*step)(aimc_optim *o, const aimc_grad *g, aimc_err *err);
    /* What else the core asks of the algorithm (a float W, state of its
     * own, a buffer to show); NULL: nothing.  Appended last, so tables
     * written before it existed still compile. */
    const struct aimc_optim_hooks *hooks;
} aimc_optim_type;

/* The paper's algorithms, for code that names one; an algorithm added later
 * is reached by name (aimc_optim_find) and needs no declaration here. */
extern const aimc_optim_type aimc_optim_dsgd, aimc_optim_asgd, aimc_optim_rl, aimc_optim_ttv2,
    aimc_optim_rlv2;
extern const aimc_optim_type *const aimc_optim_types[];  /* NULL-terminated, --help order */
const aimc_optim_type *aimc_optim_find(const char *name);  /* NULL if unknown (or NULL) */
const char *aimc_optim_type_names(void);                   /* "dsgd|asgd|rl|ttv2|rlv2" */
/* 1 if the type keeps W as a float array (no tile, no device), as dsgd does:
 * ask this rather than compare with &aimc_optim_dsgd. */
int aimc_optim_type_is_digital(const aimc_optim_type *T);

aimc_optim_params aimc_optim_default_params(void);
int aimc_optim_validate(const aimc_optim_type *T, const aimc_optim_params *p, aimc_err *err);

aimc_optim *aimc_optim_alloc(const aimc_optim_type *T, const aimc_optim_params *p, size_t rows,
                             size_t cols, uint64_t seed, aimc_err *err);
void aimc_optim_free(aimc_optim *o);  /* NULL is a no-op */

const aimc_optim_type *aimc_optim_type_of(const aimc_optim *o);
/* Program W (and P; NULL means P = 0). */
void aimc_optim_set_weights(aimc_optim *o, const double *W, const double *P);
/* Where the caller must take the gradient: W, or W̄ = W + γP. */
const double *aimc_optim_query_point(const aimc_optim *o);
const double *aimc_optim_weights(const aimc_optim *o);   /* W */
const double *aimc_optim_residual(const aimc_optim *o);  /* P, or NULL */
const double *aimc_optim_buffer(const aimc_optim *o);    /* H, or NULL */
aimc_tile *aimc_optim_main_tile(aimc_optim *o);          /* NULL for dsgd */
aimc_tile *aimc_optim_residual_tile(aimc_optim *o);      /* NULL without P */
uint64_t aimc_optim_steps(const aimc_optim *o);
/* Is every weight finite?  Looks at W, then P; at the first NaN or ±inf it
 * writes its name ("W[12]", "P[3]", row-major index) into name[0..cap) and
 * its value into *value and returns 1; returns 0 when all are finite.  The
 * one divergence test of the training loops (lib/train, lib/nn): analog
 * kernels clip, so a bad weight can be absorbed by its next pulse and must
 * be caught at the step it appears. */
int aimc_optim_find_nonfinite(const aimc_optim *o, char *name, size_t cap, double *value);

int aimc_optim_step(aimc_optim *o, const aimc_grad *g, aimc_err *err);

#ifdef __cplusplus
}
#endif
#endif
