/* fig6 — Fig. 6 of arXiv 2502.06309: the power (148) and exponential (149)
 * response functions for several γ_res.
 *
 *   power        q₊ = (1 − w/τ)^γ,                  q₋ = (1 + w/τ)^γ
 *   exponential  q₊ = (e^{γ(1−w/τ)} − 1)/(e^γ − 1),  q₋ = (e^{γ(1+w/τ)} − 1)/(e^γ − 1)
 *
 * The paper does not list the γ_res it plotted; we draw 0.5, 1, 2 and 4 with
 * τ = 1.  q±, F and G come from the library (aimc_response_q/F/G) and the
 * symmetric point from aimc_response_symmetric_point; nothing is re-typed in
 * the figure script.
 *
 * --check asserts properties of what is plotted, for every family and γ:
 * w⋄ = 0 with G(w⋄) = 0 and q±(w⋄) = 1 (the normalisation of (148)/(149));
 * q₊(τ) = q₋(−τ) = 0 at the plotted ends; q± > 0 strictly inside; q₊ = F − G
 * and q₋ = F + G at every point; the mirror symmetry q₋(w) = q₊(−w); q₊
 * strictly decreasing and q₋ strictly increasing; for power, q₊q₋ = M =
 * (1 − w²/τ²)^γ (SPEC §1.4); and the order of the curves in γ: at every
 * plotted 0 < w < τ, q₊ falls and q₋ rises as γ grows.  Proof of the last,
 * with a = 1 ∓ w/τ: power a^γ is decreasing in γ for a < 1 and increasing for
 * a > 1; exponential (e^{γa} − 1)/(e^γ − 1) has log-derivative
 * (g(γa) − g(γ))/γ with g(t) = t·e^t/(e^t − 1) increasing, so it is
 * negative for a < 1 and positive for a > 1.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "aimc/aimc.h"
#include "aimc/check.h"
#include "aimc/prog.h"

#define MAX_GAMMA 16
#define MAX_POINTS 100001

typedef struct {
    const char *gamma_list;
    double tau;
    unsigned points;
    int check;
    size_t ngamma;
    double gamma[MAX_GAMMA];
} fig6_cfg;

static fig6_cfg cfg;

static const aimc_option options[] = {
    {"gamma-res-list", AIMC_OPT_STRING, &cfg.gamma_list, 0, 0, 0, NULL, "",
     "comma-separated response exponents/rates gamma_res, increasing, each in (0, 700)"},
    {"tau", AIMC_OPT_DOUBLE, &cfg.tau, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "",
     "dynamic-range radius: bounds [-tau, tau]"},
    {"points", AIMC_OPT_UINT, &cfg.points, 3, MAX_POINTS, 0, NULL, "",
     "grid points across the range (ends included)"},
    {"check", AIMC_OPT_FLAG, &cfg.check, 0, 0, 0, NULL, "",
     "exit 1 unless the asserted properties hold (the quick test)"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

/* Both presets draw the same figure; --full only samples it more finely. */
static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.gamma_list = "0.5,1,2,4";
    cfg.tau = 1.0;
    cfg.points = full ? 2001 : 401;
    cfg.check = 0;
    c->reps = 1;
}

static int check_cfg(void *ctx, aimc_err *err)
{
    (void)ctx;
    cfg.ngamma = 0;
    for (const char *s = cfg.gamma_list; *s;) {
        char *end;
        const double v = strtod(s, &end);
        if (end == s || !isfinite(v) || v <= 0.0 || v >= 700.0 || (*end && *end != ',') ||
            (cfg.ngamma > 0 && v <= cfg.gamma[cfg.ngamma - 1]))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "invalid argument \"%s\" for --gamma-res-list: should be increasing "
                             "comma-separated numbers in (0, 700)",
                             cfg.gamma_list);
        if (cfg.ngamma == MAX_GAMMA)
            return AIMC_FAIL(err, GSL_EINVAL, "--gamma-res-list: at most %d values", MAX_GAMMA);
        cfg.gamma[cfg.ngamma++] = v;
        s = *end ? end + 1 : end;
    }
    if (cfg.ngamma == 0)
        return AIMC_FAIL(err, GSL_EINVAL, "--gamma-res-list: should name at least one value");
    return GSL_SUCCESS;
}

static const aimc_prog_spec spec = {
    "fig6",
    "Fig. 6 of arXiv 2502.06309 (power and exponential responses for several gamma_res)",
    "q+ and q- of the power (148) and exponential (149) responses for several gamma_res",
    "results/fig6.h5",
    options,
    preset,
    NULL,
    check_cfg};

/* One curve: a family at one γ_res, sampled on the grid. */
typedef struct {
    aimc_response r;
    double gamma, wsym;
    double *w, *qp, *qm, *F, *G;
} curve;

