/* aimc/check.h — what every theory check shares (program side, aimc-prog).
 *
 * A theory check holds one theorem or lemma of SPEC §3 against the numbers:
 * it evaluates cases, prints one line per case
 *
 *     PASS name lhs=… rhs=… margin=…      (or FAIL …)
 *
 * and ends with "N passed, N failed"; with -o FILE it also writes every
 * case to HDF5 (/checks: name, lhs, rhs, margin, pass, plus provenance).
 * The margin is rhs − lhs for "lhs ≤ rhs" checks, so a negative margin is a
 * violation; statistical checks put their confidence allowance into rhs
 * and say so in the case name or the program's header comment.
 *
 * --negative-control: every check program also takes this flag, under which
 * it feeds its checks an instance that violates the assumption and must see
 * them FAIL; it then reports, per case, PASS when the check failed as it
 * should (aimc_checklist.expect_fail = 1).
 */
#ifndef AIMC_CHECK_H
#define AIMC_CHECK_H

#include <stddef.h>
#include "aimc/prog.h"
#include "aimc/response.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int quiet;        /* no per-case lines (summary only) */
    int expect_fail;  /* negative control: a case passes when its check fails */
    size_t passed, failed;
    size_t n, cap;
    char (*name)[128];
    double *lhs, *rhs, *margin;
    int *pass;
} aimc_checklist;

void aimc_checklist_init(aimc_checklist *cl, int quiet, int expect_fail);
void aimc_checklist_free(aimc_checklist *cl);

/* Record a case that holds when lhs ≤ rhs; prints its line; returns 1 if
 * the case counts as passed. */
int aimc_check_le(aimc_checklist *cl, const char *name, double lhs, double rhs);
/* Record a case decided by the caller (`holds`), with two values to show. */
int aimc_check_that(aimc_checklist *cl, const char *name, int holds, double lhs, double rhs);

/* Print "N passed, N failed"; write /checks to c->output if it is set
 * (theory checks have no default output file).  Returns the exit status:
 * 0 if nothing failed, 1 otherwise (or if the file could not be written). */
int aimc_checklist_finish(aimc_checklist *cl, const aimc_prog_spec *spec,
                          const aimc_prog_common *c);

/* --reps within [lo, hi] (hi = UINT_MAX: no upper limit): 0, or the
 * program's one line on stderr and exit status 2.  For the programs whose
 * statistics need several repetitions. */
int aimc_check_reps(const aimc_prog_spec *spec, const aimc_prog_common *c, unsigned lo,
                    unsigned hi);

/* ---- lists of numbers in one option ------------------------------------
 *
 * "a,b,c" → out[0..*n) with every value finite and in (lo, hi) (hi may be
 * INFINITY), 1 to max of them; otherwise one message naming --opt and the
 * whole text. */
int aimc_check_parse_list(const char *opt, const char *text, double lo, double hi, size_t max,
                          double *out, size_t *n, aimc_err *err);

/* Horizons K of a rate fit: a list (as above) of at least min_n and at
 * most max increasing integers in [1, 1e9]. */
int aimc_check_parse_horizons(const char *opt, const char *text, size_t min_n, size_t max,
                              double *K, size_t *n, aimc_err *err);

/* ---- the family sweep: every registered response family ---------------
 *
 * The checks of one response at a time (Lemmas 3, 4; Theorems 4, 5, 6) run
 * every registered family, each on the parameters it reads: τ from
 * --tau-list × (γ_res from --gamma-res-list, or c from --c-lin-list); the
 * piecewise family on a fixed non-monotone table scaled to [−τ, τ]; a
 * family that reads other parameters too (the aihwkit restatements) on
 * each of its own example sets instead. */
#define AIMC_SWEEP_MAX_LIST 8

