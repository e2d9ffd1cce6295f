/* power.c — the power response (148): q± = r±^γ_res with r₊ = 1 − v/hi,
 * r₋ = 1 − v/lo; at the nominal bounds q± = (1 ∓ w/τ)^γ_res.  Implemented as
 * (148) exactly, not aihwkit's PowStep, which is (148) times 2^−γ (SPEC §5).
 * Symmetric bounds make q₊(0) = q₋(0), so w⋄ = 0; R_c has no elementary
 * closed form for general γ_res and is left to quadrature. */
#include <math.h>

#include "family.h"

static int power_validate(const aimc_response_params *p, aimc_err *err)
{
    int st = family_check_tau("power", p, err);
    return st ? st : family_check_gamma("power", p, err);
}

static void power_eval(const aimc_response_params *p, size_t n, const double *w,
                       const double *ref, const double *lo, const double *hi, double *qp,
                       double *qm)
{
    const double g = p->gamma_res;
    for (size_t k = 0; k < n; k++) {
        double rp, rm;
        family_distances(p, k, w, ref, lo, hi, &rp, &rm);
        /* (148); the distances are clamped at 0 first, since a negative base
         * with a fractional exponent has no real power. */
        qp[k] = pow(rp, g);
        qm[k] = pow(rm, g);
    }
}

/* One side of power_eval, the same expression. */
static void power_eval_one(const aimc_response_params *p, size_t n, const double *w,
                           const double *ref, const double *lo, const double *hi, int sign,
                           double *q)
{
    const double g = p->gamma_res;
    for (size_t k = 0; k < n; k++) {
        double rp, rm;
        family_distances(p, k, w, ref, lo, hi, &rp, &rm);
        q[k] = pow(sign > 0 ? rp : rm, g);
    }
}

static int power_symmetric_point(const aimc_response_params *p, double *wsp)
{
    (void)p;
    *wsp = 0.0;
    return GSL_SUCCESS;
}

/* Examples (γ_res, τ): γ = 2; Fig. 4's device (0.5, 0.6); Table 1's (3, 0.1). */
static int power_example(size_t k, aimc_response_params *p)
{
    static const double gamma[] = {2.0, 0.5, 3.0}, tau[] = {1.0, 0.6, 0.1};
    if (k >= sizeof gamma / sizeof gamma[0])
        return 0;
    *p = aimc_response_default_params();
    p->gamma_res = gamma[k];
    p->tau = tau[k];
    return 1;
}

const aimc_response_type aimc_response_power = {
    .name = "power",
    .summary = "q+- = (1 -+ w/tau)^gamma_res (148), w* = 0",
    .params = AIMC_RP_TAU | AIMC_RP_GAMMA_RES,
    .bounded = 1,
    .validate = power_validate,
    .eval = power_eval,
    .eval_one = power_eval_one,
    .symmetric_point = power_symmetric_point,
    .rc = NULL,
    .example = power_example,
};
