/* TEMPLATE — the skeleton of an experiment; copy this folder to start one.
 *
 * Claim: (one sentence: what the run shows, and which paper figure/table).
 * Setting: (the paper's numbers, each a flag).
 *
 * This template trains any registered algorithms (--algos asgd,rl,...) on a
 * small least-squares problem with any registered device (--response NAME
 * ...) and records the loss of each, so it runs and is tested like every
 * real experiment (tests keep it compiling).  A program that runs a single
 * algorithm lists AIMC_ALGORITHM_OPTION(cfg.algorithm) instead (a
 * `const char *`, checked by the parser) and calls aimc_optim_find().
 * Steps to make it yours: rename, fill the config struct and the option
 * table, set both presets, write /runs and /summary, add the id to
 * experiments/registry.txt and a plots/<id>.gp.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/aimc.h"
#include "aimc/prog.h"

typedef struct {
    unsigned m, n, steps;
    double alpha, beta, gamma, w0;
    aimc_algo_list algos;
    aimc_device_cli dev;
} template_cfg;

static template_cfg cfg;

static const aimc_option options[] = {
    {"m", AIMC_OPT_UINT, &cfg.m, 1, 1e6, 0, NULL, "", "samples (rows of A)"},
    {"n", AIMC_OPT_UINT, &cfg.n, 1, 1e5, 0, NULL, "", "unknowns (columns of A)"},
    {"steps", AIMC_OPT_UINT, &cfg.steps, 1, 1e8, 0, NULL, "", "gradient computations"},
    {"alpha", AIMC_OPT_DOUBLE, &cfg.alpha, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",
     "learning rate of the array that receives gradients"},
    {"beta", AIMC_OPT_DOUBLE, &cfg.beta, 0, 100, 0, NULL, "",
     "transfer rate (rl) / buffer rate (ttv2, rlv2)"},
    {"gamma", AIMC_OPT_DOUBLE, &cfg.gamma, 0, 100, 0, NULL, "",
     "mixing W + gamma P of the algorithms that mix (rl, rlv2)"},
    {"w0", AIMC_OPT_DOUBLE, &cfg.w0, -1e6, 1e6, 0, NULL, "", "initial weight"},
    AIMC_ALGOS_OPTION(cfg.algos),
    AIMC_DEVICE_OPTIONS(cfg.dev),
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

/* Quick: seconds (the tests); full: the paper's setting. */
static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.m = 40;
    cfg.n = 10;
    cfg.steps = full ? 2000 : 200;
    cfg.alpha = 0.1;
    cfg.beta = 0.1;
    cfg.gamma = 0.1;
    cfg.w0 = 0.0;
    aimc_algo_list_init(&cfg.algos, "asgd,rl");
    aimc_device_cli_defaults(&cfg.dev);
    c->reps = full ? 10 : 2;
}

/* Checks across options, run by the parser before any work: here the
 * algorithm names (an unknown one is one line and exit status 2). */
static int check(void *ctx, aimc_err *err)
{
    (void)ctx;
    return aimc_algo_list_resolve(&cfg.algos, err);
}

static const aimc_prog_spec spec = {
    "template",
    "template experiment (not a paper artifact)",
    "every chosen algorithm lowers the loss of a small least-squares problem",
    "results/template.h5",
    options,
    preset,
    NULL,
    check};

/* Train tp->algo com->reps times from the same problem, write its loss
 * curves to /runs/<algorithm> and print what a reader wants. */
static int run_algorithm(aimc_h5 *h, aimc_lsq *prob, const aimc_lsq_train_params *tp,
                         const aimc_prog_common *com, aimc_err *err)
{
    const size_t np = cfg.steps + 1;
    double *loss = malloc(com->reps * np * sizeof *loss), *step = malloc(np * sizeof *step);
    char run[96];
    snprintf(run, sizeof run, "/runs/%s", tp->algo->name);
    int st = loss && step ? GSL_SUCCESS : AIMC_FAIL(err, GSL_ENOMEM, "template: out of memory");
    for (size_t k = 0; !st && k < np; ++k)
        step[k] = (double)k;
    for (unsigned r = 0; !st && r < com->reps; ++r) {
        aimc_lsq_trace tr = {.loss = loss + r * np};
        st = aimc_lsq_train(prob, tp, aimc_seed_derive(com->seed, r), &tr, err);
    }
    if (!st)
        st = aimc_h5_write_series(h, run, "loss", com->reps, np, loss, step, err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "algorithm", tp->algo->name, err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "response", cfg.dev.response, err);
    if (!st && !com->quiet)
        printf("template: %-5s loss %.3g -> %.3g after %u steps (rep 0)\n", tp->algo->name,
               loss[0], loss[np - 1], cfg.steps);
    free(loss);
    free(step);
    return st;
}

/* The training parameters tp = ctx from the options (its device is
 * already resolved from --response etc. by aimc_prog_start); every chosen
 * algorithm must accept them before any work or any file. */
static int training_params(void *ctx, aimc_err *err)
{
    aimc_lsq_train_params *tp = ctx;
    tp->optim.main.update = &aimc_update_compact;
    tp->optim.residual = tp->optim.main; /* P: the same device (used by rl, ttv2, rlv2) */
    tp->optim.alpha = cfg.alpha;
    tp->optim.beta = cfg.beta;
    tp->optim.gamma = cfg.gamma;
    tp->steps = cfg.steps;
    tp->w0_value = cfg.w0;
    for (size_t a = 0; a < cfg.algos.n; ++a) {
        const int st = aimc_optim_validate(cfg.algos.type[a], &tp->optim, err);
        if (st)
            return st;
    }
    return GSL_SUCCESS;
}

int main(int argc, char **argv)
{
    /* 1. Read the options and validate everything before any work or any
     * file (bad input: one line, exit 2); 2. open the result file (refuses
     * to overwrite without --force) with its provenance. */
    aimc_prog_common com;
    aimc_err err = {0};
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    const aimc_prog_start_opts so = {
        .device = &cfg.dev, .dp = &tp.optim.main.device, .validate = training_params, .ctx = &tp};
    aimc_h5 *h;
    int st;
    int rc = aimc_prog_start(&spec, &so, &com, argc, argv, &h, &st, &err);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);

    /* 3. Compute and 4. write one /runs/<algorithm> each. */
    aimc_lsq *prob;
    st = aimc_prog_problem(&prob, cfg.m, cfg.n, 1.0, 0.5, com.seed, 100, st, &err);
    for (size_t a = 0; !st && a < cfg.algos.n; ++a) {
        tp.algo = cfg.algos.type[a];
        st = run_algorithm(h, prob, &tp, &com, &err);
    }
    aimc_lsq_free(prob);
    return aimc_prog_finish(h, &spec, st, &err);
}
