/* a-fig4 — Fig. 4 of arXiv 2406.12774 (Paper A): ablations of the Analog
 * SGD error floor over (a) the dynamic range τ, (b) the gradient-noise
 * variance σ², (c) the initial point W₀.
 *
 * Claim (paper): the floor falls as τ grows, grows with σ², and does not
 * depend on W₀.
 *
 * Settings (SPEC §4 row A-fig4, reference/related-papers.md §A.6 "Fig. 4",
 * the authors' S3.1/S3.2/S3.3 scripts), each a flag with the panel's prefix:
 *   (a) --a-*: a-fig3's problem — A 100×40 N(0,1)/2, w* 0.3·N(0,1), loss
 *       MSE/2 (κ = 1), α = 0.03, 2500 steps, noise std 0.1 (noisy reads of
 *       std 0.1/s̄, s̄ the mean singular value of A, as the script),
 *       τ ∈ {1, 1.5, 2, 2.5}, Δw_min = τ/300, BL_max 5000 (4096 here);
 *   (b) --b-*: A 100×50 N(0,1), w* 0.5·N(0,1), MSE/2 (κ = 1), α = 0.1,
 *       τ = 2, Δw_min = 1e-4, 200 steps, noisy reads of std σ for
 *       σ² ∈ {1e-3, 1e-2, 1e-1, 1}, BL_max 5000 (4096 here);
 *   (c) --c-*: A 100×50 N(0,1), w* 0.5·N(0,1), MSELoss (κ = 2), α = 0.1,
 *       τ = 1, Δw_min = 1e-4, 50 steps, noisy reads of std 1e-2/sqrt(50),
 *       BL_max 400; starts W₀ = constants {1e3, 1e2, 1e1, 1, 1e-2} and the
 *       iterates of noise-free Digital GD (same loss and α) after
 *       {10, 20, 30} steps from 0.  Constants beyond the bounds ±τ are
 *       clipped by the device when programmed: with τ = 1 the first four
 *       constants are the same start W₀ = 1 (and, sharing their random
 *       streams, give identical runs).
 * The loss scale κ maps as in a-fig1: step κα on f = ‖Aw − b‖²/(2m), read
 * noise unchanged (digital noise σ/κ).  Plotted: κf/D.  Every panel runs
 * Analog SGD with the kernel and noise path of --analog (default rank1:read,
 * what aihwkit ran); the floor of a curve is the mean of its last --X-tail
 * recorded errors.  The softbounds device is zero-shifted as in the
 * scripts (a no-op: its symmetric point is 0).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "aimc/aimc.h"
#include "aimc/prog.h"

#define MAX_CASE 12

typedef enum { NOISE_NONE, NOISE_READ, NOISE_DIGITAL } noise_path;
static const char *const noise_names[3] = {"none", "read", "digital"};

/* What every panel has. */
typedef struct {
    unsigned n, steps, tail, bl_max;
    double sigma_a, sigma_w, alpha, loss_scale;
} panel_common;

typedef struct {
    unsigned m;
    aimc_device_cli dev; /* τ and Δw_min are per panel */
    const char *analog, *rounding;
    panel_common pa, pb, pc;
    /* (a) */
    const char *a_tau_list, *a_read_scale;
    double a_n_states, a_sigma;
    /* (b) */
    const char *b_sigma2_list;
    double b_tau, b_dw_min;
    /* (c) */
    const char *c_w0_list, *c_pretrain_list;
    double c_tau, c_dw_min, c_sigma;
    int check;
    /* parsed */
    const aimc_update_type *kernel;
    noise_path noise;
    size_t na, nb, nw, ng;
    double a_tau[MAX_CASE], b_sigma2[MAX_CASE], c_w0[MAX_CASE], c_pre[MAX_CASE];
} fig_cfg;

static fig_cfg cfg;

static const char *read_scale_choices(void) { return "mean-sv|none"; }

