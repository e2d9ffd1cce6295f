/* fuzz_cli — the command-line parser (aimc_prog_parse) with an option table
 * that has every kind of option, open and closed bounds, names, free text,
 * flags, the shared device options and a cross-option check.  The input is
 * argv: words separated by NUL or newline bytes.  Any argv must end in RUN,
 * DONE or USAGE with at most one line on stderr — never a crash — and a
 * parse that ends in RUN must leave every value inside its range. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aimc/prog.h"
#include "fuzz_common.h"

typedef struct {
    double tau, alpha, offset, gamma;
    unsigned steps, bl;
    uint64_t big;
    const char *family, *list;
    int check;
    aimc_device_cli dev;
} cfg_t;

static cfg_t cfg;

static const char *families(void) { return "both|linear-aihwkit|linear"; }

static const aimc_option options[] = {
    /* not "tau": AIMC_DEVICE_OPTIONS has --tau, and a name defined twice
     * makes every parse an internal error */
    {"radius", AIMC_OPT_DOUBLE, &cfg.tau, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "", "bounds"},
    {"alpha", AIMC_OPT_DOUBLE, &cfg.alpha, 0, 1, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL, "",
     "rate"},
    {"offset", AIMC_OPT_DOUBLE, &cfg.offset, -INFINITY, INFINITY, 0, NULL, "V", "any"},
    {"gamma", AIMC_OPT_DOUBLE, &cfg.gamma, 0, 100, 0, NULL, "", "mixing"},
    {"steps", AIMC_OPT_UINT, &cfg.steps, 1, 1e8, 0, NULL, "steps", "steps"},
    {"bl-max", AIMC_OPT_UINT, &cfg.bl, 0.5, 4096, AIMC_OPT_MIN_OPEN, NULL, "pulses", "bits"},
    {"big", AIMC_OPT_U64, &cfg.big, 0, (double)UINT64_MAX, 0, NULL, "", "count"},
    {"family", AIMC_OPT_NAME, &cfg.family, 0, 0, 0, families, "", "family"},
    {"c-list", AIMC_OPT_STRING, &cfg.list, 0, 0, 0, NULL, "", "list"},
    {"check", AIMC_OPT_FLAG, &cfg.check, 0, 0, 0, NULL, "", "check"},
    AIMC_DEVICE_OPTIONS(cfg.dev),
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)ctx;
    cfg.tau = full ? 3.5 : 1;
    cfg.alpha = 0.5;
    cfg.offset = 0;
    cfg.gamma = 0.4;
    cfg.steps = 100;
    cfg.bl = 8;
    cfg.big = 5;
    cfg.family = "both";
    cfg.list = "0,0.1";
    cfg.check = 0;
    aimc_device_cli_defaults(&cfg.dev);
    c->reps = full ? 10 : 3;
}

static int check(void *ctx, aimc_err *err)
{
    (void)ctx;
    if (cfg.gamma > cfg.tau)
        return AIMC_FAIL(err, GSL_EINVAL, "--gamma %g\nshould be <= --radius %g", cfg.gamma, cfg.tau);
    return 0;
}

/* The default result file: since aimc_prog_parse checks -o up front, it must
 * be a place that can be written and a file that never exists (nothing here
 * creates it), or every input without a valid -o would stop at that check
 * and the range checks below would never run. */
static char default_output[64];
static const aimc_prog_spec spec = {"fuzz-cli", "the fuzz target", "none", default_output,
                                    options, preset, NULL, check};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAX_ARGS = 64 };
    char *text = malloc(size + 1), *argv[MAX_ARGS + 2];
    int argc = 0;
    aimc_prog_common c;

    if (text == NULL)
        return 0;
    if (default_output[0] == '\0')
        snprintf(default_output, sizeof default_output, "/tmp/fuzz-cli-%ld-never-written.h5",
                 (long)getpid());
    memcpy(text, data, size);
    text[size] = '\0';
    argv[argc++] = "fuzz-cli";
    for (char *p = text, *end = text + size; p < end && argc <= MAX_ARGS;) {
        size_t n = strcspn(p, "\n"); /* a NUL ends a word too */
        p[n] = '\0';
        argv[argc++] = p;
        p += n + 1;
    }
    argv[argc] = NULL;
    int rc = aimc_prog_parse(&spec, &c, argc, argv);
    if (rc == AIMC_PROG_RUN) {
        /* Whatever was typed, a run only starts with values in range. */
        if (!(cfg.tau > 0 && cfg.tau <= 1e6) || !(cfg.alpha > 0 && cfg.alpha < 1)
            || !isfinite(cfg.offset) || !(cfg.gamma >= 0 && cfg.gamma <= cfg.tau)
            || cfg.steps < 1 || cfg.steps > 100000000u || cfg.bl < 1 || cfg.bl > 4096
            || c.reps < 1 || c.threads < 1 || c.threads > 1024 || !(cfg.dev.tau > 0))
            abort();
    } else if (rc != AIMC_PROG_DONE && rc != AIMC_PROG_USAGE) {
        abort();
    }
    free(text);
    return 0;
}
