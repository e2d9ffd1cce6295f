/* fuzz_common.h — what the libFuzzer targets share (tools/fuzz/README in
 * docs/RELIABILITY.md).  The readers under test take a path, so each input
 * is written to an in-memory file (memfd) and handed over as
 * /proc/self/fd/N: no disk traffic, one file per process. */
#ifndef AIMC_FUZZ_COMMON_H
#define AIMC_FUZZ_COMMON_H

/* memfd_create needs _GNU_SOURCE, which run.sh defines for the targets. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

/* The path of a file holding exactly data[0..size). */
static const char *fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("aimc-fuzz", MFD_CLOEXEC);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        /* Programs switch GSL's aborting error handler off; so do we, the
         * library must report every error by status. */
        gsl_set_error_handler_off();
    }
    if (ftruncate(fd, 0) != 0 || (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size)) {
        perror("fuzz_file");
        abort();
    }
    return path;
}

#endif
