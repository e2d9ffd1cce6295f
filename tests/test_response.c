/* test_response.c — unit tests of the response module (SPEC §1.3, §1.4, §5),
 * with the figures' example table and tabulation (lib/response/examples.c).
 *
 * Every claim is checked for every family in aimc_response_types[], each with
 * several parameter sets: the examples the family itself supplies
 * (aimc_response_example, the type's `example` hook), so that a new family
 * is tested with no edit here, plus the hand-picked edge cases of specs[]
 * below for the families whose closed forms are tested specifically.  A
 * registered family with fewer than two parameter sets fails
 * every_family_has_several_parameter_sets.  Tolerances are in units of
 * DBL_EPSILON (EPS) or of the response's scale (half its nominal range);
 * each comment says where the bound comes from.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>

#include "aimc/response.h"

#define EPS DBL_EPSILON

/* ---- parameter sets ------------------------------------------------------ */

typedef struct {
    size_t n;
    double w[5], qp[5], qm[5];
} node_table;

static const node_table tables[] = {
    /* A coarse softbounds-like table on [−1, 1]; G = −0.925, 0, 0.925. */
    {3, {-1.0, 0.0, 1.0}, {1.9, 1.0, 0.05}, {0.05, 1.0, 1.9}},
    /* Non-monotone: q₊ rises then falls, q₋ dips at −0.5 and at 0.5, so
     * G = (q₋ − q₊)/2 = −0.6, −0.8, 0.1, 0.05, 0.7 at the nodes: G itself is
     * not monotone, yet changes sign exactly once, between −0.5 and 0. */
    {5, {-1.0, -0.5, 0.0, 0.5, 1.0}, {1.5, 1.8, 1.0, 0.9, 0.2}, {0.3, 0.2, 1.2, 1.0, 1.6}},
    /* Uneven nodes on an off-centre range; G = −0.5, −0.2, 0.2, 0.45. */
    {4, {-0.3, 0.1, 1.2, 2.0}, {1.2, 1.0, 0.5, 0.1}, {0.2, 0.6, 0.9, 1.0}},
};

typedef struct {
    const aimc_response_type *type;
    double tau, gamma_res, c_lin;
    int table; /* index into tables[], or −1 */
} case_spec;

static const case_spec specs[] = {
    /* The ideal family reads nothing; the second set shows it ignores τ, γ, c. */
    {&aimc_response_ideal, 1.0, 1.0, 0.0, -1},
    {&aimc_response_ideal, 3.5, 2.0, 0.3, -1},
    {&aimc_response_softbounds, 1.0, 1.0, 0.0, -1},
    {&aimc_response_softbounds, 3.5, 1.0, 0.0, -1},
    {&aimc_response_softbounds, 0.2, 1.0, 0.0, -1},
    {&aimc_response_linear, 1.0, 1.0, 0.0, -1},
    {&aimc_response_linear, 3.5, 1.0, 0.2, -1},
    {&aimc_response_linear, 2.0, 1.0, -0.5, -1},
    {&aimc_response_linear, 1.0, 1.0, 0.9, -1},
    {&aimc_response_linear, 0.5, 1.0, -0.95, -1},
    {&aimc_response_linear_aihwkit, 3.5, 1.0, 0.2, -1},
    {&aimc_response_linear_aihwkit, 3.5, 1.0, 0.3, -1},
    {&aimc_response_linear_aihwkit, 1.0, 1.0, -0.4, -1},
    {&aimc_response_linear_aihwkit, 2.0, 1.0, 0.8, -1},
    {&aimc_response_linear_aihwkit, 1.0, 1.0, 0.0, -1},
    {&aimc_response_power, 1.0, 1.0, 0.0, -1},
    {&aimc_response_power, 2.0, 0.5, 0.0, -1},
    {&aimc_response_power, 1.0, 3.0, 0.0, -1},
    {&aimc_response_power, 3.5, 2.2, 0.0, -1},
    {&aimc_response_exponential, 1.0, 1.0, 0.0, -1},
    {&aimc_response_exponential, 2.0, 0.1, 0.0, -1},
    {&aimc_response_exponential, 1.0, 5.0, 0.0, -1},
    {&aimc_response_exponential, 3.5, 1e-6, 0.0, -1},
    {&aimc_response_exponential, 0.7, 10.0, 0.0, -1},
    {&aimc_response_piecewise, 1.0, 1.0, 0.0, 0},
    {&aimc_response_piecewise, 1.0, 1.0, 0.0, 1},
    {&aimc_response_piecewise, 1.0, 1.0, 0.0, 2},
};
#define N_SPECS (sizeof specs / sizeof specs[0])

static aimc_response_params spec_params(const case_spec *s)
{
    aimc_response_params p = aimc_response_default_params();
    p.tau = s->tau;
    p.gamma_res = s->gamma_res;
    p.c_lin = s->c_lin;
    if (s->table >= 0) {
        const node_table *t = &tables[s->table];
        p.n_nodes = t->n;
        for (size_t k = 0; k < t->n; k++) {
            p.node_w[k] = t->w[k];
            p.node_qp[k] = t->qp[k];
            p.node_qm[k] = t->qm[k];
        }
    }
    return p;
}

/* Examples taken from one family at most (a guard against a hook that
 * never returns 0), and room for all of them. */
#define MAX_EXAMPLES_PER_FAMILY 16
#define MAX_CASES (N_SPECS + 256)

/* Every parameter set of every registered family, in registry order. */
static aimc_response cases[MAX_CASES];
static size_t n_cases;

static void add_case(const aimc_response_type *type, const aimc_response_params *p,
                     const char *origin, size_t index)
{
    cr_assert_lt(n_cases, MAX_CASES, "too many parameter sets; raise MAX_CASES");
    aimc_err err = {0};
    cr_assert_eq(aimc_response_init(&cases[n_cases], type, p, &err), GSL_SUCCESS,
                 "%s %zu (%s) should be valid: %s", origin, index, type->name, err.msg);
    n_cases++;
}

static void response_suite_init(void)
{
    /* The library returns GSL status codes; with GSL's aborting handler off
     * (as programs should run) a GSL failure becomes an assertion message
     * rather than a crash. */
    gsl_set_error_handler_off();
    n_cases = 0;
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        const aimc_response_type *type = aimc_response_types[t];
        for (size_t s = 0; s < N_SPECS; s++) {
            if (specs[s].type != type)
                continue;
            const aimc_response_params p = spec_params(&specs[s]);
            add_case(type, &p, "spec", s);
        }
        aimc_response_params p;
        for (size_t k = 0; k < MAX_EXAMPLES_PER_FAMILY && aimc_response_example(type, k, &p); k++)
            add_case(type, &p, "example", k);
    }
}

TestSuite(response, .init = response_suite_init);

static const char *describe(const aimc_response *r)
{
    static char buf[400];
    const aimc_response_params *p = &r->p;
    int n = snprintf(buf, sizeof buf, "%s (tau = %g, gamma_res = %g, c_lin = %g, n_nodes = %zu",
                     r->type->name, p->tau, p->gamma_res, p->c_lin, p->n_nodes);
    if (r->type->params & AIMC_RP_POW_UP_DOWN)
        n += snprintf(buf + n, sizeof buf - n, ", pow_up_down = %g", p->pow_up_down);
    if (r->type->params & AIMC_RP_EXPSTEP)
        n += snprintf(buf + n, sizeof buf - n, ", A = %g/%g, gamma = %g/%g, a = %g, b = %g",
                      p->es_A_up, p->es_A_down, p->es_gamma_up, p->es_gamma_down, p->es_a,
                      p->es_b);
    snprintf(buf + n, sizeof buf - n, ")");
    return buf;
}

/* The range the tests sample: the nominal one, or [−1, 1] if unbounded. */
static void test_range(const aimc_response *r, double *lo, double *hi)
{
    aimc_response_bounds(r, lo, hi);
    if (!r->type->bounded) {
        *lo = -1.0;
        *hi = 1.0;
    }
}

static double test_scale(const aimc_response *r)
{
    double lo, hi;
    test_range(r, &lo, &hi);
    return 0.5 * (hi - lo);
}

/* Point k of n spread over the fraction [f0, f1] of the test range
 * (fractions outside [0, 1] lie beyond the bounds). */
static double grid_point(const aimc_response *r, double f0, double f1, size_t k, size_t n)
{
    double lo, hi;
    test_range(r, &lo, &hi);
    return lo + (hi - lo) * (f0 + (f1 - f0) * (double)k / (double)(n - 1));
}

/* Whether w lies within d of a node of the piecewise table (where R kinks). */
static int near_node(const aimc_response *r, double w, double d)
{
    for (size_t k = 0; k < r->p.n_nodes; k++)
        if (fabs(w - r->p.node_w[k]) < d)
            return 1;
    return 0;
}

/* Largest |slope| of q± between table nodes (0 without a table). */
static double table_slope(const aimc_response_params *p)
{
    double s = 0.0;
    for (size_t k = 0; k + 1 < p->n_nodes; k++) {
        const double dw = p->node_w[k + 1] - p->node_w[k];
        s = fmax(s, fabs(p->node_qp[k + 1] - p->node_qp[k]) / dw);
        s = fmax(s, fabs(p->node_qm[k + 1] - p->node_qm[k]) / dw);
    }
    return s;
}

/* Largest |G′| at w from the one-sided differences with step h (at a
 * piecewise node the slopes on either side differ). */
static double G_slope(const aimc_response *r, double w, double h)
{
    const double g = aimc_response_G(r, w);
    return fmax(fabs(aimc_response_G(r, w + h) - g), fabs(g - aimc_response_G(r, w - h))) / h;
}

/* ---- eval_one: one side of eval, to the bit ---------------------------------- */

/* For every family with the hook and every parameter set: q₊ and q₋ from
 * eval_one equal eval's qp and qm bit for bit, across and beyond the range,
 * with and without per-element references and bounds. */
