/* h5.c — one HDF5 result file per run, written atomically (DESIGN §3).
 *
 * Storage choices, fixed here so that every file looks the same:
 *   - datasets: 64-bit IEEE little-endian doubles, rank 1 or 2, contiguous
 *     layout, no filters: the same data gives the same dataset bytes on
 *     every run and every machine.  Groups and datasets carry no
 *     timestamps, so equal contents also give equal file bytes;
 *   - string attributes: fixed-length UTF-8, NUL-terminated, size
 *     strlen + 1, scalar dataspace.  Fixed length needs no HDF5-owned
 *     memory on either side and h5dump prints them as "text".  The readers
 *     also accept variable-length strings, for files made by other tools;
 *   - double attributes: H5T_IEEE_F64LE; integer attributes: H5T_STD_I64LE.
 *
 * Writing: the file is built in memory (HDF5's core driver, no backing
 * store) and reaches the disk only at commit, as one image written by our
 * own code to FILE.partial, synced and renamed.  A full disk or a file size
 * limit is then an errno reported in one line, and HDF5 never has to close a
 * file it failed to write: HDF5 1.10 frees such a file but keeps its id, and
 * crashes at exit when it closes it again (HDFGroup/hdf5 PR #2291).  Result
 * files are small (megabytes), so holding one in memory costs little.
 *
 * Errors: HDF5's automatic error printing is switched off in every entry
 * point; a failure becomes a GSL status and one line "h5: what: why",
 * where "why" is our own reason (errno text, "exists", ...) or the
 * innermost message of HDF5's error stack (cut at its first line break).
 *
 * Not thread-safe: the serial HDF5 library is not.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "aimc/h5.h"

struct aimc_h5 {
    hid_t file;     /* the open "path.partial" */
    hid_t lcpl;     /* link creation: create missing parent groups */
    hid_t gcpl;     /* group creation: no timestamps */
    hid_t dcpl;     /* dataset creation: contiguous, no timestamps */
    char *path;     /* final path, returned by aimc_h5_path() */
    char *partial;  /* path + ".partial" */
};

static const char partial_suffix[] = ".partial";

/* ---- errors ------------------------------------------------------------ */

/* The library must never print: switch HDF5's stack printing off.  Cheap,
 * so every entry point calls it (the caller may have switched it back). */
static void h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

typedef struct {
    char text[200];
    int found;
} h5_reason;

/* H5E_WALK_UPWARD starts at the innermost error (n = 0): the function that
 * detected the problem, whose message is the most specific one. */
static herr_t keep_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    h5_reason *r = data;
    if (n == 0 && e->desc != NULL && e->desc[0] != '\0') {
        /* One line: some of HDF5's reasons embed ctime() and its newline. */
        snprintf(r->text, sizeof r->text, "%.*s", (int)strcspn(e->desc, "\r\n"), e->desc);
        r->found = 1;
    }
    return 0;
}

/* Report a failed HDF5 call: "<formatted what>: <HDF5's innermost reason>".
 * Must run before any other HDF5 call, which would clear the stack. */
static int fail_h5(aimc_err *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_h5(aimc_err *err, int status, const char *fmt, ...)
{
    char what[AIMC_ERR_LEN];
    h5_reason r = {.found = 0};
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &r);
    H5Eclear2(H5E_DEFAULT);
    return AIMC_FAIL(err, status, "%s: %s", what, r.found ? r.text : "HDF5 error");
}

/* ---- argument checks ---------------------------------------------------- */

static int check_handle(const aimc_h5 *h, aimc_err *err)
{
    if (h == NULL || h->file < 0)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: file handle is NULL or closed");
    return GSL_SUCCESS;
}

/* Object paths are absolute: "/", "/config", "/runs/x/loss". */
static int check_path(const char *what, const char *path, aimc_err *err)
{
    if (path == NULL || path[0] != '/')
        return AIMC_FAIL(err, GSL_EINVAL,
                         "h5: %s \"%s\" should be an absolute path such as /runs/x", what,
                         path == NULL ? "(null)" : path);
    return GSL_SUCCESS;
}

static int check_name(const char *what, const char *name, aimc_err *err)
{
    if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: %s \"%s\" should be a non-empty name without '/'",
                         what, name == NULL ? "(null)" : name);
    return GSL_SUCCESS;
}

/* rows × cols doubles must be addressable in memory and non-empty. */
static int check_shape(const char *what, const char *name, size_t rows, size_t cols,
                       aimc_err *err)
{
    if (rows == 0 || cols == 0)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: %s %s has shape %zu x %zu; both should be > 0",
                         what, name, rows, cols);
    if (rows > SIZE_MAX / sizeof(double) / cols)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: %s %s has shape %zu x %zu; too large", what, name,
                         rows, cols);
    return GSL_SUCCESS;
}

