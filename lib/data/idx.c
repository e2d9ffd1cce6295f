/* idx.c — IDX files (the MNIST format), plain or gzip, through zlib, and
 * data sets built from them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "aimc/data.h"

void aimc_idx_free(aimc_idx *idx)
{
    if (idx == NULL)
        return;
    free(idx->data);
    idx->data = NULL;
    idx->count = 0;
}

/* Read exactly n bytes or fail; gzread reads plain files transparently. */
static int read_exact(gzFile f, void *buf, size_t n, const char *path, const char *what,
                      aimc_err *err)
{
    unsigned char *p = buf;
    while (n > 0) {
        const unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        const int got = gzread(f, p, chunk);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(f, &zerr);
            return AIMC_FAIL(err, GSL_EFAILED, "data: %s: corrupt %s (%s)", path, what, msg);
        }
        if (got == 0)
            return AIMC_FAIL(err, GSL_EFAILED, "data: %s: truncated %s", path, what);
        p += got;
        n -= (size_t)got;
    }
    return GSL_SUCCESS;
}

/* Header: 0 0 type ndim, then ndim big-endian uint32 dimensions. */
static int read_header(gzFile f, const char *path, aimc_idx *out, aimc_err *err)
{
    unsigned char magic[4], d[4];
    int st = read_exact(f, magic, 4, path, "header", err);
    if (st)
        return st;
    if (magic[0] != 0 || magic[1] != 0)
        return AIMC_FAIL(err, GSL_EFAILED, "data: %s is not an IDX file (bad magic)", path);
    if (magic[2] != AIMC_IDX_UBYTE)
        return AIMC_FAIL(err, GSL_EFAILED,
                         "data: %s: IDX type 0x%02x is not supported (only unsigned bytes, 0x08)",
                         path, magic[2]);
    if (magic[3] < 1 || magic[3] > AIMC_IDX_MAX_DIMS)
        return AIMC_FAIL(err, GSL_EFAILED, "data: %s: %u dimensions, should be 1..%d", path,
                         magic[3], AIMC_IDX_MAX_DIMS);
    out->ndim = magic[3];
    out->count = 1;
    for (unsigned k = 0; k < out->ndim; ++k) {
        if ((st = read_exact(f, d, 4, path, "header", err)))
            return st;
        out->dims[k] = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
        if (out->dims[k] == 0 || out->count > SIZE_MAX / out->dims[k] ||
            out->count * out->dims[k] > ((size_t)1 << 34))
            return AIMC_FAIL(err, GSL_EFAILED, "data: %s: implausible dimension %u", path,
                             out->dims[k]);
        out->count *= out->dims[k];
    }
    return GSL_SUCCESS;
}

/* The payload, into a buffer that grows (doubling from 1 MiB) as bytes
 * arrive: the header is only a promise, and a short or hostile file must not
 * make us reserve the gigabytes it claims before we have seen them. */
static int read_payload(gzFile f, const char *path, aimc_idx *h, aimc_err *err)
{
    size_t have = 0, cap = 0;
    while (have < h->count) {
        if (have == cap) {
            size_t next = cap ? 2 * cap : (size_t)1 << 20;
            if (next > h->count)
                next = h->count;
            unsigned char *grown = realloc(h->data, next);
            if (grown == NULL)
                return AIMC_FAIL(err, GSL_ENOMEM, "data: %s: out of memory for %zu bytes", path,
                                 next);
            h->data = grown;
            cap = next;
        }
        const int st = read_exact(f, h->data + have, cap - have, path, "data", err);
        if (st)
            return st;
        have = cap;
    }
    return GSL_SUCCESS;
}

