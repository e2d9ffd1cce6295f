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
#include "aimc/data.h"
#include "aimc/device.h"
#include "aimc/h5.h"
#include "aimc/nn_zoo.h"
#include "aimc/optim.h"
#include "aimc/problem.h"

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

/* After the options and spec->check, the result file's place is checked
 * too (when c->output is set): a directory that exists and can be written,
 * and no file of that name unless --force (then a regular file).  So a bad
 * -o is one line and exit 2 before any work, also in programs that open
 * their file only at the end; aimc_prog_open_output checks again. */
int aimc_prog_parse(const aimc_prog_spec *spec, aimc_prog_common *c, int argc, char **argv);
void aimc_prog_usage(const aimc_prog_spec *spec, const aimc_prog_common *c, FILE *out);

/* Open the result file (refuses an existing one without --force).  On
 * failure prints one line and returns NULL; the program exits 2. */
aimc_h5 *aimc_prog_open_output(const aimc_prog_spec *spec, const aimc_prog_common *c);
/* Root provenance attributes and /config (every option's resolved value). */
int aimc_prog_write_provenance(aimc_h5 *h, const aimc_prog_spec *spec,
                               const aimc_prog_common *c, aimc_err *err);
/* Commit, or print the error and abort; returns the exit status (0 or 1).
 * From open_output to finish, SIGINT/SIGTERM/SIGHUP/SIGPIPE remove
 * FILE.partial before the process dies of them (status 128 + signal). */
int aimc_prog_finish(aimc_h5 *h, const aimc_prog_spec *spec, int status, aimc_err *err);

/* ---- a run that diverged ---------------------------------------------
 *
 * When a loss or a weight stops being finite (lib/train returns GSL_ERANGE
 * naming the step), the program stops and keeps what it computed, under a
 * name that says so (docs/RELIABILITY.md):
 *
 *     aimc_divergence d = {k, rep, "W[12]", w12};
 *     st = aimc_prog_save_diverged(h, "/runs/asgd-c0", &d, 2, names, series, &err);
 *     if (!st) return aimc_prog_finish_diverged(h, &spec, "/runs/asgd-c0", &d);
 *
 * writes /runs/asgd-c0-diverged/<metric> (1 × (step+1): each series up to
 * and including step, where it stopped being finite) with its step vector
 * and the attributes diverged_at_step, rep, parameter, value, and marks the
 * root with the attribute diverged = "/runs/asgd-c0-diverged". */
typedef struct {
    size_t step;            /* first step whose value is not finite */
    unsigned rep;           /* the repetition that diverged */
    const char *parameter;  /* what was not finite first: "W[12]", "loss", ... */
    double value;           /* its value: NaN or ±inf */
} aimc_divergence;

/* Index of the first NaN or ±inf in x[0..n), n if every entry is finite. */
size_t aimc_first_nonfinite(const double *x, size_t n);
int aimc_prog_save_diverged(aimc_h5 *h, const char *run, const aimc_divergence *d,
                            size_t n_metrics, const char *const *metric,
                            const double *const *series, aimc_err *err);
/* One line on stderr (where and what diverged, where the series went),
 * commit the file; returns exit status 1. */
int aimc_prog_finish_diverged(aimc_h5 *h, const aimc_prog_spec *spec, const char *run,
                              const aimc_divergence *d);

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
/* A bar with its count, advanced by one per call of aimc_progress_tick
 * (ctx: the counter) — e.g. the on_epoch callback of aimc_zoo_train. */
typedef struct {
    aimc_progress *bar;
    uint64_t done;
} aimc_progress_counter;
void aimc_progress_tick(void *counter);

/* ---- a device's options, shared by every program ---------------------
 *
 * Programs that simulate one kind of device embed an aimc_device_cli in
 * their configuration, list AIMC_DEVICE_OPTIONS(cfg.dev) in their option
 * table, set its fields in their preset, and turn it into device
 * parameters with aimc_device_cli_resolve().  Every response family in the
 * registry is then selectable by name (--response NAME) with no edit to
 * the program. */
