/* thm5 — Theorem 5 of arXiv 2502.06309, the implicit penalty in full
 * (SPEC §3.1, reference/paper.md §4.3).  Analog SGD's mean dynamics stop
 * where the scaled effective update vanishes,
 *
 *   T(W) = E∇f(W;ξ) + E|∇f(W;ξ)| ⊙ G(W)/F(W) = 0          (42) (sign +, SPEC §5)
 *
 * and, with Σ = E|∇f(W*;ξ)|, the first-order prediction of that point is
 *
 *   W̃* = (∇²f(W*) + Diag(Σ)R'(W⋄))⁻¹ (∇²f(W*)W* + Diag(Σ)R'(W⋄)W⋄)     (43)
 *
 * As ‖W* − W⋄‖ → 0 (45):  ‖T(W̃*)‖/min(‖T(W*)‖, ‖T(W⋄)‖) → 0 and
 * ‖∇f_Σ(W̃*)‖/min(‖∇f_Σ(W*)‖, ‖∇f_Σ(W⋄)‖) → 0, ∇f_Σ = ∇f + Σ⊙R (48); the
 * proof's rates: numerators O(s²), denominators Θ(s), s = ‖W* − W⋄‖.
 *
 * Instances: separable quadratics f = ½Σλ_k(w_k − w*_k)² (aimc_quad) with
 * ∇f(W;ξ) = λ⊙(W − W*) + σξ, ξ Gaussian or Rademacher, so that per
 * coordinate E|μ + σξ| has a closed form (Gaussian: σ√(2/π)e^{−μ²/2σ²} +
 * μ·erf(μ/σ√2); Rademacher: max(|μ|, σ)) and Σ = aimc_gnoise_abs_mean(σ).
 * The root W̃ of T is found per coordinate with GSL's Brent solver (bracket
 * from W* toward W⋄, widened outward when needed).  For each family of the
 * registry (parameter lists swept; the aihwkit restatements on their
 * example sets; piecewise with a table built here; ideal has no penalty)
 * and each noise law and penalty strength κ = Σ·R'(w⋄) (σ set from κ):
 * --levels values of s from 1e-3 to 1e-1, --per-level random problems each
 * (D = --dim coordinates, λ_k log-uniform on [1, 4], W* = w⋄ + s·v with
 * |v_k| ∈ [0.3, 1]·ρ, ρ half the distance from w⋄ to the nearest bound or
 * table node).  Fitted log–log slopes in s:
 *   ratio T      ‖T(W̃*)‖/min(‖T(W*)‖, ‖T(W⋄)‖)          ≥ 1  (→ 0 as O(s))
 *   ratio f_Σ    ‖∇f_Σ(W̃*)‖/min(‖∇f_Σ(W*)‖, ‖∇f_Σ(W⋄)‖) ≥ 1
 *   ‖T(W̃*)‖                                             ≥ 2
 *   ‖W̃ − W̃*‖   (43) against the exact root              ≥ 2
 * The claims are upper bounds (O(·)), so the checks are one-sided:
 * slope ≥ theory − t·SE.  Where R is odd about w⋄ (softbounds, power,
 * exponential) the s² terms vanish and the measured order is 3.  Where R
 * is linear near w⋄ (softbounds; the piecewise table here, whose F is
 * constant on the segment around w⋄) ∇f_Σ is linear, and with Rademacher
 * noise so is T: (43) is then their exact root and the numerators sit at
 * the resolution floor at every s — checked as "vanishes to resolution".
 *
 * Margin: t·SE, SE the OLS standard error of the slope (gsl_fit_linear,
 * from the residuals, which scatter with the random λ and v), t the Student
 * quantile for a one-sided family-wise confidence --confidence over all
 * slope checks (Bonferroni).  Resolution floor of a quantity: (64ε +
 * 3.7e-11) times the sum of the magnitudes of the terms it is computed from
 * — 64 roundings plus the ε^{2/3} accuracy of the central-difference
 * R'(w⋄) in (43) — and for ‖W̃ − W̃*‖ the root tolerance plus 3.7e-11·
 * ‖W* − W⋄‖; a point below its floor carries no slope information.
 *
 * Negative control: the erratum's sign, T⁻ = E∇f − E|∇f|⊙G/F and
 * ∇f_Σ⁻ = ∇f − Σ⊙R.  (43) is then no longer a near-root: every numerator
 * is Θ(s), every ratio Θ(1), and every check must fail.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_roots.h>

#include "aimc/aimc.h"
#include "aimc/check.h"

#define MAX_LIST 8
#define MAX_VARIANTS 256
#define MAX_DIM 256

typedef struct {
    unsigned dim, levels, per_level;
    double confidence;
    aimc_family_sweep sweep; /* --tau-list, --gamma-res-list, --c-lin-list */
    const char *kappa_list;
    int negative;
    /* parsed */
    size_t nkappa;
    double kappa[MAX_LIST];
} thm5_cfg;

