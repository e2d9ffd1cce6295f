/* lower-bound — Paper A's lower bound (arXiv 2406.12774): on its instance the
 * error floor of Analog SGD is Ω(σ²·S_K), so the σ²S_K term of Theorem 2 /
 * (73) is tight up to constants (SPEC §3.3; related-papers.md §A.4 "Lower
 * bound"; reference/paper.md §4.4).
 *
 * Instance.  f(w) = (λ/2)(w − w*)², softbounds q± = 1 ∓ w/τ (F = 1, G = w/τ),
 * gradient ∇f(w; ξ) = λ(w − w*) + σε with ε = ±1 equiprobable (variance σ²).
 *
 * What is derived.  Write μ_k = λ(w_k − w*).  While |μ_k| ≤ σ,
 * |μ_k + σε_k| = σ + ε_kμ_k exactly, and ε_k is independent of w_k, so the
 * compact update (2) w' = w − α(μ + σε) − (α/τ)|μ + σε|·w has the exact mean
 *     E[w_{k+1}] = E[w_k] − αλ(E[w_k] − w*) − (ασ/τ)E[w_k],
 * whose fixed point is m∞ = λτ·w* / (λτ + σ) for every α.  At stationarity,
 * with V = Var(w), the floor and S = E[G²/F] = E[w²]/τ² are
 *     E|∇f|² = λ²(m∞ − w*)² + λ²V = σ²m∞²/τ² + λ²V,
 *     σ²S    = σ²m∞²/τ² + σ²V/τ²,
 * so   c₁ = min(1, (λτ/σ)²) ≤ E|∇f|²/(σ²S) ≤ max(1, (λτ/σ)²) = c₂
 * for every step size, and the ratio → 1 as α → 0 (V = O(α)).  The
 * precondition |μ_k| ≤ σ is measured along every run and reported
 * (max|μ|/σ); the offset of the mean, σm∞/τ, is below σ because m∞ < τ.
 * With Paper A's S^A = E[(w²/τ²)/(1 − w²/τ²)] ≥ S the ratio is at most c₂
 * and at least c₁(1 − W_max²/τ²); it is printed, not checked.
 *
 * Cases.  σ ∈ --sigma-list × τ ∈ --tau-list × λ ∈ --lambda-list, w* = ρ·τ
 * (--w-star-rel), K ∈ --k-list with the step size of Theorem 2,
 * α = sqrt((f(0) − f*)/(σ²λK)).  Each run starts at m∞ (the exact stationary
 * mean), relaxes for 10/(α(λ + σ/τ)) steps, then averages ‖∇f(w_k)‖² and
 * σ²‖G/sqrt(F)‖²_∞ over K steps.  Repetitions are blocks of one tile (the
 * update is element-wise, so each block is an independent run).
 *
 * Margin.  The ratio of means over --reps runs with its delta-method
 * standard error (numerator and denominator paired by run); a case passes
 * when the band [c₁, c₂] is within t·se of it, t the Student quantile of
 * the one-sided per-case level --level.
 *
 * Negative control.  The same runs on the ideal device (q± ≡ 1: no
 * asymmetry, plain SGD) while S is measured with the softbounds response at
 * the visited points: the floor is then λ²V = O(α) only, the ratio falls to
 * ≈ αλτ² / (2w*²) ≪ c₁, and every case must FAIL.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "aimc/aimc.h"
#include "aimc/check.h"

#define MAX_LIST 16

typedef struct {
    const char *sigma_list, *tau_list, *lambda_list, *k_list;
    double w_star_rel; /* w* = w_star_rel·τ */
    double level;
    int negative;
    size_t ns, nt, nl, nk;
    double sigma[MAX_LIST], tau[MAX_LIST], lambda[MAX_LIST], K[MAX_LIST];
} lb_cfg;

static lb_cfg cfg;

