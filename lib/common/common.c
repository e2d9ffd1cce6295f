/* common.c — the one place every library error goes through. */
#include <stdarg.h>
#include <stdio.h>

#include "aimc/common.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef AIMC_HAVE_OPENBLAS
/* Declared here: OpenBLAS's cblas.h would clash with GSL's. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
#endif

int aimc_error_set(aimc_err *err, int status, const char *fmt, ...)
{
    /* Set a breakpoint here to catch every error the library reports. */
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void aimc_set_threads(int threads)
{
    if (threads < 1)
        threads = 1;
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
#ifdef AIMC_HAVE_OPENBLAS
    openblas_set_num_threads(1);
#endif
}

const char *aimc_blas_name(void)
{
#ifdef AIMC_HAVE_OPENBLAS
    static _Thread_local char name[160];
    const int n = openblas_get_num_threads();
    snprintf(name, sizeof name, "%s; %d thread%s", openblas_get_config(), n, n == 1 ? "" : "s");
    return name;
#else
    return "GSL CBLAS";
#endif
}

const char *aimc_version(void) { return AIMC_VERSION_STRING; }

const char *aimc_registry_names(const void *const *entries, char *buf, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; entries[i] != NULL; ++i) {
        const char *name = *(const char *const *)entries[i];
        int w = snprintf(buf + used, len - used, "%s%s", i ? "|" : "", name);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
    return buf;
}