static thm5_cfg cfg;

static const aimc_option options[] = {
    {"dim", AIMC_OPT_UINT, &cfg.dim, 1, MAX_DIM, 0, NULL, "", "coordinates D of each quadratic"},
    {"levels", AIMC_OPT_UINT, &cfg.levels, 3, 64, 0, NULL, "", "values of s = |W* - w_sp| scale"},
    {"per-level", AIMC_OPT_UINT, &cfg.per_level, 1, 10000, 0, NULL, "",
     "random problems per value of s"},
    {"confidence", AIMC_OPT_DOUBLE, &cfg.confidence, 0, 1, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN,
     NULL, "", "family-wise one-sided confidence of all slope checks (Bonferroni)"},
    {"kappa-list", AIMC_OPT_STRING, &cfg.kappa_list, 0, 0, 0, NULL, "",
     "penalty strengths Sigma*R'(w_sp) in (0, 1) (sigma is set from them)"},
    AIMC_FAMILY_SWEEP_OPTIONS(cfg.sweep),
    {"negative-control", AIMC_OPT_FLAG, &cfg.negative, 0, 0, 0, NULL, "",
     "the erratum's sign (-) in T and f_Sigma; every case must FAIL"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.dim = 8;
    cfg.levels = full ? 13 : 9;
    cfg.per_level = full ? 40 : 10;
    cfg.confidence = 0.99;
    cfg.kappa_list = full ? "0.1,0.3,0.6" : "0.3";
    aimc_family_sweep_preset(&cfg.sweep, full);
    cfg.negative = 0;
    c->reps = 1;
}

static int check_cfg(void *ctx, aimc_err *err)
{
    (void)ctx;
    int st = aimc_family_sweep_parse(&cfg.sweep, err);
    /* κ < 1 ≤ min λ keeps the erratum's T⁻ with a root (λ − κ > 0). */
    if (!st)
        st = aimc_check_parse_list("kappa-list", cfg.kappa_list, 0, 1, MAX_LIST, cfg.kappa,
                                   &cfg.nkappa, err);
    return st;
}

static const aimc_prog_spec spec = {
    "check-thm5",
    "Theorem 5 (42)-(45) of arXiv 2502.06309: the implicit penalty, full form",
    "the first-order point (43) solves T(W) = 0 and grad f_Sigma = 0 to O(|W* - W_sp|^2), "
    "so the ratios (45) vanish",
    NULL,
    options,
    preset,
    NULL,
    check_cfg};

/* ---- T, ∇f_Σ and the root per coordinate ------------------------------- */

typedef struct {
    const aimc_response *r;
    aimc_gnoise law;
    double lambda, w_star, sigma, Sigma;
    double sign;  /* +1: (42); −1: the erratum (negative control) */
} coord;

/* (42) one coordinate: λ(w − w*) ± E|λ(w − w*) + σξ|·R(w).  *mag gets the
 * sum of the terms' magnitudes (for the rounding floor). */
static double T_coord(const coord *c, double w, double *mag)
{
    const double mu = c->lambda * (w - c->w_star);
    const double pen =
        aimc_gnoise_abs_mean_shifted(c->law, mu, c->sigma) * aimc_response_R(c->r, w);
    if (mag != NULL)
        *mag = fabs(mu) + fabs(pen);
    return mu + c->sign * pen;
}

/* (48) one coordinate of ∇f_Σ = ∇f ± Σ⊙R. */
static double gradfS_coord(const coord *c, double w, double *mag)
{
    const double mu = c->lambda * (w - c->w_star), pen = c->Sigma * aimc_response_R(c->r, w);
    if (mag != NULL)
        *mag = fabs(mu) + fabs(pen);
    return mu + c->sign * pen;
}

static double T_fn(double w, void *p) { return T_coord(p, w, NULL); }

/* Brent on [a, b] (a sign change); NaN if it does not converge. */
static double brent(coord *c, double a, double b, double tol)
{
    gsl_function F = {T_fn, c};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    double root = NAN;
    if (s != NULL && gsl_root_fsolver_set(s, &F, fmin(a, b), fmax(a, b)) == GSL_SUCCESS) {
        for (int it = 0; it < 300; ++it) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
                break;
            if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                       tol, 0.0) == GSL_SUCCESS) {
                root = gsl_root_fsolver_root(s);
                break;
            }
        }
    }
    gsl_root_fsolver_free(s);
    return root;
}