typedef struct {
    const char *response;     /* --response: a registered family */
    double tau;               /* --tau */
    double gamma_res;         /* --gamma-res: exponent (power, powstep-aihwkit) or rate
                                 (exponential) */
    double c_lin;             /* --c-lin: asymmetry of the linear families; aihwkit's up_down
                                 for the *-aihwkit families */
    double dw_min;            /* --dw-min */
    double sigma_c;           /* --sigma-c: cycle-to-cycle noise */
    const char *noise_form;   /* --noise-form additive|multiplicative */
    double dw_min_dtod;       /* --dw-min-dtod */
    double bounds_dtod;       /* --bounds-dtod */
    double up_down_dtod;      /* --up-down-dtod */
    int zero_shift;           /* --zero-shift */
    /* Added for measured and aihwkit devices (defaults: no table; aihwkit's
     * values, as aimc_response_default_params()). */
    const char *response_table; /* --response-table FILE: CSV (w, dw_plus, dw_minus), the nodes
                                   of --response piecewise (required with it) */
    int dw_min_from_table;    /* --dw-min-from-table: Δw_min = the table's mid-range step */
    double pow_up_down;       /* --pow-up-down (powstep-aihwkit) */
    double es_A_up, es_A_down;         /* --es-A-up, --es-A-down (expstep-aihwkit) */
    double es_gamma_up, es_gamma_down; /* --es-gamma-up, --es-gamma-down */
    double es_a, es_b;                 /* --es-a, --es-b */
} aimc_device_cli;

const char *aimc_noise_form_names(void);
/* --rounding of the pulsed kernels: "stochastic|nearest|ceil", and the
 * rounding a name stands for (one the parser has accepted). */
const char *aimc_rounding_names(void);
aimc_rounding aimc_rounding_of(const char *name);
/* softbounds, τ = 1, γ_res = 1, c = 0, Δw_min = 1e-3, no noise or variation. */
void aimc_device_cli_defaults(aimc_device_cli *dc);
/* Build device parameters; fails (with a message naming the option) if the
 * family rejects its parameters. */
int aimc_device_cli_resolve(const aimc_device_cli *dc, aimc_device_params *out, aimc_err *err);

#define AIMC_DEVICE_OPTIONS(dc)                                                                    \
    {"response", AIMC_OPT_NAME, &(dc).response, 0, 0, 0, aimc_response_type_names, "",             \
     "response family of the device"},                                                             \
    {"response-table", AIMC_OPT_STRING, &(dc).response_table, 0, 0, 0, NULL, "",                   \
     "nodes of --response piecewise: CSV of w, dw_plus, dw_minus (docs/EXTENDING.md)"},            \
    {"dw-min-from-table", AIMC_OPT_FLAG, &(dc).dw_min_from_table, 0, 0, 0, NULL, "",               \
     "set dw-min to the table's mean step at mid-range: pulses take the measured steps"},          \
    {"tau", AIMC_OPT_DOUBLE, &(dc).tau, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "",                       \
     "dynamic-range radius: bounds [-tau, tau]"},                                                  \
    {"gamma-res", AIMC_OPT_DOUBLE, &(dc).gamma_res, 0, 700, AIMC_OPT_MIN_OPEN, NULL, "",           \
     "response exponent (power, powstep-aihwkit) or rate (exponential)"},                          \
    {"c-lin", AIMC_OPT_DOUBLE, &(dc).c_lin, -1, 1, AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL,  \
     "",                                                                                           \
     "asymmetry c of the linear families; aihwkit up_down for the *-aihwkit ones"},                \
    {"pow-up-down", AIMC_OPT_DOUBLE, &(dc).pow_up_down, -1, 1,                                     \
     AIMC_OPT_MIN_OPEN | AIMC_OPT_MAX_OPEN, NULL, "",                                              \
     "powstep-aihwkit: exponent asymmetry (aihwkit pow_up_down)"},                                 \
    {"es-A-up", AIMC_OPT_DOUBLE, &(dc).es_A_up, -1e6, 1e6, 0, NULL, "",                            \
     "expstep-aihwkit: amplitude A_up in 1 - A_up exp(gamma_up z)"},                               \
    {"es-A-down", AIMC_OPT_DOUBLE, &(dc).es_A_down, -1e6, 1e6, 0, NULL, "",                        \
     "expstep-aihwkit: amplitude A_down in 1 - A_down exp(-gamma_down z)"},                        \
    {"es-gamma-up", AIMC_OPT_DOUBLE, &(dc).es_gamma_up, -1e3, 1e3, 0, NULL, "",                    \
     "expstep-aihwkit: rate gamma_up of the up step"},                                             \
    {"es-gamma-down", AIMC_OPT_DOUBLE, &(dc).es_gamma_down, -1e3, 1e3, 0, NULL, "",                \
     "expstep-aihwkit: rate gamma_down of the down step"},                                         \
    {"es-a", AIMC_OPT_DOUBLE, &(dc).es_a, -1e3, 1e3, 0, NULL, "",                                  \
     "expstep-aihwkit: slope a in z = a w/tau + b"},                                               \
    {"es-b", AIMC_OPT_DOUBLE, &(dc).es_b, -1e3, 1e3, 0, NULL, "",                                  \
     "expstep-aihwkit: offset b in z = a w/tau + b"},                                              \
    {"dw-min", AIMC_OPT_DOUBLE, &(dc).dw_min, 0, 1e3, AIMC_OPT_MIN_OPEN, NULL, "",                 \
     "response granularity: weight change of one pulse"},                                          \
    AIMC_DEVICE_NOISE_OPTIONS(dc)

