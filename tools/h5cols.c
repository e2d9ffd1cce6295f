/* aimc-h5cols — HDF5 result datasets as text columns for gnuplot.
 *
 *   aimc-h5cols FILE DSET [DSET ...]   datasets side by side, one line per index
 *   aimc-h5cols --list FILE            every group and dataset, with attributes
 *   aimc-h5cols --attr FILE OBJ NAME   one attribute's value
 *
 * gnuplot:  plot '< aimc-h5cols f.h5 /runs/a/step /runs/a/loss_mean' using 1:2
 *
 * A vector of n contributes one column of n lines; a matrix reps × n (a
 * <metric> of the schema) contributes reps columns of n lines, one per
 * repetition.  All columns must have the same length.  Output is built in
 * memory and written only when everything was read, so on error stdout
 * stays empty: one line on stderr, exit status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "aimc/common.h"
#include "aimc/h5.h"

#define PROG "aimc-h5cols"
enum { EXIT_USAGE = 2 };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: " PROG " FILE DSET [DSET ...]\n"
            "       " PROG " --list FILE\n"
            "       " PROG " --attr FILE OBJ NAME\n"
            "\n"
            "Print HDF5 datasets of an aimc-bench result file as whitespace-separated\n"
            "columns (%%.17g), one line per index, for gnuplot:\n"
            "  plot '< " PROG " f.h5 /runs/a/step /runs/a/loss_mean' using 1:2\n"
            "A vector of n gives one column of n lines; a matrix reps x n gives reps\n"
            "columns of n lines (one per repetition).  All columns must have one length.\n"
            "\n"
            "options:\n"
            "  --list FILE           list every group and dataset (with its shape and\n"
            "                        type) and every attribute with its value\n"
            "  --attr FILE OBJ NAME  print attribute NAME of group or dataset OBJ\n"
            "                        (OBJ is a path such as / or /runs/a)\n"
            "  -h, --help            print this help and exit\n"
            "  -V, --version         print the version and exit\n"
            "\n"
            "On bad usage or an unreadable file: one line on stderr, nothing on stdout,\n"
            "exit status 2.\n");
}

/* One line on stderr, exit status 2 (the caller returns it). */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* ---- columns ------------------------------------------------------------ */

typedef struct {
    double *data;
    size_t ncols;  /* columns contributed */
    size_t len;    /* lines */
    size_t stride; /* element (line i, column c) = data[c * stride + i] */
} column_set;

/* The library's reader reports a vector of n as n × 1, like a matrix with
 * one column; the rank tells "n steps" from "n repetitions of one step". */
static int dataset_rank(const char *file, const char *dset)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = f >= 0 ? H5Dopen2(f, dset, H5P_DEFAULT) : H5I_INVALID_HID;
    hid_t space = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;

    if (space >= 0)
        H5Sclose(space);
    if (d >= 0)
        H5Dclose(d);
    if (f >= 0)
        H5Fclose(f);
    return rank;
}

static int is_hdf5(const char *file)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);

    if (f < 0)
        return 0;
    H5Fclose(f);
    return 1;
}

static int load_columns(const char *file, const char *dset, column_set *c)
{
    aimc_err err = {0};
    size_t dims[2];
    int rank;

    if (aimc_h5_read(file, dset, &c->data, dims, &err) != GSL_SUCCESS) {
        if (!is_hdf5(file)) /* the file itself is the problem */
            return fail("%s", err.msg);
        return fail("%s (see " PROG " --list %s)", err.msg, file);
    }
    rank = dataset_rank(file, dset);
    if (rank < 0)
        return fail("cannot read the shape of %s in %s", dset, file);
    if (rank == 2) { /* reps × n: reps columns of n lines */
        c->ncols = dims[0];
        c->len = dims[1];
        c->stride = dims[1];
    } else { /* vector (n × 1) or scalar (1 × 1): one column */
        c->ncols = 1;
        c->len = dims[0];
        c->stride = 0;
    }
    if (c->ncols == 0 || c->len == 0)
        return fail("%s in %s is empty; nothing to print", dset, file);
    return 0;
}

static int print_columns(const char *file, int n, char *const dsets[], FILE *out)
{
    column_set *sets = calloc((size_t)n, sizeof *sets);
    int rc = 0;

    if (sets == NULL)
        return fail("out of memory");
    for (int k = 0; k < n && rc == 0; k++) {
        rc = load_columns(file, dsets[k], &sets[k]);
        if (rc == 0 && sets[k].len != sets[0].len)
            rc = fail("%s has %zu points but %s has %zu; give datasets of one length", dsets[k],
                      sets[k].len, dsets[0], sets[0].len);
    }
    for (size_t i = 0; rc == 0 && i < sets[0].len; i++) {
        const char *sep = "";
        for (int k = 0; k < n; k++)
            for (size_t c = 0; c < sets[k].ncols; c++) {
                fprintf(out, "%s%.17g", sep, sets[k].data[c * sets[k].stride + i]);
                sep = " ";
            }
        fputc('\n', out);
    }
    for (int k = 0; k < n; k++)
        free(sets[k].data);
    free(sets);
    return rc;
}

