/* fig3 — Fig. 3 of arXiv 2502.06309: a gallery of response functions of
 * Definition 1 and their symmetric points.
 *
 * Three panels: a linear response, a monotone non-linear one and a
 * non-monotone one.  Each draws q₊ and q₋ (26), their symmetric and
 * asymmetric components F = (q₋ + q₊)/2 and G = (q₋ − q₊)/2 (4), and marks
 * the symmetric point w⋄ where G(w⋄) = 0.  Every number comes from the
 * library (aimc_response_q/F/G/symmetric_point); the figure script only
 * draws what this program writes.
 *
 * The paper gives no parameters for its Fig. 3.  Ours: the paper's generic
 * linear response with c = 0.2 (w⋄ = cτ), the exponential response (149)
 * with γ_res = 2, and a measured-looking table whose q₊ and q₋ both rise and
 * fall (the same 17-node table as experiments/thm1: a common wiggle
 * 0.3 sin(3πu) on both directions, the down direction scaled by 5/8).
 *
 * --check asserts properties of what is plotted: G(w⋄) = 0 at the marked
 * point; q± > 0 inside the range; q₊ = F − G and q₋ = F + G at every point;
 * G < 0 left of w⋄ and G > 0 right of it (the single crossing through
 * which the implicit penalty pulls weights towards w⋄, SPEC §5); and each
 * panel's defining shape: affine q± (linear), strictly monotone q±
 * (monotone), a q± whose slope changes sign (non-monotone).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/aimc.h"
#include "aimc/check.h"
#include "aimc/prog.h"

#define MAX_POINTS 100001

typedef struct {
    const char *linear, *monotone;
    double tau, c_lin, gamma_res;
    unsigned points;
    int check;
} fig3_cfg;

static fig3_cfg cfg;

static const char *linear_choices(void) { return "linear|softbounds|linear-aihwkit"; }
static const char *monotone_choices(void) { return "exponential|power"; }

static const aimc_option options[] = {
    {"linear-family", AIMC_OPT_NAME, &cfg.linear, 0, 0, 0, linear_choices, "",
     "family of the linear panel"},
    {"monotone-family", AIMC_OPT_NAME, &cfg.monotone, 0, 0, 0, monotone_choices, "",
     "family of the monotone non-linear panel"},
    {"tau", AIMC_OPT_DOUBLE, &cfg.tau, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "",
     "dynamic-range radius: bounds [-tau, tau] (all three panels)"},
    {"c-lin", AIMC_OPT_DOUBLE, &cfg.c_lin, -1, 1, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL, "",
     "asymmetry c of the linear panel"},
    {"gamma-res", AIMC_OPT_DOUBLE, &cfg.gamma_res, 0, 700, AIMC_OPT_MIN_OPEN, NULL, "",
     "exponent (power) or rate (exponential) of the monotone panel"},
    {"points", AIMC_OPT_UINT, &cfg.points, 3, MAX_POINTS, 0, NULL, "",
     "grid points across each range (ends included)"},
    {"check", AIMC_OPT_FLAG, &cfg.check, 0, 0, 0, NULL, "",
     "exit 1 unless the asserted properties hold (the quick test)"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

/* Both presets draw the same figure; --full only samples it more finely. */
static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.linear = "linear";
    cfg.monotone = "exponential";
    cfg.tau = 1.0;
    cfg.c_lin = 0.2;
    cfg.gamma_res = 2.0;
    cfg.points = full ? 2001 : 401;
    cfg.check = 0;
    c->reps = 1;
}

static const aimc_prog_spec spec = {
    "fig3",
    "Fig. 3 of arXiv 2502.06309 (response functions and their symmetric points)",
    "linear, monotone non-linear and non-monotone responses, with F, G and w_sym = root of G",
    "results/fig3.h5",
    options,
    preset,
    NULL,
    NULL};

typedef enum { SHAPE_AFFINE, SHAPE_MONOTONE, SHAPE_NONMONOTONE } panel_shape;

typedef struct {
    const char *id, *label; /* run name; panel title */
    const char *family;
    panel_shape shape;
    aimc_response r;
    double wsym;
    double *w, *qp, *qm, *F, *G; /* points each */
} panel;

static int panel_init(panel *pn, aimc_err *err)
{
    const aimc_response_type *T = aimc_response_type_find(pn->family);
    aimc_response_params p = aimc_response_default_params();
    p.tau = cfg.tau;
    p.c_lin = cfg.c_lin;
    p.gamma_res = cfg.gamma_res;
    if (T->params & AIMC_RP_TABLE)
        aimc_response_nonmonotone_table(&p, cfg.tau); /* as experiments/thm1 */
    int st = aimc_response_init(&pn->r, T, &p, err);
    if (!st)
        st = aimc_response_symmetric_point(&pn->r, &pn->wsym, err);
    return st;
}

