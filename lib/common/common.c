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
