/* examples.c — a response worked out for figures: an example node table,
 * and a response sampled on a grid. */
#include <math.h>
#include "aimc/response.h"

#define NONMONOTONE_NODES 17

/* 17 nodes, u = k/16 the position in the range: q₊ = 0.1 + 0.9(1 − u) + s,
 * q₋ = (5/8)(0.1 + 0.9u + s) with the common wiggle s = 0.3 sin(3πu). */
void aimc_response_nonmonotone_table(aimc_response_params *p, double tau)
{
    p->n_nodes = NONMONOTONE_NODES;
    for (size_t k = 0; k < NONMONOTONE_NODES; ++k) {
        const double u = (double)k / (NONMONOTONE_NODES - 1), wiggle = 0.3 * sin(3.0 * M_PI * u);
        p->node_w[k] = tau * (2.0 * u - 1.0);
        p->node_qp[k] = 0.1 + 0.9 * (1.0 - u) + wiggle;
        p->node_qm[k] = 0.625 * (0.1 + 0.9 * u + wiggle);
    }
}

void aimc_response_tabulate(const aimc_response *r, size_t n, const double *w, double *qp,
                            double *qm, double *F, double *G)
{
    for (size_t k = 0; k < n; ++k) {
        aimc_response_q(r, w[k], &qp[k], &qm[k]);
        F[k] = aimc_response_F(r, w[k]);
        G[k] = aimc_response_G(r, w[k]);
    }
}
