/* check.c — PASS/FAIL bookkeeping and the HDF5 grid of the theory checks;
 * the family sweep, list parsing and statistics they share. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_min.h>

#include "aimc/check.h"

void aimc_checklist_init(aimc_checklist *cl, int quiet, int expect_fail)
{
    memset(cl, 0, sizeof *cl);
    cl->quiet = quiet;
    cl->expect_fail = expect_fail;
}

void aimc_checklist_free(aimc_checklist *cl)
{
    free(cl->name);
    free(cl->lhs);
    free(cl->rhs);
    free(cl->margin);
    free(cl->pass);
    memset(cl, 0, sizeof *cl);
}

static int grow(aimc_checklist *cl)
{
    if (cl->n < cl->cap)
        return 0;
    size_t cap = cl->cap ? 2 * cl->cap : 64;
    void *a = realloc(cl->name, cap * sizeof *cl->name), *b, *c, *d, *e;
    if (a)
        cl->name = a;
    b = realloc(cl->lhs, cap * sizeof *cl->lhs);
    if (b)
        cl->lhs = b;
    c = realloc(cl->rhs, cap * sizeof *cl->rhs);
    if (c)
        cl->rhs = c;
    d = realloc(cl->margin, cap * sizeof *cl->margin);
    if (d)
        cl->margin = d;
    e = realloc(cl->pass, cap * sizeof *cl->pass);
    if (e)
        cl->pass = e;
    if (!a || !b || !c || !d || !e)
        return -1;
    cl->cap = cap;
    return 0;
}

int aimc_check_that(aimc_checklist *cl, const char *name, int holds, double lhs, double rhs)
{
    /* NaN never holds: a check that cannot be evaluated has failed. */
    if (isnan(lhs) || isnan(rhs))
        holds = 0;
    const int ok = cl->expect_fail ? !holds : holds;
    const double margin = rhs - lhs;
    if (!cl->quiet)
        printf("%s %s lhs=%.6g rhs=%.6g margin=%.6g%s\n", ok ? "PASS" : "FAIL", name, lhs, rhs,
               margin, cl->expect_fail ? (holds ? " (negative control: check held)"
                                                : " (negative control: check failed, as it should)")
                                       : "");
    if (grow(cl) == 0) {
        snprintf(cl->name[cl->n], sizeof cl->name[0], "%s", name);
        cl->lhs[cl->n] = lhs;
        cl->rhs[cl->n] = rhs;
        cl->margin[cl->n] = margin;
        cl->pass[cl->n] = ok;
        cl->n++;
    }
    if (ok)
        cl->passed++;
    else
        cl->failed++;
    return ok;
}

int aimc_check_le(aimc_checklist *cl, const char *name, double lhs, double rhs)
{
    return aimc_check_that(cl, name, lhs <= rhs, lhs, rhs);
}

int aimc_checklist_finish(aimc_checklist *cl, const aimc_prog_spec *spec, const aimc_prog_common *c)
{
    printf("%zu passed, %zu failed\n", cl->passed, cl->failed);
    int status = cl->failed ? 1 : 0;
    if (c->output == NULL || c->output[0] == '\0')
        return status;
    aimc_h5 *h = aimc_prog_open_output(spec, c);
    if (h == NULL)
        return 1;
    aimc_err err = {0, ""};
    int st = aimc_prog_write_provenance(h, spec, c, &err);
    double *pass = malloc((cl->n ? cl->n : 1) * sizeof *pass);
    if (!st && pass == NULL)
        st = AIMC_FAIL(&err, GSL_ENOMEM, "check: out of memory");
    for (size_t i = 0; !st && i < cl->n; ++i)
        pass[i] = cl->pass[i];
    if (!st && cl->n > 0) {
        st = aimc_h5_write_vector(h, "/checks/lhs", cl->n, cl->lhs, &err);
        if (!st)
            st = aimc_h5_write_vector(h, "/checks/rhs", cl->n, cl->rhs, &err);
        if (!st)
            st = aimc_h5_write_vector(h, "/checks/margin", cl->n, cl->margin, &err);
        if (!st)
            st = aimc_h5_write_vector(h, "/checks/pass", cl->n, pass, &err);
        for (size_t i = 0; !st && i < cl->n; ++i) {
            char attr[32];
            snprintf(attr, sizeof attr, "name%05zu", i);
            st = aimc_h5_attr_string(h, "/checks", attr, cl->name[i], &err);
        }
    }
    if (!st)
        st = aimc_h5_attr_int(h, "/checks", "passed", (long long)cl->passed, &err);
    if (!st)
        st = aimc_h5_attr_int(h, "/checks", "failed", (long long)cl->failed, &err);
    if (!st)
        st = aimc_h5_attr_int(h, "/checks", "negative_control", cl->expect_fail, &err);
    free(pass);
    return aimc_prog_finish(h, spec, st, &err) ? 1 : status;
}

