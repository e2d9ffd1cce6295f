/* tab3 — Table 3 of arXiv 2502.06309 (Appendix E): time per layer of Analog
 * SGD and residual learning, recomputed from what our simulations count.
 *
 * The paper's model (SPEC §3.8), every constant a flag:
 *   forward/backward   t_mvm                                   = 40 ns
 *   one update         BL·t_pulse + t_pre   = 32×5 + 5.9        = 165.9 ns
 *   residual learning  2·update + t_mvm     (P update, P read,
 *                                            W transfer)        = 371.8 ns
 * W + γP costs no time (shared ADCs), so forward/backward are the same.
 *
 * Ours: Analog SGD and residual learning (rl) run on Fig. 2's least-squares
 * problem with per-sample stochastic pulse trains (SPEC §1.6), under three
 * schedules — Fig. 2's own (full batch of 100, every column transferred
 * each step), a network-like one (mini-batch of 10, one column per step),
 * and the one Table 3 assumes (one sample, one column per step).  Per
 * gradient sample we count update events of each array (aimc_tile_update_count),
 * reads of P (one per transferred column), pulses fired (aimc_tile_pulse_count)
 * and the pulse-train slots each update used (the rank-one plan of the tile
 * kernel, aimc_rank1_plan_make), then price them with the model: once with
 * the paper's fixed BL = 32 cycles and once with the slots actually used.
 *
 * The loop is written here because aimc_lsq_train reports only the total
 * pulse count: counting per array and per event needs the optimizer's
 * tiles between steps.  For the full-batch schedules --check verifies that
 * it reproduces aimc_lsq_train bit for bit (losses and total pulses).
 * Mini-batches here take the samples in cyclic order (aimc_lsq_train draws
 * them at random); counts per sample do not depend on which samples.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "aimc/aimc.h"
#include "aimc/prog.h"

#define OBJ_PROBLEM 100

typedef struct {
    /* the timing model (Appendix E) */
    double t_pulse, t_pre, t_mvm;
    unsigned bl_model;
    /* Fig. 2's problem and algorithms */
    unsigned m, n, steps, bl_max, bl_max_transfer, net_batch;
    double tau, c_lin, dw_min, alpha, beta, gamma, w0;
    int check;
} tab3_cfg;

static tab3_cfg cfg;

static const aimc_option options[] = {
    {"t-pulse", AIMC_OPT_DOUBLE, &cfg.t_pulse, 0, 1e6, 0, NULL, "ns", "duration of one pulse cycle"},
    {"bl", AIMC_OPT_UINT, &cfg.bl_model, 1, 4096, 0, NULL, "cycles",
     "pulse cycles per update in the paper's model"},
    {"t-pre", AIMC_OPT_DOUBLE, &cfg.t_pre, 0, 1e6, 0, NULL, "ns",
     "input pre-processing per update"},
    {"t-mvm", AIMC_OPT_DOUBLE, &cfg.t_mvm, 0, 1e6, 0, NULL, "ns",
     "one matrix-vector product (forward, backward, or a read of P)"},
    {"m", AIMC_OPT_UINT, &cfg.m, 1, 1e6, 0, NULL, "", "samples (rows of A)"},
    {"n", AIMC_OPT_UINT, &cfg.n, 1, 1e5, 0, NULL, "", "unknowns (columns of A)"},
    {"tau", AIMC_OPT_DOUBLE, &cfg.tau, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "", "bounds [-tau, tau]"},
    {"c-lin", AIMC_OPT_DOUBLE, &cfg.c_lin, -1, 1, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL, "",
     "asymmetry of the linear-aihwkit device"},
    {"dw-min", AIMC_OPT_DOUBLE, &cfg.dw_min, 0, 1, AIMC_OPT_MIN_OPEN, NULL, "",
     "response granularity"},
    {"bl-max", AIMC_OPT_UINT, &cfg.bl_max, 1, 4096, 0, NULL, "pulses",
     "bit length of the gradient updates"},
    {"bl-max-transfer", AIMC_OPT_UINT, &cfg.bl_max_transfer, 1, 4096, 0, NULL, "pulses",
     "bit length of the transfer writes into W"},
    {"net-batch", AIMC_OPT_UINT, &cfg.net_batch, 1, 1e6, 0, NULL, "samples",
     "mini-batch of the network-like schedule"},
    {"alpha", AIMC_OPT_DOUBLE, &cfg.alpha, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",
     "learning rate of the array receiving gradients"},
    {"beta", AIMC_OPT_DOUBLE, &cfg.beta, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "", "transfer rate"},
    {"gamma", AIMC_OPT_DOUBLE, &cfg.gamma, 0, 100, 0, NULL, "", "mixing W + gamma*P"},
    {"w0", AIMC_OPT_DOUBLE, &cfg.w0, -1e6, 1e6, 0, NULL, "", "initial main-array weight"},
    {"steps", AIMC_OPT_UINT, &cfg.steps, 1, 1e8, 0, NULL, "",
     "steps of the full-batch schedules (the others run the same number of samples)"},
    AIMC_CHECK_OPTION(cfg.check),
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.t_pulse = 5.0;
    cfg.bl_model = 32;
    cfg.t_pre = 5.9;
    cfg.t_mvm = 40.0;
    cfg.m = 100;
    cfg.n = 50;
    cfg.tau = 3.5;
    cfg.c_lin = 0.0;
    cfg.dw_min = 1e-4;
    cfg.bl_max = 8;
    cfg.bl_max_transfer = 31;
    cfg.net_batch = 10;
    cfg.alpha = 0.8;
    cfg.beta = 0.8;
    cfg.gamma = 0.4;
    cfg.w0 = 1.0;
    cfg.steps = full ? 1000 : 60;
    cfg.check = 0;
    c->reps = full ? 5 : 2;
}

