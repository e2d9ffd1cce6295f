/* aimc/common.h — status codes and error reporting shared by every module.
 *
 * Library functions never print and never exit.  A function that can fail
 * returns a GSL status code (GSL_SUCCESS on success) and, when the caller
 * passes a non-NULL aimc_err, fills it with one line naming the module and
 * the offending parameter, e.g. "device: dw_min = -1 should be > 0".
 * Every error goes through aimc_error_set(), so one debugger breakpoint
 * catches them all (as GSL does with gsl_error).
 */
#ifndef AIMC_COMMON_H
#define AIMC_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_errno.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AIMC_ERR_LEN 320

typedef struct {
    int status;               /* last GSL status code written here */
    char msg[AIMC_ERR_LEN];   /* "module: what is wrong" */
} aimc_err;

/* Record an error (printf-style) and return `status`.  `err` may be NULL. */
int aimc_error_set(aimc_err *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Convenience: `return AIMC_FAIL(err, GSL_EINVAL, "tile: rows = %zu ...", r);` */
#define AIMC_FAIL(err, status, ...) aimc_error_set((err), (status), __VA_ARGS__)

/* Registries are NULL-terminated arrays of pointers to const type tables
 * whose first member is `const char *name`.  Writes "a|b|c" into buf. */
const char *aimc_registry_names(const void *const *entries, char *buf, size_t len);

/* Library version string ("MAJOR.MINOR.PATCH"). */
const char *aimc_version(void);

#ifdef __cplusplus
}
#endif
#endif
