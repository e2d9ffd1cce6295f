/* test_h5.c — the result file: round trips, the atomic .partial → rename
 * protocol, refusal to overwrite, clean failures on bad input, the series
 * statistics and determinism (lib/h5, DESIGN §3, results/README.md).
 *
 * Every test works in its own temporary directory (mkdtemp), removed with
 * everything in it afterwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <hdf5.h>

#include "aimc/h5.h"

/* ---- fixture: a private temporary directory ---------------------------- */

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/aimc-test-h5-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tmpdir(void)
{
    if (tmpdir[0] != '\0')
        nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(h5, .init = make_tmpdir, .fini = remove_tmpdir);

/* "<tmpdir>/<name>" in one of a few rotating buffers. */
static const char *in_tmp(const char *name)
{
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static const char *partial_of(const char *path)
{
    static char buf[300];
    snprintf(buf, sizeof buf, "%s.partial", path);
    return buf;
}

/* Bit-for-bit equality: NaN == NaN and -0.0 != +0.0 here, as they should
 * be for a round trip. */
static int same_bits(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* A file with one attribute and one vector, committed. */
static void write_small_file(const char *path, int force, const char *tag)
{
    aimc_err err = {0};
    const double v[3] = {1.0, 2.0, 3.0};
    aimc_h5 *h = aimc_h5_create(path, force, &err);

    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(aimc_h5_attr_string(h, "/", "tag", tag, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_h5_write_vector(h, "/runs/a/step", 3, v, &err), GSL_SUCCESS, "%s",
                 err.msg);
    cr_assert_eq(aimc_h5_commit(h, &err), GSL_SUCCESS, "%s", err.msg);
}

static void expect_tag(const char *path, const char *tag)
{
    aimc_err err = {0};
    char buf[64];
    cr_assert_eq(aimc_h5_read_attr_string(path, "/", "tag", buf, sizeof buf, &err), GSL_SUCCESS,
                 "%s", err.msg);
    cr_assert_str_eq(buf, tag);
}

/* ---- round trips -------------------------------------------------------- */

Test(h5, vectors_matrices_and_attributes_round_trip_bit_exact)
{
    const char *path = in_tmp("rt.h5");
    const char *unit = "\xcf\x84 = 0.5 \xc2\xb5s"; /* "τ = 0.5 µs" in UTF-8 */
    aimc_err err = {0};
    /* values that a lossy path would change: signed zero, a subnormal, the
     * extremes, infinities, a NaN, and decimals that are not binary */
    const double v[10] = {0.1,           -0.0,      DBL_TRUE_MIN, DBL_MIN, DBL_MAX,
                          INFINITY,      -INFINITY, NAN,          M_PI,    -1e-300};
    double m[3 * 4], *got = NULL, x;
    size_t dims[2];
    char buf[128];
    aimc_h5 *h;

    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            m[i * 4 + j] = (double)i * 0.1 + (double)j / 3.0;

    h = aimc_h5_create(path, 0, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(aimc_h5_write_vector(h, "/v", 10, v, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_h5_write_matrix(h, "/deep/er/m", 3, 4, m, &err), GSL_SUCCESS, "%s",
                 err.msg);
    cr_assert_eq(aimc_h5_attr_string(h, "/", "unit", unit, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_h5_attr_string(h, "/", "empty", "", &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_h5_attr_double(h, "/config", "third", 1.0 / 3.0, &err), GSL_SUCCESS,
                 "%s", err.msg);
    cr_assert_eq(aimc_h5_attr_int(h, "/config", "big", 9007199254740992LL, &err), GSL_SUCCESS,
                 "%s", err.msg); /* 2^53: the largest integer a double still holds exactly */
    cr_assert_eq(aimc_h5_attr_int(h, "/config", "neg", -7, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_h5_attr_string(h, "/deep/er/m", "on_dataset", "yes", &err), GSL_SUCCESS,
                 "%s", err.msg);
    /* replacing: a longer string, and a number turned into a string */
    cr_assert_eq(aimc_h5_attr_string(h, "/config", "name", "short", &err), GSL_SUCCESS);
    cr_assert_eq(aimc_h5_attr_string(h, "/config", "name", "a much longer value", &err),
                 GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_h5_attr_double(h, "/config", "kind", 2.0, &err), GSL_SUCCESS);
    cr_assert_eq(aimc_h5_attr_string(h, "/config", "kind", "power", &err), GSL_SUCCESS, "%s",
                 err.msg);
    cr_assert_eq(aimc_h5_commit(h, &err), GSL_SUCCESS, "%s", err.msg);

    cr_assert_eq(aimc_h5_read(path, "/v", &got, dims, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert(dims[0] == 10 && dims[1] == 1, "vector read as %zu x %zu", dims[0], dims[1]);
    cr_assert(same_bits(got, v, 10), "vector changed on the way");
    free(got);
    cr_assert_eq(aimc_h5_read(path, "/deep/er/m", &got, dims, &err), GSL_SUCCESS, "%s",
                 err.msg);
    cr_assert(dims[0] == 3 && dims[1] == 4, "matrix read as %zu x %zu", dims[0], dims[1]);
    cr_assert(same_bits(got, m, 12), "matrix changed on the way");
    free(got);

    cr_assert_eq(aimc_h5_read_attr_string(path, "/", "unit", buf, sizeof buf, &err), GSL_SUCCESS,
                 "%s", err.msg);
    cr_assert_str_eq(buf, unit);
    cr_assert_eq(aimc_h5_read_attr_string(path, "/", "empty", buf, sizeof buf, &err),
                 GSL_SUCCESS, "%s", err.msg);
    cr_assert_str_eq(buf, "");
    cr_assert_eq(aimc_h5_read_attr_double(path, "/config", "third", &x, &err), GSL_SUCCESS);
    cr_assert(same_bits(&x, &(double){1.0 / 3.0}, 1), "third = %.17g", x);
    cr_assert_eq(aimc_h5_read_attr_double(path, "/config", "big", &x, &err), GSL_SUCCESS);
    cr_assert_eq(x, 9007199254740992.0);
    cr_assert_eq(aimc_h5_read_attr_double(path, "/config", "neg", &x, &err), GSL_SUCCESS);
    cr_assert_eq(x, -7.0);
    cr_assert_eq(aimc_h5_read_attr_string(path, "/deep/er/m", "on_dataset", buf, sizeof buf,
                                          &err),
                 GSL_SUCCESS, "%s", err.msg);
    cr_assert_str_eq(buf, "yes");
    cr_assert_eq(aimc_h5_read_attr_string(path, "/config", "name", buf, sizeof buf, &err),
                 GSL_SUCCESS);
    cr_assert_str_eq(buf, "a much longer value");
    cr_assert_eq(aimc_h5_read_attr_string(path, "/config", "kind", buf, sizeof buf, &err),
                 GSL_SUCCESS);
    cr_assert_str_eq(buf, "power");
    /* a buffer one byte short (no room for the NUL) is refused, not overrun */
    cr_assert_eq(aimc_h5_read_attr_string(path, "/", "unit", buf, strlen(unit), &err),
                 GSL_EINVAL);
}

/* We write fixed-length strings; files made by other tools (h5py's default)
 * hold variable-length ones, which the reader must take as well. */
Test(h5, variable_length_string_attributes_are_read_too)
{
    const char *path = in_tmp("vlen.h5");
    const char *value = "written by another tool";
    aimc_err err = {0};
    char buf[64];
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), attr;

    cr_assert(f >= 0 && type >= 0 && space >= 0);
    cr_assert(H5Tset_size(type, H5T_VARIABLE) >= 0 && H5Tset_cset(type, H5T_CSET_UTF8) >= 0);
    attr = H5Acreate2(f, "origin", type, space, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert(attr >= 0 && H5Awrite(attr, type, &value) >= 0);
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(f);

    cr_assert_eq(aimc_h5_read_attr_string(path, "/", "origin", buf, sizeof buf, &err),
                 GSL_SUCCESS, "%s", err.msg);
    cr_assert_str_eq(buf, value);
}

/* ---- the atomic protocol ------------------------------------------------ */

Test(h5, result_appears_only_at_commit_and_partial_is_gone_after)
{
    const char *path = in_tmp("atomic.h5");
    aimc_err err = {0};
    aimc_h5 *h = aimc_h5_create(path, 0, &err);

    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_str_eq(aimc_h5_path(h), path);
    cr_assert(!file_exists(path), "%s exists before commit", path);
    cr_assert(file_exists(partial_of(path)), "%s missing while writing", partial_of(path));
    cr_assert_eq(aimc_h5_attr_string(h, "/", "tag", "x", &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert(!file_exists(path), "%s exists before commit", path);
    cr_assert_eq(aimc_h5_commit(h, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert(file_exists(path), "%s missing after commit", path);
    cr_assert(!file_exists(partial_of(path)), "%s left after commit", partial_of(path));
    expect_tag(path, "x");
}

Test(h5, existing_file_is_refused_without_force_and_replaced_with_force)
{
    const char *path = in_tmp("exists.h5");
    aimc_err err = {0};

    write_small_file(path, 0, "old");
    cr_assert_null(aimc_h5_create(path, 0, &err), "overwrote without force");
    cr_assert_eq(err.status, GSL_EINVAL);
    cr_assert(strstr(err.msg, "--force") != NULL, "message does not say what to do: %s",
              err.msg);
    cr_assert(!file_exists(partial_of(path)), "a refused create left %s", partial_of(path));
    expect_tag(path, "old");

    write_small_file(path, 1, "new");
    expect_tag(path, "new");
    cr_assert(!file_exists(partial_of(path)));
}

Test(h5, stale_partial_file_is_truncated)
{
    const char *path = in_tmp("stale.h5");
    FILE *f = fopen(partial_of(path), "w");

    cr_assert_not_null(f);
    fputs("left over by a killed run", f);
    fclose(f);
    write_small_file(path, 0, "fresh");
    expect_tag(path, "fresh");
}

Test(h5, abort_leaves_neither_file)
{
    const char *path = in_tmp("aborted.h5");
    aimc_err err = {0};
    const double v[2] = {1.0, 2.0};
    aimc_h5 *h = aimc_h5_create(path, 0, &err);

    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(aimc_h5_write_vector(h, "/v", 2, v, &err), GSL_SUCCESS, "%s", err.msg);
    aimc_h5_abort(h);
    cr_assert(!file_exists(path), "%s exists after abort", path);
    cr_assert(!file_exists(partial_of(path)), "%s exists after abort", partial_of(path));
    aimc_h5_abort(NULL); /* a no-op, like free(NULL) */
}

Test(h5, failed_rename_at_commit_reports_and_removes_partial)
{
    const char *path = in_tmp("blocked.h5");
    char inside[300];
    aimc_err err = {0};
    aimc_h5 *h = aimc_h5_create(path, 0, &err);
    FILE *f;

    cr_assert_not_null(h, "%s", err.msg);
    /* Someone puts a non-empty directory where the result should go:
     * rename(2) of a file onto a directory fails. */
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(inside, sizeof inside, "%s/x", path);
    f = fopen(inside, "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_assert_eq(aimc_h5_commit(h, &err), GSL_EFAILED);
    cr_assert(strstr(err.msg, "rename") != NULL, "message: %s", err.msg);
    cr_assert(!file_exists(partial_of(path)), "%s left after a failed commit", partial_of(path));
}

/* ---- failures on bad input ---------------------------------------------- */

/* Every reader must fail with a status and a one-line message, without
 * touching its outputs in a way the caller would have to free. */
static void expect_readers_fail(const char *path)
{
    aimc_err err = {0};
    double *data = (double *)&err; /* must come back NULL */
    size_t dims[2] = {7, 7};
    char buf[32];
    double x;

    cr_assert_neq(aimc_h5_read(path, "/runs/a/step", &data, dims, &err), GSL_SUCCESS);
    cr_assert_null(data);
    cr_assert(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL, "message: \"%s\"", err.msg);
    cr_assert(strncmp(err.msg, "h5: ", 4) == 0, "message does not name the module: %s",
              err.msg);
    err.msg[0] = '\0';
    cr_assert_neq(aimc_h5_read_attr_string(path, "/", "tag", buf, sizeof buf, &err),
                  GSL_SUCCESS);
    cr_assert(err.msg[0] != '\0');
    err.msg[0] = '\0';
    cr_assert_neq(aimc_h5_read_attr_double(path, "/", "tag", &x, &err), GSL_SUCCESS);
    cr_assert(err.msg[0] != '\0');
}

Test(h5, reading_a_missing_dataset_or_attribute_fails_with_a_message)
{
    const char *path = in_tmp("present.h5");
    aimc_err err = {0};
    double *data = NULL, x;
    size_t dims[2];
    char buf[32];

    write_small_file(path, 0, "t");
    cr_assert_eq(aimc_h5_read(path, "/runs/b/loss", &data, dims, &err), GSL_EFAILED);
    cr_assert_null(data);
    cr_assert(strstr(err.msg, "/runs/b/loss") != NULL, "message: %s", err.msg);
    /* a path through a dataset ("step" is not a group) */
    cr_assert_eq(aimc_h5_read(path, "/runs/a/step/x", &data, dims, &err), GSL_EFAILED);
    /* a group is not a dataset */
    cr_assert_eq(aimc_h5_read(path, "/runs/a", &data, dims, &err), GSL_EFAILED);
    cr_assert_eq(aimc_h5_read_attr_string(path, "/", "nope", buf, sizeof buf, &err),
                 GSL_EFAILED);
    cr_assert(strstr(err.msg, "nope") != NULL, "message: %s", err.msg);
    cr_assert_eq(aimc_h5_read_attr_double(path, "/nowhere", "tag", &x, &err), GSL_EFAILED);
    cr_assert_eq(aimc_h5_read_attr_double(path, "/", "tag", &x, &err), GSL_EFAILED,
                 "a string attribute read as a number");
    expect_readers_fail(in_tmp("never-written.h5"));
}

Test(h5, reading_a_truncated_file_fails_with_a_message)
{
    const char *path = in_tmp("truncated.h5");
    struct stat st;

    write_small_file(path, 0, "t");
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(truncate(path, st.st_size / 2), 0);
    expect_readers_fail(path);
}

Test(h5, reading_a_file_of_random_bytes_fails_with_a_message)
{
    const char *path = in_tmp("random.h5");
    uint64_t s = 0x9E3779B97F4A7C15u; /* fixed seed: the same bytes every run */
    unsigned char bytes[8192];
    FILE *f = fopen(path, "wb");

    for (size_t i = 0; i < sizeof bytes; i++) { /* xorshift64 */
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        bytes[i] = (unsigned char)(s >> 56);
    }
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, sizeof bytes, f), sizeof bytes);
    fclose(f);
    expect_readers_fail(path);
}

Test(h5, failures_print_nothing_on_stderr)
{
    const char *path = in_tmp("quiet.h5");
    const char *log = in_tmp("stderr.txt");
    int saved = dup(STDERR_FILENO);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    struct stat st;
    FILE *f;

    /* HDF5 prints its error stack by default; the library must have
     * switched that off before the first failing call. */
    cr_assert(saved >= 0 && fd >= 0);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("not an HDF5 file", f);
    fclose(f);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    expect_readers_fail(path);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    cr_assert_eq(stat(log, &st), 0);
    cr_assert_eq(st.st_size, 0, "the library printed %lld bytes on stderr",
                 (long long)st.st_size);
}

Test(h5, bad_arguments_are_refused_with_einval)
{
    const char *path = in_tmp("args.h5");
    aimc_err err = {0};
    const double v[2] = {1.0, 2.0};
    aimc_h5 *h;

    cr_assert_null(aimc_h5_create("", 0, &err));
    cr_assert_eq(err.status, GSL_EINVAL);
    cr_assert_null(aimc_h5_create(tmpdir, 1, &err), "a directory accepted as output");
    cr_assert_eq(err.status, GSL_EINVAL);
    cr_assert_eq(aimc_h5_write_vector(NULL, "/v", 2, v, &err), GSL_EINVAL);
    cr_assert_eq(aimc_h5_commit(NULL, &err), GSL_EINVAL);

    h = aimc_h5_create(path, 0, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(aimc_h5_write_vector(h, "v", 2, v, &err), GSL_EINVAL, "relative path");
    cr_assert_eq(aimc_h5_write_vector(h, "/v", 0, v, &err), GSL_EINVAL, "empty vector");
    cr_assert_eq(aimc_h5_write_vector(h, "/v", 2, NULL, &err), GSL_EINVAL, "NULL data");
    cr_assert_eq(aimc_h5_write_matrix(h, "/m", 2, 0, v, &err), GSL_EINVAL, "0 columns");
    cr_assert_eq(aimc_h5_write_series(h, "/runs/a", "a/b", 1, 2, v, NULL, &err), GSL_EINVAL,
                 "metric with '/'");
    cr_assert_eq(aimc_h5_write_series(h, "/runs/a", "loss", 0, 2, v, NULL, &err), GSL_EINVAL,
                 "reps = 0");
    cr_assert_eq(aimc_h5_attr_double(h, "/", "", 1.0, &err), GSL_EINVAL, "empty name");
    cr_assert_eq(aimc_h5_attr_string(h, "/", "s", NULL, &err), GSL_EINVAL, "NULL string");
    /* datasets are written once */
    cr_assert_eq(aimc_h5_write_vector(h, "/v", 2, v, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_h5_write_vector(h, "/v", 2, v, &err), GSL_EINVAL);
    cr_assert(strstr(err.msg, "exists") != NULL, "message: %s", err.msg);
    /* a dataset is not a group */
    cr_assert_eq(aimc_h5_group(h, "/v", &err), GSL_EINVAL);
    cr_assert_eq(aimc_h5_group(h, "/a/b/c", &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_h5_group(h, "/a/b", &err), GSL_SUCCESS, "existing group: %s", err.msg);
    aimc_h5_abort(h);
}

/* ---- the series of the schema ------------------------------------------ */

Test(h5, write_series_mean_and_std_match_hand_computation)
{
    const char *path = in_tmp("series.h5");
    aimc_err err = {0};
    /* reps = 3 runs × n = 2 steps */
    const double loss[3 * 2] = {1.0, 10.0,
                                2.0, 10.0,
                                6.0, 13.0};
    const double step[2] = {0.0, 100.0}, other_step[2] = {0.0, 50.0};
    const double one[1 * 2] = {0.25, -4.0};
    /* By hand.  Column 0: mean (1+2+6)/3 = 3; deviations −2, −1, 3; sum of
     * squares 14.  Column 1: mean 33/3 = 11; deviations −1, −1, 2; sum 6.
     * The std divides by reps − 1 = 2, not reps: the mean was estimated
     * from the same three runs, which leaves two degrees of freedom, and
     * dividing by them makes the variance estimate unbiased.  So
     * std = sqrt(14/2) = sqrt(7) and sqrt(6/2) = sqrt(3). */
    const double mean[2] = {3.0, 11.0}, std[2] = {sqrt(7.0), sqrt(3.0)};
    double *got = NULL;
    size_t dims[2];
    aimc_h5 *h = aimc_h5_create(path, 0, &err);

    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(aimc_h5_write_series(h, "/runs/a", "loss", 3, 2, loss, step, &err),
                 GSL_SUCCESS, "%s", err.msg);
    /* a second metric shares the same step ... */
    cr_assert_eq(aimc_h5_write_series(h, "/runs/a", "acc", 1, 2, one, step, &err), GSL_SUCCESS,
                 "%s", err.msg);
    /* ... but may not bring a different one */
    cr_assert_eq(aimc_h5_write_series(h, "/runs/a", "err", 1, 2, one, other_step, &err),
                 GSL_EINVAL);
    cr_assert_eq(aimc_h5_commit(h, &err), GSL_SUCCESS, "%s", err.msg);

    cr_assert_eq(aimc_h5_read(path, "/runs/a/loss", &got, dims, &err), GSL_SUCCESS);
    cr_assert(dims[0] == 3 && dims[1] == 2);
    cr_assert(same_bits(got, loss, 6));
    free(got);
    cr_assert_eq(aimc_h5_read(path, "/runs/a/step", &got, dims, &err), GSL_SUCCESS);
    cr_assert(dims[0] == 2 && dims[1] == 1 && same_bits(got, step, 2));
    free(got);
    /* The means are sums of small integers divided exactly: no rounding at
     * all, so they must be equal. */
    cr_assert_eq(aimc_h5_read(path, "/runs/a/loss_mean", &got, dims, &err), GSL_SUCCESS);
    cr_assert(dims[0] == 2 && dims[1] == 1);
    cr_assert(got[0] == mean[0] && got[1] == mean[1], "mean = %.17g %.17g", got[0], got[1]);
    free(got);
    /* The std goes through one sqrt of an exact quotient; allow 2 ulps in
     * case the sum of squares is formed differently. */
    cr_assert_eq(aimc_h5_read(path, "/runs/a/loss_std", &got, dims, &err), GSL_SUCCESS);
    for (size_t j = 0; j < 2; j++)
        cr_assert(fabs(got[j] - std[j]) <= 2 * DBL_EPSILON * std[j], "std[%zu] = %.17g, want %.17g",
                  j, got[j], std[j]);
    free(got);
    /* one repetition: the mean is the run itself, the std is 0 */
    cr_assert_eq(aimc_h5_read(path, "/runs/a/acc_mean", &got, dims, &err), GSL_SUCCESS);
    cr_assert(same_bits(got, one, 2));
    free(got);
    cr_assert_eq(aimc_h5_read(path, "/runs/a/acc_std", &got, dims, &err), GSL_SUCCESS);
    cr_assert(got[0] == 0.0 && got[1] == 0.0);
    free(got);
    /* the refused series left nothing behind */
    cr_assert_eq(aimc_h5_read(path, "/runs/a/err", &got, dims, &err), GSL_EFAILED,
                 "a refused series was written in part");
}

/* ---- determinism -------------------------------------------------------- */

static void write_experiment(const char *path)
{
    aimc_err err = {0};
    double data[4 * 5], step[5];
    aimc_h5 *h = aimc_h5_create(path, 0, &err);

    for (size_t j = 0; j < 5; j++)
        step[j] = (double)(10 * j);
    for (size_t i = 0; i < 20; i++)
        data[i] = exp(-(double)i / 7.0);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(aimc_h5_attr_string(h, "/", "program", "test", &err), GSL_SUCCESS);
    cr_assert_eq(aimc_h5_attr_int(h, "/", "seed", 1, &err), GSL_SUCCESS);
    cr_assert_eq(aimc_h5_attr_double(h, "/config", "tau", 0.5, &err), GSL_SUCCESS);
    cr_assert_eq(aimc_h5_attr_string(h, "/runs/sgd", "algorithm", "sgd", &err), GSL_SUCCESS);
    cr_assert_eq(aimc_h5_write_series(h, "/runs/sgd", "loss", 4, 5, data, step, &err),
                 GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_h5_commit(h, &err), GSL_SUCCESS, "%s", err.msg);
}

static void *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    void *buf;

    cr_assert_not_null(f);
    cr_assert_eq(fstat(fileno(f), &st), 0);
    buf = malloc((size_t)st.st_size + 1);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    return buf;
}

Test(h5, same_data_gives_identical_datasets_and_file_bytes)
{
    const char *a = in_tmp("first.h5"), *b = in_tmp("second.h5");
    const char *names[] = {"/runs/sgd/loss", "/runs/sgd/loss_mean", "/runs/sgd/loss_std",
                           "/runs/sgd/step"};
    aimc_err err = {0};
    size_t la, lb;
    void *fa, *fb;

    write_experiment(a);
    /* HDF5 can stamp objects with times in whole seconds; wait past one so
     * that such a stamp would show as a difference. */
    nanosleep(&(struct timespec){.tv_sec = 1, .tv_nsec = 100000000}, NULL);
    write_experiment(b);

    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        double *x = NULL, *y = NULL;
        size_t dx[2], dy[2];
        cr_assert_eq(aimc_h5_read(a, names[k], &x, dx, &err), GSL_SUCCESS, "%s", err.msg);
        cr_assert_eq(aimc_h5_read(b, names[k], &y, dy, &err), GSL_SUCCESS, "%s", err.msg);
        cr_assert(dx[0] == dy[0] && dx[1] == dy[1] && same_bits(x, y, dx[0] * dx[1]),
                  "%s differs between two writes of the same data", names[k]);
        free(x);
        free(y);
    }
    /* No timestamps, no filters, no uninitialised padding: the whole files
     * are the same bytes. */
    fa = slurp(a, &la);
    fb = slurp(b, &lb);
    cr_assert(la == lb && memcmp(fa, fb, la) == 0, "files differ (%zu vs %zu bytes)", la, lb);
    free(fa);
    free(fb);
}
