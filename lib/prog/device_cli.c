/* device_cli.c — the device options every program shares. */
#include <string.h>

#include "aimc/prog.h"

const char *aimc_noise_form_names(void) { return "additive|multiplicative"; }

const char *aimc_rounding_names(void) { return "stochastic|nearest|ceil"; }

aimc_rounding aimc_rounding_of(const char *name)
{
    if (strcmp(name, "nearest") == 0)
        return AIMC_ROUND_NEAREST;
    return strcmp(name, "ceil") == 0 ? AIMC_ROUND_CEIL : AIMC_ROUND_STOCHASTIC;
}

void aimc_device_cli_defaults(aimc_device_cli *dc)
{
    const aimc_response_params rp = aimc_response_default_params();
    memset(dc, 0, sizeof *dc);
    dc->response = "softbounds";
    dc->tau = 1.0;
    dc->gamma_res = 1.0;
    dc->c_lin = 0.0;
    dc->dw_min = 1e-3;
    dc->noise_form = "additive";
    dc->response_table = NULL;
    dc->dw_min_from_table = 0;
    /* The aihwkit families start from aihwkit's own defaults. */
    dc->pow_up_down = rp.pow_up_down;
    dc->es_A_up = rp.es_A_up;
    dc->es_A_down = rp.es_A_down;
    dc->es_gamma_up = rp.es_gamma_up;
    dc->es_gamma_down = rp.es_gamma_down;
    dc->es_a = rp.es_a;
    dc->es_b = rp.es_b;
}

/* The family and its parameters from the options.  A table family takes
 * its nodes from --response-table (and *dw_mid is the table's mean step at
 * mid-range; left alone without a table).  The two options must agree, so
 * that the recorded --response is the family that ran. */
static int device_cli_response(const aimc_device_cli *dc, aimc_response *out, double *dw_mid,
                               aimc_err *err)
{
    const aimc_response_type *T = aimc_response_type_find(dc->response);
    if (T == NULL)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "invalid argument \"%s\" for --response: should be one of %s",
                         dc->response, aimc_response_type_names());
    aimc_response_params rp = aimc_response_default_params();
    rp.tau = dc->tau;
    rp.gamma_res = dc->gamma_res;
    rp.c_lin = dc->c_lin;
    rp.pow_up_down = dc->pow_up_down;
    rp.es_A_up = dc->es_A_up;
    rp.es_A_down = dc->es_A_down;
    rp.es_gamma_up = dc->es_gamma_up;
    rp.es_gamma_down = dc->es_gamma_down;
    rp.es_a = dc->es_a;
    rp.es_b = dc->es_b;
    if (dc->response_table != NULL && !(T->params & AIMC_RP_TABLE))
        return AIMC_FAIL(err, GSL_EINVAL,
                         "--response-table gives the nodes of a measured response: use it with "
                         "--response %s (not %s)",
                         aimc_response_piecewise.name, T->name);
    if (dc->response_table != NULL) {
        aimc_err terr = {0};
        if (aimc_response_table_load(dc->response_table, &rp, dw_mid, &terr) != GSL_SUCCESS) {
            /* "response table FILE:LINE: why" -> "invalid --response-table FILE:LINE: why" */
            const char *why = terr.msg;
            if (strncmp(why, "response table ", 15) == 0)
                why += 15;
            return AIMC_FAIL(err, terr.status, "invalid --response-table %s", why);
        }
    } else if (T->params & AIMC_RP_TABLE) {
        return AIMC_FAIL(err, GSL_EINVAL,
                         "--response %s needs its nodes: give them with --response-table FILE",
                         T->name);
    }
    return aimc_response_init(out, T, &rp, err);
}

int aimc_device_cli_resolve(const aimc_device_cli *dc, aimc_device_params *out, aimc_err *err)
{
    if (dc->dw_min_from_table && dc->response_table == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "--dw-min-from-table needs --response-table FILE");
    aimc_device_params dp = aimc_device_default_params();
    double dw_mid = dc->dw_min;
    int st = device_cli_response(dc, &dp.response, &dw_mid, err);
    if (st)
        return st;
    dp.dw_min = dc->dw_min_from_table ? dw_mid : dc->dw_min;
    dp.sigma_c = dc->sigma_c;
    dp.noise_form = strcmp(dc->noise_form, "multiplicative") == 0 ? AIMC_NOISE_MULTIPLICATIVE
                                                                   : AIMC_NOISE_ADDITIVE;
    dp.dw_min_dtod = dc->dw_min_dtod;
    dp.bounds_dtod = dc->bounds_dtod;
    dp.up_down_dtod = dc->up_down_dtod;
    dp.zero_shift = dc->zero_shift;
    st = aimc_device_validate(&dp, err);
    if (st == GSL_SUCCESS)
        *out = dp;
    return st;
}
