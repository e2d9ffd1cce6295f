/* test_data.c — IDX files, the text formats, shuffles and stratified splits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <zlib.h>

#include "aimc/data.h"

/* A scratch path in the build tree, unique per test process. */
static void scratch(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/test-data-%ld-%s", AIMC_BUILD_ROOT, (long)getpid(), name);
}

/* A 3×5×4 image stack whose bytes are a known pattern. */
static aimc_idx pattern_idx(void)
{
    aimc_idx x = {3, {3, 5, 4, 0}, 60, malloc(60)};
    for (size_t k = 0; k < 60; ++k)
        x.data[k] = (unsigned char)(k * 37 + 11);
    return x;
}

static void round_trip(int gzip)
{
    char path[512];
    scratch(path, sizeof path, gzip ? "rt.idx.gz" : "rt.idx");
    aimc_idx x = pattern_idx(), y;
    aimc_err err = {0};
    cr_assert_eq(aimc_idx_write(path, &x, gzip, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_idx_read(path, &y, &err), GSL_SUCCESS, "%s", err.msg);
    cr_expect_eq(y.ndim, 3);
    cr_expect_eq(y.dims[0], 3);
    cr_expect_eq(y.dims[1], 5);
    cr_expect_eq(y.dims[2], 4);
    cr_assert_eq(y.count, 60);
    cr_expect_arr_eq(y.data, x.data, 60);
    /* The gzip file really is compressed (magic 1f 8b), the plain one not. */
    FILE *f = fopen(path, "rb");
    unsigned char m[2];
    cr_assert_eq(fread(m, 1, 2, f), 2);
    fclose(f);
    cr_expect_eq(m[0] == 0x1f && m[1] == 0x8b, gzip);
    aimc_idx_free(&x);
    aimc_idx_free(&y);
    remove(path);
}

Test(data, idx_round_trip_plain) { round_trip(0); }
Test(data, idx_round_trip_gzip) { round_trip(1); }

/* Keep the first `keep` bytes of a file. */
static void truncate_file(const char *path, long keep)
{
    cr_assert_eq(truncate(path, keep), 0);
}

static void expect_read_fails(const char *path, const char *why)
{
    aimc_idx y;
    aimc_err err = {0};
    int st = aimc_idx_read(path, &y, &err);
    cr_expect_neq(st, GSL_SUCCESS, "%s: read should fail", why);
    cr_expect_null(y.data, "%s: nothing allocated on failure", why);
    cr_expect_gt(strlen(err.msg), 0, "%s: a message is given", why);
}

Test(data, truncated_or_corrupt_idx_fails_cleanly)
{
    char path[512];
    aimc_idx x = pattern_idx();
    for (int gzip = 0; gzip <= 1; ++gzip) {
        scratch(path, sizeof path, gzip ? "tr.idx.gz" : "tr.idx");
        cr_assert_eq(aimc_idx_write(path, &x, gzip, NULL), GSL_SUCCESS);
        FILE *f = fopen(path, "rb");
        fseek(f, 0, SEEK_END);
        const long size = ftell(f);
        fclose(f);
        truncate_file(path, size - 7);
        expect_read_fails(path, gzip ? "truncated gzip" : "truncated plain");
        truncate_file(path, 6);
        expect_read_fails(path, "truncated header");
        remove(path);
    }
    /* A flipped byte inside the deflate stream breaks the CRC or the stream. */
    scratch(path, sizeof path, "crc.idx.gz");
    cr_assert_eq(aimc_idx_write(path, &x, 1, NULL), GSL_SUCCESS);
    FILE *f = fopen(path, "r+b");
    fseek(f, 14, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 14, SEEK_SET);
    fputc(c ^ 0x5a, f);
    fclose(f);
    expect_read_fails(path, "corrupt gzip");
    /* Not IDX at all, and a missing file. */
    f = fopen(path, "wb");
    fputs("hello, world", f);
    fclose(f);
    expect_read_fails(path, "bad magic");
    remove(path);
    expect_read_fails(path, "missing file");
    aimc_idx_free(&x);
}

Test(data, dataset_idx_round_trip_keeps_bytes_and_labels)
{
    aimc_dataset *d = aimc_dataset_alloc(4, 1, 2, 3, 10, NULL);
    for (size_t k = 0; k < 24; ++k)
        d->x[k] = (double)((k * 53) % 256) / 255.0;
    for (size_t i = 0; i < 4; ++i)
        d->y[i] = (unsigned char)(3 * i % 10);
    char im[512], lb[512];
    scratch(im, sizeof im, "ds-images.gz");
    scratch(lb, sizeof lb, "ds-labels.gz");
    cr_assert_eq(aimc_dataset_write_idx(d, im, lb, 1, NULL), GSL_SUCCESS);
    aimc_err err = {0};
    aimc_dataset *e = aimc_dataset_read_idx(im, lb, 10, &err);
    cr_assert_not_null(e, "%s", err.msg);
    cr_expect_eq(e->n, 4);
    cr_expect_eq(e->height, 2);
    cr_expect_eq(e->width, 3);
    cr_expect_arr_eq(e->y, d->y, 4);
    for (size_t k = 0; k < 24; ++k)
        cr_expect_eq(e->x[k], d->x[k], "pixel %zu", k); /* k/255 survives exactly */
    /* A label outside the class count is refused. */
    aimc_dataset_free(e);
    cr_expect_null(aimc_dataset_read_idx(im, lb, 5, NULL));
    remove(im);
    remove(lb);
    aimc_dataset_free(d);
}

Test(data, mnist_json_values_become_bytes_and_labels)
{
    char path[512];
    scratch(path, sizeof path, "3.json");
    FILE *f = fopen(path, "w");
    fputs("{ \"data\": [", f);
    for (int k = 0; k < 2 * 784; ++k) /* byte b written to three decimals */
        fprintf(f, "%s%.3f", k ? "," : "", (k % 256) / 255.0);
    fputs("]}", f);
    fclose(f);
    size_t n = 0, used = 1;
    cr_assert_eq(aimc_mnist_json_count(path, &n, NULL), GSL_SUCCESS);
    cr_assert_eq(n, 2);
    aimc_dataset *d = aimc_dataset_alloc(3, 1, 28, 28, 10, NULL);
    aimc_err err = {0};
    cr_assert_eq(aimc_dataset_append_mnist_json(d, &used, path, 3, &err), GSL_SUCCESS, "%s",
                 err.msg);
    cr_expect_eq(used, 3);
    cr_expect_eq(d->y[1], 3);
    cr_expect_eq(d->y[2], 3);
    for (int k = 0; k < 2 * 784; ++k)
        cr_expect_eq(d->x[784 + k], (k % 256) / 255.0, "value %d", k);
    /* No room left: a further append is refused. */
    cr_expect_neq(aimc_dataset_append_mnist_json(d, &used, path, 3, NULL), GSL_SUCCESS);
    /* A malformed array (unterminated) fails. */
    f = fopen(path, "w");
    fputs("{ \"data\": [0.1, 0.2", f);
    fclose(f);
    cr_expect_neq(aimc_mnist_json_count(path, &n, NULL), GSL_SUCCESS);
    remove(path);
    aimc_dataset_free(d);
}

/* Labels with unequal class sizes: class c has 40 + 7c samples, interleaved. */
static size_t make_labels(unsigned char *y)
{
    size_t n = 0;
    for (size_t round = 0; round < 103; ++round)
        for (unsigned c = 0; c < 10; ++c)
            if (round < 40 + 7 * c)
                y[n++] = (unsigned char)c;
    return n;
}

Test(data, stratified_split_has_exact_sizes_and_class_shares)
{
    unsigned char y[1100];
    const size_t n = make_labels(y), n_test = 173;
    size_t *tr = malloc(n * sizeof *tr), *te = malloc(n_test * sizeof *te);
    cr_assert_eq(aimc_data_split_stratified(y, n, 10, n_test, 5, tr, te, NULL), GSL_SUCCESS);
    /* Every sample exactly once: the two sorted lists partition 0..n−1. */
    unsigned char *seen = calloc(n, 1);
    for (size_t k = 0; k < n - n_test; ++k)
        seen[tr[k]]++;
    for (size_t k = 0; k < n_test; ++k)
        seen[te[k]]++;
    for (size_t i = 0; i < n; ++i)
        cr_expect_eq(seen[i], 1, "sample %zu", i);
    for (size_t k = 1; k < n_test; ++k)
        cr_expect_lt(te[k - 1], te[k]);
    /* Each class's test count is its quota n_c·n_test/n rounded down or up. */
    for (unsigned c = 0; c < 10; ++c) {
        size_t nc = 0, tc = 0;
        for (size_t i = 0; i < n; ++i)
            nc += y[i] == c;
        for (size_t k = 0; k < n_test; ++k)
            tc += y[te[k]] == c;
        const double share = (double)nc * n_test / n;
        cr_expect(tc == (size_t)share || tc == (size_t)share + 1,
                  "class %u: %zu test samples, share %.2f", c, tc, share);
    }
    free(seen);
    free(tr);
    free(te);
}

Test(data, same_seed_same_split_other_seed_other_split)
{
    unsigned char y[1100];
    const size_t n = make_labels(y), n_test = 200;
    size_t *a = malloc(n_test * sizeof *a), *b = malloc(n_test * sizeof *b),
           *c = malloc(n_test * sizeof *c), *tr = malloc(n * sizeof *tr);
    aimc_data_split_stratified(y, n, 10, n_test, 42, tr, a, NULL);
    aimc_data_split_stratified(y, n, 10, n_test, 42, tr, b, NULL);
    aimc_data_split_stratified(y, n, 10, n_test, 43, tr, c, NULL);
    cr_expect_arr_eq(a, b, n_test * sizeof *a);
    cr_expect(memcmp(a, c, n_test * sizeof *a) != 0, "seed 43 should give another split");
    /* Permutations: a permutation, reproducible, seed-dependent. */
    size_t p[500], q[500], r[500];
    aimc_data_permutation(p, 500, 9, 1, 0);
    aimc_data_permutation(q, 500, 9, 1, 0);
    aimc_data_permutation(r, 500, 9, 1, 1);
    cr_expect_arr_eq(p, q, sizeof p);
    cr_expect(memcmp(p, r, sizeof p) != 0);
    unsigned char hit[500] = {0};
    for (int k = 0; k < 500; ++k)
        hit[p[k]]++;
    for (int k = 0; k < 500; ++k)
        cr_expect_eq(hit[k], 1);
    free(a);
    free(b);
    free(c);
    free(tr);
}

/* The real files, when datasets/fetch.sh has run: the class counts of
 * scikit-learn's digits (its documentation) and of the 8 000 / 2 000 MNIST
 * split (2 000·n_c/10 000 up to one). */
Test(data, real_digits_csv_has_sklearn_class_counts)
{
    const char *path = AIMC_SOURCE_ROOT "/datasets/cache/digits.csv.gz";
    if (access(path, R_OK) != 0)
        cr_skip_test("%s missing: run datasets/fetch.sh digits", path);
    aimc_err err = {0};
    aimc_dataset *d = aimc_dataset_read_digits_csv(path, &err);
    cr_assert_not_null(d, "%s", err.msg);
    size_t counts[10];
    const size_t want[10] = {178, 182, 177, 183, 181, 182, 181, 179, 174, 180};
    aimc_dataset_class_counts(d, counts);
    cr_expect_arr_eq(counts, want, sizeof want);
    cr_expect_eq(d->dim, 64);
    aimc_dataset_free(d);
}

Test(data, real_mnist_split_is_stratified)
{
    const char *im = AIMC_SOURCE_ROOT "/datasets/cache/mnist-test-images-idx3-ubyte";
    const char *lb = AIMC_SOURCE_ROOT "/datasets/cache/mnist-test-labels-idx1-ubyte";
    if (access(im, R_OK) != 0)
        cr_skip_test("%s missing: run datasets/fetch.sh mnist", im);
    aimc_err err = {0};
    aimc_dataset *d = aimc_dataset_read_idx(im, lb, 10, &err);
    cr_assert_not_null(d, "%s", err.msg);
    cr_expect_eq(d->n, 2000);
    size_t counts[10], total = 0;
    aimc_dataset_class_counts(d, counts);
    for (int c = 0; c < 10; ++c) {
        cr_expect(counts[c] >= 170 && counts[c] <= 230, "class %d: %zu", c, counts[c]);
        total += counts[c];
    }
    cr_expect_eq(total, 2000);
    aimc_dataset_free(d);
}
