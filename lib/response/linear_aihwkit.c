/* linear_aihwkit.c — the linear response aihwkit's SoftBoundsReferenceDevice
 * produces with up_down = c (what Fig. 2 was computed with; SPEC §5): only
 * one step shrinks, the down step for c > 0 and the up step for c < 0,
 *
 *     q₊ = (1 + min(c, 0)) r₊,   q₋ = (1 − max(c, 0)) r₋.
 *
 * For any linear pair q₊ = a r₊, q₋ = b r₋ at the nominal bounds ±τ
 * (x = w/τ), G = 0 gives x⋄ = (a − b)/(a + b) and, dividing G and F by
 * (a + b)/2,  R = (x − x⋄)/(1 − x⋄ x).  With a, b above, x⋄ = c/(2 − |c|):
 *     c ≥ 0:  (1 − (1 − c))/(2 − c) = c/(2 − c),
 *     c < 0:  ((1 + c) − 1)/(2 + c) = c/(2 + c).
 * (0.7/1.8 ≈ 0.389 at c = 0.2 and 1.05/1.7 ≈ 0.618 at c = 0.3 for τ = 3.5.) */
#include <math.h>

#include "family.h"

static int linear_aihwkit_validate(const aimc_response_params *p, aimc_err *err)
{
    int st = family_check_tau("linear-aihwkit", p, err);
    return st ? st : family_check_c("linear-aihwkit", p, err);
}

static void linear_aihwkit_eval(const aimc_response_params *p, size_t n, const double *w,
                                const double *ref, const double *lo, const double *hi,
                                double *qp, double *qm)
{
    /* aihwkit's up_bias = min(c, 0) and down_bias = −max(c, 0). */
    const double up = 1.0 + fmin(p->c_lin, 0.0), down = 1.0 - fmax(p->c_lin, 0.0);
    for (size_t k = 0; k < n; k++) {
        double rp, rm;
        family_distances(p, k, w, ref, lo, hi, &rp, &rm);
        qp[k] = up * rp;
        qm[k] = down * rm;
    }
}

/* x⋄ = c/(2 − |c|), derived above. */
static double linear_aihwkit_xsp(double c) { return c / (2.0 - fabs(c)); }

static int linear_aihwkit_symmetric_point(const aimc_response_params *p, double *wsp)
{
    *wsp = linear_aihwkit_xsp(p->c_lin) * p->tau;
    return GSL_SUCCESS;
}

/* (41): R depends on the pair (a, b) only through x⋄, and the paper's linear
 * family has x⋄ = c, so this family's R, hence R_c, is the paper family's
 * with c replaced by c/(2 − |c|).  Reuse its closed form rather than
 * repeating it. */
static int linear_aihwkit_rc(const aimc_response_params *p, double w, double *rc)
{
    aimc_response_params equivalent = *p;
    equivalent.c_lin = linear_aihwkit_xsp(p->c_lin);
    return aimc_response_linear.rc(&equivalent, w, rc);
}

static void linear_aihwkit_affine(const aimc_response_params *p, double lo, double hi,
                                  double coef[4])
{
    family_linear_affine(1.0 + fmin(p->c_lin, 0.0), 1.0 - fmax(p->c_lin, 0.0), lo, hi, coef);
}

/* Examples (τ, c): c = 0.2, Fig. 2's c = 0.3 at τ = 3.5, and c < 0 (the up
 * step shrinks instead). */
static int linear_aihwkit_example(size_t k, aimc_response_params *p)
{
    static const double tau[] = {1.0, 3.5, 1.0}, c[] = {0.2, 0.3, -0.4};
    if (k >= sizeof tau / sizeof tau[0])
        return 0;
    *p = aimc_response_default_params();
    p->tau = tau[k];
    p->c_lin = c[k];
    return 1;
}

const aimc_response_type aimc_response_linear_aihwkit = {
    .name = "linear-aihwkit",
    .summary = "aihwkit SoftBoundsReference up_down = c: only one step shrinks, "
               "w* = c tau/(2 - |c|)",
    .params = AIMC_RP_TAU | AIMC_RP_C_LIN,
    .bounded = 1,
    .validate = linear_aihwkit_validate,
    .eval = linear_aihwkit_eval,
    .symmetric_point = linear_aihwkit_symmetric_point,
    .rc = linear_aihwkit_rc,
    .affine = linear_aihwkit_affine,
    .example = linear_aihwkit_example,
};
