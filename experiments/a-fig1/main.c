/* a-fig1 — Fig. 1 of arXiv 2406.12774 (Paper A): Digital SGD against Analog
 * SGD on least squares, for several step sizes α.
 *
 * Claim (paper): the asymptotic error of Digital SGD falls with α (∝ α σ²),
 * while Analog SGD keeps a floor that does not vanish as α → 0.
 *
 * Setting (SPEC §4 row A-fig1, reference/related-papers.md §A.6 "Fig. 1",
 * the authors' S1-SGD-diff-lr.py): A 100×40 with N(0,1) entries, w* with
 * 0.45·N(0,1) entries, b = Aw*; full batch; the script trains on MSELoss,
 * i.e. κ·f with κ = 2 and f = ‖Aw − b‖²/(2m) (--loss-scale); gradient noise
 * std σ = 1e-2/sqrt(40); softbounds τ = 3, Δw_min = 1e-4; W₀ = 0;
 * α ∈ {0.2, 0.1, 0.05, 0.03}; 2500 steps; the plotted "learning error" is
 * κ·f/D, and the asymptotic error the mean of its last 20 values.
 *
 * How the noise enters (--analog): Digital SGD always gets σ·N(0,1) added to
 * each gradient entry, as in the script.  Each Analog SGD curve is a pair
 * KERNEL:NOISE — the update kernel of the tile (rank1: stochastic pulse
 * trains per sample with BL_max 800, what aihwkit ran; compact: the model
 * (5); pulsed: a pulse train per element) and where σ enters (read: noisy
 * forward reads y = aᵀw + σ‖a‖ξ, aihwkit's additive-constant weight noise,
 * what the paper's analog runs had; digital: σ on the dense gradient, as the
 * digital run).  Default: rank1:read (the paper's curve) and compact:digital
 * (the model's expectation under the digital run's noise).
 *
 * Mapping the loss scale: a step α on κ·f with noise σ on ∇(κf) is a step
 * κα on f with noise σ/κ on ∇f; a noisy read enters d = κ(y − b)/m, so the
 * read-noise std carries over unchanged.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "aimc/aimc.h"
#include "aimc/prog.h"

#define MAX_ALPHA 16
#define MAX_ANALOG 6

typedef enum { NOISE_NONE, NOISE_READ, NOISE_DIGITAL } noise_path;

typedef struct {
    const aimc_update_type *kernel;
    noise_path noise;
    char label[48]; /* "asgd-rank1-read" */
} analog_curve;

typedef struct {
    unsigned m, n;
    double sigma_a, sigma_w;
    aimc_device_cli dev;
    const char *alpha_list, *analog, *rounding;
    double sigma, loss_scale, w0;
    unsigned bl_max, steps, tail;
    int check;
    /* parsed */
    size_t na, nk;
    double alpha[MAX_ALPHA];
    analog_curve ak[MAX_ANALOG];
} fig_cfg;

static fig_cfg cfg;

