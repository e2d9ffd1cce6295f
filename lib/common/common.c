/* common.c — the one place every library error goes through. */
#include <stdarg.h>
#include <stdio.h>

#include "aimc/common.h"

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
