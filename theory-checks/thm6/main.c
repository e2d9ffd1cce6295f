/* thm6 — Theorem 6 of arXiv 2502.06309 (SPEC §3.4, reference/paper.md
 * §4.4): Analog GD — exact gradients (σ = 0), compact update (5),
 * W_{k+1} = W_k − α∇f(W_k)⊙F(W_k) − α|∇f(W_k)|⊙G(W_k) — has no floor:
 *
 *   α = 1/(2LF_max):  E_K = (1/K) Σ_{k<K} ‖∇f⊙F + |∇f|⊙G‖² + ‖∇f‖²_M
 *                         ≤ 8L(f(W₀) − f*)F_max²/K                    (135)–(136)
 *   α = 1/(LF_max):   (1/K) Σ_{k<K} ‖∇f(W_k)‖²
 *                         ≤ 2L(f(W₀) − f*)F_max²/(K·M_min)             (137)
 *
 * with M = q₊q₋ and M_min = min over k < K and coordinates of M(W_k),
 * measured over the run, and F_max = sup F over the range.  The sign in
 * (135): the paper prints ‖∇f⊙F − |∇f|⊙G‖², but the descent step of the
 * proof, ⟨∇f, ∇f⊙F + |∇f|⊙G⟩ = Σ[(gF + |g|G)² + g²M]/(2F) per coordinate
 * (since (gF + |g|G)² + g²(F² − G²) = 2F(g²F + g|g|G)), gives the metric
 * with "+" — the norm of the step actually taken.  The "+" form is checked;
 * the printed "−" form is reported beside it (README).
 *
 * Cases: every registered family (parameter lists swept; the aihwkit
 * restatements on their example sets; piecewise with a table built here;
 * ideal = digital GD) × two problems — least squares (aimc_lsq, m×n, A
 * N(0,1), W* ~ N(0, (0.2τ)²)) and a separable quadratic (aimc_quad, λ
 * log-uniform on [0.5, 2], W* uniform on ±0.5τ) — from W₀ uniform on
 * ±0.5τ; the bounds at K = 10, 100, …, 10^--decades; and "no floor".
 * Theorem 6 bounds Σ_{k<K} of each metric by one constant for every K, so
 * the sums over successive decades [10^{j−1}, 10^j) are the tail of a
 * convergent series and must shrink, whereas a floor φ makes them grow
 * tenfold per decade (0.9·10^j·φ).  Checked: the last decade's sum is at
 * most the previous decade's, or at the resolution of its 0.9K terms
 * (each ‖∇f‖² resolved to (64nε·L·τ)²).  This tests the late error itself
 * and does not lean on the budget, which for large F_max is loose enough
 * to hide a floor.  Runs use aimc_optim's asgd with the tile's compact
 * kernel; the weights never reach a clip (counted and printed).
 *
 * Margin: the inequalities are deterministic; the only allowance is the
 * rounding of sums of K non-negative terms, a relative 4(K + n)ε on the
 * right side, and the resolution above for the no-floor checks.
 *
 * Negative control: noisy gradients ∇f + σξ at the same step sizes, with
 * σ = --sigma-nc·τ·sqrt(F_max) (GD's noise floor scales as ασ² ∝ σ²/F_max,
 * so every family gets about the same floor).  The error stalls, the
 * decade sums grow about tenfold, and both no-floor checks must fail.  The
 * bounds (136)–(137) are not run under the control: with a loose budget
 * (large F_max) a noise floor stays below it for many decades, and once
 * noise drives a weight onto a bound M_min = 0 makes (137) vacuous — so a
 * failing bound would prove nothing about the floor either way.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "aimc/aimc.h"
#include "aimc/check.h"

#define MAX_VARIANTS 256
#define MAX_DECADES 7

typedef struct {
    unsigned m, n, decades;
    double sigma_nc;
    aimc_family_sweep sweep; /* --tau-list, --gamma-res-list, --c-lin-list */
    int negative;
} thm6_cfg;