static const aimc_option options[] = {
    {"m", AIMC_OPT_UINT, &cfg.m, 1, 1e6, 0, NULL, "rows", "samples (rows of A)"},
    {"n", AIMC_OPT_UINT, &cfg.n, 1, 1e5, 0, NULL, "", "unknowns D (columns of A)"},
    {"sigma-a", AIMC_OPT_DOUBLE, &cfg.sigma_a, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "",
     "std of the entries of A"},
    {"sigma-w", AIMC_OPT_DOUBLE, &cfg.sigma_w, 0, 1e6, 0, NULL, "", "std of the entries of w*"},
    AIMC_DEVICE_OPTIONS(cfg.dev),
    {"alpha-list", AIMC_OPT_STRING, &cfg.alpha_list, 0, 0, 0, NULL, "",
     "comma-separated step sizes alpha, each in (0, 100]"},
    {"sigma", AIMC_OPT_DOUBLE, &cfg.sigma, 0, 1e3, 0, NULL, "",
     "gradient-noise std (digital noise / read-noise std), paper 1e-2/sqrt(40)"},
    {"loss-scale", AIMC_OPT_DOUBLE, &cfg.loss_scale, 0, 1e3, AIMC_OPT_MIN_OPEN, NULL, "",
     "kappa: the training loss is kappa*f, f = |Aw-b|^2/(2m) (2 = MSELoss as the script)"},
    {"analog", AIMC_OPT_STRING, &cfg.analog, 0, 0, 0, NULL, "",
     "Analog SGD curves KERNEL:NOISE,... (kernel rank1|pulsed|compact|float; noise "
     "read|digital|none)"},
    {"bl-max", AIMC_OPT_UINT, &cfg.bl_max, 1, 4096, 0, NULL, "pulses",
     "bit length cap of the pulsed kernels (aihwkit desired_bl)"},
    AIMC_ROUNDING_OPTION(cfg.rounding),
    {"w0", AIMC_OPT_DOUBLE, &cfg.w0, -1e6, 1e6, 0, NULL, "", "initial weight (every entry)"},
    {"steps", AIMC_OPT_UINT, &cfg.steps, 1, 1e8, 0, NULL, "", "gradient computations K"},
    {"tail", AIMC_OPT_UINT, &cfg.tail, 1, 1e8, 0, NULL, "steps",
     "asymptotic error = mean of the last `tail` recorded errors"},
    AIMC_CHECK_OPTION(cfg.check),
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.m = 100;
    cfg.n = 40;
    cfg.sigma_a = 1.0;
    cfg.sigma_w = 0.45;
    aimc_device_cli_defaults(&cfg.dev);
    cfg.dev.response = "softbounds";
    cfg.dev.tau = 3.0;
    cfg.dev.dw_min = 1e-4;
    cfg.alpha_list = "0.2,0.1,0.05,0.03";
    cfg.sigma = 1e-2 / sqrt(40.0);
    cfg.loss_scale = 2.0;
    cfg.analog = "rank1:read,compact:digital";
    cfg.bl_max = 800;
    cfg.rounding = "stochastic";
    cfg.w0 = 0.0;
    /* Quick: the paper's problem and step sizes; 1500 steps (every curve
     * has reached its floor by step ~1000) and 4 repetitions. */
    cfg.steps = full ? 2500 : 1500;
    cfg.tail = 20;
    cfg.check = 0;
    c->reps = full ? 10 : 4;
}

static int parse_analog(const char *s, aimc_err *err)
{
    static const char *const nn[3] = {"none", "read", "digital"};
    char buf[256];
    cfg.nk = 0;
    if (strlen(s) >= sizeof buf)
        return AIMC_FAIL(err, GSL_EINVAL, "--analog: too long");
    strcpy(buf, s);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        analog_curve *a = &cfg.ak[cfg.nk];
        if (cfg.nk == MAX_ANALOG)
            return AIMC_FAIL(err, GSL_EINVAL, "--analog: at most %d curves", MAX_ANALOG);
        if (colon)
            *colon = '\0';
        a->kernel = aimc_update_type_find(tok);
        int k = -1;
        for (int q = 0; colon && q < 3; ++q)
            if (strcmp(colon + 1, nn[q]) == 0)
                k = q;
        if (a->kernel == NULL || k < 0)
            return AIMC_FAIL(
                err, GSL_EINVAL,
                "invalid argument \"%s\" for --analog: should be KERNEL:NOISE,... with "
                "KERNEL one of %s and NOISE one of none|read|digital",
                s, aimc_update_type_names());
        a->noise = (noise_path)k;
        if (a->noise == NOISE_DIGITAL && a->kernel->needs_factors)
            return AIMC_FAIL(err, GSL_EINVAL,
                             "--analog %s:digital: digital gradient noise needs a dense kernel "
                             "(compact, pulsed or float)",
                             a->kernel->name);
        snprintf(a->label, sizeof a->label, "asgd-%s-%s", a->kernel->name, nn[k]);
        for (size_t i = 0; i < cfg.nk; ++i)
            if (strcmp(cfg.ak[i].label, a->label) == 0)
                return AIMC_FAIL(err, GSL_EINVAL,
                                 "invalid argument \"%s\" for --analog: %s:%s appears twice", s,
                                 a->kernel->name, nn[k]);
        cfg.nk++;
    }
    return cfg.nk ? 0 : AIMC_FAIL(err, GSL_EINVAL, "--analog: should name at least one curve");
}

