/* families.h — one sensible parameter set per registered response family,
 * so that tests can loop over every family (a new family only needs a case
 * here if its defaults are not usable). */
#ifndef AIMC_TEST_FAMILIES_H
#define AIMC_TEST_FAMILIES_H

#include <string.h>
#include "aimc/response.h"

/* A non-monotone measured-looking table on [-1, 1]: q₊ falls, q₋ rises with
 * a bump, G changes sign once (near w = 0.1). */
static inline void test_piecewise_table(aimc_response_params *p)
{
    static const double w[] = {-1.0, -0.5, 0.0, 0.5, 1.0};
    static const double qp[] = {1.6, 1.3, 1.0, 0.6, 0.2};
    static const double qm[] = {0.3, 0.9, 0.8, 1.2, 1.5};
    p->n_nodes = 5;
    memcpy(p->node_w, w, sizeof w);
    memcpy(p->node_qp, qp, sizeof qp);
    memcpy(p->node_qm, qm, sizeof qm);
}

/* Parameters for family `t` with range radius tau (where it applies). */
static inline aimc_response_params test_family_params(const aimc_response_type *t, double tau)
{
    aimc_response_params p = aimc_response_default_params();
    p.tau = tau;
    if (t->params & AIMC_RP_GAMMA_RES)
        p.gamma_res = 2.0;
    if (t->params & AIMC_RP_C_LIN)
        p.c_lin = 0.2;
    if (t->params & AIMC_RP_TABLE)
        test_piecewise_table(&p);
    return p;
}

#endif