int aimc_check_reps(const aimc_prog_spec *spec, const aimc_prog_common *c, unsigned lo,
                    unsigned hi)
{
    if (c->reps >= lo && c->reps <= hi)
        return 0;
    if (hi == UINT_MAX)
        fprintf(stderr, "%s: invalid argument \"%u\" for --reps: should be >= %u\n", spec->program,
                c->reps, lo);
    else
        fprintf(stderr, "%s: invalid argument \"%u\" for --reps: should be in [%u, %u]\n",
                spec->program, c->reps, lo, hi);
    return 2;
}

/* ---- lists of numbers in one option ------------------------------------ */

int aimc_check_parse_list(const char *opt, const char *text, double lo, double hi, size_t max,
                          double *out, size_t *n, aimc_err *err)
{
    const char *s = text;
    *n = 0;
    while (*s) {
        char *end;
        const double v = strtod(s, &end);
        if (end == s || !isfinite(v) || v <= lo || v >= hi || (*end && *end != ',') || *n == max) {
            if (isinf(hi))
                return AIMC_FAIL(err, GSL_EINVAL,
                                 "invalid argument \"%s\" for --%s: should be 1 to %zu "
                                 "comma-separated numbers > %g",
                                 text, opt, max, lo);
            return AIMC_FAIL(err, GSL_EINVAL,
                             "invalid argument \"%s\" for --%s: should be 1 to %zu "
                             "comma-separated numbers in (%g, %g)",
                             text, opt, max, lo, hi);
        }
        out[(*n)++] = v;
        s = *end ? end + 1 : end;
    }
    if (*n == 0)
        return AIMC_FAIL(err, GSL_EINVAL, "--%s: should name at least one value", opt);
    return 0;
}

int aimc_check_parse_horizons(const char *opt, const char *text, size_t min_n, size_t max,
                              double *K, size_t *n, aimc_err *err)
{
    if (aimc_check_parse_list(opt, text, 0, INFINITY, max, K, n, err))
        return GSL_EINVAL;
    if (*n < min_n)
        return AIMC_FAIL(err, GSL_EINVAL, "--%s: the fits need at least %zu horizons", opt, min_n);
    for (size_t j = 0; j < *n; ++j)
        if (K[j] != floor(K[j]) || K[j] > 1e9 || (j && K[j] <= K[j - 1]))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "invalid argument \"%s\" for --%s: should be increasing integers "
                             "<= 1e9",
                             text, opt);
    return 0;
}

/* ---- the family sweep -------------------------------------------------- */

void aimc_family_sweep_preset(aimc_family_sweep *sw, int full)
{
    sw->tau_list = full ? "0.5,1,3.5" : "1";
    sw->gamma_res_list = full ? "0.5,1,2,4" : "0.5,2";
    sw->c_lin_list = full ? "-0.5,-0.2,0.2,0.5" : "0.2";
}

int aimc_family_sweep_check(void *sweep, aimc_err *err)
{
    return aimc_family_sweep_parse(sweep, err);
}

int aimc_family_sweep_parse(aimc_family_sweep *sw, aimc_err *err)
{
    const size_t max = AIMC_SWEEP_MAX_LIST;
    int st = aimc_check_parse_list("tau-list", sw->tau_list, 0, 1e6, max, sw->tau, &sw->ntau, err);
    if (!st)
        st = aimc_check_parse_list("gamma-res-list", sw->gamma_res_list, 0, 700, max,
                                   sw->gamma_res, &sw->ngamma, err);
    if (!st)
        st = aimc_check_parse_list("c-lin-list", sw->c_lin_list, -1, 1, max, sw->c_lin, &sw->nc,
                                   err);
    return st;
}

