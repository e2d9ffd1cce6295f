/* family.h — what the bounded families share (private to lib/response):
 * parameter checks with messages that name the family, and the clamped
 * distances to the bounds that every bounded q± is a function of. */
#ifndef AIMC_RESPONSE_FAMILY_H
#define AIMC_RESPONSE_FAMILY_H

#include <math.h>

#include "aimc/response.h"

static inline int family_check_tau(const char *name, const aimc_response_params *p,
                                   aimc_err *err)
{
    if (!isfinite(p->tau))
        return AIMC_FAIL(err, GSL_EINVAL, "response %s: tau = %g should be finite", name, p->tau);
    if (!(p->tau > 0.0))
        return AIMC_FAIL(err, GSL_EINVAL, "response %s: tau = %g should be > 0", name, p->tau);
    return GSL_SUCCESS;
}

/* |c| ≥ 1 would make one of q± vanish or turn negative on the whole range. */
static inline int family_check_c(const char *name, const aimc_response_params *p, aimc_err *err)
{
    if (!(p->c_lin > -1.0 && p->c_lin < 1.0))
        return AIMC_FAIL(err, GSL_EINVAL, "response %s: c_lin = %g should be in (-1, 1)", name,
                         p->c_lin);
    return GSL_SUCCESS;
}

/* A parameter that may take any finite value. */
static inline int family_check_finite(const char *name, const char *field, double x,
                                      aimc_err *err)
{
    if (!isfinite(x))
        return AIMC_FAIL(err, GSL_EINVAL, "response %s: %s = %g should be finite", name, field,
                         x);
    return GSL_SUCCESS;
}

/* γ_res ≤ 0 would make the step grow (or stay) at the bound instead of
 * vanishing, and (149) is 0/0 at γ = 0. */
static inline int family_check_gamma(const char *name, const aimc_response_params *p,
                                     aimc_err *err)
{
    if (!isfinite(p->gamma_res))
        return AIMC_FAIL(err, GSL_EINVAL, "response %s: gamma_res = %g should be finite", name,
                         p->gamma_res);
    if (!(p->gamma_res > 0.0))
        return AIMC_FAIL(err, GSL_EINVAL, "response %s: gamma_res = %g should be > 0", name,
                         p->gamma_res);
    return GSL_SUCCESS;
}

/* aihwkit's device-level asymmetry up_down = c (PulsedDevice): only one
 * step shrinks, up_bias = min(c, 0), down_bias = −max(c, 0), so the step
 * multipliers are 1 + min(c, 0) (up) and 1 − max(c, 0) (down). */
static inline void family_aihwkit_up_down(double c, double *up, double *down)
{
    *up = 1.0 + fmin(c, 0.0);
    *down = 1.0 - fmax(c, 0.0);
}

/* Element k's state v = w + ref clamped to its bounds [l, h] (nominal ±τ
 * when lo/hi are NULL), by comparison so that a NaN state stays NaN.  For
 * families whose q± are not of the r± form and so would not freeze by
 * themselves beyond a bound. */
static inline double family_clamped_state(const aimc_response_params *p, size_t k,
                                          const double *w, const double *ref, const double *lo,
                                          const double *hi, double *l, double *h)
{
    const double v = w[k] + (ref != NULL ? ref[k] : 0.0);
    *l = lo != NULL ? lo[k] : -p->tau;
    *h = hi != NULL ? hi[k] : p->tau;
    return v < *l ? *l : (v > *h ? *h : v);
}

/* Element k's distances to its bounds, r₊ = 1 − v/hi and r₋ = 1 − v/lo at
 * v = w + ref, clamped at 0 (by comparison, not fmax, so a NaN state stays
 * NaN).  NULL ref/lo/hi: no offset, nominal bounds ±τ. */
static inline void family_distances(const aimc_response_params *p, size_t k, const double *w,
                                    const double *ref, const double *lo, const double *hi,
                                    double *rp, double *rm)
{
    const double v = w[k] + (ref != NULL ? ref[k] : 0.0);
    const double a = 1.0 - v / (hi != NULL ? hi[k] : p->tau);
    const double b = 1.0 - v / (lo != NULL ? lo[k] : -p->tau);
    *rp = a < 0.0 ? 0.0 : a;
    *rm = b < 0.0 ? 0.0 : b;
}

/* Affine coefficients of q₊ = up·(1 − v/hi), q₋ = down·(1 − v/lo):
 * coef = {a₊, b₊, a₋, b₋} with q₊ = a₊ + b₊v, q₋ = a₋ + b₋v. */
static inline void family_linear_affine(double up, double down, double lo, double hi,
                                        double coef[4])
{
    coef[0] = up;
    coef[1] = -up / hi;
    coef[2] = down;
    coef[3] = -down / lo;
}

#endif
