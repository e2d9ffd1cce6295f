/* exponential.c — the exponential response (149):
 *     q± = (e^{γ r±} − 1)/(e^γ − 1),   r₊ = 1 − v/hi, r₋ = 1 − v/lo,
 * with γ = γ_res.  Implemented as (149) exactly; aihwkit's ExpStep is a
 * different curve (SPEC §5).  Symmetric bounds give w⋄ = 0; R_c is left to
 * quadrature. */
#include <math.h>

#include "family.h"

static int exponential_validate(const aimc_response_params *p, aimc_err *err)
{
    int st = family_check_tau("exponential", p, err);
    return st ? st : family_check_gamma("exponential", p, err);
}

/* (149) rewritten as e^{γ(r−1)} · (1 − e^{−γr})/(1 − e^{−γ}): the same value,
 * but expm1 keeps full accuracy for small γ (where e^γ − 1 cancels), and for
 * large γ nothing overflows unless q itself does (the naive quotient is
 * inf/inf once e^γ overflows). */
static double exponential_q(double r, double g, double den)
{
    return exp(g * (r - 1.0)) * (expm1(-g * r) / den);
}

static void exponential_eval(const aimc_response_params *p, size_t n, const double *w,
                             const double *ref, const double *lo, const double *hi, double *qp,
                             double *qm)
{
    const double g = p->gamma_res;
    const double den = expm1(-g); /* the same for every element: once per call */
    for (size_t k = 0; k < n; k++) {
        double rp, rm;
        family_distances(p, k, w, ref, lo, hi, &rp, &rm);
        qp[k] = exponential_q(rp, g, den);
        qm[k] = exponential_q(rm, g, den);
    }
}

/* One side of exponential_eval, the same expression. */
static void exponential_eval_one(const aimc_response_params *p, size_t n, const double *w,
                                 const double *ref, const double *lo, const double *hi, int sign,
                                 double *q)
{
    const double g = p->gamma_res;
    const double den = expm1(-g);
    for (size_t k = 0; k < n; k++) {
        double rp, rm;
        family_distances(p, k, w, ref, lo, hi, &rp, &rm);
        q[k] = exponential_q(sign > 0 ? rp : rm, g, den);
    }
}

static int exponential_symmetric_point(const aimc_response_params *p, double *wsp)
{
    (void)p;
    *wsp = 0.0;
    return GSL_SUCCESS;
}

/* Examples (γ_res, τ): γ = 2; Table 5's (4, 0.1); a mild (0.5, 0.7). */
static int exponential_example(size_t k, aimc_response_params *p)
{
    static const double gamma[] = {2.0, 4.0, 0.5}, tau[] = {1.0, 0.1, 0.7};
    if (k >= sizeof gamma / sizeof gamma[0])
        return 0;
    *p = aimc_response_default_params();
    p->gamma_res = gamma[k];
    p->tau = tau[k];
    return 1;
}

const aimc_response_type aimc_response_exponential = {
    .name = "exponential",
    .summary = "q+- = (exp(gamma_res (1 -+ w/tau)) - 1)/(exp(gamma_res) - 1) (149), w* = 0",
    .params = AIMC_RP_TAU | AIMC_RP_GAMMA_RES,
    .bounded = 1,
    .validate = exponential_validate,
    .eval = exponential_eval,
    .eval_one = exponential_eval_one,
    .symmetric_point = exponential_symmetric_point,
    .rc = NULL,
    .example = exponential_example,
};