/* ---- attributes --------------------------------------------------------- */

/* Print the value of an open attribute: strings as text (quoted in
 * listings), integers exactly, floats with %.17g; arrays as a list. */
static int print_attr_value(hid_t attr, int listing, FILE *out)
{
    hid_t type = H5Aget_type(attr), space = H5Aget_space(attr), mtype = H5I_INVALID_HID;
    hssize_t npoints = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    size_t size = type >= 0 ? H5Tget_size(type) : 0, each;
    htri_t variable = cls == H5T_STRING ? H5Tis_variable_str(type) : 0;
    char *buf = NULL;
    int rc = -1;

    if (npoints < 1 || size == 0 || variable < 0)
        goto cleanup;
    if (cls == H5T_STRING) {
        mtype = H5Tcopy(H5T_C_S1);
        if (mtype < 0 || H5Tset_cset(mtype, H5Tget_cset(type)) < 0
            || H5Tset_size(mtype, variable ? H5T_VARIABLE : size + 1) < 0
            || H5Tset_strpad(mtype, H5T_STR_NULLTERM) < 0)
            goto cleanup;
        each = variable ? sizeof(char *) : size + 1;
    } else if (cls == H5T_INTEGER) {
        mtype = H5Tcopy(H5Tget_sign(type) == H5T_SGN_NONE ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG);
        each = sizeof(long long);
    } else if (cls == H5T_FLOAT) {
        mtype = H5Tcopy(H5T_NATIVE_DOUBLE);
        each = sizeof(double);
    } else {
        fprintf(out, "(an attribute of HDF5 type class %d)", (int)cls);
        rc = 0;
        goto cleanup;
    }
    buf = calloc((size_t)npoints, each);
    if (mtype < 0 || buf == NULL || H5Aread(attr, mtype, buf) < 0)
        goto cleanup;

    if (npoints > 1)
        fputs(listing ? "{" : "", out);
    for (hssize_t i = 0; i < npoints; i++) {
        const char *p = buf + (size_t)i * each;
        if (i > 0)
            fputs(listing ? ", " : " ", out);
        if (cls == H5T_STRING) {
            const char *s = variable ? *(char *const *)p : p;
            fprintf(out, listing ? "\"%s\"" : "%s", s == NULL ? "" : s);
        } else if (cls == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_NONE) {
            fprintf(out, "%llu", *(const unsigned long long *)p);
        } else if (cls == H5T_INTEGER) {
            fprintf(out, "%lld", *(const long long *)p);
        } else {
            fprintf(out, "%.17g", *(const double *)p);
        }
    }
    if (npoints > 1)
        fputs(listing ? "}" : "", out);
    rc = 0;

cleanup:
    if (buf != NULL && variable > 0)
        for (hssize_t i = 0; i < npoints; i++)
            H5free_memory(((char **)buf)[i]);
    free(buf);
    if (mtype >= 0)
        H5Tclose(mtype);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return rc;
}

/* Only a regular file goes to HDF5: H5Fopen blocks forever on a FIFO (a
 * pipe from <(...) or a named pipe) and misreads devices, so FILE is looked
 * at once in main, opened non-blocking, before any HDF5 call (as the
 * library's readers do). */
static int check_regular_file(const char *file)
{
    struct stat st;
    int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC), regular;

    if (fd < 0)
        return fail("cannot open %s: %s", file, strerror(errno));
    regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    if (!regular)
        return fail("cannot open %s: not a regular file (give an HDF5 result file)", file);
    return 0;
}

/* Open FILE (already checked to be a regular file) read-only with HDF5. */
static int open_file(const char *file, hid_t *f)
{
    *f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*f < 0)
        return fail("cannot open %s: not a readable HDF5 file (truncated or corrupt?)", file);
    return 0;
}