Test(response, eval_one_gives_the_bits_of_eval_on_either_side)
{
    enum { N = 203 };
    size_t checked = 0;
    for (size_t c = 0; c < n_cases; c++) {
        const aimc_response *r = &cases[c];
        if (r->type->eval_one == NULL)
            continue;
        double w[N], ref[N], lo[N], hi[N], qp[N], qm[N], q1[N];
        double blo, bhi;
        test_range(r, &blo, &bhi);
        for (size_t k = 0; k < N; k++) {
            w[k] = grid_point(r, -0.3, 1.3, k, N); /* 30 % beyond either bound */
            ref[k] = 0.1 * test_scale(r) * sin((double)k);
            lo[k] = blo * (1.0 + 0.2 * cos((double)k));
            hi[k] = bhi * (1.0 + 0.2 * sin(0.5 * (double)k));
        }
        for (int variant = 0; variant < 2; variant++) {
            const double *rf = variant ? ref : NULL, *l = variant ? lo : NULL,
                         *h = variant ? hi : NULL;
            r->type->eval(&r->p, N, w, rf, l, h, qp, qm);
            r->type->eval_one(&r->p, N, w, rf, l, h, 1, q1);
            cr_assert_eq(memcmp(q1, qp, sizeof q1), 0, "q+ of %s, variant %d", describe(r),
                         variant);
            r->type->eval_one(&r->p, N, w, rf, l, h, -1, q1);
            cr_assert_eq(memcmp(q1, qm, sizeof q1), 0, "q- of %s, variant %d", describe(r),
                         variant);
            r->type->eval_one(&r->p, N, w, rf, l, h, 0, q1);
            cr_assert_eq(memcmp(q1, qm, sizeof q1), 0, "sign 0 is q- (%s)", describe(r));
        }
        checked++;
    }
    /* power and exponential have the hook: at least their examples were seen */
    cr_assert_geq(checked, 6, "only %zu parameter sets had eval_one", checked);
}

/* Nominal bounds and a zero reference passed as arrays (what a lean device
 * passes, aimc_device_q) give the bits of NULL ones (what the compact
 * kernel passes for a nominal device): an element's response must not
 * depend on how its bounds were handed over. */
Test(response, explicit_nominal_bounds_give_the_bits_of_null_bounds)
{
    enum { N = 157 };
    for (size_t c = 0; c < n_cases; c++) {
        const aimc_response *r = &cases[c];
        double w[N], zero[N], lo[N], hi[N], qp0[N], qm0[N], qp1[N], qm1[N];
        double blo, bhi, tlo, thi;
        aimc_response_bounds(r, &blo, &bhi); /* ±inf for an unbounded family */
        test_range(r, &tlo, &thi);
        for (size_t k = 0; k < N; k++) {
            /* irregular points (a grid's round numbers hide rounding), 20 %
             * beyond either bound */
            w[k] = 0.5 * (tlo + thi) + 0.7 * (thi - tlo) * sin(0.37 * (double)k + 0.1);
            zero[k] = 0.0;
            lo[k] = blo;
            hi[k] = bhi;
        }
        r->type->eval(&r->p, N, w, NULL, NULL, NULL, qp0, qm0);
        r->type->eval(&r->p, N, w, zero, lo, hi, qp1, qm1);
        for (size_t k = 0; k < N; k++) {
            cr_assert_eq(memcmp(&qp0[k], &qp1[k], sizeof qp0[k]), 0, "q+ of %s at w = %.17g",
                         describe(r), w[k]);
            cr_assert_eq(memcmp(&qm0[k], &qm1[k], sizeof qm0[k]), 0, "q- of %s at w = %.17g",
                         describe(r), w[k]);
        }
    }
}

/* ---- registry -------------------------------------------------------------- */

Test(response, registry_finds_every_family_by_name_and_unknown_names_give_NULL)
{
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        const aimc_response_type *type = aimc_response_types[t];
        cr_expect_eq(aimc_response_type_find(type->name), type, "lookup of \"%s\"", type->name);
    }
    cr_expect_eq(aimc_response_type_find("power"), &aimc_response_power);
    cr_expect_eq(aimc_response_type_find("linear-aihwkit"), &aimc_response_linear_aihwkit);
    cr_expect_null(aimc_response_type_find("no-such-family"));
    cr_expect_null(aimc_response_type_find(""));
    cr_expect_null(aimc_response_type_find("Power"), "names are case-sensitive");
    cr_expect_null(aimc_response_type_find("pow"), "a prefix is not a name");
    cr_expect_null(aimc_response_type_find(NULL));
}

Test(response, names_string_is_the_registry_joined_by_bars)
{
    char joined[512] = "";
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        if (t > 0)
            strcat(joined, "|");
        strcat(joined, aimc_response_types[t]->name);
    }
    cr_expect_str_eq(aimc_response_type_names(), joined);
}

Test(response, every_family_has_a_complete_type_table_and_a_unique_name)
{
    size_t n = 0;
    for (size_t t = 0; aimc_response_types[t] != NULL; t++, n++) {
        const aimc_response_type *type = aimc_response_types[t];
        cr_assert_not_null(type->name);
        cr_expect_gt(strlen(type->name), 0);
        cr_expect(type->summary != NULL && strlen(type->summary) > 0, "%s: summary", type->name);
        cr_expect_not_null(type->validate, "%s: validate", type->name);
        cr_expect_not_null(type->eval, "%s: eval", type->name);
        for (size_t u = 0; u < t; u++)
            cr_expect_str_neq(type->name, aimc_response_types[u]->name, "duplicate name");
    }
    /* The header promises these nine; a removed entry is a regression. */
    cr_expect_geq(n, 9);
}

Test(response, every_family_has_several_parameter_sets)
{
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        size_t n = 0;
        for (size_t i = 0; i < n_cases; i++)
            n += cases[i].type == aimc_response_types[t];
        cr_expect_geq(n, 2, "family %s needs at least two parameter sets: give its type an "
                      "example hook (include/aimc/response.h)", aimc_response_types[t]->name);
    }
}

Test(response, examples_are_numbered_from_0_and_a_missing_one_writes_nothing)
{
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        const aimc_response_type *type = aimc_response_types[t];
        aimc_response_params p;
        size_t k = 0;
        while (k < MAX_EXAMPLES_PER_FAMILY && aimc_response_example(type, k, &p))
            k++;
        cr_expect_lt(k, MAX_EXAMPLES_PER_FAMILY, "%s: examples never end", type->name);
        cr_expect_geq(k, 1, "%s: no example", type->name);
        memset(&p, 0x5a, sizeof p);
        unsigned char untouched[sizeof p];
        memcpy(untouched, &p, sizeof p);
        cr_expect_eq(aimc_response_example(type, k, &p), 0, "%s", type->name);
        cr_expect_eq(memcmp(untouched, &p, sizeof p), 0, "%s: example %zu wrote", type->name, k);
    }
    /* A family without the hook has one example, the defaults. */
    aimc_response_type bare = aimc_response_softbounds;
    bare.example = NULL;
    aimc_response_params p;
    const aimc_response_params d = aimc_response_default_params();
    cr_expect_eq(aimc_response_example(&bare, 0, &p), 1);
    cr_expect_eq(memcmp(&p, &d, sizeof p), 0);
    cr_expect_eq(aimc_response_example(&bare, 1, &p), 0);
    cr_expect_eq(aimc_response_example(NULL, 0, &p), 0);
    cr_expect_eq(aimc_response_example(&bare, 0, NULL), 0);
}

Test(response, bounds_are_the_nominal_range_or_infinite_for_unbounded_families)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        double lo, hi;
        aimc_response_bounds(r, &lo, &hi);
        if (!r->type->bounded) {
            cr_expect(lo == -INFINITY && hi == INFINITY, "%s", describe(r));
        } else if (r->p.n_nodes > 0) {
            cr_expect(lo == r->p.node_w[0] && hi == r->p.node_w[r->p.n_nodes - 1], "%s",
                      describe(r));
        } else {
            cr_expect(lo == -r->p.tau && hi == r->p.tau, "%s", describe(r));
        }
    }
}

/* ---- parameters and validation ------------------------------------------- */

Test(response, defaults_are_tau_1_gamma_res_1_c_lin_0_and_no_nodes)
{
    const aimc_response_params p = aimc_response_default_params();
    cr_expect_eq(p.tau, 1.0);
    cr_expect_eq(p.gamma_res, 1.0);
    cr_expect_eq(p.c_lin, 0.0);
    cr_expect_eq(p.n_nodes, 0);
    /* Every family but the tabulated one is usable with the defaults. */
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        const aimc_response_type *type = aimc_response_types[t];
        const int status = type->validate(&p, NULL);
        if (type->params & AIMC_RP_TABLE)
            cr_expect_neq(status, GSL_SUCCESS, "%s needs a table", type->name);
        else
            cr_expect_eq(status, GSL_SUCCESS, "%s with defaults", type->name);
    }
}

/* The first parameter set of `type` (its first spec, else its example 0):
 * valid, and a base to spoil one field of. */
static aimc_response_params valid_params(const aimc_response_type *type)
{
    for (size_t s = 0; s < N_SPECS; s++)
        if (specs[s].type == type)
            return spec_params(&specs[s]);
    aimc_response_params p;
    if (aimc_response_example(type, 0, &p))
        return p;
    cr_assert_fail("no parameter set for %s", type->name);
    return aimc_response_default_params();
}

/* validate() and init() both reject p, with a message that starts with
 * "response <family>: " and contains `what`. */
static void expect_rejected(const aimc_response_type *type, const aimc_response_params *p,
                            const char *what)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "response %s: ", type->name);
    aimc_err err = {0};
    cr_expect_eq(type->validate(p, &err), GSL_EINVAL, "%s should reject %s", type->name, what);
    cr_expect_eq(err.status, GSL_EINVAL);
    cr_expect_eq(strncmp(err.msg, prefix, strlen(prefix)), 0, "message \"%s\"", err.msg);
    cr_expect_not_null(strstr(err.msg, what), "message \"%s\" should mention \"%s\"", err.msg,
                       what);

    /* init validates first and leaves the response as it was on failure. */
    aimc_response r;
    memset(&r, 0, sizeof r);
    aimc_err err2 = {0};
    cr_expect_eq(aimc_response_init(&r, type, p, &err2), GSL_EINVAL);
    cr_expect_str_eq(err2.msg, err.msg);
    cr_expect_null(r.type, "a failed init must not set the type");
    /* A NULL err is allowed and only loses the message. */
    cr_expect_eq(type->validate(p, NULL), GSL_EINVAL);
}

/* Every family that reads the parameters `flag` rejects each value of
 * bad[0..n) put into the field at `offset` of one of its valid sets
 * (expect_rejected, naming `what`); returns how many families read it. */
static size_t expect_readers_reject(unsigned flag, size_t offset, const double *bad, size_t n,
                                    const char *what)
{
    size_t checked = 0;
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        const aimc_response_type *type = aimc_response_types[t];
        if (!(type->params & flag))
            continue;
        for (size_t b = 0; b < n; b++) {
            aimc_response_params p = valid_params(type);
            memcpy((char *)&p + offset, &bad[b], sizeof bad[b]);
            expect_rejected(type, &p, what);
        }
        checked++;
    }
    return checked;
}

