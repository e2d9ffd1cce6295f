/* theory-rates — the convergence rates of SPEC §3 side by side: measured
 * error against the horizon K for
 *   Analog SGD with noisy gradients (Thm 2 / Paper A): a floor ∝ σ²S_K;
 *   Analog GD without noise (Thm 6, (137)): O(1/K), no floor;
 *   residual learning with a zero-shifted P (Thm 3 / Cor. 1): O(K^(−1/2)),
 * with the theoretical bounds drawn in (arXiv 2502.06309 and 2406.12774).
 *
 * Setting (every item a flag): f = ½Σλ_i(w_i − w*_i)², λ = (1, ½) (L = 1,
 * μ = ½), w* = (0.4, −0.3), W₀ = P₀ = 0; softbounds τ on every array (P
 * zero-shifted); compact update (5); Gaussian gradient noise σ per
 * coordinate (σ² = 2σ_c² in the theorems).  Error of all three curves:
 * E_K = (1/K)Σ_{k<K} ‖∇f(W_k)‖² at the main array (the weights one keeps).
 *   Analog SGD  α = sqrt((f(W₀) − f*)/(σ²LK)) (F_max = 1); bound: Paper A,
 *               4·sqrt((f(W₀) − f*)σ²L/K)/(1 − W_max²/τ²) + 2σ²S_K,
 *               S_K = (1/K)Σ_{k≤K} (‖W_k‖²_∞/τ²)/(1 − ‖W_k‖²_∞/τ²), measured.
 *   Analog GD   σ = 0, α = 1/(LF_max); bound (137): 2L(f(W₀) − f*)F_max²/(K·M_min),
 *               M_min = min over k < K of min q₊q₋(W_k), measured.
 *   RL          γ, α = min(a₀K^(−1/2), 1/(4LF_max)), a₀ = sqrt((f(W₀) − f*)/(σ²L)),
 *               β = b·α·γ^(3/2); Thm 3 gives the rate sqrt((f(W₀) − f*)σ²L/K)
 *               with an unstated constant — drawn with constant 1.
 * Each horizon K is its own run (the step sizes depend on K); the
 * repetitions run as the blocks of one tile (every kernel is element-wise).
 *
 * --check asserts, with computed statistics (t = Student quantile of the
 * one-sided level --level, reps − 1 degrees of freedom):
 *   1. Analog SGD has a floor: E_K = E∞ + a·K^(−1/2) fitted on the upper
 *      half of the horizons (weighted least squares) gives E∞ > t·se.
 *   2. Analog SGD stays below Paper A's bound at every K (paired, t·se).
 *   3. Analog GD stays below (137) at every K, and has no floor: Σ_k ‖∇f‖²
 *      grows by less than 1e-9 (relative) over the second half of the run.
 *   4. Residual learning decays as K^(−1/2): the slope of log E_K against
 *      log K on the upper half of the horizons is −½ within t·se.
 *   5. At the largest K residual learning is below Analog SGD by more than
 *      t·se of the difference.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>

#include "aimc/aimc.h"
#include "aimc/check.h"
#include "aimc/prog.h"

#define NDIM 2
#define MAX_K 32

typedef struct {
    double tau, sigma, gamma, beta_coef, level;
    unsigned k_min, k_max;
    int check;
    size_t nk;
    double K[MAX_K];
} rates_cfg;

static rates_cfg cfg;

static const aimc_option options[] = {
    {"tau", AIMC_OPT_DOUBLE, &cfg.tau, 0.5, 1e3, 0, NULL, "",
     "softbounds range [-tau, tau] of every array (>= 0.5: w* must fit)"},
    {"sigma", AIMC_OPT_DOUBLE, &cfg.sigma, 0, 10, AIMC_OPT_MIN_OPEN, NULL, "",
     "Gaussian gradient-noise std per coordinate"},
    {"gamma", AIMC_OPT_DOUBLE, &cfg.gamma, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",
     "residual learning mixing: gradient at W + gamma*P"},
    {"beta-coef", AIMC_OPT_DOUBLE, &cfg.beta_coef, 0, 10, AIMC_OPT_MIN_OPEN, NULL, "",
     "b in beta = b*alpha*gamma^(3/2)"},
    {"k-min", AIMC_OPT_UINT, &cfg.k_min, 25, 1e8, 0, NULL, "steps", "smallest horizon K"},
    {"k-max", AIMC_OPT_UINT, &cfg.k_max, 100, 1e9, 0, NULL, "steps",
     "largest horizon (horizons double from k-min up to k-max)"},
    {"level", AIMC_OPT_DOUBLE, &cfg.level, 0, 0.5, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL, "",
     "one-sided false-alarm probability of each asserted claim"},
    AIMC_CHECK_OPTION(cfg.check),
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.tau = 1.0;
    cfg.sigma = 0.2;
    cfg.gamma = 2.0;
    cfg.beta_coef = 0.1;
    cfg.level = 1e-4;
    cfg.k_min = 100;
    cfg.k_max = full ? 6553600 : 409600;
    cfg.check = 0;
    c->reps = full ? 64 : 16;
}

static int check_cfg(void *ctx, aimc_err *err)
{
    (void)ctx;
    cfg.nk = 0;
    for (double K = cfg.k_min; K <= cfg.k_max && cfg.nk < MAX_K; K *= 2)
        cfg.K[cfg.nk++] = K;
    if (cfg.nk < 6)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "invalid argument \"%u\" for --k-max: should be at least 32 * --k-min "
                         "(the fits use the upper half of >= 6 horizons)",
                         cfg.k_max);
    if (cfg.K[cfg.nk - 1] != cfg.k_max)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "invalid argument \"%u\" for --k-max: should be --k-min times a power of "
                         "2, at most 2^%d times",
                         cfg.k_max, MAX_K - 1);
    return 0;
}

static const aimc_prog_spec spec = {
    "theory-rates",
    "convergence rates of Theorems 2, 6 and 3 of arXiv 2502.06309 (with Paper A's bound)",
    "Analog SGD floors, Analog GD decays as 1/K, residual learning as K^(-1/2)",
    "results/theory-rates.h5",
    options,
    preset,
    NULL,
    check_cfg};

static const double LAMBDA[NDIM] = {1.0, 0.5}, WSTAR[NDIM] = {0.4, -0.3};
static const double L_SMOOTH = 1.0;

static int softbounds(int zero_shift, aimc_device_params *dp, aimc_err *err)
{
    *dp = aimc_device_default_params();
    aimc_response_params rp = aimc_response_default_params();
    rp.tau = cfg.tau;
    dp->zero_shift = zero_shift;
    return aimc_response_init(&dp->response, &aimc_response_softbounds, &rp, err);
}

/* f(W₀) − f* with W₀ = 0. */
static double gap0(void)
{
    double f = 0;
    for (int i = 0; i < NDIM; ++i)
        f += 0.5 * LAMBDA[i] * WSTAR[i] * WSTAR[i];
    return f;
}