int aimc_idx_read(const char *path, aimc_idx *out, aimc_err *err)
{
    memset(out, 0, sizeof *out);
    gzFile f = gzopen(path, "rb");
    if (f == NULL)
        return AIMC_FAIL(err, GSL_EFAILED, "data: cannot open %s (%s)", path,
                         errno ? strerror(errno) : "out of memory");
    aimc_idx h = {0};
    int st = read_header(f, path, &h, err);
    if (!st)
        st = read_payload(f, path, &h, err);
    if (!st) {
        /* Trailing bytes mean the header lies about the shape. */
        unsigned char extra;
        const int got = gzread(f, &extra, 1);
        int zerr = Z_OK;
        gzerror(f, &zerr); /* a cut gzip trailer shows only here (Z_BUF_ERROR) */
        if (got != 0 || zerr != Z_OK)
            st = AIMC_FAIL(err, GSL_EFAILED, "data: %s: %s after the %zu data bytes", path,
                           got > 0 ? "extra bytes" : "truncated or corrupt stream", h.count);
    }
    gzclose(f);
    if (st) {
        free(h.data);
        return st;
    }
    *out = h;
    return GSL_SUCCESS;
}

static int write_all(FILE *pf, gzFile gf, const void *buf, size_t n)
{
    if (gf != NULL) {
        const unsigned char *p = buf;
        while (n > 0) {
            const unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
            if (gzwrite(gf, p, chunk) != (int)chunk)
                return -1;
            p += chunk;
            n -= chunk;
        }
        return 0;
    }
    return fwrite(buf, 1, n, pf) == n ? 0 : -1;
}

int aimc_idx_write(const char *path, const aimc_idx *idx, int gzip, aimc_err *err)
{
    if (idx->ndim < 1 || idx->ndim > AIMC_IDX_MAX_DIMS)
        return AIMC_FAIL(err, GSL_EINVAL, "data: IDX with %u dimensions", idx->ndim);
    size_t count = 1;
    for (unsigned k = 0; k < idx->ndim; ++k)
        count *= idx->dims[k];
    if (count != idx->count)
        return AIMC_FAIL(err, GSL_EINVAL, "data: IDX count %zu does not match its dimensions",
                         idx->count);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.partial", path) >= (int)sizeof tmp)
        return AIMC_FAIL(err, GSL_EINVAL, "data: path too long: %s", path);
    FILE *pf = NULL;
    gzFile gf = NULL;
    if (gzip)
        gf = gzopen(tmp, "wb6");
    else
        pf = fopen(tmp, "wb");
    if (gf == NULL && pf == NULL)
        return AIMC_FAIL(err, GSL_EFAILED, "data: cannot create %s (%s)", tmp, strerror(errno));
    unsigned char head[4 + 4 * AIMC_IDX_MAX_DIMS] = {0, 0, AIMC_IDX_UBYTE, (unsigned char)idx->ndim};
    for (unsigned k = 0; k < idx->ndim; ++k)
        for (int b = 0; b < 4; ++b)
            head[4 + 4 * k + b] = (unsigned char)(idx->dims[k] >> (24 - 8 * b));
    int bad = write_all(pf, gf, head, 4 + 4 * idx->ndim) || write_all(pf, gf, idx->data, count);
    bad |= gf ? gzclose(gf) != Z_OK : fclose(pf) != 0;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return AIMC_FAIL(err, GSL_EFAILED, "data: cannot write %s", path);
    }
    return GSL_SUCCESS;
}

aimc_dataset *aimc_dataset_alloc(size_t n, size_t channels, size_t height, size_t width,
                                 size_t classes, aimc_err *err)
{
    const size_t dim = channels * height * width;
    if (n == 0 || dim == 0 || classes == 0 || classes > 256) {
        AIMC_FAIL(err, GSL_EINVAL,
                  "data: data set of %zu samples, shape %zu x %zu x %zu, %zu classes is invalid",
                  n, channels, height, width, classes);
        return NULL;
    }
    aimc_dataset *d = calloc(1, sizeof *d);
    if (d != NULL) {
        d->x = calloc(n * dim, sizeof *d->x);
        d->y = calloc(n, 1);
    }
    if (d == NULL || d->x == NULL || d->y == NULL) {
        aimc_dataset_free(d);
        AIMC_FAIL(err, GSL_ENOMEM, "data: out of memory for %zu samples", n);
        return NULL;
    }
    d->n = n;
    d->channels = channels;
    d->height = height;
    d->width = width;
    d->dim = dim;
    d->classes = classes;
    return d;
}