/* The same for field (a double of aimc_response_params) and an array bad. */
#define EXPECT_READERS_REJECT(flag, field, bad, what)                                              \
    expect_readers_reject((flag), offsetof(aimc_response_params, field), (bad),                    \
                          sizeof(bad) / sizeof((bad)[0]), (what))

Test(response, validation_rejects_bad_tau_in_every_family_that_reads_it)
{
    const double bad[] = {0.0, -1.0, -0.0, NAN, INFINITY, -INFINITY};
    const size_t checked = EXPECT_READERS_REJECT(AIMC_RP_TAU, tau, bad, "tau = ");
    cr_expect_geq(checked, 5, "softbounds, both linear, power and exponential read tau");
}

Test(response, validation_rejects_bad_gamma_res_in_every_family_that_reads_it)
{
    const double bad[] = {0.0, -1.0, NAN, INFINITY, -INFINITY};
    const size_t checked = EXPECT_READERS_REJECT(AIMC_RP_GAMMA_RES, gamma_res, bad, "gamma_res = ");
    cr_expect(aimc_response_power.params & aimc_response_exponential.params & AIMC_RP_GAMMA_RES,
              "power and exponential read gamma_res");
    cr_expect_geq(checked, 2);
}

Test(response, validation_rejects_c_lin_outside_the_open_interval_minus_one_one)
{
    const double bad[] = {-1.0, 1.0, 1.5, -2.0, NAN, INFINITY};
    const size_t checked = EXPECT_READERS_REJECT(AIMC_RP_C_LIN, c_lin, bad, "c_lin = ");
    /* Just inside the interval is fine. */
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        const aimc_response_type *type = aimc_response_types[t];
        if (!(type->params & AIMC_RP_C_LIN))
            continue;
        aimc_response_params p = valid_params(type);
        p.c_lin = nextafter(1.0, 0.0);
        cr_expect_eq(type->validate(&p, NULL), GSL_SUCCESS, "%s: c just below 1", type->name);
    }
    cr_expect(aimc_response_linear.params & aimc_response_linear_aihwkit.params & AIMC_RP_C_LIN,
              "both linear families read c_lin");
    cr_expect_geq(checked, 2);
}

Test(response, validation_rejects_bad_node_tables)
{
    const aimc_response_type *type = &aimc_response_piecewise;
    cr_assert(type->params & AIMC_RP_TABLE);
    aimc_response_params p;

    const size_t bad_n[] = {0, 1, AIMC_RESPONSE_MAX_NODES + 1};
    for (size_t b = 0; b < 3; b++) {
        p = valid_params(type);
        p.n_nodes = bad_n[b];
        expect_rejected(type, &p, "n_nodes = ");
    }
    /* Node positions: equal, decreasing, not finite. */
    p = valid_params(type);
    p.node_w[2] = p.node_w[1];
    expect_rejected(type, &p, "node_w[2]");
    p = valid_params(type);
    p.node_w[1] = p.node_w[0] - 0.1;
    expect_rejected(type, &p, "node_w[1]");
    p = valid_params(type);
    p.node_w[0] = NAN;
    expect_rejected(type, &p, "node_w[0] = nan");
    p = valid_params(type);
    p.node_w[p.n_nodes - 1] = INFINITY;
    expect_rejected(type, &p, "should be finite");
    /* Responses: zero, negative, not finite, in either table. */
    const double bad_q[] = {0.0, -1.0, NAN, INFINITY};
    for (size_t b = 0; b < 4; b++) {
        p = valid_params(type);
        p.node_qp[1] = bad_q[b];
        expect_rejected(type, &p, "node_qp[1] = ");
        p = valid_params(type);
        p.node_qm[p.n_nodes - 1] = bad_q[b];
        expect_rejected(type, &p, "node_qm[");
    }
    /* The largest table the header allows is accepted. */
    p = aimc_response_default_params();
    p.n_nodes = AIMC_RESPONSE_MAX_NODES;
    for (size_t k = 0; k < p.n_nodes; k++) {
        p.node_w[k] = -1.0 + 2.0 * (double)k / (double)(p.n_nodes - 1);
        p.node_qp[k] = 1.0 - 0.5 * p.node_w[k];
        p.node_qm[k] = 1.0 + 0.5 * p.node_w[k];
    }
    cr_expect_eq(type->validate(&p, NULL), GSL_SUCCESS);
}

Test(response, validation_message_names_family_parameter_value_and_range)
{
    aimc_response_params p = aimc_response_default_params();
    p.gamma_res = -1.0;
    aimc_err err = {0};
    cr_expect_eq(aimc_response_power.validate(&p, &err), GSL_EINVAL);
    cr_expect_str_eq(err.msg, "response power: gamma_res = -1 should be > 0");
    p = aimc_response_default_params();
    p.c_lin = 1.0;
    cr_expect_eq(aimc_response_linear.validate(&p, &err), GSL_EINVAL);
    cr_expect_str_eq(err.msg, "response linear: c_lin = 1 should be in (-1, 1)");
}

Test(response, families_ignore_parameters_they_do_not_read)
{
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        const aimc_response_type *type = aimc_response_types[t];
        aimc_response_params p = valid_params(type);
        if (!(type->params & AIMC_RP_TAU))
            p.tau = NAN;
        if (!(type->params & AIMC_RP_GAMMA_RES))
            p.gamma_res = -1.0;
        if (!(type->params & AIMC_RP_C_LIN))
            p.c_lin = 7.0;
        if (!(type->params & AIMC_RP_TABLE))
            p.n_nodes = 1;
        if (!(type->params & AIMC_RP_POW_UP_DOWN))
            p.pow_up_down = 5.0;
        if (!(type->params & AIMC_RP_EXPSTEP))
            p.es_A_up = p.es_A_down = p.es_gamma_up = p.es_gamma_down = p.es_a = p.es_b = NAN;
        aimc_err err = {0};
        cr_expect_eq(type->validate(&p, &err), GSL_SUCCESS, "%s: %s", type->name, err.msg);
    }
}

Test(response, init_copies_type_and_parameters_and_rejects_NULL_arguments)
{
    const aimc_response_params p = valid_params(&aimc_response_power);
    aimc_response r;
    aimc_err err = {0};
    cr_expect_eq(aimc_response_init(&r, &aimc_response_power, &p, &err), GSL_SUCCESS);
    cr_expect_eq(r.type, &aimc_response_power);
    cr_expect_eq(memcmp(&r.p, &p, sizeof p), 0);
    cr_expect_eq(aimc_response_init(&r, NULL, &p, &err), GSL_EFAULT);
    cr_expect_eq(strncmp(err.msg, "response: ", 10), 0, "%s", err.msg);
    cr_expect_eq(aimc_response_init(&r, &aimc_response_power, NULL, &err), GSL_EFAULT);
    cr_expect_eq(aimc_response_init(NULL, &aimc_response_power, &p, &err), GSL_EFAULT);
}

/* ---- identities of SPEC §1.3 ----------------------------------------------- */

/* Points from half a range below to half a range above the nominal range. */
#define N_WIDE 81
#define WIDE_F0 -0.5
#define WIDE_F1 1.5

/* The library's values at one state w of one parameter set. */
typedef struct {
    double w, qp, qm, F, G;
} point_values;

/* check(r, v) at every point of the wide grid of every parameter set: the
 * identities between q±, F, G, M and R, which hold everywhere. */
static void for_each_wide_point(void (*check)(const aimc_response *r, const point_values *v))
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        for (size_t k = 0; k < N_WIDE; k++) {
            point_values v = {.w = grid_point(r, WIDE_F0, WIDE_F1, k, N_WIDE)};
            aimc_response_q(r, v.w, &v.qp, &v.qm);
            v.F = aimc_response_F(r, v.w);
            v.G = aimc_response_G(r, v.w);
            check(r, &v);
        }
    }
}

static void check_q_is_F_minus_plus_G(const aimc_response *r, const point_values *v)
{
    /* F and G each carry one rounding (relative EPS/2 of F ≤ max q),
     * and F ∓ G one more: ≤ 3·(EPS/2)·2·max q; 4 EPS max q covers it. */
    const double tol = 4.0 * EPS * fmax(v->qp, v->qm);
    cr_expect_leq(fabs(v->F - v->G - v->qp), tol, "%s at w = %g", describe(r), v->w);
    cr_expect_leq(fabs(v->F + v->G - v->qm), tol, "%s at w = %g", describe(r), v->w);
}

Test(response, q_plus_is_F_minus_G_and_q_minus_is_F_plus_G)
{
    for_each_wide_point(check_q_is_F_minus_plus_G);
}

static void check_M(const aimc_response *r, const point_values *v)
{
    const double qp = v->qp, qm = v->qm, F = v->F, G = v->G;
    const double M = aimc_response_M(r, v->w);
    /* One rounded product of the same q±. */
    cr_expect_leq(fabs(M - qp * qm), 0.5 * EPS * fabs(qp * qm), "%s at w = %g", describe(r),
                  v->w);
    /* F² − G² cancels: its rounding is a few EPS of F² + G², plus
     * the rounding of F and G themselves (relative EPS each, twice). */
    cr_expect_leq(fabs(F * F - G * G - M), 6.0 * EPS * (F * F + G * G), "%s at w = %g",
                  describe(r), v->w);
}

Test(response, M_is_q_plus_times_q_minus_and_F_squared_minus_G_squared)
{
    for_each_wide_point(check_M);
}

static void check_R(const aimc_response *r, const point_values *v)
{
    const double R = aimc_response_R(r, v->w), F = v->F, G = v->G;
    /* Both sides are a ratio of a rounded difference and a rounded
     * sum of the same q±: ≤ 3 roundings each, relative to R. */
    cr_expect_leq(fabs(R - G / F), 6.0 * EPS * fabs(R), "%s at w = %g", describe(r), v->w);
    /* q± ≥ 0 ⇒ |q₋ − q₊| ≤ q₋ + q₊, and F > 0 since q± never both vanish. */
    cr_expect(F > 0.0 && fabs(R) <= 1.0, "%s at w = %g: F = %g, R = %g", describe(r), v->w, F,
              R);
}

Test(response, R_is_G_over_F_and_lies_in_minus_one_one)
{
    for_each_wide_point(check_R);
}

