/* rlv2 — the digital buffer and threshold transfer of Residual Learning v2,
 * (14)–(15) of arXiv 2502.06309 (SPEC §2 "Residual learning v2", §3.7;
 * reference/paper.md §4.6), through aimc_optim "rlv2" and aimc_optim_buffer.
 *
 *     H_{k+½} = (1 − β)H_k + β(P_{k+1} + ε_{k+1})                          (14)
 *     where |H_{k+½}| ≥ Δw_min: one pulse of sign(H_{k+½}) into W,
 *     H_{k+1} = H_{k+½} − sign(H_{k+½})·Δw_min; elsewhere H_{k+1} = H_{k+½}.
 *
 * Checks.
 *  settle   For fixed P (α = 0) and read noise ε ~ N(0, σ_ε²), (14) is an
 *           exponential moving average of P + ε: its bias decays as (1 − β)^k
 *           and at stationarity E‖H − P‖² = n·β·σ_ε²/(2 − β) exactly — a
 *           squared radius O(β).  Per β ∈ --beta-list: the time average over
 *           200/β steps after a burn-in of 15/β, against the formula within
 *           t·se; and the least-squares slope of log E‖H − P‖² against log β
 *           against the slope of the formula on the same β (≈ 1).  The main
 *           array's Δw_min is set far above |H| so no pulse fires (checked).
 *  pulse    On an ideal main array (q± ≡ 1, no cycle noise) a pulse moves an
 *           element by exactly ±Δw_min, so s_k = (W_{k+1} − W_k)/Δw_min counts
 *           the pulses of step k.  Every element and step: s_k is an integer
 *           (to 1e-6, round-off of w ± Δw_min), |s_k| ≤ 1, and the firing
 *           rule holds: with H_{k+½} = H_{k+1} + s_kΔw_min, s_k ≠ 0 exactly
 *           when |H_{k+½}| ≥ Δw_min, with s_k = sign(H_{k+½}).  Scenarios where
 *           one step's increment δ_k = H_{k+½} − H_k can exceed Δw_min, so a
 *           transfer that sent |H|/Δw_min pulses would send several.
 *  bound    |H_{k+1}| < Δw_min + |δ_k| at every step.  Derived: if every
 *           |δ_j| ≤ Δw_min then by induction |H_k| < 2Δw_min, and a firing
 *           step leaves |H_{k+1}| = |H_k + δ_k| − Δw_min < Δw_min + |δ_k|; a
 *           quiet step leaves |H_{k+1}| < Δw_min.  Scenarios with small
 *           increments; the precondition max|δ| ≤ Δw_min is measured and a
 *           run that breaks it does not count as a test (it fails).
 * Runs: RL-v2 on f = ½Σλ_i(w_i − w*_i)², λ = (1, ½), w* = (0.4, −0.3), W₀ =
 * w* + (0.05, −0.05), P₀ = 0 on softbounds (τ = 1) with the compact update,
 * α = 0.05, γ = 0.5, Gaussian gradient noise 0.1; --reps repetitions as the
 * blocks of one tile (every kernel here is element-wise), K = --steps.
 *
 * Negative control (every case must FAIL): settle — the TT-v2 buffer law
 * H ← H + β(P + ε) (no decay) in place of (14): H drifts away from P;
 * pulse — the update called twice per step (two transfers); bound — β ten
 * times larger, so one step's increment exceeds Δw_min and one pulse per
 * step cannot drain the buffer.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>

#include "aimc/aimc.h"
#include "aimc/check.h"

#define MAX_LIST 16
#define NDIM 2

typedef struct {
    const char *beta_list;
    double read_noise; /* σ_ε of the settling runs */
    unsigned steps;    /* K of the transfer runs */
    double level;
    int negative;
    size_t nb;
    double beta[MAX_LIST];
} rlv2_cfg;

static rlv2_cfg cfg;

