/* thm1 — Theorem 1 (full form: Theorem 5) of arXiv 2502.06309: the implicit
 * penalty of Analog SGD.
 *
 * Claim: on a separable quadratic f(w) = Σ λ/2 (w_k − W*_k)² with gradient
 * noise of a known law, Analog SGD (2) does not settle at W*.  Its mean
 * dynamics E[W_{k+1}] − W_k = −α F(W)⊙T(W) has its fixed point at the root
 * W̃ of (42) with the + sign (SPEC §3.1, §5):
 *
 *     T(w) = λ(w − w*) + E|λ(w − w*) + σξ| · R(w),      R = G/F,
 *
 * and the first-order prediction (43), per coordinate
 *
 *     W̃* = (λw* + Σ R'(w⋄) w⋄) / (λ + Σ R'(w⋄)),       Σ = E|σξ|,
 *
 * is accurate to second order in |w* − w⋄|.
 *
 * What runs: for every bounded response family in the registry (softbounds,
 * linear and linear-aihwkit with c ≠ 0, power, exponential, aihwkit's step
 * devices, and a non-monotone piecewise table built below; a family added
 * to the registry joins by itself), both noise laws (Gaussian and
 * Rademacher) and several σ, Analog SGD with the compact update (5) is run
 * long with a small α, started at W*; the time average of each coordinate
 * after a burn-in is compared with W*, with the root of T and with (43).
 *
 * Statistics.  The iterates form a correlated sequence; the standard error
 * of their time average comes from batch means (B batches, Student t with
 * B − 1 degrees of freedom, Bonferroni over every asserted case at the
 * family-wise --confidence).  The discrete dynamics add a bias of order α:
 * in the stationary regime E_π[h(w)] = 0 exactly, with h = F·T (the drift
 * per step is −α h), so expanding h to second order about its root w̃,
 *     E_π[w] − w̃ = −½ h''(w̃)/h'(w̃) · E(w − w̃)² + O(E|w − w̃|³).
 * The estimate b solves E h(w̃ + b + sξ) = 0 to first order in b, ξ a
 * standard Gaussian and s the measured spread of the iterates: the
 * stationary law replaced by a Gaussian of the same spread.  For smooth h
 * this is the expansion above, b = −½h''s²/h' + O(s⁴); unlike the Taylor
 * form it stays meaningful across the kinks of the piecewise table.
 * s² is O(α), so b is O(α) for smooth h.  The allowance of
 * check (i) is t·SE + |b|; the --alpha-sweep runs show the deviation
 * shrinking with α as b predicts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_roots.h>

#include "aimc/aimc.h"
#include "aimc/check.h"
#include "aimc/prog.h"

#define MAX_LIST 16
#define MAX_FAM 16
#define MAX_DELTA 40
#define OBJ_NOISE 200    /* random-stream object of the gradient noise */
#define SCAN 512         /* grid on which T is scanned for sign changes */
#define ROOT_TOL 1e-15   /* Brent's bracket width, relative to the range */
#define SLOPE_TOL 0.05   /* on the extrapolated log-log slope, see slope_study() */
#define RELAX_BATCH 20.0 /* batch length needed, in relaxation times */
#define RELAX_BURN 10.0  /* burn-in needed, in relaxation times */

typedef struct {
    const char *families, *noise, *sigma_list, *w_star_list, *alpha_list;
    const char *sweep_family, *sweep_noise;
    double tau, c_lin, gamma_res, lambda, alpha, confidence, sweep_sigma;
    double sigma_slope, delta_max;
    unsigned steps, burn_in, batches, n_grid, n_delta;
    int check;
    /* parsed */
    size_t nfam, nnoise, nsigma, ncoord, nalpha;
    const aimc_response_type *fam[MAX_FAM];
    const aimc_response_type *sweep_fam;
    aimc_gnoise noises[2], sweep_law;
    double sigma[MAX_LIST], w_star[MAX_LIST], alphas[MAX_LIST];
} thm1_cfg;

static thm1_cfg cfg;

static const char *noise_choices(void) { return "both|gaussian|rademacher"; }
static const char *law_choices(void) { return "gaussian|rademacher"; }

static const aimc_option options[] = {
    {"families", AIMC_OPT_STRING, &cfg.families, 0, 0, 0, NULL, "",
     "comma-separated bounded response families, or all"},
    {"tau", AIMC_OPT_DOUBLE, &cfg.tau, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "",
     "dynamic-range radius of every family: bounds [-tau, tau]"},
    {"c-lin", AIMC_OPT_DOUBLE, &cfg.c_lin, -1, 1, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL, "",
     "asymmetry c of the linear and linear-aihwkit families"},
    {"gamma-res", AIMC_OPT_DOUBLE, &cfg.gamma_res, 0, 700, AIMC_OPT_MIN_OPEN, NULL, "",
     "response exponent (power) or rate (exponential)"},
    {"lambda", AIMC_OPT_DOUBLE, &cfg.lambda, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "",
     "curvature of f = lambda/2 (w - w*)^2 in every coordinate"},
    {"w-star", AIMC_OPT_STRING, &cfg.w_star_list, 0, 0, 0, NULL, "",
     "comma-separated minimisers W*, one coordinate each, inside (-tau, tau)"},
    {"noise", AIMC_OPT_NAME, &cfg.noise, 0, 0, 0, noise_choices, "",
     "law of the gradient noise: grad = lambda (w - w*) + sigma xi"},
    {"sigma", AIMC_OPT_STRING, &cfg.sigma_list, 0, 0, 0, NULL, "",
     "comma-separated noise levels sigma > 0"},
    {"alpha", AIMC_OPT_DOUBLE, &cfg.alpha, 0, 1, AIMC_OPT_MIN_OPEN, NULL, "",
     "learning rate of Analog SGD"},
    {"steps", AIMC_OPT_UINT, &cfg.steps, 1, 4e9, 0, NULL, "", "steps averaged after the burn-in"},
    {"burn-in", AIMC_OPT_UINT, &cfg.burn_in, 0, 4e9, 0, NULL, "", "steps discarded first"},
    {"batches", AIMC_OPT_UINT, &cfg.batches, 2, 1e6, 0, NULL, "",
     "batches of the batch-means standard error"},
    {"confidence", AIMC_OPT_DOUBLE, &cfg.confidence, 0.5, 1, AIMC_OPT_MAX_OPEN, NULL, "",
     "family-wise confidence of the asserted statistical bounds"},
    {"alpha-sweep", AIMC_OPT_STRING, &cfg.alpha_list, 0, 0, 0, NULL, "",
     "comma-separated learning rates of the bias-vs-alpha sweep (empty: none)"},
    {"sweep-family", AIMC_OPT_NAME, &cfg.sweep_family, 0, 0, 0, aimc_response_type_names, "",
     "response family of the alpha sweep"},
    {"sweep-noise", AIMC_OPT_NAME, &cfg.sweep_noise, 0, 0, 0, law_choices, "",
     "noise law of the alpha sweep"},
    {"sweep-sigma", AIMC_OPT_DOUBLE, &cfg.sweep_sigma, 0, 1e3, AIMC_OPT_MIN_OPEN, NULL, "",
     "noise level of the alpha sweep"},
    {"sigma-slope", AIMC_OPT_DOUBLE, &cfg.sigma_slope, 0, 1e3, AIMC_OPT_MIN_OPEN, NULL, "",
     "noise level of the accuracy study of (43)"},
    {"delta-max", AIMC_OPT_DOUBLE, &cfg.delta_max, 0, 1, AIMC_OPT_MIN_OPEN, NULL, "tau",
     "largest |W* - w_sym| of the accuracy study of (43)"},
    {"n-delta", AIMC_OPT_UINT, &cfg.n_delta, 3, MAX_DELTA, 0, NULL, "",
     "halvings of |W* - w_sym| in the accuracy study of (43)"},
    {"n-grid", AIMC_OPT_UINT, &cfg.n_grid, 2, 10000, 0, NULL, "",
     "points of the theory curves over Sigma"},
    AIMC_CHECK_OPTION(cfg.check),
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.families = "all";
    cfg.tau = 1.0;
    cfg.c_lin = 0.3;
    cfg.gamma_res = 2.0;
    cfg.lambda = 1.0;
    cfg.w_star_list = "-0.5,0.5";
    cfg.noise = "both";
    cfg.sigma_list = full ? "0.1,0.25,0.5,0.75,1,1.5" : "0.25,0.5,1";
    cfg.alpha = full ? 5e-4 : 5e-3;
    cfg.steps = full ? 10000000u : 400000u;
    cfg.burn_in = full ? 200000u : 20000u;
    cfg.batches = full ? 50u : 20u;
    cfg.confidence = 0.99;
    cfg.alpha_list = full ? "0.032,0.016,0.008,0.004,0.002,0.001" : "0.032,0.016,0.008";
    cfg.sweep_family = "piecewise";
    cfg.sweep_noise = "gaussian";
    cfg.sweep_sigma = 1.0;
    cfg.sigma_slope = 0.5;
    cfg.delta_max = 0.2;
    cfg.n_delta = 8;
    cfg.n_grid = full ? 61 : 31;
    cfg.check = 0;
    c->reps = 1;
}

