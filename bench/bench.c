/* bench.c — throughput of the hot kernels, side by side with their limits
 * and their peers, measured in one run.
 *
 * Every figure is a median over interleaved repetitions (variant A, B, C,
 * A, B, C, ...) so that drift of a shared machine hits every variant alike;
 * the spread is the half-width of the middle half (IQR/2) relative to the
 * median.  Ratios, not absolute times, are the result (bench/README.md);
 * the limit a ratio divides by (triad, exp, Gaussian draws) and the PyTorch
 * peer are measured in the same rounds as the kernel, and the process's
 * peak RSS is printed after each section.
 *
 *   limits    triad bandwidth, Philox throughput, libm exp, BLAS dgemm
 *   compact   (5) on 1e3..1e7 elements, every family, vs the scalar loop
 *   pulsed    (27) trains with BL_max 8 and 31, with and without noise
 *   rank1     SPEC 1.6 on 256², 512², 1024² tiles, BL_max 31, vs the
 *             O(BL·m·n) scalar loop and (if importable) a PyTorch peer
 *   fig2      one curve of Fig. 2 end to end
 *   memory    peak RSS of a 1024×1024 RL-v2 optimizer (two arrays + buffer)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <gsl/gsl_cblas.h>

#include "aimc/aimc.h"
#include "aimc/prog.h"
#include "baseline.h"

typedef struct {
    unsigned rounds;  /* interleaved repetitions */
    double min_time;  /* seconds per measurement */
    unsigned max_exp; /* compact sizes 10^3 .. 10^max_exp */
    int torch;        /* run the PyTorch peer if python3 can import torch */
} bench_cfg;

static bench_cfg cfg;

static const aimc_option options[] = {
    {"rounds", AIMC_OPT_UINT, &cfg.rounds, 1, 1000, 0, NULL, "", "interleaved repetitions"},
    {"min-time", AIMC_OPT_DOUBLE, &cfg.min_time, 0, 60, AIMC_OPT_MIN_OPEN, NULL, "s",
     "time per measurement"},
    {"max-exp", AIMC_OPT_UINT, &cfg.max_exp, 3, 8, 0, NULL, "", "largest compact size 10^N"},
    {"torch", AIMC_OPT_FLAG, &cfg.torch, 0, 0, 0, NULL, "", "also run the PyTorch peer"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.rounds = full ? 7 : 3;
    cfg.min_time = full ? 0.2 : 0.02;
    cfg.max_exp = full ? 7 : 5;
    cfg.torch = 0;
    c->reps = 1;
}

static const aimc_prog_spec spec = {
    "aimc-bench", "performance benchmarks of the aimc kernels",
    "kernels run near the machine's limits and well ahead of the plain loops",
    "results/bench.h5", options, preset, NULL, NULL};

/* ---- timing ------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef void (*kernel_fn)(void *ctx);

/* Seconds per call: repeat until min_time has passed. */
static double time_once(kernel_fn f, void *ctx)
{
    unsigned calls = 0;
    const double t0 = now();
    double t;
    do {
        f(ctx);
        ++calls;
        t = now() - t0;
    } while (t < cfg.min_time);
    return t / calls;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double median, spread; /* seconds per call, relative half-IQR */
} stat;

/* A variant timed elsewhere (the PyTorch peer in its own process): returns
 * seconds per call, measured in its turn of the interleaved rounds. */
typedef double (*external_fn)(void *ctx);
#define EXTERNAL(fn) ((kernel_fn)(void (*)(void))(fn))

/* Interleaved rounds over nv variants; results in out[nv].  ext[v] != 0
 * marks f[v] as an external_fn (see EXTERNAL). */
static void measure_ext(size_t nv, kernel_fn *f, const int *ext, void **ctx, stat *out)
{
    double *t = malloc(nv * cfg.rounds * sizeof *t);
    for (unsigned r = 0; r < cfg.rounds; ++r)
        for (size_t v = 0; v < nv; ++v)
            t[v * cfg.rounds + r] = ext != NULL && ext[v]
                                        ? ((external_fn)(void (*)(void))f[v])(ctx[v])
                                        : time_once(f[v], ctx[v]);
    for (size_t v = 0; v < nv; ++v) {
        double *x = t + v * cfg.rounds;
        qsort(x, cfg.rounds, sizeof *x, cmp_double);
        const unsigned R = cfg.rounds;
        out[v].median = R % 2 ? x[R / 2] : 0.5 * (x[R / 2 - 1] + x[R / 2]);
        out[v].spread = 0.5 * (x[(3 * R) / 4 < R ? (3 * R) / 4 : R - 1] - x[R / 4]) / out[v].median;
    }
    free(t);
}

static void measure(size_t nv, kernel_fn *f, void **ctx, stat *out)
{
    measure_ext(nv, f, NULL, ctx, out);
}

/* ---- results table and HDF5 ---------------------------------------------- */

typedef struct {
    aimc_h5 *h;
    aimc_err err;
    int st;
    size_t row;
} report;

static void record(report *rp, const char *group, const char *name, double value, const char *unit)
{
    printf("  %-44s %12.4g %s\n", name, value, unit);
    if (rp->st)
        return;
    char path[160];
    snprintf(path, sizeof path, "/bench/%s", group);
    rp->st = aimc_h5_attr_double(rp->h, path, name, value, &rp->err);
}

/* Peak RSS of the process so far: printed after each benchmark, so each
 * line bounds what that benchmark (and those before it) needed. */
static void peak_rss(report *rp, const char *after)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char name[64];
    snprintf(name, sizeof name, "peak_rss_after_%s_mb", after);
    record(rp, "memory", name, ru.ru_maxrss / 1024.0, "MB (process peak RSS so far)");
}