/* ---- object lookup ------------------------------------------------------ */

/* Is `name` in `loc` a group?  1 yes, 0 no, < 0 error. */
static htri_t is_group(hid_t loc, const char *name)
{
    hid_t o = H5Oopen(loc, name, H5P_DEFAULT);
    htri_t yes;

    if (o < 0)
        return -1;
    yes = H5Iget_type(o) == H5I_GROUP;
    H5Oclose(o);
    return yes;
}

/* 1 if `path` names an object in `loc`, 0 if not, < 0 on error.  H5Lexists
 * fails unless every parent exists and is a group, so walk the path one
 * component at a time; H5Oexists_by_name then rejects dangling soft links. */
static htri_t object_exists(hid_t loc, const char *path)
{
    size_t len = strlen(path);
    char *prefix = malloc(len + 1);
    htri_t found = 1;

    if (prefix == NULL)
        return -1;
    memcpy(prefix, path, len + 1);
    for (size_t i = 1; i <= len && found > 0; i++) {
        if (path[i - 1] == '/' || (i < len && path[i] != '/'))
            continue; /* not the end of a component */
        prefix[i] = '\0';
        found = H5Lexists(loc, prefix, H5P_DEFAULT);
        if (found > 0)
            found = H5Oexists_by_name(loc, prefix, H5P_DEFAULT);
        if (found > 0 && path[i] == '/' && path[i + 1] != '\0')
            found = is_group(loc, prefix); /* "/x/loss/more" with loss a dataset */
        prefix[i] = path[i];
    }
    free(prefix);
    return found;
}

/* Open the group or dataset `obj` of an open file, for attributes. */
static int open_object(hid_t file, const char *fname, const char *obj, hid_t *out,
                       aimc_err *err)
{
    htri_t found = object_exists(file, obj);
    H5I_type_t type;

    if (found < 0)
        return fail_h5(err, GSL_EFAILED, "h5: %s: cannot look up %s", fname, obj);
    if (found == 0)
        return AIMC_FAIL(err, GSL_EFAILED, "h5: %s: no object %s", fname, obj);
    *out = H5Oopen(file, obj, H5P_DEFAULT);
    if (*out < 0)
        return fail_h5(err, GSL_EFAILED, "h5: %s: cannot open %s", fname, obj);
    type = H5Iget_type(*out);
    if (type != H5I_GROUP && type != H5I_DATASET)
        return AIMC_FAIL(err, GSL_EFAILED, "h5: %s: %s is neither a group nor a dataset", fname,
                         obj);
    return GSL_SUCCESS;
}

/* Open `obj` for writing attributes: an existing group or dataset, or a
 * new group (with its missing parents). */
static int open_or_create(aimc_h5 *h, const char *obj, hid_t *out, aimc_err *err)
{
    htri_t found = object_exists(h->file, obj);

    if (found < 0)
        return fail_h5(err, GSL_EFAILED, "h5: %s: cannot look up %s", h->partial, obj);
    if (found > 0)
        return open_object(h->file, h->partial, obj, out, err);
    *out = H5Gcreate2(h->file, obj, h->lcpl, h->gcpl, H5P_DEFAULT);
    if (*out < 0)
        return fail_h5(err, GSL_EFAILED, "h5: %s: cannot create group %s", h->partial, obj);
    return GSL_SUCCESS;
}

/* ---- the file: create, commit, abort ------------------------------------ */

static void handle_free(aimc_h5 *h)
{
    if (h == NULL)
        return;
    if (h->file >= 0)
        H5Fclose(h->file);
    if (h->lcpl >= 0)
        H5Pclose(h->lcpl);
    if (h->gcpl >= 0)
        H5Pclose(h->gcpl);
    if (h->dcpl >= 0)
        H5Pclose(h->dcpl);
    free(h->path);
    free(h->partial);
    free(h);
}

/* Close and delete the partial file: nothing of a failed or abandoned run
 * stays behind. */
static void discard_partial(aimc_h5 *h)
{
    if (h->file >= 0)
        H5Fclose(h->file);
    h->file = H5I_INVALID_HID;
    unlink(h->partial);
}

/* Property lists shared by every write: parents made on demand, and no
 * modification times in object headers (they would make two runs with the
 * same data differ).  Contiguous layout is the default for datasets. */
static int make_plists(aimc_h5 *h, aimc_err *err)
{
    h->lcpl = H5Pcreate(H5P_LINK_CREATE);
    h->gcpl = H5Pcreate(H5P_GROUP_CREATE);
    h->dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (h->lcpl < 0 || h->gcpl < 0 || h->dcpl < 0
        || H5Pset_create_intermediate_group(h->lcpl, 1) < 0
        || H5Pset_obj_track_times(h->gcpl, 0) < 0 || H5Pset_obj_track_times(h->dcpl, 0) < 0)
        return fail_h5(err, GSL_EFAILED, "h5: cannot set up property lists");
    return GSL_SUCCESS;
}