/* q±, F, G on a uniform grid over the family's range, from the library. */
static int panel_eval(panel *pn, aimc_err *err)
{
    const size_t n = cfg.points;
    double *buf = malloc(5 * n * sizeof *buf), lo, hi;
    if (buf == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "out of memory");
    pn->w = buf;
    pn->qp = buf + n;
    pn->qm = buf + 2 * n;
    pn->F = buf + 3 * n;
    pn->G = buf + 4 * n;
    aimc_response_bounds(&pn->r, &lo, &hi);
    for (size_t k = 0; k < n; ++k)
        pn->w[k] = k + 1 == n ? hi : lo + (hi - lo) * (double)k / (double)(n - 1);
    aimc_response_tabulate(&pn->r, n, pn->w, pn->qp, pn->qm, pn->F, pn->G);
    return GSL_SUCCESS;
}

/* ---- checks on what is plotted --------------------------------------------- */

/* Largest second difference of q± relative to the scale of q: zero to
 * rounding exactly when q± are affine on the grid. */
static double curvature(const double *q, size_t n)
{
    double c = 0, m = 0;
    for (size_t k = 0; k < n; ++k)
        m = fmax(m, fabs(q[k]));
    for (size_t k = 1; k + 1 < n; ++k)
        c = fmax(c, fabs(q[k + 1] - 2.0 * q[k] + q[k - 1]));
    return c / m;
}

/* +1 strictly increasing, −1 strictly decreasing, 0 neither, on the grid. */
static int monotone(const double *q, size_t n)
{
    int up = 1, down = 1;
    for (size_t k = 1; k < n; ++k) {
        up &= q[k] > q[k - 1];
        down &= q[k] < q[k - 1];
    }
    return up ? 1 : down ? -1 : 0;
}

static void check_panel(aimc_checklist *cl, const panel *pn)
{
    const size_t n = cfg.points;
    double gsym = fabs(aimc_response_G(&pn->r, pn->wsym)), qmin = INFINITY, split = 0, scale = 0;
    int sign_ok = 1;
    for (size_t k = 0; k < n; ++k) {
        if (k > 0 && k + 1 < n) /* strictly inside the range */
            qmin = fmin(qmin, fmin(pn->qp[k], pn->qm[k]));
        split = fmax(split, fmax(fabs(pn->qp[k] - (pn->F[k] - pn->G[k])),
                                 fabs(pn->qm[k] - (pn->F[k] + pn->G[k]))));
        scale = fmax(scale, fmax(fabs(pn->F[k]), fabs(pn->G[k])));
        if (pn->w[k] != pn->wsym)
            sign_ok &= (pn->G[k] > 0.0) == (pn->w[k] > pn->wsym);
    }
    char name[160];
    /* Brent stops at 1e-14 of the range, so |G(w⋄)| ≤ max|G'|·1e-14·2τ. */
    snprintf(name, sizeof name, "%s: |G(w_sym)| at the marked w_sym = %.6g", pn->id, pn->wsym);
    aimc_check_le(cl, name, gsym, 1e-12);
    snprintf(name, sizeof name, "%s: 0 < min q+- strictly inside the range", pn->id);
    aimc_check_that(cl, name, qmin > 0.0, 0.0, qmin);
    /* F ∓ G re-adds two halves: a few ulps of the largest component. */
    snprintf(name, sizeof name, "%s: max |q+ - (F - G)|, |q- - (F + G)| over the points", pn->id);
    aimc_check_le(cl, name, split, 8.0 * DBL_EPSILON * scale);
    snprintf(name, sizeof name, "%s: G < 0 left of w_sym and G > 0 right of it", pn->id);
    aimc_check_that(cl, name, sign_ok, sign_ok, 1.0);
    if (pn->shape == SHAPE_AFFINE) {
        /* Rounding of q at the scale of q: a few ulps. */
        snprintf(name, sizeof name, "%s: q+- affine (max second difference / max q)", pn->id);
        aimc_check_le(cl, name, fmax(curvature(pn->qp, n), curvature(pn->qm, n)),
                      16.0 * DBL_EPSILON);
    } else {
        const int mp = monotone(pn->qp, n), mm = monotone(pn->qm, n);
        const int want = pn->shape == SHAPE_MONOTONE;
        snprintf(name, sizeof name, "%s: q+ and q- %s (slope signs %d, %d)", pn->id,
                 want ? "strictly monotone" : "both non-monotone", mp, mm);
        aimc_check_that(cl, name, want ? (mp != 0 && mm != 0) : (mp == 0 && mm == 0), mp, mm);
    }
}

