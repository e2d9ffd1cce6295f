/* algorithm.h — the contract between the optimizer core (optim.c) and the
 * algorithm files (dsgd.c, asgd.c, rl.c, ttv2.c, rlv2.c, ...).  Private to
 * lib/optim.
 *
 * The core owns what every algorithm shares: the main array W (an analog
 * tile, or a plain float array for a digital algorithm), the residual tile
 * P if the type sets `uses_residual`, the mixed weight W̄ = W + γP if it
 * sets `mixes`, the step counter, the transfer column cursor and scratch.
 * An algorithm file adds one step function, optionally a state of its own
 * (through the hooks below), and one `const aimc_optim_type` whose name is
 * `aimc_optim_<id>`, where lib/optim/<id>.c is the file and `<id>` is its
 * line in registry.def.  The building blocks below (dense gradient,
 * column transfer (11), threshold transfer of TT-v2/RL-v2) are the ones
 * the existing algorithms are made of; a new one should reuse them rather
 * than repeat their arithmetic.
 *
 * Order of calls, as the core makes them:
 *   aimc_optim_alloc: validate the common parameters (and the tiles the
 *       type uses), allocate the arrays, then hooks->state_alloc, then
 *       aimc_optim_set_weights(o, NULL, NULL) (which calls state_reset);
 *   aimc_optim_set_weights: program W (and P), hooks->state_reset, W̄;
 *   aimc_optim_step: check the gradient's shape, type->step, count the
 *       step, refresh W̄;
 *   aimc_optim_free: hooks->state_free(o->state) (also after a failed
 *       alloc, so it must accept a partly built or NULL state). */
#ifndef AIMC_OPTIM_ALGORITHM_H
#define AIMC_OPTIM_ALGORITHM_H

#include <stddef.h>
#include <stdint.h>

#include "aimc/optim.h"

/* Stream objects: each array and the optimizer's own draws are apart. */
enum { OPTIM_OBJ_MAIN = 1, OPTIM_OBJ_RESIDUAL = 2, OPTIM_OBJ_OPTIM = 3 };

struct aimc_optim {
    const aimc_optim_type *type;
    aimc_optim_params p;
    size_t rows, cols, n;
    uint64_t seed;
    aimc_tile *W, *P;  /* W is NULL for a digital algorithm, P without uses_residual */
    double *wd;        /* a digital algorithm's weights */
    double *wbar;      /* W + γP when the gradient is taken at the mixed weight */
    double *col;       /* one column read from P (rows) */
    double *onehot;    /* one-hot input (cols) */
    double *neg;       /* −column, the d side of a transfer (rows) */
    double *dense;     /* rows×cols scratch */
    size_t next_col;   /* first column of the next transfer (cyclic) */
    uint64_t steps;    /* steps completed; type->step sees the count before its own */
    void *state;       /* the algorithm's own state (hooks->state_alloc), or NULL */
};

/* What an algorithm may add to the core beyond its step.  Every member is
 * optional (0 / NULL); a type with hooks = NULL has none of them. */
typedef struct aimc_optim_hooks aimc_optim_hooks;
struct aimc_optim_hooks {
    /* W is a float array updated by the step itself (no tile: the main
     * tile's parameters are neither validated nor used). */
    int digital;
    /* Allocate o->state (rows, cols and every core array exist already).
     * On failure: AIMC_FAIL and return its status; state_free follows. */
    int (*state_alloc)(aimc_optim *o, aimc_err *err);
    void (*state_free)(void *state);
    /* Back to the state of a fresh optimizer (aimc_optim_set_weights). */
    void (*state_reset)(aimc_optim *o);
    /* What aimc_optim_buffer() returns (a digital buffer H), else NULL. */
    const double *(*buffer)(const aimc_optim *o);
};

/* ---- building blocks (transfer.c) ---------------------------------------- */

/* The dense gradient: g->dense, or scale·Σ_b d_b x_bᵀ formed in o->dense. */
const double *optim_dense_grad(aimc_optim *o, const aimc_grad *g);

/* Whether the step being taken ends a period of T = transfer_every steps. */
int optim_transfer_due(const aimc_optim *o);

/* (11) W[:,c] ← AnalogUpdate(W[:,c], β·(P[:,c] + ε)) for the next n_col
 * columns in cyclic order, through the main tile's update kernel. */
int optim_transfer_columns(aimc_optim *o, aimc_err *err);

/* A digital transfer buffer H with the signs of the pulses it fires. */
typedef struct {
    double *H;          /* rows×cols */
    signed char *sign;  /* rows×cols scratch: −1, 0, +1 */
} optim_buffer;

/* Hooks for an algorithm whose state is one optim_buffer (o->state). */
int optim_buffer_alloc(aimc_optim *o, aimc_err *err);
void optim_buffer_free(void *state);
void optim_buffer_reset(aimc_optim *o);
const double *optim_buffer_values(const aimc_optim *o);

/* Threshold transfer of TT-v2 (App. D) and RL-v2 (14)–(15) on the next n_col
 * columns: H ← H + β(P + ε) (decay = 0, TT-v2) or H ← (1−β)H + β(P + ε)
 * (decay = 1, RL-v2), then one pulse of sign(H) into W wherever
 * |H| ≥ Δw_min, H ← H − sign(H)·Δw_min. */
void optim_transfer_threshold(aimc_optim *o, optim_buffer *b, int decay);

#endif