static int check_cfg(void *ctx, aimc_err *err)
{
    (void)ctx;
    if (cfg.net_batch > cfg.m)
        return AIMC_FAIL(err, GSL_EINVAL, "invalid argument \"%u\" for --net-batch: should be <= "
                         "--m (%u)", cfg.net_batch, cfg.m);
    return 0;
}

static const aimc_prog_spec spec = {
    "tab3",
    "Table 3 of arXiv 2502.06309 (Appendix E): time per layer, Analog SGD vs residual learning",
    "update 32x5 + 5.9 = 165.9 ns; residual learning 2x165.9 + 40 = 371.8 ns",
    "results/tab3.h5",
    options,
    preset,
    NULL,
    check_cfg};

/* The paper's model. */
static double t_update(double bl) { return bl * cfg.t_pulse + cfg.t_pre; }
static double t_rl_update(double bl) { return 2.0 * t_update(bl) + cfg.t_mvm; }

/* ---- the runs ------------------------------------------------------------ */

typedef struct {
    const char *name, *what;
    const aimc_optim_type *algo;
    int batch;    /* samples per step: 0 = the full batch, −1 = --net-batch */
    size_t n_col; /* columns transferred per step (0 = all) */
} schedule;

static const schedule schedules[] = {
    {"asgd-fig2", "Analog SGD, Fig. 2 (full batch)", &aimc_optim_asgd, 0, 0},
    {"rl-fig2", "RL, Fig. 2 (full batch, every column each step)", &aimc_optim_rl, 0, 0},
    {"rl-net", "RL, mini-batch, one column per step", &aimc_optim_rl, -1, 1},
    {"rl-tab3", "RL, one sample and one column per step", &aimc_optim_rl, 1, 1}};
enum { N_SCHED = sizeof schedules / sizeof schedules[0] };

/* What one run counts (totals). */
typedef struct {
    double samples;                              /* gradient samples */
    double grad_events, grad_pulses, grad_slots; /* updates of the gradient array */
    double tr_events, tr_pulses, tr_slots;       /* transfer writes into W (rl) */
    double reads;                                /* columns of P read */
} counts;

static size_t batch_of(const schedule *s)
{
    return s->batch == 0 ? cfg.m : (s->batch < 0 ? cfg.net_batch : (size_t)s->batch);
}

static void run_params(const schedule *s, aimc_optim_params *op)
{
    *op = aimc_optim_default_params();
    aimc_device_params dp = aimc_device_default_params();
    aimc_response_params rp = aimc_response_default_params();
    rp.tau = cfg.tau;
    rp.c_lin = cfg.c_lin;
    aimc_response_init(&dp.response, &aimc_response_linear_aihwkit, &rp, NULL);
    dp.dw_min = cfg.dw_min;
    op->main.device = op->residual.device = dp;
    op->main.update = op->residual.update = &aimc_update_rank1;
    /* The gradient goes to W for asgd, to P for rl; W then only takes the
     * transfer writes, with their own bit length (as fig2). */
    op->main.pulse.bl_max = s->algo == &aimc_optim_asgd ? cfg.bl_max : cfg.bl_max_transfer;
    op->residual.pulse.bl_max = cfg.bl_max;
    op->alpha = cfg.alpha;
    op->beta = cfg.beta;
    op->gamma = s->algo == &aimc_optim_rl ? cfg.gamma : 0.0;
    op->transfer_every = 1;
    op->n_col = s->n_col;
}

