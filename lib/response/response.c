/* response.c — the registry of response families and everything derived from
 * q± (SPEC §1.3): F, G, R, M, dR/dw, the symmetric point w⋄ and R_c (41).
 * The families themselves live one per file (ideal.c, softbounds.c, ...).
 *
 * GSL reports some failures (e.g. a quadrature that cannot reach its
 * tolerance) through its error handler, whose default aborts.  This file
 * never changes that process-wide setting; it avoids the calls that would
 * trip it (brackets are checked before Brent starts, every q± is finite on
 * the range) and passes on the status GSL returns when the program has
 * turned the handler off. */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include <gsl/gsl_deriv.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>

#include "aimc/response.h"

const aimc_response_type *const aimc_response_types[] = {
    &aimc_response_ideal,
    &aimc_response_softbounds,
    &aimc_response_linear,
    &aimc_response_linear_aihwkit,
    &aimc_response_power,
    &aimc_response_powstep_aihwkit,
    &aimc_response_exponential,
    &aimc_response_expstep_aihwkit,
    &aimc_response_piecewise,
    NULL,
};

const aimc_response_type *aimc_response_type_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t k = 0; aimc_response_types[k] != NULL; k++)
        if (strcmp(aimc_response_types[k]->name, name) == 0)
            return aimc_response_types[k];
    return NULL;
}

/* "a|b|c" built once from the registry, so that registering a family is
 * the only edit that makes it a valid --response name.  pthread_once makes
 * the one write race-free; afterwards the string never changes. */
static char response_names[1024];
static pthread_once_t response_names_once = PTHREAD_ONCE_INIT;

static void response_names_build(void)
{
    aimc_registry_names((const void *const *)aimc_response_types, response_names,
                        sizeof response_names);
}

const char *aimc_response_type_names(void)
{
    pthread_once(&response_names_once, response_names_build);
    return response_names;
}

aimc_response_params aimc_response_default_params(void)
{
    aimc_response_params p;
    memset(&p, 0, sizeof p);  /* no nodes, and no stray bytes in the table */
    p.tau = 1.0;
    p.gamma_res = 1.0;
    p.c_lin = 0.0;
    p.n_nodes = 0;
    /* aihwkit's Python defaults (PowStepDevice, ExpStepDevice). */
    p.pow_up_down = 0.0;
    p.es_A_up = 0.00081;
    p.es_A_down = 0.36833;
    p.es_gamma_up = 12.44625;
    p.es_gamma_down = 12.78785;
    p.es_a = 0.244;
    p.es_b = 0.2425;
    return p;
}

int aimc_response_example(const aimc_response_type *t, size_t k, aimc_response_params *p)
{
    if (t == NULL || p == NULL)
        return 0;
    if (t->example != NULL)
        return t->example(k, p);
    if (k > 0)
        return 0;
    *p = aimc_response_default_params();
    return 1;
}

int aimc_response_init(aimc_response *r, const aimc_response_type *type,
                       const aimc_response_params *p, aimc_err *err)
{
    if (r == NULL || type == NULL || p == NULL)
        return AIMC_FAIL(err, GSL_EFAULT, "response: init needs a response, a type and "
                                          "parameters (got a NULL pointer)");
    /* Validate before touching r, so a failed init leaves it as it was. */
    const int status = type->validate(p, err);
    if (status != GSL_SUCCESS)
        return status;
    r->type = type;
    r->p = *p;
    return GSL_SUCCESS;
}

void aimc_response_bounds(const aimc_response *r, double *lo, double *hi)
{
    if (!r->type->bounded) {
        *lo = -INFINITY;
        *hi = INFINITY;
    } else if (r->type->params & AIMC_RP_TABLE) {
        /* A tabulated family's nominal range is its table's range. */
        *lo = r->p.node_w[0];
        *hi = r->p.node_w[r->p.n_nodes - 1];
    } else {
        *lo = -r->p.tau;
        *hi = r->p.tau;
    }
}

void aimc_response_q(const aimc_response *r, double w, double *qp, double *qm)
{
    r->type->eval(&r->p, 1, &w, NULL, NULL, NULL, qp, qm);
}

/* (5): the symmetric component F = (q₋ + q₊)/2. */
double aimc_response_F(const aimc_response *r, double w)
{
    double qp, qm;
    aimc_response_q(r, w, &qp, &qm);
    return 0.5 * (qm + qp);
}

/* (5): the asymmetric component G = (q₋ − q₊)/2. */
double aimc_response_G(const aimc_response *r, double w)
{
    double qp, qm;
    aimc_response_q(r, w, &qp, &qm);
    return 0.5 * (qm - qp);
}

/* R = G/F, the asymmetry ratio.  F > 0 wherever one of q± is, and
 * |R| ≤ 1 because both are ≥ 0. */
double aimc_response_R(const aimc_response *r, double w)
{
    double qp, qm;
    aimc_response_q(r, w, &qp, &qm);
    return (qm - qp) / (qm + qp);
}

/* M = F² − G², computed as the product q₊q₋ that it equals, which does not
 * cancel near the bounds. */