/* The root of T in one coordinate: first bracketed between w* and w⋄
 * (where it lies for the + sign), else searched outward from w* in steps
 * doubling up to the range.  NaN when there is none in the range. */
static double root_coord(coord *c, double wsp, double lo, double hi, double tol)
{
    const double a = c->w_star, ta = T_fn(a, c);
    if (ta == 0.0)
        return a;
    if (ta * T_fn(wsp, c) < 0.0)
        return brent(c, a, wsp, tol);
    const double dir = a >= wsp ? 1.0 : -1.0;
    double h = fabs(a - wsp) > 0 ? fabs(a - wsp) : 1e-3 * (hi - lo);
    for (int k = 0; k < 60; ++k, h *= 2.0) {
        double b = a + dir * h;
        b = fmin(fmax(b, lo), hi);
        if (ta * T_fn(b, c) < 0.0)
            return brent(c, a, b, tol);
        if (b == lo || b == hi)
            break;
    }
    return NAN;
}

/* ---- one problem -------------------------------------------------------- */

typedef struct {
    double ratio_T, ratio_f, num_T, err_root;
    int floor_T, floor_f, floor_root;  /* at rounding level */
} instance_out;

/* The resolution of a computed T or ∇f_Σ, relative to the magnitudes of
 * its terms: 64 roundings, plus the accuracy of the central-difference
 * R'(w⋄) that (43) uses (GSL balances truncation against rounding at a
 * relative error of order ε^{2/3} ≈ 4e-11). */
#define FLOOR_FACTOR (64.0 * DBL_EPSILON + 3.7e-11)

/* ‖T(W)‖ and its rounding floor over the D coordinates. */
static double norm_T(const coord *c, const double *W, size_t D, int grad_fS, double *floor)
{
    double s2 = 0, m = 0;
    for (size_t k = 0; k < D; ++k) {
        double mag;
        const double t = grad_fS ? gradfS_coord(&c[k], W[k], &mag) : T_coord(&c[k], W[k], &mag);
        s2 += t * t;
        m += mag;
    }
    if (floor != NULL)
        *floor = FLOOR_FACTOR * m;
    return sqrt(s2);
}

static double min2(double a, double b) { return a < b ? a : b; }

static instance_out one_problem(const aimc_family_case *v, double wsp, double dR, double rho,
                                aimc_gnoise law, double kappa, double s_level, aimc_stream *st,
                                coord *c, double *W, double *Wt, double *Wr, double *Wsp)
{
    const size_t D = cfg.dim;
    const double Sigma = kappa / dR; /* κ = Σ·R'(w⋄) */
    const double sigma = Sigma / aimc_gnoise_abs_mean(law, 1.0);
    const double tol = 1e-14 * rho;
    instance_out o = {0, 0, 0, 0, 0, 0, 0};
    double err2 = 0;
    for (size_t k = 0; k < D; ++k) {
        const double lam = exp(log(4.0) * aimc_stream_uniform(st)); /* [1, 4] */
        const double sign = aimc_stream_uniform(st) < 0.5 ? -1.0 : 1.0;
        const double vk = sign * rho * (0.3 + 0.7 * aimc_stream_uniform(st));
        coord ck = {&v->r, law, lam, wsp + s_level * vk, sigma, Sigma, cfg.negative ? -1.0 : 1.0};
        c[k] = ck;
        W[k] = ck.w_star;
        Wsp[k] = wsp;
        /* (43) per coordinate: (λw* + ΣR'w⋄)/(λ + ΣR') */
        Wt[k] = (lam * ck.w_star + Sigma * dR * wsp) / (lam + Sigma * dR);
        Wr[k] = root_coord(&c[k], wsp, v->lo, v->hi, tol);
        err2 += (Wr[k] - Wt[k]) * (Wr[k] - Wt[k]);
    }
    double fl_T, fl_f;
    o.num_T = norm_T(c, Wt, D, 0, &fl_T);
    const double num_f = norm_T(c, Wt, D, 1, &fl_f);
    o.ratio_T = o.num_T / min2(norm_T(c, W, D, 0, NULL), norm_T(c, Wsp, D, 0, NULL)); /* (45) */
    o.ratio_f = num_f / min2(norm_T(c, W, D, 1, NULL), norm_T(c, Wsp, D, 1, NULL));
    o.err_root = sqrt(err2);
    o.floor_T = o.num_T <= fl_T;
    o.floor_f = num_f <= fl_f;
    /* the root tolerance, plus what the R'(w⋄) error moves (43) by */
    double dist2 = 0;
    for (size_t k = 0; k < D; ++k)
        dist2 += (W[k] - wsp) * (W[k] - wsp);
    o.floor_root = o.err_root <= 8.0 * tol * sqrt((double)D) + 3.7e-11 * sqrt(dist2);
    return o;
}