/* Samples i0, i0+1, ... (cyclic) of the problem at q: x = their rows,
 * d_i = (a_iᵀq − b_i)/b, dense = Σ d_i a_i — the mini-batch gradient. */
static void cyclic_batch(aimc_lsq *p, const double *q, size_t i0, size_t b, double *xb, double *d,
                         double *dense, aimc_grad *g)
{
    const size_t n = p->n;
    for (size_t t = 0; t < b; ++t) {
        const size_t i = (i0 + t) % p->m;
        memcpy(xb + t * n, p->A + i * n, n * sizeof *xb);
        double y = 0;
        for (size_t j = 0; j < n; ++j)
            y += xb[t * n + j] * q[j];
        d[t] = (y - p->b[i]) / (double)b;
    }
    memset(dense, 0, n * sizeof *dense);
    for (size_t t = 0; t < b; ++t)
        for (size_t j = 0; j < n; ++j)
            dense[j] += d[t] * xb[t * n + j];
    *g = (aimc_grad){1, n, dense, b, xb, d, 1.0};
}

/* Pulse-train slots the tile kernel plans for each sample of g at rate lr
 * (SPEC §1.6: BL = min(ceil(k), BL_max) under update-BL management). */
static double planned_slots(const aimc_pulse_settings *ps, double dw_min, const aimc_grad *g,
                            double lr)
{
    double slots = 0;
    for (size_t b = 0; b < g->batch; ++b) {
        double xm = 0, dm = 0;
        for (size_t j = 0; j < g->cols; ++j)
            xm = fmax(xm, fabs(g->x[b * g->cols + j]));
        for (size_t i = 0; i < g->rows; ++i)
            dm = fmax(dm, fabs(g->d[b * g->rows + i]));
        slots += aimc_rank1_plan_make(ps, fabs(lr * g->scale), dw_min, xm, dm).bl;
    }
    return slots;
}

static size_t steps_of(const schedule *s) { return (size_t)cfg.steps * cfg.m / batch_of(s); }

/* After a step of rl: the slots of the transfer writes just made (columns
 * `cursor`.. in cyclic order, as optim.c takes them), each a one-hot
 * rank-one update of rate β with d = −P[:, c]; P is as it was read. */
static double transfer_slots(aimc_optim *o, const aimc_optim_params *op, size_t ncol,
                             size_t *cursor)
{
    const double *P = aimc_optim_residual(o);
    const size_t n = aimc_tile_cols(aimc_optim_main_tile(o));
    double slots = 0;
    for (size_t t = 0; t < ncol; ++t) {
        const size_t c = (*cursor + t) % n;
        slots += aimc_rank1_plan_make(&op->main.pulse, cfg.beta, op->main.device.dw_min, 1.0,
                                      fabs(P[c])).bl;
    }
    *cursor = (*cursor + ncol) % n;
    return slots;
}