/* ---- option parsing ------------------------------------------------------ */

/* Comma-separated numbers in (lo, hi) into out[]; fails with a message
 * naming the option. */
static int parse_list(const char *text, const char *opt, double lo, double hi, double *out,
                      size_t *n, aimc_err *err)
{
    *n = 0;
    for (const char *s = text; *s;) {
        char *end;
        const double v = strtod(s, &end);
        if (end == s || !isfinite(v) || v <= lo || v >= hi || (*end && *end != ','))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "invalid argument \"%s\" for --%s: should be comma-separated numbers "
                             "in (%g, %g)",
                             text, opt, lo, hi);
        if (*n == MAX_LIST)
            return AIMC_FAIL(err, GSL_EINVAL, "--%s: at most %d values", opt, MAX_LIST);
        out[(*n)++] = v;
        s = *end ? end + 1 : end;
    }
    return GSL_SUCCESS;
}

/* --families: "all" (every bounded family of the registry) or names. */
static int parse_families(aimc_err *err)
{
    cfg.nfam = 0;
    if (strcmp(cfg.families, "all") == 0) {
        for (size_t k = 0; aimc_response_types[k] != NULL && cfg.nfam < MAX_FAM; ++k)
            if (aimc_response_types[k]->bounded)
                cfg.fam[cfg.nfam++] = aimc_response_types[k];
        return GSL_SUCCESS;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", cfg.families);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const aimc_response_type *T = aimc_response_type_find(tok);
        if (T == NULL || !T->bounded)
            return AIMC_FAIL(err, GSL_EINVAL,
                             "invalid argument \"%s\" for --families: \"%s\" is not a bounded "
                             "family (all, or names from %s except ideal)",
                             cfg.families, tok, aimc_response_type_names());
        if (cfg.nfam == MAX_FAM)
            return AIMC_FAIL(err, GSL_EINVAL, "--families: at most %d names", MAX_FAM);
        cfg.fam[cfg.nfam++] = T;
    }
    if (cfg.nfam == 0)
        return AIMC_FAIL(err, GSL_EINVAL, "--families: should name at least one family");
    return GSL_SUCCESS;
}

static int check_cfg(void *ctx, aimc_err *err)
{
    (void)ctx;
    int st = parse_families(err);
    if (!st)
        st = parse_list(cfg.sigma_list, "sigma", 0.0, 1e3, cfg.sigma, &cfg.nsigma, err);
    if (!st)
        st = parse_list(cfg.w_star_list, "w-star", -cfg.tau, cfg.tau, cfg.w_star, &cfg.ncoord, err);
    if (!st)
        st = parse_list(cfg.alpha_list, "alpha-sweep", 0.0, 1.0, cfg.alphas, &cfg.nalpha, err);
    if (st)
        return st;
    if (cfg.nsigma == 0 || cfg.ncoord == 0)
        return AIMC_FAIL(err, GSL_EINVAL, "--sigma and --w-star: should name at least one value");
    if (cfg.steps < cfg.batches)
        return AIMC_FAIL(err, GSL_EINVAL, "invalid argument \"%u\" for --steps: should be >= "
                                          "--batches (%u)", cfg.steps, cfg.batches);
    cfg.sweep_fam = aimc_response_type_find(cfg.sweep_family);
    if (!cfg.sweep_fam->bounded)
        return AIMC_FAIL(err, GSL_EINVAL, "invalid argument \"%s\" for --sweep-family: should be "
                                          "a bounded family", cfg.sweep_family);
    cfg.nnoise = 0;
    if (strcmp(cfg.noise, "rademacher") != 0)
        cfg.noises[cfg.nnoise++] = AIMC_GNOISE_GAUSSIAN;
    if (strcmp(cfg.noise, "gaussian") != 0)
        cfg.noises[cfg.nnoise++] = AIMC_GNOISE_RADEMACHER;
    cfg.sweep_law = (aimc_gnoise)aimc_gnoise_find(cfg.sweep_noise);
    return GSL_SUCCESS;
}

static const aimc_prog_spec spec = {
    "thm1",
    "Theorem 1 / Theorem 5 of arXiv 2502.06309 (implicit penalty of Analog SGD)",
    "Analog SGD settles at the root of T (42), not at W*; (43) predicts it to second order",
    "results/thm1.h5",
    options,
    preset,
    NULL,
    check_cfg};

/* ---- the devices --------------------------------------------------------- */

static int make_response(const aimc_response_type *T, aimc_response *r, aimc_err *err)
{
    aimc_response_params p = aimc_response_default_params();
    p.tau = cfg.tau;
    p.c_lin = cfg.c_lin;
    p.gamma_res = cfg.gamma_res;
    if (T->params & AIMC_RP_TABLE)
        aimc_response_nonmonotone_table(&p, cfg.tau); /* w⋄ ≈ 0.19τ */
    return aimc_response_init(r, T, &p, err);
}

/* ---- the mean dynamics: T (42) and its root -------------------------------- */

typedef struct {
    const aimc_response *r;
    double lambda, w_star, sigma;
    aimc_gnoise noise;
} mean_dyn;

/* (42) with the + sign (SPEC §5), one coordinate of a separable quadratic. */
static double T_value(const mean_dyn *m, double w)
{
    const double mu = m->lambda * (w - m->w_star);
    return mu + aimc_gnoise_abs_mean_shifted(m->noise, mu, m->sigma) * aimc_response_R(m->r, w);
}

static double T_fn(double w, void *m) { return T_value(m, w); }

/* h = F·T: the expected change per step is −α·h (5). */
static double h_value(const mean_dyn *m, double w)
{
    double lo, hi;
    aimc_response_bounds(m->r, &lo, &hi);
    w = fmin(fmax(w, lo), hi);
    return aimc_response_F(m->r, w) * T_value(m, w);
}