double aimc_response_M(const aimc_response *r, double w)
{
    double qp, qm;
    aimc_response_q(r, w, &qp, &qm);
    return qp * qm;
}

/* The natural length of a response: half its nominal range, or 1 if
 * unbounded.  Steps and tolerances below are fractions of it. */
static double response_scale(const aimc_response *r)
{
    double lo, hi;
    aimc_response_bounds(r, &lo, &hi);
    return r->type->bounded ? 0.5 * (hi - lo) : 1.0;
}

/* gsl_function adapters.  GSL's params pointer is not const; these only
 * read through it. */
static double response_G_fn(double w, void *r) { return aimc_response_G(r, w); }
static double response_R_fn(double w, void *r) { return aimc_response_R(r, w); }

double aimc_response_dR(const aimc_response *r, double w)
{
    /* gsl_deriv_central starts from h and, from the gap between its 3- and
     * 5-point estimates, rescales h to balance truncation against rounding
     * (O(eps·|R|/h)); it ends near eps^⅓ of the range, good to ~1e-10/scale.
     * 10⁻³ of the range is a safe start.  At a bound (or a piecewise node)
     * R has a kink and the result is the mean of the one-sided slopes. */
    gsl_function f = {response_R_fn, (void *)r};
    double d, abserr;
    gsl_deriv_central(&f, w, 1e-3 * response_scale(r), &d, &abserr);
    return d;
}

int aimc_response_symmetric_point(const aimc_response *r, double *wsp, aimc_err *err)
{
    if (r->type->symmetric_point == NULL)
        return aimc_response_symmetric_point_numeric(r, wsp, err);
    const int status = r->type->symmetric_point(&r->p, wsp);
    if (status != GSL_SUCCESS)
        return AIMC_FAIL(err, status, "response %s: no symmetric point", r->type->name);
    return GSL_SUCCESS;
}

/* Brent stops once the bracket is narrower than this fraction of the range
 * (some 45 ulps of the range: far below any physical resolution, yet
 * reachable whatever the rounding of G, as Brent itself collapses the bracket
 * onto one point once it is down to an ulp). */
#define RESPONSE_ROOT_TOL 1e-14
#define RESPONSE_ROOT_MAX_ITER 200

int aimc_response_symmetric_point_numeric(const aimc_response *r, double *wsp, aimc_err *err)
{
    if (!r->type->bounded) {
        /* Nothing to bracket on the real line.  A response with G ≡ 0 (the
         * ideal one) is symmetric everywhere; report 0, as the closed form. */
        if (aimc_response_G(r, 0.0) == 0.0) {
            *wsp = 0.0;
            return GSL_SUCCESS;
        }
        return AIMC_FAIL(err, GSL_EINVAL,
                         "response %s: unbounded range, no bracket for the symmetric point",
                         r->type->name);
    }
    double lo, hi;
    aimc_response_bounds(r, &lo, &hi);
    const double g_lo = aimc_response_G(r, lo), g_hi = aimc_response_G(r, hi);
    if (g_lo == 0.0 || g_hi == 0.0) {
        *wsp = g_lo == 0.0 ? lo : hi;
        return GSL_SUCCESS;
    }
    /* Check the bracket here: handing Brent one without a sign change would
     * go through GSL's error handler. */
    if (!((g_lo < 0.0 && g_hi > 0.0) || (g_lo > 0.0 && g_hi < 0.0)))
        return AIMC_FAIL(err, GSL_EINVAL,
                         "response %s: G does not change sign on [%g, %g] (G = %g and %g), "
                         "so there is no symmetric point",
                         r->type->name, lo, hi, g_lo, g_hi);

    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (s == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "response %s: cannot allocate the root solver",
                         r->type->name);
    gsl_function f = {response_G_fn, (void *)r};
    int status = gsl_root_fsolver_set(s, &f, lo, hi);
    const double tol = RESPONSE_ROOT_TOL * (hi - lo);
    int converged = 0;
    for (int iter = 0; status == GSL_SUCCESS && !converged && iter < RESPONSE_ROOT_MAX_ITER;
         iter++) {
        status = gsl_root_fsolver_iterate(s);
        converged = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
                                           gsl_root_fsolver_x_upper(s), tol, 0.0) == GSL_SUCCESS;
    }
    if (status == GSL_SUCCESS && !converged)
        status = GSL_EMAXITER;
    const double root = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    if (status != GSL_SUCCESS)
        return AIMC_FAIL(err, status, "response %s: symmetric point search failed: %s",
                         r->type->name, gsl_strerror(status));
    *wsp = root;
    return GSL_SUCCESS;
}

/* Subintervals QAGS may use on one smooth piece of R (a few suffice). */
#define RESPONSE_QUAD_LIMIT 200

/* The points where R may fail to be smooth, in increasing order: a table's
 * nodes (which include its bounds), or the bounds, where the clamping of r±
 * starts.  Integrating piece by piece keeps every QAGS call on a smooth
 * integrand; across a kink its error estimate stalls and it reports a
 * spurious roundoff failure. */