/* One run: loss[k] (k = 0..steps) at the query point, and the counts. */
static int run_schedule(aimc_lsq *prob, const schedule *s, uint64_t seed, double *loss, counts *c,
                        aimc_err *err)
{
    aimc_optim_params op;
    run_params(s, &op);
    const size_t n = prob->n, b = batch_of(s), steps = steps_of(s);
    const int rl = s->algo == &aimc_optim_rl;
    const size_t ncol = s->n_col == 0 || s->n_col > n ? n : s->n_col;
    aimc_optim *o = aimc_optim_alloc(s->algo, &op, 1, n, seed, err);
    double *buf = malloc((2 * n + prob->m + b * n) * sizeof *buf);
    int st = o == NULL ? GSL_EFAILED : 0;
    if (!st && buf == NULL)
        st = AIMC_FAIL(err, GSL_ENOMEM, "tab3: out of memory");
    double *W0 = buf, *dense = buf + n, *d = buf + 2 * n, *xb = buf + 2 * n + prob->m;
    memset(c, 0, sizeof *c);
    size_t cursor = 0;
    if (!st) {
        for (size_t k = 0; k < n; ++k)
            W0[k] = cfg.w0;
        aimc_optim_set_weights(o, W0, NULL);
    }
    const aimc_tile_params *gp = rl ? &op.residual : &op.main;
    for (size_t k = 0; !st; ++k) {
        const double *q = aimc_optim_query_point(o);
        loss[k] = aimc_lsq_loss(prob, q);
        if (k == steps)
            break;
        aimc_grad g;
        if (b == prob->m) /* the full batch in sample order, as aimc_lsq_train */
            aimc_lsq_grad_factors(prob, q, d, dense, &g);
        else
            cyclic_batch(prob, q, (k * b) % prob->m, b, xb, d, dense, &g);
        c->grad_slots += planned_slots(&gp->pulse, gp->device.dw_min, &g, cfg.alpha);
        st = aimc_optim_step(o, &g, err);
        if (!st && rl) {
            c->tr_slots += transfer_slots(o, &op, ncol, &cursor);
            c->reads += ncol;
        }
        c->samples += b;
    }
    if (!st) {
        aimc_tile *gt = rl ? aimc_optim_residual_tile(o) : aimc_optim_main_tile(o);
        c->grad_events = (double)aimc_tile_update_count(gt);
        c->grad_pulses = (double)aimc_tile_pulse_count(gt);
        if (rl) {
            c->tr_events = (double)aimc_tile_update_count(aimc_optim_main_tile(o));
            c->tr_pulses = (double)aimc_tile_pulse_count(aimc_optim_main_tile(o));
        }
    }
    aimc_optim_free(o);
    free(buf);
    return st;
}

/* The same full-batch run through aimc_lsq_train: the losses must agree to
 * the bit and its pulse total must be the sum of our per-array counts. */
static int matches_library(aimc_lsq *prob, const schedule *s, uint64_t seed, const double *loss,
                           const counts *c, int *same, aimc_err *err)
{
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    run_params(s, &tp.optim);
    tp.algo = s->algo;
    tp.steps = cfg.steps;
    tp.w0_value = cfg.w0;
    double *ref = malloc((cfg.steps + 1) * sizeof *ref);
    if (ref == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "tab3: out of memory");
    aimc_lsq_trace tr = {.loss = ref};
    int st = aimc_lsq_train(prob, &tp, seed, &tr, err);
    *same = !st && memcmp(ref, loss, (cfg.steps + 1) * sizeof *ref) == 0 &&
            tr.pulses == c->grad_pulses + c->tr_pulses;
    free(ref);
    return st;
}

/* ---- per-sample quantities, the table, the claims ------------------------ */

enum { NQ = 9 };
static const char *const qname[NQ] = {
    "grad_updates_per_sample", "transfers_per_sample", "reads_per_sample",
    "slots_per_grad_update", "slots_per_transfer", "pulses_per_element_per_grad_update",
    "pulses_per_element_per_transfer", "time_per_sample_bl_model_ns", "time_per_sample_bl_used_ns"};

static void per_sample(const counts *c, size_t n, double q[NQ])
{
    const double S = c->samples, ev = c->grad_events + c->tr_events;
    q[0] = c->grad_events / S;
    q[1] = c->tr_events / S;
    q[2] = c->reads / S;
    q[3] = c->grad_slots / c->grad_events;
    q[4] = c->tr_events > 0 ? c->tr_slots / c->tr_events : 0.0;
    q[5] = c->grad_pulses / (c->grad_events * (double)n);
    q[6] = c->tr_events > 0 ? c->tr_pulses / c->tr_events : 0.0; /* one element per column here */
    /* Priced with the model: every update a train of --bl cycles, or of the
     * slots the kernel planned; every read of P one MVM. */
    q[7] = (ev * t_update(cfg.bl_model) + c->reads * cfg.t_mvm) / S;
    q[8] = ((c->grad_slots + c->tr_slots) * cfg.t_pulse + ev * cfg.t_pre + c->reads * cfg.t_mvm) / S;
}