/* Brent on a bracket [a, b] of T. */
static int brent(const mean_dyn *m, double a, double b, double tol, double *root, aimc_err *err)
{
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (s == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "cannot allocate the root solver");
    gsl_function f = {T_fn, (void *)m};
    int st = gsl_root_fsolver_set(s, &f, a, b), done = 0;
    for (int it = 0; st == GSL_SUCCESS && !done && it < 200; ++it) {
        st = gsl_root_fsolver_iterate(s);
        done = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                      tol, 0.0) == GSL_SUCCESS;
    }
    *root = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    if (st == GSL_SUCCESS && !done)
        st = GSL_EMAXITER;
    return st ? AIMC_FAIL(err, st, "root of T failed: %s", gsl_strerror(st)) : GSL_SUCCESS;
}

/* The root W̃ of T on the family's range: T is scanned on SCAN cells for
 * sign changes; exactly one root is required (more would make "the" fixed
 * point ambiguous), then Brent refines its bracket. */
static int root_of_T(const mean_dyn *m, double *root, aimc_err *err)
{
    double lo, hi, a = 0, b = 0, t_prev = 0;
    aimc_response_bounds(m->r, &lo, &hi);
    size_t nroots = 0;
    for (size_t k = 0; k <= SCAN; ++k) {
        const double x = lo + (hi - lo) * (double)k / SCAN, t = T_value(m, x);
        if (t == 0.0) {
            nroots++;
            a = b = x;
        } else if (k > 0 && t_prev != 0.0 && (t < 0.0) != (t_prev < 0.0)) {
            nroots++;
            a = lo + (hi - lo) * (double)(k - 1) / SCAN;
            b = x;
        }
        t_prev = t;
    }
    if (nroots != 1)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "T has %zu roots on [%g, %g] for family %s, w* = %g, sigma = %g "
                         "(exactly one needed)",
                         nroots, lo, hi, m->r->type->name, m->w_star, m->sigma);
    if (a == b) {
        *root = a;
        return GSL_SUCCESS;
    }
    return brent(m, a, b, ROOT_TOL * (hi - lo), root, err);
}

/* (43) first-order prediction, one coordinate:
 * W̃* = (λw* + Σ R'(w⋄) w⋄) / (λ + Σ R'(w⋄)). */
static double pred43(double lambda, double w_star, double Sigma, double dR, double wsym)
{
    return (lambda * w_star + Sigma * dR * wsym) / (lambda + Sigma * dR);
}

/* One family, ready to use: the response, w⋄ and R'(w⋄). */
typedef struct {
    aimc_response r;
    double wsym, dR;
} family;

static int family_init(const aimc_response_type *T, family *f, aimc_err *err)
{
    int st = make_response(T, &f->r, err);
    if (!st)
        st = aimc_response_symmetric_point(&f->r, &f->wsym, err);
    if (!st)
        f->dR = aimc_response_dR(&f->r, f->wsym);
    return st;
}

/* ---- the simulation -------------------------------------------------------- */

/* One simulated case: a family, a noise law and σ, a learning rate; every
 * coordinate of cfg.w_star at once (the quadratic is separable). */
typedef struct {
    const family *fam;
    const char *fam_name;
    aimc_gnoise noise;
    double sigma, Sigma, alpha;
    int sweep;     /* part of the alpha sweep */
    uint64_t seed; /* of its gradient noise */
    double root[MAX_LIST], pred[MAX_LIST];
    double mean[MAX_LIST], se[MAX_LIST], spread[MAX_LIST];
    double bias[MAX_LIST], relax[MAX_LIST]; /* O(α) bias estimate; relaxation time (steps) */
    aimc_err err;
} sim_case;

/* Theory of one case: root of T and (43) per coordinate. */
static int case_theory(sim_case *c)
{
    c->Sigma = aimc_gnoise_abs_mean(c->noise, c->sigma);
    for (size_t i = 0; i < cfg.ncoord; ++i) {
        const mean_dyn m = {&c->fam->r, cfg.lambda, cfg.w_star[i], c->sigma, c->noise};
        int st = root_of_T(&m, &c->root[i], &c->err);
        if (st)
            return st;
        c->pred[i] = pred43(cfg.lambda, cfg.w_star[i], c->Sigma, c->fam->dR, c->fam->wsym);
    }
    return GSL_SUCCESS;
}

/* E h(w + sξ), ξ ~ N(0, 1): trapezoid rule over ±6s with step s/16 (the
 * tails beyond carry 2e-9 of the weight; the weights are renormalised). */
#define SMOOTH_HALF 96
static double h_smoothed(const mean_dyn *m, double w, double s)
{
    if (s == 0.0)
        return h_value(m, w);
    double sum = 0, norm = 0;
    for (int k = -SMOOTH_HALF; k <= SMOOTH_HALF; ++k) {
        const double x = 6.0 * k / SMOOTH_HALF, g = exp(-0.5 * x * x);
        sum += g * h_value(m, w + s * x);
        norm += g;
    }
    return sum / norm;
}

/* The O(α) bias estimate of the header comment and the relaxation time
 * 1/(α h'(w̃)) of coordinate i: one Newton step from b = 0 on
 * g(b) = E h(w̃ + b + sξ) = 0. */
static void case_bias(sim_case *c, size_t i)
{
    const mean_dyn m = {&c->fam->r, cfg.lambda, cfg.w_star[i], c->sigma, c->noise};
    const double s = c->spread[i], w = c->root[i];
    const double d = s > 0.0 ? s / 8.0 : 1e-6 * cfg.tau;
    const double slope = (h_smoothed(&m, w + d, s) - h_smoothed(&m, w - d, s)) / (2.0 * d);
    c->bias[i] = -h_smoothed(&m, w, s) / slope;
    c->relax[i] = 1.0 / (c->alpha * slope);
}

#define MAX_JOB (2 * MAX_LIST + MAX_LIST)

/* Every case of one family runs on one tile: case c owns the elements
 * [c·ncoord, (c+1)·ncoord).  The compact update (5) depends only on the
 * desired change ΔW = −α∇, so each case keeps its own α by scaling its slice
 * of the gradient, with the optimizer's rate set to 1.  (One tile per
 * family rather than per case: the per-update overhead of the optimizer
 * and tile calls is then shared by all cases.) */
typedef struct {
    sim_case *const *cs;
    size_t ncase, n;
    aimc_optim *o;
    aimc_quad *q[MAX_JOB];
    double *g, *ref, *bm, *s1, *s2; /* n; n; n × batches; n; n */
} job;

static void job_free(job *j)
{
    aimc_optim_free(j->o);
    for (size_t c = 0; c < j->ncase; ++c)
        aimc_quad_free(j->q[c]);
    free(j->g);
}

static int job_init(job *j, sim_case *const *cs, size_t ncase, aimc_err *err)
{
    memset(j, 0, sizeof *j);
    j->cs = cs;
    j->ncase = ncase;
    j->n = ncase * cfg.ncoord;
    const size_t n = j->n;
    double *buf = calloc(n * (4 + cfg.batches), sizeof *buf), lam[MAX_LIST];
    if (buf == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "out of memory");
    j->g = buf;
    j->ref = buf + n;
    j->s1 = buf + 2 * n;
    j->s2 = buf + 3 * n;
    j->bm = buf + 4 * n;
    for (size_t i = 0; i < cfg.ncoord; ++i)
        lam[i] = cfg.lambda;
    aimc_optim_params op = aimc_optim_default_params();
    op.alpha = 1.0; /* each case's α is in its gradient slice */
    op.main.device.response = cs[0]->fam->r;
    op.main.update = &aimc_update_compact; /* (5) */
    double *w0 = j->ref; /* W*, then overwritten by the roots */
    for (size_t c = 0; c < ncase; ++c) {
        memcpy(w0 + c * cfg.ncoord, cfg.w_star, cfg.ncoord * sizeof *w0);
        if (!(j->q[c] = aimc_quad_alloc(cfg.ncoord, lam, cfg.w_star, cs[c]->noise, cs[c]->sigma,
                                        err)))
            return err->status ? err->status : GSL_EFAILED;
    }
    if (!(j->o = aimc_optim_alloc(&aimc_optim_asgd, &op, 1, n, cs[0]->seed, err)))
        return err->status ? err->status : GSL_EFAILED;
    aimc_optim_set_weights(j->o, w0, NULL); /* start every case at the minimiser */
    for (size_t c = 0; c < ncase; ++c)
        memcpy(j->ref + c * cfg.ncoord, cs[c]->root, cfg.ncoord * sizeof *j->ref);
    return GSL_SUCCESS;
}