/* ---- limits -------------------------------------------------------------- */

typedef struct {
    double *a, *b, *c;
    size_t n;
    double sink;
} triad_ctx;

static void triad(void *v)
{
    triad_ctx *t = v;
    const double s = 1.0000001;
    for (size_t i = 0; i < t->n; ++i)
        t->a[i] = t->b[i] + s * t->c[i];
    t->sink += t->a[t->n / 2];
}

typedef struct {
    aimc_stream s;
    size_t n;
    uint32_t sink;
} rng_ctx;

static void rng_run(void *v)
{
    rng_ctx *r = v;
    uint32_t acc = 0;
    for (size_t i = 0; i < r->n; ++i)
        acc ^= aimc_stream_u32(&r->s);
    r->sink ^= acc;
}

/* Gaussian draws: what one noisy pulse costs at the least. */
static void normal_run(void *v)
{
    rng_ctx *r = v;
    double acc = 0;
    for (size_t i = 0; i < r->n; ++i)
        acc += aimc_stream_normal(&r->s);
    r->sink ^= (uint32_t)(acc != 0);
}

typedef struct {
    double *x;
    size_t n;
    double sink;
} exp_ctx;

static void exp_run(void *v)
{
    exp_ctx *e = v;
    double acc = 0;
    for (size_t i = 0; i < e->n; ++i)
        acc += exp(e->x[i]);
    e->sink += acc;
}

typedef struct {
    double *A, *B, *C;
    int n;
} gemm_ctx;

static void gemm_run(void *v)
{
    gemm_ctx *g = v;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->n, g->n, g->n, 1.0, g->A, g->n, g->B,
                g->n, 0.0, g->C, g->n);
}

typedef struct {
    double triad_gbs, rng_words_per_s, exp_ns, gemm_gflops, normal_ns;
} limits;

