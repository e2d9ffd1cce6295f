/* aimc/prog.h — what every experiment and theory check shares: the CLI,
 * presets, provenance and the progress bar.
 *
 * This is the program-side layer (library `aimc-prog`): unlike the core
 * library it prints — usage, errors, progress — but it still never exits;
 * it returns what the program should do.  A program declares its options
 * as a table and a preset function, then:
 *
 *     int rc = aimc_prog_parse(&spec, &common, argc, argv);
 *     if (rc != AIMC_PROG_RUN) return aimc_prog_exit_status(rc);
 *
 * Bad input is reported as one line on stderr that names the option and the
 * valid range, e.g.   fig2: invalid argument "-1" for --tau: should be > 0
 * and yields exit status 2 before any work or any file is touched.
 */
#ifndef AIMC_PROG_H
#define AIMC_PROG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "aimc/common.h"
#include "aimc/h5.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AIMC_OPT_DOUBLE,  /* double*, finite, in range */
    AIMC_OPT_UINT,    /* unsigned*, in range */
    AIMC_OPT_U64,     /* uint64_t* */
    AIMC_OPT_FLAG,    /* int*, no argument: set to 1 */
    AIMC_OPT_NAME,    /* const char**, one of choices() ("a|b|c") */
    AIMC_OPT_STRING   /* const char**, any text */
} aimc_opt_kind;

enum {
    AIMC_OPT_MIN_OPEN = 1u << 0,  /* value must be > min (not ≥) */
    AIMC_OPT_MAX_OPEN = 1u << 1   /* value must be < max (not ≤) */
};

typedef struct {
    const char *name;              /* long name without "--"; NULL ends a table */
    aimc_opt_kind kind;
    void *target;
    double min, max;               /* numeric range (inclusive unless flags) */
    unsigned flags;
    const char *(*choices)(void);  /* AIMC_OPT_NAME: "a|b|c" */
    const char *unit;              /* shown in --help, may be "" */
    const char *help;              /* one line */
} aimc_option;

typedef struct {
    int full;              /* --full (paper preset) vs --quick (default) */
    uint64_t seed;         /* --seed, default 1 */
    unsigned reps;         /* --reps, set by the preset */
    const char *output;    /* -o FILE, default spec->default_output */
    unsigned threads;      /* --threads, default 1 */
    int quiet;             /* -q */
    int force;             /* --force: overwrite an existing result */
    char command_line[2048];
} aimc_prog_common;

typedef struct {
    const char *program;         /* "fig2" */
    const char *artifact;        /* "Fig. 2 of arXiv 2502.06309" */
    const char *claim;           /* one line: what the run shows */
    const char *default_output;  /* "results/fig2.h5" */
    const aimc_option *options;  /* the program's own options */
    /* Set preset defaults (full = 0 quick, 1 paper) before the options are
     * read; also sets c->reps. */
    void (*preset)(int full, aimc_prog_common *c, void *ctx);
    void *ctx;
    /* Optional check across options after parsing; returns 0 or writes a
     * message into err and returns non-zero. */
    int (*check)(void *ctx, aimc_err *err);
} aimc_prog_spec;

enum { AIMC_PROG_RUN = 0, AIMC_PROG_DONE = 1, AIMC_PROG_USAGE = 2 };
static inline int aimc_prog_exit_status(int rc) { return rc == AIMC_PROG_DONE ? 0 : 2; }

int aimc_prog_parse(const aimc_prog_spec *spec, aimc_prog_common *c, int argc, char **argv);
void aimc_prog_usage(const aimc_prog_spec *spec, const aimc_prog_common *c, FILE *out);

/* Open the result file (refuses an existing one without --force).  On
 * failure prints one line and returns NULL; the program exits 2. */
aimc_h5 *aimc_prog_open_output(const aimc_prog_spec *spec, const aimc_prog_common *c);
/* Root provenance attributes and /config (every option's resolved value). */
int aimc_prog_write_provenance(aimc_h5 *h, const aimc_prog_spec *spec,
                               const aimc_prog_common *c, aimc_err *err);
/* Commit, or print the error and abort; returns the exit status (0 or 1). */
int aimc_prog_finish(aimc_h5 *h, const aimc_prog_spec *spec, int status, aimc_err *err);

/* Progress bar on stderr, only when stderr is a terminal and not quiet. */
typedef struct {
    int enabled;
    uint64_t total, last_shown;
    double t0;
    const char *label;
} aimc_progress;
void aimc_progress_start(aimc_progress *p, const aimc_prog_common *c, const char *label,
                         uint64_t total);
void aimc_progress_update(aimc_progress *p, uint64_t done);
void aimc_progress_end(aimc_progress *p);

/* Build information (generated at configure time). */
const char *aimc_build_git_describe(void);
const char *aimc_build_compiler(void);
const char *aimc_build_type(void);

#ifdef __cplusplus
}
#endif
#endif
