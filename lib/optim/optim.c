/* optim.c — the optimizer core (SPEC §2): parameters, the arrays every
 * algorithm shares, and the step that dispatches to the algorithm's type
 * table.  The algorithms live one per file (dsgd.c, asgd.c, rl.c, ttv2.c,
 * rlv2.c), the contract between them and this file in algorithm.h, the list
 * of them in registry.def.  The caller owns the loop. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithm.h"

/* Hooks of a type that has none. */
static const aimc_optim_hooks no_hooks = {0};

static const aimc_optim_hooks *hooks_of(const aimc_optim_type *T)
{
    return T->hooks != NULL ? T->hooks : &no_hooks;
}

int aimc_optim_type_is_digital(const aimc_optim_type *T)
{
    return T != NULL && hooks_of(T)->digital != 0;
}

aimc_optim_params aimc_optim_default_params(void)
{
    aimc_optim_params p;
    p.alpha = 0.1;
    p.beta = 0.1;
    p.gamma = 0.0;
    p.transfer_every = 1;
    p.n_col = 0;
    p.read_noise = 0.0;
    p.main = aimc_tile_default_params();
    p.residual = aimc_tile_default_params();
    return p;
}

static int rate_ok(double x) { return isfinite(x) && x >= 0.0; }

int aimc_optim_validate(const aimc_optim_type *T, const aimc_optim_params *p, aimc_err *err)
{
    if (T == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "optim: no algorithm given");
    if (T->step == NULL || (hooks_of(T)->digital && (T->uses_residual || T->mixes)))
        return AIMC_FAIL(err, GSL_EINVAL, "optim: algorithm %s: incomplete type table (no step, "
                         "or a digital W with a residual array)", T->name ? T->name : "?");
    if (!rate_ok(p->alpha))
        return AIMC_FAIL(err, GSL_EINVAL, "optim: alpha = %g should be >= 0", p->alpha);
    if (!rate_ok(p->beta))
        return AIMC_FAIL(err, GSL_EINVAL, "optim: beta = %g should be >= 0", p->beta);
    if (!rate_ok(p->gamma))
        return AIMC_FAIL(err, GSL_EINVAL, "optim: gamma = %g should be >= 0", p->gamma);
    if (p->transfer_every < 1)
        return AIMC_FAIL(err, GSL_EINVAL, "optim: transfer_every should be >= 1");
    if (!rate_ok(p->read_noise))
        return AIMC_FAIL(err, GSL_EINVAL, "optim: read_noise = %g should be >= 0", p->read_noise);
    if (!hooks_of(T)->digital) {
        int st = aimc_tile_validate(&p->main, err);
        if (st != GSL_SUCCESS)
            return st;
    }
    if (T->uses_residual)
        return aimc_tile_validate(&p->residual, err);
    return GSL_SUCCESS;
}

void aimc_optim_free(aimc_optim *o)
{
    if (o == NULL)
        return;
    const aimc_optim_hooks *h = hooks_of(o->type);
    if (h->state_free != NULL)
        h->state_free(o->state);
    aimc_tile_free(o->W);
    aimc_tile_free(o->P);
    free(o->wd);
    free(o->wbar);
    free(o->col);
    free(o->onehot);
    free(o->neg);
    free(o->dense);
    free(o);
}

/* The arrays the type asks for: W (a tile, or floats if digital), P and the
 * column scratch of the transfers (uses_residual), W̄ (mixes). */
static int alloc_arrays(aimc_optim *o, const aimc_optim_params *p, aimc_err *err)
{
    const aimc_optim_type *T = o->type;
    const size_t rows = o->rows, cols = o->cols;
    o->dense = malloc(o->n * sizeof *o->dense);
    if (o->dense == NULL)
        goto nomem;
    if (hooks_of(T)->digital) {
        o->wd = calloc(o->n, sizeof *o->wd);
        return o->wd != NULL ? GSL_SUCCESS : AIMC_FAIL(err, GSL_ENOMEM,
                                                       "optim: out of memory for %zu x %zu",
                                                       rows, cols);
    }
    o->W = aimc_tile_alloc(rows, cols, &p->main, o->seed, OPTIM_OBJ_MAIN, err);
    if (o->W == NULL)
        return GSL_EFAILED;
    if (T->uses_residual) {
        o->P = aimc_tile_alloc(rows, cols, &p->residual, o->seed, OPTIM_OBJ_RESIDUAL, err);
        if (o->P == NULL)
            return GSL_EFAILED;
        o->col = malloc(rows * sizeof *o->col);
        o->neg = malloc(rows * sizeof *o->neg);
        o->onehot = calloc(cols, sizeof *o->onehot);
        if (!o->col || !o->neg || !o->onehot)
            goto nomem;
    }
    if (T->mixes) {
        o->wbar = malloc(o->n * sizeof *o->wbar);
        if (o->wbar == NULL)
            goto nomem;
    }
    return GSL_SUCCESS;
nomem:
    return AIMC_FAIL(err, GSL_ENOMEM, "optim: out of memory for %zu x %zu", rows, cols);
}