static limits measure_limits(report *rp)
{
    limits L;
    triad_ctx t = {0};
    t.n = (size_t)1 << 22; /* 3 × 32 MiB: far beyond the caches */
    t.a = malloc(t.n * sizeof *t.a);
    t.b = malloc(t.n * sizeof *t.b);
    t.c = malloc(t.n * sizeof *t.c);
    for (size_t i = 0; i < t.n; ++i)
        t.a[i] = t.b[i] = t.c[i] = 1.0 / (1 + i);
    rng_ctx r = {.n = 1 << 20};
    aimc_stream_init(&r.s, 1, 1, 0, 0);
    exp_ctx e = {.n = 1 << 16};
    e.x = malloc(e.n * sizeof *e.x);
    for (size_t i = 0; i < e.n; ++i)
        e.x[i] = -1.0 + 2.0 * i / e.n;
    gemm_ctx g = {.n = 512};
    g.A = malloc(512 * 512 * sizeof(double));
    g.B = malloc(512 * 512 * sizeof(double));
    g.C = malloc(512 * 512 * sizeof(double));
    for (int i = 0; i < 512 * 512; ++i)
        g.A[i] = g.B[i] = 1.0 / (1 + i % 97);
    rng_ctx nr = {.n = 1 << 18};
    aimc_stream_init(&nr.s, 1, 2, 0, 0);
    kernel_fn f[5] = {triad, rng_run, exp_run, gemm_run, normal_run};
    void *c[5] = {&t, &r, &e, &g, &nr};
    stat s[5];
    measure(5, f, c, s);
    L.triad_gbs = 3.0 * 8.0 * t.n / s[0].median / 1e9;
    L.rng_words_per_s = r.n / s[1].median;
    L.exp_ns = s[2].median / e.n * 1e9;
    L.gemm_gflops = 2.0 * 512.0 * 512.0 * 512.0 / s[3].median / 1e9;
    L.normal_ns = s[4].median / nr.n * 1e9;
    printf("\nlimits of this machine\n");
    record(rp, "limits", "triad_bandwidth", L.triad_gbs, "GB/s");
    record(rp, "limits", "philox_words", L.rng_words_per_s / 1e6, "M words/s");
    record(rp, "limits", "libm_exp", L.exp_ns, "ns/call");
    record(rp, "limits", "dgemm_512", L.gemm_gflops, "GFLOP/s");
    record(rp, "limits", "normal_draw", L.normal_ns, "ns/draw (Box-Muller, one per noisy pulse)");
    free(t.a);
    free(t.b);
    free(t.c);
    free(e.x);
    free(g.A);
    free(g.B);
    free(g.C);
    return L;
}

/* ---- compact update -------------------------------------------------------- */

static aimc_tile_params tile_params(const aimc_response_type *T, double tau, double dw_min)
{
    aimc_tile_params p = aimc_tile_default_params();
    aimc_response_params rp = aimc_response_default_params();
    rp.tau = tau;
    rp.gamma_res = 2.0;
    rp.c_lin = 0.2;
    aimc_response_init(&p.device.response, T, &rp, NULL);
    p.device.dw_min = dw_min;
    return p;
}

static base_device base_of(const aimc_response_type *T, double tau, double dw_min)
{
    base_device b = {BASE_SOFTBOUNDS, tau, 2.0, 0.2, dw_min, 0.0};
    if (T == &aimc_response_linear)
        b.family = BASE_LINEAR;
    else if (T == &aimc_response_power)
        b.family = BASE_POWER;
    else if (T == &aimc_response_exponential)
        b.family = BASE_EXPONENTIAL;
    return b;
}

typedef struct {
    aimc_tile *t;
    double *dW, *wb;
    base_device b;
    size_t n;
    unsigned bl_max;
    aimc_stream s;
} upd_ctx;

static void ours_compact(void *v)
{
    upd_ctx *u = v;
    aimc_tile_apply_compact(u->t, u->dW);
}

static void base_compact_run(void *v)
{
    upd_ctx *u = v;
    base_compact(&u->b, u->wb, u->dW, u->n);
}

static void ours_pulsed(void *v)
{
    upd_ctx *u = v;
    aimc_tile_apply_pulsed(u->t, u->dW);
}

static void base_pulsed_run(void *v)
{
    upd_ctx *u = v;
    base_pulsed(&u->b, u->wb, u->dW, u->n, u->bl_max, &u->s);
}

static void upd_init(upd_ctx *u, const aimc_response_type *T, size_t n, double dw, double sigma_c,
                     unsigned bl_max, const aimc_update_type *kind)
{
    aimc_tile_params p = tile_params(T, 1.0, 1e-3);
    p.device.sigma_c = sigma_c;
    p.update = kind;
    p.pulse.bl_max = bl_max;
    p.pulse.rounding = AIMC_ROUND_NEAREST;
    u->t = aimc_tile_alloc(1, n, &p, 1, 1, NULL);
    u->dW = malloc(n * sizeof *u->dW);
    u->wb = malloc(n * sizeof *u->wb);
    u->n = n;
    u->bl_max = bl_max;
    u->b = base_of(T, 1.0, 1e-3);
    u->b.sigma_c = sigma_c;
    aimc_stream_init(&u->s, 2, 2, 0, 0);
    /* alternate signs so weights wander but stay inside the range */
    for (size_t i = 0; i < n; ++i) {
        u->dW[i] = (i & 1 ? dw : -dw) * (1.0 + 0.25 * sin((double)i));
        u->wb[i] = 0.5 * sin(0.1 * i);
    }
    aimc_tile_set_weights(u->t, u->wb);
}