/* The noise and variation options alone (the end of AIMC_DEVICE_OPTIONS),
 * for programs that set the response's own parameters per panel. */
#define AIMC_DEVICE_NOISE_OPTIONS(dc)                                                              \
    {"sigma-c", AIMC_OPT_DOUBLE, &(dc).sigma_c, 0, 100, 0, NULL, "",                               \
     "cycle-to-cycle pulse noise"},                                                                \
    {"noise-form", AIMC_OPT_NAME, &(dc).noise_form, 0, 0, 0, aimc_noise_form_names, "",            \
     "how cycle noise enters a pulse (SPEC 1.1)"},                                                 \
    {"dw-min-dtod", AIMC_OPT_DOUBLE, &(dc).dw_min_dtod, 0, 10, 0, NULL, "",                        \
     "device-to-device relative spread of dw_min"},                                                \
    {"bounds-dtod", AIMC_OPT_DOUBLE, &(dc).bounds_dtod, 0, 10, 0, NULL, "",                        \
     "device-to-device relative spread of the bounds"},                                            \
    {"up-down-dtod", AIMC_OPT_DOUBLE, &(dc).up_down_dtod, 0, 10, 0, NULL, "",                      \
     "device-to-device absolute spread of up/down asymmetry"},                                     \
    {"zero-shift", AIMC_OPT_FLAG, &(dc).zero_shift, 0, 0, 0, NULL, "",                             \
     "calibrate each element's symmetric point to 0 (exact zero-shifting)"}

/* --rounding (a const char *), for aimc_rounding_of. */
#define AIMC_ROUNDING_OPTION(name)                                                                 \
    {"rounding", AIMC_OPT_NAME, &(name), 0, 0, 0, aimc_rounding_names, "",                         \
     "pulse-count rounding of the pulsed kernel"}

/* --check: the quick test's switch (an int flag). */
#define AIMC_CHECK_OPTION(flag)                                                                    \
    {"check", AIMC_OPT_FLAG, &(flag), 0, 0, 0, NULL, "",                                           \
     "exit 1 unless the asserted claims hold (the quick test)"}

/* ---- the algorithm options, shared by every program -------------------
 *
 * (lib/prog/algo_cli.c.)  Names come from the registry of algorithms
 * (lib/optim/registry.def), so a newly registered algorithm is accepted and
 * listed by --help in every program that uses these, with no edit to it.
 *
 * One algorithm: a `const char *algorithm` in the configuration (default
 * set in the preset, e.g. "asgd"), AIMC_ALGORITHM_OPTION(cfg.algorithm) in
 * the option table.  The parser itself rejects an unknown name (one line,
 * exit 2), so aimc_optim_find(cfg.algorithm) is never NULL after it.
 *
 * Several algorithms: an aimc_algo_list in the configuration,
 * aimc_algo_list_init(&cfg.algos, "dsgd,asgd,rl") in the preset (the
 * default, and the --help text that names every registered algorithm),
 * AIMC_ALGOS_OPTION(cfg.algos) in the option table, and
 * aimc_algo_list_resolve(&cfg.algos, &err) in the spec's check callback (or
 * right after parsing, before any work), which fills type[0..n) in the
 * order given and fails on an unknown, empty or repeated name. */