static int curve_init(curve *cv, const aimc_response_type *T, double gamma, aimc_err *err)
{
    aimc_response_params p = aimc_response_default_params();
    p.tau = cfg.tau;
    p.gamma_res = gamma;
    cv->gamma = gamma;
    cv->w = NULL;
    int st = aimc_response_init(&cv->r, T, &p, err);
    if (!st)
        st = aimc_response_symmetric_point(&cv->r, &cv->wsym, err);
    return st;
}

static int curve_eval(curve *cv, aimc_err *err)
{
    const size_t n = cfg.points;
    double *buf = malloc(5 * n * sizeof *buf), lo, hi;
    if (buf == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "out of memory");
    cv->w = buf;
    cv->qp = buf + n;
    cv->qm = buf + 2 * n;
    cv->F = buf + 3 * n;
    cv->G = buf + 4 * n;
    aimc_response_bounds(&cv->r, &lo, &hi);
    for (size_t k = 0; k < n; ++k) {
        /* Symmetric about 0 by construction, ends exact. */
        const double u = (double)(2 * k) / (double)(n - 1) - 1.0;
        cv->w[k] = k == 0 ? lo : k + 1 == n ? hi : hi * u;
    }
    aimc_response_tabulate(&cv->r, n, cv->w, cv->qp, cv->qm, cv->F, cv->G);
    return GSL_SUCCESS;
}

/* ---- checks on what is plotted --------------------------------------------- */

static void check_point_set(aimc_checklist *cl, const char *id, const curve *cv)
{
    const size_t n = cfg.points;
    double qp0, qm0, qmin = INFINITY, split = 0, scale = 0, mirror = 0, mdev = 0;
    int mono = 1;
    aimc_response_q(&cv->r, cv->wsym, &qp0, &qm0);
    for (size_t k = 0; k < n; ++k) {
        if (k > 0 && k + 1 < n)
            qmin = fmin(qmin, fmin(cv->qp[k], cv->qm[k]));
        split = fmax(split, fmax(fabs(cv->qp[k] - (cv->F[k] - cv->G[k])),
                                 fabs(cv->qm[k] - (cv->F[k] + cv->G[k]))));
        scale = fmax(scale, fmax(fabs(cv->F[k]), fabs(cv->G[k])));
        double qpm, qmm;
        aimc_response_q(&cv->r, -cv->w[k], &qpm, &qmm);
        mirror = fmax(mirror, fabs(cv->qm[k] - qpm) / fmax(cv->qm[k], DBL_MIN));
        if (k > 0)
            mono &= cv->qp[k] < cv->qp[k - 1] && cv->qm[k] > cv->qm[k - 1];
        if (cv->r.type == &aimc_response_power) /* SPEC §1.4: M = (1 − w²/τ²)^γ */
            mdev = fmax(mdev, fabs(aimc_response_M(&cv->r, cv->w[k]) -
                                   pow(1.0 - gsl_pow_2(cv->w[k] / cfg.tau), cv->gamma)));
    }
    char name[160];
    /* (148)/(149) are normalised to q±(0) = 1; a few ulps of rounding. */
    snprintf(name, sizeof name, "%s: w_sym = 0, |G(w_sym)|, |q+-(w_sym) - 1|", id);
    const double gsym = fabs(aimc_response_G(&cv->r, cv->wsym));
    aimc_check_le(cl, name, fmax(fmax(fabs(cv->wsym), gsym), fmax(fabs(qp0 - 1.0), fabs(qm0 - 1.0))),
                  4.0 * DBL_EPSILON);
    snprintf(name, sizeof name, "%s: q+(tau) = q-(-tau) = 0 at the plotted ends", id);
    aimc_check_le(cl, name, fmax(fabs(cv->qp[n - 1]), fabs(cv->qm[0])), 0.0);
    snprintf(name, sizeof name, "%s: 0 < min q+- strictly inside the range", id);
    aimc_check_that(cl, name, qmin > 0.0, 0.0, qmin);
    snprintf(name, sizeof name, "%s: max |q+ - (F - G)|, |q- - (F + G)| over the points", id);
    aimc_check_le(cl, name, split, 8.0 * DBL_EPSILON * scale);
    snprintf(name, sizeof name, "%s: q-(w) = q+(-w), max relative difference", id);
    aimc_check_le(cl, name, mirror, 4.0 * DBL_EPSILON);
    snprintf(name, sizeof name, "%s: q+ strictly decreasing, q- strictly increasing", id);
    aimc_check_that(cl, name, mono, mono, 1.0);
    if (cv->r.type == &aimc_response_power) {
        snprintf(name, sizeof name, "%s: q+ q- = (1 - w^2/tau^2)^gamma, max abs difference", id);
        aimc_check_le(cl, name, mdev, 16.0 * DBL_EPSILON);
    }
}