static thm6_cfg cfg;

static const aimc_option options[] = {
    {"m", AIMC_OPT_UINT, &cfg.m, 1, 100000, 0, NULL, "rows", "least squares: samples (rows of A)"},
    {"n", AIMC_OPT_UINT, &cfg.n, 1, 10000, 0, NULL, "", "unknowns of both problems"},
    {"decades", AIMC_OPT_UINT, &cfg.decades, 2, MAX_DECADES, 0, NULL, "",
     "horizons K = 10, 100, ..., 10^decades"},
    {"sigma-nc", AIMC_OPT_DOUBLE, &cfg.sigma_nc, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",
     "negative control: std of the gradient noise, in units of tau*sqrt(F_max)"},
    AIMC_FAMILY_SWEEP_OPTIONS(cfg.sweep),
    {"negative-control", AIMC_OPT_FLAG, &cfg.negative, 0, 0, 0, NULL, "",
     "noisy gradients: the error stalls; every case must FAIL"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.m = 40;
    cfg.n = 10;
    cfg.decades = full ? 5 : 4;
    cfg.sigma_nc = 0.2;
    aimc_family_sweep_preset(&cfg.sweep, full);
    cfg.negative = 0;
    c->reps = 1;
}

static const aimc_prog_spec spec = {
    "check-thm6",
    "Theorem 6 (135)-(137) of arXiv 2502.06309: Analog GD without noise",
    "without gradient noise Analog GD's error falls like 1/K with the constants of (136) and "
    "(137): no floor",
    NULL,
    options,
    preset,
    &cfg.sweep,
    aimc_family_sweep_check};

/* ---- problems ----------------------------------------------------------- */

typedef struct {
    const char *name;
    aimc_lsq *lsq;    /* one of the two */
    aimc_quad *quad;
    size_t n;
    double L;
} problem;

static void problem_grad(const problem *p, const double *w, double *g)
{
    if (p->lsq != NULL)
        aimc_lsq_gradient(p->lsq, w, g);
    else
        aimc_quad_gradient(p->quad, w, g);
}

static double problem_loss(const problem *p, const double *w)
{
    return p->lsq != NULL ? aimc_lsq_loss(p->lsq, w) : aimc_quad_loss(p->quad, w);
}

/* Both problems for range radius tau (f* = 0 for both). */
static int make_problems(problem pb[2], double tau, uint64_t seed, aimc_err *err)
{
    const size_t n = cfg.n;
    pb[1].quad = NULL;
    pb[0].name = "lsq";
    pb[0].quad = NULL;
    pb[0].lsq = aimc_lsq_alloc_random(cfg.m, n, 1.0, 0.2 * tau, seed, 1, err);
    pb[1].name = "quad";
    pb[1].lsq = NULL;
    double *lam = malloc(n * sizeof *lam), *ws = malloc(n * sizeof *ws);
    if (lam == NULL || ws == NULL) {
        free(lam);
        free(ws);
        return AIMC_FAIL(err, GSL_ENOMEM, "thm6: out of memory");
    }
    aimc_stream s;
    aimc_stream_init(&s, seed, AIMC_PURPOSE(2, AIMC_ROLE_INIT), 0, 0);
    for (size_t k = 0; k < n; ++k) {
        lam[k] = 0.5 * pow(4.0, aimc_stream_uniform(&s));
        ws[k] = tau * (aimc_stream_uniform(&s) - 0.5);
    }
    pb[1].quad = aimc_quad_alloc(n, lam, ws, AIMC_GNOISE_NONE, 0.0, err);
    free(lam);
    free(ws);
    if (pb[0].lsq == NULL || pb[1].quad == NULL)
        return GSL_EFAILED;
    for (int i = 0; i < 2; ++i)
        pb[i].n = n;
    pb[0].L = pb[0].lsq->L;
    pb[1].L = pb[1].quad->L;
    return GSL_SUCCESS;
}

/* ---- one run of Analog GD ----------------------------------------------- */

typedef struct {
    /* prefix sums at k = 10^j (index j = 0..decades): Σ_{k' < k} */
    double E_plus[MAX_DECADES + 1], E_minus[MAX_DECADES + 1], g2[MAX_DECADES + 1];
    double m_min[MAX_DECADES + 1]; /* min M over k' < k */
    double f0;
    unsigned long clips;           /* steps where (5) would have left the range */
} run_out;

typedef struct {
    double *w, *g, *gn, *qp, *qm;
} buffers;

/* Per-step metrics of (135) and (137) at the current W; returns min M. */
static double step_metrics(size_t n, const double *g, const double *qp, const double *qm,
                           double *ep, double *em, double *g2)
{
    double a = 0, b = 0, c = 0, mm = INFINITY;
    for (size_t i = 0; i < n; ++i) {
        const double F = 0.5 * (qm[i] + qp[i]), G = 0.5 * (qm[i] - qp[i]), M = qp[i] * qm[i];
        const double up = g[i] * F + fabs(g[i]) * G, um = g[i] * F - fabs(g[i]) * G;
        a += up * up + g[i] * g[i] * M;
        b += um * um + g[i] * g[i] * M;
        c += g[i] * g[i];
        mm = fmin(mm, M);
    }
    *ep = a;
    *em = b;
    *g2 = c;
    return mm;
}

/* Would the compact step leave the element range (so that a clip acts)? */
static int would_clip(const aimc_device *d, size_t n, const double *w, const double *dW,
                      const double *qp, const double *qm)
{
    for (size_t i = 0; i < n; ++i) {
        double lo, hi;
        aimc_device_visible_bounds(d, i, &lo, &hi);
        const double x = w[i] + dW[i] * (dW[i] >= 0 ? qp[i] : qm[i]);
        if (x < lo || x > hi)
            return 1;
    }
    return 0;
}

static int run_agd(const problem *pb, const aimc_family_case *v, double alpha, double fmax_v,
                   const double *w0, uint64_t seed, buffers *b, run_out *out, aimc_err *err)
{
    aimc_optim_params op = aimc_optim_default_params();
    op.alpha = alpha;
    op.main.device.response = v->r;
    op.main.update = &aimc_update_compact; /* (5) */
    const size_t n = pb->n;
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_asgd, &op, 1, n, seed, err);
    if (o == NULL)
        return GSL_EFAILED;
    aimc_optim_set_weights(o, w0, NULL);
    const aimc_device *dev = aimc_tile_device(aimc_optim_main_tile(o));
    out->f0 = problem_loss(pb, aimc_optim_weights(o));
    out->clips = 0;
    double sp = 0, sm = 0, sg = 0, mmin = INFINITY;
    unsigned long next = 1, kmax = 1;
    unsigned j = 0;
    for (unsigned d = 0; d < cfg.decades; ++d)
        kmax *= 10;
    /* the control's noise: GD's floor scales as ασ² ∝ σ²/F_max, so σ grows
     * with sqrt(F_max) to give every family the same floor */
    const double sigma = cfg.sigma_nc * 0.5 * (v->hi - v->lo) * sqrt(fmax_v);
    aimc_grad grad = {1, n, b->gn, 0, NULL, NULL, 1.0};
    int st = GSL_SUCCESS;
    for (unsigned long k = 0; k <= kmax && !st; ++k) {
        if (k == next) { /* prefix sums over k' < k */
            out->E_plus[j] = sp;
            out->E_minus[j] = sm;
            out->g2[j] = sg;
            out->m_min[j] = mmin;
            ++j;
            next *= 10;
        }
        if (k == kmax)
            break;
        memcpy(b->w, aimc_optim_weights(o), n * sizeof *b->w);
        problem_grad(pb, b->w, b->g);
        aimc_device_q(dev, 0, n, b->w, b->qp, b->qm);
        double ep, em, g2;
        mmin = fmin(mmin, step_metrics(n, b->g, b->qp, b->qm, &ep, &em, &g2));
        sp += ep;
        sm += em;
        sg += g2;
        memcpy(b->gn, b->g, n * sizeof *b->gn);
        if (cfg.negative) { /* the control: ∇f + σξ */
            aimc_stream s;
            aimc_stream_init(&s, seed, AIMC_PURPOSE(3, AIMC_ROLE_GRADNOISE), (uint32_t)k, 0);
            aimc_gnoise_add(b->gn, n, AIMC_GNOISE_GAUSSIAN, sigma, &s);
        }
        for (size_t i = 0; i < n; ++i)
            b->g[i] = -alpha * b->gn[i]; /* ΔW, for the clip count */
        out->clips += (unsigned long)would_clip(dev, n, b->w, b->g, b->qp, b->qm);
        st = aimc_optim_step(o, &grad, err);
    }
    aimc_optim_free(o);
    return st;
}