static size_t response_kinks(const aimc_response *r, double *x)
{
    if (!r->type->bounded)
        return 0;
    if (r->type->params & AIMC_RP_TABLE) {
        for (size_t k = 0; k < r->p.n_nodes; k++)
            x[k] = r->p.node_w[k];
        return r->p.n_nodes;
    }
    aimc_response_bounds(r, &x[0], &x[1]);
    return 2;
}

/* ∫_a^b R(u) du over one smooth piece, a < b. */
static int response_integrate_piece(const aimc_response *r, double a, double b,
                                    gsl_integration_workspace *ws, double *out, aimc_err *err)
{
    if (b - a <= 1e-9 * response_scale(r)) {
        /* Too short for adaptive quadrature: its nodes would crowd into a few
         * ulps and QAGS reports a spurious singularity (this happens for w a
         * rounding error away from w⋄).  The midpoint rule's error,
         * (b − a)³·|R″|/24 ≤ 1e-27·scale³·|R″|, is far below the rounding of
         * any R_c on the scale of the range. */
        *out = (b - a) * aimc_response_R(r, 0.5 * (a + b));
        return GSL_SUCCESS;
    }
    gsl_function f = {response_R_fn, (void *)r};
    double abserr;
    /* |R| ≤ 1, so |∫| ≤ b − a: an absolute tolerance proportional to b − a
     * stays meaningful near w⋄, where the integral itself goes to 0 and a
     * purely relative request could not be met. */
    const int status = gsl_integration_qags(&f, a, b, 1e-13 * (b - a), 1e-12,
                                            RESPONSE_QUAD_LIMIT, ws, out, &abserr);
    if (status != GSL_SUCCESS)
        return AIMC_FAIL(err, status, "response %s: quadrature of R over [%g, %g] failed: %s",
                         r->type->name, a, b, gsl_strerror(status));
    return GSL_SUCCESS;
}

/* ∫_a^b R(u) du by GSL QAGS, one call per smooth piece. */
static int response_integrate_R(const aimc_response *r, double a, double b, double *out,
                                 aimc_err *err)
{
    const double x0 = fmin(a, b), x1 = fmax(a, b);
    double kinks[AIMC_RESPONSE_MAX_NODES + 2];
    const size_t n_kinks = response_kinks(r, kinks);
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(RESPONSE_QUAD_LIMIT);
    if (ws == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "response %s: cannot allocate the quadrature workspace",
                         r->type->name);
    double sum = 0.0, left = x0;
    int status = GSL_SUCCESS;
    for (size_t k = 0; k <= n_kinks && left < x1 && status == GSL_SUCCESS; k++) {
        const double right = (k < n_kinks && kinks[k] < x1) ? kinks[k] : x1;
        if (right <= left)
            continue;
        double part = 0.0;
        status = response_integrate_piece(r, left, right, ws, &part, err);
        sum += part;
        left = right;
    }
    gsl_integration_workspace_free(ws);
    if (status != GSL_SUCCESS)
        return status;
    *out = a <= b ? sum : -sum;
    return GSL_SUCCESS;
}

static int response_check_w(const aimc_response *r, double w, aimc_err *err)
{
    if (!isfinite(w))
        return AIMC_FAIL(err, GSL_EDOM, "response %s: R_c needs a finite w (got %g)",
                         r->type->name, w);
    return GSL_SUCCESS;
}

/* (41) R_c(w) = ∫_{w⋄}^{w} R(u) du. */
int aimc_response_Rc(const aimc_response *r, double w, double *rc, aimc_err *err)
{
    int status = response_check_w(r, w, err);
    if (status != GSL_SUCCESS)
        return status;
    if (r->type->rc == NULL) {
        double wsp;
        status = aimc_response_symmetric_point(r, &wsp, err);
        if (status != GSL_SUCCESS)
            return status;
        return response_integrate_R(r, wsp, w, rc, err);
    }
    /* A closed form describes the unclamped curve, so it is used only on the
     * nominal range; beyond it the clamped R is integrated from the bound
     * (R is constant there, so the quadrature is exact). */
    double lo, hi;
    aimc_response_bounds(r, &lo, &hi);
    const double inside = w < lo ? lo : (w > hi ? hi : w);
    status = r->type->rc(&r->p, inside, rc);
    if (status != GSL_SUCCESS)
        return AIMC_FAIL(err, status, "response %s: closed-form R_c failed at w = %g",
                         r->type->name, inside);
    if (inside != w) {
        double tail;
        status = response_integrate_R(r, inside, w, &tail, err);
        if (status != GSL_SUCCESS)
            return status;
        *rc += tail;
    }
    return GSL_SUCCESS;
}

/* (41) by quadrature from the numeric w⋄, whatever the family (tests compare
 * it with the closed forms). */
int aimc_response_Rc_numeric(const aimc_response *r, double w, double *rc, aimc_err *err)
{
    int status = response_check_w(r, w, err);
    if (status != GSL_SUCCESS)
        return status;
    double wsp;
    status = aimc_response_symmetric_point_numeric(r, &wsp, err);
    if (status != GSL_SUCCESS)
        return status;
    return response_integrate_R(r, wsp, w, rc, err);
}