/* One step of Analog SGD (2) for every case of the job. */
static int job_step(job *j, aimc_stream *s, aimc_err *err)
{
    const aimc_grad grad = {1, j->n, j->g, 0, NULL, NULL, 1.0};
    const double *w = aimc_optim_weights(j->o);
    for (size_t c = 0; c < j->ncase; ++c) {
        const size_t off = c * cfg.ncoord;
        aimc_quad_stoch_gradient(j->q[c], w + off, &s[c], j->g + off);
        for (size_t i = 0; i < cfg.ncoord; ++i)
            j->g[off + i] *= j->cs[c]->alpha;
    }
    return aimc_optim_step(j->o, &grad, err);
}

/* Burn-in, then `batches` batches; batch means and Σ(w − w̃), Σ(w − w̃)². */
static int job_run(job *j, aimc_err *err)
{
    const size_t n = j->n, L = cfg.steps / cfg.batches;
    aimc_stream s[MAX_JOB];
    int st = GSL_SUCCESS;
    for (unsigned b = 0; b <= cfg.batches && !st; ++b) { /* b = 0: the burn-in */
        for (size_t c = 0; c < j->ncase; ++c)
            aimc_stream_init(&s[c], j->cs[c]->seed, AIMC_PURPOSE(OBJ_NOISE, AIMC_ROLE_GRADNOISE),
                             b, 0);
        double *bs = b > 0 ? j->bm + (size_t)(b - 1) * n : NULL;
        for (size_t k = 0; k < (b == 0 ? cfg.burn_in : L) && !st; ++k) {
            st = job_step(j, s, err);
            const double *w = aimc_optim_weights(j->o);
            for (size_t e = 0; bs && e < n; ++e) {
                const double d = w[e] - j->ref[e];
                bs[e] += d;
                j->s2[e] += d * d;
            }
        }
        for (size_t e = 0; bs && e < n; ++e) {
            j->s1[e] += bs[e];
            bs[e] /= (double)L;
        }
    }
    return st;
}

/* Time average, batch-means standard error and spread of every element. */
static void job_finish(job *j)
{
    const size_t n = j->n, B = cfg.batches;
    const double N = (double)(cfg.steps / B) * (double)B;
    for (size_t e = 0; e < n; ++e) {
        sim_case *c = j->cs[e / cfg.ncoord];
        const size_t i = e % cfg.ncoord;
        const double d = j->s1[e] / N;
        double v = 0;
        for (size_t b = 0; b < B; ++b)
            v += gsl_pow_2(j->bm[b * n + e] - d);
        c->mean[i] = c->root[i] + d;
        c->se[i] = sqrt(v / (B - 1.0) / (double)B);
        c->spread[i] = sqrt(fmax(j->s2[e] / N - d * d, 0.0));
        case_bias(c, i);
    }
}

/* ---- accuracy of (43) as w* approaches w⋄ ---------------------------------- */

typedef struct {
    size_t n;
    double delta[MAX_DELTA], err[MAX_DELTA]; /* |w* − w⋄| and (43) − root of T */
    double slope_fit, slope_last, slope_extrap;
    int expected;          /* 2, or 3 when R is odd about w⋄; 0: (43) is exact */
    double c_meas, c_pred; /* err/δ² at the smallest δ; ½ΣR''λ²/(λ+ΣR')³ */
} slope_result;

/* The largest δ: --delta-max, half the way to the upper bound, and for a
 * table not past the next node (the expansion needs R smooth on [w⋄, w*]). */
static double delta_top(const family *f)
{
    double lo, hi;
    aimc_response_bounds(&f->r, &lo, &hi);
    double top = fmin(cfg.delta_max * cfg.tau, 0.5 * (hi - f->wsym));
    if (f->r.type->params & AIMC_RP_TABLE)
        for (size_t k = 0; k < f->r.p.n_nodes; ++k)
            if (f->r.p.node_w[k] > f->wsym) {
                top = fmin(top, f->r.p.node_w[k] - f->wsym);
                break;
            }
    return top;
}

/* R odd about w⋄ (R(w⋄+u) = −R(w⋄−u) to rounding) kills the δ² term of the
 * error of (43): its leading term is ½ΣR''(w⋄)·(…), see slope_study(). */
static int odd_about_wsym(const family *f, const slope_result *s)
{
    double lo, hi;
    aimc_response_bounds(&f->r, &lo, &hi);
    for (size_t j = 0; j < s->n; ++j) {
        const double u = s->delta[j];
        if (f->wsym - u < lo ||
            fabs(aimc_response_R(&f->r, f->wsym + u) + aimc_response_R(&f->r, f->wsym - u)) > 1e-12)
            return 0;
    }
    return 1;
}

/* Least-squares slope of log err against log δ. */
static double loglog_slope(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0;
    for (size_t j = 0; j < n; ++j) {
        mx += log(x[j]) / n;
        my += log(fabs(y[j])) / n;
    }
    for (size_t j = 0; j < n; ++j) {
        sxy += (log(x[j]) - mx) * (log(fabs(y[j])) - my);
        sxx += gsl_pow_2(log(x[j]) - mx);
    }
    return sxy / sxx;
}

/* Error of (43) against the root of T for w* = w⋄ + δ_j, δ_j = δ_top·2^−j.
 * Expanding T about w⋄ (u = w − w⋄, δ = w* − w⋄, |μ| < σ for Rademacher):
 *     λ(u − δ) + Σ(R'u + ½R''u²) + (E|μ+σξ| − Σ)R = 0,
 * and E|μ+σξ| − Σ = O(μ²) multiplies R = O(δ), so
 *     (43) − W̃ = ½ΣR''λ²δ²/(λ+ΣR')³ + O(δ³):
 * second order, and third order where R'' vanishes (R odd about w⋄).  The
 * local slopes log2(e_{j−1}/e_j) tend to the order p like p + Kδ_j, so the
 * Richardson combination 2s_last − s_prev removes the O(δ) drift; what is
 * left is O(δ²), ≈ 1e-5 at the smallest δ.  Numerical errors: the root is
 * exact to ~1e-15, but R'(w⋄) from aimc_response_dR carries a relative
 * error of ~1e-10, which adds ~1e-10·δ to the error of (43); for the
 * third-order families at the smallest δ (τ·0.2/2⁷ ≈ 1.6e-3τ by default)
 * that is up to ~1 % of the error and moves the extrapolated slope by up
 * to ~0.01 (measured: 2.991 for exponential/Gaussian).  SLOPE_TOL = 0.05
 * covers that five times over and is far below the gap of 1 between
 * neighbouring orders. */