/* ---- checks ------------------------------------------------------------- */

static double rounding(unsigned long K) { return 1.0 + 4.0 * (double)(K + cfg.n) * DBL_EPSILON; }

/* Resolution of one ‖∇f(W)‖² in double precision: 64·n roundings of terms
 * of size L·τ (the weights live on the range). */
static double grad2_resolution(const problem *pb, const aimc_family_case *v)
{
    const double r = 64.0 * (double)pb->n * DBL_EPSILON * pb->L * fmax(fabs(v->lo), fabs(v->hi));
    return r * r;
}

/* No floor: the theorem bounds Σ_k of the metric by a constant for every
 * K, so the sums over successive decades form the tail of a convergent
 * series and must shrink; a floor φ makes them grow tenfold per decade.
 * The last decade may not exceed the one before, or must sit at the
 * resolution of its 0.9K terms. */
static void check_no_floor(aimc_checklist *cl, const char *what, const char *label,
                           const double *S, unsigned d, double res_step)
{
    char name[192];
    const double last = S[d] - S[d - 1], prev = S[d - 1] - S[d - 2];
    const double res = 0.9 * pow(10.0, d) * res_step;
    snprintf(name, sizeof name, "no floor %s: last decade sum <= previous %s", what, label);
    aimc_check_le(cl, name, last, fmax(prev, res));
}

