/* aimc/h5.h — one HDF5 result file per run, written atomically.
 *
 * aimc_h5_create(path) opens "path.partial"; aimc_h5_commit() flushes, closes
 * and renames it to `path`, so a killed run never leaves a file that looks
 * complete; aimc_h5_abort() removes the partial file.  An existing `path` is
 * refused unless `force` is set.  The schema (DESIGN §3, results/README.md):
 *
 *   /            attrs: provenance (program, artifact, claim, versions, ...)
 *   /config      attrs: every resolved parameter
 *   /runs/<run>/ attrs: algorithm, response, what varies; datasets step, <metric>, ...
 *   /summary     per-run final metrics;  /paper: the paper's reported numbers
 *
 * Object paths are absolute ("/runs/asgd-c0.1/loss"); missing groups on the
 * way are created.  The library never prints: HDF5's own error stack
 * printing is switched off and failures come back as status + message.
 */
#ifndef AIMC_H5_H
#define AIMC_H5_H

#include <stddef.h>
#include "aimc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aimc_h5 aimc_h5;

aimc_h5 *aimc_h5_create(const char *path, int force, aimc_err *err);
int aimc_h5_commit(aimc_h5 *h, aimc_err *err);  /* frees h, also on failure */
void aimc_h5_abort(aimc_h5 *h);                 /* frees h; NULL is a no-op */
const char *aimc_h5_path(const aimc_h5 *h);     /* final path */

/* Create a group (and its parents) if missing. */
int aimc_h5_group(aimc_h5 *h, const char *group, aimc_err *err);
/* Attributes on an existing or new group `obj` (a group path, "/" = root)
 * or on an existing dataset. */
int aimc_h5_attr_string(aimc_h5 *h, const char *obj, const char *name, const char *value,
                        aimc_err *err);
int aimc_h5_attr_double(aimc_h5 *h, const char *obj, const char *name, double value,
                        aimc_err *err);
int aimc_h5_attr_int(aimc_h5 *h, const char *obj, const char *name, long long value,
                     aimc_err *err);
/* Double datasets of rank 1 or 2 (row-major). */
int aimc_h5_write_vector(aimc_h5 *h, const char *dset, size_t n, const double *data,
                         aimc_err *err);
int aimc_h5_write_matrix(aimc_h5 *h, const char *dset, size_t rows, size_t cols,
                         const double *data, aimc_err *err);

/* A curve of the schema: writes <run>/<metric> (reps×n), <metric>_mean and
 * <metric>_std (n; std is the sample standard deviation, 0 when reps = 1),
 * and <run>/step (n) from `step` if it is not NULL. */
int aimc_h5_write_series(aimc_h5 *h, const char *run, const char *metric, size_t reps, size_t n,
                         const double *data, const double *step, aimc_err *err);

/* Reading (tools, tests).  *data is malloc'ed; dims[0] = rows, dims[1] = cols
 * (cols = 1 for vectors).  Fails cleanly on a missing, truncated or corrupt
 * file. */
int aimc_h5_read(const char *file, const char *dset, double **data, size_t dims[2],
                 aimc_err *err);
/* Read a string attribute into buf. */
int aimc_h5_read_attr_string(const char *file, const char *obj, const char *name, char *buf,
                             size_t len, aimc_err *err);
int aimc_h5_read_attr_double(const char *file, const char *obj, const char *name,
                             double *value, aimc_err *err);

#ifdef __cplusplus
}
#endif
#endif
