/* start.c — the opening and the ending that every program's main() shares
 * (aimc/prog.h): read the options, refuse bad input with one line and exit
 * status 2 before any work or file, open the result file with its
 * provenance, build the problem; at the end commit the file and turn a
 * failed asserted claim into exit status 1 under --check. */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "aimc/check.h"
#include "aimc/nn_zoo.h"
#include "aimc/prog.h"

int aimc_prog_fail(const aimc_prog_spec *spec, const aimc_err *err, const char *fallback,
                   int status)
{
    const char *msg = err->msg[0] != '\0' || fallback == NULL ? err->msg : fallback;
    fprintf(stderr, "%s: %s\n", spec->program, msg);
    return status;
}

/* Everything that can be refused before a file exists, in the order the
 * programs have always checked it: --reps, the device, the program's own. */
static int start_checks(const aimc_prog_spec *spec, const aimc_prog_start_opts *o,
                        const aimc_prog_common *c, aimc_err *err)
{
    if (o == NULL)
        return AIMC_PROG_RUN;
    if (o->reps_max != 0 && aimc_check_reps(spec, c, o->reps_min, o->reps_max))
        return AIMC_PROG_USAGE; /* aimc_check_reps said why */
    if (o->device != NULL && aimc_device_cli_resolve(o->device, o->dp, err))
        return aimc_prog_fail(spec, err, NULL, AIMC_PROG_USAGE);
    if (o->validate != NULL && o->validate(o->ctx, err))
        return aimc_prog_fail(spec, err, NULL, AIMC_PROG_USAGE);
    return AIMC_PROG_RUN;
}

int aimc_prog_start(const aimc_prog_spec *spec, const aimc_prog_start_opts *o,
                    aimc_prog_common *c, int argc, char **argv, aimc_h5 **h, int *st,
                    aimc_err *err)
{
    if (h != NULL)
        *h = NULL;
    if (st != NULL)
        *st = GSL_SUCCESS;
    int rc = aimc_prog_parse(spec, c, argc, argv);
    if (rc == AIMC_PROG_RUN)
        rc = start_checks(spec, o, c, err);
    if (rc != AIMC_PROG_RUN || h == NULL)
        return rc;
    if ((*h = aimc_prog_open_output(spec, c)) == NULL)
        return AIMC_PROG_USAGE; /* aimc_prog_open_output said why */
    *st = aimc_prog_write_provenance(*h, spec, c, err);
    return AIMC_PROG_RUN;
}

int aimc_prog_problem(aimc_lsq **prob, size_t m, size_t n, double sigma_a, double sigma_w,
                      uint64_t seed, uint32_t object, int st, aimc_err *err)
{
    *prob = NULL;
    if (st)
        return st;
    *prob = aimc_lsq_alloc_random(m, n, sigma_a, sigma_w, seed, object, err);
    if (*prob == NULL)
        return err->status ? err->status : GSL_EFAILED;
    return GSL_SUCCESS;
}

int aimc_prog_finish_run(aimc_h5 *h, const aimc_prog_spec *spec, int st,
                         const aimc_diverged_run *dv, int claims_failed, aimc_err *err)
{
    if (dv->saved) /* stopped: keep what was computed, say where it went, exit 1 */
        return aimc_prog_finish_diverged(h, spec, dv->run, &dv->d);
    return aimc_prog_finish_claims(h, spec, st, claims_failed, err);
}

int aimc_prog_check_counts(aimc_h5 *h, const char *group, size_t passed, size_t failed,
                           aimc_err *err)
{
    int st = aimc_h5_attr_int(h, group, "checks_passed", (long long)passed, err);
    if (!st)
        st = aimc_h5_attr_int(h, group, "checks_failed", (long long)failed, err);
    if (!st)
        printf("%zu passed, %zu failed\n", passed, failed);
    return st;
}

int aimc_prog_finish_claims(aimc_h5 *h, const aimc_prog_spec *spec, int st, int claims_failed,
                            aimc_err *err)
{
    const int rc = aimc_prog_finish(h, spec, st, err);
    return rc == 0 && claims_failed ? 1 : rc;
}

aimc_h5 *aimc_prog_open_with_data(const aimc_prog_spec *spec, const aimc_prog_common *com,
                                  const char *data, const char *dir, size_t n_train,
                                  size_t n_test, aimc_dataset **train, aimc_dataset **test,
                                  int *st, aimc_err *err)
{
    aimc_h5 *h = NULL;
    if (aimc_zoo_load(data, dir, n_train, n_test, train, test, err))
        fprintf(stderr, "%s: %s data missing or unreadable (%s): run datasets/fetch.sh\n",
                spec->program, data, err->msg);
    else
        h = aimc_prog_open_output(spec, com);
    if (h == NULL) {
        aimc_dataset_free(*train);
        aimc_dataset_free(*test);
        *train = *test = NULL;
        return NULL;
    }
    *st = aimc_prog_write_provenance(h, spec, com, err);
    return h;
}

void aimc_progress_tick(void *counter)
{
    aimc_progress_counter *c = counter;
    aimc_progress_update(c->bar, ++c->done);
}

int aimc_prog_train_net(aimc_h5 *h, const char *run, const aimc_nn_arch *a,
                        const aimc_nn_params *p, const aimc_zoo_schedule *s, uint64_t seed,
                        unsigned reps, const aimc_dataset *train, const aimc_dataset *test,
                        double *acc, double *loss, aimc_progress_counter *bar,
                        aimc_zoo_stats *sum, aimc_diverged_run *dv, aimc_err *err)
{
    const size_t np = (size_t)s->epochs + 1;
    int st = GSL_SUCCESS;
    *sum = (aimc_zoo_stats){0};
    for (unsigned q = 0; q < reps && !st; ++q) {
        aimc_zoo_stats zs;
        double *aq = acc + q * np, *lq = loss + q * np;
        st = aimc_zoo_train(a, p, s, aimc_seed_derive(seed, q), train, test, aq, lq, &zs,
                            bar != NULL ? aimc_progress_tick : NULL, bar, err);
        sum->seconds += zs.seconds;
        sum->pulses += zs.pulses;
        if (st == GSL_ERANGE)
            st = aimc_prog_keep_diverged_net(h, dv, run, q, zs.diverged, zs.diverged_value,
                                             zs.epochs_done, aq, lq, err);
    }
    return st;
}

int aimc_prog_write_net_run(aimc_h5 *h, const char *run, size_t reps, unsigned epochs,
                            const double *acc, const double *loss, const char *algorithm,
                            double pulses_per_rep, aimc_err *err)
{
    const size_t np = (size_t)epochs + 1;
    double *step = malloc(np * sizeof *step);
    if (step == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "%s: out of memory", run);
    for (size_t e = 0; e < np; ++e)
        step[e] = (double)e;
    int st = aimc_h5_write_series(h, run, "test_acc", reps, np, acc, step, err);
    free(step);
    if (!st)
        st = aimc_h5_write_series(h, run, "train_loss", reps, np, loss, NULL, err);
    if (!st)
        st = aimc_h5_attr_string(h, run, "algorithm", algorithm, err);
    if (!st)
        st = aimc_h5_attr_double(h, run, "pulses_per_rep", pulses_per_rep, err);
    return st;
}