static int slope_study(const family *f, aimc_gnoise noise, slope_result *s, aimc_err *err)
{
    const double Sigma = aimc_gnoise_abs_mean(noise, cfg.sigma_slope), top = delta_top(f);
    s->n = cfg.n_delta;
    double emax = 0;
    for (size_t j = 0; j < s->n; ++j) {
        s->delta[j] = top * ldexp(1.0, -(int)j);
        const mean_dyn m = {&f->r, cfg.lambda, f->wsym + s->delta[j], cfg.sigma_slope, noise};
        double root;
        int st = root_of_T(&m, &root, err);
        if (st)
            return st;
        s->err[j] = pred43(cfg.lambda, m.w_star, Sigma, f->dR, f->wsym) - root;
        emax = fmax(emax, fabs(s->err[j]) / s->delta[j]);
    }
    /* Exact: (43) is the root itself (softbounds with Rademacher noise). */
    s->expected = emax <= 1e-9 ? 0 : odd_about_wsym(f, s) ? 3 : 2;
    const size_t n = s->n;
    if (s->expected == 0) {
        s->slope_fit = s->slope_last = s->slope_extrap = s->c_meas = s->c_pred = NAN;
        return GSL_SUCCESS;
    }
    s->slope_fit = loglog_slope(s->delta, s->err, n);
    s->slope_last = log2(fabs(s->err[n - 2] / s->err[n - 1]));
    s->slope_extrap = 2.0 * s->slope_last - log2(fabs(s->err[n - 3] / s->err[n - 2]));
    const double h = 1e-3 * cfg.tau, w = f->wsym, lam = cfg.lambda;
    const double d2R = (aimc_response_R(&f->r, w + h) - 2.0 * aimc_response_R(&f->r, w) +
                        aimc_response_R(&f->r, w - h)) / (h * h);
    s->c_meas = s->err[n - 1] / gsl_pow_2(s->delta[n - 1]);
    s->c_pred = 0.5 * Sigma * d2R * lam * lam / gsl_pow_3(lam + Sigma * f->dR);
    return GSL_SUCCESS;
}

/* ---- theory curves over Σ ---------------------------------------------------- */

typedef struct {
    double *Sigma;          /* n_grid */
    double *root_g, *root_r, *pred; /* ncoord × n_grid */
} theory_curves;

static int theory_curves_fill(const family *f, double Sigma_max, theory_curves *tc, aimc_err *err)
{
    const size_t ng = cfg.n_grid;
    for (size_t j = 0; j < ng; ++j) {
        const double S = Sigma_max * (double)j / (double)(ng - 1);
        tc->Sigma[j] = S;
        for (size_t i = 0; i < cfg.ncoord; ++i) {
            const size_t at = i * ng + j;
            mean_dyn m = {&f->r, cfg.lambda, cfg.w_star[i], S / sqrt(2.0 / M_PI),
                          AIMC_GNOISE_GAUSSIAN};
            int st = root_of_T(&m, &tc->root_g[at], err);
            m.noise = AIMC_GNOISE_RADEMACHER;
            m.sigma = S;
            if (!st)
                st = root_of_T(&m, &tc->root_r[at], err);
            if (st)
                return st;
            tc->pred[at] = pred43(cfg.lambda, cfg.w_star[i], S, f->dR, f->wsym);
        }
    }
    return GSL_SUCCESS;
}

/* ---- checks ------------------------------------------------------------------ */

/* E|μ + σξ| of a standard Gaussian ξ by quadrature, split at the kink. */
static double abs_integrand(double x, void *p)
{
    const double *ms = p;
    return fabs(ms[0] + ms[1] * x) * exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
}

static double abs_moment_quadrature(double mu, double sigma)
{
    double ms[2] = {mu, sigma}, a, b, e;
    gsl_function f = {abs_integrand, ms};
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(200);
    if (ws == NULL)
        return NAN;
    int st = gsl_integration_qagil(&f, -mu / sigma, 0, 1e-13, 200, ws, &a, &e);
    st |= gsl_integration_qagiu(&f, -mu / sigma, 0, 1e-13, 200, ws, &b, &e);
    gsl_integration_workspace_free(ws);
    return st ? NAN : a + b;
}

/* Closed forms that must hold exactly (SPEC §3.1), on softbounds with the
 * run's τ, λ, σ and W*, and the Gaussian first absolute moment. */
static void sanity_checks(aimc_checklist *cl)
{
    aimc_err err = {0};
    family sb;
    double w43 = 0, wroot = 0, wmom = 0;
    const double lt = cfg.lambda * cfg.tau;
    int st = family_init(&aimc_response_softbounds, &sb, &err);
    for (size_t k = 0; !st && k < cfg.nsigma; ++k)
        for (size_t i = 0; !st && i < cfg.ncoord; ++i) {
            const double ws = cfg.w_star[i], sg = cfg.sigma[k];
            for (int law = AIMC_GNOISE_GAUSSIAN; law <= AIMC_GNOISE_RADEMACHER; ++law) {
                const double S = aimc_gnoise_abs_mean(law, sg);
                w43 = fmax(w43, fabs(pred43(cfg.lambda, ws, S, sb.dR, sb.wsym) - ws * lt / (lt + S)));
            }
            /* |λ(w − w*)| ≤ σ holds at this root, where E|μ ± σ| = σ exactly. */
            const mean_dyn m = {&sb.r, cfg.lambda, ws, sg, AIMC_GNOISE_RADEMACHER};
            double root;
            st = root_of_T(&m, &root, &err);
            wroot = fmax(wroot, fabs(root - lt * ws / (lt + sg)));
        }
    const double x[6] = {-3.0, -1.0, -0.2, 0.0, 0.5, 2.0};
    for (size_t j = 0; j < 6; ++j) {
        const double exact = aimc_gnoise_abs_mean_shifted(AIMC_GNOISE_GAUSSIAN, 0.7 * x[j], 0.7);
        wmom = fmax(wmom, fabs(exact / abs_moment_quadrature(0.7 * x[j], 0.7) - 1.0));
    }
    if (st)
        w43 = wroot = NAN; /* a failed root makes the check fail */
    /* R' by central differences is good to ~1e-10 (response.c), moving (43)
     * by < 1e-10·|w*|; Brent stops at 1e-14 of the range. */
    aimc_check_le(cl, "softbounds: (43) = w* lambda tau/(lambda tau + Sigma), max abs diff",
                  w43, 1e-9 * cfg.tau);
    aimc_check_le(cl, "softbounds, Rademacher: root of T = lambda tau w*/(lambda tau + sigma), "
                      "max abs diff", wroot, 1e-12 * cfg.tau);
    aimc_check_le(cl, "Gaussian E|mu + sigma xi|: closed form = quadrature, max rel diff", wmom,
                  1e-10);
}

static double allowance(const sim_case *c, size_t i, double t)
{
    return t * c->se[i] + fabs(c->bias[i]);
}

/* (i) and (ii) for the cases of one family and noise law (or the sweep). */
static void stat_checks(aimc_checklist *cl, const sim_case *cs, size_t nc, const char *label,
                        double t, int sweep)
{
    double worst_i = 0, worst_ii = INFINITY;
    size_t n = 0;
    for (size_t k = 0; k < nc; ++k) {
        if (cs[k].sweep != sweep)
            continue;
        for (size_t i = 0; i < cfg.ncoord; ++i, ++n) {
            const double a = allowance(&cs[k], i, t);
            worst_i = fmax(worst_i, fabs(cs[k].mean[i] - cs[k].root[i]) / a);
            worst_ii = fmin(worst_ii, fabs(cs[k].mean[i] - cfg.w_star[i]) / a);
        }
    }
    char name[200];
    snprintf(name, sizeof name,
             "(i) %s: |time average - root of T| / (t*SE + |bias|), worst of %zu", label, n);
    aimc_check_le(cl, name, worst_i, 1.0);
    snprintf(name, sizeof name,
             "(ii) %s: 1 < |time average - W*| / (t*SE + |bias|), smallest of %zu", label, n);
    aimc_check_that(cl, name, worst_ii > 1.0, 1.0, worst_ii);
}

