/* split.c — seeded shuffles and stratified train/test splits. */
#include <stdlib.h>
#include <string.h>

#include "aimc/data.h"
#include "aimc/rng.h"

/* Uniform integer in [0, m) without modulo bias (rejection of the top
 * partial block of 64-bit draws). */
static size_t uniform_below(aimc_stream *s, size_t m)
{
    const uint64_t lim = UINT64_MAX - UINT64_MAX % m;
    uint64_t u;
    do
        u = aimc_stream_u64(s);
    while (u >= lim);
    return (size_t)(u % m);
}

static void shuffle(size_t *a, size_t n, aimc_stream *s)
{
    for (size_t i = n; i > 1; --i) {
        const size_t j = uniform_below(s, i);
        const size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

void aimc_data_permutation(size_t *perm, size_t n, uint64_t seed, uint32_t object, uint32_t step)
{
    aimc_stream s;
    aimc_stream_init(&s, seed, AIMC_PURPOSE(object, AIMC_ROLE_SAMPLE), step, 0);
    for (size_t i = 0; i < n; ++i)
        perm[i] = i;
    shuffle(perm, n, &s);
}

static int cmp_size(const void *a, const void *b)
{
    const size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Test quota per class: floor of the share n_c·n_test/n, then one more for
 * the classes with the largest remainders (ties: smaller class first) until
 * the total is n_test (largest-remainder apportionment; at most one extra
 * per class, since the remainders sum to less than `classes` shares). */
static void class_quotas(const size_t *count, size_t classes, size_t n, size_t n_test,
                         size_t *quota)
{
    size_t given = 0;
    unsigned char bumped[256] = {0};
    for (size_t c = 0; c < classes; ++c) {
        quota[c] = count[c] * n_test / n;
        given += quota[c];
    }
    while (given < n_test) {
        size_t best = classes;
        size_t best_rem = 0;
        for (size_t c = 0; c < classes; ++c) {
            const size_t rem = count[c] * n_test % n;
            if (!bumped[c] && quota[c] < count[c] && (best == classes || rem > best_rem)) {
                best = c;
                best_rem = rem;
            }
        }
        bumped[best] = 1;
        quota[best]++;
        given++;
    }
}

int aimc_data_split_stratified(const unsigned char *labels, size_t n, size_t classes,
                               size_t n_test, uint64_t seed, size_t *train, size_t *test,
                               aimc_err *err)
{
    if (n == 0 || n_test > n || classes == 0 || classes > 256)
        return AIMC_FAIL(err, GSL_EINVAL, "data: cannot split %zu samples into %zu test samples",
                         n, n_test);
    size_t count[256] = {0}, quota[256];
    for (size_t i = 0; i < n; ++i) {
        if (labels[i] >= classes)
            return AIMC_FAIL(err, GSL_EDOM, "data: label %u of sample %zu is not below %zu",
                             labels[i], i, classes);
        count[labels[i]]++;
    }
    class_quotas(count, classes, n, n_test, quota);
    size_t *members = malloc(n * sizeof *members);
    if (members == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "data: out of memory");
    size_t ntr = 0, nte = 0;
    for (size_t c = 0; c < classes; ++c) {
        size_t m = 0;
        for (size_t i = 0; i < n; ++i)
            if (labels[i] == c)
                members[m++] = i;
        /* Each class shuffles from its own stream: adding a class does not
         * change the others' draws. */
        aimc_stream s;
        aimc_stream_init(&s, seed, AIMC_PURPOSE(0, AIMC_ROLE_SAMPLE), 0, (uint32_t)c);
        shuffle(members, m, &s);
        for (size_t k = 0; k < m; ++k) {
            if (k < quota[c])
                test[nte++] = members[k];
            else
                train[ntr++] = members[k];
        }
    }
    free(members);
    qsort(train, ntr, sizeof *train, cmp_size);
    qsort(test, nte, sizeof *test, cmp_size);
    return GSL_SUCCESS;
}