static void upd_free(upd_ctx *u)
{
    aimc_tile_free(u->t);
    free(u->dW);
    free(u->wb);
}

static const aimc_response_type *const bench_families[] = {
    &aimc_response_softbounds, &aimc_response_linear, &aimc_response_power,
    &aimc_response_exponential, NULL};

/* A triad over 3 × 32 MiB, measured beside each kernel so that the
 * fraction of bandwidth comes from the same moments of a shared machine. */
static triad_ctx triad_alloc(void)
{
    triad_ctx t = {0};
    t.n = (size_t)1 << 22;
    t.a = malloc(t.n * sizeof *t.a);
    t.b = malloc(t.n * sizeof *t.b);
    t.c = malloc(t.n * sizeof *t.c);
    for (size_t i = 0; i < t.n; ++i)
        t.a[i] = t.b[i] = t.c[i] = 1.0 / (1 + i);
    return t;
}

static void bench_compact(report *rp, const limits *L)
{
    printf("\ncompact update (5): ns per element, ours vs the scalar loop; triad and exp "
           "measured in the same rounds\n");
    triad_ctx tr = triad_alloc();
    exp_ctx ex = {.n = 1 << 16};
    ex.x = malloc(ex.n * sizeof *ex.x);
    for (size_t i = 0; i < ex.n; ++i)
        ex.x[i] = -1.0 + 2.0 * i / ex.n;
    for (size_t f = 0; bench_families[f]; ++f)
        for (unsigned e = 3; e <= cfg.max_exp; ++e) {
            const size_t n = (size_t)pow(10, e);
            upd_ctx u;
            upd_init(&u, bench_families[f], n, 1e-3, 0.0, 31, &aimc_update_compact);
            kernel_fn fn[4] = {ours_compact, base_compact_run, triad, exp_run};
            void *c[4] = {&u, &u, &tr, &ex};
            stat s[4];
            measure(4, fn, c, s);
            const double ns = s[0].median / n * 1e9, nsb = s[1].median / n * 1e9;
            /* The kernel must read w and ΔW and write w: 24 bytes an element. */
            const double gbs = 24.0 * n / s[0].median / 1e9;
            const double triad_gbs = 3.0 * 8.0 * tr.n / s[2].median / 1e9;
            const double exp_ns = s[3].median / ex.n * 1e9;
            char name[96];
            snprintf(name, sizeof name, "%s_1e%u_ns", bench_families[f]->name, e);
            printf("  %-14s n=1e%u  ours %7.2f ns (±%2.0f%%)  loop %7.2f ns  speed-up %5.2f  "
                   "%5.1f GB/s = %3.0f%% of triad  (%.2f exp-calls)\n",
                   bench_families[f]->name, e, ns, 100 * s[0].spread, nsb, nsb / ns, gbs,
                   100 * gbs / triad_gbs, ns / exp_ns);
            if (!rp->st)
                rp->st = aimc_h5_attr_double(rp->h, "/bench/compact", name, ns, &rp->err);
            snprintf(name, sizeof name, "%s_1e%u_triad_fraction", bench_families[f]->name, e);
            if (!rp->st)
                rp->st = aimc_h5_attr_double(rp->h, "/bench/compact", name, gbs / triad_gbs,
                                             &rp->err);
            upd_free(&u);
        }
    (void)L;
    free(tr.a);
    free(tr.b);
    free(tr.c);
    free(ex.x);
}