/* The options every panel has, with the panel's prefix ("a-", ...). */
#define PANEL_OPTIONS(P, pre, tag)                                                                 \
    {pre "n", AIMC_OPT_UINT, &cfg.P.n, 1, 1e5, 0, NULL, "", tag "unknowns D (columns of A)"},      \
    {pre "sigma-a", AIMC_OPT_DOUBLE, &cfg.P.sigma_a, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "",          \
     tag "std of the entries of A"},                                                               \
    {pre "sigma-w", AIMC_OPT_DOUBLE, &cfg.P.sigma_w, 0, 1e6, 0, NULL, "",                          \
     tag "std of the entries of w*"},                                                              \
    {pre "alpha", AIMC_OPT_DOUBLE, &cfg.P.alpha, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",              \
     tag "step size"},                                                                             \
    {pre "loss-scale", AIMC_OPT_DOUBLE, &cfg.P.loss_scale, 0, 1e3, AIMC_OPT_MIN_OPEN, NULL, "",    \
     tag "kappa: the training loss is kappa*f, f = |Aw-b|^2/(2m)"},                                \
    {pre "bl-max", AIMC_OPT_UINT, &cfg.P.bl_max, 1, 4096, 0, NULL, "pulses",                       \
     tag "bit length cap of the pulsed kernels (aihwkit desired_bl)"},                             \
    {pre "steps", AIMC_OPT_UINT, &cfg.P.steps, 1, 1e8, 0, NULL, "",                                \
     tag "gradient computations K"},                                                               \
    {pre "tail", AIMC_OPT_UINT, &cfg.P.tail, 1, 1e8, 0, NULL, "steps",                             \
     tag "floor = mean of the last `tail` recorded errors"}

static const aimc_option options[] = {
    {"m", AIMC_OPT_UINT, &cfg.m, 1, 1e6, 0, NULL, "rows", "samples (rows of A), every panel"},
    {"response", AIMC_OPT_NAME, &cfg.dev.response, 0, 0, 0, aimc_response_type_names, "",
     "response family of the device"},
    {"gamma-res", AIMC_OPT_DOUBLE, &cfg.dev.gamma_res, 0, 700, AIMC_OPT_MIN_OPEN, NULL, "",
     "response exponent (power) or rate (exponential)"},
    {"c-lin", AIMC_OPT_DOUBLE, &cfg.dev.c_lin, -1, 1, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL,
     "", "asymmetry c of the linear families"},
    AIMC_DEVICE_NOISE_OPTIONS(cfg.dev),
    {"analog", AIMC_OPT_STRING, &cfg.analog, 0, 0, 0, NULL, "",
     "Analog SGD as KERNEL:NOISE (kernel rank1|pulsed|compact|float; noise read|digital|none)"},
    AIMC_ROUNDING_OPTION(cfg.rounding),
    PANEL_OPTIONS(pa, "a-", "(a) "),
    {"a-tau-list", AIMC_OPT_STRING, &cfg.a_tau_list, 0, 0, 0, NULL, "",
     "(a) comma-separated tau, each in (0, 1e6]"},
    {"a-n-states", AIMC_OPT_DOUBLE, &cfg.a_n_states, 0, 1e9, AIMC_OPT_MIN_OPEN, NULL, "",
     "(a) states per half range: dw_min = tau / a-n-states"},
    {"a-sigma", AIMC_OPT_DOUBLE, &cfg.a_sigma, 0, 1e3, 0, NULL, "", "(a) gradient-noise std"},
    {"a-read-noise-scale", AIMC_OPT_NAME, &cfg.a_read_scale, 0, 0, 0, read_scale_choices, "",
     "(a) read-noise std = a-sigma / mean singular value of A (the script), or a-sigma"},
    PANEL_OPTIONS(pb, "b-", "(b) "),
    {"b-sigma2-list", AIMC_OPT_STRING, &cfg.b_sigma2_list, 0, 0, 0, NULL, "",
     "(b) comma-separated noise variances sigma^2, each in (0, 1e6]"},
    {"b-tau", AIMC_OPT_DOUBLE, &cfg.b_tau, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "", "(b) tau"},
    {"b-dw-min", AIMC_OPT_DOUBLE, &cfg.b_dw_min, 0, 1e3, AIMC_OPT_MIN_OPEN, NULL, "",
     "(b) response granularity"},
    PANEL_OPTIONS(pc, "c-", "(c) "),
    {"c-w0-list", AIMC_OPT_STRING, &cfg.c_w0_list, 0, 0, 0, NULL, "",
     "(c) constant starts W0, comma-separated, each in (-1e6, 1e6] (clipped to the bounds)"},
    {"c-pretrain-list", AIMC_OPT_STRING, &cfg.c_pretrain_list, 0, 0, 0, NULL, "",
     "(c) Digital GD steps from 0 for the pre-trained starts, comma-separated (or empty)"},
    {"c-tau", AIMC_OPT_DOUBLE, &cfg.c_tau, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "", "(c) tau"},
    {"c-dw-min", AIMC_OPT_DOUBLE, &cfg.c_dw_min, 0, 1e3, AIMC_OPT_MIN_OPEN, NULL, "",
     "(c) response granularity"},
    {"c-sigma", AIMC_OPT_DOUBLE, &cfg.c_sigma, 0, 1e3, 0, NULL, "", "(c) gradient-noise std"},
    AIMC_CHECK_OPTION(cfg.check),
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.m = 100;
    aimc_device_cli_defaults(&cfg.dev);
    cfg.dev.response = "softbounds";
    cfg.dev.zero_shift = 1;
    cfg.analog = "rank1:read";
    cfg.rounding = "stochastic";
    /* Quick (the test, seconds of CPU): 3 repetitions; (a) 1500 steps (the
     * curves are flat after ~1000), (b) 100 steps (flat after ~60), (c) five
     * starts (two constants the device clips to the same W0 = 1, one inside
     * the range, two pre-trained).  Full: the paper's settings, 10
     * repetitions. */
    /* (a): a-fig3's setting. */
    cfg.pa = (panel_common){40, full ? 2500 : 1500, full ? 500 : 300, 4096, 0.5, 0.3, 0.03, 1.0};
    cfg.a_tau_list = "1,1.5,2,2.5";
    cfg.a_n_states = 300;
    cfg.a_sigma = 0.1;
    cfg.a_read_scale = "mean-sv";
    /* (b) */
    cfg.pb = (panel_common){50, full ? 200 : 100, full ? 50 : 25, 4096, 1.0, 0.5, 0.1, 1.0};
    cfg.b_sigma2_list = "1e-3,1e-2,1e-1,1";
    cfg.b_tau = 2.0;
    cfg.b_dw_min = 1e-4;
    /* (c) */
    cfg.pc = (panel_common){50, 50, 10, 400, 1.0, 0.5, 0.1, 2.0};
    cfg.c_w0_list = full ? "1e3,1e2,1e1,1,1e-2" : "1e3,1,1e-2";
    cfg.c_pretrain_list = full ? "10,20,30" : "10,30";
    cfg.c_tau = 1.0;
    cfg.c_dw_min = 1e-4;
    cfg.c_sigma = 1e-2 / sqrt(50.0);
    cfg.check = 0;
    c->reps = full ? 10 : 3;
}

static int parse_analog(const char *s, aimc_err *err)
{
    char buf[64];
    const char *colon = strchr(s, ':');
    int k = -1;
    for (int q = 0; colon && q < 3; ++q)
        if (strcmp(colon + 1, noise_names[q]) == 0)
            k = q;
    cfg.kernel = NULL;
    if (colon && (size_t)(colon - s) < sizeof buf) {
        memcpy(buf, s, (size_t)(colon - s));
        buf[colon - s] = '\0';
        cfg.kernel = aimc_update_type_find(buf);
    }
    if (cfg.kernel == NULL || k < 0)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "invalid argument \"%s\" for --analog: should be KERNEL:NOISE with KERNEL "
                         "one of %s and NOISE one of none|read|digital",
                         s, aimc_update_type_names());
    cfg.noise = (noise_path)k;
    if (cfg.noise == NOISE_DIGITAL && cfg.kernel->needs_factors)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "--analog %s:digital: digital gradient noise needs a dense kernel "
                         "(compact, pulsed or float)",
                         cfg.kernel->name);
    return 0;
}

