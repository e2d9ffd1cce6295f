/* transfer.c — the building blocks the algorithm files share (SPEC §2): the
 * dense gradient, the column transfer (11) of residual learning and the
 * buffered threshold transfer of TT-v2 and RL-v2. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "aimc/rng.h"
#include "algorithm.h"

const double *optim_dense_grad(aimc_optim *o, const aimc_grad *g)
{
    if (g->dense != NULL)
        return g->dense;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)o->rows, (int)o->cols,
                (int)g->batch, g->scale, g->d, (int)o->rows, g->x, (int)o->cols, 0.0, o->dense,
                (int)o->cols);
    return o->dense;
}

int optim_transfer_due(const aimc_optim *o)
{
    return (o->steps + 1) % o->p.transfer_every == 0;
}

/* Read column c of P, plus Gaussian read noise ε (SPEC §2, transfer read).
 * The noise stream is keyed by (step, column), so it does not depend on
 * which algorithm or how many columns read before. */
static void read_residual_column(aimc_optim *o, size_t c)
{
    aimc_tile_read_column(o->P, c, o->col);
    if (o->p.read_noise > 0.0) {
        aimc_stream s;
        aimc_stream_init(&s, o->seed, AIMC_PURPOSE(OPTIM_OBJ_OPTIM, AIMC_ROLE_READ),
                         (uint32_t)o->steps, (uint32_t)c);
        for (size_t i = 0; i < o->rows; ++i)
            o->col[i] += o->p.read_noise * aimc_stream_normal(&s);
    }
}

static size_t columns_per_transfer(const aimc_optim *o)
{
    return (o->p.n_col == 0 || o->p.n_col > o->cols) ? o->cols : o->p.n_col;
}

/* A pulsed rank-one kernel writes each column as its own one-hot update (as
 * aihwkit does); the element-wise kernels get all selected columns in one
 * dense update. */
int optim_transfer_columns(aimc_optim *o, aimc_err *err)
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

/* ---- the digital buffer of TT-v2 / RL-v2 --------------------------------- */

int optim_buffer_alloc(aimc_optim *o, aimc_err *err)
{
    optim_buffer *b = calloc(1, sizeof *b);
    o->state = b;
    if (b != NULL) {
        b->H = calloc(o->n, sizeof *b->H);
        b->sign = calloc(o->n, sizeof *b->sign);
    }
    if (b == NULL || b->H == NULL || b->sign == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "optim: out of memory for %zu x %zu", o->rows,
                         o->cols);
    return GSL_SUCCESS;
}

void optim_buffer_free(void *state)
{
    optim_buffer *b = state;
    if (b == NULL)
        return;
    free(b->H);
    free(b->sign);
    free(b);
}

void optim_buffer_reset(aimc_optim *o)
{
    optim_buffer *b = o->state;
    memset(b->H, 0, o->n * sizeof *b->H);
}

const double *optim_buffer_values(const aimc_optim *o)
{
    const optim_buffer *b = o->state;
    return b->H;
}

/* TT-v2 (App. D) / RL-v2 (14)–(15): buffer the reads, then one pulse of
 * sign(H) wherever |H| ≥ Δw_min (the main device's nominal granularity),
 * keeping the remainder in H. */
void optim_transfer_threshold(aimc_optim *o, optim_buffer *b, int decay)
{
    const size_t ncol = columns_per_transfer(o);
    const double thr = aimc_tile_device(o->W)->p.dw_min;
    const double beta = o->p.beta;
    memset(b->sign, 0, o->n * sizeof *b->sign);
    for (size_t t = 0; t < ncol; ++t) {
        const size_t c = (o->next_col + t) % o->cols;
        read_residual_column(o, c);
        for (size_t i = 0; i < o->rows; ++i) {
            const size_t k = i * o->cols + c;
            double h = decay ? (1.0 - beta) * b->H[k] + beta * o->col[i]
                             : b->H[k] + beta * o->col[i];
            if (fabs(h) >= thr) {
                b->sign[k] = h > 0 ? 1 : -1;
                h -= h > 0 ? thr : -thr;
            }
            b->H[k] = h;
        }
    }
    aimc_tile_apply_single_pulses(o->W, b->sign);
    o->next_col = (o->next_col + ncol) % o->cols;
}