Test(response, scalar_functions_equal_one_array_eval)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        double w[N_WIDE], qp[N_WIDE], qm[N_WIDE];
        for (size_t k = 0; k < N_WIDE; k++)
            w[k] = grid_point(r, WIDE_F0, WIDE_F1, k, N_WIDE);
        r->type->eval(&r->p, N_WIDE, w, NULL, NULL, NULL, qp, qm);
        for (size_t k = 0; k < N_WIDE; k++) {
            double sp, sm;
            aimc_response_q(r, w[k], &sp, &sm);
            /* The same function on the same input: bitwise equal. */
            cr_expect(sp == qp[k] && sm == qm[k], "%s at w = %g", describe(r), w[k]);
            cr_expect(isfinite(qp[k]) && isfinite(qm[k]) && qp[k] >= 0.0 && qm[k] >= 0.0,
                      "%s at w = %g: q+ = %g, q- = %g should be finite and >= 0", describe(r),
                      w[k], qp[k], qm[k]);
        }
    }
}

/* ---- per-element bounds and reference offsets ------------------------------ */

Test(response, explicit_nominal_bounds_and_zero_reference_equal_NULL_arrays)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        double lo0, hi0;
        aimc_response_bounds(r, &lo0, &hi0);
        double w[N_WIDE], ref[N_WIDE], lo[N_WIDE], hi[N_WIDE];
        double ap[N_WIDE], am[N_WIDE], bp[N_WIDE], bm[N_WIDE];
        for (size_t k = 0; k < N_WIDE; k++) {
            w[k] = grid_point(r, WIDE_F0, WIDE_F1, k, N_WIDE);
            ref[k] = 0.0;
            lo[k] = lo0;
            hi[k] = hi0;
        }
        r->type->eval(&r->p, N_WIDE, w, NULL, NULL, NULL, ap, am);
        r->type->eval(&r->p, N_WIDE, w, ref, lo, hi, bp, bm);
        const double slope = table_slope(&r->p);
        for (size_t k = 0; k < N_WIDE; k++) {
            /* The r±-families do the same arithmetic on the same numbers
             * (w + 0 = w), so the results are bitwise equal.  The piecewise
             * map u = w₀ + (v − lo)·(w_n − w₀)/(hi − lo) with lo = w₀, hi = w_n
             * returns v up to two roundings, |u − v| ≤ EPS (|v| + |w₀|), which
             * moves q by at most slope·|u − v|; the interpolation itself adds
             * three roundings of max q on each side. */
            double tol = 0.0;
            if (r->p.n_nodes > 0)
                tol = slope * EPS * (fabs(w[k]) + fabs(lo0)) +
                      6.0 * EPS * fmax(fmax(ap[k], am[k]), 1.0);
            cr_expect_leq(fabs(ap[k] - bp[k]), tol, "%s at w = %g", describe(r), w[k]);
            cr_expect_leq(fabs(am[k] - bm[k]), tol, "%s at w = %g", describe(r), w[k]);
        }
    }
}

Test(response, reference_offset_is_added_to_the_state)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        const double scale = test_scale(r);
        double w[N_WIDE], ref[N_WIDE], v[N_WIDE];
        double ap[N_WIDE], am[N_WIDE], bp[N_WIDE], bm[N_WIDE];
        for (size_t k = 0; k < N_WIDE; k++) {
            w[k] = grid_point(r, WIDE_F0, WIDE_F1, k, N_WIDE);
            ref[k] = 0.37 * scale * sin((double)k);  /* varied, signed offsets */
            v[k] = w[k] + ref[k];
        }
        r->type->eval(&r->p, N_WIDE, w, ref, NULL, NULL, ap, am);
        r->type->eval(&r->p, N_WIDE, v, NULL, NULL, NULL, bp, bm);
        /* v = w + ref is formed once either way (v + 0 = v): bitwise equal. */
        for (size_t k = 0; k < N_WIDE; k++)
            cr_expect(ap[k] == bp[k] && am[k] == bm[k], "%s at w = %g, ref = %g", describe(r),
                      w[k], ref[k]);
    }
}

Test(response, scaling_state_and_bounds_by_a_power_of_two_leaves_q_unchanged)
{
    const double s[] = {4.0, 0.5, 0.125};
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (!r->type->bounded)
            continue;
        double lo0, hi0;
        aimc_response_bounds(r, &lo0, &hi0);
        double w[N_WIDE], lo[N_WIDE], hi[N_WIDE], ap[N_WIDE], am[N_WIDE];
        for (size_t k = 0; k < N_WIDE; k++) {
            w[k] = grid_point(r, WIDE_F0, WIDE_F1, k, N_WIDE);
            lo[k] = lo0;
            hi[k] = hi0;
        }
        r->type->eval(&r->p, N_WIDE, w, NULL, lo, hi, ap, am);
        for (size_t j = 0; j < 3; j++) {
            double ws[N_WIDE], los[N_WIDE], his[N_WIDE], bp[N_WIDE], bm[N_WIDE];
            for (size_t k = 0; k < N_WIDE; k++) {
                ws[k] = s[j] * w[k];
                los[k] = s[j] * lo[k];
                his[k] = s[j] * hi[k];
            }
            r->type->eval(&r->p, N_WIDE, ws, NULL, los, his, bp, bm);
            /* Bounds act through v/lo, v/hi (or (v − lo)/(hi − lo) for a
             * table), and scaling by a power of two commutes with rounding:
             * bitwise equal. */
            for (size_t k = 0; k < N_WIDE; k++)
                cr_expect(ap[k] == bp[k] && am[k] == bm[k], "%s at w = %g, scale %g",
                          describe(r), w[k], s[j]);
        }
    }
}

Test(response, per_element_bounds_set_the_distances_r_plus_and_r_minus)
{
    /* softbounds with its own bounds [lo, hi] = [−1, 2]: q₊ = 1 − v/2, q₋ = 1 + v. */
    const aimc_response_params p = aimc_response_default_params();
    const double w[3] = {-0.5, 0.25, 1.5}, lo[3] = {-1.0, -1.0, -1.0}, hi[3] = {2.0, 2.0, 2.0};
    double qp[3], qm[3];
    aimc_response_softbounds.eval(&p, 3, w, NULL, lo, hi, qp, qm);
    for (size_t k = 0; k < 3; k++) {
        /* Values that are exact binary fractions: no rounding at all. */
        cr_expect_eq(qp[k], 1.0 - w[k] / 2.0);
        cr_expect_eq(qm[k], 1.0 + w[k]);
    }
    /* A table on [−1, 1] stretched onto an element's [2, 6]: v = 2, 4, 6, 3
     * sees the table at u = −1, 0, 1, −0.5 (exact in binary). */
    const aimc_response *pw = NULL;
    for (size_t i = 0; i < n_cases; i++)
        if (cases[i].type == &aimc_response_piecewise && cases[i].p.n_nodes == 5)
            pw = &cases[i];
    cr_assert_not_null(pw);
    const double v[4] = {2.0, 4.0, 6.0, 3.0}, u[4] = {-1.0, 0.0, 1.0, -0.5};
    const double elo[4] = {2.0, 2.0, 2.0, 2.0}, ehi[4] = {6.0, 6.0, 6.0, 6.0};
    double ep[4], em[4];
    pw->type->eval(&pw->p, 4, v, NULL, elo, ehi, ep, em);
    for (size_t k = 0; k < 4; k++) {
        double np, nm;
        aimc_response_q(pw, u[k], &np, &nm);
        cr_expect(ep[k] == np && em[k] == nm, "v = %g: (%g, %g) vs (%g, %g)", v[k], ep[k], em[k],
                  np, nm);
    }
}

Test(response, off_range_q_stays_finite_and_R_freezes_at_the_bound_value)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (!r->type->bounded)
            continue;
        double lo, hi;
        aimc_response_bounds(r, &lo, &hi);
        const double R_lo = aimc_response_R(r, lo), R_hi = aimc_response_R(r, hi);
        for (int k = 1; k <= 6; k++) {
            const double d = 0.5 * k * (hi - lo);
            double qp, qm;
            aimc_response_q(r, hi + d, &qp, &qm);
            cr_expect(isfinite(qp) && isfinite(qm) && qp >= 0.0 && qm >= 0.0, "%s at %g",
                      describe(r), hi + d);
            aimc_response_q(r, lo - d, &qp, &qm);
            cr_expect(isfinite(qp) && isfinite(qm) && qp >= 0.0 && qm >= 0.0, "%s at %g",
                      describe(r), lo - d);
            /* Beyond a bound the clamped distance is 0 exactly, as at the bound
             * (q(0) = 0 for every r±-family), or the table holds its end row:
             * R is then the same number, bitwise. */
            cr_expect_eq(aimc_response_R(r, hi + d), R_hi, "%s at %g", describe(r), hi + d);
            cr_expect_eq(aimc_response_R(r, lo - d), R_lo, "%s at %g", describe(r), lo - d);
        }
    }
}

Test(response, a_NaN_state_gives_NaN_not_a_clamped_value)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (!r->type->bounded)
            continue;  /* q ≡ 1 does not look at the state */
        double qp, qm;
        aimc_response_q(r, NAN, &qp, &qm);
        cr_expect(isnan(qp) && isnan(qm), "%s: q(NaN) = (%g, %g)", describe(r), qp, qm);
    }
}

/* ---- closed forms of SPEC §1.4 --------------------------------------------- */

#define N_IN 41

Test(response, softbounds_has_F_1_G_w_over_tau_M_1_minus_w2_over_tau2_Rc_w2_over_2tau)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (r->type != &aimc_response_softbounds)
            continue;
        const double tau = r->p.tau;
        for (size_t k = 0; k < N_IN; k++) {
            const double w = grid_point(r, 0.0, 1.0, k, N_IN), x = w / tau;
            /* q± = 1 ∓ x̂ with one rounding each (≤ EPS since q ≤ 2), and one
             * more in F, G: |F − 1|, |G − x| ≤ 2 EPS; 4 EPS leaves room. */
            cr_expect_leq(fabs(aimc_response_F(r, w) - 1.0), 4.0 * EPS, "%s at %g", describe(r), w);
            cr_expect_leq(fabs(aimc_response_G(r, w) - x), 4.0 * EPS, "%s at %g", describe(r), w);
            /* (1 − x)(1 + x) vs 1 − x²: each ≤ 3 roundings of numbers ≤ 1. */
            cr_expect_leq(fabs(aimc_response_M(r, w) - (1.0 - x * x)), 6.0 * EPS, "%s at %g",
                          describe(r), w);
            double rc;
            cr_assert_eq(aimc_response_Rc(r, w, &rc, NULL), GSL_SUCCESS);
            /* (41) with R = w/τ from w⋄ = 0; a few roundings of the value. */
            cr_expect_leq(fabs(rc - w * w / (2.0 * tau)), 4.0 * EPS * w * w / (2.0 * tau),
                          "%s at %g", describe(r), w);
        }
    }
}