static int check_tail(const panel_common *p, const char *pre, aimc_err *err)
{
    if (p->tail > p->steps)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "invalid argument \"%u\" for --%stail: should be <= --%ssteps (%u)",
                         p->tail, pre, pre, p->steps);
    return 0;
}

static int check_cfg(void *ctx, aimc_err *err)
{
    (void)ctx;
    int st = parse_analog(cfg.analog, err);
    if (!st)
        st = aimc_parse_list(cfg.a_tau_list, "a-tau-list", 0, 1e6, AIMC_OPT_MIN_OPEN, cfg.a_tau,
                             MAX_CASE, &cfg.na, err);
    if (!st)
        st = aimc_parse_list(cfg.b_sigma2_list, "b-sigma2-list", 0, 1e6, AIMC_OPT_MIN_OPEN,
                             cfg.b_sigma2, MAX_CASE, &cfg.nb, err);
    if (!st)
        st = aimc_parse_list(cfg.c_w0_list, "c-w0-list", -1e6, 1e6,
                             AIMC_OPT_MIN_OPEN | AIMC_LIST_ALLOW_EMPTY, cfg.c_w0, MAX_CASE,
                             &cfg.nw, err);
    if (!st)
        st = aimc_parse_list(cfg.c_pretrain_list, "c-pretrain-list", 0, 1e6,
                             AIMC_OPT_MIN_OPEN | AIMC_LIST_ALLOW_EMPTY, cfg.c_pre, MAX_CASE,
                             &cfg.ng, err);
    for (size_t i = 0; !st && i < cfg.ng; ++i)
        if (cfg.c_pre[i] != floor(cfg.c_pre[i]))
            st = AIMC_FAIL(err, GSL_EINVAL,
                           "invalid argument \"%s\" for --c-pretrain-list: should be whole numbers",
                           cfg.c_pretrain_list);
    if (!st && cfg.nw + cfg.ng == 0)
        st = AIMC_FAIL(err, GSL_EINVAL,
                       "--c-w0-list and --c-pretrain-list: name at least one start");
    if (!st && cfg.nw + cfg.ng > MAX_CASE)
        st = AIMC_FAIL(err, GSL_EINVAL, "--c-w0-list and --c-pretrain-list: at most %d starts",
                       MAX_CASE);
    if (!st && cfg.m < cfg.pa.n && strcmp(cfg.a_read_scale, "mean-sv") == 0)
        st = AIMC_FAIL(err, GSL_EINVAL,
                       "--a-read-noise-scale mean-sv needs --m >= --a-n (got %u < %u); use none",
                       cfg.m, cfg.pa.n);
    if (!st)
        st = check_tail(&cfg.pa, "a-", err);
    if (!st)
        st = check_tail(&cfg.pb, "b-", err);
    if (!st)
        st = check_tail(&cfg.pc, "c-", err);
    return st;
}