static void check_run(aimc_checklist *cl, const char *label, const problem *pb,
                      const aimc_family_case *v, double fmax, const run_out *r136,
                      const run_out *r137)
{
    char name[192]; /* the checklist keeps the first 127 characters */
    unsigned long K = 1;
    const double L = pb->L;
    for (unsigned j = 1; j <= cfg.decades && !cfg.negative; ++j) {
        K *= 10;
        const double c136 = 8.0 * L * r136->f0 * fmax * fmax; /* (136), f* = 0 */
        snprintf(name, sizeof name, "(136) K=%lu %s", K, label);
        aimc_check_le(cl, name, r136->E_plus[j] / K, c136 / K * rounding(K));
        const double c137 = 2.0 * L * r137->f0 * fmax * fmax / r137->m_min[j]; /* (137) */
        snprintf(name, sizeof name, "(137) K=%lu %s", K, label);
        aimc_check_le(cl, name, r137->g2[j] / K, c137 / K * rounding(K));
        if (!cl->quiet)
            printf("NOTE K=%lu %s: E_K+/bound=%.3g E_K-(as printed)/bound=%.3g "
                   "(137) lhs/bound=%.3g M_min=%.3g\n",
                   K, label, r136->E_plus[j] / c136, r136->E_minus[j] / c136, r137->g2[j] / c137,
                   r137->m_min[j]);
    }
    /* ‖∇f⊙F ± |∇f|⊙G‖² + ‖∇f‖²_M ≤ 5F_max²‖∇f‖² fixes the metric's resolution */
    const double res = grad2_resolution(pb, v);
    check_no_floor(cl, "(136) metric", label, r136->E_plus, cfg.decades, 5.0 * fmax * fmax * res);
    check_no_floor(cl, "(137) |grad f|^2", label, r137->g2, cfg.decades, res);
    if (!cl->quiet) {
        printf("NOTE %s: mean |grad f|^2 per decade (alpha=1/(L F_max)):", label);
        for (unsigned j = 1; j <= cfg.decades; ++j)
            printf(" %.3g", (r137->g2[j] - r137->g2[j - 1]) / (0.9 * pow(10.0, j)));
        printf("; clipped steps %lu, %lu\n", r136->clips, r137->clips);
    }
}