static void gradient(const double *x, size_t N, double *g)
{
    for (size_t k = 0; k < N; ++k)
        g[k] = LAMBDA[k % NDIM] * (x[k] - WSTAR[k % NDIM]);
}

/* ‖∇f‖² of each block (repetition) of g into e[r]. */
static void block_norms(const double *g, size_t R, double *e)
{
    for (size_t r = 0; r < R; ++r) {
        e[r] = 0;
        for (int i = 0; i < NDIM; ++i)
            e[r] += g[r * NDIM + i] * g[r * NDIM + i];
    }
}

/* ---- Analog SGD: E_K and Paper A's bound, per repetition --------------------- */

typedef struct {
    double *E, *bound, *floor_term; /* R each */
} asgd_out;

static int asgd_run(unsigned K, size_t R, uint64_t seed, asgd_out *out, aimc_err *err)
{
    const size_t N = NDIM * R;
    const double s2 = NDIM * cfg.sigma * cfg.sigma, gap = gap0();
    aimc_optim_params op = aimc_optim_default_params();
    if (softbounds(0, &op.main.device, err))
        return GSL_EINVAL;
    op.main.update = &aimc_update_compact;
    op.alpha = sqrt(gap / (s2 * L_SMOOTH * K)); /* Paper A's α (F_max = 1) */
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_asgd, &op, 1, N, seed, err);
    double *g = malloc(N * sizeof *g), *e = malloc(R * sizeof *e), *sA = calloc(R, sizeof *sA),
           *wmax = calloc(R, sizeof *wmax);
    int rc = o == NULL ? GSL_EFAILED : 0;
    if (!rc && (!g || !e || !sA || !wmax))
        rc = AIMC_FAIL(err, GSL_ENOMEM, "theory-rates: out of memory");
    memset(out->E, 0, R * sizeof *out->E);
    aimc_stream noise;
    aimc_stream_init(&noise, seed, AIMC_PURPOSE(90, AIMC_ROLE_GRADNOISE), 0, 0);
    for (unsigned k = 0; !rc && k <= K; ++k) {
        const double *w = aimc_optim_weights(o);
        for (size_t r = 0; r < R; ++r) { /* Paper A's S_K sums k = 0 … K */
            double winf = 0;
            for (int i = 0; i < NDIM; ++i)
                winf = fmax(winf, fabs(w[r * NDIM + i]));
            const double x = winf * winf / (cfg.tau * cfg.tau);
            sA[r] += x / (1.0 - x);
            wmax[r] = fmax(wmax[r], winf);
        }
        if (k == K)
            break;
        gradient(w, N, g);
        block_norms(g, R, e);
        for (size_t r = 0; r < R; ++r)
            out->E[r] += e[r] / K;
        aimc_gnoise_add(g, N, AIMC_GNOISE_GAUSSIAN, cfg.sigma, &noise);
        aimc_grad gr = {1, N, g, 0, NULL, NULL, 1.0};
        rc = aimc_optim_step(o, &gr, err);
    }
    for (size_t r = 0; !rc && r < R; ++r) {
        out->floor_term[r] = 2.0 * s2 * sA[r] / K;
        out->bound[r] = 4.0 * sqrt(gap * s2 * L_SMOOTH / K) /
                            (1.0 - wmax[r] * wmax[r] / (cfg.tau * cfg.tau)) +
                        out->floor_term[r];
    }
    aimc_optim_free(o);
    free(g);
    free(e);
    free(sA);
    free(wmax);
    return rc;
}