/* ---- checks ------------------------------------------------------------- */

static size_t n_slope_checks;

enum { Q_RATIO_T, Q_RATIO_F, Q_NUM_T, Q_ROOT, N_Q };
static const char *const q_name[N_Q] = {"(45) ratio T", "(45) ratio f_Sigma", "(45) |T(W~*)|",
                                        "(43) |root - W~*|"};
static const double q_order[N_Q] = {1.0, 1.0, 2.0, 2.0};

static void check_quantity(aimc_checklist *cl, int q, const char *label, const double *x,
                           const double *y, const int *at_floor, size_t N)
{
    char name[128];
    size_t nfloor = 0;
    for (size_t i = 0; i < N; ++i)
        nfloor += at_floor[i] != 0;
    if (nfloor == N) { /* exact to resolution: O(s^p) for every p */
        if (!cl->quiet)
            printf("NOTE %s %s: all %zu points at the resolution floor ((43) is the exact root)\n",
                   q_name[q], label, N);
        snprintf(name, sizeof name, "%s vanishes to resolution %s", q_name[q], label);
        aimc_check_that(cl, name, 1, 0.0, 0.0);
        return;
    }
    double xs[4096], ys[4096]; /* the points above the floor */
    size_t n = 0;
    for (size_t i = 0; i < N && n < 4096; ++i)
        if (!at_floor[i]) {
            xs[n] = x[i];
            ys[n] = log(y[i]);
            n++;
        }
    double c0, c1 = NAN, cov00, cov01, cov11 = NAN, sumsq;
    if (n >= 3)
        gsl_fit_linear(xs, 1, ys, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    const double alpha = (1.0 - cfg.confidence) / (double)n_slope_checks;
    const double t = n >= 3 ? gsl_cdf_tdist_Pinv(1.0 - alpha, (double)n - 2.0) : NAN;
    const double se = sqrt(cov11);
    if (!cl->quiet)
        printf("NOTE %s %s: slope=%.4f se=%.4f theory>=%g t=%.3f N=%zu (%zu at resolution floor)\n",
               q_name[q], label, c1, se, q_order[q], t, n, nfloor);
    snprintf(name, sizeof name, "%s slope>=%g-t*se %s", q_name[q], q_order[q], label);
    aimc_check_le(cl, name, q_order[q] - c1, t * se);
}

typedef struct {
    double *x, *y[N_Q];
    int *fl[N_Q];
    coord *c;
    double *W, *Wt, *Wr, *Wsp;
} buffers;

static void run_case(aimc_checklist *cl, const aimc_family_case *v, size_t vi, aimc_gnoise law,
                     double kappa, size_t ci, uint64_t seed, buffers *b)
{
    double wsp;
    aimc_err err = {0, ""};
    if (aimc_response_symmetric_point(&v->r, &wsp, &err) != GSL_SUCCESS) {
        if (!cl->quiet)
            printf("NOTE %s: no symmetric point (%s); skipped\n", v->label, err.msg);
        return;
    }
    const double dR = aimc_response_dR(&v->r, wsp);
    /* ρ: half the distance to the nearest bound or node (R is smooth there) */
    double rho = fmin(wsp - v->lo, v->hi - wsp);
    for (size_t k = 0; k < v->r.p.n_nodes; ++k)
        if (fabs(v->r.p.node_w[k] - wsp) > 0)
            rho = fmin(rho, fabs(v->r.p.node_w[k] - wsp));
    rho *= 0.5;
    char label[100];
    snprintf(label, sizeof label, "%s %s kappa=%g", v->label,
             law == AIMC_GNOISE_GAUSSIAN ? "gaussian" : "rademacher", kappa);
    if (!(dR > 0)) {
        if (!cl->quiet)
            printf("NOTE %s: R'(w_sp) = %g <= 0, no attraction to w_sp; skipped\n", label, dR);
        return;
    }
    size_t N = 0;
    for (unsigned j = 0; j < cfg.levels; ++j) {
        const double s = pow(10.0, -3.0 + 2.0 * j / (cfg.levels - 1.0));
        for (unsigned i = 0; i < cfg.per_level; ++i, ++N) {
            aimc_stream st;
            aimc_stream_init(&st, seed, AIMC_PURPOSE(1 + vi, AIMC_ROLE_INIT), (uint32_t)ci, N);
            const instance_out o = one_problem(v, wsp, dR, rho, law, kappa, s, &st, b->c, b->W,
                                               b->Wt, b->Wr, b->Wsp);
            b->x[N] = log(s);
            b->y[Q_RATIO_T][N] = o.ratio_T;
            b->y[Q_RATIO_F][N] = o.ratio_f;
            b->y[Q_NUM_T][N] = o.num_T;
            b->y[Q_ROOT][N] = o.err_root;
            b->fl[Q_RATIO_T][N] = b->fl[Q_NUM_T][N] = o.floor_T;
            b->fl[Q_RATIO_F][N] = o.floor_f;
            b->fl[Q_ROOT][N] = o.floor_root;
        }
    }
    for (int q = 0; q < N_Q; ++q)
        check_quantity(cl, q, label, b->x, b->y[q], b->fl[q], N);
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    int rc = aimc_prog_parse(&spec, &com, argc, argv);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    if ((size_t)cfg.levels * cfg.per_level > 4096) {
        fprintf(stderr, "%s: --levels x --per-level = %u should be <= 4096\n", spec.program,
                cfg.levels * cfg.per_level);
        return 2;
    }
    aimc_err err = {0, ""};
    /* Bounded families only (ideal: G ≡ 0, no penalty and no symmetric
     * point to be pulled to). */
    static aimc_family_case v[MAX_VARIANTS];
    const size_t nv = aimc_family_sweep_cases(&cfg.sweep, 1, v, MAX_VARIANTS, &err);
    if (nv == 0)
        return aimc_prog_fail(&spec, &err, "no response family", 2);
    const size_t N = (size_t)cfg.levels * cfg.per_level, D = cfg.dim;
    buffers b;
    b.x = malloc(N * sizeof *b.x);
    int ok = b.x != NULL;
    for (int q = 0; q < N_Q; ++q) {
        b.y[q] = malloc(N * sizeof(double));
        b.fl[q] = malloc(N * sizeof(int));
        ok = ok && b.y[q] && b.fl[q];
    }
    b.c = malloc(D * sizeof *b.c);
    b.W = malloc(D * sizeof(double));
    b.Wt = malloc(D * sizeof(double));
    b.Wr = malloc(D * sizeof(double));
    b.Wsp = malloc(D * sizeof(double));
    if (!ok || !b.c || !b.W || !b.Wt || !b.Wr || !b.Wsp) {
        fprintf(stderr, "%s: out of memory\n", spec.program);
        return 1;
    }
    static const aimc_gnoise laws[2] = {AIMC_GNOISE_GAUSSIAN, AIMC_GNOISE_RADEMACHER};
    n_slope_checks = nv * 2 * cfg.nkappa * N_Q;
    aimc_checklist cl;
    aimc_checklist_init(&cl, com.quiet, cfg.negative);
    size_t ci = 0;
    for (size_t i = 0; i < nv; ++i)
        for (int l = 0; l < 2; ++l)
            for (size_t k = 0; k < cfg.nkappa; ++k, ++ci)
                run_case(&cl, &v[i], i, laws[l], cfg.kappa[k], ci, com.seed, &b);
    rc = aimc_checklist_finish(&cl, &spec, &com);
    aimc_checklist_free(&cl);
    free(b.x);
    for (int q = 0; q < N_Q; ++q) {
        free(b.y[q]);
        free(b.fl[q]);
    }
    free(b.c);
    free(b.W);
    free(b.Wt);
    free(b.Wr);
    free(b.Wsp);
    return rc;
}
