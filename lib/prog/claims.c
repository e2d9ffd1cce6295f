/* claims.c — what a program asserts or reports about its results, and the
 * comma-separated number lists its options take (aimc/prog.h).
 *
 * Every experiment ends with the same sheet: one line per claim (PASS or
 * FAIL when asserted, note or NOT REPRODUCED when only reported), the
 * "N passed, N failed" line that --check exits on, and the attributes
 * claimN, claimN_holds, claimN_asserted that the README and the plots
 * quote from the result file.  One implementation keeps them identical. */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/prog.h"

void aimc_claims_init(aimc_claims *c, aimc_h5 *h, const char *group)
{
    *c = (aimc_claims){h, group, 14, " [reported]", 0, 0, 0, 0, NULL};
}

/* Asserted: PASS / FAIL; reported: note / NOT REPRODUCED. */
static const char *claim_tag(int asserted, int holds)
{
    return asserted ? (holds ? "PASS" : "FAIL") : (holds ? "note" : "NOT REPRODUCED");
}

/* The counts and the line (what every claim gets, written or not). */
static void claim_line(aimc_claims *c, int asserted, int holds, const char *text)
{
    printf("  %-*s %s%s\n", c->tag_width, claim_tag(asserted, holds), text,
           asserted ? "" : c->reported);
    c->passed += asserted && holds;
    c->failed += asserted && !holds;
}

static int claim_attrs(aimc_claims *c, int asserted, int holds, const char *text, aimc_err *err)
{
    char name[32];
    snprintf(name, sizeof name, "claim%d", ++c->n);
    int st = aimc_h5_attr_string(c->h, c->group, name, text, err);
    snprintf(name, sizeof name, "claim%d_holds", c->n);
    if (!st)
        st = aimc_h5_attr_int(c->h, c->group, name, holds != 0, err);
    snprintf(name, sizeof name, "claim%d_asserted", c->n);
    if (!st)
        st = aimc_h5_attr_int(c->h, c->group, name, asserted != 0, err);
    return st;
}

int aimc_claims_add(aimc_claims *c, int asserted, int holds, const char *text, aimc_err *err)
{
    claim_line(c, asserted, holds, text);
    return claim_attrs(c, asserted, holds, text, err);
}

void aimc_claims_note(aimc_claims *c, int asserted, int holds, const char *text)
{
    claim_line(c, asserted, holds, text);
    if (c->status == 0)
        c->status = claim_attrs(c, asserted, holds, text, c->err);
    else
        ++c->n; /* numbering stays that of the claims stated */
}

int aimc_claims_report(aimc_claims *c, const char *heading, const aimc_claim *cl, int n,
                       int check, aimc_err *err)
{
    int st = 0;
    if (heading)
        printf("%s", heading);
    for (int q = 0; q < n && !st; ++q)
        st = aimc_claims_add(c, cl[q].asserted, cl[q].holds, cl[q].text, err);
    if (check)
        aimc_claims_print_counts(c);
    return st;
}

void aimc_claims_print_counts(const aimc_claims *c)
{
    printf("%d passed, %d failed\n", c->passed, c->failed);
}

/* ---- comma-separated numbers ---------------------------------------------- */

static int in_range(double x, double lo, double hi, unsigned flags)
{
    const int lo_ok = (flags & AIMC_OPT_MIN_OPEN) ? x > lo : x >= lo;
    const int hi_ok = (flags & AIMC_OPT_MAX_OPEN) ? x < hi : x <= hi;
    return isfinite(x) && lo_ok && hi_ok;
}

/* Values name result groups ("%g"), so they must differ there. */
static int seen_before(const double *v, size_t n, double x, char *shown, size_t size)
{
    char b[32];
    snprintf(shown, size, "%g", x);
    for (size_t i = 0; i < n; ++i)
        if (snprintf(b, sizeof b, "%g", v[i]), strcmp(shown, b) == 0)
            return 1;
    return 0;
}

int aimc_parse_list(const char *s, const char *opt, double lo, double hi, unsigned flags,
                    double *v, size_t max, size_t *n, aimc_err *err)
{
    const char *p = s;
    *n = 0;
    while (*p) {
        char *end, shown[32];
        const double x = strtod(p, &end);
        if (end == p || !in_range(x, lo, hi, flags) || (*end && *end != ','))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "invalid argument \"%s\" for --%s: should be comma-separated "
                             "numbers in %c%g, %g%c",
                             s, opt, (flags & AIMC_OPT_MIN_OPEN) ? '(' : '[', lo, hi,
                             (flags & AIMC_OPT_MAX_OPEN) ? ')' : ']');
        if (*n == max)
            return AIMC_FAIL(err, GSL_EINVAL, "--%s: at most %zu values", opt, max);
        if (seen_before(v, *n, x, shown, sizeof shown))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "invalid argument \"%s\" for --%s: %s appears twice", s, opt, shown);
        v[(*n)++] = x;
        p = *end ? end + 1 : end;
    }
    return *n || (flags & AIMC_LIST_ALLOW_EMPTY)
               ? 0
               : AIMC_FAIL(err, GSL_EINVAL, "--%s: should name at least one value", opt);
}

/* ---- a repetition that stopped being finite ------------------------------- */

int aimc_prog_keep_diverged(aimc_h5 *h, aimc_diverged_run *dv, const char *run, unsigned rep,
                            size_t step, const char *parameter, double value, size_t n_metrics,
                            const char *const *metric, const double *const *series,
                            aimc_err *err)
{
    snprintf(dv->run, sizeof dv->run, "%s", run);
    snprintf(dv->parameter, sizeof dv->parameter, "%s", parameter);
    dv->d = (aimc_divergence){step, rep, dv->parameter, value};
    const int st = aimc_prog_save_diverged(h, dv->run, &dv->d, n_metrics, metric, series, err);
    dv->saved = st == GSL_SUCCESS;
    return st ? st : GSL_ERANGE;
}

int aimc_prog_keep_diverged_net(aimc_h5 *h, aimc_diverged_run *dv, const char *run, unsigned rep,
                                const char *diverged, double value, unsigned epochs_done,
                                const double *acc, const double *loss, aimc_err *err)
{
    const char *names[2] = {"test_acc", "train_loss"};
    const double *series[2] = {acc, loss};
    return aimc_prog_keep_diverged(h, dv, run, rep, (size_t)epochs_done + 1,
                                   diverged[0] ? diverged : "loss", value, 2, names, series, err);
}

/* ---- the statistics the claims compare ------------------------------------ */

aimc_floor_stat aimc_floor_stat_of(const double *x, size_t r)
{
    aimc_floor_stat s = {0, 0, 0, 0};
    for (size_t i = 0; i < r; ++i) {
        s.mean += x[i] / r;
        s.lmean += log10(x[i]) / r;
    }
    double v = 0, lv = 0;
    for (size_t i = 0; i < r; ++i) {
        v += (x[i] - s.mean) * (x[i] - s.mean);
        lv += (log10(x[i]) - s.lmean) * (log10(x[i]) - s.lmean);
    }
    s.sd = r > 1 ? sqrt(v / (r - 1)) : 0.0;
    s.lse = r > 1 ? sqrt(lv / (r - 1) / r) : 0.0;
    return s;
}