/* ---- residual learning: E_K at the main array, per repetition ------------------ */

static int rl_run(unsigned K, size_t R, uint64_t seed, double *E, aimc_err *err)
{
    const size_t N = NDIM * R;
    const double s2 = NDIM * cfg.sigma * cfg.sigma;
    aimc_optim_params op = aimc_optim_default_params();
    if (softbounds(0, &op.main.device, err) || softbounds(1, &op.residual.device, err))
        return GSL_EINVAL;
    op.main.update = op.residual.update = &aimc_update_compact;
    const double fmax = 1.0; /* softbounds: F ≡ 1 */
    op.alpha = fmin(sqrt(gap0() / (s2 * L_SMOOTH)) / (fmax * sqrt((double)K)),
                    1.0 / (4.0 * L_SMOOTH * fmax));
    op.beta = cfg.beta_coef * op.alpha * pow(cfg.gamma, 1.5);
    op.gamma = cfg.gamma;
    op.transfer_every = 1;
    op.n_col = 0; /* every entry, every step */
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_rl, &op, 1, N, seed, err);
    double *g = malloc(N * sizeof *g), *e = malloc(R * sizeof *e);
    int rc = o == NULL ? GSL_EFAILED : 0;
    if (!rc && (!g || !e))
        rc = AIMC_FAIL(err, GSL_ENOMEM, "theory-rates: out of memory");
    memset(E, 0, R * sizeof *E);
    aimc_stream noise;
    aimc_stream_init(&noise, seed, AIMC_PURPOSE(90, AIMC_ROLE_GRADNOISE), 0, 0);
    for (unsigned k = 0; !rc && k < K; ++k) {
        gradient(aimc_optim_weights(o), N, g);
        block_norms(g, R, e);
        for (size_t r = 0; r < R; ++r)
            E[r] += e[r] / K;
        gradient(aimc_optim_query_point(o), N, g); /* ∇f(W̄_k) */
        aimc_gnoise_add(g, N, AIMC_GNOISE_GAUSSIAN, cfg.sigma, &noise);
        aimc_grad gr = {1, N, g, 0, NULL, NULL, 1.0};
        rc = aimc_optim_step(o, &gr, err);
    }
    aimc_optim_free(o);
    free(g);
    free(e);
    return rc;
}

/* ---- Analog GD: one deterministic run, E_K and (137) at every horizon ---------- */