#define AIMC_ALGO_LIST_MAX 16
typedef struct {
    const char *names;                              /* --algos: "dsgd,asgd,rl" */
    size_t n;                                       /* resolved: how many */
    const aimc_optim_type *type[AIMC_ALGO_LIST_MAX]; /* resolved, in the order given */
    char help[512];                                 /* --help line (aimc_algo_list_init) */
} aimc_algo_list;

/* Default names (kept as a pointer, not copied) and the help line. */
void aimc_algo_list_init(aimc_algo_list *l, const char *names);
/* Names → types; on failure n = 0 and err says, in one line, which name is
 * wrong and lists the valid ones. */
int aimc_algo_list_resolve(aimc_algo_list *l, aimc_err *err);

#define AIMC_ALGORITHM_OPTION(name)                                                                \
    {"algorithm", AIMC_OPT_NAME, &(name), 0, 0, 0, aimc_optim_type_names, "",                      \
     "training algorithm (SPEC 2)"}
#define AIMC_ALGOS_OPTION(list)                                                                    \
    {"algos", AIMC_OPT_STRING, &(list).names, 0, 0, 0, NULL, "", (list).help}

/* ---- the opening and ending every main() shares (lib/prog/start.c) ----
 *
 *     aimc_prog_common com;
 *     aimc_err err = {0};
 *     aimc_device_params dp;
 *     const aimc_prog_start_opts so = {.device = &cfg.dev, .dp = &dp};
 *     aimc_h5 *h;
 *     int st;
 *     int rc = aimc_prog_start(&spec, &so, &com, argc, argv, &h, &st, &err);
 *     if (rc != AIMC_PROG_RUN)
 *         return aimc_prog_exit_status(rc);
 *     aimc_lsq *prob = NULL;
 *     st = aimc_prog_problem(&prob, cfg.m, cfg.n, 1.0, 0.5, com.seed, 100, st, &err);
 *     if (!st) ... compute, write, judge the claims ...
 *     aimc_lsq_free(prob);
 *     return aimc_prog_finish_claims(h, &spec, st, cfg.check && !claims_ok, &err);
 */
typedef struct {
    /* --reps within [reps_min, reps_max] (aimc_check_reps); reps_max = 0:
     * any. */
    unsigned reps_min, reps_max;
    /* Resolved into *dp (aimc_device_cli_resolve); NULL: no device. */
    const aimc_device_cli *device;
    aimc_device_params *dp;
    /* The program's own checks across its configuration, after the device
     * (it may fill what later work needs): 0, or a message in err and
     * non-zero.  NULL: none. */
    int (*validate)(void *ctx, aimc_err *err);
    void *ctx;
} aimc_prog_start_opts;

/* aimc_prog_parse, then the checks of o (NULL: none) in the order above;
 * a refusal is one line on stderr ("program: message") and
 * AIMC_PROG_USAGE, before any file.  Then, when h is not NULL, open the result file into *h
 * (AIMC_PROG_USAGE if that fails; aimc_prog_open_output said why) and write
 * the provenance, whose status goes to *st: the program carries on with
 * `if (!st)` and hands st to aimc_prog_finish.  h = NULL (theory checks,
 * which write their file at the end): no file; st may then be NULL too.
 * Returns AIMC_PROG_RUN, or the code for aimc_prog_exit_status. */
int aimc_prog_start(const aimc_prog_spec *spec, const aimc_prog_start_opts *o,
                    aimc_prog_common *c, int argc, char **argv, aimc_h5 **h, int *st,
                    aimc_err *err);
/* The random least-squares problem (aimc_lsq_alloc_random) into *prob
 * when st is 0; returns the new status (st unchanged if it was not 0, and
 * *prob stays NULL).  A call of its own after aimc_prog_start: m, n, …
 * are known only once the options are read. */
int aimc_prog_problem(aimc_lsq **prob, size_t m, size_t n, double sigma_a, double sigma_w,
                      uint64_t seed, uint32_t object, int st, aimc_err *err);
/* "program: message" on stderr (fallback when err has none and fallback is
 * not NULL); returns status, e.g. `return aimc_prog_fail(&spec, &err, NULL, 2);`. */