/* As γ grows, q₊ falls and q₋ rises at every plotted 0 < w < τ. */
static void check_order(aimc_checklist *cl, const char *fam, const curve *cv, size_t ng)
{
    int ok = 1;
    for (size_t g = 1; g < ng; ++g)
        for (size_t k = 0; k < cfg.points; ++k)
            if (cv[g].w[k] > 0.0 && cv[g].w[k] < cfg.tau)
                ok &= cv[g].qp[k] < cv[g - 1].qp[k] && cv[g].qm[k] > cv[g - 1].qm[k];
    char name[160];
    snprintf(name, sizeof name, "%s: for 0 < w < tau, q+ falls and q- rises as gamma_res grows",
             fam);
    aimc_check_that(cl, name, ok, ok, 1.0);
}

/* ---- output ------------------------------------------------------------------ */

static int write_curve(aimc_h5 *h, const char *fam, const curve *cv, aimc_err *err)
{
    char grp[96], path[160];
    snprintf(grp, sizeof grp, "/runs/%s-g%g", fam, cv->gamma);
    const char *nm[5] = {"w", "q_plus", "q_minus", "F", "G"};
    const double *v[5] = {cv->w, cv->qp, cv->qm, cv->F, cv->G};
    int st = GSL_SUCCESS;
    for (int q = 0; q < 5 && !st; ++q) {
        snprintf(path, sizeof path, "%s/%s", grp, nm[q]);
        st = aimc_h5_write_vector(h, path, cfg.points, v[q], err);
    }
    if (!st)
        st = aimc_h5_attr_string(h, grp, "response", fam, err);
    if (!st)
        st = aimc_h5_attr_double(h, grp, "gamma_res", cv->gamma, err);
    if (!st)
        st = aimc_h5_attr_double(h, grp, "tau", cfg.tau, err);
    if (!st)
        st = aimc_h5_attr_double(h, grp, "w_sym", cv->wsym, err);
    if (!st)
        st = aimc_h5_attr_string(h, grp, "varies", "gamma_res", err);
    return st;
}

/* Every γ of one family: evaluate, write, check. */
static int run_family(aimc_h5 *h, const aimc_response_type *T, aimc_checklist *cl, int quiet,
                      aimc_err *err)
{
    curve cv[MAX_GAMMA];
    int st = GSL_SUCCESS;
    size_t g = 0;
    for (; g < cfg.ngamma && !st; ++g) {
        st = curve_init(&cv[g], T, cfg.gamma[g], err);
        if (!st)
            st = curve_eval(&cv[g], err);
        if (!st)
            st = write_curve(h, T->name, &cv[g], err);
        char id[96];
        snprintf(id, sizeof id, "%s gamma_res=%g", T->name, cfg.gamma[g]);
        if (!st && !quiet)
            printf("fig6: %-24s q+(-tau/2) = %.6g, q-(-tau/2) = %.6g\n", id,
                   cv[g].qp[(cfg.points - 1) / 4], cv[g].qm[(cfg.points - 1) / 4]);
        if (!st)
            check_point_set(cl, id, &cv[g]);
    }
    if (!st)
        check_order(cl, T->name, cv, cfg.ngamma);
    for (size_t k = 0; k < g; ++k)
        free(cv[k].w);
    return st;
}

static const aimc_response_type *const fams[2] = {&aimc_response_power,
                                                  &aimc_response_exponential};

/* Every curve must be a valid response before any work or file. */
static int validate_curves(void *ctx, aimc_err *err)
{
    (void)ctx;
    for (int f = 0; f < 2; ++f)
        for (size_t g = 0; g < cfg.ngamma; ++g) {
            curve cv;
            const int st = curve_init(&cv, fams[f], cfg.gamma[g], err);
            if (st)
                return st;
        }
    return GSL_SUCCESS;
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    aimc_err err = {0};
    const aimc_prog_start_opts so = {.validate = validate_curves};
    aimc_h5 *h;
    int st;
    int rc = aimc_prog_start(&spec, &so, &com, argc, argv, &h, &st, &err);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    aimc_checklist cl;
    aimc_checklist_init(&cl, com.quiet, 0);
    for (int f = 0; f < 2 && !st; ++f)
        st = run_family(h, fams[f], &cl, com.quiet, &err);
    char list[256] = "";
    for (size_t g = 0; g < cfg.ngamma; ++g)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%g", g ? " " : "",
                 cfg.gamma[g]);
    if (!st)
        st = aimc_h5_attr_string(h, "/summary", "families", "power exponential", &err);
    if (!st)
        st = aimc_h5_attr_string(h, "/summary", "gamma_res", list, &err);
    if (!st)
        st = aimc_prog_check_counts(h, "/summary", cl.passed, cl.failed, &err);
    const int ok = cl.failed == 0;
    aimc_checklist_free(&cl);
    return aimc_prog_finish_claims(h, &spec, st, cfg.check && !ok, &err);
}
