/* train.c — the standard training loop on least squares. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "aimc/train.h"

/* Stream object ids of the loop's own draws (the arrays use 1..3). */
enum { OBJ_TRAIN = 90 };

aimc_lsq_train_params aimc_lsq_train_default_params(void)
{
    aimc_lsq_train_params tp;
    memset(&tp, 0, sizeof tp);
    tp.algo = &aimc_optim_asgd;
    tp.optim = aimc_optim_default_params();
    tp.steps = 100;
    tp.noise = AIMC_GNOISE_NONE;
    return tp;
}

typedef struct {
    double *w0, *d, *dense, *xb, *r;
    size_t *perm;
} scratch;

static void scratch_free(scratch *s)
{
    free(s->w0);
    free(s->d);
    free(s->dense);
    free(s->xb);
    free(s->r);
    free(s->perm);
}

/* A mini-batch of b distinct samples (partial Fisher–Yates on perm), its
 * residuals with optional read noise, and the factors d = r/b, x = rows. */
static void batch_factors(aimc_lsq *p, const double *w, size_t b, double read_noise,
                          aimc_stream *pick, aimc_stream *noise, scratch *s, aimc_grad *g)
{
    const size_t m = p->m, n = p->n;
    for (size_t i = 0; i < b; ++i) {
        const size_t j = i + (size_t)(aimc_stream_uniform(pick) * (double)(m - i));
        const size_t t = s->perm[i];
        s->perm[i] = s->perm[j];
        s->perm[j] = t;
        memcpy(s->xb + i * n, p->A + s->perm[i] * n, n * sizeof *s->xb);
    }
    for (size_t i = 0; i < b; ++i) {
        double y = cblas_ddot((int)n, s->xb + i * n, 1, w, 1);
        if (read_noise > 0)
            y += read_noise * cblas_dnrm2((int)n, s->xb + i * n, 1) * aimc_stream_normal(noise);
        s->d[i] = (y - p->b[s->perm[i]]) / (double)b;
    }
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)b, (int)n, 1.0, s->xb, (int)n, s->d, 1, 0.0,
                s->dense, 1);
    *g = (aimc_grad){1, n, s->dense, b, s->xb, s->d, 1.0};
}

static double dist_to(const double *w, const double *ws, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; ++k)
        s += (w[k] - ws[k]) * (w[k] - ws[k]);
    return sqrt(s);
}

/* Is state k finite?  W first, then P, then the loss at the query point
 * (W + γP can overflow while W and P are finite): the first entry that is
 * not goes into the trace, so that programs report the parameter rather
 * than re-derive it.  Checking W and P themselves also catches a bad
 * weight at the step it appears, not one step later when the query point
 * W + γP is next formed.  Returns 1 if state k diverged. */
static int find_divergence(const aimc_optim *o, unsigned k, double fq, aimc_lsq_trace *tr)
{
    if (aimc_optim_find_nonfinite(o, tr->diverged_parameter, sizeof tr->diverged_parameter,
                                  &tr->diverged_value)) {
        /* named by the optimizer */
    } else if (!isfinite(fq)) {
        snprintf(tr->diverged_parameter, sizeof tr->diverged_parameter, "loss");
        tr->diverged_value = fq;
    } else {
        return 0;
    }
    tr->diverged = 1;
    tr->diverged_step = k;
    return 1;
}

/* Entries after the diverged step k were never computed: NaN, not garbage. */
static void mark_not_computed(aimc_lsq_trace *tr, unsigned k, unsigned steps)
{
    for (unsigned j = k + 1; j <= steps; ++j) {
        if (tr->loss)
            tr->loss[j] = NAN;
        if (tr->loss_main)
            tr->loss_main[j] = NAN;
        if (tr->dist)
            tr->dist[j] = NAN;
    }
}

