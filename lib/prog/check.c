/* check.c — PASS/FAIL bookkeeping and the HDF5 grid of the theory checks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/check.h"

void aimc_checklist_init(aimc_checklist *cl, int quiet, int expect_fail)
{
    memset(cl, 0, sizeof *cl);
    cl->quiet = quiet;
    cl->expect_fail = expect_fail;
}

void aimc_checklist_free(aimc_checklist *cl)
{
    free(cl->name);
    free(cl->lhs);
    free(cl->rhs);
    free(cl->margin);
    free(cl->pass);
    memset(cl, 0, sizeof *cl);
}

static int grow(aimc_checklist *cl)
{
    if (cl->n < cl->cap)
        return 0;
    size_t cap = cl->cap ? 2 * cl->cap : 64;
    void *a = realloc(cl->name, cap * sizeof *cl->name), *b, *c, *d, *e;
    if (a)
        cl->name = a;
    b = realloc(cl->lhs, cap * sizeof *cl->lhs);
    if (b)
        cl->lhs = b;
    c = realloc(cl->rhs, cap * sizeof *cl->rhs);
    if (c)
        cl->rhs = c;
    d = realloc(cl->margin, cap * sizeof *cl->margin);
    if (d)
        cl->margin = d;
    e = realloc(cl->pass, cap * sizeof *cl->pass);
    if (e)
        cl->pass = e;
    if (!a || !b || !c || !d || !e)
        return -1;
    cl->cap = cap;
    return 0;
}

int aimc_check_that(aimc_checklist *cl, const char *name, int holds, double lhs, double rhs)
{
    /* NaN never holds: a check that cannot be evaluated has failed. */
    if (isnan(lhs) || isnan(rhs))
        holds = 0;
    const int ok = cl->expect_fail ? !holds : holds;
    const double margin = rhs - lhs;
    if (!cl->quiet)
        printf("%s %s lhs=%.6g rhs=%.6g margin=%.6g%s\n", ok ? "PASS" : "FAIL", name, lhs, rhs,
               margin, cl->expect_fail ? (holds ? " (negative control: check held)"
                                                : " (negative control: check failed, as it should)")
                                       : "");
    if (grow(cl) == 0) {
        snprintf(cl->name[cl->n], sizeof cl->name[0], "%s", name);
        cl->lhs[cl->n] = lhs;
        cl->rhs[cl->n] = rhs;
        cl->margin[cl->n] = margin;
        cl->pass[cl->n] = ok;
        cl->n++;
    }
    if (ok)
        cl->passed++;
    else
        cl->failed++;
    return ok;
}

int aimc_check_le(aimc_checklist *cl, const char *name, double lhs, double rhs)
{
    return aimc_check_that(cl, name, lhs <= rhs, lhs, rhs);
}

int aimc_checklist_finish(aimc_checklist *cl, const aimc_prog_spec *spec, const aimc_prog_common *c)
{
    printf("%zu passed, %zu failed\n", cl->passed, cl->failed);
    int status = cl->failed ? 1 : 0;
    if (c->output == NULL || c->output[0] == '\0')
        return status;
    aimc_h5 *h = aimc_prog_open_output(spec, c);
    if (h == NULL)
        return 1;
    aimc_err err = {0, ""};
    int st = aimc_prog_write_provenance(h, spec, c, &err);
    double *pass = malloc((cl->n ? cl->n : 1) * sizeof *pass);
    if (!st && pass == NULL)
        st = AIMC_FAIL(&err, GSL_ENOMEM, "check: out of memory");
    for (size_t i = 0; !st && i < cl->n; ++i)
        pass[i] = cl->pass[i];
    if (!st && cl->n > 0) {
        st = aimc_h5_write_vector(h, "/checks/lhs", cl->n, cl->lhs, &err);
        if (!st)
            st = aimc_h5_write_vector(h, "/checks/rhs", cl->n, cl->rhs, &err);
        if (!st)
            st = aimc_h5_write_vector(h, "/checks/margin", cl->n, cl->margin, &err);
        if (!st)
            st = aimc_h5_write_vector(h, "/checks/pass", cl->n, pass, &err);
        for (size_t i = 0; !st && i < cl->n; ++i) {
            char attr[32];
            snprintf(attr, sizeof attr, "name%05zu", i);
            st = aimc_h5_attr_string(h, "/checks", attr, cl->name[i], &err);
        }
    }
    if (!st)
        st = aimc_h5_attr_int(h, "/checks", "passed", (long long)cl->passed, &err);
    if (!st)
        st = aimc_h5_attr_int(h, "/checks", "failed", (long long)cl->failed, &err);
    if (!st)
        st = aimc_h5_attr_int(h, "/checks", "negative_control", cl->expect_fail, &err);
    free(pass);
    return aimc_prog_finish(h, spec, st, &err) ? 1 : status;
}