Test(response, paper_linear_has_F_1_minus_cw_over_tau_and_G_w_over_tau_minus_c)
{
    size_t seen = 0;
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (r->type != &aimc_response_linear)
            continue;
        seen++;
        const double tau = r->p.tau, c = r->p.c_lin;
        for (size_t k = 0; k < N_IN; k++) {
            const double w = grid_point(r, 0.0, 1.0, k, N_IN), x = w / tau;
            /* q± = (1 ± c)(1 ∓ x) ≤ 4 carry ~3 roundings each (≤ 12 EPS
             * absolute); F, G one more; the references 1 − cx, x − c two. */
            const double tol = 16.0 * EPS;
            cr_expect_leq(fabs(aimc_response_F(r, w) - (1.0 - c * x)), tol, "%s at %g",
                          describe(r), w);
            cr_expect_leq(fabs(aimc_response_G(r, w) - (x - c)), tol, "%s at %g", describe(r), w);
        }
    }
    cr_expect_geq(seen, 3);
}

Test(response, aihwkit_linear_shrinks_only_one_step)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (r->type != &aimc_response_linear_aihwkit)
            continue;
        aimc_response soft = *r;
        soft.type = &aimc_response_softbounds;
        const double c = r->p.c_lin;
        for (size_t k = 0; k < N_IN; k++) {
            const double w = grid_point(r, 0.0, 1.0, k, N_IN);
            double qp, qm, sp, sm;
            aimc_response_q(r, w, &qp, &qm);
            aimc_response_q(&soft, w, &sp, &sm);
            /* up_down = c > 0 scales only the down step by (1 − c), c < 0 only
             * the up step by (1 + c); the other equals softbounds exactly
             * (a factor 1 is exact), the scaled one is one product away. */
            if (c >= 0.0) {
                cr_expect_eq(qp, sp, "%s at %g", describe(r), w);
                cr_expect_leq(fabs(qm - (1.0 - c) * sm), EPS * qm, "%s at %g", describe(r), w);
            }
            if (c <= 0.0) {
                cr_expect_eq(qm, sm, "%s at %g", describe(r), w);
                cr_expect_leq(fabs(qp - (1.0 + c) * sp), EPS * qp, "%s at %g", describe(r), w);
            }
        }
    }
}

/* The parameters of the mirror image w → −w: every asymmetry flips sign,
 * and ExpStep's up and down constants trade places (z → −z needs b → −b). */
static aimc_response_params mirrored(const aimc_response_params *p)
{
    aimc_response_params m = *p;
    m.c_lin = -p->c_lin;
    m.pow_up_down = -p->pow_up_down;
    m.es_A_up = p->es_A_down;
    m.es_A_down = p->es_A_up;
    m.es_gamma_up = p->es_gamma_down;
    m.es_gamma_down = p->es_gamma_up;
    m.es_b = -p->es_b;
    return m;
}

Test(response, mirroring_w_and_c_swaps_q_plus_and_q_minus)
{
    /* Every family on the symmetric range [−τ, τ] satisfies
     * q₊(w; c) = q₋(−w; −c): the derivation of the aihwkit family's w⋄ for
     * c < 0 rests on this.  (−w)/(−τ) = w/τ exactly, so bitwise equal.
     * Families that read parameters mirrored() does not know are skipped. */
    const unsigned known = AIMC_RP_TAU | AIMC_RP_GAMMA_RES | AIMC_RP_C_LIN |
                           AIMC_RP_POW_UP_DOWN | AIMC_RP_EXPSTEP;
    size_t checked = 0;
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (r->type->params & ~known)
            continue;
        checked++;
        aimc_response mirror = *r;
        mirror.p = mirrored(&r->p);
        for (size_t k = 0; k < N_WIDE; k++) {
            const double w = grid_point(r, WIDE_F0, WIDE_F1, k, N_WIDE);
            double qp, qm, mp, mm;
            aimc_response_q(r, w, &qp, &qm);
            aimc_response_q(&mirror, -w, &mp, &mm);
            cr_expect(qp == mm && qm == mp, "%s at %g", describe(r), w);
        }
    }
    cr_expect_geq(checked, 20);
}

Test(response, power_has_M_equal_to_1_minus_w2_over_tau2_to_the_gamma_res)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (r->type != &aimc_response_power)
            continue;
        const double tau = r->p.tau, g = r->p.gamma_res;
        for (size_t k = 0; k < N_IN; k++) {
            /* Stay 1 % inside the bounds, where r± ≥ 0.01. */
            const double w = grid_point(r, 0.005, 0.995, k, N_IN), x = w / tau;
            const double rp = 1.0 - x, rm = 1.0 + x;
            const double want = pow(1.0 - x * x, g);
            /* r± = 1 ∓ x̂ carry an absolute rounding ≲ EPS, i.e. a relative
             * EPS/r±, which pow multiplies by γ; 1 − x² likewise carries
             * ≲ 2 EPS/(1 − x²).  Add a few EPS for pow and the product. */
            const double rel = 2.0 * g * EPS * (1.0 / rp + 1.0 / rm + 2.0 / (1.0 - x * x)) +
                               8.0 * EPS;
            cr_expect_leq(fabs(aimc_response_M(r, w) - want), rel * want, "%s at %g",
                          describe(r), w);
        }
        /* Known values: q± = 1 at w = 0, q₋(τ) = q₊(−τ) = 2^γ, q₊(τ) = 0. */
        double qp, qm;
        aimc_response_q(r, 0.0, &qp, &qm);
        cr_expect(qp == 1.0 && qm == 1.0, "%s", describe(r));
        aimc_response_q(r, tau, &qp, &qm);
        cr_expect_eq(qp, 0.0);
        cr_expect_leq(fabs(qm - pow(2.0, g)), 2.0 * EPS * pow(2.0, g), "%s", describe(r));
    }
}

Test(response, exponential_has_the_known_values_of_149)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (r->type != &aimc_response_exponential)
            continue;
        const double tau = r->p.tau, g = r->p.gamma_res;
        double qp, qm;
        /* r± = 1 at w = 0: (e^γ − 1)/(e^γ − 1) = 1 (x/x is exact). */
        aimc_response_q(r, 0.0, &qp, &qm);
        cr_expect(qp == 1.0 && qm == 1.0, "%s: q(0) = (%g, %g)", describe(r), qp, qm);
        /* r₋ = 2 at w = τ: (e^{2γ} − 1)/(e^γ − 1) = e^γ + 1; r₊ = 0 gives 0.
         * exp, two expm1 and two products/quotients: ≤ 6 roundings. */
        aimc_response_q(r, tau, &qp, &qm);
        const double top = exp(g) + 1.0;
        cr_expect_eq(qp, 0.0, "%s", describe(r));
        cr_expect_leq(fabs(qm - top), 8.0 * EPS * top, "%s: q-(tau) = %.17g", describe(r), qm);
        /* Small γ: (e^{γr} − 1)/(e^γ − 1) = r [1 + γ(r−1)/2 + γ²(r−1)(2r−1)/12 + O(γ³)],
         * the O(γ³) rest being ≤ 4γ³ for r ∈ [0, 2] (1e-18·4 at γ = 1e-6, below
         * rounding).  Our q carries ~4 roundings; the naive quotient of
         * e^γ − 1 would lose ~EPS/γ ≈ 2e-10 and fail. */
        if (g <= 1e-5) {
            for (size_t k = 0; k < N_IN; k++) {
                const double w = grid_point(r, 0.0, 1.0, k, N_IN), x = w / tau;
                const double rr = 1.0 - x;
                const double want = rr * (1.0 + g * (rr - 1.0) / 2.0 +
                                          g * g * (rr - 1.0) * (2.0 * rr - 1.0) / 12.0);
                aimc_response_q(r, w, &qp, &qm);
                cr_expect_leq(fabs(qp - want), 8.0 * EPS * fmax(want, 1.0) + 4.0 * g * g * g,
                              "%s at %g", describe(r), w);
            }
        }
    }
}

/* ---- symmetric point ------------------------------------------------------- */

/* response.c asks Brent for a bracket narrower than 1e-14 of the range. */
#define ROOT_TOL 1e-14

Test(response, G_vanishes_at_the_symmetric_point)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        double lo, hi, wsp;
        test_range(r, &lo, &hi);
        aimc_err err = {0};
        cr_assert_eq(aimc_response_symmetric_point(r, &wsp, &err), GSL_SUCCESS, "%s: %s",
                     describe(r), err.msg);
        cr_expect(wsp >= lo && wsp <= hi, "%s: w* = %g outside the range", describe(r), wsp);
        /* w⋄ is within ROOT_TOL·(hi − lo) of a root (closed forms: a few ulps,
         * far less), so |G(w⋄)| ≤ |G′|·that, plus G's rounding (≤ 2 EPS of F). */
        const double slope = G_slope(r, wsp, 1e-6 * (hi - lo));
        const double tol = 2.0 * slope * ROOT_TOL * (hi - lo) + 4.0 * EPS * aimc_response_F(r, wsp);
        cr_expect_leq(fabs(aimc_response_G(r, wsp)), tol, "%s: G(%g) = %g", describe(r), wsp,
                      aimc_response_G(r, wsp));
    }
}

Test(response, closed_form_and_numeric_symmetric_points_agree)
{
    size_t compared = 0;
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        double lo, hi, closed, numeric;
        test_range(r, &lo, &hi);
        aimc_err err = {0};
        cr_assert_eq(aimc_response_symmetric_point(r, &closed, &err), GSL_SUCCESS, "%s",
                     err.msg);
        cr_assert_eq(aimc_response_symmetric_point_numeric(r, &numeric, &err), GSL_SUCCESS,
                     "%s: %s", describe(r), err.msg);
        /* Brent's bracket holds a root of the computed G, which sits within
         * (rounding of G)/|G′| ≲ 4 EPS·F/|G′| of the exact one. */
        const double slope = G_slope(r, closed, 1e-6 * (hi - lo));
        const double tol = 2.0 * ROOT_TOL * (hi - lo) +
                           (slope > 0.0 ? 8.0 * EPS * aimc_response_F(r, closed) / slope : 0.0);
        cr_expect_leq(fabs(closed - numeric), tol, "%s: %.17g vs %.17g", describe(r), closed,
                      numeric);
        compared += r->type->symmetric_point != NULL;
    }
    cr_expect_geq(compared, 6, "closed forms compared in only %zu cases", compared);
}