aimc_h5 *aimc_h5_create(const char *path, int force, aimc_err *err)
{
    aimc_h5 *h = NULL;
    struct stat st;
    size_t len;
    hid_t fapl = H5I_INVALID_HID;
    int fd, made_partial = 0, rc = GSL_SUCCESS;

    h5_quiet();
    /* validate */
    if (path == NULL || path[0] == '\0') {
        AIMC_FAIL(err, GSL_EINVAL, "h5: output path is empty");
        return NULL;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            AIMC_FAIL(err, GSL_EINVAL, "h5: %s is a directory; give a file name with -o", path);
            return NULL;
        }
        if (!force) {
            AIMC_FAIL(err, GSL_EINVAL, "h5: %s exists; use --force to overwrite", path);
            return NULL;
        }
    } else if (errno != ENOENT) {
        AIMC_FAIL(err, GSL_EINVAL, "h5: cannot use %s: %s", path, strerror(errno));
        return NULL;
    }

    /* allocate */
    len = strlen(path);
    h = calloc(1, sizeof *h);
    if (h == NULL) {
        AIMC_FAIL(err, GSL_ENOMEM, "h5: out of memory for %s", path);
        return NULL;
    }
    h->file = h->lcpl = h->gcpl = h->dcpl = H5I_INVALID_HID;
    h->path = malloc(len + 1);
    h->partial = malloc(len + sizeof partial_suffix);
    if (h->path == NULL || h->partial == NULL) {
        rc = AIMC_FAIL(err, GSL_ENOMEM, "h5: out of memory for %s", path);
        goto cleanup;
    }
    memcpy(h->path, path, len + 1);
    memcpy(h->partial, path, len);
    memcpy(h->partial + len, partial_suffix, sizeof partial_suffix);

    /* Create (or truncate an old) partial file ourselves first: a missing
     * directory or a permission problem then reads as plain errno text. */
    fd = open(h->partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        rc = AIMC_FAIL(err, GSL_EFAILED, "h5: cannot create %s: %s", h->partial,
                       strerror(errno));
        goto cleanup;
    }
    close(fd);
    made_partial = 1;
    /* Strong close degree: H5Fclose closes the file even if some object of
     * it were still open.  Core driver without backing store: the file lives
     * in memory until commit writes its image (top of this file). */
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0
        || H5Pset_fapl_core(fapl, (size_t)1 << 20, 0) < 0) {
        rc = fail_h5(err, GSL_EFAILED, "h5: cannot create %s", h->partial);
        goto cleanup;
    }
    h->file = H5Fcreate(h->partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (h->file < 0) {
        rc = fail_h5(err, GSL_EFAILED, "h5: cannot create %s", h->partial);
        goto cleanup;
    }
    rc = make_plists(h, err);

cleanup:
    if (fapl >= 0)
        H5Pclose(fapl);
    if (rc != GSL_SUCCESS) {
        if (made_partial)
            discard_partial(h);
        handle_free(h);
        return NULL;
    }
    return h;
}

/* Write the file image to `path` and push it to the disk before the rename
 * makes it visible: after a system crash the final name then never points
 * at a file whose data had not reached the disk.  close(2) is checked too:
 * some file systems report a full disk only there. */
static int write_image(const char *path, const unsigned char *image, size_t n, aimc_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666), e;

    if (fd < 0)
        return AIMC_FAIL(err, GSL_EFAILED, "h5: cannot write %s: %s", path, strerror(errno));
    while (n > 0) {
        ssize_t k = write(fd, image, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            e = k < 0 ? errno : EIO;
            close(fd);
            return AIMC_FAIL(err, GSL_EFAILED, "h5: cannot write %s: %s", path, strerror(e));
        }
        image += k;
        n -= (size_t)k;
    }
    if (fsync(fd) != 0) {
        e = errno;
        close(fd);
        return AIMC_FAIL(err, GSL_EFAILED, "h5: cannot sync %s: %s", path, strerror(e));
    }
    if (close(fd) != 0)
        return AIMC_FAIL(err, GSL_EFAILED, "h5: cannot write %s: %s", path, strerror(errno));
    return GSL_SUCCESS;
}