aimc_optim *aimc_optim_alloc(const aimc_optim_type *T, const aimc_optim_params *p, size_t rows,
                             size_t cols, uint64_t seed, aimc_err *err)
{
    if (aimc_optim_validate(T, p, err) != GSL_SUCCESS)
        return NULL;
    if (rows == 0 || cols == 0) {
        AIMC_FAIL(err, GSL_EINVAL, "optim: shape %zu x %zu should be positive", rows, cols);
        return NULL;
    }
    aimc_optim *o = calloc(1, sizeof *o);
    if (o == NULL) {
        AIMC_FAIL(err, GSL_ENOMEM, "optim: out of memory for %zu x %zu", rows, cols);
        return NULL;
    }
    o->type = T;
    o->p = *p;
    o->rows = rows;
    o->cols = cols;
    o->n = rows * cols;
    o->seed = seed;
    const aimc_optim_hooks *h = hooks_of(T);
    if (alloc_arrays(o, p, err) != GSL_SUCCESS ||
        (h->state_alloc != NULL && h->state_alloc(o, err) != GSL_SUCCESS)) {
        aimc_optim_free(o);
        return NULL;
    }
    aimc_optim_set_weights(o, NULL, NULL);
    return o;
}

const aimc_optim_type *aimc_optim_type_of(const aimc_optim *o) { return o->type; }
const double *aimc_optim_weights(const aimc_optim *o)
{
    return o->W ? aimc_tile_weights(o->W) : o->wd;
}
static size_t first_nonfinite(const double *x, size_t n)
{
    size_t i = 0;
    while (i < n && isfinite(x[i]))
        ++i;
    return i;
}

int aimc_optim_find_nonfinite(const aimc_optim *o, char *name, size_t cap, double *value)
{
    const double *w = aimc_optim_weights(o), *pp = aimc_optim_residual(o);
    size_t i;
    if ((i = first_nonfinite(w, o->n)) < o->n) {
        snprintf(name, cap, "W[%zu]", i);
        *value = w[i];
    } else if (pp != NULL && (i = first_nonfinite(pp, o->n)) < o->n) {
        snprintf(name, cap, "P[%zu]", i);
        *value = pp[i];
    } else {
        return 0;
    }
    return 1;
}

const double *aimc_optim_residual(const aimc_optim *o)
{
    return o->P ? aimc_tile_weights(o->P) : NULL;
}
const double *aimc_optim_buffer(const aimc_optim *o)
{
    const aimc_optim_hooks *h = hooks_of(o->type);
    return h->buffer != NULL ? h->buffer(o) : NULL;
}
aimc_tile *aimc_optim_main_tile(aimc_optim *o) { return o->W; }
aimc_tile *aimc_optim_residual_tile(aimc_optim *o) { return o->P; }
uint64_t aimc_optim_steps(const aimc_optim *o) { return o->steps; }

const double *aimc_optim_query_point(const aimc_optim *o)
{
    return o->wbar ? o->wbar : aimc_optim_weights(o);
}

/* W̄ = W + γP (the weight the forward and backward passes see). */
static void update_mixed(aimc_optim *o)
{
    if (o->wbar == NULL)
        return;
    const double *w = aimc_tile_weights(o->W), *pp = aimc_tile_weights(o->P);
    for (size_t k = 0; k < o->n; ++k)
        o->wbar[k] = w[k] + o->p.gamma * pp[k];
}

void aimc_optim_set_weights(aimc_optim *o, const double *W, const double *P)
{
    const aimc_optim_hooks *h = hooks_of(o->type);
    if (o->wd != NULL) {
        if (W != NULL)
            memcpy(o->wd, W, o->n * sizeof *W);
        else
            memset(o->wd, 0, o->n * sizeof *o->wd);
    } else {
        if (W != NULL)
            aimc_tile_set_weights(o->W, W);
        else
            aimc_tile_fill(o->W, 0.0);
        if (o->P != NULL) {
            if (P != NULL)
                aimc_tile_set_weights(o->P, P);
            else
                aimc_tile_fill(o->P, 0.0);
        }
    }
    if (h->state_reset != NULL)
        h->state_reset(o);
    update_mixed(o);
}

static int check_shape(const aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    if (g->rows != o->rows || g->cols != o->cols)
        return AIMC_FAIL(err, GSL_EBADLEN, "optim: gradient is %zu x %zu, weights are %zu x %zu",
                         g->rows, g->cols, o->rows, o->cols);
    if (g->dense == NULL && (g->batch == 0 || g->x == NULL || g->d == NULL))
        return AIMC_FAIL(err, GSL_EINVAL, "optim: empty gradient");
    return GSL_SUCCESS;
}

int aimc_optim_step(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    int st = check_shape(o, g, err);
    if (st != GSL_SUCCESS)
        return st;
    st = o->type->step(o, g, err);
    if (st != GSL_SUCCESS)
        return st;
    o->steps++;
    update_mixed(o);
    return GSL_SUCCESS;
}
