/* fuzz_idx — lib/data's IDX reader (aimc_idx_read: plain or gzip, through
 * zlib's gzopen) on arbitrary bytes: a status and a message, or a data set
 * whose size matches its header; never a crash, a leak or a hang.
 *
 * Known and skipped (docs/RELIABILITY.md, finding "IDX header promise"):
 * aimc_idx_read allocates what the header promises (up to 16 GiB) before
 * reading, so a 64-byte file can ask for gigabytes; under ASan that takes
 * minutes.  Inputs whose plain header promises more than 64 MiB are skipped
 * here until the reader grows its buffer as the data arrives; the input
 * that found it waits in tools/fuzz/pending/idx/. */
#include "aimc/data.h"
#include "fuzz_common.h"

static int promises_too_much(const uint8_t *data, size_t size)
{
    if (size < 4 || data[0] != 0 || data[1] != 0 || data[3] < 1 || data[3] > 4)
        return 0; /* gzip or not IDX: the reader decides */
    double count = 1;
    for (unsigned k = 0; k < data[3] && 8 + 4 * k <= size; k++) {
        const uint8_t *d = data + 4 + 4 * k;
        count *= (double)((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3]);
    }
    return count > 64.0 * (1 << 20);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aimc_idx idx;
    aimc_err err;
    if (promises_too_much(data, size))
        return 0;
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