static int agd_run(double *E, double *bound, double *late_growth, aimc_err *err)
{
    aimc_optim_params op = aimc_optim_default_params();
    if (softbounds(0, &op.main.device, err))
        return GSL_EINVAL;
    op.main.update = &aimc_update_compact;
    const double fmax = 1.0;
    op.alpha = 1.0 / (L_SMOOTH * fmax); /* (137) */
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_asgd, &op, 1, NDIM, 1, err);
    if (o == NULL)
        return GSL_EFAILED;
    aimc_optim_set_weights(o, (const double[NDIM]){0}, NULL);
    const aimc_device *d = aimc_tile_device(aimc_optim_main_tile(o));
    double sum = 0, mmin = INFINITY, sum_half = 0, g[NDIM], qp[NDIM], qm[NDIM];
    size_t j = 0;
    const unsigned Kmax = (unsigned)cfg.K[cfg.nk - 1];
    int rc = 0;
    for (unsigned k = 0; !rc && k < Kmax; ++k) {
        const double *w = aimc_optim_weights(o);
        aimc_device_q(d, 0, NDIM, w, qp, qm);
        gradient(w, NDIM, g);
        for (int i = 0; i < NDIM; ++i) {
            sum += g[i] * g[i];
            mmin = fmin(mmin, qp[i] * qm[i]); /* M = q₊q₋ */
        }
        if (k + 1 == Kmax / 2)
            sum_half = sum;
        if (k + 1 == (unsigned)cfg.K[j]) {
            E[j] = sum / cfg.K[j];
            bound[j] = 2.0 * L_SMOOTH * gap0() * fmax * fmax / (cfg.K[j] * mmin);
            ++j;
        }
        aimc_grad gr = {1, NDIM, g, 0, NULL, NULL, 1.0};
        rc = aimc_optim_step(o, &gr, err);
    }
    *late_growth = (sum - sum_half) / sum;
    aimc_optim_free(o);
    return rc;
}

/* ---- claims ----------------------------------------------------------------------- */

typedef struct {
    size_t R, nk;
    double *asgd_E, *asgd_bound, *asgd_floor, *rl_E; /* R × nk, row r = repetition r */
    double *agd_E, *agd_bound, *steps, *rate;        /* nk */
    double agd_late;
} results;

typedef struct {
    char text[5][200];
    int holds[5];
    aimc_estimate floor, slope;
} claims;

/* Claims 1–5 of the header. */
static void judge(const results *res, double t, claims *cl)
{
    const size_t R = res->R, nk = res->nk, j0 = nk / 2;
    double x[MAX_K], y[MAX_K], se[MAX_K], lx[MAX_K], ly[MAX_K], lse[MAX_K];
    int bound_ok = 1, agd_ok = 1;
    double worst = 0, worst_agd = 0;
    for (size_t j = 0; j < nk; ++j) {
        const aimc_estimate ea = aimc_check_mean_se(res->asgd_E + j, R, nk);
        const aimc_estimate er = aimc_check_mean_se(res->rl_E + j, R, nk);
        double d[1024];
        for (size_t r = 0; r < R; ++r)
            d[r] = res->asgd_E[r * nk + j] - res->asgd_bound[r * nk + j];
        const aimc_estimate ed = aimc_check_mean_se(d, R, 1);
        const aimc_estimate eb = aimc_check_mean_se(res->asgd_bound + j, R, nk);
        bound_ok &= ea.mean <= eb.mean + t * ed.se;
        worst = fmax(worst, ea.mean / eb.mean);
        agd_ok &= res->agd_E[j] <= res->agd_bound[j];
        worst_agd = fmax(worst_agd, res->agd_E[j] / res->agd_bound[j]);
        x[j] = 1.0 / sqrt(res->steps[j]);
        y[j] = ea.mean;
        se[j] = ea.se;
        lx[j] = log(res->steps[j]);
        ly[j] = log(er.mean);
        lse[j] = er.se / er.mean;
    }
    cl->floor = aimc_check_wls(x + j0, y + j0, se + j0, nk - j0, 0);
    cl->slope = aimc_check_wls(lx + j0, ly + j0, lse + j0, nk - j0, 1);
    const aimc_estimate ea = aimc_check_mean_se(res->asgd_E + nk - 1, R, nk);
    const aimc_estimate er = aimc_check_mean_se(res->rl_E + nk - 1, R, nk);
    const double dse = sqrt(ea.se * ea.se + er.se * er.se);
    snprintf(cl->text[0], sizeof cl->text[0], "Analog SGD has a floor: E_inf = %.3g, se %.2g (fit on K >= %g)",
             cl->floor.mean, cl->floor.se, res->steps[j0]);
    snprintf(cl->text[1], sizeof cl->text[1], "Analog SGD below Paper A's bound at every K (largest ratio %.3f)",
             worst);
    snprintf(cl->text[2], sizeof cl->text[2],
             "Analog GD below (137) at every K (largest ratio %.3f), sum of errors grows by %.1e over the second half",
             worst_agd, res->agd_late);
    snprintf(cl->text[3], sizeof cl->text[3], "residual learning decays as K^-1/2: slope %.3f, se %.3f (K >= %g)",
             cl->slope.mean, cl->slope.se, res->steps[j0]);
    snprintf(cl->text[4], sizeof cl->text[4], "residual learning below Analog SGD at K = %g: %.3g vs %.3g",
             res->steps[nk - 1], er.mean, ea.mean);
    cl->holds[0] = cl->floor.mean > t * cl->floor.se;
    cl->holds[1] = bound_ok;
    cl->holds[2] = agd_ok && res->agd_late <= 1e-9;
    cl->holds[3] = fabs(cl->slope.mean + 0.5) <= t * cl->slope.se;
    cl->holds[4] = ea.mean - er.mean > t * dse;
}