typedef struct {
    const char *tau_list, *gamma_res_list, *c_lin_list; /* the option texts */
    size_t ntau, ngamma, nc;                            /* parsed */
    double tau[AIMC_SWEEP_MAX_LIST], gamma_res[AIMC_SWEEP_MAX_LIST], c_lin[AIMC_SWEEP_MAX_LIST];
} aimc_family_sweep;

/* The sweep's three options, for a program's option table. */
#define AIMC_FAMILY_SWEEP_OPTIONS(sw)                                                              \
    {"tau-list", AIMC_OPT_STRING, &(sw).tau_list, 0, 0, 0, NULL, "",                               \
     "comma-separated dynamic-range radii tau (> 0)"},                                             \
    {"gamma-res-list", AIMC_OPT_STRING, &(sw).gamma_res_list, 0, 0, 0, NULL, "",                   \
     "comma-separated exponents/rates gamma_res of power and exponential (> 0)"},                  \
    {"c-lin-list", AIMC_OPT_STRING, &(sw).c_lin_list, 0, 0, 0, NULL, "",                           \
     "comma-separated asymmetries c of the linear families, in (-1, 1)"}

/* The presets of the lists.  --full, the paper-scale sweep: τ ∈ {0.5, 1,
 * 3.5}, γ_res ∈ {0.5, 1, 2, 4}, c ∈ {±0.2, ±0.5}; --quick: τ = 1, γ_res ∈
 * {0.5, 2}, c = 0.2. */
void aimc_family_sweep_preset(aimc_family_sweep *sw, int full);
/* Parse the three texts: τ in (0, 1e6), γ_res in (0, 700), c in (−1, 1). */
int aimc_family_sweep_parse(aimc_family_sweep *sw, aimc_err *err);
/* The same as an aimc_prog_spec check, with ctx the sweep. */
int aimc_family_sweep_check(void *sweep, aimc_err *err);

/* One response of the sweep. */
typedef struct {
    aimc_response r;
    double lo, hi;   /* its range; the unbounded ideal family: [−τ, τ] */
    char label[80];  /* "softbounds tau=1", "power tau=1 gamma_res=2", … */
} aimc_family_case;

/* The cases of the sweep into v[0..cap) (bounded_only: skip unbounded
 * families); returns their number, 0 with err set on failure. */
size_t aimc_family_sweep_cases(const aimc_family_sweep *sw, int bounded_only,
                               aimc_family_case *v, size_t cap, aimc_err *err);

/* The non-monotone node table of the sweep's piecewise case on [−τ, τ]:
 * q₊ falls with a shoulder, q₋ rises with a dip, G changes sign once (near
 * 0.07τ). */
void aimc_family_sweep_table(aimc_response_params *p, double tau);

/* sup of fn over the case's range: the largest value on a grid of
 * AIMC_SUP_GRID + 1 points plus the table nodes, refined by GSL's Brent
 * minimiser of −fn around an interior grid maximum (a node maximum is a
 * kink and stays).  *arg (may be NULL) gets the maximiser. */
#define AIMC_SUP_GRID 4000
double aimc_family_case_sup(const aimc_family_case *c,
                            double (*fn)(const aimc_response *, double), double *arg);

/* ---- estimates with standard errors ------------------------------------ */

typedef struct {
    double mean, se;
} aimc_estimate;

/* Mean of x[0], x[stride], …, x[(n−1)·stride] with its standard error
 * s/√n (s the sample standard deviation; INFINITY when n < 2). */
aimc_estimate aimc_check_mean_se(const double *x, size_t n, size_t stride);

/* Weighted least squares y = c0 + c1·x on n points, weights 1/se²: the
 * slope c1 (slope ≠ 0) or the intercept c0, with its standard error
 * inflated by sqrt(χ²/(n − 2)) when the points scatter more than their
 * error bars.  NaN if out of memory. */
aimc_estimate aimc_check_wls(const double *x, const double *y, const double *se, size_t n,
                             int slope);

#ifdef __cplusplus
}
#endif
#endif
