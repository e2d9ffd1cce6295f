/* fuzz_response_table — the measured-response CSV loader of lib/response
 * (aimc_response_table_load) on arbitrary bytes: a status and a message
 * naming the line, or a table of 2..AIMC_RESPONSE_MAX_NODES strictly
 * increasing nodes with finite positive q± that aimc_response_init accepts. */
#include <math.h>

#include "aimc/response.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aimc_response_params p = aimc_response_default_params();
    aimc_response r;
    aimc_err err;
    double mid = 0;
    if (aimc_response_table_load(fuzz_file(data, size), &p, &mid, &err) != GSL_SUCCESS)
        return 0;
    if (p.n_nodes < 2 || p.n_nodes > AIMC_RESPONSE_MAX_NODES || !(mid > 0) || !isfinite(mid))
        abort();
    for (size_t k = 0; k < p.n_nodes; k++)
        if (!(p.node_qp[k] > 0) || !(p.node_qm[k] > 0) || !isfinite(p.node_qp[k])
            || !isfinite(p.node_qm[k]) || (k > 0 && !(p.node_w[k] > p.node_w[k - 1])))
            abort();
    if (aimc_response_init(&r, &aimc_response_piecewise, &p, &err) != GSL_SUCCESS)
        abort(); /* the loader accepted a table the family rejects */
    return 0;
}