Test(response, symmetric_points_have_their_closed_form_values)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        double wsp;
        cr_assert_eq(aimc_response_symmetric_point(r, &wsp, NULL), GSL_SUCCESS);
        const double c = r->p.c_lin, tau = r->p.tau;
        /* Each expected value is one or two roundings from the library's. */
        if (r->type == &aimc_response_linear)
            cr_expect_leq(fabs(wsp - c * tau), EPS * fabs(c * tau), "%s", describe(r));
        else if (r->type == &aimc_response_linear_aihwkit)
            cr_expect_leq(fabs(wsp - c * tau / (2.0 - fabs(c))), 2.0 * EPS * fabs(wsp),
                          "%s", describe(r));
        else if (r->type == &aimc_response_ideal || r->type == &aimc_response_softbounds ||
                 r->type == &aimc_response_power || r->type == &aimc_response_exponential)
            cr_expect_eq(wsp, 0.0, "%s", describe(r));
    }
}

Test(response, aihwkit_symmetric_point_reproduces_the_fig2_values)
{
    /* SPEC §5: w⋄ = cτ/(2 − c) for up_down = c ≥ 0 with τ = 3.5 —
     * 0.7/1.8 ≈ 0.3889 at c = 0.2 and 1.05/1.7 ≈ 0.6176 at c = 0.3 — and, by
     * the mirror symmetry, w⋄ = cτ/(2 + c) = −w⋄(−c) for c < 0. */
    const double c[] = {0.2, 0.3, -0.2, -0.3};
    const double want[] = {0.7 / 1.8, 1.05 / 1.7, -0.7 / 1.8, -1.05 / 1.7};
    for (size_t k = 0; k < 4; k++) {
        aimc_response_params p = aimc_response_default_params();
        p.tau = 3.5;
        p.c_lin = c[k];
        aimc_response r;
        cr_assert_eq(aimc_response_init(&r, &aimc_response_linear_aihwkit, &p, NULL),
                     GSL_SUCCESS);
        double wsp, wnum;
        cr_assert_eq(aimc_response_symmetric_point(&r, &wsp, NULL), GSL_SUCCESS);
        cr_assert_eq(aimc_response_symmetric_point_numeric(&r, &wnum, NULL), GSL_SUCCESS);
        /* A few roundings on each side of numbers < 1. */
        cr_expect_leq(fabs(wsp - want[k]), 4.0 * EPS, "c = %g: %.17g", c[k], wsp);
        /* The numeric root: ROOT_TOL·7 plus rounding, see above. */
        cr_expect_leq(fabs(wnum - want[k]), 2.0 * ROOT_TOL * 7.0 + 64.0 * EPS, "c = %g: %.17g",
                      c[k], wnum);
    }
}

Test(response, symmetric_point_fails_when_G_keeps_its_sign)
{
    /* q₋ > q₊ at every node: G > 0 on the whole table. */
    aimc_response_params p = aimc_response_default_params();
    p.n_nodes = 3;
    const double nw[3] = {-1.0, 0.0, 1.0}, qp[3] = {0.5, 0.4, 0.3}, qm[3] = {0.9, 1.0, 1.1};
    for (size_t k = 0; k < 3; k++) {
        p.node_w[k] = nw[k];
        p.node_qp[k] = qp[k];
        p.node_qm[k] = qm[k];
    }
    aimc_response r;
    cr_assert_eq(aimc_response_init(&r, &aimc_response_piecewise, &p, NULL), GSL_SUCCESS);
    double wsp = 123.0, rc = 123.0;
    aimc_err err = {0};
    cr_expect_eq(aimc_response_symmetric_point(&r, &wsp, &err), GSL_EINVAL);
    cr_expect_not_null(strstr(err.msg, "does not change sign"), "%s", err.msg);
    cr_expect_eq(strncmp(err.msg, "response piecewise: ", 20), 0, "%s", err.msg);
    cr_expect_eq(wsp, 123.0, "no value is written on failure");
    cr_expect_eq(aimc_response_symmetric_point_numeric(&r, &wsp, NULL), GSL_EINVAL);
    /* R_c is anchored at w⋄, so it fails too. */
    cr_expect_eq(aimc_response_Rc(&r, 0.5, &rc, NULL), GSL_EINVAL);
    cr_expect_eq(aimc_response_Rc_numeric(&r, 0.5, &rc, NULL), GSL_EINVAL);
}

/* ---- R_c (41) -------------------------------------------------------------- */

/* Largest |R″| over [w − 2h, w + 2h], from second differences with step h. */
static double R_curvature(const aimc_response *r, double w, double h)
{
    double m = 0.0;
    for (int j = -1; j <= 1; j++) {
        const double x = w + j * h;
        const double d2 = aimc_response_R(r, x + h) - 2.0 * aimc_response_R(r, x) +
                          aimc_response_R(r, x - h);
        m = fmax(m, fabs(d2) / (h * h));
    }
    return m;
}

typedef int (*rc_fn)(const aimc_response *, double, double *, aimc_err *);

static void expect_Rc_derivative_is_R(const aimc_response *r, rc_fn rc, const char *which)
{
    const double scale = test_scale(r);
    const double h = 1e-3 * scale;
    const size_t n = 40;
    for (size_t k = 0; k < n; k++) {
        /* Cell centres: at least scale/40 = 25 h away from the bounds. */
        const double w = grid_point(r, 0.5 / n, 1.0 - 0.5 / n, k, n);
        if (near_node(r, w, 3.0 * h))
            continue;  /* R kinks at nodes; keep the stencil on one piece */
        double up, down;
        aimc_err err = {0};
        cr_assert_eq(rc(r, w + h, &up, &err), GSL_SUCCESS, "%s: %s", describe(r), err.msg);
        cr_assert_eq(rc(r, w - h, &down, &err), GSL_SUCCESS, "%s: %s", describe(r), err.msg);
        const double slope = (up - down) / (2.0 * h);
        /* Central difference: truncation h²/6·|R_c‴| = h²/6·|R″| (R″
         * estimated nearby, doubled for safety); rounding δ/h with δ the
         * error of one R_c value — quadrature asks for ≤ 1e-12 relative or
         * 1e-13·|w − w⋄| absolute, both ≤ 2e-12·scale as |R_c| ≤ |w − w⋄|
         * ≤ 2·scale; 1e-11·scale allows GSL's estimate to be 5× optimistic. */
        const double tol = 2.0 * h * h / 6.0 * R_curvature(r, w, h) + 1e-11 * scale / h +
                           8.0 * EPS;
        const double R = aimc_response_R(r, w);
        cr_expect_leq(fabs(slope - R), tol, "%s (%s) at w = %g: R_c' = %.15g, R = %.15g",
                      describe(r), which, w, slope, R);
    }
}

Test(response, Rc_has_derivative_R)
{
    for (size_t i = 0; i < n_cases; i++) {
        expect_Rc_derivative_is_R(&cases[i], aimc_response_Rc, "Rc");
        expect_Rc_derivative_is_R(&cases[i], aimc_response_Rc_numeric, "Rc_numeric");
    }
}

Test(response, closed_form_and_numeric_Rc_agree)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        double wsp;
        cr_assert_eq(aimc_response_symmetric_point(r, &wsp, NULL), GSL_SUCCESS);
        for (size_t k = 0; k < N_WIDE; k++) {
            const double w = grid_point(r, WIDE_F0, WIDE_F1, k, N_WIDE);
            double closed, numeric;
            aimc_err err = {0};
            cr_assert_eq(aimc_response_Rc(r, w, &closed, &err), GSL_SUCCESS, "%s", err.msg);
            cr_assert_eq(aimc_response_Rc_numeric(r, w, &numeric, &err), GSL_SUCCESS, "%s",
                         err.msg);
            /* Quadrature asks for 1e-12 relative or 1e-13·|w − w⋄| absolute;
             * allow 10× (GSL's error estimate is not a bound) plus a few
             * roundings of the closed form on the scale of τ.  The two w⋄
             * differ by ~1e-14·range, which moves R_c by R′·δ²/2: nothing. */
            const double tol = 1e-11 * fabs(closed) + 1e-12 * fabs(w - wsp) +
                               16.0 * EPS * test_scale(r);
            cr_expect_leq(fabs(closed - numeric), tol, "%s at w = %g: %.17g vs %.17g",
                          describe(r), w, closed, numeric);
        }
    }
}

Test(response, Rc_vanishes_at_the_symmetric_point_and_is_nonnegative)
{
    /* Every parameter set has G < 0 below w⋄ and G > 0 above (one sign
     * change), so R_c = ∫_{w⋄}^{w} R ≥ 0 with its minimum 0 at w⋄. */
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        const double scale = test_scale(r);
        double wsp, rc;
        cr_assert_eq(aimc_response_symmetric_point(r, &wsp, NULL), GSL_SUCCESS);
        cr_assert_eq(aimc_response_Rc(r, wsp, &rc, NULL), GSL_SUCCESS);
        /* |R| ≤ 1 and the closed forms see w⋄ up to a few ulps of the scale. */
        cr_expect_leq(fabs(rc), 8.0 * EPS * scale, "%s: R_c(w*) = %g", describe(r), rc);
        for (size_t k = 0; k < N_WIDE; k++) {
            const double w = grid_point(r, WIDE_F0, WIDE_F1, k, N_WIDE);
            cr_assert_eq(aimc_response_Rc(r, w, &rc, NULL), GSL_SUCCESS);
            /* Quadrature noise near w⋄ is ≤ 1e-13·|w − w⋄| (×10). */
            cr_expect_geq(rc, -1e-12 * fabs(w - wsp) - 8.0 * EPS * scale, "%s at %g: %g",
                          describe(r), w, rc);
            /* And |R_c| ≤ |w − w⋄| since |R| ≤ 1. */
            cr_expect_leq(rc, fabs(w - wsp) * (1.0 + 1e-12) + 8.0 * EPS * scale, "%s at %g",
                          describe(r), w);
        }
    }
}