/* Batch-means and burn-in validity: both long against the relaxation time. */
static void validity_check(aimc_checklist *cl, const sim_case *cs, size_t nc)
{
    double worst = INFINITY;
    const double L = (double)(cfg.steps / cfg.batches);
    for (size_t k = 0; k < nc; ++k)
        for (size_t i = 0; i < cfg.ncoord; ++i)
            worst = fmin(worst, fmin(L / RELAX_BATCH, cfg.burn_in / RELAX_BURN) / cs[k].relax[i]);
    aimc_check_that(cl,
                    "1 <= batch length / 20 and burn-in / 10 in relaxation times "
                    "1/(alpha h'), worst case",
                    worst >= 1.0, 1.0, worst);
}

static void slope_check(aimc_checklist *cl, const char *label, const slope_result *s)
{
    char name[200];
    if (s->expected == 0) {
        double e = 0;
        for (size_t j = 0; j < s->n; ++j)
            e = fmax(e, fabs(s->err[j]) / s->delta[j]);
        snprintf(name, sizeof name, "(iii) %s: (43) exact here, max |error|/delta", label);
        aimc_check_le(cl, name, e, 1e-9);
        return;
    }
    snprintf(name, sizeof name,
             "(iii) %s: order of (43)'s error, extrapolated slope %.3f vs %d (tol %.2f)", label,
             s->slope_extrap, s->expected, SLOPE_TOL);
    aimc_check_le(cl, name, fabs(s->slope_extrap - s->expected), SLOPE_TOL);
}

/* ---- output ------------------------------------------------------------------- */

static const char *law_name(aimc_gnoise g)
{
    return g == AIMC_GNOISE_GAUSSIAN ? "gaussian" : "rademacher";
}

static void print_cases(const sim_case *cs, size_t nc, double t)
{
    printf("\n%-14s %-10s %5s %6s %6s %20s %9s %9s %9s %7s\n", "family", "noise", "sigma",
           "Sigma", "W*", "limit +- allowance", "root T", "(43)", "bias est", "dev/all");
    for (size_t k = 0; k < nc; ++k)
        for (size_t i = 0; i < cfg.ncoord; ++i) {
            const sim_case *c = &cs[k];
            printf("%-14s %-10s %5.3g %6.3f %6.3f %9.5f +- %7.5f %9.5f %9.5f %9.2e %7.2f%s\n",
                   c->fam_name, law_name(c->noise), c->sigma, c->Sigma, cfg.w_star[i], c->mean[i],
                   allowance(c, i, t), c->root[i], c->pred[i], c->bias[i],
                   (c->mean[i] - c->root[i]) / allowance(c, i, t), c->sweep ? "  (sweep)" : "");
        }
}

static void print_sweep(const sim_case *cs, size_t nc)
{
    printf("\nalpha sweep (%s, %s, sigma = %g): deviation of the time average from the root\n",
           cfg.sweep_family, cfg.sweep_noise, cfg.sweep_sigma);
    printf("%9s %6s %11s %10s %11s %14s\n", "alpha", "W*", "avg - root", "SE", "bias est",
           "(dev-bias)/SE");
    for (size_t k = 0; k < nc; ++k)
        for (size_t i = 0; cs[k].sweep && i < cfg.ncoord; ++i)
            printf("%9.4g %6.3f %11.3e %10.2e %11.3e %14.2f\n", cs[k].alpha, cfg.w_star[i],
                   cs[k].mean[i] - cs[k].root[i], cs[k].se[i], cs[k].bias[i],
                   (cs[k].mean[i] - cs[k].root[i] - cs[k].bias[i]) / cs[k].se[i]);
}

static void print_slope(const char *label, const slope_result *s)
{
    if (s->expected == 0) {
        printf("  %-26s (43) equals the root (error/delta <= 1e-9)\n", label);
        return;
    }
    printf("  %-26s fit %.3f  last %.3f  extrapolated %.3f  (order %d)", label, s->slope_fit,
           s->slope_last, s->slope_extrap, s->expected);
    if (s->expected == 2)
        printf("  err/delta^2 %.4g vs predicted %.4g", s->c_meas, s->c_pred);
    printf("\n");
}

/* One matrix ncoord × m from field `off` of each selected case. */
static int write_field(aimc_h5 *h, const char *grp, const char *name, const sim_case *const *sel,
                       size_t m, size_t off, aimc_err *err)
{
    double buf[MAX_LIST * (MAX_LIST + MAX_LIST)];
    for (size_t i = 0; i < cfg.ncoord; ++i)
        for (size_t k = 0; k < m; ++k) {
            const double *v = (const double *)((const char *)sel[k] + off);
            buf[i * m + k] = v[i];
        }
    char path[200];
    snprintf(path, sizeof path, "%s/%s", grp, name);
    return aimc_h5_write_matrix(h, path, cfg.ncoord, m, buf, err);
}

static int write_allowance(aimc_h5 *h, const char *grp, const sim_case *const *sel, size_t m,
                           double t, aimc_err *err)
{
    double buf[MAX_LIST * (MAX_LIST + MAX_LIST)];
    for (size_t i = 0; i < cfg.ncoord; ++i)
        for (size_t k = 0; k < m; ++k)
            buf[i * m + k] = allowance(sel[k], i, t);
    char path[200];
    snprintf(path, sizeof path, "%s/allowance", grp);
    return aimc_h5_write_matrix(h, path, cfg.ncoord, m, buf, err);
}

/* A group of cases (one family and law over σ, or the sweep over α). */
static int write_cases(aimc_h5 *h, const char *grp, const sim_case *const *sel, size_t m,
                       double t, aimc_err *err)
{
    double x[MAX_LIST + MAX_LIST], y[MAX_LIST + MAX_LIST], z[MAX_LIST + MAX_LIST];
    for (size_t k = 0; k < m; ++k) {
        x[k] = sel[k]->sigma;
        y[k] = sel[k]->Sigma;
        z[k] = sel[k]->alpha;
    }
    char path[200];
    int st = GSL_SUCCESS;
    const char *vn[3] = {"sigma", "Sigma", "alpha"};
    const double *vv[3] = {x, y, z};
    for (int q = 0; q < 3 && !st; ++q) {
        snprintf(path, sizeof path, "%s/%s", grp, vn[q]);
        st = aimc_h5_write_vector(h, path, m, vv[q], err);
    }
    const char *fn[7] = {"limit", "limit_se", "root", "pred43", "bias_est", "spread", "relax"};
    const size_t off[7] = {offsetof(sim_case, mean),   offsetof(sim_case, se),
                           offsetof(sim_case, root),   offsetof(sim_case, pred),
                           offsetof(sim_case, bias),   offsetof(sim_case, spread),
                           offsetof(sim_case, relax)};
    for (int q = 0; q < 7 && !st; ++q)
        st = write_field(h, grp, fn[q], sel, m, off[q], err);
    if (!st)
        st = write_allowance(h, grp, sel, m, t, err);
    snprintf(path, sizeof path, "%s/w_star", grp);
    if (!st)
        st = aimc_h5_write_vector(h, path, cfg.ncoord, cfg.w_star, err);
    if (!st)
        st = aimc_h5_attr_string(h, grp, "algorithm", "asgd", err);
    if (!st)
        st = aimc_h5_attr_string(h, grp, "update", "compact", err);
    if (!st)
        st = aimc_h5_attr_string(h, grp, "response", sel[0]->fam_name, err);
    if (!st)
        st = aimc_h5_attr_string(h, grp, "noise", law_name(sel[0]->noise), err);
    if (!st)
        st = aimc_h5_attr_double(h, grp, "w_sym", sel[0]->fam->wsym, err);
    if (!st)
        st = aimc_h5_attr_double(h, grp, "dR_w_sym", sel[0]->fam->dR, err);
    if (!st)
        st = aimc_h5_attr_double(h, grp, "t_crit", t, err);
    return st;
}