void aimc_dataset_free(aimc_dataset *d)
{
    if (d == NULL)
        return;
    free(d->x);
    free(d->y);
    free(d);
}

aimc_dataset *aimc_dataset_read_idx(const char *images, const char *labels, size_t classes,
                                    aimc_err *err)
{
    aimc_idx im, lb;
    if (aimc_idx_read(images, &im, err))
        return NULL;
    if (aimc_idx_read(labels, &lb, err)) {
        aimc_idx_free(&im);
        return NULL;
    }
    aimc_dataset *d = NULL;
    if (im.ndim != 3 || lb.ndim != 1 || im.dims[0] != lb.dims[0]) {
        AIMC_FAIL(err, GSL_EBADLEN,
                  "data: %s (%u dims, %u items) and %s (%u dims, %u items) do not match", images,
                  im.ndim, im.dims[0], labels, lb.ndim, lb.dims[0]);
        goto done;
    }
    for (size_t i = 0; i < lb.count; ++i)
        if (lb.data[i] >= classes) {
            AIMC_FAIL(err, GSL_EDOM, "data: %s: label %u of item %zu is not below %zu", labels,
                      lb.data[i], i, classes);
            goto done;
        }
    d = aimc_dataset_alloc(im.dims[0], 1, im.dims[1], im.dims[2], classes, err);
    if (d == NULL)
        goto done;
    for (size_t k = 0; k < im.count; ++k)
        d->x[k] = im.data[k] / 255.0;
    memcpy(d->y, lb.data, lb.count);
done:
    aimc_idx_free(&im);
    aimc_idx_free(&lb);
    return d;
}

int aimc_dataset_write_idx(const aimc_dataset *d, const char *images, const char *labels,
                           int gzip, aimc_err *err)
{
    if (d->channels != 1)
        return AIMC_FAIL(err, GSL_EINVAL, "data: IDX images need one channel, not %zu",
                         d->channels);
    aimc_idx im = {3, {(uint32_t)d->n, (uint32_t)d->height, (uint32_t)d->width, 0},
                   d->n * d->dim, malloc(d->n * d->dim)};
    aimc_idx lb = {1, {(uint32_t)d->n, 0, 0, 0}, d->n, d->y};
    if (im.data == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "data: out of memory");
    for (size_t k = 0; k < im.count; ++k) {
        const double v = d->x[k] < 0 ? 0 : d->x[k] > 1 ? 1 : d->x[k];
        im.data[k] = (unsigned char)(v * 255.0 + 0.5);
    }
    int st = aimc_idx_write(images, &im, gzip, err);
    if (!st)
        st = aimc_idx_write(labels, &lb, gzip, err);
    free(im.data);
    return st;
}

void aimc_dataset_class_counts(const aimc_dataset *d, size_t *counts)
{
    memset(counts, 0, d->classes * sizeof *counts);
    for (size_t i = 0; i < d->n; ++i)
        counts[d->y[i]]++;
}

aimc_dataset *aimc_dataset_subset(const aimc_dataset *d, const size_t *idx, size_t m,
                                  aimc_err *err)
{
    for (size_t k = 0; k < m; ++k)
        if (idx[k] >= d->n) {
            AIMC_FAIL(err, GSL_EINVAL, "data: subset index %zu is out of range (%zu samples)",
                      idx[k], d->n);
            return NULL;
        }
    aimc_dataset *s = aimc_dataset_alloc(m, d->channels, d->height, d->width, d->classes, err);
    if (s == NULL)
        return NULL;
    for (size_t k = 0; k < m; ++k) {
        memcpy(s->x + k * d->dim, d->x + idx[k] * d->dim, d->dim * sizeof *d->x);
        s->y[k] = d->y[idx[k]];
    }
    return s;
}