static const aimc_prog_spec spec = {
    "a-fig4",
    "Fig. 4 of arXiv 2406.12774 (ablations of the Analog SGD error floor over tau, sigma^2, W0)",
    "the Analog SGD floor falls as tau grows, grows with sigma^2, and does not depend on W0",
    "results/a-fig4.h5",
    options,
    preset,
    NULL,
    check_cfg};

/* Object ids of the panels' problem streams. */
#define OBJ_PROBLEM 100

static int device_of(double tau, double dw_min, aimc_device_params *dp, aimc_err *err)
{
    aimc_device_cli dc = cfg.dev;
    dc.tau = tau;
    dc.dw_min = dw_min;
    return aimc_device_cli_resolve(&dc, dp, err);
}

/* ---- panels and their cases ---------------------------------------------- */

typedef struct {
    char label[32]; /* "tau1", "sigma2-0.01", "w0-1000", "gd10" */
    double x;       /* the varied value: τ, σ², W₀ constant or GD steps */
    double tau, dw_min;
    double sigma;    /* noise std before the read/digital mapping */
    double w0_value; /* constant start (after the device's clipping) */
    double *w0;      /* pre-trained start (n entries), or NULL */
} case_spec;

typedef struct {
    const char *name;   /* "a", "b", "c" */
    const char *varies; /* "tau", "sigma2", "w0" */
    const panel_common *pc;
    aimc_lsq *prob;
    double read_scale; /* read-noise std = sigma / read_scale */
    size_t nc;
    case_spec cs[MAX_CASE];
} panel;

static aimc_lsq_train_params case_params(const panel *p, const case_spec *c)
{
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    aimc_err e;
    device_of(c->tau, c->dw_min, &tp.optim.main.device, &e); /* validated in main */
    tp.algo = &aimc_optim_asgd;
    tp.optim.alpha = p->pc->loss_scale * p->pc->alpha;
    tp.optim.main.update = cfg.kernel;
    tp.optim.main.pulse.bl_max = p->pc->bl_max;
    tp.optim.main.pulse.rounding = aimc_rounding_of(cfg.rounding);
    tp.steps = p->pc->steps;
    tp.w0 = c->w0;
    tp.w0_value = c->w0_value;
    if (cfg.noise == NOISE_DIGITAL) {
        tp.noise = AIMC_GNOISE_GAUSSIAN;
        tp.noise_sigma = c->sigma / p->pc->loss_scale;
    } else if (cfg.noise == NOISE_READ) {
        tp.read_noise = c->sigma / p->read_scale;
    }
    return tp;
}

/* The cases of each panel (devices, noise levels, starts); pre-trained
 * starts and clipping come later (prepare_c), problems in main. */
static void build_panels(panel P[3])
{
    P[0] = (panel){.name = "a", .varies = "tau", .pc = &cfg.pa, .read_scale = 1.0, .nc = cfg.na};
    for (size_t i = 0; i < cfg.na; ++i) {
        case_spec *c = &P[0].cs[i];
        *c = (case_spec){.x = cfg.a_tau[i],
                         .tau = cfg.a_tau[i],
                         .dw_min = cfg.a_tau[i] / cfg.a_n_states,
                         .sigma = cfg.a_sigma};
        snprintf(c->label, sizeof c->label, "tau%g", cfg.a_tau[i]);
    }
    P[1] = (panel){.name = "b", .varies = "sigma2", .pc = &cfg.pb, .read_scale = 1.0, .nc = cfg.nb};
    for (size_t i = 0; i < cfg.nb; ++i) {
        case_spec *c = &P[1].cs[i];
        *c = (case_spec){.x = cfg.b_sigma2[i],
                         .tau = cfg.b_tau,
                         .dw_min = cfg.b_dw_min,
                         .sigma = sqrt(cfg.b_sigma2[i])};
        snprintf(c->label, sizeof c->label, "sigma2-%g", cfg.b_sigma2[i]);
    }
    P[2] = (panel){.name = "c", .varies = "w0", .pc = &cfg.pc, .read_scale = 1.0};
    P[2].nc = cfg.nw + cfg.ng;
    for (size_t i = 0; i < cfg.nw + cfg.ng; ++i) {
        case_spec *c = &P[2].cs[i];
        const int pre = i >= cfg.nw;
        const double x = pre ? cfg.c_pre[i - cfg.nw] : cfg.c_w0[i];
        *c = (case_spec){.x = x,
                         .tau = cfg.c_tau,
                         .dw_min = cfg.c_dw_min,
                         .sigma = cfg.c_sigma,
                         .w0_value = pre ? 0.0 : x};
        snprintf(c->label, sizeof c->label, pre ? "gd%g" : "w0-%g", x);
    }
}