int aimc_lsq_train(aimc_lsq *p, const aimc_lsq_train_params *tp, uint64_t seed, aimc_lsq_trace *tr,
                   aimc_err *err)
{
    const size_t n = p->n, m = p->m;
    const size_t b = tp->batch == 0 || tp->batch > m ? m : tp->batch;
    tr->diverged = 0; /* until find_divergence says otherwise */
    tr->diverged_step = 0;
    tr->diverged_parameter[0] = '\0';
    tr->diverged_value = 0;
    if (tp->noise_sigma > 0 && tp->noise != AIMC_GNOISE_NONE &&
        ((!aimc_optim_type_is_digital(tp->algo) && !tp->algo->uses_residual &&
          tp->optim.main.update->needs_factors) ||
         (tp->algo->uses_residual && tp->optim.residual.update->needs_factors)))
        return AIMC_FAIL(err, GSL_EINVAL,
                         "train: digital gradient noise needs a dense update kernel "
                         "(compact, pulsed or float), not %s",
                         tp->algo->uses_residual ? tp->optim.residual.update->name
                                                 : tp->optim.main.update->name);
    scratch s = {0};
    aimc_optim *o = aimc_optim_alloc(tp->algo, &tp->optim, 1, n, seed, err);
    int st = o == NULL ? (err && err->status ? err->status : GSL_EFAILED) : GSL_SUCCESS;
    if (!st) {
        s.w0 = malloc(n * sizeof *s.w0);
        s.d = malloc(m * sizeof *s.d);
        s.dense = malloc(n * sizeof *s.dense);
        s.xb = malloc(m * n * sizeof *s.xb);
        s.perm = malloc(m * sizeof *s.perm);
        if (!s.w0 || !s.d || !s.dense || !s.xb || !s.perm)
            st = AIMC_FAIL(err, GSL_ENOMEM, "train: out of memory");
    }
    if (st)
        goto done;
    for (size_t k = 0; k < n; ++k)
        s.w0[k] = tp->w0 ? tp->w0[k] : tp->w0_value;
    for (size_t i = 0; i < m; ++i)
        s.perm[i] = i;
    aimc_optim_set_weights(o, s.w0, tp->p0);

    aimc_stream pick, rnoise, gnoise;
    aimc_stream_init(&pick, seed, AIMC_PURPOSE(OBJ_TRAIN, AIMC_ROLE_SAMPLE), 0, 0);
    aimc_stream_init(&rnoise, seed, AIMC_PURPOSE(OBJ_TRAIN, AIMC_ROLE_READ), 0, 0);
    aimc_stream_init(&gnoise, seed, AIMC_PURPOSE(OBJ_TRAIN, AIMC_ROLE_GRADNOISE), 0, 0);
    for (unsigned k = 0;; ++k) {
        const double *q = aimc_optim_query_point(o), *w = aimc_optim_weights(o);
        const double fq = aimc_lsq_loss(p, q);
        if (tr->loss)
            tr->loss[k] = fq;
        if (tr->loss_main)
            tr->loss_main[k] = q == w ? fq : aimc_lsq_loss(p, w);
        if (tr->dist)
            tr->dist[k] = dist_to(w, p->w_star, n);
        if (find_divergence(o, k, fq, tr)) {
            mark_not_computed(tr, k, tp->steps);
            st = AIMC_FAIL(err, GSL_ERANGE, "train: %s diverged at step %u (%s = %g)",
                           tp->algo->name, k, tr->diverged_parameter, tr->diverged_value);
            break;
        }
        if (k == tp->steps)
            break;
        aimc_grad g;
        if (b == m) /* the full batch, in sample order (as aihwkit loops over it) */
            aimc_lsq_grad_factors_read_noise(p, q, tp->read_noise, &rnoise, s.d, s.dense, &g);
        else
            batch_factors(p, q, b, tp->read_noise, &pick, &rnoise, &s, &g);
        if (tp->noise_sigma > 0 && tp->noise != AIMC_GNOISE_NONE) {
            aimc_gnoise_add(s.dense, n, tp->noise, tp->noise_sigma, &gnoise);
            g.batch = 0; /* the noisy gradient exists in dense form only */
        }
        st = aimc_optim_step(o, &g, err);
        if (st)
            break;
    }
    if (tr->final_w)
        memcpy(tr->final_w, aimc_optim_weights(o), n * sizeof *tr->final_w);
    tr->pulses = 0;
    if (aimc_optim_main_tile(o))
        tr->pulses += (double)aimc_tile_pulse_count(aimc_optim_main_tile(o));
    if (aimc_optim_residual_tile(o))
        tr->pulses += (double)aimc_tile_pulse_count(aimc_optim_residual_tile(o));
done:
    aimc_optim_free(o);
    scratch_free(&s);
    return st;
}
