/* fuzz_h5 — the HDF5 result readers on arbitrary bytes: aimc_h5_read and
 * aimc_h5_read_attr_string/_double, at paths a result file has.  Any input
 * must give a status and a message, never a crash, a leak or a hang.
 *
 * Input: one selector byte (which reader, which path), then the file.  One
 * read per input, because every read opens the file and HDF5 allocates a
 * metadata cache of megabytes per open, which is slow under ASan.  libhdf5
 * itself is not instrumented: coverage guides the mutations through our
 * code only, so the seeds (valid files from make_seeds.c) matter most;
 * tools/check-corrupt-h5.sh damages real result files systematically. */
#include <string.h>

#include "aimc/h5.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const dsets[] = {"/runs/x/loss", "/runs/x/step", "/checks/lhs"};
    aimc_err err;
    char text[256];
    double v, *buf = NULL;
    size_t dims[2];

    if (size < 1)
        return 0;
    const unsigned which = data[0] % 5;
    const char *path = fuzz_file(data + 1, size - 1);
    if (which < 3) {
        if (aimc_h5_read(path, dsets[which], &buf, dims, &err) == GSL_SUCCESS) {
            if (buf == NULL || dims[1] < 1)
                abort();
            volatile double sink = dims[0] > 0 ? buf[dims[0] * dims[1] - 1] : 0;
            (void)sink;
            free(buf);
        }
    } else if (which == 3) {
        if (aimc_h5_read_attr_string(path, "/", "program", text, sizeof text, &err) == GSL_SUCCESS
            && memchr(text, '\0', sizeof text) == NULL)
            abort();
    } else {
        aimc_h5_read_attr_double(path, "/config", "tau", &v, &err);
    }
    return 0;
}