static int write_schedule(aimc_h5 *h, const schedule *s, size_t reps, const double *loss,
                          const double *q, double mean[NQ], aimc_err *err)
{
    char run[64];
    const size_t np = steps_of(s) + 1, b = batch_of(s);
    double *epoch = malloc(np * sizeof *epoch);
    if (epoch == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "tab3: out of memory");
    for (size_t k = 0; k < np; ++k)
        epoch[k] = (double)(k * b) / cfg.m;
    snprintf(run, sizeof run, "/runs/%s", s->name);
    int st = aimc_h5_write_series(h, run, "loss", reps, np, loss, epoch, err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "algorithm", s->algo->name, err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "schedule", s->what, err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "varies", "step = epochs (samples / m)", err);
    snprintf(run, sizeof run, "/summary/%s", s->name);
    for (int k = 0; k < NQ && !st; ++k) {
        /* Column k of the reps × NQ table, read with GSL's stride. */
        mean[k] = gsl_stats_mean(q + k, NQ, reps);
        const double se =
            reps > 1 ? gsl_stats_sd_m(q + k, NQ, reps, mean[k]) / sqrt((double)reps) : 0;
        char name[96];
        st = aimc_h5_attr_double(h, run, qname[k], mean[k], err);
        snprintf(name, sizeof name, "%s_se", qname[k]);
        if (!st)
            st = aimc_h5_attr_double(h, run, name, se, err);
    }
    free(epoch);
    return st;
}

static void print_table(double mean[N_SCHED][NQ])
{
    printf("\n  Table 3 (time per layer, ns)        paper   from the constants\n");
    printf("    forward / backward                %6.1f   %6.1f\n", 40.0, cfg.t_mvm);
    printf("    update, Analog SGD                %6.1f   %6.1f  = %u x %g + %g\n", 165.9,
           t_update(cfg.bl_model), cfg.bl_model, cfg.t_pulse, cfg.t_pre);
    printf("    update, residual learning         %6.1f   %6.1f  = 2 x %.1f + %g\n", 371.8,
           t_rl_update(cfg.bl_model), t_update(cfg.bl_model), cfg.t_mvm);
    printf("\n  counted per gradient sample (mean over repetitions):\n");
    printf("    %-10s %7s %7s %7s %8s %8s %9s %9s %10s %10s\n", "schedule", "grad", "transf",
           "reads", "slots/g", "slots/t", "pulses/g", "pulses/t", "t(BL)", "t(used)");
    for (int s = 0; s < N_SCHED; ++s)
        printf("    %-10s %7.3f %7.3f %7.3f %8.2f %8.2f %9.4f %9.3f %10.2f %10.2f\n",
               schedules[s].name, mean[s][0], mean[s][1], mean[s][2], mean[s][3], mean[s][4],
               mean[s][5], mean[s][6], mean[s][7], mean[s][8]);
    printf("    (grad/transf: update events of the gradient array / of W; slots: pulse-train\n"
           "     cycles planned per event; pulses/g: pulses per element per gradient update;\n"
           "     t: ns per sample priced with the model, BL = %u or the slots used)\n",
           cfg.bl_model);
}

/* Asserted: the paper's arithmetic from the constants (to rounding, 1e-9
 * ns); the counted events of Table 3's schedule price to its 371.8 and
 * Analog SGD's to 165.9; our loop equals aimc_lsq_train.  Reported: the
 * other schedules' prices and the pulses actually fired. */
static int check_claims(aimc_h5 *h, double mean[N_SCHED][NQ], int same, int *ok, aimc_err *err)
{
    const double tu = t_update(cfg.bl_model), tr = t_rl_update(cfg.bl_model);
    char t[6][240];
    snprintf(t[0], sizeof t[0], "update = %u x %g + %g = %.1f ns (paper 165.9)", cfg.bl_model,
             cfg.t_pulse, cfg.t_pre, tu);
    snprintf(t[1], sizeof t[1], "residual learning = 2 x %.1f + %g = %.1f ns (paper 371.8)", tu,
             cfg.t_mvm, tr);
    snprintf(t[2], sizeof t[2], "counted events price to the model: Analog SGD %.2f ns and "
             "rl-tab3 %.2f ns per sample (1 update; 1 update + 1 read + 1 transfer)",
             mean[0][7], mean[3][7]);
    snprintf(t[3], sizeof t[3], "the counting loop equals aimc_lsq_train bit for bit (losses, "
             "total pulses) on the full-batch schedules");
    snprintf(t[4], sizeof t[4], "Fig. 2's schedule costs %.2f ns per sample (%.2f transfers and "
             "reads per sample); the network-like one %.2f ns", mean[1][7], mean[1][1], mean[2][7]);
    snprintf(t[5], sizeof t[5], "pulses actually fired per element and update: %.4f (Analog SGD), "
             "%.4f (rl gradient), %.3f (rl transfer), against %u cycles budgeted", mean[0][5],
             mean[1][5], mean[1][6], cfg.bl_model);
    const int holds[6] = {fabs(tu - 165.9) < 1e-9, fabs(tr - 371.8) < 1e-9,
                          fabs(mean[0][7] - tu) < 1e-9 && fabs(mean[3][7] - tr) < 1e-9, same, 1, 1};
    const int asserted[6] = {1, 1, 1, 1, 0, 0};
    aimc_claims cs;
    aimc_claims_init(&cs, h, "/summary");
    cs.tag_width = 5;
    int st = 0;
    printf("\n  claims:\n");
    for (int q = 0; q < 6 && !st; ++q)
        st = aimc_claims_add(&cs, asserted[q], holds[q], t[q], err);
    if (cfg.check)
        aimc_claims_print_counts(&cs);
    *ok = cs.failed == 0;
    return st;
}

