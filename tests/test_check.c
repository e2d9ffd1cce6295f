/* test_check.c — what the theory checks share (aimc/check.h): the list
 * parser, the family sweep, the sup over a range, and the estimates with
 * standard errors.  Known answers say where their numbers come from. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "aimc/check.h"

/* ---- --reps ----------------------------------------------------------------- */

Test(check, reps_outside_the_range_give_exit_status_2_and_one_line, .init = cr_redirect_stderr)
{
    static const aimc_prog_spec spec = {"check-x", "", "", NULL, NULL, NULL, NULL, NULL};
    aimc_prog_common c = {0};
    c.reps = 2;
    cr_expect_eq(aimc_check_reps(&spec, &c, 2, 1024), 0);
    cr_expect_eq(aimc_check_reps(&spec, &c, 2, UINT_MAX), 0);
    c.reps = 1025;
    cr_expect_eq(aimc_check_reps(&spec, &c, 2, 1024), 2);
    c.reps = 1;
    cr_expect_eq(aimc_check_reps(&spec, &c, 2, UINT_MAX), 2);
    fflush(stderr);
    cr_expect_stderr_eq_str("check-x: invalid argument \"1025\" for --reps: should be in [2, 1024]\n"
                            "check-x: invalid argument \"1\" for --reps: should be >= 2\n");
}

/* ---- lists ---------------------------------------------------------------- */

Test(check, a_list_parses_into_its_numbers)
{
    double v[4];
    size_t n = 99;
    aimc_err err = {0, ""};
    cr_assert_eq(aimc_check_parse_list("tau-list", "0.5,1,3.5", 0, 1e6, 4, v, &n, &err), 0);
    cr_expect(n == 3 && v[0] == 0.5 && v[1] == 1.0 && v[2] == 3.5);
    cr_assert_eq(aimc_check_parse_list("k-list", "2000,8000", 0, INFINITY, 4, v, &n, &err), 0);
    cr_expect(n == 2 && v[1] == 8000.0);
}

Test(check, a_bad_list_is_refused_with_one_message_naming_the_option)
{
    static const char *bad[] = {"", "1,,2", "abc", "0", "1,1e6", "nan", "1;2", "1,2,3,4,5", "-0.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        double v[4];
        size_t n;
        aimc_err err = {0, ""};
        cr_expect_neq(aimc_check_parse_list("tau-list", bad[i], 0, 1e6, 4, v, &n, &err), 0,
                      "\"%s\" accepted", bad[i]);
        cr_expect(strstr(err.msg, "--tau-list") != NULL, "\"%s\": %s", bad[i], err.msg);
    }
}

/* ---- the family sweep -------------------------------------------------------- */

static aimc_family_sweep sweep_of(const char *tau, const char *gamma, const char *c)
{
    aimc_family_sweep sw = {tau, gamma, c, 0, 0, 0, {0}, {0}, {0}};
    aimc_err err = {0, ""};
    cr_assert_eq(aimc_family_sweep_parse(&sw, &err), 0, "%s", err.msg);
    return sw;
}

/* How many cases family T contributes: its examples if it reads parameters
 * beyond τ, γ_res, c and the table; otherwise τ × (γ_res or c) values. */
static size_t expected_cases(const aimc_family_sweep *sw, const aimc_response_type *T)
{
    const unsigned swept = AIMC_RP_TAU | AIMC_RP_GAMMA_RES | AIMC_RP_C_LIN | AIMC_RP_TABLE;
    aimc_response_params p;
    size_t k = 0;
    if (T->params & ~swept) {
        while (aimc_response_example(T, k, &p))
            ++k;
        return k;
    }
    return sw->ntau * ((T->params & AIMC_RP_GAMMA_RES) ? sw->ngamma
                       : (T->params & AIMC_RP_C_LIN)   ? sw->nc
                                                       : 1);
}

Test(check, both_presets_of_the_sweep_parse)
{
    for (int full = 0; full <= 1; ++full) {
        aimc_family_sweep sw;
        aimc_err err = {0, ""};
        aimc_family_sweep_preset(&sw, full);
        cr_expect_eq(aimc_family_sweep_check(&sw, &err), 0, "%s", err.msg);
        cr_expect(sw.ntau == (full ? 3u : 1u) && sw.ngamma == (full ? 4u : 2u) &&
                  sw.nc == (full ? 4u : 1u));
    }
}