/* The panels P[3] = ctx; every case's device and kernel must be valid
 * before any work or file. */
static int validate_panels(void *ctx, aimc_err *err)
{
    panel *P = ctx;
    build_panels(P);
    int st = 0;
    for (int q = 0; q < 3 && !st; ++q)
        for (size_t i = 0; i < P[q].nc && !st; ++i) {
            const aimc_lsq_train_params tp = case_params(&P[q], &P[q].cs[i]);
            st = device_of(P[q].cs[i].tau, P[q].cs[i].dw_min, &(aimc_device_params){0}, err);
            if (!st)
                st = aimc_optim_validate(tp.algo, &tp.optim, err);
        }
    return st;
}

/* Panel (c): clip the constant starts to the device's bounds (what
 * programming the tile does, so that equal starts are seen as equal), and
 * compute the pre-trained starts: noise-free Digital GD on the same loss
 * (step κα on f) from 0. */
static int prepare_c(panel *p, aimc_err *err)
{
    aimc_device_params dp;
    double lo, hi;
    int st = device_of(cfg.c_tau, cfg.c_dw_min, &dp, err);
    aimc_response_bounds(&dp.response, &lo, &hi);
    for (size_t i = 0; i < p->nc && !st; ++i) {
        case_spec *c = &p->cs[i];
        if (i < cfg.nw) {
            c->w0_value = fmin(fmax(c->x, lo), hi);
            continue;
        }
        if (!(c->w0 = malloc(p->prob->n * sizeof *c->w0)))
            return AIMC_FAIL(err, GSL_ENOMEM, "a-fig4: out of memory");
        aimc_lsq_train_params tp = aimc_lsq_train_default_params();
        tp.algo = &aimc_optim_dsgd;
        tp.optim.alpha = p->pc->loss_scale * p->pc->alpha;
        tp.steps = (unsigned)c->x;
        tp.w0_value = 0.0;
        aimc_lsq_trace tr = {.final_w = c->w0};
        st = aimc_lsq_train(p->prob, &tp, 0, &tr, err);
    }
    return st;
}

/* Problems (one per panel, from the run's seed), read-noise scale of (a),
 * starts of (c). */
static int prepare_panels(panel P[3], uint64_t seed, aimc_err *err)
{
    int st = 0;
    for (int q = 0; q < 3 && !st; ++q) {
        const panel_common *pc = P[q].pc;
        st = aimc_prog_problem(&P[q].prob, cfg.m, pc->n, pc->sigma_a, pc->sigma_w, seed,
                               OBJ_PROBLEM + (uint32_t)q, st, err);
    }
    if (!st && strcmp(cfg.a_read_scale, "mean-sv") == 0)
        st = aimc_lsq_mean_singular_value(P[0].prob, &P[0].read_scale, err);
    if (!st)
        st = prepare_c(&P[2], err);
    return st;
}

static void free_panels(panel P[3])
{
    for (int q = 0; q < 3; ++q) {
        aimc_lsq_free(P[q].prob);
        for (size_t i = 0; i < P[q].nc; ++i)
            free(P[q].cs[i].w0);
    }
}

/* ---- statistics ---------------------------------------------------------- */

/* Mean and standard error of the r paired differences log10 x − log10 y. */
static void paired_log_diff(const double *x, const double *y, size_t r, double *m, double *se)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < r; ++i)
        s += log10(x[i] / y[i]);
    *m = s / r;
    for (size_t i = 0; i < r; ++i)
        s2 += (log10(x[i] / y[i]) - *m) * (log10(x[i] / y[i]) - *m);
    *se = r > 1 ? sqrt(s2 / (r - 1) / r) : 0.0;
}

/* Two-sided Student-t factor at confidence 1 − a for r repetitions (0 when
 * r = 1: then every comparison is a plain one). */