int aimc_prog_fail(const aimc_prog_spec *spec, const aimc_err *err, const char *fallback,
                   int status);
/* The counts of a checklist: attributes checks_passed and checks_failed on
 * group, then the line "N passed, N failed" on stdout (not if a write
 * failed). */
int aimc_prog_check_counts(aimc_h5 *h, const char *group, size_t passed, size_t failed,
                           aimc_err *err);
/* aimc_prog_finish, then exit status 1 when the file was committed but
 * claims_failed (e.g. `cfg.check && !claims_ok`: an asserted claim failed
 * under --check). */
int aimc_prog_finish_claims(aimc_h5 *h, const aimc_prog_spec *spec, int st, int claims_failed,
                            aimc_err *err);

/* Build information (generated at configure time). */
const char *aimc_build_git_describe(void);
const char *aimc_build_compiler(void);
const char *aimc_build_type(void);

/* ---- claims and number lists (lib/prog/claims.c) ----------------------
 *
 * The sheet every experiment ends with: per claim one line on stdout,
 *     PASS / FAIL            (asserted: counts toward --check)
 *     note / NOT REPRODUCED  (reported only; followed by c->reported)
 * and the attributes claimN (text), claimN_holds, claimN_asserted (0/1) on
 * c->group, N counting from 1 in the order added:
 *
 *     aimc_claims cs;
 *     aimc_claims_init(&cs, h, "/summary");
 *     st = aimc_claims_add(&cs, 1, slope_ok, text, &err);
 *     if (cfg.check) aimc_claims_print_counts(&cs);   "N passed, N failed"
 *     return cs.failed ? 1 : 0;                         (after finish) */
#define AIMC_CLAIM_TEXT 260
typedef struct {
    char text[AIMC_CLAIM_TEXT];
    int holds, asserted;
} aimc_claim;

typedef struct {
    aimc_h5 *h;
    const char *group;     /* where the attributes go: "/summary" */
    int tag_width;         /* printf width of the tag column: 14 */
    const char *reported;  /* after a reported claim: " [reported]" */
    int n, passed, failed;
    int status;            /* aimc_claims_note: the first failed write, sticky */
    aimc_err *err;         /* aimc_claims_note: where that failure is described */
} aimc_claims;

/* Defaults above; a program may change tag_width and reported after. */
void aimc_claims_init(aimc_claims *c, aimc_h5 *h, const char *group);
/* Print one claim and write its three attributes. */
int aimc_claims_add(aimc_claims *c, int asserted, int holds, const char *text, aimc_err *err);
/* The whole sheet: heading (if not NULL), every claim, and with check the
 * counts line.  All asserted claims hold iff c->failed == 0 after. */
int aimc_claims_report(aimc_claims *c, const char *heading, const aimc_claim *cl, int n,
                       int check, aimc_err *err);
void aimc_claims_print_counts(const aimc_claims *c);
/* aimc_claims_add for programs that state many claims in helper functions:
 * the line is always printed and counted, the attributes are written while
 * c->status is 0 (the first failure stays in c->status, described in
 * *c->err).  Set c->err after aimc_claims_init. */
void aimc_claims_note(aimc_claims *c, int asserted, int holds, const char *text);

/* "0.2,0.1" → v[0..*n): finite numbers in [lo, hi] (flags AIMC_OPT_MIN_OPEN
 * / AIMC_OPT_MAX_OPEN make an end open), at most max, pairwise different
 * as "%g" (they name result groups), at least one unless
 * AIMC_LIST_ALLOW_EMPTY.  Errors are one line naming --opt. */
enum { AIMC_LIST_ALLOW_EMPTY = 1u << 8 };
int aimc_parse_list(const char *s, const char *opt, double lo, double hi, unsigned flags,
                    double *v, size_t max, size_t *n, aimc_err *err);

/* A repetition that stopped being finite, kept for aimc_prog_finish_diverged:
 * when aimc_lsq_train returns GSL_ERANGE, pass its trace's diverged_step,
 * diverged_parameter and diverged_value; the series (each up to and
 * including step) go to <run>-diverged.  Returns GSL_ERANGE once saved, so
 * that the caller stops; then, after freeing its work,
 *     if (dv.saved) return aimc_prog_finish_diverged(h, &spec, dv.run, &dv.d); */
