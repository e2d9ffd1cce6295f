/* problem.c — least squares with exact and per-sample gradients. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_eigen.h>
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
