/* device_cli.c — the device options every program shares. */
#include <string.h>

#include "aimc/prog.h"

const char *aimc_noise_form_names(void) { return "additive|multiplicative"; }

void aimc_device_cli_defaults(aimc_device_cli *dc)
{
    memset(dc, 0, sizeof *dc);
    dc->response = "softbounds";
    dc->tau = 1.0;
    dc->gamma_res = 1.0;
    dc->c_lin = 0.0;
    dc->dw_min = 1e-3;
    dc->noise_form = "additive";
}

int aimc_device_cli_resolve(const aimc_device_cli *dc, aimc_device_params *out, aimc_err *err)
{
    const aimc_response_type *T = aimc_response_type_find(dc->response);
    if (T == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "invalid argument \"%s\" for --response: should be one of %s",
                         dc->response, aimc_response_type_names());
    *out = aimc_device_default_params();
    aimc_response_params rp = aimc_response_default_params();
    rp.tau = dc->tau;
    rp.gamma_res = dc->gamma_res;
    rp.c_lin = dc->c_lin;
    int st = aimc_response_init(&out->response, T, &rp, err);
    if (st)
        return st;
    out->dw_min = dc->dw_min;
    out->sigma_c = dc->sigma_c;
    out->noise_form = strcmp(dc->noise_form, "multiplicative") == 0 ? AIMC_NOISE_MULTIPLICATIVE
                                                                     : AIMC_NOISE_ADDITIVE;
    out->dw_min_dtod = dc->dw_min_dtod;
    out->bounds_dtod = dc->bounds_dtod;
    out->up_down_dtod = dc->up_down_dtod;
    out->zero_shift = dc->zero_shift;
    return aimc_device_validate(out, err);
}