static int check_cfg(void *ctx, aimc_err *err)
{
    (void)ctx;
    int st = aimc_parse_list(cfg.alpha_list, "alpha-list", 0, 100, AIMC_OPT_MIN_OPEN, cfg.alpha,
                             MAX_ALPHA, &cfg.na, err);
    if (!st)
        st = parse_analog(cfg.analog, err);
    if (!st && cfg.tail > cfg.steps)
        st = AIMC_FAIL(err, GSL_EINVAL,
                       "invalid argument \"%u\" for --tail: should be <= --steps (%u)", cfg.tail,
                       cfg.steps);
    return st;
}

static const aimc_prog_spec spec = {
    "a-fig1",
    "Fig. 1 of arXiv 2406.12774 (Digital vs Analog SGD under different step sizes)",
    "the Digital SGD floor falls with alpha (~ alpha sigma^2); the Analog SGD floor does not "
    "vanish as alpha -> 0",
    "results/a-fig1.h5",
    options,
    preset,
    NULL,
    check_cfg};

/* Object id of the problem's random stream. */
#define OBJ_PROBLEM 100

/* The loop's parameters for one curve; ak == NULL is Digital SGD.  The
 * loss scale κ becomes step κα and digital noise σ/κ on ∇f (header). */
static aimc_lsq_train_params curve_params(const analog_curve *ak, double alpha)
{
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    aimc_err e;
    aimc_device_cli_resolve(&cfg.dev, &tp.optim.main.device, &e); /* validated in main */
    tp.algo = ak ? &aimc_optim_asgd : &aimc_optim_dsgd;
    tp.optim.alpha = cfg.loss_scale * alpha;
    tp.optim.main.update = ak ? ak->kernel : &aimc_update_float;
    tp.optim.main.pulse.bl_max = cfg.bl_max;
    tp.optim.main.pulse.rounding = aimc_rounding_of(cfg.rounding);
    tp.steps = cfg.steps;
    tp.w0_value = cfg.w0;
    const noise_path np = ak ? ak->noise : NOISE_DIGITAL;
    if (np == NOISE_DIGITAL) {
        tp.noise = AIMC_GNOISE_GAUSSIAN;
        tp.noise_sigma = cfg.sigma / cfg.loss_scale;
    } else if (np == NOISE_READ) {
        tp.read_noise = cfg.sigma;
    }
    return tp;
}

/* ---- statistics over repetitions ---------------------------------------- */

/* Two-sided 99 % Student-t factor for r repetitions (0 when r = 1: then
 * every comparison is a plain one). */
static double t99(size_t r) { return r > 1 ? gsl_cdf_tdist_Pinv(0.995, (double)(r - 1)) : 0.0; }

