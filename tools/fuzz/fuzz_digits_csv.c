/* fuzz_digits_csv — lib/data's reader of scikit-learn's digits.csv(.gz)
 * (aimc_dataset_read_digits_csv) on arbitrary bytes: a status and a message,
 * or a data set of 8×8 images in [0, 1] with labels < classes. */
#include "aimc/data.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aimc_err err;
    aimc_dataset *d = aimc_dataset_read_digits_csv(fuzz_file(data, size), &err);
    if (d != NULL) {
        if (d->dim != 64)
            abort();
        for (size_t i = 0; i < d->n * d->dim; i++)
            if (!(d->x[i] >= 0 && d->x[i] <= 1))
                abort();
        for (size_t i = 0; i < d->n; i++)
            if (d->y[i] >= d->classes)
                abort();
        aimc_dataset_free(d);
    }
    return 0;
}
