/* TEMPLATE — the skeleton of an experiment; copy this folder to start one.
 *
 * Claim: (one sentence: what the run shows, and which paper figure/table).
 * Setting: (the paper's numbers, each a flag).
 *
 * This template trains Analog SGD on a small least-squares problem with any
 * registered device (--response NAME ...) and records the loss, so it runs
 * and is tested like every real experiment (tests keep it compiling).
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
    double alpha, w0;
    aimc_device_cli dev;
} template_cfg;

static template_cfg cfg;

static const aimc_option options[] = {
    {"m", AIMC_OPT_UINT, &cfg.m, 1, 1e6, 0, NULL, "", "samples (rows of A)"},
    {"n", AIMC_OPT_UINT, &cfg.n, 1, 1e5, 0, NULL, "", "unknowns (columns of A)"},
    {"steps", AIMC_OPT_UINT, &cfg.steps, 1, 1e8, 0, NULL, "", "gradient computations"},
    {"alpha", AIMC_OPT_DOUBLE, &cfg.alpha, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "", "learning rate"},
    {"w0", AIMC_OPT_DOUBLE, &cfg.w0, -1e6, 1e6, 0, NULL, "", "initial weight"},
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
    cfg.w0 = 0.0;
    aimc_device_cli_defaults(&cfg.dev);
    c->reps = full ? 10 : 2;
}

static const aimc_prog_spec spec = {
    "template",
    "template experiment (not a paper artifact)",
    "Analog SGD lowers the loss of a small least-squares problem",
    "results/template.h5",
    options,
    preset,
    NULL,
    NULL};

int main(int argc, char **argv)
{
    aimc_prog_common com;
    int rc = aimc_prog_parse(&spec, &com, argc, argv);
    if (rc != AIMC_PROG_RUN)
        return aimc_prog_exit_status(rc);

    /* 1. Validate everything before any work or any file. */
    aimc_err err = {0};
    aimc_lsq_train_params tp = aimc_lsq_train_default_params();
    if (aimc_device_cli_resolve(&cfg.dev, &tp.optim.main.device, &err)) {
        fprintf(stderr, "%s: %s\n", spec.program, err.msg);
        return 2;
    }
    tp.algo = &aimc_optim_asgd;
    tp.optim.main.update = &aimc_update_compact;
    tp.optim.alpha = cfg.alpha;
    tp.steps = cfg.steps;
    tp.w0_value = cfg.w0;

    /* 2. Open the result file (refuses to overwrite without --force). */
    aimc_h5 *h = aimc_prog_open_output(&spec, &com);
    if (h == NULL)
        return 2;
    int st = aimc_prog_write_provenance(h, &spec, &com, &err);

    /* 3. Compute. */
    const size_t np = cfg.steps + 1;
    double *loss = malloc(com.reps * np * sizeof *loss), *step = malloc(np * sizeof *step);
    aimc_lsq *prob = NULL;
    if (!st && (!loss || !step))
        st = AIMC_FAIL(&err, GSL_ENOMEM, "template: out of memory");
    if (!st && !(prob = aimc_lsq_alloc_random(cfg.m, cfg.n, 1.0, 0.5, com.seed, 100, &err)))
        st = GSL_EFAILED;
    for (size_t k = 0; !st && k < np; ++k)
        step[k] = (double)k;
    for (unsigned r = 0; !st && r < com.reps; ++r) {
        aimc_lsq_trace tr = {loss + r * np, NULL, NULL, NULL, 0};
        st = aimc_lsq_train(prob, &tp, aimc_seed_derive(com.seed, r), &tr, &err);
    }

    /* 4. Write the curves and a summary; print what a reader wants. */
    if (!st)
        st = aimc_h5_write_series(h, "/runs/asgd", "loss", com.reps, np, loss, step, &err);
    if (!st)
        st = aimc_h5_attr_string(h, "/runs/asgd", "algorithm", "asgd", &err);
    if (!st)
        st = aimc_h5_attr_string(h, "/runs/asgd", "response", cfg.dev.response, &err);
    if (!st && !com.quiet)
        printf("template: loss %.3g -> %.3g after %u steps (rep 0)\n", loss[0], loss[np - 1],
               cfg.steps);
    aimc_lsq_free(prob);
    free(loss);
    free(step);
    return aimc_prog_finish(h, &spec, st, &err);
}