typedef struct {
    int saved;           /* the diverged series is in the file */
    char run[128];       /* "/runs/asgd-c0" */
    char parameter[48];  /* copied: "W[12]", "P[3]", "loss" */
    aimc_divergence d;   /* d.parameter points into parameter */
} aimc_diverged_run;
int aimc_prog_keep_diverged(aimc_h5 *h, aimc_diverged_run *dv, const char *run, unsigned rep,
                            size_t step, const char *parameter, double value, size_t n_metrics,
                            const char *const *metric, const double *const *series,
                            aimc_err *err);
/* The same for a network repetition that aimc_zoo_train (aimc/nn_zoo.h)
 * stopped with GSL_ERANGE: step is the epoch that failed (epochs_done + 1),
 * the parameter what stats->diverged names ("layer 2 W[5]", "loss"), the
 * series test_acc and train_loss (epochs + 1 entries each, from epoch 0). */
int aimc_prog_keep_diverged_net(aimc_h5 *h, aimc_diverged_run *dv, const char *run, unsigned rep,
                                const char *diverged, double value, unsigned epochs_done,
                                const double *acc, const double *loss, aimc_err *err);
/* The opening of a network program, after its own checks (lib/prog/start.c):
 * load data set `data` with aimc_zoo_load (aimc/nn_zoo.h; missing or
 * unreadable data is one line naming datasets/fetch.sh), open the result
 * file and write the provenance (status in *st).  NULL means exit status 2:
 * nothing was written and both data sets are freed. */
aimc_h5 *aimc_prog_open_with_data(const aimc_prog_spec *spec, const aimc_prog_common *com,
                                  const char *data, const char *dir, size_t n_train,
                                  size_t n_test, aimc_dataset **train, aimc_dataset **test,
                                  int *st, aimc_err *err);
/* The repetitions of one network run (lib/prog/start.c): repetition q
 * trains with aimc_zoo_train and seed aimc_seed_derive(seed, q) (so
 * repetition q of every run shares its initial weights and data order)
 * into rows q of acc and loss (reps × (s->epochs + 1)); the bar advances
 * once per epoch (NULL: none).  *sum: the wall seconds and pulses summed
 * over the repetitions.  A repetition that diverges stops the run and is
 * kept as <run>-diverged (aimc_prog_keep_diverged_net; GSL_ERANGE). */
int aimc_prog_train_net(aimc_h5 *h, const char *run, const aimc_nn_arch *a,
                        const aimc_nn_params *p, const aimc_zoo_schedule *s, uint64_t seed,
                        unsigned reps, const aimc_dataset *train, const aimc_dataset *test,
                        double *acc, double *loss, aimc_progress_counter *bar,
                        aimc_zoo_stats *sum, aimc_diverged_run *dv, aimc_err *err);
/* What every network run's group holds: test_acc (against step = epoch
 * 0..epochs) and train_loss, reps × (epochs + 1) each, and the attributes
 * algorithm and pulses_per_rep; the program adds its own. */
int aimc_prog_write_net_run(aimc_h5 *h, const char *run, size_t reps, unsigned epochs,
                            const double *acc, const double *loss, const char *algorithm,
                            double pulses_per_rep, aimc_err *err);
/* The end of a run that may have stopped so (lib/prog/start.c): with
 * dv->saved, aimc_prog_finish_diverged (exit 1); else
 * aimc_prog_finish_claims.  A saved divergence leaves st = GSL_ERANGE, so
 * the steps between the run and this call, each under `if (!st)`, are
 * skipped. */
int aimc_prog_finish_run(aimc_h5 *h, const aimc_prog_spec *spec, int st,
                         const aimc_diverged_run *dv, int claims_failed, aimc_err *err);

/* Over r repetitions of a positive floor (final loss, asymptotic error):
 * mean and sample standard deviation, and the mean and standard error of
 * its log10 (what claims compare across settings); sd = lse = 0 if r = 1. */
typedef struct {
    double mean, sd;   /* of the floor */
    double lmean, lse; /* of log10(floor) */
} aimc_floor_stat;
aimc_floor_stat aimc_floor_stat_of(const double *x, size_t r);

#ifdef __cplusplus
}
#endif
#endif
