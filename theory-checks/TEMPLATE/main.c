/* TEMPLATE — the skeleton of a theory check; copy this folder to start one.
 *
 * Checks: (the theorem or lemma and its equation numbers, SPEC §3).
 * Cases:  (what is swept: families, parameters, step sizes, horizons).
 * Margin: (how the confidence allowance is computed, if statistical).
 * Negative control: (the instance that violates the assumption, and why
 * the check must then FAIL).
 *
 * The example checked here is small but real: the symmetric point of every
 * registered bounded family, computed in closed form, is a root of G:
 * |G(w⋄)| ≤ 1e-12 (SPEC §1.3).  The negative control shifts the point by
 * 1e-3·τ, where |G| ≥ 1e-3·min|G'| ≫ 1e-12, so every case must fail.
 */
#include <math.h>
#include <stdio.h>

#include "aimc/aimc.h"
#include "aimc/check.h"

typedef struct {
    double tau;
    int negative;
} template_cfg;

static template_cfg cfg;

static const aimc_option options[] = {
    {"tau", AIMC_OPT_DOUBLE, &cfg.tau, 0, 1e6, AIMC_OPT_MIN_OPEN, NULL, "", "bounds [-tau, tau]"},
    {"negative-control", AIMC_OPT_FLAG, &cfg.negative, 0, 0, 0, NULL, "",
     "feed instances that violate the claim; every case must FAIL"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};

static void preset(int full, aimc_prog_common *c, void *ctx)
{
    (void)full;
    (void)ctx;
    cfg.tau = 1.5;
    cfg.negative = 0;
    c->reps = 1;
}

static const aimc_prog_spec spec = {
    "check-template",
    "template theory check (G vanishes at the symmetric point)",
    "G(w*) = 0 for every registered bounded family",
    NULL, /* theory checks write HDF5 only with -o FILE */
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
    aimc_checklist cl;
    aimc_checklist_init(&cl, com.quiet, cfg.negative);
    for (size_t f = 0; aimc_response_types[f] != NULL; ++f) {
        const aimc_response_type *T = aimc_response_types[f];
        if (!T->bounded || T->symmetric_point == NULL || (T->params & AIMC_RP_TABLE))
            continue;
        aimc_response r;
        aimc_response_params p = aimc_response_default_params();
        p.tau = cfg.tau;
        p.c_lin = 0.2;
        p.gamma_res = 2.0;
        if (aimc_response_init(&r, T, &p, NULL) != GSL_SUCCESS)
            continue;
        double w;
        T->symmetric_point(&r.p, &w);
        if (cfg.negative)
            w += 1e-3 * cfg.tau;
        char name[96];
        snprintf(name, sizeof name, "G(w*)=0 family=%s", T->name);
        aimc_check_le(&cl, name, fabs(aimc_response_G(&r, w)), 1e-12);
    }
    rc = aimc_checklist_finish(&cl, &spec, &com);
    aimc_checklist_free(&cl);
    return rc;
}
