/* problem.c — least squares with exact and per-sample gradients. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "aimc/problem.h"
#include "aimc/rng.h"

void aimc_lsq_free(aimc_lsq *p)
{
    if (p == NULL)
        return;
    free(p->A);
    free(p->b);
    free(p->w_star);
    free(p->r);
    free(p);
}

/* L and μ: extreme eigenvalues of the Hessian AᵀA/m. */
static int lsq_curvature(aimc_lsq *p, aimc_err *err)
{
    gsl_matrix *H = gsl_matrix_alloc(p->n, p->n);
    gsl_vector *ev = gsl_vector_alloc(p->n);
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(p->n);
    int st = GSL_SUCCESS;
    if (!H || !ev || !ws) {
        st = AIMC_FAIL(err, GSL_ENOMEM, "problem: out of memory");
        goto done;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p->n, (int)p->n, (int)p->m,
                1.0 / (double)p->m, p->A, (int)p->n, p->A, (int)p->n, 0.0, H->data, (int)H->tda);
    gsl_eigen_symm(H, ev, ws);
    p->L = gsl_vector_max(ev);
    p->mu = gsl_vector_min(ev);
    if (p->mu < 0)
        p->mu = 0; /* rank deficient: round-off only */
done:
    gsl_eigen_symm_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(H);
    return st;
}

aimc_lsq *aimc_lsq_alloc_random(size_t m, size_t n, double sigma_a, double sigma_w,
                                uint64_t seed, uint32_t object, aimc_err *err)
{
    if (m == 0 || n == 0) {
        AIMC_FAIL(err, GSL_EINVAL, "problem: least squares needs m, n >= 1 (got %zu, %zu)", m, n);
        return NULL;
    }
    if (!(isfinite(sigma_a) && sigma_a > 0) || !(isfinite(sigma_w) && sigma_w >= 0)) {
        AIMC_FAIL(err, GSL_EINVAL, "problem: sigma_a = %g should be > 0, sigma_w = %g >= 0",
                  sigma_a, sigma_w);
        return NULL;
    }
    aimc_lsq *p = calloc(1, sizeof *p);
    if (p == NULL)
        goto nomem;
    p->m = m;
    p->n = n;
    p->A = malloc(m * n * sizeof *p->A);
    p->b = malloc(m * sizeof *p->b);
    p->w_star = malloc(n * sizeof *p->w_star);
    p->r = malloc(m * sizeof *p->r);
    if (!p->A || !p->b || !p->w_star || !p->r)
        goto nomem;
    aimc_stream s;
    aimc_stream_init(&s, seed, AIMC_PURPOSE(object, AIMC_ROLE_INIT), 0, 0);
    for (size_t k = 0; k < n; ++k)
        p->w_star[k] = sigma_w * aimc_stream_normal(&s);
    for (size_t k = 0; k < m * n; ++k)
        p->A[k] = sigma_a * aimc_stream_normal(&s);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n, 1.0, p->A, (int)n, p->w_star, 1, 0.0,
                p->b, 1);
    p->f_star = 0.0; /* b = A w* exactly */
    if (lsq_curvature(p, err) != GSL_SUCCESS) {
        aimc_lsq_free(p);
        return NULL;
    }
    return p;
nomem:
    aimc_lsq_free(p);
    AIMC_FAIL(err, GSL_ENOMEM, "problem: out of memory for %zu x %zu", m, n);
    return NULL;
}

/* r = Aw − b */
static void residual(aimc_lsq *p, const double *w)
{
    cblas_dcopy((int)p->m, p->b, 1, p->r, 1);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p->m, (int)p->n, 1.0, p->A, (int)p->n, w, 1,
                -1.0, p->r, 1);
}

/* f(w) = ‖Aw − b‖²/(2m) */
double aimc_lsq_loss(aimc_lsq *p, const double *w)
{
    residual(p, w);
    const double nr = cblas_dnrm2((int)p->m, p->r, 1);
    return 0.5 * nr * nr / (double)p->m;
}

/* ∇f(w) = Aᵀ(Aw − b)/m */
void aimc_lsq_gradient(aimc_lsq *p, const double *w, double *g)
{
    residual(p, w);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)p->m, (int)p->n, 1.0 / (double)p->m, p->A,
                (int)p->n, p->r, 1, 0.0, g, 1);
}

void aimc_lsq_grad_factors(aimc_lsq *p, const double *w, double *d, double *dense,
                           aimc_grad *grad)
{
    residual(p, w);
    for (size_t i = 0; i < p->m; ++i)
        d[i] = p->r[i] / (double)p->m;
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)p->m, (int)p->n, 1.0, p->A, (int)p->n, d, 1, 0.0,
                dense, 1);
    /* One output: the tile is 1 × n, sample b has x = a_b and d = (d_b). */
    grad->rows = 1;
    grad->cols = p->n;
    grad->dense = dense;
    grad->batch = p->m;
    grad->x = p->A;
    grad->d = d;
    grad->scale = 1.0;
}

/* ---- gradient noise ------------------------------------------------------ */

const char *aimc_gnoise_names(void) { return "none|gaussian|rademacher"; }

int aimc_gnoise_find(const char *name)
{
    static const char *const names[3] = {"none", "gaussian", "rademacher"};
    for (int k = 0; k < 3; ++k)
        if (strcmp(name, names[k]) == 0)
            return k;
    return -1;
}

double aimc_gnoise_abs_mean(aimc_gnoise kind, double sigma)
{
    switch (kind) {
    case AIMC_GNOISE_GAUSSIAN:
        return sigma * sqrt(2.0 / M_PI); /* E|N(0, σ²)| */
    case AIMC_GNOISE_RADEMACHER:
        return sigma;
    default:
        return 0.0;
    }
}