static int write_results(aimc_h5 *h, const results *res, const claims *cl, aimc_err *err)
{
    const size_t R = res->R, n = res->nk;
    int st = aimc_h5_write_series(h, "/runs/asgd", "error", R, n, res->asgd_E, res->steps, err);
    if (!st)
        st = aimc_h5_write_series(h, "/runs/asgd", "bound", R, n, res->asgd_bound, NULL, err);
    if (!st)
        st = aimc_h5_write_series(h, "/runs/asgd", "floor_term", R, n, res->asgd_floor, NULL, err);
    if (!st)
        st = aimc_h5_write_series(h, "/runs/rl", "error", R, n, res->rl_E, res->steps, err);
    if (!st)
        st = aimc_h5_write_series(h, "/runs/rl", "rate", 1, n, res->rate, NULL, err);
    if (!st)
        st = aimc_h5_write_series(h, "/runs/agd", "error", 1, n, res->agd_E, res->steps, err);
    if (!st)
        st = aimc_h5_write_series(h, "/runs/agd", "bound", 1, n, res->agd_bound, NULL, err);
    const char *algo[3][3] = {{"/runs/asgd", "asgd", "Analog SGD, noisy; bound: Paper A"},
                              {"/runs/agd", "asgd", "Analog GD (sigma = 0); bound: (137)"},
                              {"/runs/rl", "rl", "residual learning, zero-shifted P; rate: Thm 3"}};
    for (int a = 0; a < 3 && !st; ++a) {
        st = aimc_h5_attr_string(h, algo[a][0], "algorithm", algo[a][1], err);
        if (!st)
            st = aimc_h5_attr_string(h, algo[a][0], "response", "softbounds", err);
        if (!st)
            st = aimc_h5_attr_string(h, algo[a][0], "what", algo[a][2], err);
        if (!st)
            st = aimc_h5_attr_string(h, algo[a][0], "varies", "horizon K (step sizes follow K)", err);
    }
    if (!st)
        st = aimc_h5_attr_double(h, "/summary", "asgd_floor", cl->floor.mean, err);
    if (!st)
        st = aimc_h5_attr_double(h, "/summary", "asgd_floor_se", cl->floor.se, err);
    if (!st)
        st = aimc_h5_attr_double(h, "/summary", "rl_slope", cl->slope.mean, err);
    if (!st)
        st = aimc_h5_attr_double(h, "/summary", "rl_slope_se", cl->slope.se, err);
    for (int q = 0; q < 5 && !st; ++q) {
        char name[32];
        snprintf(name, sizeof name, "claim%d", q + 1);
        st = aimc_h5_attr_string(h, "/summary", name, cl->text[q], err);
        snprintf(name, sizeof name, "claim%d_holds", q + 1);
        if (!st)
            st = aimc_h5_attr_int(h, "/summary", name, cl->holds[q], err);
    }
    return st;
}

static int alloc_results(results *res, size_t R, size_t nk)
{
    memset(res, 0, sizeof *res);
    res->R = R;
    res->nk = nk;
    res->asgd_E = malloc(4 * R * nk * sizeof(double));
    res->agd_E = malloc(4 * nk * sizeof(double));
    if (!res->asgd_E || !res->agd_E)
        return -1;
    res->asgd_bound = res->asgd_E + R * nk;
    res->asgd_floor = res->asgd_bound + R * nk;
    res->rl_E = res->asgd_floor + R * nk;
    res->agd_bound = res->agd_E + nk;
    res->steps = res->agd_bound + nk;
    res->rate = res->steps + nk;
    return 0;
}