Test(check, the_sweep_runs_every_registered_family_on_its_parameters)
{
    const aimc_family_sweep sw = sweep_of("0.5,2", "0.5,1,3", "-0.3,0.2");
    static aimc_family_case v[256];
    aimc_err err = {0, ""};
    const size_t n = aimc_family_sweep_cases(&sw, 0, v, 256, &err);
    size_t want = 0, i = 0;
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f) {
        const aimc_response_type *T = aimc_response_types[f];
        const size_t nf = expected_cases(&sw, T);
        want += nf;
        for (size_t k = 0; k < nf && i < n; ++k, ++i) {
            cr_expect(v[i].r.type == T, "case %zu is %s, not %s", i, v[i].r.type->name, T->name);
            cr_expect(strncmp(v[i].label, T->name, strlen(T->name)) == 0, "%s", v[i].label);
            cr_expect_lt(v[i].lo, v[i].hi, "%s", v[i].label);
        }
    }
    cr_expect_eq(n, want, "%zu cases, expected %zu (%s)", n, want, err.msg);
}

Test(check, the_bounded_sweep_leaves_out_the_ideal_family_only)
{
    const aimc_family_sweep sw = sweep_of("1", "2", "0.2");
    static aimc_family_case all[256], bounded[256];
    const size_t na = aimc_family_sweep_cases(&sw, 0, all, 256, NULL);
    const size_t nb = aimc_family_sweep_cases(&sw, 1, bounded, 256, NULL);
    size_t unbounded = 0;
    for (size_t i = 0; i < na; ++i)
        unbounded += !all[i].r.type->bounded;
    cr_expect_gt(unbounded, 0);
    cr_expect_eq(nb, na - unbounded);
    for (size_t i = 0; i < nb; ++i)
        cr_expect(bounded[i].r.type->bounded, "%s", bounded[i].label);
}

Test(check, the_sweep_scales_the_table_and_gives_the_ideal_family_tau)
{
    const aimc_family_sweep sw = sweep_of("2.5", "2", "0.2");
    static aimc_family_case v[256];
    const size_t n = aimc_family_sweep_cases(&sw, 0, v, 256, NULL);
    int seen_table = 0, seen_ideal = 0;
    for (size_t i = 0; i < n; ++i) {
        if (v[i].r.type == &aimc_response_piecewise) {
            seen_table = 1;
            cr_expect(v[i].lo == -2.5 && v[i].hi == 2.5, "[%g, %g]", v[i].lo, v[i].hi);
        }
        if (!v[i].r.type->bounded) {
            seen_ideal = 1;
            cr_expect(v[i].lo == -2.5 && v[i].hi == 2.5, "[%g, %g]", v[i].lo, v[i].hi);
        }
    }
    cr_expect(seen_table && seen_ideal);
}

Test(check, a_sweep_larger_than_the_buffer_is_refused)
{
    const aimc_family_sweep sw = sweep_of("0.5,1,2", "0.5,1,3", "-0.3,0.2");
    aimc_family_case v[4];
    aimc_err err = {0, ""};
    cr_expect_eq(aimc_family_sweep_cases(&sw, 0, v, 4, &err), 0);
    cr_expect(strstr(err.msg, "shorten the lists") != NULL, "%s", err.msg);
}

/* ---- sup over a range ------------------------------------------------------ */

/* 1 − (w − 0.3137)²: an interior maximum 1 off the grid's points. */
static double bump(const aimc_response *r, double w)
{
    (void)r;
    return 1.0 - (w - 0.3137) * (w - 0.3137);
}

static double q_minus(const aimc_response *r, double w)
{
    double qp, qm;
    aimc_response_q(r, w, &qp, &qm);
    return qm;
}

static aimc_family_case softbounds_case(double tau)
{
    aimc_family_case c;
    aimc_response_params p = aimc_response_default_params();
    p.tau = tau;
    cr_assert_eq(aimc_response_init(&c.r, &aimc_response_softbounds, &p, NULL), 0);
    aimc_response_bounds(&c.r, &c.lo, &c.hi);
    return c;
}