/* Least-squares slope of y against x (n points). */
static double ols_slope(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0;
    for (size_t i = 0; i < n; ++i) {
        mx += x[i] / n;
        my += y[i] / n;
    }
    for (size_t i = 0; i < n; ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    return sxx > 0 ? sxy / sxx : 0.0;
}

/* Slope of log10 floor against log10 α, per repetition, then its mean and
 * standard error over repetitions.  fl[a·reps + r]. */
static void slope_stat(const double *fl, size_t reps, double *mean, double *se)
{
    double lx[MAX_ALPHA], ly[MAX_ALPHA], s = 0, s2 = 0;
    for (size_t a = 0; a < cfg.na; ++a)
        lx[a] = log10(cfg.alpha[a]);
    for (size_t r = 0; r < reps; ++r) {
        for (size_t a = 0; a < cfg.na; ++a)
            ly[a] = log10(fl[a * reps + r]);
        const double b = ols_slope(lx, ly, cfg.na);
        s += b;
        s2 += b * b;
    }
    *mean = s / reps;
    *se = reps > 1 ? sqrt(fmax(0.0, (s2 - s * s / reps) / (reps - 1)) / reps) : 0.0;
}

/* ---- what theory says about the digital floor --------------------------- */

/* Stationary Digital SGD on the quadratic f with noise σ' per entry and
 * step α' (one eigenmode λ of H = AᵀA/m: e ← (1 − α'λ)e − α'σ'ξ, so
 * Var e = α'σ'²/(λ(2 − α'λ)) and E f = Σ_λ α'σ'²/(2(2 − α'λ))), reported as
 * the plotted error κ·E f/D, with α' = κα and σ' = σ/κ. */
static int digital_floor_theory(const aimc_lsq *p, double *pred, aimc_err *err)
{
    const size_t n = p->n;
    gsl_matrix *H = gsl_matrix_alloc(n, n);
    gsl_vector *ev = gsl_vector_alloc(n);
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(n);
    int st = (!H || !ev || !ws) ? AIMC_FAIL(err, GSL_ENOMEM, "a-fig1: out of memory") : 0;
    if (!st) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, (int)n, (int)p->m,
                    1.0 / (double)p->m, p->A, (int)n, p->A, (int)n, 0.0, H->data, (int)H->tda);
        gsl_eigen_symm(H, ev, ws);
        const double k = cfg.loss_scale, s = cfg.sigma / k;
        for (size_t a = 0; a < cfg.na; ++a) {
            const double al = k * cfg.alpha[a];
            double f = 0;
            for (size_t i = 0; i < n; ++i) {
                const double lam = gsl_vector_get(ev, i);
                /* α'λ ≥ 2: no stationary law (Digital SGD diverges). */
                f += al * lam < 2.0 ? al * s * s / (2.0 * (2.0 - al * lam)) : INFINITY;
            }
            pred[a] = k * f / (double)n;
        }
    }
    gsl_eigen_symm_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(H);
    return st;
}

/* The paper's analog runs evaluated their recorded loss through the noisy
 * forward read, which adds E[(σ‖a‖ξ)²] to every residual: an offset of
 * κσ²·mean‖a_n‖²/(2D) in the plotted error.  Our curves record the exact
 * loss; the offset is reported so that the two can be compared. */
static double read_offset(const aimc_lsq *p)
{
    double s = 0;
    for (size_t i = 0; i < p->m; ++i) {
        const double an = cblas_dnrm2((int)p->n, p->A + i * p->n, 1);
        s += an * an / (double)p->m;
    }
    return cfg.loss_scale * cfg.sigma * cfg.sigma * s / (2.0 * (double)p->n);
}

/* ---- running the curves -------------------------------------------------- */

static double tail_mean(const double *x)
{
    double s = 0;
    for (unsigned k = cfg.steps + 1 - cfg.tail; k <= cfg.steps; ++k)
        s += x[k];
    return s / cfg.tail;
}

static const char *curve_label(size_t c) { return c == 0 ? "dsgd" : cfg.ak[c - 1].label; }

/* Every repetition of curve c (0 Digital SGD, else cfg.ak[c − 1]) at step
 * size α[a]: the plotted error κf/D into loss (reps × (steps+1)), floors into
 * fl[r].  Repetitions differ in their noise and pulse streams; curves and
 * step sizes of one repetition share them. */
static int run_curve(aimc_h5 *h, aimc_lsq *prob, size_t c, size_t a, const aimc_prog_common *com,
                     double *loss, double *fl, aimc_progress *bar, uint64_t *done,
                     aimc_diverged_run *dv, aimc_err *err)
{
    const unsigned np = cfg.steps + 1;
    const aimc_lsq_train_params tp = curve_params(c ? &cfg.ak[c - 1] : NULL, cfg.alpha[a]);
    int st = 0;
    for (unsigned r = 0; r < com->reps && !st; ++r) {
        aimc_lsq_trace tr = {.loss = loss + (size_t)r * np};
        st = aimc_lsq_train(prob, &tp, aimc_seed_derive(com->seed, r), &tr, err);
        for (unsigned k = 0; k < np; ++k)
            tr.loss[k] *= cfg.loss_scale / (double)prob->n;
        fl[r] = tail_mean(tr.loss);
        aimc_progress_update(bar, ++*done);
        if (st == GSL_ERANGE && tr.diverged) { /* keep what it computed, then stop */
            const char *metric[1] = {"loss"};
            const double *series[1] = {tr.loss};
            char run[128];
            snprintf(run, sizeof run, "/runs/%s-a%g", curve_label(c), cfg.alpha[a]);
            st = aimc_prog_keep_diverged(h, dv, run, r, tr.diverged_step, tr.diverged_parameter,
                                         tr.diverged_value, 1, metric, series, err);
        }
    }
    return st;
}