static int write_paper(aimc_h5 *h, aimc_err *err)
{
    int st = aimc_h5_attr_double(h, "/paper", "forward_backward_ns", 40.0, err);
    if (!st)
        st = aimc_h5_attr_double(h, "/paper", "update_asgd_ns", 165.9, err);
    if (!st)
        st = aimc_h5_attr_double(h, "/paper", "update_rl_ns", 371.8, err);
    if (!st)
        st = aimc_h5_attr_string(h, "/paper", "reported",
                                 "32 pulse cycles of 5 ns + 5.9 ns pre-processing per update; "
                                 "RL = P update + P read + W transfer", err);
    return st;
}

/* Every schedule × repetition; the full-batch ones also through the library. */
static int run_all(aimc_h5 *h, aimc_lsq *prob, const aimc_prog_common *com,
                   double mean[N_SCHED][NQ], int *same, aimc_err *err)
{
    const size_t reps = com->reps;
    int st = 0;
    *same = 1;
    aimc_progress bar;
    aimc_progress_start(&bar, com, "tab3", N_SCHED * reps);
    for (int si = 0; si < N_SCHED && !st; ++si) {
        const schedule *s = &schedules[si];
        const size_t np = steps_of(s) + 1;
        double *loss = malloc(reps * np * sizeof *loss), *q = malloc(reps * NQ * sizeof *q);
        if (!loss || !q)
            st = AIMC_FAIL(err, GSL_ENOMEM, "tab3: out of memory");
        for (size_t r = 0; r < reps && !st; ++r) {
            counts c;
            const uint64_t seed = aimc_seed_derive(com->seed, r);
            st = run_schedule(prob, s, seed, loss + r * np, &c, err);
            if (!st)
                per_sample(&c, prob->n, q + r * NQ);
            if (!st && r == 0 && batch_of(s) == cfg.m) {
                int ok = 0;
                st = matches_library(prob, s, seed, loss, &c, &ok, err);
                *same &= ok;
            }
            aimc_progress_update(&bar, si * reps + r + 1);
        }
        if (!st)
            st = write_schedule(h, s, reps, loss, q, mean[si], err);
        free(loss);
        free(q);
    }
    aimc_progress_end(&bar);
    return st;
}

/* Every schedule's parameters must be valid before any work or file. */
static int validate_schedules(void *ctx, aimc_err *err)
{
    (void)ctx;
    aimc_optim_params op;
    for (int s = 0; s < N_SCHED; ++s) {
        run_params(&schedules[s], &op);
        const int st = aimc_optim_validate(schedules[s].algo, &op, err);
        if (st)
            return st;
    }
    return GSL_SUCCESS;
}

int main(int argc, char **argv)
{
    aimc_prog_common com;
    aimc_err err = {0};
    const aimc_prog_start_opts so = {.validate = validate_schedules};
    aimc_h5 *h;
    int st;
    int rc = aimc_prog_start(&spec, &so, &com, argc, argv, &h, &st, &err);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);
    aimc_lsq *prob;
    st = aimc_prog_problem(&prob, cfg.m, cfg.n, 1.0, 0.5, com.seed, OBJ_PROBLEM, st, &err);
    double mean[N_SCHED][NQ];
    int same = 0, ok = 1;
    if (!st)
        st = run_all(h, prob, &com, mean, &same, &err);
    if (!st && !com.quiet)
        print_table(mean);
    if (!st)
        st = check_claims(h, mean, same, &ok, &err);
    if (!st)
        st = write_paper(h, &err);
    aimc_lsq_free(prob);
    return aimc_prog_finish_claims(h, &spec, st, cfg.check && !ok, &err);
}
