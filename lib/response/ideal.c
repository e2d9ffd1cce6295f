/* ideal.c — the ideal response: every pulse moves the weight by exactly
 * ±Δw_min, whatever the state (SPEC §1.4).  The element has no bounds, so
 * F = 1, G = 0, R = 0, M = 1 and every point is a symmetric point. */
#include "aimc/response.h"

static int ideal_validate(const aimc_response_params *p, aimc_err *err)
{
    /* The family reads no parameter, so there is nothing that can be wrong. */
    (void)p;
    (void)err;
    return GSL_SUCCESS;
}

static void ideal_eval(const aimc_response_params *p, size_t n, const double *w,
                       const double *ref, const double *lo, const double *hi, double *qp,
                       double *qm)
{
    /* q± = 1 does not depend on the state, the reference offset or bounds. */
    (void)p;
    (void)w;
    (void)ref;
    (void)lo;
    (void)hi;
    for (size_t k = 0; k < n; k++) {
        qp[k] = 1.0;
        qm[k] = 1.0;
    }
}

static int ideal_symmetric_point(const aimc_response_params *p, double *wsp)
{
    /* G ≡ 0: every point is symmetric; 0 is the conventional representative. */
    (void)p;
    *wsp = 0.0;
    return GSL_SUCCESS;
}

static int ideal_rc(const aimc_response_params *p, double w, double *rc)
{
    /* (41) with R ≡ 0. */
    (void)p;
    (void)w;
    *rc = 0.0;
    return GSL_SUCCESS;
}

static void ideal_affine(const aimc_response_params *p, double lo, double hi, double coef[4])
{
    (void)p;
    (void)lo;
    (void)hi;
    coef[0] = coef[2] = 1.0;
    coef[1] = coef[3] = 0.0;
}

/* Examples: the defaults, and odd values of the parameters it ignores. */
static int ideal_example(size_t k, aimc_response_params *p)
{
    if (k >= 2)
        return 0;
    *p = aimc_response_default_params();
    if (k == 1) {
        p->tau = 3.5;
        p->gamma_res = 2.0;
        p->c_lin = 0.3;
    }
    return 1;
}

const aimc_response_type aimc_response_ideal = {
    .name = "ideal",
    .summary = "q+ = q- = 1: constant steps, unbounded weight",
    .params = 0,
    .bounded = 0,
    .validate = ideal_validate,
    .eval = ideal_eval,
    .symmetric_point = ideal_symmetric_point,
    .rc = ideal_rc,
    .affine = ideal_affine,
    .example = ideal_example,
};
