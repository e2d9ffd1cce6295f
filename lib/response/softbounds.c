/* softbounds.c — the softbounds response of Paper A (SPEC §1.4):
 * q₊ = r₊, q₋ = r₋ with r₊ = 1 − v/hi, r₋ = 1 − v/lo.  At the nominal
 * bounds ±τ this is q± = 1 ∓ w/τ, so F = 1, G = w/τ and w⋄ = 0. */
#include <math.h>

#include "family.h"

static int softbounds_validate(const aimc_response_params *p, aimc_err *err)
{
    return family_check_tau("softbounds", p, err);
}

static void softbounds_eval(const aimc_response_params *p, size_t n, const double *w,
                            const double *ref, const double *lo, const double *hi, double *qp,
                            double *qm)
{
    for (size_t k = 0; k < n; k++) {
        family_distances(p, k, w, ref, lo, hi, &qp[k], &qm[k]);
    }
}

static int softbounds_symmetric_point(const aimc_response_params *p, double *wsp)
{
    /* G = w/τ vanishes at the centre of the symmetric range. */
    (void)p;
    *wsp = 0.0;
    return GSL_SUCCESS;
}

static int softbounds_rc(const aimc_response_params *p, double w, double *rc)
{
    /* (41) with R = G/F = w/τ and w⋄ = 0: R_c = w²/(2τ). */
    *rc = w * w / (2.0 * p->tau);
    return GSL_SUCCESS;
}

static void softbounds_affine(const aimc_response_params *p, double lo, double hi, double coef[4])
{
    (void)p;
    family_linear_affine(1.0, 1.0, lo, hi, coef);
}

/* Examples: τ = 1 and Fig. 2's τ = 3.5. */
static int softbounds_example(size_t k, aimc_response_params *p)
{
    static const double tau[] = {1.0, 3.5};
    if (k >= sizeof tau / sizeof tau[0])
        return 0;
    *p = aimc_response_default_params();
    p->tau = tau[k];
    return 1;
}

const aimc_response_type aimc_response_softbounds = {
    .name = "softbounds",
    .summary = "q+ = 1 - w/tau, q- = 1 + w/tau (Paper A's linear response), w* = 0",
    .params = AIMC_RP_TAU,
    .bounded = 1,
    .validate = softbounds_validate,
    .eval = softbounds_eval,
    .symmetric_point = softbounds_symmetric_point,
    .rc = softbounds_rc,
    .affine = softbounds_affine,
    .example = softbounds_example,
};
