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

/* Sets OpenMP's thread count to `threads` and, when the library is linked
 * with OpenBLAS, pins the BLAS to one thread.  Left alone, OpenBLAS starts
 * one thread per core: its results then depend on the machine (tab8's
 * Digital SGD loss and a-fig1's floor differ in the last bits between one
 * and two BLAS threads), and for the small products of the reads the extra
 * thread doubled the CPU time and halved the speed (fig4's FCN: 1.1 against
 * 0.5 s per epoch).  Our parallelism is OpenMP over runs and rows. */
void aimc_set_threads(int threads);

/* The CBLAS behind the reads and GSL, for provenance: OpenBLAS's build
 * string and its thread count ("OpenBLAS 0.3.21 ... ; 1 thread"), or
 * "GSL CBLAS". */
const char *aimc_blas_name(void);

/* Library version string ("MAJOR.MINOR.PATCH"). */
const char *aimc_version(void);

#ifdef __cplusplus
}
#endif
#endif
