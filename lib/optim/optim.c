/* optim.c — Digital SGD, Analog SGD, residual learning / Tiki-Taka, TT-v2
 * and RL-v2 on analog tiles (SPEC §2).  The caller owns the loop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "aimc/optim.h"
#include "aimc/rng.h"

/* Stream objects: each array and the optimizer's own draws are apart. */
enum { OBJ_MAIN = 1, OBJ_RESIDUAL = 2, OBJ_OPTIM = 3 };

struct aimc_optim {
    const aimc_optim_type *type;
    aimc_optim_params p;
    size_t rows, cols, n;
    uint64_t seed;
    aimc_tile *W, *P;  /* W is NULL for dsgd */
    double *wd;        /* dsgd weights */
    double *wbar;      /* W + γP when the gradient is taken at the mixed weight */
    double *H;         /* ttv2 / rlv2 digital buffer */
    double *col;       /* one column read from P (rows) */
    double *onehot;    /* one-hot input (cols) */
    double *neg;       /* −column, the d side of a transfer (rows) */
    double *dense;     /* rows×cols scratch */
    signed char *sign; /* threshold transfer signs (rows×cols) */
    size_t next_col;
    uint64_t steps;
};

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
    if (T != &aimc_optim_dsgd) {
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
    aimc_tile_free(o->W);
    aimc_tile_free(o->P);
    free(o->wd);
    free(o->wbar);
    free(o->H);
    free(o->col);
    free(o->onehot);
    free(o->neg);
    free(o->dense);
    free(o->sign);
    free(o);
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
    if (o == NULL)
        goto nomem;
    o->type = T;
    o->p = *p;
    o->rows = rows;
    o->cols = cols;
    o->n = rows * cols;
    o->seed = seed;
    o->dense = malloc(o->n * sizeof *o->dense);
    if (o->dense == NULL)
        goto nomem;
    if (T == &aimc_optim_dsgd) {
        o->wd = calloc(o->n, sizeof *o->wd);
        if (o->wd == NULL)
            goto nomem;
        return o;
    }
    o->W = aimc_tile_alloc(rows, cols, &p->main, seed, OBJ_MAIN, err);
    if (o->W == NULL)
        goto fail;
    if (T->uses_residual) {
        o->P = aimc_tile_alloc(rows, cols, &p->residual, seed, OBJ_RESIDUAL, err);
        if (o->P == NULL)
            goto fail;
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
    if (T == &aimc_optim_ttv2 || T == &aimc_optim_rlv2) {
        o->H = calloc(o->n, sizeof *o->H);
        o->sign = calloc(o->n, sizeof *o->sign);
        if (!o->H || !o->sign)
            goto nomem;
    }
    aimc_optim_set_weights(o, NULL, NULL);
    return o;
nomem:
    AIMC_FAIL(err, GSL_ENOMEM, "optim: out of memory for %zu x %zu", rows, cols);
fail:
    aimc_optim_free(o);
    return NULL;
}

const aimc_optim_type *aimc_optim_type_of(const aimc_optim *o) { return o->type; }
const double *aimc_optim_weights(const aimc_optim *o)
{
    return o->W ? aimc_tile_weights(o->W) : o->wd;
}
const double *aimc_optim_residual(const aimc_optim *o)
{
    return o->P ? aimc_tile_weights(o->P) : NULL;
}
const double *aimc_optim_buffer(const aimc_optim *o) { return o->H; }
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
    if (o->wd != NULL) {
        if (W != NULL)
            memcpy(o->wd, W, o->n * sizeof *W);
        else
            memset(o->wd, 0, o->n * sizeof *o->wd);
        return;
    }
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
    if (o->H != NULL)
        memset(o->H, 0, o->n * sizeof *o->H);
    update_mixed(o);
}

/* Dense gradient (into o->dense if it has to be formed from the factors). */
static const double *dense_grad(aimc_optim *o, const aimc_grad *g)
{
    if (g->dense != NULL)
        return g->dense;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)o->rows, (int)o->cols,
                (int)g->batch, g->scale, g->d, (int)o->rows, g->x, (int)o->cols, 0.0, o->dense,
                (int)o->cols);
    return o->dense;
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

/* Read column c of P, plus Gaussian read noise ε (SPEC §2, transfer read). */
static void read_residual_column(aimc_optim *o, size_t c)
{
    aimc_tile_read_column(o->P, c, o->col);
    if (o->p.read_noise > 0.0) {
        aimc_stream s;
        aimc_stream_init(&s, o->seed, AIMC_PURPOSE(OBJ_OPTIM, AIMC_ROLE_READ), (uint32_t)o->steps,
                         (uint32_t)c);
        for (size_t i = 0; i < o->rows; ++i)
            o->col[i] += o->p.read_noise * aimc_stream_normal(&s);
    }
}

static size_t columns_per_transfer(const aimc_optim *o)
{
    return (o->p.n_col == 0 || o->p.n_col > o->cols) ? o->cols : o->p.n_col;
}

/* (11) W[:,c] ← AnalogUpdate(W[:,c], β·(P[:,c] + ε)) for the next n_col
 * columns in cyclic order, through the main tile's kernel.  A pulsed rank-one
 * kernel writes each column as its own one-hot update (as aihwkit does); the
 * element-wise kernels get all selected columns in one dense update. */