static double t_factor(size_t r, double a)
{
    return r > 1 ? gsl_cdf_tdist_Pinv(1.0 - a / 2.0, (double)(r - 1)) : 0.0;
}

/* ---- running ------------------------------------------------------------- */

static double tail_mean(const double *x, const panel_common *pc)
{
    double s = 0;
    for (unsigned k = pc->steps + 1 - pc->tail; k <= pc->steps; ++k)
        s += x[k];
    return s / pc->tail;
}

/* Every case and repetition of panel p: the plotted error κf/D of case i,
 * repetition r into loss[(i·reps + r)·np + k], floors into
 * fl[i·reps + r].  Repetitions differ in their noise and pulse streams;
 * the cases of one repetition share them. */
static int run_panel(aimc_h5 *h, const panel *p, const aimc_prog_common *com, double *loss,
                     double *fl, aimc_progress *bar, uint64_t *done, aimc_diverged_run *dv,
                     aimc_err *err)
{
    const size_t np = p->pc->steps + 1;
    int st = 0;
    for (size_t i = 0; i < p->nc && !st; ++i) {
        const aimc_lsq_train_params tp = case_params(p, &p->cs[i]);
        for (unsigned r = 0; r < com->reps && !st; ++r) {
            aimc_lsq_trace tr = {.loss = loss + (i * com->reps + r) * np};
            st = aimc_lsq_train(p->prob, &tp, aimc_seed_derive(com->seed, r), &tr, err);
            for (size_t k = 0; k < np; ++k)
                tr.loss[k] *= p->pc->loss_scale / (double)p->prob->n;
            fl[i * com->reps + r] = tail_mean(tr.loss, p->pc);
            aimc_progress_update(bar, ++*done);
            if (st == GSL_ERANGE && tr.diverged) { /* keep what it computed, then stop */
                const char *metric[1] = {"loss"};
                const double *series[1] = {tr.loss};
                char run[160];
                snprintf(run, sizeof run, "/runs/%s-%s", p->name, p->cs[i].label);
                st = aimc_prog_keep_diverged(h, dv, run, r, tr.diverged_step,
                                             tr.diverged_parameter, tr.diverged_value, 1, metric,
                                             series, err);
            }
        }
    }
    return st;
}

static int write_panel(aimc_h5 *h, const panel *p, size_t reps, const double *loss,
                       const double *fl, const double *step, aimc_err *err)
{
    const size_t np = p->pc->steps + 1;
    char path[160], labels[512] = "";
    double x[MAX_CASE], v[4][MAX_CASE];
    int st = 0;
    for (size_t i = 0; i < p->nc && !st; ++i) {
        const case_spec *c = &p->cs[i];
        const aimc_floor_stat f = aimc_floor_stat_of(fl + i * reps, reps);
        x[i] = c->x;
        v[0][i] = f.mean, v[1][i] = f.sd, v[2][i] = f.lmean, v[3][i] = f.lse;
        snprintf(path, sizeof path, "/runs/%s-%s", p->name, c->label);
        st = aimc_h5_write_series(h, path, "loss", reps, np, loss + i * reps * np, step, err);
        if (!st)
            st = aimc_h5_attr_string(h, path, "algorithm", "asgd", err);
        if (!st)
            st = aimc_h5_attr_string(h, path, "kernel", cfg.kernel->name, err);
        if (!st)
            st = aimc_h5_attr_string(h, path, "noise", noise_names[cfg.noise], err);
        if (!st)
            st = aimc_h5_attr_string(h, path, "response", cfg.dev.response, err);
        if (!st)
            st = aimc_h5_attr_double(h, path, "tau", c->tau, err);
        if (!st)
            st = aimc_h5_attr_double(h, path, "dw_min", c->dw_min, err);
        if (!st)
            st = aimc_h5_attr_double(h, path, "noise_std", c->sigma, err);
        if (!st)
            st = aimc_h5_attr_double(h, path, "w0_programmed", c->w0 ? NAN : c->w0_value, err);
        if (!st)
            st = aimc_h5_attr_string(h, path, "varies", p->varies, err);
        snprintf(labels + strlen(labels), sizeof labels - strlen(labels), "%s%s", i ? " " : "",
                 c->label);
    }
    const char *what[4] = {"floor_mean", "floor_std", "floor_log10_mean", "floor_log10_se"};
    snprintf(path, sizeof path, "/summary/%s/%s", p->name, p->varies);
    if (!st)
        st = aimc_h5_write_vector(h, path, p->nc, x, err);
    for (int q = 0; q < 4 && !st; ++q) {
        snprintf(path, sizeof path, "/summary/%s/%s", p->name, what[q]);
        st = aimc_h5_write_vector(h, path, p->nc, v[q], err);
    }
    snprintf(path, sizeof path, "/summary/%s", p->name);
    if (!st)
        st = aimc_h5_attr_string(h, path, "labels", labels, err);
    if (!st)
        st = aimc_h5_attr_double(h, path, "read_noise_scale", p->read_scale, err);
    return st;
}