static int write_theory(aimc_h5 *h, const char *fam_name, const family *f,
                        const theory_curves *tc, aimc_err *err)
{
    char grp[160], path[200];
    snprintf(grp, sizeof grp, "/summary/theory/%s", fam_name);
    const size_t ng = cfg.n_grid;
    snprintf(path, sizeof path, "%s/Sigma", grp);
    int st = aimc_h5_write_vector(h, path, ng, tc->Sigma, err);
    const char *nm[3] = {"root_gaussian", "root_rademacher", "pred43"};
    const double *v[3] = {tc->root_g, tc->root_r, tc->pred};
    for (int q = 0; q < 3 && !st; ++q) {
        snprintf(path, sizeof path, "%s/%s", grp, nm[q]);
        st = aimc_h5_write_matrix(h, path, cfg.ncoord, ng, v[q], err);
    }
    if (!st)
        st = aimc_h5_attr_double(h, grp, "w_sym", f->wsym, err);
    if (!st && (f->r.type->params & AIMC_RP_TABLE)) { /* the table itself, for reuse */
        const char *tn[3] = {"node_w", "node_q_plus", "node_q_minus"};
        const double *tv[3] = {f->r.p.node_w, f->r.p.node_qp, f->r.p.node_qm};
        for (int q = 0; q < 3 && !st; ++q) {
            snprintf(path, sizeof path, "%s/%s", grp, tn[q]);
            st = aimc_h5_write_vector(h, path, f->r.p.n_nodes, tv[q], err);
        }
    }
    return st;
}

static int write_slope(aimc_h5 *h, const char *label, const slope_result *s, aimc_err *err)
{
    char grp[160], path[200];
    snprintf(grp, sizeof grp, "/summary/slope/%s", label);
    double e[MAX_DELTA];
    for (size_t j = 0; j < s->n; ++j)
        e[j] = fabs(s->err[j]);
    snprintf(path, sizeof path, "%s/delta", grp);
    int st = aimc_h5_write_vector(h, path, s->n, s->delta, err);
    snprintf(path, sizeof path, "%s/error", grp);
    if (!st)
        st = aimc_h5_write_vector(h, path, s->n, e, err);
    const char *nm[5] = {"slope_fit", "slope_last", "slope_extrap", "err_over_delta2",
                         "err_over_delta2_predicted"};
    const double v[5] = {s->slope_fit, s->slope_last, s->slope_extrap, s->c_meas, s->c_pred};
    for (int q = 0; q < 5 && !st; ++q)
        st = aimc_h5_attr_double(h, grp, nm[q], v[q], err);
    if (!st)
        st = aimc_h5_attr_int(h, grp, "order_expected", s->expected, err);
    return st;
}

/* The PASS/FAIL cases, as a theory check stores them (lib/prog/check.c). */
static int write_checks(aimc_h5 *h, const aimc_checklist *cl, aimc_err *err)
{
    double *pass = malloc((cl->n ? cl->n : 1) * sizeof *pass);
    if (pass == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "out of memory");
    for (size_t i = 0; i < cl->n; ++i)
        pass[i] = cl->pass[i];
    int st = aimc_h5_write_vector(h, "/checks/lhs", cl->n, cl->lhs, err);
    if (!st)
        st = aimc_h5_write_vector(h, "/checks/rhs", cl->n, cl->rhs, err);
    if (!st)
        st = aimc_h5_write_vector(h, "/checks/pass", cl->n, pass, err);
    for (size_t i = 0; !st && i < cl->n; ++i) {
        char attr[32];
        snprintf(attr, sizeof attr, "name%05zu", i);
        st = aimc_h5_attr_string(h, "/checks", attr, cl->name[i], err);
    }
    if (!st)
        st = aimc_h5_attr_int(h, "/checks", "passed", (long long)cl->passed, err);
    if (!st)
        st = aimc_h5_attr_int(h, "/checks", "failed", (long long)cl->failed, err);
    free(pass);
    return st;
}

/* What the figure script needs to find its way around the file. */
static int summary_attrs(aimc_h5 *h, double t, aimc_err *err)
{
    char names[512] = "";
    for (size_t f = 0; f < cfg.nfam; ++f)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", f ? " " : "",
                 cfg.fam[f]->name);
    int st = aimc_h5_attr_string(h, "/summary", "families", names, err);
    if (!st)
        st = aimc_h5_attr_string(h, "/summary", "noise_laws",
                                 cfg.nnoise == 2 ? "gaussian rademacher" : law_name(cfg.noises[0]),
                                 err);
    if (!st)
        st = aimc_h5_attr_int(h, "/summary", "ncoord", (long long)cfg.ncoord, err);
    if (!st)
        st = aimc_h5_attr_int(h, "/summary", "alpha_sweep", cfg.nalpha > 0, err);
    if (!st)
        st = aimc_h5_attr_double(h, "/summary", "t_crit", t, err);
    return st;
}

/* ---- the run ------------------------------------------------------------------ */

/* Every case: families × noise laws × σ at --alpha, then the α sweep (on
 * fams[nfam], the sweep family, which shares a job with its namesake if
 * that is in the list).  Each case draws its noise from its own seed. */
static sim_case *make_cases(family *fams, uint64_t seed, size_t *nc)
{
    const size_t n = cfg.nfam * cfg.nnoise * cfg.nsigma + cfg.nalpha;
    sim_case *cs = calloc(n, sizeof *cs);
    const family *sweep_f = &fams[cfg.nfam];
    for (size_t f = 0; f < cfg.nfam; ++f)
        if (cfg.fam[f] == cfg.sweep_fam)
            sweep_f = &fams[f];
    size_t k = 0;
    for (size_t f = 0; cs && f <= cfg.nfam; ++f)
        for (size_t l = 0; f < cfg.nfam && l < cfg.nnoise; ++l)
            for (size_t s = 0; s < cfg.nsigma; ++s, ++k)
                cs[k] = (sim_case){.fam = &fams[f], .fam_name = cfg.fam[f]->name,
                                   .noise = cfg.noises[l], .sigma = cfg.sigma[s],
                                   .alpha = cfg.alpha, .seed = aimc_seed_derive(seed, k)};
    for (size_t a = 0; cs && a < cfg.nalpha; ++a, ++k)
        cs[k] = (sim_case){.fam = sweep_f, .fam_name = cfg.sweep_fam->name, .noise = cfg.sweep_law,
                           .sigma = cfg.sweep_sigma, .alpha = cfg.alphas[a], .sweep = 1,
                           .seed = aimc_seed_derive(seed, k)};
    *nc = n;
    return cs;
}

/* The cases of one family, as one job. */
static int run_family(sim_case *cs, size_t nc, const family *fam, aimc_err *err)
{
    sim_case *sel[MAX_JOB];
    size_t m = 0;
    for (size_t k = 0; k < nc; ++k)
        if (cs[k].fam == fam)
            sel[m++] = &cs[k];
    if (m == 0)
        return GSL_SUCCESS;
    job j;
    int st = job_init(&j, sel, m, err);
    if (!st)
        st = job_run(&j, err);
    if (!st)
        job_finish(&j);
    job_free(&j);
    return st;
}

/* The simulations: one job per family, the jobs in parallel (--threads).
 * Every case draws from its own seed, so the results do not depend on the
 * thread count or on the order in which the jobs run. */
