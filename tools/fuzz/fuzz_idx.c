/* fuzz_idx — lib/data's IDX reader (aimc_idx_read: plain or gzip, through
 * zlib's gzopen) on arbitrary bytes: a status and a message, or a data set
 * whose size matches its header; never a crash, a leak or a hang.
 *
 * The reader grows its buffer as the data arrives, so a short file whose
 * header promises gigabytes fails as truncated without reserving them
 * (regression input: corpus/idx/header-promises-11GiB). */
#include "aimc/data.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aimc_idx idx;
    aimc_err err;
    if (aimc_idx_read(fuzz_file(data, size), &idx, &err) == GSL_SUCCESS) {
        size_t count = 1;
        for (unsigned k = 0; k < idx.ndim; k++)
            count *= idx.dims[k];
        if (idx.ndim < 1 || idx.ndim > AIMC_IDX_MAX_DIMS || count != idx.count)
            abort();
        if (idx.count > 0) {
            volatile unsigned char last = idx.data[idx.count - 1];
            (void)last;
        }
        aimc_idx_free(&idx);
    }
    return 0;
}