double aimc_gnoise_abs_mean_shifted(aimc_gnoise kind, double mu, double sigma)
{
    if (kind == AIMC_GNOISE_NONE || sigma == 0.0)
        return fabs(mu);
    if (kind == AIMC_GNOISE_RADEMACHER)
        return fmax(fabs(mu), sigma); /* ½(|μ + σ| + |μ − σ|) */
    /* Gaussian (folded normal mean): σ√(2/π)·exp(−x²/2) + μ(1 − 2Φ(−x)),
     * x = μ/σ, with 1 − 2Φ(−x) = erf(x/√2). */
    const double x = mu / sigma;
    return aimc_gnoise_abs_mean(kind, sigma) * exp(-0.5 * x * x) + mu * erf(x / M_SQRT2);
}

void aimc_gnoise_add(double *g, size_t n, aimc_gnoise kind, double sigma, aimc_stream *s)
{
    if (kind == AIMC_GNOISE_NONE || sigma == 0.0)
        return;
    for (size_t k = 0; k < n; ++k)
        g[k] += sigma * (kind == AIMC_GNOISE_GAUSSIAN ? aimc_stream_normal(s)
                                                      : (aimc_stream_u32(s) & 1u ? 1.0 : -1.0));
}

void aimc_lsq_grad_factors_read_noise(aimc_lsq *p, const double *w, double sigma, aimc_stream *s,
                                      double *d, double *dense, aimc_grad *grad)
{
    aimc_lsq_grad_factors(p, w, d, dense, grad);
    if (sigma == 0.0)
        return;
    for (size_t i = 0; i < p->m; ++i) {
        const double an = cblas_dnrm2((int)p->n, p->A + i * p->n, 1);
        d[i] += sigma * an * aimc_stream_normal(s) / (double)p->m;
    }
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)p->m, (int)p->n, 1.0, p->A, (int)p->n, d, 1, 0.0,
                dense, 1);
}

/* ---- separable quadratics ------------------------------------------------ */

void aimc_quad_free(aimc_quad *q)
{
    if (q == NULL)
        return;
    free(q->lambda);
    free(q->w_star);
    free(q);
}

aimc_quad *aimc_quad_alloc(size_t n, const double *lambda, const double *w_star, aimc_gnoise noise,
                           double sigma, aimc_err *err)
{
    if (n == 0) {
        AIMC_FAIL(err, GSL_EINVAL, "problem: quadratic needs n >= 1");
        return NULL;
    }
    if (!(isfinite(sigma) && sigma >= 0) || (unsigned)noise > AIMC_GNOISE_RADEMACHER) {
        AIMC_FAIL(err, GSL_EINVAL, "problem: noise sigma = %g should be >= 0", sigma);
        return NULL;
    }
    for (size_t k = 0; k < n; ++k)
        if (!(isfinite(lambda[k]) && lambda[k] > 0) || !isfinite(w_star[k])) {
            AIMC_FAIL(err, GSL_EINVAL, "problem: lambda[%zu] = %g should be > 0", k, lambda[k]);
            return NULL;
        }
    aimc_quad *q = calloc(1, sizeof *q);
    if (q == NULL || !(q->lambda = malloc(n * sizeof *q->lambda)) ||
        !(q->w_star = malloc(n * sizeof *q->w_star))) {
        aimc_quad_free(q);
        AIMC_FAIL(err, GSL_ENOMEM, "problem: out of memory");
        return NULL;
    }
    q->n = n;
    q->noise = noise;
    q->sigma = sigma;
    q->L = 0;
    q->mu = INFINITY;
    for (size_t k = 0; k < n; ++k) {
        q->lambda[k] = lambda[k];
        q->w_star[k] = w_star[k];
        q->L = fmax(q->L, lambda[k]);
        q->mu = fmin(q->mu, lambda[k]);
    }
    return q;
}

double aimc_quad_loss(const aimc_quad *q, const double *w)
{
    double f = 0;
    for (size_t k = 0; k < q->n; ++k)
        f += 0.5 * q->lambda[k] * (w[k] - q->w_star[k]) * (w[k] - q->w_star[k]);
    return f;
}

void aimc_quad_gradient(const aimc_quad *q, const double *w, double *g)
{
    for (size_t k = 0; k < q->n; ++k)
        g[k] = q->lambda[k] * (w[k] - q->w_star[k]);
}

void aimc_quad_stoch_gradient(const aimc_quad *q, const double *w, aimc_stream *s, double *g)
{
    aimc_quad_gradient(q, w, g);
    aimc_gnoise_add(g, q->n, q->noise, q->sigma, s);
}

int aimc_lsq_mean_singular_value(const aimc_lsq *p, double *sbar, aimc_err *err)
{
    if (p->m < p->n)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "problem: the mean singular value needs m >= n (m = %zu, n = %zu)", p->m,
                         p->n);
    gsl_matrix *U = gsl_matrix_alloc(p->m, p->n), *V = gsl_matrix_alloc(p->n, p->n);
    gsl_vector *S = gsl_vector_alloc(p->n), *work = gsl_vector_alloc(p->n);
    int st = (!U || !V || !S || !work) ? AIMC_FAIL(err, GSL_ENOMEM, "problem: out of memory") : 0;
    if (!st) {
        memcpy(U->data, p->A, p->m * p->n * sizeof *p->A);
        gsl_linalg_SV_decomp(U, V, S, work);
        *sbar = 0;
        for (size_t i = 0; i < p->n; ++i)
            *sbar += gsl_vector_get(S, i) / (double)p->n;
    }
    gsl_matrix_free(U);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(work);
    return st;
}