static int write_curve(aimc_h5 *h, size_t c, size_t a, size_t reps, const double *loss,
                       const double *step, aimc_err *err)
{
    char run[128];
    snprintf(run, sizeof run, "/runs/%s-a%g", curve_label(c), cfg.alpha[a]);
    int st = aimc_h5_write_series(h, run, "loss", reps, cfg.steps + 1, loss, step, err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "algorithm", c ? "asgd" : "dsgd", err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "kernel", c ? cfg.ak[c - 1].kernel->name : "float", err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "noise",
                                 c == 0 || cfg.ak[c - 1].noise == NOISE_DIGITAL ? "digital"
                                 : cfg.ak[c - 1].noise == NOISE_READ            ? "read"
                                                                                : "none",
                                 err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "response", c ? cfg.dev.response : "none (digital)", err);
    if (!st)
        st = aimc_h5_attr_double(h, run, "alpha", cfg.alpha[a], err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "varies", "alpha", err);
    return st;
}

/* ---- summary and claims -------------------------------------------------- */

typedef struct {
    aimc_floor_stat fs[1 + MAX_ANALOG][MAX_ALPHA];
    /* floor minus the Digital SGD floor of the same repetition (paired:
     * the curves of a repetition share their noise streams) */
    double excess[1 + MAX_ANALOG][MAX_ALPHA], excess_se[1 + MAX_ANALOG][MAX_ALPHA];
    double slope[1 + MAX_ANALOG], slope_se[1 + MAX_ANALOG];
    double theory[MAX_ALPHA], theory_slope, offset;
} summary;

static int write_summary(aimc_h5 *h, const summary *s, aimc_err *err)
{
    char path[160], curves[512] = "";
    int st = aimc_h5_write_vector(h, "/summary/alpha", cfg.na, cfg.alpha, err);
    if (!st)
        st = aimc_h5_write_vector(h, "/summary/dsgd/floor_theory", cfg.na, s->theory, err);
    for (size_t c = 0; c <= cfg.nk && !st; ++c) {
        double v[6][MAX_ALPHA];
        const char *what[6] = {"floor_mean",       "floor_std",      "floor_log10_mean",
                               "floor_log10_se",   "excess_mean",    "excess_se"};
        for (size_t a = 0; a < cfg.na; ++a) {
            v[0][a] = s->fs[c][a].mean;
            v[1][a] = s->fs[c][a].sd;
            v[2][a] = s->fs[c][a].lmean;
            v[3][a] = s->fs[c][a].lse;
            v[4][a] = s->excess[c][a];
            v[5][a] = s->excess_se[c][a];
        }
        for (int q = 0; q < 6 && !st; ++q) {
            snprintf(path, sizeof path, "/summary/%s/%s", curve_label(c), what[q]);
            st = aimc_h5_write_vector(h, path, cfg.na, v[q], err);
        }
        snprintf(path, sizeof path, "/summary/%s", curve_label(c));
        if (!st)
            st = aimc_h5_attr_double(h, path, "slope", s->slope[c], err);
        if (!st)
            st = aimc_h5_attr_double(h, path, "slope_se", s->slope_se[c], err);
        snprintf(curves + strlen(curves), sizeof curves - strlen(curves), "%s%s", c ? " " : "",
                 curve_label(c));
    }
    if (!st)
        st = aimc_h5_attr_string(h, "/summary", "curves", curves, err);
    if (!st)
        st = aimc_h5_attr_double(h, "/summary", "theory_slope", s->theory_slope, err);
    if (!st)
        st = aimc_h5_attr_double(h, "/summary", "read_offset", s->offset, err);
    return st;
}