static const aimc_option options[] = {
    {"beta-list", AIMC_OPT_STRING, &cfg.beta_list, 0, 0, 0, NULL, "",
     "buffer rates beta of the settling runs, comma-separated, each in (0, 1)"},
    {"read-noise", AIMC_OPT_DOUBLE, &cfg.read_noise, 0, 10, AIMC_OPT_MIN_OPEN, NULL, "",
     "std sigma_eps of the transfer read noise in the settling runs"},
    {"steps", AIMC_OPT_UINT, &cfg.steps, 10, 1e8, 0, NULL, "steps", "length of the transfer runs"},
    {"level", AIMC_OPT_DOUBLE, &cfg.level, 0, 0.5, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL, "",
     "one-sided false-alarm probability of each statistical case"},
    {"negative-control", AIMC_OPT_FLAG, &cfg.negative, 0, 0, 0, NULL, "",
     "wrong buffer law, doubled transfers, oversized increments: every case must FAIL"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.beta_list = full ? "0.001,0.003,0.01,0.03,0.1,0.3" : "0.003,0.01,0.03,0.1,0.3";
    cfg.read_noise = 0.05;
    cfg.steps = full ? 100000 : 5000;
    cfg.level = 1e-4;
    cfg.negative = 0;
    c->reps = full ? 64 : 16;
}

static int check_cfg(void *ctx, aimc_err *err)
{
    (void)ctx;
    if (aimc_check_parse_list("beta-list", cfg.beta_list, 0, 1, MAX_LIST, cfg.beta, &cfg.nb, err))
        return GSL_EINVAL;
    if (cfg.nb < 2)
        return AIMC_FAIL(err, GSL_EINVAL, "--beta-list: the slope needs at least 2 values");
    return 0;
}

static const aimc_prog_spec spec = {
    "check-rlv2",
    "the RL-v2 buffer (14)-(15) and its threshold transfer (arXiv 2502.06309)",
    "the buffer settles within O(beta) of a fixed P; the transfer fires at most one pulse per "
    "element and step and keeps |H| < dw_min + one step's increment",
    NULL,
    options,
    preset,
    NULL,
    check_cfg};

static const double LAMBDA[NDIM] = {1.0, 0.5}, WSTAR[NDIM] = {0.4, -0.3};

/* RL-v2 (or, for the negative control of the settling case, TT-v2) on a
 * 1 × n tile: main array ideal with granularity dw_min, residual array
 * softbounds τ = 1 with the compact update. */
static aimc_optim *buffer_alloc(int ttv2, double alpha, double beta, double dw_min,
                                double read_noise, size_t n, uint64_t seed, aimc_err *err)
{
    aimc_optim_params op = aimc_optim_default_params();
    aimc_response_params rp = aimc_response_default_params();
    if (aimc_response_init(&op.main.device.response, &aimc_response_ideal, &rp, err))
        return NULL;
    op.main.device.dw_min = dw_min;
    op.main.update = op.residual.update = &aimc_update_compact;
    op.alpha = alpha;
    op.beta = beta;
    op.gamma = ttv2 ? 0.0 : 0.5;
    op.read_noise = read_noise;
    op.transfer_every = 1;
    op.n_col = 0;
    return aimc_optim_alloc(ttv2 ? &aimc_optim_ttv2 : &aimc_optim_rlv2, &op, 1, n, seed, err);
}

/* ---- settle: the buffer law for a fixed P ---------------------------------- */

/* Time-averaged ‖H − P‖² of each of R repetitions; *fired counts pulses. */
static int settle_run(double beta, size_t R, uint64_t seed, double *r2, double *fired,
                      aimc_err *err)
{
    static const double p_fixed[NDIM] = {0.5, -0.3};
    const size_t N = NDIM * R;
    /* Δw_min = 1e3 ≫ |H|: the threshold never fires, (14) runs alone. */
    aimc_optim *o = buffer_alloc(cfg.negative, 0.0, beta, 1e3, cfg.read_noise, N, seed, err);
    double *p = malloc(N * sizeof *p), *zero = calloc(N, sizeof *zero);
    int rc = o == NULL ? GSL_EFAILED : 0;
    if (!rc && (!p || !zero))
        rc = AIMC_FAIL(err, GSL_ENOMEM, "rlv2: out of memory");
    for (size_t k = 0; !rc && k < N; ++k)
        p[k] = p_fixed[k % NDIM];
    if (!rc)
        aimc_optim_set_weights(o, zero, p); /* W = 0, P fixed, H = 0 */
    const unsigned burn = (unsigned)ceil(15.0 / beta), T = (unsigned)ceil(200.0 / beta);
    memset(r2, 0, R * sizeof *r2);
    aimc_grad g = {1, N, zero, 0, NULL, NULL, 1.0}; /* α = 0: P stays put */
    for (unsigned k = 0; !rc && k < burn + T; ++k) {
        rc = aimc_optim_step(o, &g, err);
        const double *H = aimc_optim_buffer(o);
        for (size_t i = 0; !rc && k >= burn && i < N; ++i)
            r2[i / NDIM] += (H[i] - p[i]) * (H[i] - p[i]);
    }
    for (size_t r = 0; r < R; ++r)
        r2[r] /= T;
    *fired = o ? (double)aimc_tile_pulse_count(aimc_optim_main_tile(o)) : 0;
    aimc_optim_free(o);
    free(p);
    free(zero);
    return rc;
}

typedef struct {
    aimc_checklist *cl;
    const aimc_prog_common *com;
    double t;
} checker;

static int check_settle(checker *ck, aimc_err *err)
{
    const size_t R = ck->com->reps;
    double *r2 = malloc(R * sizeof *r2), x[MAX_LIST], y[MAX_LIST], se[MAX_LIST], yth[MAX_LIST];
    if (r2 == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "rlv2: out of memory");
    const double s2 = cfg.read_noise * cfg.read_noise;
    int rc = 0;
    for (size_t j = 0; j < cfg.nb && !rc; ++j) {
        double fired;
        rc = settle_run(cfg.beta[j], R, aimc_seed_derive(ck->com->seed, j), r2, &fired, err);
        if (rc)
            break;
        const aimc_estimate e = aimc_check_mean_se(r2, R, 1);
        const double th = NDIM * cfg.beta[j] * s2 / (2.0 - cfg.beta[j]); /* stationary EMA */
        x[j] = log(cfg.beta[j]);
        y[j] = log(e.mean);
        se[j] = e.se / e.mean;
        yth[j] = log(th);
        char name[160];
        snprintf(name, sizeof name,
                 "settle%s beta=%g E|H-P|^2=%.4g vs n*beta*s^2/(2-beta)=%.4g se=%.2g pulses=%g",
                 cfg.negative ? " (TT-v2 law)" : "", cfg.beta[j], e.mean, th, e.se, fired);
        aimc_check_that(ck->cl, name, fired == 0 && fabs(e.mean - th) <= ck->t * e.se, e.mean, th);
    }
    if (!rc) { /* the formula's slope, fitted with the same weights */
        const aimc_estimate s = aimc_check_wls(x, y, se, cfg.nb, 1);
        const aimc_estimate sth = aimc_check_wls(x, yth, se, cfg.nb, 1);
        char name[160];
        snprintf(name, sizeof name, "settle%s slope of log E|H-P|^2 vs log beta=%.3f (formula %.3f) se=%.3f",
                 cfg.negative ? " (TT-v2 law)" : "", s.mean, sth.mean, s.se);
        aimc_check_that(ck->cl, name, fabs(s.mean - sth.mean) <= ck->t * s.se, s.mean, sth.mean);
    }
    free(r2);
    return rc;
}

/* ---- pulse and bound: the threshold transfer --------------------------------- */

typedef struct {
    double beta, dw_min, read_noise;
} scenario;

typedef struct {
    double max_pulses;   /* max |s_k| */
    double max_nonint;   /* max |s_k − round(s_k)| */
    double max_excess;   /* max (|H_{k+1}| − Δw_min − |δ_k|)/Δw_min */
    double max_delta;    /* max |δ_k|/Δw_min */
    double max_h;        /* max |H_k|/Δw_min */
    double fired;        /* pulses in all */
    double inconsistent; /* steps where the firing rule does not hold */
    double crowded;      /* element-steps with |H_{k+½}| ≥ 2Δw_min */
} transfer_stats;

/* What one element did in one step (W, H before: w0, h0; after: w1, h1). */
static void audit(double w0, double w1, double h0, double h1, double dw, transfer_stats *ts)
{
    const double sr = (w1 - w0) / dw, s = rint(sr);
    const double half = h1 + s * dw, delta = half - h0; /* H_{k+½} and δ_k */
    ts->max_pulses = fmax(ts->max_pulses, fabs(s));
    ts->max_nonint = fmax(ts->max_nonint, fabs(sr - s));
    ts->max_excess = fmax(ts->max_excess, (fabs(h1) - dw - fabs(delta)) / dw);
    ts->max_delta = fmax(ts->max_delta, fabs(delta) / dw);
    ts->max_h = fmax(ts->max_h, fabs(h1) / dw);
    ts->fired += fabs(s);
    /* firing rule, to a relative 1e-9 for the rounding of H ± Δw_min */
    const int fires = fabs(half) >= dw * (1 - 1e-9), quiet = fabs(half) < dw * (1 + 1e-9);
    ts->inconsistent += s == 0 ? !quiet : !(fires && s == (half > 0 ? 1 : -1));
    ts->crowded += fabs(half) >= 2 * dw;
}

static int transfer_run(const scenario *sc, int twice, size_t R, uint64_t seed, transfer_stats *ts,
                        aimc_err *err)
{
    const size_t N = NDIM * R;
    aimc_optim *o = buffer_alloc(0, 0.05, sc->beta, sc->dw_min, sc->read_noise, N, seed, err);
    double *w0 = malloc(N * sizeof *w0), *h0 = malloc(N * sizeof *h0), *g = malloc(N * sizeof *g);
    int rc = o == NULL ? GSL_EFAILED : 0;
    if (!rc && (!w0 || !h0 || !g))
        rc = AIMC_FAIL(err, GSL_ENOMEM, "rlv2: out of memory");
    for (size_t k = 0; !rc && k < N; ++k)
        w0[k] = WSTAR[k % NDIM] + (k % NDIM ? -0.05 : 0.05);
    if (!rc)
        aimc_optim_set_weights(o, w0, NULL);
    memset(ts, 0, sizeof *ts);
    ts->max_excess = -INFINITY;
    aimc_stream noise;
    aimc_stream_init(&noise, seed, AIMC_PURPOSE(90, AIMC_ROLE_GRADNOISE), 0, 0);
    for (unsigned k = 0; !rc && k < cfg.steps; ++k) {
        memcpy(w0, aimc_optim_weights(o), N * sizeof *w0);
        memcpy(h0, aimc_optim_buffer(o), N * sizeof *h0);
        const double *q = aimc_optim_query_point(o);
        for (size_t i = 0; i < N; ++i)
            g[i] = LAMBDA[i % NDIM] * (q[i] - WSTAR[i % NDIM]);
        aimc_gnoise_add(g, N, AIMC_GNOISE_GAUSSIAN, 0.1, &noise);
        aimc_grad gr = {1, N, g, 0, NULL, NULL, 1.0};
        rc = aimc_optim_step(o, &gr, err);
        if (!rc && twice) /* negative control: a second transfer in the same step */
            rc = aimc_optim_step(o, &gr, err);
        const double *w1 = aimc_optim_weights(o), *h1 = aimc_optim_buffer(o);
        for (size_t i = 0; !rc && i < N; ++i)
            audit(w0[i], w1[i], h0[i], h1[i], sc->dw_min, ts);
    }
    aimc_optim_free(o);
    free(w0);
    free(h0);
    free(g);
    return rc;
}

/* Increments that can exceed Δw_min: the one-pulse cap is exercised. */
static const scenario PULSE_SCENARIOS[3] = {{0.3, 1e-3, 0.05}, {0.5, 1e-2, 0.05}, {0.1, 1e-3, 0.02}};
/* Increments below Δw_min: the precondition of the |H| bound. */
static const scenario BOUND_SCENARIOS[3] = {{0.05, 1e-2, 0.0}, {0.05, 1e-2, 0.02}, {0.005, 1e-3, 0.02}};

static int check_transfers(checker *ck, aimc_err *err)
{
    const size_t R = ck->com->reps;
    transfer_stats ts;
    char name[200];
    int rc = 0;
    for (int i = 0; i < 3 && !rc; ++i) {
        const scenario *sc = &PULSE_SCENARIOS[i];
        rc = transfer_run(sc, cfg.negative, R, aimc_seed_derive(ck->com->seed, 100 + i), &ts, err);
        snprintf(name, sizeof name,
                 "pulse%s beta=%g dw_min=%g eps=%g max pulses/step=%g firing-rule misses=%g "
                 "fired=%g (|H|>=2dw_min: %g)",
                 cfg.negative ? " (update twice)" : "", sc->beta, sc->dw_min, sc->read_noise,
                 ts.max_pulses, ts.inconsistent, ts.fired, ts.crowded);
        if (!rc)
            aimc_check_that(ck->cl, name,
                            ts.max_pulses <= 1 && ts.max_nonint <= 1e-6 && ts.inconsistent == 0 &&
                                ts.fired > 0,
                            ts.max_pulses, 1.0);
    }
    for (int i = 0; i < 3 && !rc; ++i) {
        scenario sc = BOUND_SCENARIOS[i];
        if (cfg.negative)
            sc.beta *= 10; /* increments above Δw_min */
        rc = transfer_run(&sc, 0, R, aimc_seed_derive(ck->com->seed, 200 + i), &ts, err);
        snprintf(name, sizeof name,
                 "bound%s beta=%g dw_min=%g eps=%g max(|H|-dw_min-|delta|)/dw_min=%.3g "
                 "max|delta|/dw_min=%.3g max|H|/dw_min=%.3g fired=%g",
                 cfg.negative ? " (beta x10)" : "", sc.beta, sc.dw_min, sc.read_noise,
                 ts.max_excess, ts.max_delta, ts.max_h, ts.fired);
        if (!rc)
            aimc_check_that(ck->cl, name,
                            (cfg.negative || ts.max_delta <= 1) && ts.max_excess < 0 &&
                                ts.fired > 0,
                            ts.max_excess, 0.0);
    }
    return rc;
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    const aimc_prog_start_opts so = {.reps_min = 2, .reps_max = UINT_MAX};
    int rc = aimc_prog_start(&spec, &so, &com, argc, argv, NULL, NULL, NULL);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    aimc_checklist cl;
    aimc_checklist_init(&cl, com.quiet, cfg.negative);
    checker ck = {&cl, &com, gsl_cdf_tdist_Qinv(cfg.level, com.reps - 1.0)};
    aimc_err err = {0, ""};
    if (!com.quiet)
        printf("# margins t = %.2f (level %g, %u reps)\n", ck.t, cfg.level, com.reps);
    int st = check_settle(&ck, &err);
    if (!st)
        st = check_transfers(&ck, &err);
    if (st) {
        aimc_checklist_free(&cl);
        return aimc_prog_fail(&spec, &err, NULL, 1);
    }
    rc = aimc_checklist_finish(&cl, &spec, &com);
    aimc_checklist_free(&cl);
    return rc;
}