/* ---- output ------------------------------------------------------------------ */

static int write_panel(aimc_h5 *h, const panel *pn, aimc_err *err)
{
    char grp[96], path[160];
    snprintf(grp, sizeof grp, "/runs/%s", pn->id);
    const char *nm[5] = {"w", "q_plus", "q_minus", "F", "G"};
    const double *v[5] = {pn->w, pn->qp, pn->qm, pn->F, pn->G};
    int st = GSL_SUCCESS;
    for (int q = 0; q < 5 && !st; ++q) {
        snprintf(path, sizeof path, "%s/%s", grp, nm[q]);
        st = aimc_h5_write_vector(h, path, cfg.points, v[q], err);
    }
    double qp, qm;
    aimc_response_q(&pn->r, pn->wsym, &qp, &qm);
    if (!st)
        st = aimc_h5_attr_string(h, grp, "response", pn->family, err);
    if (!st)
        st = aimc_h5_attr_string(h, grp, "label", pn->label, err);
    if (!st)
        st = aimc_h5_attr_double(h, grp, "w_sym", pn->wsym, err);
    if (!st)
        st = aimc_h5_attr_double(h, grp, "q_sym", qp, err);
    if (!st)
        st = aimc_h5_attr_double(h, grp, "G_at_w_sym", aimc_response_G(&pn->r, pn->wsym), err);
    if (!st && (pn->r.type->params & AIMC_RP_TABLE)) { /* the table itself, for reuse */
        const char *tn[3] = {"node_w", "node_q_plus", "node_q_minus"};
        const double *tv[3] = {pn->r.p.node_w, pn->r.p.node_qp, pn->r.p.node_qm};
        for (int q = 0; q < 3 && !st; ++q) {
            snprintf(path, sizeof path, "%s/%s", grp, tn[q]);
            st = aimc_h5_write_vector(h, path, pn->r.p.n_nodes, tv[q], err);
        }
    }
    return st;
}

/* The three panels pn[3] = ctx, of the families the options name; each
 * must be a valid response before any work or file. */
static int panels_init(void *ctx, aimc_err *err)
{
    panel *pn = ctx;
    pn[0] = (panel){"linear", "linear", cfg.linear, SHAPE_AFFINE, {0}, 0, NULL, NULL, NULL, NULL,
                    NULL};
    pn[1] = (panel){"monotone", "monotone non-linear", cfg.monotone, SHAPE_MONOTONE, {0}, 0, NULL,
                    NULL, NULL, NULL, NULL};
    pn[2] = (panel){"nonmonotone", "non-monotone, measured-like table", "piecewise",
                    SHAPE_NONMONOTONE, {0}, 0, NULL, NULL, NULL, NULL, NULL};
    int st = GSL_SUCCESS;
    for (int k = 0; k < 3 && !st; ++k)
        st = panel_init(&pn[k], err);
    return st;
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    aimc_err err = {0};
    panel pn[3];
    const aimc_prog_start_opts so = {.validate = panels_init, .ctx = pn};
    aimc_h5 *h;
    int st;
    int rc = aimc_prog_start(&spec, &so, &com, argc, argv, &h, &st, &err);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    aimc_checklist cl;
    aimc_checklist_init(&cl, com.quiet, 0);
    for (int k = 0; k < 3 && !st; ++k) {
        st = panel_eval(&pn[k], &err);
        if (!st)
            st = write_panel(h, &pn[k], &err);
        if (!st && !com.quiet)
            printf("fig3: %-12s %-12s w_sym = %+.6f\n", pn[k].id, pn[k].family, pn[k].wsym);
        if (!st)
            check_panel(&cl, &pn[k]);
    }
    if (!st)
        st = aimc_h5_attr_string(h, "/summary", "panels", "linear monotone nonmonotone", &err);
    if (!st)
        st = aimc_prog_check_counts(h, "/summary", cl.passed, cl.failed, &err);
    const int ok = cl.failed == 0;
    aimc_checklist_free(&cl);
    for (int k = 0; k < 3; ++k)
        free(pn[k].w);
    return aimc_prog_finish_claims(h, &spec, st, cfg.check && !ok, &err);
}