void aimc_family_sweep_table(aimc_response_params *p, double tau)
{
    static const double w[] = {-1.0, -0.6, -0.25, 0.0, 0.3, 0.65, 1.0};
    static const double qp[] = {1.7, 1.35, 1.3, 1.05, 0.8, 0.5, 0.1};
    static const double qm[] = {0.15, 0.6, 0.55, 0.95, 1.2, 1.1, 1.75};
    p->n_nodes = 7;
    for (size_t k = 0; k < 7; ++k) {
        p->node_w[k] = tau * w[k];
        p->node_qp[k] = qp[k];
        p->node_qm[k] = qm[k];
    }
}

/* The parameters the sweep varies; a family that reads others too runs on
 * its own example sets. */
#define SWEPT_PARAMS (AIMC_RP_TAU | AIMC_RP_GAMMA_RES | AIMC_RP_C_LIN | AIMC_RP_TABLE)

static void case_label(aimc_family_case *v)
{
    const aimc_response_type *T = v->r.type;
    const aimc_response_params *p = &v->r.p;
    int len = snprintf(v->label, sizeof v->label, "%s tau=%g", T->name, p->tau);
    if (T->params & AIMC_RP_GAMMA_RES)
        len += snprintf(v->label + len, sizeof v->label - len, " gamma_res=%g", p->gamma_res);
    if (T->params & AIMC_RP_C_LIN)
        len += snprintf(v->label + len, sizeof v->label - len, " c=%g", p->c_lin);
    if (T->params & ~SWEPT_PARAMS)
        snprintf(v->label + len, sizeof v->label - len, " (example set)");
}

static int add_case(aimc_family_case *v, size_t *n, size_t cap, const aimc_response_type *T,
                    const aimc_response_params *p, aimc_err *err)
{
    if (*n == cap)
        return AIMC_FAIL(err, GSL_EINVAL, "more than %zu response variants: shorten the lists",
                         cap);
    v += (*n)++;
    if (aimc_response_init(&v->r, T, p, err) != GSL_SUCCESS)
        return -1;
    aimc_response_bounds(&v->r, &v->lo, &v->hi);
    if (!T->bounded) { /* the ideal family: any interval will do */
        v->lo = -p->tau;
        v->hi = p->tau;
    }
    case_label(v);
    return 0;
}

/* Family T at τ = tau[i] and the j-th value of the list it reads. */
static aimc_response_params swept_params(const aimc_family_sweep *sw,
                                         const aimc_response_type *T, size_t i, size_t j)
{
    aimc_response_params p;
    if (!aimc_response_example(T, 0, &p))
        p = aimc_response_default_params();
    p.tau = sw->tau[i];
    if (T->params & AIMC_RP_GAMMA_RES)
        p.gamma_res = sw->gamma_res[j];
    if (T->params & AIMC_RP_C_LIN)
        p.c_lin = sw->c_lin[j];
    if (T->params & AIMC_RP_TABLE)
        aimc_family_sweep_table(&p, sw->tau[i]);
    return p;
}

static int add_family(const aimc_family_sweep *sw, const aimc_response_type *T,
                      aimc_family_case *v, size_t *n, size_t cap, aimc_err *err)
{
    aimc_response_params p;
    if (T->params & ~SWEPT_PARAMS) {
        for (size_t k = 0; aimc_response_example(T, k, &p); ++k)
            if (add_case(v, n, cap, T, &p, err))
                return -1;
        return 0;
    }
    const size_t nx = (T->params & AIMC_RP_GAMMA_RES) ? sw->ngamma
                      : (T->params & AIMC_RP_C_LIN)   ? sw->nc
                                                      : 1;
    for (size_t i = 0; i < sw->ntau; ++i)
        for (size_t j = 0; j < nx; ++j) {
            p = swept_params(sw, T, i, j);
            if (add_case(v, n, cap, T, &p, err))
                return -1;
        }
    return 0;
}