static int run_cases(sim_case *cs, size_t nc, const family *fams, size_t nfam,
                     const aimc_prog_common *com, aimc_err *err)
{
    aimc_progress bar;
    aimc_progress_start(&bar, com, "thm1", nfam);
    int st = GSL_SUCCESS;
    uint64_t done = 0;
#pragma omp parallel for schedule(dynamic, 1)
    for (long f = 0; f < (long)nfam; ++f) {
        aimc_err e = {0, ""};
        const int s = run_family(cs, nc, &fams[f], &e);
#pragma omp critical(thm1_run)
        {
            if (s && !st) {
                st = s;
                *err = e;
            }
            aimc_progress_update(&bar, ++done);
        }
    }
    aimc_progress_end(&bar);
    return st;
}

/* Write and check every family × law group of cases. */
static int groups_out(aimc_h5 *h, const sim_case *cs, size_t nc, double t, aimc_checklist *cl,
                      aimc_err *err)
{
    int st = GSL_SUCCESS;
    for (size_t f = 0; f < cfg.nfam && !st; ++f)
        for (size_t l = 0; l < cfg.nnoise && !st; ++l) {
            const sim_case *sel[MAX_LIST];
            size_t m = 0;
            for (size_t k = 0; k < nc; ++k)
                if (!cs[k].sweep && cs[k].fam_name == cfg.fam[f]->name &&
                    cs[k].noise == cfg.noises[l])
                    sel[m++] = &cs[k];
            char label[96], grp[128];
            snprintf(label, sizeof label, "%s-%s", cfg.fam[f]->name, law_name(cfg.noises[l]));
            snprintf(grp, sizeof grp, "/runs/%s", label);
            st = write_cases(h, grp, sel, m, t, err);
            stat_checks(cl, sel[0], (size_t)(sel[m - 1] - sel[0]) + 1, label, t, 0);
        }
    const sim_case *sw[MAX_LIST];
    size_t m = 0;
    for (size_t k = 0; k < nc; ++k)
        if (cs[k].sweep)
            sw[m++] = &cs[k];
    if (m > 0 && !st) {
        st = write_cases(h, "/runs/alpha-sweep", sw, m, t, err);
        stat_checks(cl, sw[0], m, "alpha sweep", t, 1);
    }
    return st;
}

/* Theory curves over Σ and the accuracy of (43), per family. */
static int theory_out(aimc_h5 *h, const family *fams, double Sigma_max, aimc_checklist *cl,
                      int quiet, aimc_err *err)
{
    const size_t ng = cfg.n_grid, nn = cfg.ncoord * ng;
    double *buf = malloc((ng + 3 * nn) * sizeof *buf);
    if (buf == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "out of memory");
    theory_curves tc = {buf, buf + ng, buf + ng + nn, buf + ng + 2 * nn};
    int st = GSL_SUCCESS;
    if (!quiet)
        printf("\naccuracy of (43): log-log slope of |(43) - root of T| against |W* - w_sym| "
               "(sigma = %g)\n", cfg.sigma_slope);
    for (size_t f = 0; f < cfg.nfam && !st; ++f) {
        st = theory_curves_fill(&fams[f], Sigma_max, &tc, err);
        if (!st)
            st = write_theory(h, cfg.fam[f]->name, &fams[f], &tc, err);
        for (int law = AIMC_GNOISE_GAUSSIAN; law <= AIMC_GNOISE_RADEMACHER && !st; ++law) {
            slope_result s;
            char label[96];
            snprintf(label, sizeof label, "%s-%s", cfg.fam[f]->name, law_name(law));
            st = slope_study(&fams[f], law, &s, err);
            if (!st)
                st = write_slope(h, label, &s, err);
            if (!st && !quiet)
                print_slope(label, &s);
            if (!st)
                slope_check(cl, label, &s);
        }
    }
    free(buf);
    return st;
}

/* Every family, every case and the fixed point of every case, before any
 * file is touched: a bad combination is bad input (exit 2). */
static sim_case *prepare(family *fams, uint64_t seed, size_t *nc, aimc_err *err)
{
    int st = family_init(cfg.sweep_fam, &fams[cfg.nfam], err);
    for (size_t f = 0; f < cfg.nfam && !st; ++f)
        st = family_init(cfg.fam[f], &fams[f], err);
    sim_case *cs = st ? NULL : make_cases(fams, seed, nc);
    if (!st && cs == NULL)
        AIMC_FAIL(err, GSL_ENOMEM, "out of memory");
    for (size_t k = 0; cs && k < *nc; ++k)
        if (case_theory(&cs[k]) != GSL_SUCCESS) {
            *err = cs[k].err;
            free(cs);
            return NULL;
        }
    return cs;
}

/* Checks, tables, theory curves and the result file, after the runs. */
static int report(aimc_h5 *h, const sim_case *cs, size_t nc, const family *fams,
                  const aimc_prog_common *com, int *claims_ok, aimc_err *err)
{
    /* Student t for batch means, Bonferroni over every asserted (i) and (ii). */
    const double m = 2.0 * (double)(nc * cfg.ncoord);
    const double t = gsl_cdf_tdist_Qinv((1.0 - cfg.confidence) / (2.0 * m), cfg.batches - 1.0);
    double Sigma_max = 0;
    for (size_t k = 0; k < nc; ++k)
        Sigma_max = fmax(Sigma_max, cs[k].sweep ? 0.0 : 1.05 * cs[k].Sigma);
    if (!com->quiet) {
        print_cases(cs, nc, t);
        if (cfg.nalpha)
            print_sweep(cs, nc);
        printf("\nallowance = t*SE + |bias est|, t = %.3f (Student, %u batches, Bonferroni over "
               "%.0f cases at %g family-wise)\n\n", t, cfg.batches, m, cfg.confidence);
    }
    aimc_checklist cl;
    aimc_checklist_init(&cl, com->quiet, 0);
    sanity_checks(&cl);
    validity_check(&cl, cs, nc);
    int st = groups_out(h, cs, nc, t, &cl, err);
    if (!st)
        st = theory_out(h, fams, Sigma_max, &cl, com->quiet, err);
    if (!st)
        st = write_checks(h, &cl, err);
    if (!st)
        st = summary_attrs(h, t, err);
    if (!st)
        printf("%zu passed, %zu failed\n", cl.passed, cl.failed);
    *claims_ok = cl.failed == 0;
    aimc_checklist_free(&cl);
    return st;
}

/* What main prepares before any work or file (prepare_all): the families
 * and the cases. */
typedef struct {
    const aimc_prog_common *com;
    family fams[MAX_FAM + 1]; /* the listed families, then the sweep's */
    size_t nc;
    sim_case *cs;
} prepared;

static int prepare_all(void *ctx, aimc_err *err)
{
    prepared *p = ctx;
    gsl_set_error_handler_off(); /* GSL failures come back as statuses */
    p->cs = prepare(p->fams, p->com->seed, &p->nc, err);
    return p->cs == NULL ? GSL_EINVAL : GSL_SUCCESS;
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    aimc_err err = {0};
    prepared pp = {.com = &com};
    const aimc_prog_start_opts so = {.validate = prepare_all, .ctx = &pp};
    aimc_h5 *h;
    int st;
    int rc = aimc_prog_start(&spec, &so, &com, argc, argv, &h, &st, &err);
    if (rc != AIMC_PROG_RUN) {
        free(pp.cs);
        return aimc_prog_exit_status(rc);
    }
    family *fams = pp.fams;
    sim_case *cs = pp.cs;
    const size_t nc = pp.nc;
    int claims_ok = 0;
    if (!st)
        st = run_cases(cs, nc, fams, cfg.nfam + 1, &com, &err);
    if (!st)
        st = report(h, cs, nc, fams, &com, &claims_ok, &err);
    free(cs);
    return aimc_prog_finish_claims(h, &spec, st, cfg.check && !claims_ok, &err);
}
