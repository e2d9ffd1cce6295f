/* softbounds.c — the softbounds response of Paper A (SPEC §1.4):
 * q₊ = r₊, q₋ = r₋ with r₊ = 1 − v/hi, r₋ = 1 − v/lo.  At the nominal
 * bounds ±τ this is q± = 1 ∓ w/τ, so F = 1, G = w/τ and w⋄ = 0. */
#include <math.h>

#include "aimc/response.h"

static int softbounds_validate(const aimc_response_params *p, aimc_err *err)
{
    if (!isfinite(p->tau))
        return AIMC_FAIL(err, GSL_EINVAL, "response softbounds: tau = %g should be finite",
                         p->tau);
    if (!(p->tau > 0.0))
        return AIMC_FAIL(err, GSL_EINVAL, "response softbounds: tau = %g should be > 0", p->tau);
    return GSL_SUCCESS;
}

static void softbounds_eval(const aimc_response_params *p, size_t n, const double *w,
                            const double *ref, const double *lo, const double *hi, double *qp,
                            double *qm)
{
    for (size_t k = 0; k < n; k++) {
        const double v = w[k] + (ref != NULL ? ref[k] : 0.0);
        const double rp = 1.0 - v / (hi != NULL ? hi[k] : p->tau);
        const double rm = 1.0 - v / (lo != NULL ? lo[k] : -p->tau);
        /* Clamp the distances at 0 (not via fmax, so a NaN state stays NaN). */
        qp[k] = rp < 0.0 ? 0.0 : rp;
        qm[k] = rm < 0.0 ? 0.0 : rm;
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

const aimc_response_type aimc_response_softbounds = {
    .name = "softbounds",
    .summary = "q+ = 1 - w/tau, q- = 1 + w/tau (Paper A's linear response), w* = 0",
    .params = AIMC_RP_TAU,
    .bounded = 1,
    .validate = softbounds_validate,
    .eval = softbounds_eval,
    .symmetric_point = softbounds_symmetric_point,
    .rc = softbounds_rc,
};