static int print_one_attr(const char *file, const char *obj, const char *name, FILE *out)
{
    hid_t f = H5I_INVALID_HID, o = H5I_INVALID_HID, a = H5I_INVALID_HID;
    int rc;

    if ((rc = open_file(file, &f)) != 0)
        return rc;
    o = H5Oopen(f, obj, H5P_DEFAULT);
    if (o < 0) {
        rc = fail("%s has no group or dataset %s (see " PROG " --list %s)", file, obj, file);
        goto cleanup;
    }
    if (H5Aexists(o, name) <= 0) {
        rc = fail("%s in %s has no attribute %s (see " PROG " --list %s)", obj, file, name, file);
        goto cleanup;
    }
    a = H5Aopen(o, name, H5P_DEFAULT);
    if (a < 0 || print_attr_value(a, 0, out) != 0) {
        rc = fail("cannot read attribute %s of %s in %s", name, obj, file);
        goto cleanup;
    }
    fputc('\n', out);

cleanup:
    if (a >= 0)
        H5Aclose(a);
    if (o >= 0)
        H5Oclose(o);
    H5Fclose(f);
    return rc;
}

/* ---- listing ------------------------------------------------------------- */

typedef struct {
    FILE *out;
    const char *failed; /* object that could not be listed, if any */
    char name[512];
} listing;

static herr_t list_attr(hid_t obj, const char *name, const H5A_info_t *info, void *data)
{
    listing *l = data;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int rc = a >= 0 ? 0 : -1;

    (void)info;
    fprintf(l->out, "    %s = ", name);
    if (rc == 0)
        rc = print_attr_value(a, 1, l->out);
    fputc('\n', l->out);
    if (a >= 0)
        H5Aclose(a);
    return rc == 0 ? 0 : -1;
}

static const char *type_name(hid_t type, char *buf, size_t len)
{
    size_t bits = 8 * H5Tget_size(type);

    switch (H5Tget_class(type)) {
    case H5T_FLOAT:
        snprintf(buf, len, "float%zu", bits);
        break;
    case H5T_INTEGER:
        snprintf(buf, len, "%sint%zu", H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "", bits);
        break;
    case H5T_STRING:
        snprintf(buf, len, "string");
        break;
    default:
        snprintf(buf, len, "other");
    }
    return buf;
}

/* One object: "path  group" or "path  dataset {d0, d1} float64", then its
 * attributes in name order. */
static int list_object(hid_t loc, const char *rel, const char *path, listing *l)
{
    hid_t o = H5Oopen(loc, rel, H5P_DEFAULT);
    hid_t type = H5I_INVALID_HID, space = H5I_INVALID_HID;
    hsize_t dims[H5S_MAX_RANK];
    char tname[32];
    int rc = -1, rank;

    if (o < 0)
        return -1;
    if (H5Iget_type(o) == H5I_GROUP) {
        fprintf(l->out, "%-32s group\n", path);
    } else if (H5Iget_type(o) == H5I_DATASET) {
        type = H5Dget_type(o);
        space = H5Dget_space(o);
        rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
        if (type < 0 || rank < 0)
            goto cleanup;
        fprintf(l->out, "%-32s dataset {", path);
        for (int i = 0; i < rank; i++)
            fprintf(l->out, "%s%llu", i ? ", " : "", (unsigned long long)dims[i]);
        fprintf(l->out, "} %s\n", type_name(type, tname, sizeof tname));
    } else {
        fprintf(l->out, "%-32s other\n", path);
    }
    rc = H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, NULL, list_attr, l) < 0 ? -1 : 0;

cleanup:
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    H5Oclose(o);
    return rc;
}

#if H5_VERSION_GE(1, 12, 0)
typedef H5L_info2_t link_info;
#define visit_links H5Lvisit2
#else
typedef H5L_info_t link_info;
#define visit_links H5Lvisit
#endif

static herr_t list_link(hid_t group, const char *name, const link_info *info, void *data)
{
    listing *l = data;

    snprintf(l->name, sizeof l->name, "/%s", name);
    if (info->type != H5L_TYPE_HARD) { /* soft or external: not followed */
        fprintf(l->out, "%-32s link\n", l->name);
        return 0;
    }
    if (list_object(group, name, l->name, l) != 0) {
        l->failed = l->name;
        return -1;
    }
    return 0;
}

static int list_file(const char *file, FILE *out)
{
    listing l = {.out = out, .failed = NULL};
    hid_t f = H5I_INVALID_HID;
    int rc;

    if ((rc = open_file(file, &f)) != 0)
        return rc;
    if (list_object(f, "/", "/", &l) != 0)
        l.failed = "/";
    else if (visit_links(f, H5_INDEX_NAME, H5_ITER_INC, list_link, &l) < 0 && l.failed == NULL)
        l.failed = "(the link structure)";
    if (l.failed != NULL)
        rc = fail("cannot list %s in %s: the file is damaged", l.failed, file);
    H5Fclose(f);
    return rc;
}