Test(check, the_sup_of_a_smooth_bump_is_found_between_grid_points)
{
    const aimc_family_case c = softbounds_case(1.0);
    double arg;
    const double s = aimc_family_case_sup(&c, bump, &arg);
    /* Brent stops at a bracket of 1e-15·range; near a quadratic maximum
     * the value is then exact to rounding (a few ε), the argument to about
     * √ε (the value is flat there). */
    cr_expect_leq(fabs(s - 1.0), 4.0 * DBL_EPSILON);
    cr_expect_leq(fabs(arg - 0.3137), 1e-7, "arg = %.17g", arg);
}

Test(check, the_sup_at_an_end_of_the_range_is_that_end)
{
    /* Softbounds: q₋(w) = 1 + w/τ rises to 2 at w = τ (SPEC §1.1). */
    const aimc_family_case c = softbounds_case(1.5);
    double arg;
    const double s = aimc_family_case_sup(&c, q_minus, &arg);
    cr_expect_leq(fabs(s - 2.0), 2.0 * DBL_EPSILON, "sup = %.17g", s);
    cr_expect_eq(arg, 1.5);
}

Test(check, the_sup_of_a_table_sits_on_a_node)
{
    /* The sweep's table: q₋ is largest at its right end (1.75 at w = τ) and
     * q₊ at its left end (1.7 at w = −τ); F = (q₊ + q₋)/2 peaks at a node. */
    aimc_family_case c;
    aimc_response_params p = aimc_response_default_params();
    aimc_family_sweep_table(&p, 2.0);
    cr_assert_eq(aimc_response_init(&c.r, &aimc_response_piecewise, &p, NULL), 0);
    aimc_response_bounds(&c.r, &c.lo, &c.hi);
    double arg, best_node = -INFINITY;
    for (size_t k = 0; k < p.n_nodes; ++k)
        best_node = fmax(best_node, 0.5 * (p.node_qp[k] + p.node_qm[k]));
    const double s = aimc_family_case_sup(&c, aimc_response_F, &arg);
    cr_expect_leq(fabs(s - best_node), 2.0 * DBL_EPSILON, "sup F = %.17g, nodes %.17g", s,
                  best_node);
    cr_expect_eq(aimc_family_case_sup(&c, q_minus, &arg), 1.75);
    cr_expect_eq(arg, 2.0);
}

/* ---- estimates -------------------------------------------------------------- */

Test(check, the_mean_and_its_standard_error_are_the_textbook_ones)
{
    /* 1, 2, 3, 4: mean 2.5, sample variance 5/3, se = sqrt(5/3/4). */
    const double x[] = {1, 9, 2, 9, 3, 9, 4, 9};
    const aimc_estimate e = aimc_check_mean_se(x, 4, 2);
    cr_expect_eq(e.mean, 2.5);
    cr_expect_leq(fabs(e.se - sqrt(5.0 / 12.0)), 2.0 * DBL_EPSILON);
    cr_expect(isinf(aimc_check_mean_se(x, 1, 1).se));
}

Test(check, weighted_least_squares_recovers_a_line_with_its_standard_errors)
{
    /* y = 2 + 3x exactly at x = 0..3, every se = 1: χ² = 0, so no
     * inflation; var(slope) = 1/Σ(x − x̄)² = 1/5, var(intercept) =
     * Σx²/(nΣ(x − x̄)²) = 14/20. */
    const double x[] = {0, 1, 2, 3}, y[] = {2, 5, 8, 11}, se[] = {1, 1, 1, 1};
    const aimc_estimate b = aimc_check_wls(x, y, se, 4, 1), a = aimc_check_wls(x, y, se, 4, 0);
    cr_expect_leq(fabs(b.mean - 3.0), 1e-14);
    cr_expect_leq(fabs(a.mean - 2.0), 1e-14);
    cr_expect_leq(fabs(b.se - sqrt(0.2)), 1e-14);
    cr_expect_leq(fabs(a.se - sqrt(0.7)), 1e-14);
    /* Residuals ±3 about the same line (the fit is unchanged, by symmetry):
     * χ² = 36, so the error grows by sqrt(36/(4 − 2)). */
    const double yn[] = {5, 2, 5, 14};
    const aimc_estimate bn = aimc_check_wls(x, yn, se, 4, 1);
    cr_expect_leq(fabs(bn.mean - 3.0), 1e-14);
    cr_expect_leq(fabs(bn.se - sqrt(0.2 * 18.0)), 1e-13);
}
