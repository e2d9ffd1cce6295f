/* powstep_aihwkit.c — aihwkit's PowStepDevice as a response family
 * (reference/aihwkit.md §2.7), to set beside the paper's power response (148).
 *
 * On the element's range [lo, hi], aihwkit moves the state v by one pulse of
 *
 *     up:   dw_min·a₊·x₊^γ₊,   x₊ = (hi − v)/(hi − lo)
 *     down: dw_min·a₋·x₋^γ₋,   x₋ = (v − lo)/(hi − lo)
 *
 * with γ = pow_gamma (γ_res here), γ₊ = (1 + min(u, 0))·γ and
 * γ₋ = (1 − max(u, 0))·γ for u = pow_up_down, and a₊ = 1 + min(c, 0),
 * a₋ = 1 − max(c, 0) from the device's up_down = c (c_lin here, read as in
 * linear-aihwkit).  aihwkit turns an update into pulses with its granularity
 * g = dw_min·0.5^γ, the nominal step at mid-range, not with dw_min.  Here
 * Δw_min is that granularity, so q± is the step divided by g:
 *
 *     q₊ = a₊·2^γ·x₊^γ₊ = a₊·(2x₊)^γ₊·2^(γ−γ₊),   q₋ likewise.
 *
 * At the nominal bounds ±τ, 2x± = 1 ∓ w/τ: with u = c = 0 this is (148).
 * So SPEC §5's "PowStep is (148) times 2^−γ" is the step per dw_min; per
 * granularity, which is what sets aihwkit's pulse counts, the update it
 * realises follows (148) exactly, and aihwkit's dw_min = Δw_min·2^γ (the
 * paper's authors set dw_min = 0.001·2^γ, i.e. Δw_min = 0.001).  What is
 * left that (148) cannot express are the two asymmetries u and c.
 *
 * Symmetric point: for u = 0, a₊x₊^γ = a₋x₋^γ gives hi − w = ρ(w − lo) with
 * ρ = (a₋/a₊)^(1/γ), so w⋄ = (hi + ρ·lo)/(1 + ρ) (reference/aihwkit.md
 * §2.11); for u ≠ 0 it is found numerically.  R_c is left to quadrature. */
#include <math.h>

#include "family.h"

#define NAME "powstep-aihwkit"

static int powstep_validate(const aimc_response_params *p, aimc_err *err)
{
    int st = family_check_tau(NAME, p, err);
    if (!st)
        st = family_check_gamma(NAME, p, err);
    if (!st)
        st = family_check_c(NAME, p, err);
    /* |u| ≥ 1 would make one exponent ≤ 0: a step that no longer vanishes
     * at its bound (aihwkit would take |γ±|; we refuse instead). */
    if (!st && !(p->pow_up_down > -1.0 && p->pow_up_down < 1.0))
        st = AIMC_FAIL(err, GSL_EINVAL, "response " NAME ": pow_up_down = %g should be in (-1, 1)",
                       p->pow_up_down);
    return st;
}

/* γ₊, γ₋ from γ and u = pow_up_down, as aihwkit's populate step. */
static void powstep_exponents(const aimc_response_params *p, double *gp, double *gm)
{
    *gp = (1.0 + fmin(p->pow_up_down, 0.0)) * p->gamma_res;
    *gm = (1.0 - fmax(p->pow_up_down, 0.0)) * p->gamma_res;
}

/* x in [0, 1] by comparison (a NaN state stays NaN). */
static double unit_clamp(double x) { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }

static void powstep_eval(const aimc_response_params *p, size_t n, const double *w,
                         const double *ref, const double *lo, const double *hi, double *qp,
                         double *qm)
{
    double up, down, gp, gm;
    family_aihwkit_up_down(p->c_lin, &up, &down);
    powstep_exponents(p, &gp, &gm);
    /* 2^(γ − γ±): exactly 1 when u = 0, so that case is (2x)^γ. */
    const double sp = exp2(p->gamma_res - gp), sm = exp2(p->gamma_res - gm);
    for (size_t k = 0; k < n; k++) {
        const double v = w[k] + (ref != NULL ? ref[k] : 0.0);
        const double l = lo != NULL ? lo[k] : -p->tau, h = hi != NULL ? hi[k] : p->tau;
        const double xp = unit_clamp((h - v) / (h - l)), xm = unit_clamp((v - l) / (h - l));
        qp[k] = up * pow(2.0 * xp, gp) * sp;
        qm[k] = down * pow(2.0 * xm, gm) * sm;
    }
}

static int powstep_symmetric_point(const aimc_response_params *p, double *wsp)
{
    if (p->pow_up_down != 0.0) {
        /* Unequal exponents: no closed form (aihwkit iterates pulse pairs;
         * we bracket the root of G). */
        const aimc_response r = {&aimc_response_powstep_aihwkit, *p};
        return aimc_response_symmetric_point_numeric(&r, wsp, NULL);
    }
    double up, down;
    family_aihwkit_up_down(p->c_lin, &up, &down);
    const double rho = pow(down / up, 1.0 / p->gamma_res);
    *wsp = p->tau * (1.0 - rho) / (1.0 + rho); /* (hi + ρ lo)/(1 + ρ) at ±τ */
    return GSL_SUCCESS;
}

/* Examples (γ, c, u, τ).  0: γ = 2 with a shrunk down step (closed-form
 * w⋄ > 0); 1: γ = 0.5 with unequal exponents (numeric w⋄); 2: γ = 3, both
 * asymmetries negative, Table 1's τ = 0.1. */
static int powstep_example(size_t k, aimc_response_params *p)
{
    static const double gamma[] = {2.0, 0.5, 3.0}, c[] = {0.2, 0.0, -0.3},
                        u[] = {0.0, 0.3, -0.2}, tau[] = {1.0, 0.6, 0.1};
    if (k >= sizeof gamma / sizeof gamma[0])
        return 0;
    *p = aimc_response_default_params();
    p->gamma_res = gamma[k];
    p->c_lin = c[k];
    p->pow_up_down = u[k];
    p->tau = tau[k];
    return 1;
}

const aimc_response_type aimc_response_powstep_aihwkit = {
    .name = NAME,
    .summary = "aihwkit PowStep per granularity dw_min 0.5^gamma_res: (148) for c = 0, "
               "pow_up_down = 0; asymmetries c (up_down) and pow_up_down",
    .params = AIMC_RP_TAU | AIMC_RP_GAMMA_RES | AIMC_RP_C_LIN | AIMC_RP_POW_UP_DOWN,
    .bounded = 1,
    .validate = powstep_validate,
    .eval = powstep_eval,
    .symmetric_point = powstep_symmetric_point,
    .rc = NULL,
    .example = powstep_example,
};