static void print_table(const summary *s, unsigned reps)
{
    printf(
        "\n  asymptotic error (mean of the last %u of %u steps of kappa*f/D), mean ± std over %u "
        "rep(s)\n",
        cfg.tail, cfg.steps, reps);
    printf("  %6s  %10s", "alpha", "DSGD theory");
    for (size_t c = 0; c <= cfg.nk; ++c)
        printf("  %23s", curve_label(c));
    printf("\n");
    for (size_t a = 0; a < cfg.na; ++a) {
        printf("  %6g  %10.3e", cfg.alpha[a], s->theory[a]);
        for (size_t c = 0; c <= cfg.nk; ++c)
            printf("  %10.3e ± %10.2e", s->fs[c][a].mean, s->fs[c][a].sd);
        printf("\n");
    }
    for (size_t c = 1; c <= cfg.nk; ++c) {
        printf("  %s minus Digital SGD (paired, ± standard error):", curve_label(c));
        for (size_t a = 0; a < cfg.na; ++a)
            printf("  %.3g ± %.2g", s->excess[c][a], s->excess_se[c][a]);
        printf("\n");
    }
    printf("  log-log slope d log10(floor) / d log10(alpha): theory %.3f", s->theory_slope);
    for (size_t c = 0; c <= cfg.nk; ++c)
        printf(", %s %.3f ± %.3f", curve_label(c), s->slope[c], s->slope_se[c]);
    printf("\n  the paper's analog error was read through noisy forward passes: + %.3g on its "
           "curves\n",
           s->offset);
}

/* The claim sheet (lib/prog/claims.c) into /summary. */
static int report_claims(aimc_h5 *h, const aimc_claim *cl, int n, int *all_hold, aimc_err *err)
{
    aimc_claims cs;
    aimc_claims_init(&cs, h, "/summary");
    int st = aimc_claims_report(
        &cs, "\n  claims (99 % Student-t intervals over repetitions; log10 of the floors):\n", cl,
        n, cfg.check, err);
    *all_hold = cs.failed == 0;
    return st;
}

/* The paper's own analog curve: pulses from rank-one trains, noisy reads. */
static int is_papers_curve(const analog_curve *ak)
{
    return ak->kernel == &aimc_update_rank1 && ak->noise == NOISE_READ;
}

/* The model's own curve: the compact update (5) under the digital noise. */
static int is_models_curve(const analog_curve *ak)
{
    return ak->kernel == &aimc_update_compact && ak->noise == NOISE_DIGITAL;
}

/* Claims 1–2 (asserted): the digital floor follows the stationary law —
 * its log-log slope, and its level at every α, within the interval. */
static int digital_claims(const summary *s, size_t reps, aimc_claim *cl)
{
    const double t = t99(reps);
    double worst = 0;
    int level = 1;
    for (size_t a = 0; a < cfg.na; ++a) {
        const aimc_floor_stat *d = &s->fs[0][a];
        const double se = d->sd / sqrt((double)reps), dev = fabs(d->mean - s->theory[a]);
        level &= dev <= t * se;
        worst = fmax(worst, se > 0 ? dev / se : (dev > 0 ? INFINITY : 0));
    }
    cl[0].holds = fabs(s->slope[0] - s->theory_slope) <= t * s->slope_se[0] &&
                  s->slope[0] > t * s->slope_se[0];
    cl[0].asserted = 1;
    snprintf(cl[0].text, sizeof cl[0].text,
             "Digital SGD floor falls with alpha as stationary SGD predicts (slope %.3f ± %.3f, "
             "theory %.3f)",
             s->slope[0], t * s->slope_se[0], s->theory_slope);
    cl[1].holds = level;
    cl[1].asserted = 1;
    snprintf(cl[1].text, sizeof cl[1].text,
             "Digital SGD floor level matches the stationary law at every alpha (largest "
             "deviation %.2f standard errors, allowed %.2f)",
             worst, t);
    return 2;
}

/* Analog curve c: 3 its floor exceeds the digital one at the smallest α
 * (paired excess beyond the interval; asserted for the paper's and the
 * model's curves), 4 its log-log slope lies clearly below the digital one
 * (asserted for the paper's curve), 5 the slope is consistent with 0 and
 * 6 the excess is the same at the largest and the smallest α (reported). */
