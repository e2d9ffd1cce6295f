/* families.h — one sensible parameter set per registered response family,
 * so that tests can loop over every family.  The set is the family's own
 * example 0 (aimc_response_example, the type's `example` hook; the defaults
 * if it has none), so a new family needs no edit here or in the tests. */
#ifndef AIMC_TEST_FAMILIES_H
#define AIMC_TEST_FAMILIES_H

#include "aimc/response.h"

/* Parameters for family `t` with range radius tau (where it applies; a
 * table family keeps its table's range). */
static inline aimc_response_params test_family_params(const aimc_response_type *t, double tau)
{
    aimc_response_params p;
    if (!aimc_response_example(t, 0, &p))
        p = aimc_response_default_params();
    if (t->params & AIMC_RP_TAU)
        p.tau = tau;
    return p;
}

/* A non-monotone measured-looking table on [-1, 1] (the piecewise family's
 * example 0): q₊ falls, q₋ rises with a bump, G changes sign once (at
 * w = 0.125).  Only the node fields of *p are written. */
static inline void test_piecewise_table(aimc_response_params *p)
{
    aimc_response_params t;
    aimc_response_example(&aimc_response_piecewise, 0, &t);
    p->n_nodes = t.n_nodes;
    for (size_t k = 0; k < t.n_nodes; k++) {
        p->node_w[k] = t.node_w[k];
        p->node_qp[k] = t.node_qp[k];
        p->node_qm[k] = t.node_qm[k];
    }
}

#endif