static void print_panel(const panel *p, const double *fl, size_t reps)
{
    static const char *const title[3] = {"(a) floor against tau", "(b) floor against sigma^2",
                                         "(c) floor against the initial point"};
    const panel_common *pc = p->pc;
    printf("\n  %s — D = %u, alpha = %g, loss scale %g, %u steps, floor = mean of the last %u\n",
           title[p->name[0] - 'a'], pc->n, pc->alpha, pc->loss_scale, pc->steps, pc->tail);
    for (size_t i = 0; i < p->nc; ++i) {
        const aimc_floor_stat f = aimc_floor_stat_of(fl + i * reps, reps);
        const case_spec *c = &p->cs[i];
        char start[48] = "";
        if (p->name[0] == 'c' && c->w0)
            snprintf(start, sizeof start, "Digital GD start");
        else if (p->name[0] == 'c')
            snprintf(start, sizeof start, "programmed W0 = %g", c->w0_value);
        printf("    %-12s %-20s", c->label, start);
        printf("  %10.3e ± %9.2e  (log10 %.3f ± %.3f)\n", f.mean, f.sd, f.lmean, f.lse);
    }
}

/* ---- claims -------------------------------------------------------------- */

/* The claim sheet (lib/prog/claims.c) into /summary. */
static int report_claims(aimc_h5 *h, const aimc_claim *cl, int n, int *all_hold, aimc_err *err)
{
    aimc_claims cs;
    aimc_claims_init(&cs, h, "/summary");
    int st = aimc_claims_report(
        &cs, "\n  claims (Student-t intervals over repetitions on paired log10 floors):\n", cl,
        n, cfg.check, err);
    *all_hold = cs.failed == 0;
    return st;
}

/* The floor moves in direction dir (+1 up, −1 down) as x grows: no
 * neighbour pair (in increasing x) moves clearly against dir, and the last
 * moves clearly along dir from the first (99 % paired intervals).  *total:
 * log10 change from the smallest to the largest x. */