/* Every horizon: Analog SGD and residual learning (R repetitions each). */
static int run_all(results *res, const aimc_prog_common *com, aimc_err *err)
{
    const size_t R = res->R, nk = res->nk;
    double *col = malloc(4 * R * sizeof *col);
    if (col == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "theory-rates: out of memory");
    aimc_progress bar;
    aimc_progress_start(&bar, com, "theory-rates", nk);
    int st = agd_run(res->agd_E, res->agd_bound, &res->agd_late, err);
    for (size_t j = 0; j < nk && !st; ++j) {
        const unsigned K = (unsigned)cfg.K[j];
        asgd_out ao = {col, col + R, col + 2 * R};
        res->steps[j] = K;
        res->rate[j] = sqrt(gap0() * NDIM * cfg.sigma * cfg.sigma * L_SMOOTH / K);
        st = asgd_run(K, R, aimc_seed_derive(com->seed, 2 * j), &ao, err);
        if (!st)
            st = rl_run(K, R, aimc_seed_derive(com->seed, 2 * j + 1), col + 3 * R, err);
        for (size_t r = 0; !st && r < R; ++r) {
            res->asgd_E[r * nk + j] = ao.E[r];
            res->asgd_bound[r * nk + j] = ao.bound[r];
            res->asgd_floor[r * nk + j] = ao.floor_term[r];
            res->rl_E[r * nk + j] = col[3 * R + r];
        }
        aimc_progress_update(&bar, j + 1);
    }
    aimc_progress_end(&bar);
    free(col);
    return st;
}

static void print_table(const results *res)
{
    const size_t R = res->R, nk = res->nk;
    printf("theory-rates: E_K = (1/K) sum |grad f(W_k)|^2, mean over %zu reps\n", R);
    printf("  %9s  %11s %11s %11s  %11s %11s  %11s %11s\n", "K", "ASGD", "PaperA bnd", "2s^2 S_K",
           "AGD", "(137) bnd", "RL", "rate");
    for (size_t j = 0; j < nk; ++j) {
        const double asgd = aimc_check_mean_se(res->asgd_E + j, R, nk).mean;
        const double bound = aimc_check_mean_se(res->asgd_bound + j, R, nk).mean;
        const double asgd_floor = aimc_check_mean_se(res->asgd_floor + j, R, nk).mean;
        const double rl = aimc_check_mean_se(res->rl_E + j, R, nk).mean;
        printf("  %9g  %11.4g %11.4g %11.4g  %11.4g %11.4g  %11.4g %11.4g\n", res->steps[j], asgd,
               bound, asgd_floor, res->agd_E[j], res->agd_bound[j], rl, res->rate[j]);
    }
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    aimc_err err = {0, ""};
    const aimc_prog_start_opts so = {.reps_min = 2, .reps_max = 1024};
    aimc_h5 *h;
    int st;
    int rc = aimc_prog_start(&spec, &so, &com, argc, argv, &h, &st, &err);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    results res;
    claims cl;
    if (!st && alloc_results(&res, com.reps, cfg.nk))
        st = AIMC_FAIL(&err, GSL_ENOMEM, "theory-rates: out of memory");
    if (!st)
        st = run_all(&res, &com, &err);
    const double t = gsl_cdf_tdist_Qinv(cfg.level, com.reps - 1.0);
    int npass = 0, nfail = 0;
    if (!st) {
        judge(&res, t, &cl);
        st = write_results(h, &res, &cl, &err);
    }
    if (!st && !com.quiet) {
        print_table(&res);
        printf("  claims (t = %.2f, level %g):\n", t, cfg.level);
    }
    for (int q = 0; q < 5 && !st; ++q) {
        npass += cl.holds[q];
        nfail += !cl.holds[q];
        if (!com.quiet || cfg.check)
            printf("%s %s\n", cl.holds[q] ? "PASS" : "FAIL", cl.text[q]);
    }
    if (!st && cfg.check)
        printf("%d passed, %d failed\n", npass, nfail);
    free(res.asgd_E);
    free(res.agd_E);
    return aimc_prog_finish_claims(h, &spec, st, cfg.check && nfail, &err);
}
