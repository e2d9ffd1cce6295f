/* lemma4 — Lemma 4 of arXiv 2502.06309 (SPEC §3.6, reference/paper.md §4.2):
 * for any U, V, Q ∈ R^D,
 *
 *   ⟨U, V⊙Q⟩ ≥ C₊⟨U, V⟩ − C₋⟨|U|, |V|⟩,   C± = (max Q ± min Q)/2     (36)–(37)
 *
 * (write Q_k = C₊ + δ_k with |δ_k| ≤ C₋; then Σ U_kV_kδ_k ≥ −C₋Σ|U_kV_k|).
 * The bound is attained when Q_k = min Q wherever U_kV_k > 0 and
 * Q_k = max Q wherever U_kV_k < 0, which the adversarial instances build.
 *
 * Cases:
 *   per response family of the registry (each parameter list swept; the
 *   aihwkit restatements on their example sets; piecewise with a table
 *   built here), Q one of q₊(W), q₋(W), F(W), M(W):
 *     random       W uniform on the range;
 *     adversarial  W_k at the grid minimiser of Q where U_kV_k > 0 and at
 *                  the grid maximiser where U_kV_k < 0 (half of each);
 *     attained     the adversarial instances meet the bound with equality;
 *   generic Q not tied to a device: uniform positive, Gaussian (signed),
 *   constant (C₋ = 0), and two-valued adversarial.
 * U, V rotate through Gaussian, heavy-tailed (ratio of normals), U = V,
 * U = −V and sparse (most entries 0); D = 1 … --dim; --reps instances per
 * case, the worst one reported.  Lines show both sides divided by
 * Σ|U_kV_k|·max|Q| (dimensionless).
 *
 * Margin: floating-point rounding only.  With γ_n = nε/(1 − nε) (ε =
 * DBL_EPSILON) each side of the inequality is a sum of D terms of at most
 * three factors, so its error is below γ_{D+4} times its absolute sum; the
 * allowance is γ_{D+4}·(Σ|U_kV_kQ_k| + (|C₊| + C₋)·Σ|U_kV_k|).
 *
 * Negative control: the C₋ term is dropped (the claim becomes
 * ⟨U, V⊙Q⟩ ≥ C₊⟨U, V⟩) on the adversarial instances, where it matters: there
 * ⟨U, V⊙Q⟩ = C₊⟨U, V⟩ − C₋⟨|U|, |V|⟩ exactly with C₋ > 0 (sources whose Q
 * does not vary over the range, e.g. F of softbounds, are left out), so
 * every case must fail.  Random instances are not run then (dropping C₋
 * need not break them).  Swapping C₊ and C₋ is no control: it only weakens
 * the bound, since (C₊ − C₋)(⟨U,V⟩ + ⟨|U|,|V|⟩) ≥ 0.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/aimc.h"
#include "aimc/check.h"

#define MAX_VARIANTS 256
#define MAX_DIM 4096

typedef struct {
    unsigned dim;
    aimc_family_sweep sweep; /* --tau-list, --gamma-res-list, --c-lin-list */
    int negative;
} lemma4_cfg;

static lemma4_cfg cfg;