static void bench_pulsed(report *rp, const limits *L)
{
    printf("\npulse trains (27): ns per pulse, ours vs the scalar loop (1e5 elements)\n");
    const unsigned bls[2] = {8, 31};
    const double sig[2] = {0.0, 0.3};
    for (size_t f = 0; bench_families[f]; ++f)
        for (int b = 0; b < 2; ++b)
            for (int z = 0; z < 2; ++z) {
                const size_t n = 100000;
                upd_ctx u;
                upd_init(&u, bench_families[f], n, bls[b] * 1e-3, sig[z], bls[b],
                         &aimc_update_pulsed);
                rng_ctx nr = {.n = 1 << 16};
                aimc_stream_init(&nr.s, 1, 2, 0, 0);
                kernel_fn fn[3] = {ours_pulsed, base_pulsed_run, normal_run};
                void *c[3] = {&u, &u, &nr};
                stat s[3];
                measure(sig[z] > 0 ? 3 : 2, fn, c, s);
                const double normal_ns = sig[z] > 0 ? s[2].median / nr.n * 1e9 : L->normal_ns;
                /* about bl pulses per element (counts are rounded, then capped) */
                const double pulses = (double)n * bls[b];
                const double ns = s[0].median / pulses * 1e9, nsb = s[1].median / pulses * 1e9;
                char name[96];
                snprintf(name, sizeof name, "%s_bl%u_sigma%g_speedup", bench_families[f]->name,
                         bls[b], sig[z]);
                printf("  %-12s BL %2u sigma_c %.1f  ours %6.2f ns  loop %6.2f ns  speed-up %6.2f",
                       bench_families[f]->name, bls[b], sig[z], ns, nsb, nsb / ns);
                if (sig[z] > 0) /* a noisy pulse needs one Gaussian draw at least */
                    printf("  (%.2f normal draws)", ns / normal_ns);
                printf("\n");
                if (!rp->st)
                    rp->st = aimc_h5_attr_double(rp->h, "/bench/pulsed", name, nsb / ns, &rp->err);
                upd_free(&u);
            }
}

/* ---- rank-one ---------------------------------------------------------------- */

typedef struct {
    aimc_tile *t;
    double *x, *d, *wb, lr;
    size_t m;
    base_device b;
    aimc_stream s;
} r1_ctx;

static void ours_rank1(void *v)
{
    r1_ctx *r = v;
    aimc_tile_apply_rank1(r->t, r->x, r->d, r->lr);
}

static void base_rank1_run(void *v)
{
    r1_ctx *r = v;
    base_rank1(&r->b, r->wb, r->m, r->m, r->x, r->d, r->lr, 31, &r->s);
}

/* The PyTorch peer: seconds per update, or NAN if it cannot run. */
static double torch_rank1(size_t m);
static double torch_turn(void *ctx) { return torch_rank1(((r1_ctx *)ctx)->m); }

static double torch_rank1(size_t m)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/bench/peers/torch_peer.py rank1 %zu %g 2>/dev/null",
             AIMC_SOURCE_ROOT, m, cfg.min_time);
    FILE *p = popen(cmd, "r");
    double s = NAN;
    if (p) {
        if (fscanf(p, "%lf", &s) != 1)
            s = NAN;
        pclose(p);
    }
    return s;
}

static void bench_rank1(report *rp)
{
    printf("\nstochastic rank-one update (SPEC 1.6), BL_max 31: ms per update\n");
    const size_t sizes[3] = {256, 512, 1024};
    for (int k = 0; k < 3; ++k) {
        const size_t m = sizes[k];
        r1_ctx r;
        aimc_tile_params p = tile_params(&aimc_response_softbounds, 1.0, 1e-3);
        r.t = aimc_tile_alloc(m, m, &p, 1, 1, NULL);
        r.x = malloc(m * sizeof *r.x);
        r.d = malloc(m * sizeof *r.d);
        r.wb = calloc(m * m, sizeof *r.wb);
        r.m = m;
        r.b = base_of(&aimc_response_softbounds, 1.0, 1e-3);
        aimc_stream_init(&r.s, 3, 3, 0, 0);
        for (size_t i = 0; i < m; ++i) {
            r.x[i] = sin(1.0 + i);
            r.d[i] = 0.01 * cos(2.0 + 3 * i);
        }
        r.lr = 1.0; /* k = 1·1·0.01/1e-3 = 10 pulses for the largest element */
        /* The peer runs in its turn of every round (its own process; the
         * time it reports excludes Python's start-up). */
        kernel_fn fn[3] = {ours_rank1, base_rank1_run, EXTERNAL(torch_turn)};
        const int ext[3] = {0, 0, 1};
        void *c[3] = {&r, &r, &r};
        stat s[3];
        measure_ext(cfg.torch ? 3 : 2, fn, ext, c, s);
        const double tp = cfg.torch ? s[2].median : NAN;
        char name[64];
        printf("  %4zux%-4zu ours %8.3f ms (±%2.0f%%)  loop %8.3f ms  speed-up %6.1f", m, m,
               1e3 * s[0].median, 100 * s[0].spread, 1e3 * s[1].median, s[1].median / s[0].median);
        if (isfinite(tp))
            printf("  torch %8.3f ms  speed-up %6.1f", 1e3 * tp, tp / s[0].median);
        printf("\n");
        snprintf(name, sizeof name, "rank1_%zu_speedup_vs_loop", m);
        if (!rp->st)
            rp->st = aimc_h5_attr_double(rp->h, "/bench/rank1", name, s[1].median / s[0].median,
                                         &rp->err);
        snprintf(name, sizeof name, "rank1_%zu_speedup_vs_torch", m);
        if (!rp->st && isfinite(tp))
            rp->st = aimc_h5_attr_double(rp->h, "/bench/rank1", name, tp / s[0].median, &rp->err);
        aimc_tile_free(r.t);
        free(r.x);
        free(r.d);
        free(r.wb);
    }
}