static int transfer_columns(aimc_optim *o, aimc_err *err)
{
    const size_t ncol = columns_per_transfer(o);
    const aimc_tile_params *wp = aimc_tile_params_of(o->W);
    if (wp->update->needs_factors) {
        for (size_t t = 0; t < ncol; ++t) {
            const size_t c = (o->next_col + t) % o->cols;
            read_residual_column(o, c);
            for (size_t i = 0; i < o->rows; ++i)
                o->neg[i] = -o->col[i];
            o->onehot[c] = 1.0;
            aimc_grad g = {o->rows, o->cols, NULL, 1, o->onehot, o->neg, 1.0};
            int st = aimc_tile_update(o->W, &g, o->p.beta, err);
            o->onehot[c] = 0.0;
            if (st != GSL_SUCCESS)
                return st;
        }
    } else {
        memset(o->dense, 0, o->n * sizeof *o->dense);
        for (size_t t = 0; t < ncol; ++t) {
            const size_t c = (o->next_col + t) % o->cols;
            read_residual_column(o, c);
            for (size_t i = 0; i < o->rows; ++i)
                o->dense[i * o->cols + c] = -o->col[i]; /* gradient form: ΔW = −β·dense */
        }
        aimc_grad g = {o->rows, o->cols, o->dense, 0, NULL, NULL, 1.0};
        int st = aimc_tile_update(o->W, &g, o->p.beta, err);
        if (st != GSL_SUCCESS)
            return st;
    }
    o->next_col = (o->next_col + ncol) % o->cols;
    return GSL_SUCCESS;
}

/* TT-v2 (32) / RL-v2 (14): buffer the reads, then one pulse of sign(H)
 * wherever |H| ≥ Δw_min, keeping the remainder in H. */
static void transfer_buffered(aimc_optim *o, int decay)
{
    const size_t ncol = columns_per_transfer(o);
    const double thr = aimc_tile_device(o->W)->p.dw_min;
    const double beta = o->p.beta;
    memset(o->sign, 0, o->n * sizeof *o->sign);
    for (size_t t = 0; t < ncol; ++t) {
        const size_t c = (o->next_col + t) % o->cols;
        read_residual_column(o, c);
        for (size_t i = 0; i < o->rows; ++i) {
            const size_t k = i * o->cols + c;
            double h = decay ? (1.0 - beta) * o->H[k] + beta * o->col[i]
                             : o->H[k] + beta * o->col[i];
            if (fabs(h) >= thr) {
                o->sign[k] = h > 0 ? 1 : -1;
                h -= h > 0 ? thr : -thr;
            }
            o->H[k] = h;
        }
    }
    aimc_tile_apply_single_pulses(o->W, o->sign);
    o->next_col = (o->next_col + ncol) % o->cols;
}

static int transfer_due(const aimc_optim *o)
{
    return (o->steps + 1) % o->p.transfer_every == 0;
}

static int step_dsgd(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    const double *gr = dense_grad(o, g);
    for (size_t k = 0; k < o->n; ++k)
        o->wd[k] -= o->p.alpha * gr[k];
    return GSL_SUCCESS;
}

static int step_asgd(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    return aimc_tile_update(o->W, g, o->p.alpha, err);
}

/* (10) P ← AnalogUpdate(P, −α∇f(W̄)), then (11) every T steps. */
static int step_rl(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    int st = aimc_tile_update(o->P, g, o->p.alpha, err);
    if (st == GSL_SUCCESS && transfer_due(o))
        st = transfer_columns(o, err);
    return st;
}

/* TT-v2 and RL-v2 differ only in the buffer law (decay or not). */
static int step_buffered(aimc_optim *o, const aimc_grad *g, int decay, aimc_err *err)
{
    int st = aimc_tile_update(o->P, g, o->p.alpha, err);
    if (st == GSL_SUCCESS && transfer_due(o))
        transfer_buffered(o, decay);
    return st;
}

static int step_ttv2(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    return step_buffered(o, g, 0, err);
}

static int step_rlv2(aimc_optim *o, const aimc_grad *g, aimc_err *err)
{
    return step_buffered(o, g, 1, err);
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

const aimc_optim_type aimc_optim_dsgd = {"dsgd", "digital SGD: W -= alpha*grad (float, unbounded)",
                                         0, 0, step_dsgd};
const aimc_optim_type aimc_optim_asgd = {
    "asgd", "analog SGD (2): the gradient is written to W by the main tile's kernel", 0, 0,
    step_asgd};
const aimc_optim_type aimc_optim_rl = {
    "rl", "residual learning / Tiki-Taka (10)-(11): gradient at W+gamma*P into P, "
          "columns of P transferred to W",
    1, 1, step_rl};
const aimc_optim_type aimc_optim_ttv2 = {
    "ttv2", "Tiki-Taka v2: buffer H += beta*P, one pulse into W where |H| >= dw_min", 1, 0,
    step_ttv2};
const aimc_optim_type aimc_optim_rlv2 = {
    "rlv2", "residual learning v2 (14)-(15): H = (1-beta)H + beta*P, threshold pulses, "
            "gradient at W+gamma*P",
    1, 1, step_rlv2};

const aimc_optim_type *const aimc_optim_types[] = {&aimc_optim_dsgd, &aimc_optim_asgd,
                                                   &aimc_optim_rl, &aimc_optim_ttv2,
                                                   &aimc_optim_rlv2, NULL};

const aimc_optim_type *aimc_optim_find(const char *name)
{
    for (size_t i = 0; aimc_optim_types[i] != NULL; ++i)
        if (strcmp(aimc_optim_types[i]->name, name) == 0)
            return aimc_optim_types[i];
    return NULL;
}

const char *aimc_optim_type_names(void)
{
    static char buf[256];
    return aimc_registry_names((const void *const *)aimc_optim_types, buf, sizeof buf);
}