static const aimc_option options[] = {
    {"sigma-list", AIMC_OPT_STRING, &cfg.sigma_list, 0, 0, 0, NULL, "",
     "Rademacher noise levels sigma, comma-separated"},
    {"tau-list", AIMC_OPT_STRING, &cfg.tau_list, 0, 0, 0, NULL, "",
     "softbounds ranges tau, comma-separated"},
    {"lambda-list", AIMC_OPT_STRING, &cfg.lambda_list, 0, 0, 0, NULL, "",
     "curvatures lambda of f = lambda/2 (w - w*)^2, comma-separated"},
    {"k-list", AIMC_OPT_STRING, &cfg.k_list, 0, 0, 0, NULL, "steps",
     "horizons K (set the step size and the averaging window), comma-separated"},
    {"w-star-rel", AIMC_OPT_DOUBLE, &cfg.w_star_rel, 0, 0.95, AIMC_OPT_MIN_OPEN, NULL, "",
     "optimum w* as a fraction of tau"},
    {"level", AIMC_OPT_DOUBLE, &cfg.level, 0, 0.5, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL, "",
     "one-sided false-alarm probability of each case"},
    {"negative-control", AIMC_OPT_FLAG, &cfg.negative, 0, 0, 0, NULL, "",
     "run on an ideal device (no asymmetry): the floor vanishes, every case must FAIL"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.sigma_list = "0.1,0.2,0.4";
    cfg.tau_list = "0.5,1,2";
    cfg.lambda_list = "1,0.25";
    cfg.k_list = full ? "16000,64000,256000,1024000" : "4000,16000,64000";
    cfg.w_star_rel = 0.4;
    cfg.level = 1e-4;
    cfg.negative = 0;
    c->reps = full ? 64 : 32;
}

static int check_cfg(void *ctx, aimc_err *err)
{
    (void)ctx;
    const double inf = INFINITY;
    if (aimc_check_parse_list("sigma-list", cfg.sigma_list, 0, inf, MAX_LIST, cfg.sigma, &cfg.ns,
                              err) ||
        aimc_check_parse_list("tau-list", cfg.tau_list, 0, inf, MAX_LIST, cfg.tau, &cfg.nt, err) ||
        aimc_check_parse_list("lambda-list", cfg.lambda_list, 0, inf, MAX_LIST, cfg.lambda,
                              &cfg.nl, err) ||
        aimc_check_parse_list("k-list", cfg.k_list, 0, inf, MAX_LIST, cfg.K, &cfg.nk, err))
        return GSL_EINVAL;
    for (size_t j = 0; j < cfg.nk; ++j)
        if (cfg.K[j] != floor(cfg.K[j]) || cfg.K[j] < 100 || cfg.K[j] > 1e9)
            return AIMC_FAIL(err, GSL_EINVAL,
                             "invalid argument \"%s\" for --k-list: should be integers in "
                             "[100, 1e9]",
                             cfg.k_list);
    return 0;
}

static const aimc_prog_spec spec = {
    "check-lower-bound",
    "Paper A's lower bound on the Analog SGD error floor (arXiv 2406.12774)",
    "on Paper A's instance the floor of Analog SGD is between c1 and c2 times sigma^2 S_K",
    NULL,
    options,
    preset,
    NULL,
    check_cfg};

/* One instance: λ, τ, σ, w*, horizon K. */
typedef struct {
    double lambda, tau, sigma, w_star;
    unsigned K;
} instance;

/* Per-run averages over the K measured steps. */
typedef struct {
    double floor; /* mean ‖∇f(w_k)‖² */
    double s73;   /* mean ‖G/sqrt(F)‖²_∞ of the softbounds device */
    double sA;    /* mean (w²/τ²)/(1 − w²/τ²) (Paper A) */
    double mu_max; /* max |λ(w_k − w*)|/σ (precondition ≤ 1) */
    double wmax;   /* max |w_k| */
} run_stats;

static int device_params(const aimc_response_type *T, double tau, aimc_device_params *dp,
                         aimc_err *err)
{
    *dp = aimc_device_default_params();
    aimc_response_params rp = aimc_response_default_params();
    rp.tau = tau;
    return aimc_response_init(&dp->response, T, &rp, err);
}

/* Accumulate the metrics of the R blocks at state w (one element each). */
static void accumulate(const instance *in, const aimc_device *meas, const double *w, size_t R,
                       double *qp, double *qm, run_stats *st)
{
    aimc_device_q(meas, 0, R, w, qp, qm);
    for (size_t r = 0; r < R; ++r) {
        const double mu = in->lambda * (w[r] - in->w_star), x = w[r] * w[r] / (in->tau * in->tau);
        const double F = 0.5 * (qm[r] + qp[r]), G = 0.5 * (qm[r] - qp[r]);
        st[r].floor += mu * mu;
        st[r].s73 += G * G / F;
        st[r].sA += x / (1.0 - x);
        st[r].mu_max = fmax(st[r].mu_max, fabs(mu) / in->sigma);
        st[r].wmax = fmax(st[r].wmax, fabs(w[r]));
    }
}

/* R independent runs as the R elements of one 1×R tile (compact update). */
static int run(const instance *in, size_t R, uint64_t seed, run_stats *st, aimc_err *err)
{
    aimc_device_params traj, meas_p;
    const double alpha = sqrt(0.5 * in->lambda * in->w_star * in->w_star /
                              (in->sigma * in->sigma * in->lambda * in->K));
    const double m_inf = in->lambda * in->tau * in->w_star / (in->lambda * in->tau + in->sigma);
    /* ten relaxation times of the mean (plain SGD: rate αλ) */
    const double rate = alpha * (in->lambda + (cfg.negative ? 0.0 : in->sigma / in->tau));
    const unsigned burn = (unsigned)ceil(10.0 / rate);
    if (device_params(&aimc_response_softbounds, in->tau, &meas_p, err) ||
        device_params(cfg.negative ? &aimc_response_ideal : &aimc_response_softbounds, in->tau,
                      &traj, err))
        return GSL_EINVAL;
    aimc_optim_params op = aimc_optim_default_params();
    op.alpha = alpha;
    op.main.device = traj;
    op.main.update = &aimc_update_compact;
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_asgd, &op, 1, R, seed, err);
    aimc_device *meas = aimc_device_alloc(&meas_p, R, seed, 1, err);
    double *g = malloc(R * sizeof *g), *qp = malloc(R * sizeof *qp), *qm = malloc(R * sizeof *qm);
    int rc = (!o || !meas) ? GSL_EFAILED : 0;
    if (!rc && (!g || !qp || !qm))
        rc = AIMC_FAIL(err, GSL_ENOMEM, "lower-bound: out of memory");
    memset(st, 0, R * sizeof *st);
    for (size_t r = 0; !rc && r < R; ++r)
        g[r] = m_inf;
    if (!rc)
        aimc_optim_set_weights(o, g, NULL);
    aimc_stream noise;
    aimc_stream_init(&noise, seed, AIMC_PURPOSE(90, AIMC_ROLE_GRADNOISE), 0, 0);
    for (unsigned k = 0; !rc && k < burn + in->K; ++k) {
        const double *w = aimc_optim_weights(o);
        if (k >= burn)
            accumulate(in, meas, w, R, qp, qm, st);
        for (size_t r = 0; r < R; ++r)
            g[r] = in->lambda * (w[r] - in->w_star);
        aimc_gnoise_add(g, R, AIMC_GNOISE_RADEMACHER, in->sigma, &noise); /* ±σ */
        aimc_grad gr = {1, R, g, 0, NULL, NULL, 1.0};
        rc = aimc_optim_step(o, &gr, err);
    }
    for (size_t r = 0; r < R; ++r) {
        st[r].floor /= in->K;
        st[r].s73 /= in->K;
        st[r].sA /= in->K;
    }
    aimc_optim_free(o);
    aimc_device_free(meas);
    free(g);
    free(qp);
    free(qm);
    return rc;
}