static const aimc_option options[] = {
    {"dim", AIMC_OPT_UINT, &cfg.dim, 2, MAX_DIM, 0, NULL, "",
     "largest dimension D of U, V, Q (instances use 1..D)"},
    AIMC_FAMILY_SWEEP_OPTIONS(cfg.sweep),
    {"negative-control", AIMC_OPT_FLAG, &cfg.negative, 0, 0, 0, NULL, "",
     "drop the C- term on adversarial instances; every case must FAIL"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.dim = 64;
    aimc_family_sweep_preset(&cfg.sweep, full);
    if (!full) /* both signs of c */
        cfg.sweep.c_lin_list = "-0.3,0.2";
    cfg.negative = 0;
    c->reps = full ? 5000 : 500;
}

static const aimc_prog_spec spec = {
    "check-lemma4",
    "Lemma 4 (36)-(37) of arXiv 2502.06309: inner product with an element-wise factor",
    "<U, V.Q> >= C+<U,V> - C-<|U|,|V|> with C+- = (max Q +- min Q)/2, attained by "
    "adversarial Q",
    NULL,
    options,
    preset,
    &cfg.sweep,
    aimc_family_sweep_check};

/* ---- Q taken from a device: q₊, q₋, F or M at W ------------------------ */

enum { Q_PLUS, Q_MINUS, Q_F, Q_M, N_QSRC };
static const char *const qsrc_name[N_QSRC] = {"q+", "q-", "F", "M"};

static double q_source(const aimc_response *r, int src, double w)
{
    double qp, qm;
    aimc_response_q(r, w, &qp, &qm);
    switch (src) {
    case Q_PLUS:
        return qp;
    case Q_MINUS:
        return qm;
    case Q_F:
        return 0.5 * (qp + qm); /* (4) */
    default:
        return qp * qm; /* M = F² − G² = q₊q₋ */
    }
}

#define GRID 2000

/* Grid minimiser and maximiser of a source on the range (table nodes
 * included).  The construction only needs two points with the smallest and
 * largest value available; the equality it produces uses the instance's
 * own min and max, so no refinement is needed. */
static void source_extremes(const aimc_family_case *v, int src, double *w_min, double *w_max,
                            double *q_lo, double *q_hi)
{
    *q_lo = INFINITY;
    *q_hi = -INFINITY;
    const size_t nn = v->r.p.n_nodes;
    for (size_t i = 0; i <= GRID + nn; ++i) {
        const double x = i <= GRID ? v->lo + (v->hi - v->lo) * (double)i / GRID
                                   : v->r.p.node_w[i - GRID - 1];
        const double y = q_source(&v->r, src, x);
        if (y < *q_lo) {
            *q_lo = y;
            *w_min = x;
        }
        if (y > *q_hi) {
            *q_hi = y;
            *w_max = x;
        }
    }
}

/* ---- one instance ------------------------------------------------------- */

typedef struct {
    double bound;      /* C₊⟨U,V⟩ − C₋⟨|U|,|V|⟩ (C₋ dropped under the control) */
    double inner;      /* ⟨U, V⊙Q⟩ */
    double allowance;  /* rounding allowance on bound − inner */
    double scale;      /* Σ|U_kV_k|·max|Q|, for the printed ratios */
} eval_out;

static eval_out evaluate(size_t D, const double *U, const double *V, const double *Q)
{
    double qmax = -INFINITY, qmin = INFINITY;
    for (size_t k = 0; k < D; ++k) {
        qmax = fmax(qmax, Q[k]);
        qmin = fmin(qmin, Q[k]);
    }
    const double cp = 0.5 * (qmax + qmin), cm = 0.5 * (qmax - qmin); /* (37) */
    double uvq = 0, uv = 0, auv = 0, auvq = 0;
    for (size_t k = 0; k < D; ++k) {
        uvq += U[k] * (V[k] * Q[k]);
        uv += U[k] * V[k];
        auv += fabs(U[k]) * fabs(V[k]);
        auvq += fabs(U[k] * V[k] * Q[k]);
    }
    const double n = (double)(D + 4), gam = n * DBL_EPSILON / (1.0 - n * DBL_EPSILON);
    eval_out o;
    o.inner = uvq;
    o.bound = cp * uv - (cfg.negative ? 0.0 : cm) * auv; /* (36) */
    o.allowance = gam * (auvq + (fabs(cp) + cm) * auv);
    o.scale = auv * fmax(fabs(qmax), fabs(qmin));
    if (!(o.scale > 0))
        o.scale = 1.0;
    return o;
}

enum { UV_GAUSS, UV_HEAVY, UV_EQUAL, UV_OPPOSITE, UV_SPARSE, N_UV };

static void draw_uv(aimc_stream *s, size_t D, int kind, double *U, double *V)
{
    for (size_t k = 0; k < D; ++k) {
        double u = aimc_stream_normal(s), v = aimc_stream_normal(s);
        if (kind == UV_HEAVY) { /* ratio of normals: Cauchy tails */
            u /= aimc_stream_normal(s);
            v /= aimc_stream_normal(s);
        } else if (kind == UV_EQUAL) {
            v = u;
        } else if (kind == UV_OPPOSITE) {
            v = -u;
        } else if (kind == UV_SPARSE && k > 0 && aimc_stream_uniform(s) < 0.8) {
            u = 0.0; /* entry 0 stays, so that Σ|U_kV_k| > 0 */
        }
        U[k] = u;
        V[k] = v;
    }
}

/* Make half of the products U_kV_k positive and half negative (keeping
 * |V_k|), so that an adversarial Q has both extremes to place. */
static void mix_signs(size_t D, const double *U, double *V)
{
    for (size_t k = 0; k < D; ++k) {
        const double su = U[k] >= 0 ? 1.0 : -1.0;
        V[k] = (k % 2 == 0 ? su : -su) * fabs(V[k]);
    }
}

typedef struct {
    double *U, *V, *Q, *W;
} buffers;

/* Worst instance: the one with the largest (bound − inner) − allowance. */
typedef struct {
    eval_out worst;
    double worst_gap;   /* max over instances of (bound − inner − allowance)/scale */
    double attain_gap;  /* max over instances of (|bound − inner| − allowance)/scale */
    int have;
} case_out;

static void case_add(case_out *c, const eval_out *o)
{
    const double gap = (o->bound - o->inner - o->allowance) / o->scale;
    const double att = (fabs(o->bound - o->inner) - o->allowance) / o->scale;
    if (!c->have || gap > c->worst_gap) {
        c->worst = *o;
        c->worst_gap = gap;
    }
    if (!c->have || att > c->attain_gap)
        c->attain_gap = att;
    c->have = 1;
}

static size_t instance_dim(unsigned rep, int adversarial)
{
    const size_t lo = adversarial ? 2 : 1;
    return lo + (size_t)(rep * 7u) % (cfg.dim - lo + 1);
}

/* One family source: random or adversarial W, --reps instances. */
static void run_family_source(const aimc_family_case *v, size_t vi, int src, int adversarial,
                              unsigned reps, uint64_t seed, buffers *b, case_out *c)
{
    double w_min = 0, w_max = 0, q_lo, q_hi;
    source_extremes(v, src, &w_min, &w_max, &q_lo, &q_hi);
    for (unsigned rep = 0; rep < reps; ++rep) {
        aimc_stream s;
        aimc_stream_init(&s, seed, AIMC_PURPOSE(1 + vi, AIMC_ROLE_INIT),
                         (uint32_t)(src * 2 + adversarial), rep);
        const size_t D = instance_dim(rep, adversarial);
        draw_uv(&s, D, (int)(rep % N_UV), b->U, b->V);
        if (adversarial)
            mix_signs(D, b->U, b->V);
        for (size_t k = 0; k < D; ++k) {
            if (adversarial) /* smallest Q where UV > 0, largest where UV < 0 */
                b->W[k] = b->U[k] * b->V[k] > 0 ? w_min : w_max;
            else
                b->W[k] = v->lo + (v->hi - v->lo) * aimc_stream_uniform(&s);
            b->Q[k] = q_source(&v->r, src, b->W[k]);
        }
        const eval_out o = evaluate(D, b->U, b->V, b->Q);
        case_add(c, &o);
    }
}

static void report(aimc_checklist *cl, const char *what, const char *label, const case_out *c,
                   int attained)
{
    char name[128];
    snprintf(name, sizeof name, "(36) %s %s", what, label);
    const eval_out *o = &c->worst;
    aimc_check_le(cl, name, o->bound / o->scale, (o->inner + o->allowance) / o->scale);
    if (attained) {
        snprintf(name, sizeof name, "(36) attained %s", label);
        aimc_check_le(cl, name, c->attain_gap, 0.0);
    }
}

static void check_variant(aimc_checklist *cl, const aimc_family_case *v, size_t vi, unsigned reps,
                          uint64_t seed, buffers *b)
{
    case_out rnd = {{0, 0, 0, 1}, 0, 0, 0}, adv = {{0, 0, 0, 1}, 0, 0, 0};
    char label[100];
    for (int src = 0; src < N_QSRC; ++src) {
        if (!cfg.negative)
            run_family_source(v, vi, src, 0, reps, seed, b, &rnd);
        double w0, w1, q_lo, q_hi;
        source_extremes(v, src, &w0, &w1, &q_lo, &q_hi);
        /* Under the control only sources whose Q varies: there C₋ > 0. */
        if (cfg.negative && !(q_hi - q_lo > 1e-9 * fabs(q_hi)))
            continue;
        if (cfg.negative) { /* one case per source */
            case_out one = {{0, 0, 0, 1}, 0, 0, 0};
            run_family_source(v, vi, src, 1, reps, seed, b, &one);
            snprintf(label, sizeof label, "Q=%s %s", qsrc_name[src], v->label);
            report(cl, "adversarial", label, &one, 1);
        } else {
            run_family_source(v, vi, src, 1, reps, seed, b, &adv);
        }
    }
    if (cfg.negative)
        return;
    snprintf(label, sizeof label, "Q=q+,q-,F,M %s", v->label);
    report(cl, "random", label, &rnd, 0);
    report(cl, "adversarial", label, &adv, 1);
}

/* ---- Q not tied to a device --------------------------------------------- */

enum { G_UNIFORM, G_GAUSS, G_CONST, G_TWO_VALUED, N_GENERIC };
static const char *const generic_name[N_GENERIC] = {"uniform(0,1)", "gaussian", "constant",
                                                    "two-valued adversarial"};

static void check_generic(aimc_checklist *cl, unsigned reps, uint64_t seed, buffers *b)
{
    for (int g = 0; g < N_GENERIC; ++g) {
        if (cfg.negative && g != G_TWO_VALUED)
            continue; /* only the adversarial kind has C₋ > 0 and equality */
        case_out c = {{0, 0, 0, 1}, 0, 0, 0};
        for (unsigned rep = 0; rep < reps; ++rep) {
            aimc_stream s;
            aimc_stream_init(&s, seed, AIMC_PURPOSE(MAX_VARIANTS + 1, AIMC_ROLE_INIT),
                             (uint32_t)g, rep);
            const size_t D = instance_dim(rep, g == G_TWO_VALUED);
            draw_uv(&s, D, (int)(rep % N_UV), b->U, b->V);
            const double a = aimc_stream_normal(&s), d = fabs(aimc_stream_normal(&s));
            if (g == G_TWO_VALUED)
                mix_signs(D, b->U, b->V);
            for (size_t k = 0; k < D; ++k) {
                if (g == G_UNIFORM)
                    b->Q[k] = aimc_stream_uniform(&s);
                else if (g == G_GAUSS)
                    b->Q[k] = aimc_stream_normal(&s);
                else if (g == G_CONST)
                    b->Q[k] = a;
                else
                    b->Q[k] = b->U[k] * b->V[k] > 0 ? a : a + d;
            }
            const eval_out o = evaluate(D, b->U, b->V, b->Q);
            case_add(&c, &o);
        }
        char label[64];
        snprintf(label, sizeof label, "Q=%s", generic_name[g]);
        report(cl, g == G_TWO_VALUED ? "adversarial" : "random", label, &c,
               g == G_TWO_VALUED || g == G_CONST);
    }
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
    buffers b;
    b.U = malloc(cfg.dim * sizeof *b.U);
    b.V = malloc(cfg.dim * sizeof *b.V);
    b.Q = malloc(cfg.dim * sizeof *b.Q);
    b.W = malloc(cfg.dim * sizeof *b.W);
    if (!b.U || !b.V || !b.Q || !b.W) {
        fprintf(stderr, "%s: out of memory\n", spec.program);
        return 1;
    }
    aimc_checklist cl;
    aimc_checklist_init(&cl, com.quiet, cfg.negative);
    check_generic(&cl, com.reps, com.seed, &b);
    for (size_t i = 0; i < nv; ++i)
        check_variant(&cl, &v[i], i, com.reps, com.seed, &b);
    rc = aimc_checklist_finish(&cl, &spec, &com);
    aimc_checklist_free(&cl);
    free(b.U);
    free(b.V);
    free(b.Q);
    free(b.W);
    return rc;
}