Test(response, Rc_beyond_the_range_grows_with_slope_R_at_the_bound)
{
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        if (!r->type->bounded)
            continue;
        double lo, hi, at_lo, at_hi;
        aimc_response_bounds(r, &lo, &hi);
        cr_assert_eq(aimc_response_Rc(r, lo, &at_lo, NULL), GSL_SUCCESS);
        cr_assert_eq(aimc_response_Rc(r, hi, &at_hi, NULL), GSL_SUCCESS);
        const double R_lo = aimc_response_R(r, lo), R_hi = aimc_response_R(r, hi);
        for (int k = 1; k <= 4; k++) {
            const double d = 0.3 * k * (hi - lo);
            double above, below;
            cr_assert_eq(aimc_response_Rc(r, hi + d, &above, NULL), GSL_SUCCESS);
            cr_assert_eq(aimc_response_Rc(r, lo - d, &below, NULL), GSL_SUCCESS);
            /* R is constant beyond the bounds, so quadrature of it is exact
             * to rounding; the quadrature request (1e-13·length, ×10) bounds
             * what remains. */
            const double tol = 1e-12 * (d + hi - lo) + 16.0 * EPS * (fabs(at_hi) + fabs(at_lo) + d);
            cr_expect_leq(fabs(above - (at_hi + R_hi * d)), tol, "%s at %g", describe(r), hi + d);
            cr_expect_leq(fabs(below - (at_lo - R_lo * d)), tol, "%s at %g", describe(r), lo - d);
        }
    }
}

Test(response, Rc_rejects_a_non_finite_weight)
{
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        for (size_t b = 0; b < 3; b++) {
            double rc;
            aimc_err err = {0};
            cr_expect_eq(aimc_response_Rc(r, bad[b], &rc, &err), GSL_EDOM, "%s", describe(r));
            cr_expect_not_null(strstr(err.msg, "finite w"), "%s", err.msg);
            cr_expect_eq(aimc_response_Rc_numeric(r, bad[b], &rc, NULL), GSL_EDOM);
        }
    }
}

/* ---- dR/dw ----------------------------------------------------------------- */

Test(response, dR_matches_the_derivatives_of_the_closed_forms)
{
    size_t checked = 0;
    for (size_t i = 0; i < n_cases; i++) {
        const aimc_response *r = &cases[i];
        const double tau = r->p.tau, c = r->p.c_lin, g = r->p.gamma_res;
        /* Linear pairs have R = (x − m)/(1 − m x), x = w/τ, m = w⋄/τ, so
         * R′ = (1 − m²)/(τ (1 − m x)²) (softbounds: m = 0, R′ = 1/τ);
         * power with γ = 2 has R = 2x/(1 + x²), R′ = 2(1 − x²)/(τ (1 + x²)²);
         * the ideal response has R′ = 0. */
        double m;
        int kind;
        if (r->type == &aimc_response_ideal) {
            kind = 0;
            m = 0.0;
        } else if (r->type == &aimc_response_softbounds) {
            kind = 1;
            m = 0.0;
        } else if (r->type == &aimc_response_linear) {
            kind = 1;
            m = c;
        } else if (r->type == &aimc_response_linear_aihwkit) {
            kind = 1;
            m = c / (2.0 - fabs(c));
        } else if (r->type == &aimc_response_power && g == 2.0) {
            kind = 2;
            m = 0.0;
        } else if (r->type == &aimc_response_power && g == 1.0) {
            kind = 1;  /* (148) with γ = 1 is softbounds */
            m = 0.0;
        } else {
            continue;
        }
        checked++;
        for (size_t k = 0; k < N_IN; k++) {
            const double w = grid_point(r, 0.05, 0.95, k, N_IN);
            const double x = w / tau;
            double want = 0.0;
            if (kind == 1)
                want = (1.0 - m * m) / (tau * (1.0 - m * x) * (1.0 - m * x));
            else if (kind == 2)
                want = 2.0 * (1.0 - x * x) / (tau * (1.0 + x * x) * (1.0 + x * x));
            /* gsl_deriv_central refines its step to h ≈ (EPS·|R|/|R‴|)^⅓,
             * i.e. ~EPS^⅓·τ ≈ 6e-6 τ, where its 5-point rule's rounding,
             * ~1.5·EPS·|R|/h ≈ 6e-11/τ, dominates (|R| ≤ 1; the truncation
             * O(h⁴ R⁽⁵⁾) is smaller).  1e-9/τ (or relative to |R′| when that
             * is larger) leaves a margin of ~15 and is far below any slip in a
             * formula. */
            const double tol = 1e-9 * fmax(1.0, fabs(want) * tau) / tau;
            cr_expect_leq(fabs(aimc_response_dR(r, w) - want), tol, "%s at %g: %.15g vs %.15g",
                          describe(r), w, aimc_response_dR(r, w), want);
        }
    }
    cr_expect_geq(checked, 12);
}

/* ---- the aihwkit parametrisations (SPEC §5, reference/aihwkit.md §2.6–2.7) -- */

/* The response of `type` with parameters p (asserted valid). */
static aimc_response make(const aimc_response_type *type, const aimc_response_params *p)
{
    aimc_response r;
    aimc_err err = {0};
    cr_assert_eq(aimc_response_init(&r, type, p, &err), GSL_SUCCESS, "%s: %s", type->name,
                 err.msg);
    return r;
}

Test(response, powstep_aihwkit_without_asymmetries_is_the_power_response_148)
{
    /* Per granularity dw_min·0.5^γ, aihwkit's PowStep step is 2^γ x₊^γ with
     * x₊ = (τ − w)/(2τ), i.e. (1 − w/τ)^γ: (148).  Per dw_min it is x₊^γ,
     * (148) times 2^−γ (SPEC §5). */
    const double gamma[] = {0.5, 1.0, 2.0, 3.7}, tau[] = {0.6, 1.0, 3.5};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 3; j++) {
            aimc_response_params p = aimc_response_default_params();
            p.gamma_res = gamma[i];
            p.tau = tau[j];
            const aimc_response ps = make(&aimc_response_powstep_aihwkit, &p);
            const aimc_response pw = make(&aimc_response_power, &p);
            for (size_t k = 0; k < N_IN; k++) {
                /* 1 % inside the bounds, where both bases are ≥ 0.01. */
                const double w = -tau[j] + 2.0 * tau[j] * (0.005 + 0.99 * (double)k / (N_IN - 1));
                double a_p, a_m, b_p, b_m;
                aimc_response_q(&ps, w, &a_p, &a_m);
                aimc_response_q(&pw, w, &b_p, &b_m);
                /* The bases 2(τ ∓ w)/(2τ) and 1 ∓ w/τ (≤ 2) each carry ≲ 2
                 * roundings, a relative 4·EPS/base that pow multiplies by γ;
                 * pow adds a few EPS. */
                const double base_p = 1.0 - w / tau[j], base_m = 1.0 + w / tau[j];
                const double tp = (4.0 * gamma[i] * EPS / base_p + 4.0 * EPS) * b_p;
                const double tm = (4.0 * gamma[i] * EPS / base_m + 4.0 * EPS) * b_m;
                cr_expect_leq(fabs(a_p - b_p), tp, "gamma %g tau %g w %g: %.17g vs %.17g",
                              gamma[i], tau[j], w, a_p, b_p);
                cr_expect_leq(fabs(a_m - b_m), tm, "gamma %g tau %g w %g: %.17g vs %.17g",
                              gamma[i], tau[j], w, a_m, b_m);
                /* The step per aihwkit dw_min: q₊·2^−γ = ((τ − w)/(2τ))^γ. */
                const double per_dw = pow((tau[j] - w) / (2.0 * tau[j]), gamma[i]);
                cr_expect_leq(fabs(a_p * exp2(-gamma[i]) - per_dw),
                              tp * exp2(-gamma[i]), "per dw_min at w %g", w);
            }
        }
}

Test(response, powstep_aihwkit_with_gamma_1_is_linear_aihwkit)
{
    /* γ = 1, u = 0: q₊ = a₊·2(τ − w)/(2τ) = a₊(1 − w/τ), q₋ likewise: the
     * soft-bounds device with aihwkit's up_down = c. */
    const double c[] = {0.0, 0.2, 0.3, -0.4};
    for (size_t i = 0; i < 4; i++) {
        aimc_response_params p = aimc_response_default_params();
        p.tau = 3.5;
        p.c_lin = c[i];
        const aimc_response ps = make(&aimc_response_powstep_aihwkit, &p);
        const aimc_response la = make(&aimc_response_linear_aihwkit, &p);
        for (size_t k = 0; k < N_IN; k++) {
            const double w = grid_point(&la, 0.0, 1.0, k, N_IN);
            double a_p, a_m, b_p, b_m;
            aimc_response_q(&ps, w, &a_p, &a_m);
            aimc_response_q(&la, w, &b_p, &b_m);
            /* q ≤ 2, a few roundings on each side. */
            cr_expect_leq(fabs(a_p - b_p), 8.0 * EPS, "c %g w %g", c[i], w);
            cr_expect_leq(fabs(a_m - b_m), 8.0 * EPS, "c %g w %g", c[i], w);
        }
        double ws, wl;
        cr_assert_eq(aimc_response_symmetric_point(&ps, &ws, NULL), GSL_SUCCESS);
        cr_assert_eq(aimc_response_symmetric_point(&la, &wl, NULL), GSL_SUCCESS);
        /* (hi + ρ lo)/(1 + ρ) with ρ = a₋/a₊ against cτ/(2 − |c|): a few
         * roundings of numbers ≤ τ. */
        cr_expect_leq(fabs(ws - wl), 8.0 * EPS * 3.5, "c %g: %.17g vs %.17g", c[i], ws, wl);
    }
}

Test(response, powstep_aihwkit_symmetric_point_has_its_known_value)
{
    /* γ = 2, c = 0.2, τ = 1: ρ = sqrt(0.8) = 2/sqrt(5), so
     * w⋄ = (1 − ρ)/(1 + ρ) = (1 − ρ)²/(1 − ρ²) = 9 − 4 sqrt(5) ≈ 0.0557281. */
    aimc_response_params p = aimc_response_default_params();
    p.gamma_res = 2.0;
    p.c_lin = 0.2;
    const aimc_response r = make(&aimc_response_powstep_aihwkit, &p);
    double w;
    cr_assert_eq(aimc_response_symmetric_point(&r, &w, NULL), GSL_SUCCESS);
    /* 9 − 4 sqrt(5) cancels 9 against 8.94: ~1e-15 absolute. */
    cr_expect_leq(fabs(w - (9.0 - 4.0 * sqrt(5.0))), 1e-14, "%.17g", w);
    /* pow_up_down = u > 0 lowers only the down exponent, γ₋ = (1 − u)γ, and
     * the granularity stays the nominal mid-range step, so at w = 0 (x± = ½)
     * q₊ = 1 but q₋ = 2^(γ − γ₋) > 1: G(0) > 0, and as G increases through
     * its root, w⋄ < 0 (found numerically: the exponents differ). */
    p.c_lin = 0.0;
    p.pow_up_down = 0.3;
    const aimc_response u = make(&aimc_response_powstep_aihwkit, &p);
    cr_expect_gt(aimc_response_G(&u, 0.0), 0.0);
    cr_assert_eq(aimc_response_symmetric_point(&u, &w, NULL), GSL_SUCCESS);
    cr_expect_lt(w, 0.0, "w* = %g", w);
}