size_t aimc_family_sweep_cases(const aimc_family_sweep *sw, int bounded_only,
                               aimc_family_case *v, size_t cap, aimc_err *err)
{
    size_t n = 0;
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f) {
        const aimc_response_type *T = aimc_response_types[f];
        if (bounded_only && !T->bounded)
            continue;
        if (add_family(sw, T, v, &n, cap, err))
            return 0;
    }
    return n;
}

/* ---- sup over a case's range ------------------------------------------ */

typedef struct {
    const aimc_response *r;
    double (*fn)(const aimc_response *, double);
} sup_ctx;

static double neg_fn(double w, void *c)
{
    const sup_ctx *s = c;
    return -s->fn(s->r, w);
}

/* Brent's minimiser of −fn in [xb − h, xb + h] from xb; the better of its
 * result and (best, xb) goes back.  Runs only when both ends lie below
 * best, i.e. the bracket holds a maximum. */
static void refine_max(const sup_ctx *c, double h, double tol, double *best, double *xb)
{
    gsl_function F = {neg_fn, (void *)c};
    const double a = *xb - h, b = *xb + h;
    if (!(neg_fn(a, (void *)c) > -*best && neg_fn(b, (void *)c) > -*best))
        return;
    gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    if (m != NULL && gsl_min_fminimizer_set(m, &F, *xb, a, b) == GSL_SUCCESS) {
        for (int it = 0; it < 100; ++it) {
            if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS)
                break;
            if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(m),
                                      gsl_min_fminimizer_x_upper(m), tol, 0.0) == GSL_SUCCESS)
                break;
        }
        const double x = gsl_min_fminimizer_x_minimum(m), y = c->fn(c->r, x);
        if (y > *best) {
            *best = y;
            *xb = x;
        }
    }
    gsl_min_fminimizer_free(m);
}

double aimc_family_case_sup(const aimc_family_case *v,
                            double (*fn)(const aimc_response *, double), double *arg)
{
    double best = -INFINITY, xb = v->lo;
    size_t ib = 0;
    const double h = (v->hi - v->lo) / AIMC_SUP_GRID;
    for (size_t i = 0; i <= AIMC_SUP_GRID; ++i) {
        const double x = i == AIMC_SUP_GRID ? v->hi : v->lo + h * (double)i;
        const double y = fn(&v->r, x);
        if (y > best) {
            best = y;
            xb = x;
            ib = i;
        }
    }
    for (size_t k = 0; k < v->r.p.n_nodes; ++k) {
        const double y = fn(&v->r, v->r.p.node_w[k]);
        if (y > best) {
            best = y;
            xb = v->r.p.node_w[k];
            ib = AIMC_SUP_GRID + 1; /* a node: a kink, nothing to refine */
        }
    }
    if (ib > 0 && ib < AIMC_SUP_GRID) {
        const sup_ctx c = {&v->r, fn};
        refine_max(&c, h, 1e-15 * (v->hi - v->lo), &best, &xb);
    }
    if (arg != NULL)
        *arg = xb;
    return best;
}

/* ---- estimates with standard errors ------------------------------------ */

aimc_estimate aimc_check_mean_se(const double *x, size_t n, size_t stride)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; ++i)
        s += x[i * stride];
    const double m = s / n;
    for (size_t i = 0; i < n; ++i)
        s2 += (x[i * stride] - m) * (x[i * stride] - m);
    return (aimc_estimate){m, n > 1 ? sqrt(s2 / (n - 1) / n) : INFINITY};
}

aimc_estimate aimc_check_wls(const double *x, const double *y, const double *se, size_t n,
                             int slope)
{
    double *w = calloc(n ? n : 1, sizeof *w), c0, c1, v00, v01, v11, chi2;
    if (w == NULL)
        return (aimc_estimate){NAN, NAN};
    for (size_t j = 0; j < n; ++j)
        w[j] = 1.0 / (se[j] * se[j]);
    gsl_fit_wlinear(x, 1, w, 1, y, 1, n, &c0, &c1, &v00, &v01, &v11, &chi2);
    free(w);
    const double infl = n > 2 ? fmax(1.0, chi2 / (double)(n - 2)) : 1.0;
    return slope ? (aimc_estimate){c1, sqrt(v11 * infl)} : (aimc_estimate){c0, sqrt(v00 * infl)};
}