/* ---- reading, isolated --------------------------------------------------- */

typedef struct {
    int mode;    /* 'l' --list, 'a' --attr, 0 columns */
    int nargs;
    char **args; /* FILE, then DSETs or OBJ NAME */
} request;

/* The child's side: the whole answer in memory, then into the pipe only if
 * everything was read.  Returns the exit status (2: its line is printed). */
static int answer_request(const request *q, int fd)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int rc;

    if (out == NULL)
        return fail("out of memory");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* failures are reported by us, in one line */
    if (q->mode == 'l')
        rc = list_file(q->args[0], out);
    else if (q->mode == 'a')
        rc = print_one_attr(q->args[0], q->args[1], q->args[2], out);
    else
        rc = print_columns(q->args[0], q->nargs - 1, q->args + 1, out);
    if (fclose(out) != 0 && rc == 0)
        rc = fail("out of memory");
    for (size_t done = 0; rc == 0 && done < len;) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno != EINTR)
            rc = fail("cannot pass the output on: %s", strerror(errno));
        done += n > 0 ? (size_t)n : 0;
    }
    free(text);
    return rc;
}

/* HDF5 1.10 itself can crash on a damaged file: listing the attributes of
 * an object with one damaged attribute message frees HDF5's attribute table
 * twice (SIGSEGV in H5A__attr_release_table, h5dump too; by index,
 * H5Aget_name_by_idx, takes the same path).  No check of ours can tell such
 * a file beforehand, so the reading runs in a child process: its answer
 * comes back through a pipe, and a child killed by a signal becomes one
 * line and status 2 like any other unreadable file. */
static int read_in_child(const request *q, char **text, size_t *len)
{
    int fds[2], status = 0, rc = 0;
    char buf[65536];
    FILE *out;
    pid_t pid;
    ssize_t n;

    if (pipe(fds) != 0)
        return fail("cannot create a pipe: %s", strerror(errno));
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return fail("cannot start a reader process: %s", strerror(errno));
    }
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core); /* a crash here is handled, not debugged */
        close(fds[0]);
        _exit(answer_request(q, fds[1]));
    }
    close(fds[1]);
    out = open_memstream(text, len);
    while ((n = read(fds[0], buf, sizeof buf)) != 0)
        if (n > 0 && out != NULL)
            fwrite(buf, 1, (size_t)n, out);
        else if (n < 0 && errno != EINTR)
            break;
    close(fds[0]);
    if (out == NULL || fclose(out) != 0)
        rc = fail("out of memory");
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return fail("lost the reader process: %s", strerror(errno));
    if (WIFSIGNALED(status))
        return fail("cannot read %s: the file is damaged (HDF5 crashed reading it: %s)",
                    q->args[0], strsignal(WTERMSIG(status)));
    return rc != 0 ? rc : WEXITSTATUS(status);
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"list", no_argument, NULL, 'l'},    {"attr", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},    {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int mode = 0, opt, nargs, rc;
    char *text = NULL;
    size_t text_len = 0;

    opterr = 0; /* our own one-line messages */
    while ((opt = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf(PROG " (aimc-bench) %s, HDF5 %d.%d.%d\n", aimc_version(), H5_VERS_MAJOR,
                   H5_VERS_MINOR, H5_VERS_RELEASE);
            return 0;
        case 'l':
        case 'a':
            if (mode != 0 && mode != opt)
                return fail("--list and --attr exclude each other; see " PROG " --help");
            mode = opt;
            break;
        default:
            return fail("unknown or malformed option %s; see " PROG " --help",
                        argv[optind - 1]);
        }
    }
    nargs = argc - optind;
    if (mode == 'l' && nargs != 1)
        return fail("--list takes one FILE, got %d arguments; usage: " PROG " --list FILE",
                    nargs);
    if (mode == 'a' && nargs != 3)
        return fail("--attr takes FILE OBJ NAME, got %d arguments; usage: " PROG
                    " --attr FILE /runs/a algorithm",
                    nargs);
    if (mode == 0 && nargs < 2)
        return fail("%s; usage: " PROG " FILE DSET [DSET ...] (see --help)",
                    nargs == 0 ? "no FILE given" : "no DSET given after FILE");

    if ((rc = check_regular_file(argv[optind])) != 0)
        return rc;
    rc = read_in_child(&(request){mode, nargs, argv + optind}, &text, &text_len);
    if (rc == 0 && (fwrite(text, 1, text_len, stdout) != text_len || fflush(stdout) != 0)) {
        free(text);
        fprintf(stderr, PROG ": cannot write to stdout: %s\n", strerror(errno));
        return 1;
    }
    free(text);
    return rc;
}
