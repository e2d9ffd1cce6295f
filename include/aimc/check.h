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

#ifdef __cplusplus
}
#endif
#endif