int aimc_h5_commit(aimc_h5 *h, aimc_err *err)
{
    unsigned char *image = NULL;
    ssize_t size;
    herr_t closed;
    int rc = GSL_SUCCESS;

    h5_quiet();
    if (h == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: commit of a NULL file handle");
    if (h->file < 0) {
        rc = AIMC_FAIL(err, GSL_EINVAL, "h5: %s is not open", h->partial);
        goto cleanup;
    }
    /* The in-memory file, complete, as the bytes a file on disk would hold. */
    if (H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0
        || (size = H5Fget_file_image(h->file, NULL, 0)) <= 0) {
        rc = fail_h5(err, GSL_EFAILED, "h5: cannot flush %s", h->partial);
        goto cleanup;
    }
    image = malloc((size_t)size);
    if (image == NULL) {
        rc = AIMC_FAIL(err, GSL_ENOMEM, "h5: out of memory for the image of %s", h->partial);
        goto cleanup;
    }
    if (H5Fget_file_image(h->file, image, (size_t)size) != size) {
        rc = fail_h5(err, GSL_EFAILED, "h5: cannot flush %s", h->partial);
        goto cleanup;
    }
    closed = H5Fclose(h->file);
    h->file = H5I_INVALID_HID;
    if (closed < 0) {
        rc = fail_h5(err, GSL_EFAILED, "h5: cannot close %s", h->partial);
        goto cleanup;
    }
    if ((rc = write_image(h->partial, image, (size_t)size, err)) != GSL_SUCCESS)
        goto cleanup;
    /* rename(2) is atomic: readers see the old file or the complete new one. */
    if (rename(h->partial, h->path) != 0) {
        rc = AIMC_FAIL(err, GSL_EFAILED, "h5: cannot rename %s to %s: %s", h->partial, h->path,
                       strerror(errno));
        goto cleanup;
    }

cleanup:
    free(image);
    if (rc != GSL_SUCCESS)
        discard_partial(h);
    handle_free(h);
    return rc;
}

void aimc_h5_abort(aimc_h5 *h)
{
    if (h == NULL)
        return;
    h5_quiet();
    discard_partial(h);
    handle_free(h);
}

const char *aimc_h5_path(const aimc_h5 *h) { return h == NULL ? NULL : h->path; }

/* ---- groups and attributes ---------------------------------------------- */

int aimc_h5_group(aimc_h5 *h, const char *group, aimc_err *err)
{
    hid_t obj = H5I_INVALID_HID;
    int rc;

    h5_quiet();
    if ((rc = check_handle(h, err)) != GSL_SUCCESS || (rc = check_path("group", group, err)))
        return rc;
    rc = open_or_create(h, group, &obj, err);
    if (rc == GSL_SUCCESS && H5Iget_type(obj) != H5I_GROUP)
        rc = AIMC_FAIL(err, GSL_EINVAL, "h5: %s: %s exists and is not a group", h->partial,
                       group);
    if (obj >= 0)
        H5Oclose(obj);
    return rc;
}

/* Create or replace the scalar attribute `name` of `obj`. */
static int write_attr(aimc_h5 *h, const char *obj, const char *name, hid_t ftype, hid_t mtype,
                      const void *value, aimc_err *err)
{
    hid_t o = H5I_INVALID_HID, space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
    htri_t exists;
    int rc;

    if ((rc = check_handle(h, err)) != GSL_SUCCESS || (rc = check_path("object", obj, err)))
        return rc;
    if (name == NULL || name[0] == '\0')
        return AIMC_FAIL(err, GSL_EINVAL, "h5: attribute name of %s is empty", obj);

    if ((rc = open_or_create(h, obj, &o, err)) != GSL_SUCCESS)
        goto cleanup;
    /* Replacing = delete, then create: the new value may have another size. */
    exists = H5Aexists(o, name);
    if (exists < 0 || (exists > 0 && H5Adelete(o, name) < 0)) {
        rc = fail_h5(err, GSL_EFAILED, "h5: %s: cannot replace attribute %s of %s", h->partial,
                     name, obj);
        goto cleanup;
    }
    space = H5Screate(H5S_SCALAR);
    if (space >= 0)
        attr = H5Acreate2(o, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, mtype, value) < 0) {
        rc = fail_h5(err, GSL_EFAILED, "h5: %s: cannot write attribute %s of %s", h->partial,
                     name, obj);
        goto cleanup;
    }

cleanup:
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    if (o >= 0)
        H5Oclose(o);
    return rc;
}

int aimc_h5_attr_string(aimc_h5 *h, const char *obj, const char *name, const char *value,
                        aimc_err *err)
{
    hid_t type = H5I_INVALID_HID;
    int rc;

    h5_quiet();
    if (value == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: value of attribute %s is NULL",
                         name == NULL ? "(null)" : name);
    /* Fixed length, NUL-terminated, UTF-8 (see the top of this file). */
    type = H5Tcopy(H5T_C_S1);
    if (type < 0 || H5Tset_size(type, strlen(value) + 1) < 0
        || H5Tset_strpad(type, H5T_STR_NULLTERM) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
        rc = fail_h5(err, GSL_EFAILED, "h5: cannot make a string type for attribute %s",
                     name == NULL ? "(null)" : name);
        goto cleanup;
    }
    rc = write_attr(h, obj, name, type, type, value, err);

cleanup:
    if (type >= 0)
        H5Tclose(type);
    return rc;
}