static int analog_claims(const summary *s, size_t reps, size_t c, aimc_claim *cl)
{
    const double t = t99(reps);
    size_t a0 = 0, a1 = 0;
    for (size_t a = 1; a < cfg.na; ++a) {
        a0 = cfg.alpha[a] < cfg.alpha[a0] ? a : a0;
        a1 = cfg.alpha[a] > cfg.alpha[a1] ? a : a1;
    }
    const int paper = is_papers_curve(&cfg.ak[c - 1]), model = is_models_curve(&cfg.ak[c - 1]);
    const double e0 = s->excess[c][a0], se0 = s->excess_se[c][a0];
    const double e1 = s->excess[c][a1], se1 = s->excess_se[c][a1];
    const double ds = s->slope[0] - s->slope[c], dse = hypot(s->slope_se[0], s->slope_se[c]);
    const char *L = curve_label(c);
    cl[0] = (aimc_claim){"", e0 > t * se0, paper || model};
    snprintf(cl[0].text, sizeof cl[0].text,
             "%s floor above Digital SGD at alpha = %g (excess %.3g ± %.2g, %.2f decades)", L,
             cfg.alpha[a0], e0, t * se0, s->fs[c][a0].lmean - s->fs[0][a0].lmean);
    cl[1] = (aimc_claim){"", ds > t * dse, paper};
    snprintf(cl[1].text, sizeof cl[1].text,
             "%s floor flatter in alpha than Digital SGD (slope %.3f vs %.3f, difference %.3f ± "
             "%.3f)",
             L, s->slope[c], s->slope[0], ds, t * dse);
    cl[2] = (aimc_claim){"", fabs(s->slope[c]) <= t * s->slope_se[c], 0};
    snprintf(cl[2].text, sizeof cl[2].text,
             "%s floor independent of alpha (slope %.3f ± %.3f consistent with 0)", L,
             s->slope[c], t * s->slope_se[c]);
    cl[3] = (aimc_claim){"", fabs(e1 - e0) <= t * hypot(se0, se1), 0};
    snprintf(cl[3].text, sizeof cl[3].text,
             "%s excess over Digital SGD independent of alpha (%.3g at alpha = %g, %.3g at %g; "
             "difference %.2g ± %.2g)",
             L, e1, cfg.alpha[a1], e0, cfg.alpha[a0], e1 - e0, t * hypot(se0, se1));
    return 4;
}

static int check_claims(aimc_h5 *h, const summary *s, size_t reps, int *all_hold, aimc_err *err)
{
    aimc_claim cl[2 + 4 * MAX_ANALOG];
    int n = digital_claims(s, reps, cl);
    for (size_t c = 1; c <= cfg.nk; ++c)
        n += analog_claims(s, reps, c, cl + n);
    return report_claims(h, cl, n, all_hold, err);
}

/* Run every curve and step size; floors into fl[(c·na + a)·reps + r]. */
static int run_all(aimc_h5 *h, aimc_lsq *prob, const aimc_prog_common *com, double *fl,
                   aimc_diverged_run *dv, aimc_err *err)
{
    const unsigned np = cfg.steps + 1;
    double *loss = malloc((size_t)com->reps * np * sizeof *loss);
    double *step = malloc(np * sizeof *step);
    int st = (!loss || !step) ? AIMC_FAIL(err, GSL_ENOMEM, "a-fig1: out of memory") : 0;
    for (unsigned k = 0; !st && k < np; ++k)
        step[k] = k;
    aimc_progress bar;
    uint64_t done = 0;
    aimc_progress_start(&bar, com, "a-fig1", (uint64_t)(cfg.nk + 1) * cfg.na * com->reps);
    for (size_t c = 0; c <= cfg.nk && !st; ++c)
        for (size_t a = 0; a < cfg.na && !st; ++a) {
            st = run_curve(h, prob, c, a, com, loss, fl + (c * cfg.na + a) * com->reps, &bar,
                           &done, dv, err);
            if (!st)
                st = write_curve(h, c, a, com->reps, loss, step, err);
        }
    aimc_progress_end(&bar);
    free(loss);
    free(step);
    return st;
}