/* Known values of expstep-aihwkit, from the formula of reference/aihwkit.md
 * §2.6 evaluated in 40-digit decimal arithmetic (Python's decimal module):
 * q± = a±·y±(z)/ȳ, ȳ = (y₊(b) + y₋(b))/2, z = a w/τ + b. */
Test(response, expstep_aihwkit_has_the_known_values_of_aihwkit_s_formula)
{
    struct {
        int example; /* 0: the ReRam ES preset on ±1; 1: aihwkit defaults on ±0.6 */
        double w, qp, qm;
    } known[] = {
        {1, -0.6, 1.0160427689427407, 0.63506076054336919},
        {1, 0.0, 1.0000036319085472, 0.99999636809145275},
        {1, 0.3, 0.93994026382970610, 1.0133097960751429},
        {1, 0.6, 0.66574441177983286, 1.0161070982640055},
        {0, -1.0, 1.4143735755908630, 0.51858236837946585},
        {0, 0.0, 0.71042452884427868, 0.95511246653224459},
        {0, 1.0, 0.65264087231079044, 6.2731377509437661},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        aimc_response_params p;
        cr_assert(aimc_response_example(&aimc_response_expstep_aihwkit, known[i].example, &p));
        const aimc_response r = make(&aimc_response_expstep_aihwkit, &p);
        double qp, qm;
        aimc_response_q(&r, known[i].w, &qp, &qm);
        /* e^(γz) with γ|z| ≤ 6.2 turns the few-EPS rounding of z into
         * ≲ 30 EPS relative, and 1 − A e^(γz) and the quotient add a few more;
         * 1e-13 (≈ 450 EPS) still catches any slip in a constant (the
         * constants have 5–7 digits). */
        cr_expect_leq(fabs(qp - known[i].qp), 1e-13 * known[i].qp, "example %d w %g: %.17g",
                      known[i].example, known[i].w, qp);
        cr_expect_leq(fabs(qm - known[i].qm), 1e-13 * known[i].qm, "example %d w %g: %.17g",
                      known[i].example, known[i].w, qm);
    }
}

Test(response, expstep_aihwkit_granularity_is_the_mean_step_at_zero_and_not_149)
{
    /* With c = 0, F(0) = (y₊(b) + y₋(b))/(2ȳ) = 1: Δw_min is the mean step
     * at w = 0 (aihwkit would use the down step twice). */
    for (size_t k = 0;; k++) {
        aimc_response_params p;
        if (!aimc_response_example(&aimc_response_expstep_aihwkit, k, &p))
            break;
        p.c_lin = 0.0;
        const aimc_response r = make(&aimc_response_expstep_aihwkit, &p);
        cr_expect_leq(fabs(aimc_response_F(&r, 0.0) - 1.0), 4.0 * EPS, "example %zu", k);
    }
    /* Unlike (149), its steps need not vanish at the bounds: with aihwkit's
     * defaults the up step at w = τ is still two thirds of the mean (hence
     * the hard clip), while (149) has q₊(τ) = 0. */
    aimc_response_params p = aimc_response_default_params();
    const aimc_response r = make(&aimc_response_expstep_aihwkit, &p);
    double qp, qm;
    aimc_response_q(&r, p.tau, &qp, &qm);
    cr_expect_gt(qp, 0.6, "q+(tau) = %g", qp);
}

Test(response, validation_rejects_pow_up_down_outside_minus_one_one)
{
    const double bad[] = {-1.0, 1.0, 1.5, NAN, INFINITY};
    const size_t checked =
        EXPECT_READERS_REJECT(AIMC_RP_POW_UP_DOWN, pow_up_down, bad, "pow_up_down = ");
    cr_expect_geq(checked, 1, "powstep-aihwkit reads pow_up_down");
}

Test(response, validation_rejects_bad_expstep_constants)
{
    size_t checked = 0;
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        const aimc_response_type *type = aimc_response_types[t];
        if (!(type->params & AIMC_RP_EXPSTEP))
            continue;
        checked++;
        /* Each constant not finite. */
        const char *name[] = {"es_A_up", "es_A_down", "es_gamma_up", "es_gamma_down", "es_a",
                              "es_b"};
        for (size_t i = 0; i < 6; i++) {
            aimc_response_params p = valid_params(type);
            double *field[] = {&p.es_A_up,       &p.es_A_down, &p.es_gamma_up,
                               &p.es_gamma_down, &p.es_a,      &p.es_b};
            *field[i] = i % 2 ? INFINITY : NAN;
            char what[32];
            snprintf(what, sizeof what, "%s = ", name[i]);
            expect_rejected(type, &p, what);
        }
        /* y₊ = y₋ = 0 together: A = 2 and rates 1 kill the up step for
         * z ≥ −ln 2 and the down step for z ≤ ln 2; with a = 5, b = 0 that
         * overlap lies inside z ∈ [−5, 5] while both ends are alive, so a
         * check at the ends alone would miss it. */
        aimc_response_params p = valid_params(type);
        p.es_A_up = p.es_A_down = 2.0;
        p.es_gamma_up = p.es_gamma_down = 1.0;
        p.es_a = 5.0;
        p.es_b = 0.0;
        expect_rejected(type, &p, "both vanish");
        /* Dead zones that do not overlap (A = 0.5: up dead for z ≥ ln 2,
         * down for z ≤ −ln 2) leave F > 0 everywhere: accepted. */
        p.es_A_up = p.es_A_down = 0.5;
        cr_expect_eq(type->validate(&p, NULL), GSL_SUCCESS, "%s", type->name);
        /* γ z beyond the exponent range of a double. */
        p = valid_params(type);
        p.es_gamma_up = 1000.0;
        p.es_a = 1.0;
        p.es_b = 0.0; /* z reaches 1, and e^1000 > DBL_MAX */
        expect_rejected(type, &p, "overflows");
    }
    cr_expect_geq(checked, 1, "expstep-aihwkit reads the ExpStep constants");
}

Test(response, defaults_of_the_aihwkit_fields_are_aihwkit_s)
{
    /* reference/aihwkit.md §2.6–2.7: PowStepDevice pow_up_down = 0;
     * ExpStepDevice A_up = 0.00081, A_down = 0.36833, gamma_up = 12.44625,
     * gamma_down = 12.78785, a = 0.244, b = 0.2425.  With these,
     * b = ln(A_down/A_up)/(γ_up + γ_down) to 4 digits, i.e. w⋄ = 0 for c = 0. */
    const aimc_response_params p = aimc_response_default_params();
    cr_expect_eq(p.pow_up_down, 0.0);
    cr_expect_eq(p.es_A_up, 0.00081);
    cr_expect_eq(p.es_A_down, 0.36833);
    cr_expect_eq(p.es_gamma_up, 12.44625);
    cr_expect_eq(p.es_gamma_down, 12.78785);
    cr_expect_eq(p.es_a, 0.244);
    cr_expect_eq(p.es_b, 0.2425);
    cr_expect_leq(fabs(log(p.es_A_down / p.es_A_up) / (p.es_gamma_up + p.es_gamma_down) - p.es_b),
                  5e-5);
    const aimc_response r = make(&aimc_response_expstep_aihwkit, &p);
    double w;
    cr_assert_eq(aimc_response_symmetric_point(&r, &w, NULL), GSL_SUCCESS);
    /* With c = 0, G = 0 where A_up e^{γ_up z} = A_down e^{−γ_down z}, i.e. at
     * z⋄ = ln(A_down/A_up)/(γ_up + γ_down), within 5e-5 of b (1.7e-5 in fact);
     * w = (z − b)τ/a turns that into |w⋄| ≤ 5e-5·τ/0.244 ≈ 2e-4·τ. */
    cr_expect_leq(fabs(w), 5e-4 * p.tau, "w* = %g", w);
}

/* ---- the figures' example response (lib/response/examples.c) ----------- */

Test(response, the_nonmonotone_table_is_valid_and_its_symmetric_point_lies_between_nodes)
{
    for (double tau = 0.5; tau < 4.0; tau *= 2.0) {
        aimc_response_params p = aimc_response_default_params();
        aimc_response r;
        aimc_err err = {0, ""};
        aimc_response_nonmonotone_table(&p, tau);
        cr_assert_eq(aimc_response_init(&r, &aimc_response_piecewise, &p, &err), 0, "%s", err.msg);
        cr_expect(p.n_nodes == 17 && p.node_w[0] == -tau && p.node_w[16] == tau);
        double wsp;
        cr_assert_eq(aimc_response_symmetric_point(&r, &wsp, &err), 0, "%s", err.msg);
        /* ≈ 0.19τ as documented; nodes are τ/8 apart, so "between nodes"
         * means more than 1 % of that from each. */
        cr_expect_leq(fabs(wsp / tau - 0.19), 0.01, "w_sym/tau = %g", wsp / tau);
        for (size_t k = 0; k < p.n_nodes; ++k)
            cr_expect_gt(fabs(wsp - p.node_w[k]), 0.01 * tau / 8.0);
        /* Non-monotone: q₊ rises somewhere although it falls overall. */
        int rises = 0;
        for (size_t k = 1; k < p.n_nodes; ++k)
            rises |= p.node_qp[k] > p.node_qp[k - 1];
        cr_expect(rises && p.node_qp[16] < p.node_qp[0]);
    }
}

Test(response, tabulating_a_response_gives_its_pointwise_values)
{
    aimc_response_params p = aimc_response_default_params();
    aimc_response r;
    p.c_lin = 0.3;
    cr_assert_eq(aimc_response_init(&r, &aimc_response_linear, &p, NULL), 0);
    const double w[] = {-1.0, -0.25, 0.0, 0.6, 1.0};
    double qp[5], qm[5], F[5], G[5];
    aimc_response_tabulate(&r, 5, w, qp, qm, F, G);
    for (size_t k = 0; k < 5; ++k) {
        double a, b;
        aimc_response_q(&r, w[k], &a, &b);
        cr_expect(qp[k] == a && qm[k] == b, "w = %g", w[k]);
        cr_expect(F[k] == aimc_response_F(&r, w[k]) && G[k] == aimc_response_G(&r, w[k]));
    }
}