static int run_variant(aimc_checklist *cl, const aimc_family_case *v, size_t vi,
                       const problem pb[2], uint64_t seed, buffers *b, aimc_err *err)
{
    const double fmax = aimc_family_case_sup(v, aimc_response_F, NULL);
    for (int p = 0; p < 2; ++p) {
        const size_t n = pb[p].n;
        double *w0 = malloc(n * sizeof *w0);
        if (w0 == NULL)
            return AIMC_FAIL(err, GSL_ENOMEM, "thm6: out of memory");
        aimc_stream s;
        aimc_stream_init(&s, seed, AIMC_PURPOSE(4, AIMC_ROLE_INIT), (uint32_t)vi, (uint32_t)p);
        const double tau = 0.5 * (v->hi - v->lo), mid = 0.5 * (v->hi + v->lo);
        for (size_t i = 0; i < n; ++i)
            w0[i] = mid + tau * (aimc_stream_uniform(&s) - 0.5);
        run_out r136, r137;
        const uint64_t rs = aimc_seed_derive(seed, vi * 2 + (uint64_t)p);
        const double L = pb[p].L;
        int st = run_agd(&pb[p], v, 1.0 / (2.0 * L * fmax), fmax, w0, rs, b, &r136, err);
        if (!st)
            st = run_agd(&pb[p], v, 1.0 / (L * fmax), fmax, w0, rs, b, &r137, err);
        free(w0);
        if (st)
            return st;
        char label[110];
        snprintf(label, sizeof label, "%s %s", pb[p].name, v->label);
        check_run(cl, label, &pb[p], v, fmax, &r136, &r137);
    }
    return GSL_SUCCESS;
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    int rc = aimc_prog_parse(&spec, &com, argc, argv);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    aimc_err err = {0, ""};
    static aimc_family_case v[MAX_VARIANTS];
    const size_t nv = aimc_family_sweep_cases(&cfg.sweep, 0, v, MAX_VARIANTS, &err);
    if (nv == 0)
        return aimc_prog_fail(&spec, &err, "no response family", 2);
    const size_t n = cfg.n;
    buffers b = {malloc(n * sizeof(double)), malloc(n * sizeof(double)), malloc(n * sizeof(double)),
                 malloc(n * sizeof(double)), malloc(n * sizeof(double))};
    if (!b.w || !b.g || !b.gn || !b.qp || !b.qm) {
        fprintf(stderr, "%s: out of memory\n", spec.program);
        return 1;
    }
    aimc_checklist cl;
    aimc_checklist_init(&cl, com.quiet, cfg.negative);
    int st = 0;
    /* One pair of problems per τ, shared by the families with that τ. */
    for (size_t i = 0; !st && i < nv; ++i) {
        problem pb[2] = {{"lsq", NULL, NULL, 0, 0}, {"quad", NULL, NULL, 0, 0}};
        st = make_problems(pb, 0.5 * (v[i].hi - v[i].lo), com.seed, &err);
        if (!st)
            st = run_variant(&cl, &v[i], i, pb, com.seed, &b, &err);
        aimc_lsq_free(pb[0].lsq);
        aimc_quad_free(pb[1].quad);
    }
    rc = st ? aimc_prog_fail(&spec, &err, "run failed", 1)
            : aimc_checklist_finish(&cl, &spec, &com);
    aimc_checklist_free(&cl);
    free(b.w);
    free(b.g);
    free(b.gn);
    free(b.qp);
    free(b.qm);
    return rc;
}