static void summarize(const aimc_lsq *prob, const double *fl, size_t reps, summary *s)
{
    double lx[MAX_ALPHA], ly[MAX_ALPHA];
    for (size_t c = 0; c <= cfg.nk; ++c) {
        for (size_t a = 0; a < cfg.na; ++a) {
            const double *x = fl + (c * cfg.na + a) * reps, *d = fl + a * reps;
            double m = 0, v = 0;
            s->fs[c][a] = aimc_floor_stat_of(x, reps);
            for (size_t r = 0; r < reps; ++r)
                m += (x[r] - d[r]) / reps;
            for (size_t r = 0; r < reps; ++r)
                v += (x[r] - d[r] - m) * (x[r] - d[r] - m);
            s->excess[c][a] = m;
            s->excess_se[c][a] = reps > 1 ? sqrt(v / (reps - 1) / reps) : 0.0;
        }
        slope_stat(fl + c * cfg.na * reps, reps, &s->slope[c], &s->slope_se[c]);
    }
    for (size_t a = 0; a < cfg.na; ++a) {
        lx[a] = log10(cfg.alpha[a]);
        ly[a] = log10(s->theory[a]);
    }
    s->theory_slope = ols_slope(lx, ly, cfg.na);
    s->offset = read_offset(prob);
}

/* Every curve's kernel must be valid before any work or file (after the
 * device, which aimc_prog_start resolves). */
static int validate_curves(void *ctx, aimc_err *err)
{
    (void)ctx;
    int bad = 0;
    for (size_t c = 0; c <= cfg.nk && !bad; ++c) {
        const aimc_lsq_train_params tp = curve_params(c ? &cfg.ak[c - 1] : NULL, cfg.alpha[0]);
        bad = aimc_optim_validate(tp.algo, &tp.optim, err);
    }
    return bad;
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    aimc_err err = {0};
    aimc_device_params dp;
    const aimc_prog_start_opts so = {.device = &cfg.dev, .dp = &dp, .validate = validate_curves};
    aimc_h5 *h;
    int st;
    int rc = aimc_prog_start(&spec, &so, &com, argc, argv, &h, &st, &err);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    /* One problem for every curve and repetition (the script's seed 42). */
    aimc_lsq *prob;
    st = aimc_prog_problem(&prob, cfg.m, cfg.n, cfg.sigma_a, cfg.sigma_w, com.seed, OBJ_PROBLEM,
                           st, &err);
    double *fl = malloc((cfg.nk + 1) * cfg.na * com.reps * sizeof *fl);
    if (!st && fl == NULL)
        st = AIMC_FAIL(&err, GSL_ENOMEM, "a-fig1: out of memory");
    summary s;
    if (!st)
        st = digital_floor_theory(prob, s.theory, &err);
    if (!st && !com.quiet)
        printf("a-fig1: D = %u, m = %u, tau = %g, dw_min = %g, sigma = %.4g, loss scale %g, "
               "%u steps\n",
               cfg.n, cfg.m, cfg.dev.tau, cfg.dev.dw_min, cfg.sigma, cfg.loss_scale, cfg.steps);
    aimc_diverged_run dv = {0};
    if (!st)
        st = run_all(h, prob, &com, fl, &dv, &err);
    int claims_ok = 1;
    if (!st) {
        summarize(prob, fl, com.reps, &s);
        st = write_summary(h, &s, &err);
        if (!com.quiet)
            print_table(&s, com.reps);
    }
    if (!st && cfg.na >= 2)
        st = check_claims(h, &s, com.reps, &claims_ok, &err);
    if (!st)
        st = aimc_h5_attr_string(h, "/paper", "reported",
                                 "Digital SGD error decreases with alpha; Analog SGD error "
                                 "plateaus at a non-zero level as alpha -> 0",
                                 &err);
    aimc_lsq_free(prob);
    free(fl);
    return aimc_prog_finish_run(h, &spec, st, &dv, cfg.check && !claims_ok, &err);
}