/* ---- end to end and memory ---------------------------------------------------- */

static void bench_fig2_curve(report *rp)
{
    aimc_lsq *prob = aimc_lsq_alloc_random(100, 50, 1.0, 0.5, 1, 100, NULL);
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    aimc_response_params r = aimc_response_default_params();
    r.tau = 3.5;
    aimc_response_init(&tp.optim.main.device.response, &aimc_response_linear_aihwkit, &r, NULL);
    tp.optim.main.device.dw_min = 1e-4;
    tp.optim.residual = tp.optim.main;
    tp.optim.main.pulse.bl_max = 31;
    tp.optim.residual.pulse.bl_max = 8;
    tp.optim.alpha = tp.optim.beta = 0.8;
    tp.optim.gamma = 0.4;
    tp.algo = &aimc_optim_rl;
    tp.steps = 1000;
    tp.w0_value = 1.0;
    aimc_lsq_trace tr = {0};
    const double t0 = now();
    aimc_lsq_train(prob, &tp, 1, &tr, NULL);
    const double t = now() - t0;
    printf("\nend to end\n");
    record(rp, "end_to_end", "fig2_one_tiki_taka_curve", t, "s (1000 steps x 100 samples)");
    record(rp, "end_to_end", "fig2_full_preset_estimate", t * 16 * 10,
           "s (16 curves x 10 repetitions)");
    aimc_lsq_free(prob);
}

/* Peak RSS after allocating and touching a 1024×1024 RL-v2 optimizer:
 * W, P, the buffer H and every per-element device array (one step with a
 * dense gradient writes them all). */
static void bench_memory(report *rp)
{
    aimc_optim_params op = aimc_optim_default_params();
    op.main.update = op.residual.update = &aimc_update_compact;
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_rlv2, &op, 1024, 1024, 1, NULL);
    double *g = malloc(1024 * 1024 * sizeof *g);
    for (size_t k = 0; k < 1024 * 1024; ++k)
        g[k] = 1e-3 * sin((double)k);
    aimc_grad gr = {1024, 1024, g, 0, NULL, NULL, 1.0};
    aimc_optim_step(o, &gr, NULL);
    getrusage(RUSAGE_SELF, &after);
    printf("\nmemory\n");
    record(rp, "memory", "rlv2_1024x1024_rss_growth_mb",
           (after.ru_maxrss - before.ru_maxrss) / 1024.0,
           "MB (peak-RSS growth: optimizer + one 8 MB gradient)");
    aimc_optim_free(o);
    free(g);
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    int rc = aimc_prog_parse(&spec, &com, argc, argv);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    report rp = {0};
    rp.h = aimc_prog_open_output(&spec, &com);
    if (rp.h == NULL)
        return 2;
    rp.st = aimc_prog_write_provenance(rp.h, &spec, &com, &rp.err);
    bench_memory(&rp); /* first: before the large benchmark arrays */
    peak_rss(&rp, "memory");
    const limits L = measure_limits(&rp);
    peak_rss(&rp, "limits");
    bench_compact(&rp, &L);
    peak_rss(&rp, "compact");
    bench_pulsed(&rp, &L);
    peak_rss(&rp, "pulsed");
    bench_rank1(&rp);
    peak_rss(&rp, "rank1");
    bench_fig2_curve(&rp);
    peak_rss(&rp, "fig2");
    return aimc_prog_finish(rp.h, &spec, rp.st, &rp.err);
}