int aimc_h5_attr_double(aimc_h5 *h, const char *obj, const char *name, double value,
                        aimc_err *err)
{
    h5_quiet();
    return write_attr(h, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, err);
}

int aimc_h5_attr_int(aimc_h5 *h, const char *obj, const char *name, long long value,
                     aimc_err *err)
{
    h5_quiet();
    return write_attr(h, obj, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &value, err);
}

/* ---- datasets ----------------------------------------------------------- */

/* Datasets are written once: a second write of the same path is an error
 * (it would silently hide a bug in the program that made it). */
static int check_absent(aimc_h5 *h, const char *dset, aimc_err *err)
{
    htri_t found = object_exists(h->file, dset);

    if (found < 0)
        return fail_h5(err, GSL_EFAILED, "h5: %s: cannot look up %s", h->partial, dset);
    if (found > 0)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: %s: %s exists already; datasets are written once",
                         h->partial, dset);
    return GSL_SUCCESS;
}

static int write_dataset(aimc_h5 *h, const char *dset, int rank, const hsize_t dims[2],
                         const double *data, aimc_err *err)
{
    hid_t space = H5I_INVALID_HID, d = H5I_INVALID_HID;
    int rc;

    if ((rc = check_absent(h, dset, err)) != GSL_SUCCESS)
        return rc;
    space = H5Screate_simple(rank, dims, NULL);
    if (space >= 0)
        d = H5Dcreate2(h->file, dset, H5T_IEEE_F64LE, space, h->lcpl, h->dcpl, H5P_DEFAULT);
    if (d < 0 || H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        rc = fail_h5(err, GSL_EFAILED, "h5: %s: cannot write %s", h->partial, dset);
    /* Closing flushes what HDF5 buffered of the data: its failure counts. */
    if (d >= 0 && H5Dclose(d) < 0 && rc == GSL_SUCCESS)
        rc = fail_h5(err, GSL_EFAILED, "h5: %s: cannot write %s", h->partial, dset);
    if (space >= 0)
        H5Sclose(space);
    return rc;
}

int aimc_h5_write_vector(aimc_h5 *h, const char *dset, size_t n, const double *data,
                         aimc_err *err)
{
    hsize_t dims[2] = {n, 0};
    int rc;

    h5_quiet();
    if ((rc = check_handle(h, err)) || (rc = check_path("dataset", dset, err))
        || (rc = check_shape("dataset", dset, n, 1, err)))
        return rc;
    if (data == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: data for %s is NULL", dset);
    return write_dataset(h, dset, 1, dims, data, err);
}

int aimc_h5_write_matrix(aimc_h5 *h, const char *dset, size_t rows, size_t cols,
                         const double *data, aimc_err *err)
{
    hsize_t dims[2] = {rows, cols};
    int rc;

    h5_quiet();
    if ((rc = check_handle(h, err)) || (rc = check_path("dataset", dset, err))
        || (rc = check_shape("dataset", dset, rows, cols, err)))
        return rc;
    if (data == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: data for %s is NULL", dset);
    return write_dataset(h, dset, 2, dims, data, err);
}

/* Mean and sample standard deviation over the reps rows of data (reps × n):
 *   mean_j = (1/R) Σ_r x_rj,
 *   std_j  = sqrt( Σ_r (x_rj − mean_j)² / (R − 1) ),  0 when R = 1.
 * R − 1 (Bessel): the mean is estimated from the same R runs, which removes
 * one degree of freedom; with R − 1 the variance estimate is unbiased.  Two
 * passes (mean first) avoid the cancellation of Σx² − R·mean². */
static void mean_and_std(size_t reps, size_t n, const double *data, double *mean, double *std)
{
    for (size_t j = 0; j < n; j++) {
        double sum = 0.0, ss = 0.0;
        for (size_t r = 0; r < reps; r++)
            sum += data[r * n + j];
        mean[j] = sum / (double)reps;
        for (size_t r = 0; r < reps; r++) {
            double dev = data[r * n + j] - mean[j];
            ss += dev * dev;
        }
        std[j] = reps > 1 ? sqrt(ss / (double)(reps - 1)) : 0.0;
    }
}

static int read_dataset(hid_t f, const char *file, const char *dset, double **data,
                        size_t dims[2], aimc_err *err);

/* Several metrics of one run share <run>/step.  *present = 1 when `path`
 * holds exactly `step` already (nothing to write), 0 when it is absent; any
 * other content is an error. */
static int check_step(aimc_h5 *h, const char *path, size_t n, const double *step, int *present,
                      aimc_err *err)
{
    double *old = NULL;
    size_t old_dims[2];
    htri_t found = object_exists(h->file, path);
    int rc;

    *present = 0;
    if (found < 0)
        return fail_h5(err, GSL_EFAILED, "h5: %s: cannot look up %s", h->partial, path);
    if (found == 0)
        return GSL_SUCCESS;
    rc = read_dataset(h->file, h->partial, path, &old, old_dims, err);
    if (rc == GSL_SUCCESS
        && (old_dims[0] != n || old_dims[1] != 1 || memcmp(old, step, n * sizeof *step) != 0))
        rc = AIMC_FAIL(err, GSL_EINVAL,
                       "h5: %s: %s exists with other values; all metrics of a run share one step",
                       h->partial, path);
    free(old);
    *present = rc == GSL_SUCCESS;
    return rc;
}

int aimc_h5_write_series(aimc_h5 *h, const char *run, const char *metric, size_t reps, size_t n,
                         const double *data, const double *step, aimc_err *err)
{
    static const char *const suffix[3] = {"", "_mean", "_std"};
    const double *values[3];
    double *mean = NULL, *std = NULL;
    char *path = NULL;
    size_t base;
    int rc, step_present = 0;

    h5_quiet();
    /* validate */
    if ((rc = check_handle(h, err)) || (rc = check_path("run", run, err))
        || (rc = check_name("metric", metric, err))
        || (rc = check_shape("metric", metric, reps, n, err)))
        return rc;
    if (strcmp(metric, "step") == 0)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: metric \"step\" of %s clashes with %s/step", run,
                         run);
    if (data == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: data for %s/%s is NULL", run, metric);

    /* allocate: one path buffer fits "<run>/<metric>_mean" and "<run>/step" */
    base = strlen(run);
    mean = malloc(n * sizeof *mean);
    std = malloc(n * sizeof *std);
    path = malloc(base + 1 + strlen(metric) + sizeof "_mean");
    if (mean == NULL || std == NULL || path == NULL) {
        rc = AIMC_FAIL(err, GSL_ENOMEM, "h5: out of memory for %s/%s", run, metric);
        goto cleanup;
    }
    memcpy(path, run, base);
    if (path[base - 1] != '/')
        path[base++] = '/';

    /* Check everything before writing anything: a refused series leaves
     * the file as it was. */
    for (int k = 0; k < 3; k++) {
        sprintf(path + base, "%s%s", metric, suffix[k]);
        if ((rc = check_absent(h, path, err)) != GSL_SUCCESS)
            goto cleanup;
    }
    if (step != NULL) {
        strcpy(path + base, "step");
        if ((rc = check_step(h, path, n, step, &step_present, err)) != GSL_SUCCESS)
            goto cleanup;
    }

    mean_and_std(reps, n, data, mean, std);
    values[0] = data;
    values[1] = mean;
    values[2] = std;
    for (int k = 0; k < 3; k++) {
        /* <metric> is reps × n; <metric>_mean and <metric>_std are n */
        hsize_t dims[2] = {k == 0 ? reps : n, n};
        sprintf(path + base, "%s%s", metric, suffix[k]);
        if ((rc = write_dataset(h, path, k == 0 ? 2 : 1, dims, values[k], err)) != GSL_SUCCESS)
            goto cleanup;
    }
    if (step != NULL && !step_present) {
        hsize_t dims[2] = {n, 0};
        strcpy(path + base, "step");
        rc = write_dataset(h, path, 1, dims, step, err);
    }

cleanup:
    free(path);
    free(std);
    free(mean);
    return rc;
}

/* ---- reading ------------------------------------------------------------- */

/* Open `file` read-only.  Checking with open(2) first turns the common
 * failures (missing file, no permission) into errno text, and refuses what
 * is not a regular file (HDF5 would block forever on a FIFO); what HDF5
 * itself rejects (random bytes, a truncated file) comes with HDF5's reason. */
static int open_file_ro(const char *file, hid_t *out, aimc_err *err)
{
    struct stat st;
    int fd, regular;

    if (file == NULL || file[0] == '\0')
        return AIMC_FAIL(err, GSL_EINVAL, "h5: file name is empty");
    fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return AIMC_FAIL(err, GSL_EFAILED, "h5: cannot open %s: %s", file, strerror(errno));
    regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    if (!regular)
        return AIMC_FAIL(err, GSL_EFAILED, "h5: cannot open %s: not a regular file", file);
    *out = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*out < 0)
        return fail_h5(err, GSL_EFAILED, "h5: cannot open %s as HDF5", file);
    return GSL_SUCCESS;
}

/* Read dataset `dset` of the open file `f` (named `file` in messages) as
 * doubles; the public contract of aimc_h5_read. */
static int read_dataset(hid_t f, const char *file, const char *dset, double **data,
                        size_t dims[2], aimc_err *err)
{
    hid_t d = H5I_INVALID_HID, space = H5I_INVALID_HID, type = H5I_INVALID_HID;
    hsize_t hd[2] = {1, 1};
    H5T_class_t cls;
    size_t count;
    double *buf = NULL;
    int rank, rc;

    if ((rc = open_object(f, file, dset, &d, err)) != GSL_SUCCESS)
        goto cleanup;
    if (H5Iget_type(d) != H5I_DATASET) {
        rc = AIMC_FAIL(err, GSL_EFAILED, "h5: %s: %s is a group, not a dataset", file, dset);
        goto cleanup;
    }
    type = H5Dget_type(d);
    space = H5Dget_space(d);
    if (type < 0 || space < 0 || (rank = H5Sget_simple_extent_ndims(space)) < 0
        || (rank > 0 && rank <= 2 && H5Sget_simple_extent_dims(space, hd, NULL) < 0)) {
        rc = fail_h5(err, GSL_EFAILED, "h5: %s: cannot inspect %s", file, dset);
        goto cleanup;
    }
    cls = H5Tget_class(type);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
        rc = AIMC_FAIL(err, GSL_EFAILED, "h5: %s: %s does not hold numbers", file, dset);
        goto cleanup;
    }
    if (rank > 2) {
        rc = AIMC_FAIL(err, GSL_EFAILED, "h5: %s: %s has rank %d; only ranks 0 to 2 are read",
                       file, dset, rank);
        goto cleanup;
    }
    if (rank == 1)
        hd[1] = 1; /* a vector of n is n rows × 1 column; a scalar is 1 × 1 */
    if (hd[0] > SIZE_MAX || hd[1] > SIZE_MAX
        || (hd[1] != 0 && hd[0] > SIZE_MAX / sizeof(double) / hd[1])) {
        rc = AIMC_FAIL(err, GSL_EFAILED, "h5: %s: %s is too large to read", file, dset);
        goto cleanup;
    }
    count = (size_t)hd[0] * (size_t)hd[1];

    /* allocate (at least one element, so that *data is never NULL) */
    buf = malloc((count > 0 ? count : 1) * sizeof *buf);
    if (buf == NULL) {
        rc = AIMC_FAIL(err, GSL_ENOMEM, "h5: out of memory for %s", dset);
        goto cleanup;
    }
    if (count > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        rc = fail_h5(err, GSL_EFAILED, "h5: %s: cannot read %s", file, dset);
        goto cleanup;
    }
    *data = buf;
    buf = NULL;
    dims[0] = (size_t)hd[0];
    dims[1] = (size_t)hd[1];

cleanup:
    free(buf);
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (d >= 0)
        H5Oclose(d);
    return rc;
}

int aimc_h5_read(const char *file, const char *dset, double **data, size_t dims[2],
                 aimc_err *err)
{
    hid_t f = H5I_INVALID_HID;
    int rc;

    h5_quiet();
    if (data == NULL || dims == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: read of %s: data or dims is NULL",
                         dset == NULL ? "(null)" : dset);
    *data = NULL;
    dims[0] = dims[1] = 0;
    if ((rc = check_path("dataset", dset, err)) != GSL_SUCCESS)
        return rc;
    if ((rc = open_file_ro(file, &f, err)) == GSL_SUCCESS)
        rc = read_dataset(f, file, dset, data, dims, err);
    if (f >= 0)
        H5Fclose(f);
    return rc;
}

/* Open attribute `name` of `obj` in `file` (opened here), which must hold
 * exactly one value. */
static int open_attr(const char *file, const char *obj, const char *name, hid_t *f, hid_t *o,
                     hid_t *a, aimc_err *err)
{
    hid_t space;
    hssize_t npoints;
    htri_t exists;
    int rc;

    if ((rc = check_path("object", obj, err)) != GSL_SUCCESS)
        return rc;
    if (name == NULL || name[0] == '\0')
        return AIMC_FAIL(err, GSL_EINVAL, "h5: attribute name of %s is empty", obj);
    if ((rc = open_file_ro(file, f, err)) != GSL_SUCCESS)
        return rc;
    if ((rc = open_object(*f, file, obj, o, err)) != GSL_SUCCESS)
        return rc;
    exists = H5Aexists(*o, name);
    if (exists < 0)
        return fail_h5(err, GSL_EFAILED, "h5: %s: cannot look up attribute %s of %s", file,
                       name, obj);
    if (exists == 0)
        return AIMC_FAIL(err, GSL_EFAILED, "h5: %s: %s has no attribute %s", file, obj, name);
    *a = H5Aopen(*o, name, H5P_DEFAULT);
    if (*a < 0)
        return fail_h5(err, GSL_EFAILED, "h5: %s: cannot open attribute %s of %s", file, name,
                       obj);
    space = H5Aget_space(*a);
    npoints = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (space >= 0)
        H5Sclose(space);
    if (npoints != 1)
        return AIMC_FAIL(err, GSL_EFAILED, "h5: %s: attribute %s of %s holds %lld values, not one",
                         file, name, obj, (long long)npoints);
    return GSL_SUCCESS;
}

static void close_attr(hid_t f, hid_t o, hid_t a)
{
    if (a >= 0)
        H5Aclose(a);
    if (o >= 0)
        H5Oclose(o);
    if (f >= 0)
        H5Fclose(f);
}

int aimc_h5_read_attr_string(const char *file, const char *obj, const char *name, char *buf,
                             size_t len, aimc_err *err)
{
    hid_t f = H5I_INVALID_HID, o = H5I_INVALID_HID, a = H5I_INVALID_HID;
    hid_t ftype = H5I_INVALID_HID, mtype = H5I_INVALID_HID;
    char *text = NULL, *vtext = NULL;
    htri_t variable;
    size_t size;
    int rc;

    h5_quiet();
    if (buf == NULL || len == 0)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: buffer for attribute %s is NULL or empty",
                         name == NULL ? "(null)" : name);
    buf[0] = '\0';
    if ((rc = open_attr(file, obj, name, &f, &o, &a, err)) != GSL_SUCCESS)
        goto cleanup;
    ftype = H5Aget_type(a);
    if (ftype < 0 || H5Tget_class(ftype) != H5T_STRING) {
        rc = AIMC_FAIL(err, GSL_EFAILED, "h5: %s: attribute %s of %s is not a string", file, name,
                       obj);
        goto cleanup;
    }
    /* Read in the file's own character set (HDF5 does not convert between
     * ASCII and UTF-8); variable-length into HDF5's memory, fixed-length
     * into ours with one byte more for the terminating NUL. */
    variable = H5Tis_variable_str(ftype);
    size = H5Tget_size(ftype);
    mtype = H5Tcopy(H5T_C_S1);
    if (variable < 0 || size == 0 || mtype < 0
        || H5Tset_cset(mtype, H5Tget_cset(ftype)) < 0
        || H5Tset_size(mtype, variable ? H5T_VARIABLE : size + 1) < 0
        || H5Tset_strpad(mtype, H5T_STR_NULLTERM) < 0) {
        rc = fail_h5(err, GSL_EFAILED, "h5: %s: cannot inspect attribute %s of %s", file, name,
                     obj);
        goto cleanup;
    }
    if (!variable && (text = malloc(size + 1)) == NULL) {
        rc = AIMC_FAIL(err, GSL_ENOMEM, "h5: out of memory for attribute %s", name);
        goto cleanup;
    }
    if (H5Aread(a, mtype, variable ? (void *)&vtext : (void *)text) < 0) {
        rc = fail_h5(err, GSL_EFAILED, "h5: %s: cannot read attribute %s of %s", file, name, obj);
        goto cleanup;
    }
    if (variable && vtext == NULL) {
        rc = AIMC_FAIL(err, GSL_EFAILED, "h5: %s: attribute %s of %s is a NULL string", file,
                       name, obj);
        goto cleanup;
    }
    {
        const char *value = variable ? vtext : text;
        size_t need = strlen(value) + 1;
        if (need > len) {
            rc = AIMC_FAIL(err, GSL_EINVAL,
                           "h5: %s: attribute %s of %s needs %zu bytes, buffer has %zu", file,
                           name, obj, need, len);
            goto cleanup;
        }
        memcpy(buf, value, need);
    }

cleanup:
    if (vtext != NULL)
        H5free_memory(vtext);
    free(text);
    if (mtype >= 0)
        H5Tclose(mtype);
    if (ftype >= 0)
        H5Tclose(ftype);
    close_attr(f, o, a);
    return rc;
}

int aimc_h5_read_attr_double(const char *file, const char *obj, const char *name,
                             double *value, aimc_err *err)
{
    hid_t f = H5I_INVALID_HID, o = H5I_INVALID_HID, a = H5I_INVALID_HID;
    hid_t ftype = H5I_INVALID_HID;
    H5T_class_t cls;
    int rc;

    h5_quiet();
    if (value == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "h5: value pointer for attribute %s is NULL",
                         name == NULL ? "(null)" : name);
    if ((rc = open_attr(file, obj, name, &f, &o, &a, err)) != GSL_SUCCESS)
        goto cleanup;
    ftype = H5Aget_type(a);
    cls = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
    /* Integers (aimc_h5_attr_int) convert exactly up to 2^53. */
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
        rc = AIMC_FAIL(err, GSL_EFAILED, "h5: %s: attribute %s of %s is not a number", file, name,
                       obj);
        goto cleanup;
    }
    if (H5Aread(a, H5T_NATIVE_DOUBLE, value) < 0)
        rc = fail_h5(err, GSL_EFAILED, "h5: %s: cannot read attribute %s of %s", file, name, obj);

cleanup:
    if (ftype >= 0)
        H5Tclose(ftype);
    close_attr(f, o, a);
    return rc;
}