/* Ratio of means a/b over runs and its delta-method standard error. */
static void ratio_of_means(const double *a, const double *b, size_t n, double *ratio, double *se)
{
    double ma = 0, mb = 0, v = 0;
    for (size_t i = 0; i < n; ++i) {
        ma += a[i] / n;
        mb += b[i] / n;
    }
    *ratio = ma / mb;
    for (size_t i = 0; i < n; ++i)
        v += pow(a[i] - *ratio * b[i], 2);
    *se = sqrt(v / (n - 1) / n) / mb;
}

static int check_instance(aimc_checklist *cl, const instance *in, size_t R, uint64_t seed,
                          double t, run_stats *st, aimc_err *err)
{
    int rc = run(in, R, seed, st, err);
    if (rc)
        return rc;
    double *a = malloc(3 * R * sizeof *a), *b = a + R, *bA = a + 2 * R, mu_max = 0, wmax = 0;
    if (a == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "lower-bound: out of memory");
    const double s2 = in->sigma * in->sigma, q = pow(in->lambda * in->tau / in->sigma, 2);
    for (size_t r = 0; r < R; ++r) {
        a[r] = st[r].floor;
        b[r] = s2 * st[r].s73;
        bA[r] = s2 * st[r].sA;
        mu_max = fmax(mu_max, st[r].mu_max);
        wmax = fmax(wmax, st[r].wmax);
    }
    double ratio, se, ratio_a, se_a;
    ratio_of_means(a, b, R, &ratio, &se);
    ratio_of_means(a, bA, R, &ratio_a, &se_a);
    const double c1 = fmin(1.0, q), c2 = fmax(1.0, q);
    char name[256];
    snprintf(name, sizeof name,
             "sigma=%g tau=%g lambda=%g K=%u ratio=%.4f band=[%.3g,%.3g] se=%.1e A=%.3f mu/s<=%.2f",
             in->sigma, in->tau, in->lambda, in->K, ratio, c1, c2, se, ratio_a, mu_max);
    /* The exact band needs |μ| ≤ σ along the run; a run that left that
     * region does not test the claim and counts as a failure. */
    const int holds = mu_max <= 1.0 && ratio + t * se >= c1 && ratio - t * se <= c2;
    aimc_check_that(cl, name, holds, ratio, c1);
    free(a);
    return 0;
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
    const double t = gsl_cdf_tdist_Qinv(cfg.level, com.reps - 1.0);
    run_stats *st = malloc(com.reps * sizeof *st);
    aimc_err err = {0, ""};
    int status = st ? 0 : AIMC_FAIL(&err, GSL_ENOMEM, "lower-bound: out of memory");
    if (!com.quiet)
        printf("# ratio = floor/(sigma^2 S_K), S_K of (73); A: with Paper A's S_K; "
               "margin t = %.2f (level %g, %u reps)\n",
               t, cfg.level, com.reps);
    size_t id = 0;
    for (size_t il = 0; il < cfg.nl && !status; ++il)
        for (size_t it = 0; it < cfg.nt && !status; ++it)
            for (size_t is = 0; is < cfg.ns && !status; ++is)
                for (size_t j = 0; j < cfg.nk && !status; ++j, ++id) {
                    const instance in = {cfg.lambda[il], cfg.tau[it], cfg.sigma[is],
                                         cfg.w_star_rel * cfg.tau[it], (unsigned)cfg.K[j]};
                    status = check_instance(&cl, &in, com.reps, aimc_seed_derive(com.seed, id), t,
                                            st, &err);
                }
    free(st);
    if (status) {
        aimc_checklist_free(&cl);
        return aimc_prog_fail(&spec, &err, NULL, 1);
    }
    rc = aimc_checklist_finish(&cl, &spec, &com);
    aimc_checklist_free(&cl);
    return rc;
}
