/* linear.c — the paper's generic linear response with asymmetry c (SPEC §1.4,
 * Fig. 2 text): q₊ = (1+c) r₊, q₋ = (1−c) r₋ with r₊ = 1 − v/hi,
 * r₋ = 1 − v/lo.  At the nominal bounds ±τ, with x = w/τ,
 *
 *     F = 1 − c x,   G = x − c,   R = (x − c)/(1 − c x),   w⋄ = cτ.
 *
 * This is *not* what aihwkit computed for Fig. 2; see linear_aihwkit.c and
 * SPEC §5. */
#include <float.h>
#include <math.h>

#include "family.h"

static int linear_validate(const aimc_response_params *p, aimc_err *err)
{
    int st = family_check_tau("linear", p, err);
    return st ? st : family_check_c("linear", p, err);
}

static void linear_eval(const aimc_response_params *p, size_t n, const double *w,
                        const double *ref, const double *lo, const double *hi, double *qp,
                        double *qm)
{
    const double up = 1.0 + p->c_lin, down = 1.0 - p->c_lin;
    for (size_t k = 0; k < n; k++) {
        double rp, rm;
        family_distances(p, k, w, ref, lo, hi, &rp, &rm);
        qp[k] = up * rp;
        qm[k] = down * rm;
    }
}

static int linear_symmetric_point(const aimc_response_params *p, double *wsp)
{
    /* G = w/τ − c = 0. */
    *wsp = p->c_lin * p->tau;
    return GSL_SUCCESS;
}

/* ψ(y) = (−y − ln(1 − y))/y² = Σ_{k≥0} y^k/(k+2), for y < 1. */
static double linear_psi(double y)
{
    if (fabs(y) < 0.125) {
        /* Near 0 the direct form cancels (−y and ln(1−y) agree to first
         * order); the series converges like 8^−k and is done in ≤ 20 terms. */
        double sum = 0.0, yk = 1.0;
        for (int k = 0; k < 40; k++) {
            const double term = yk / (k + 2);
            sum += term;
            if (fabs(term) <= 0.25 * DBL_EPSILON * fabs(sum))
                break;
            yk *= y;
        }
        return sum;
    }
    /* Here |y| ≥ 1/8, so the cancellation costs at most a factor ~16 in
     * relative error. */
    return (-y - log1p(-y)) / (y * y);
}

/* (41) in closed form.  With m = c and x = w/τ,
 *     R_c = τ ∫_m^x (s − m)/(1 − m s) ds.
 * Since (s − m)/(1 − m s) = −1/m + (1 − m²)/(m (1 − m s)) and, with
 * y = m (x − m)/(1 − m²), 1 − y = (1 − m x)/(1 − m²), the integral is
 *     R_c = τ (1 − m²)/m² · (−y − ln(1 − y)) = τ (x − m)²/(1 − m²) · ψ(y),
 * the last form being regular at m = 0, where it is w²/(2τ) (softbounds).
 * Valid on the nominal range, where 1 − m x > 0 (the caller clamps w). */
static int linear_rc(const aimc_response_params *p, double w, double *rc)
{
    const double m = p->c_lin, x = w / p->tau;
    const double d = x - m;
    const double one_minus_m2 = (1.0 - m) * (1.0 + m); /* exact-ish even for |m| → 1 */
    const double y = m * d / one_minus_m2;
    *rc = p->tau * d * d / one_minus_m2 * linear_psi(y);
    return GSL_SUCCESS;
}

static void linear_affine(const aimc_response_params *p, double lo, double hi, double coef[4])
{
    family_linear_affine(1.0 + p->c_lin, 1.0 - p->c_lin, lo, hi, coef);
}

/* Examples (τ, c): a Fig. 2 asymmetry, and a negative one on a wider range. */
static int linear_example(size_t k, aimc_response_params *p)
{
    static const double tau[] = {1.0, 3.5}, c[] = {0.2, -0.5};
    if (k >= sizeof tau / sizeof tau[0])
        return 0;
    *p = aimc_response_default_params();
    p->tau = tau[k];
    p->c_lin = c[k];
    return 1;
}

const aimc_response_type aimc_response_linear = {
    .name = "linear",
    .summary = "q+ = (1+c)(1 - w/tau), q- = (1-c)(1 + w/tau) (paper's generic linear), w* = c tau",
    .params = AIMC_RP_TAU | AIMC_RP_C_LIN,
    .bounded = 1,
    .validate = linear_validate,
    .eval = linear_eval,
    .symmetric_point = linear_symmetric_point,
    .rc = linear_rc,
    .affine = linear_affine,
    .example = linear_example,
};