static int monotone(const panel *p, const double *fl, size_t reps, int dir, double *total)
{
    size_t idx[MAX_CASE];
    for (size_t i = 0; i < p->nc; ++i)
        idx[i] = i;
    for (size_t i = 1; i < p->nc; ++i) /* insertion sort by x */
        for (size_t j = i; j > 0 && p->cs[idx[j]].x < p->cs[idx[j - 1]].x; --j) {
            const size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    const double t = t_factor(reps, 0.01);
    double m, se;
    int holds = 1;
    for (size_t i = 0; i + 1 < p->nc; ++i) {
        paired_log_diff(fl + idx[i + 1] * reps, fl + idx[i] * reps, reps, &m, &se);
        holds &= !(dir * m < -t * se);
    }
    paired_log_diff(fl + idx[p->nc - 1] * reps, fl + idx[0] * reps, reps, &m, &se);
    *total = m;
    return holds && dir * m > t * se;
}

static int same_start(const case_spec *a, const case_spec *b)
{
    return !a->w0 && !b->w0 && a->w0_value == b->w0_value;
}

/* What the starts do to the floor, over every pair of distinct starts
 * (starts the device clipped to the same value are one start): paired
 * log10 differences with intervals Bonferroni-corrected so that the family
 * of pairs has 99 % confidence. */
typedef struct {
    size_t npairs;
    int none_clear;   /* no pair differs beyond its interval */
    double worst;     /* largest |mean difference| (decades) */
    double allowed;   /* that pair's interval half-width */
    double bound;     /* largest |mean| + half-width: the effect is below it */
} start_effect;

static start_effect effect_of_start(const panel *p, const double *fl, size_t reps)
{
    start_effect e = {0, 1, 0, 0, 0};
    for (size_t i = 0; i < p->nc; ++i)
        for (size_t j = i + 1; j < p->nc; ++j)
            e.npairs += !same_start(&p->cs[i], &p->cs[j]);
    const double t = t_factor(reps, 0.01 / (double)(e.npairs ? e.npairs : 1));
    for (size_t i = 0; i < p->nc; ++i)
        for (size_t j = i + 1; j < p->nc; ++j) {
            if (same_start(&p->cs[i], &p->cs[j]))
                continue;
            double m, se;
            paired_log_diff(fl + i * reps, fl + j * reps, reps, &m, &se);
            e.none_clear &= fabs(m) <= t * se;
            e.bound = fmax(e.bound, fabs(m) + t * se);
            if (fabs(m) > e.worst) {
                e.worst = fabs(m);
                e.allowed = t * se;
            }
        }
    return e;
}

/* (a), (b): monotone trends (asserted).  (c) asserted: no pair of distinct
 * starts has clearly different floors; reported beside it: the 99 % upper
 * bound on the largest effect of the start, in per cent of the floor. */
static int check_claims(aimc_h5 *h, const panel P[3], double *const fl[3], size_t reps,
                        int *all_hold, aimc_err *err)
{
    aimc_claim cl[4];
    double da = 0, db = 0;
    cl[0].holds = P[0].nc >= 2 && monotone(&P[0], fl[0], reps, -1, &da);
    cl[0].asserted = 1;
    snprintf(cl[0].text, sizeof cl[0].text,
             "(a) the floor falls as tau grows (%+.2f decades from the smallest to the largest "
             "tau)",
             da);
    cl[1].holds = P[1].nc >= 2 && monotone(&P[1], fl[1], reps, +1, &db);
    cl[1].asserted = 1;
    snprintf(cl[1].text, sizeof cl[1].text,
             "(b) the floor grows with sigma^2 (%+.2f decades from the smallest to the largest)",
             db);
    const start_effect e = effect_of_start(&P[2], fl[2], reps);
    cl[2].holds = e.none_clear;
    cl[2].asserted = 1;
    snprintf(cl[2].text, sizeof cl[2].text,
             "(c) the floor does not depend on W0 (%zu pairs of distinct starts; largest "
             "difference %.4f decades, its allowance %.4f)",
             e.npairs, e.worst, e.allowed);
    cl[3].holds = 1;
    cl[3].asserted = 0;
    snprintf(cl[3].text, sizeof cl[3].text,
             "(c) size of the start's effect: below %.2f %% of the floor (99 %% family-wise bound)",
             100.0 * (pow(10.0, e.bound) - 1.0));
    return report_claims(h, cl, 4, all_hold, err);
}

/* Run, write and print every panel; floors into fl[q]. */
static int run_all(aimc_h5 *h, panel P[3], const aimc_prog_common *com, double *fl[3],
                   aimc_diverged_run *dv, aimc_err *err)
{
    aimc_progress bar;
    uint64_t done = 0;
    aimc_progress_start(&bar, com, "a-fig4", (P[0].nc + P[1].nc + P[2].nc) * com->reps);
    int st = 0;
    for (int q = 0; q < 3 && !st; ++q) {
        const size_t np = P[q].pc->steps + 1;
        double *loss = malloc(P[q].nc * com->reps * np * sizeof *loss);
        double *step = malloc(np * sizeof *step);
        fl[q] = malloc(P[q].nc * com->reps * sizeof *fl[q]);
        if (!loss || !step || !fl[q])
            st = AIMC_FAIL(err, GSL_ENOMEM, "a-fig4: out of memory");
        for (size_t k = 0; !st && k < np; ++k)
            step[k] = (double)k;
        if (!st)
            st = run_panel(h, &P[q], com, loss, fl[q], &bar, &done, dv, err);
        if (!st)
            st = write_panel(h, &P[q], com->reps, loss, fl[q], step, err);
        if (!st && !com->quiet) {
            aimc_progress_end(&bar);
            print_panel(&P[q], fl[q], com->reps);
        }
        free(loss);
        free(step);
    }
    aimc_progress_end(&bar);
    return st;
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    aimc_err err = {0};
    panel P[3];
    const aimc_prog_start_opts so = {.validate = validate_panels, .ctx = P};
    aimc_h5 *h;
    int st;
    int rc = aimc_prog_start(&spec, &so, &com, argc, argv, &h, &st, &err);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    if (!st)
        st = prepare_panels(P, com.seed, &err);
    if (!st && !com.quiet)
        printf("a-fig4: Analog SGD with the %s kernel, noise through %s; %u repetition(s)\n",
               cfg.kernel->name, cfg.noise == NOISE_READ ? "noisy reads" : noise_names[cfg.noise],
               com.reps);
    double *fl[3] = {NULL, NULL, NULL};
    aimc_diverged_run dv = {0};
    if (!st)
        st = run_all(h, P, &com, fl, &dv, &err);
    int claims_ok = 1;
    if (!st)
        st = check_claims(h, P, fl, com.reps, &claims_ok, &err);
    if (!st)
        st =
            aimc_h5_attr_string(h, "/paper", "reported",
                                "the Analog SGD asymptotic error decreases as tau increases, "
                                "increases with sigma^2, and does not depend on the initialization",
                                &err);
    free_panels(P);
    for (int q = 0; q < 3; ++q)
        free(fl[q]);
    return aimc_prog_finish_run(h, &spec, st, &dv, cfg.check && !claims_ok, &err);
}
