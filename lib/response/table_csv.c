/* table_csv.c — a measured response, read from samples (w, Δw⁺, Δw⁻), as a
 * node table of the piecewise family (include/aimc/response.h explains the
 * normalisation q± = Δw±/Δw_mid and the thinning of long tables).
 *
 * The checks a table needs (enough rows, w strictly increasing, steps
 * finite and > 0) are made once, in aimc_response_table_from_samples, with
 * messages that point at the offending line of the file when there is one;
 * the CSV reader only turns text into numbers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc/response.h"

/* A file longer than this is more likely a mistake than a device. */
#define TABLE_MAX_ROWS 1000000

static const char *const table_cell_names[3] = {"w", "dw_plus", "dw_minus"};

/* "FILE:LINE" when the sample came from a file, else "SOURCE row K". */
static void table_where(char *buf, size_t len, const char *source, const size_t *lines,
                        size_t k)
{
    if (lines != NULL)
        snprintf(buf, len, "%s:%zu", source, lines[k]);
    else
        snprintf(buf, len, "%s row %zu", source, k + 1);
}

static int table_check_samples(size_t n, const double *w, const double *up, const double *down,
                               const char *src, const size_t *lines, aimc_err *err)
{
    char at[256], prev[256];
    if (n < 2)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "response table %s: %zu data row%s; at least 2 are needed", src, n,
                         n == 1 ? "" : "s");
    for (size_t k = 0; k < n; k++) {
        table_where(at, sizeof at, src, lines, k);
        if (!isfinite(w[k]))
            return AIMC_FAIL(err, GSL_EINVAL, "response table %s: w = %g should be finite", at,
                             w[k]);
        /* Strictly increasing nodes keep every interpolation interval non-empty. */
        if (k > 0 && !(w[k] > w[k - 1])) {
            table_where(prev, sizeof prev, src, lines, k - 1);
            return AIMC_FAIL(err, GSL_EINVAL,
                             "response table %s: w = %g should be > %g (the w at %s): rows "
                             "must be sorted by strictly increasing w",
                             at, w[k], w[k - 1], prev);
        }
        if (!(isfinite(up[k]) && up[k] > 0.0))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "response table %s: dw_plus = %g should be finite and > 0 (the "
                             "size of one up step)",
                             at, up[k]);
        if (!(isfinite(down[k]) && down[k] > 0.0))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "response table %s: dw_minus = %g should be finite and > 0 (the "
                             "size of one down step, as a magnitude)",
                             at, down[k]);
    }
    return GSL_SUCCESS;
}

/* y at t by linear interpolation of (x[k], y[k]), x strictly increasing,
 * t within [x[0], x[n−1]]. */
static double table_interp(size_t n, const double *x, const double *y, double t)
{
    size_t j = 0, hi = n - 1;
    while (hi - j > 1) {
        const size_t mid = j + (hi - j) / 2;
        if (t < x[mid])
            hi = mid;
        else
            j = mid;
    }
    const double s = (t - x[j]) / (x[j + 1] - x[j]);
    return y[j] + s * (y[j + 1] - y[j]);
}

/* Thin n > m samples to m evenly spaced nodes over the same range [x₀, x_last]:
 * each sample goes to its nearest node, and a node's steps are the mean of
 * its samples (the end nodes gather from half a spacing only, so there the
 * mean sits up to a quarter spacing inside the range).  A node with no
 * sample takes the value interpolated from the samples. */
static void table_thin(size_t n, const double *w, const double *up, const double *down, size_t m,
                       double *nw, double *nup, double *ndown)
{
    double su[AIMC_RESPONSE_MAX_NODES] = {0}, sd[AIMC_RESPONSE_MAX_NODES] = {0};
    size_t cnt[AIMC_RESPONSE_MAX_NODES] = {0};
    const double w0 = w[0], span = w[n - 1] - w[0], h = span / (double)(m - 1);
    for (size_t k = 0; k < n; k++) {
        double pos = floor((w[k] - w0) / h + 0.5);
        const size_t j = pos <= 0.0 ? 0 : (pos >= (double)(m - 1) ? m - 1 : (size_t)pos);
        su[j] += up[k];
        sd[j] += down[k];
        cnt[j]++;
    }
    for (size_t j = 0; j < m; j++) {
        nw[j] = j + 1 < m ? w0 + span * ((double)j / (double)(m - 1)) : w[n - 1];
        nup[j] = cnt[j] > 0 ? su[j] / (double)cnt[j] : table_interp(n, w, up, nw[j]);
        ndown[j] = cnt[j] > 0 ? sd[j] / (double)cnt[j] : table_interp(n, w, down, nw[j]);
    }
}

int aimc_response_table_from_samples(size_t n, const double *w, const double *dw_up,
                                     const double *dw_down, const char *source,
                                     const size_t *lines, aimc_response_params *p,
                                     double *dw_mid, aimc_err *err)
{
    const char *src = source != NULL ? source : "(samples)";
    if (p == NULL || (n > 0 && (w == NULL || dw_up == NULL || dw_down == NULL)))
        return AIMC_FAIL(err, GSL_EFAULT, "response table %s: NULL sample or parameter array",
                         src);
    int st = table_check_samples(n, w, dw_up, dw_down, src, lines, err);
    if (st != GSL_SUCCESS)
        return st;

    aimc_response_params t = *p;
    double up[AIMC_RESPONSE_MAX_NODES], down[AIMC_RESPONSE_MAX_NODES];
    const size_t m = n <= AIMC_RESPONSE_MAX_NODES ? n : AIMC_RESPONSE_MAX_NODES;
    if (n <= AIMC_RESPONSE_MAX_NODES) {
        memcpy(t.node_w, w, n * sizeof *w);
        memcpy(up, dw_up, n * sizeof *up);
        memcpy(down, dw_down, n * sizeof *down);
    } else {
        table_thin(n, w, dw_up, dw_down, m, t.node_w, up, down);
    }
    /* The granularity: the mean step at mid-range, so that F(w_mid) = 1. */
    const double w_mid = 0.5 * (t.node_w[0] + t.node_w[m - 1]);
    const double g = 0.5 * (table_interp(m, t.node_w, up, w_mid) +
                            table_interp(m, t.node_w, down, w_mid));
    t.n_nodes = m;
    for (size_t k = 0; k < m; k++) {
        t.node_qp[k] = up[k] / g;
        t.node_qm[k] = down[k] / g;
    }
    /* Catches what thinning alone could break (nodes closer than an ulp). */
    st = aimc_response_piecewise.validate(&t, err);
    if (st != GSL_SUCCESS)
        return st;
    *p = t;
    if (dw_mid != NULL)
        *dw_mid = g;
    return GSL_SUCCESS;
}

/* ---- the CSV reader ------------------------------------------------------ */

typedef struct {
    size_t n, cap;
    double *w, *up, *down;
    size_t *line;
} table_rows;

static void table_rows_free(table_rows *r)
{
    free(r->w);
    free(r->up);
    free(r->down);
    free(r->line);
}

static int table_rows_push(table_rows *r, const double v[3], size_t line)
{
    if (r->n == r->cap) {
        const size_t cap = r->cap ? 2 * r->cap : 256;
        double *w = realloc(r->w, cap * sizeof *w);
        if (w != NULL)
            r->w = w;
        double *up = realloc(r->up, cap * sizeof *up);
        if (up != NULL)
            r->up = up;
        double *down = realloc(r->down, cap * sizeof *down);
        if (down != NULL)
            r->down = down;
        size_t *ln = realloc(r->line, cap * sizeof *ln);
        if (ln != NULL)
            r->line = ln;
        if (w == NULL || up == NULL || down == NULL || ln == NULL)
            return GSL_ENOMEM;
        r->cap = cap;
    }
    r->w[r->n] = v[0];
    r->up[r->n] = v[1];
    r->down[r->n] = v[2];
    r->line[r->n] = line;
    r->n++;
    return GSL_SUCCESS;
}

/* Trim the blanks around s in place. */
static char *table_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
        s[--len] = '\0';
    return s;
}

/* Split a line (comment already cut) into at most 3 cells; returns the
 * number of cells found (4 meaning "more than 3"). */
static int table_split(char *s, char *cell[3])
{
    int n = 0;
    for (char *c = s;; n++) {
        char *comma = strchr(c, ',');
        if (comma != NULL)
            *comma = '\0';
        if (n < 3)
            cell[n] = table_trim(c);
        if (comma == NULL)
            return n + 1 > 3 ? 4 : n + 1;
        c = comma + 1;
    }
}

/* The number in a whole cell, or 0 if the cell is not one number. */
static int table_number(const char *cell, double *x)
{
    char *end;
    if (*cell == '\0')
        return 0;
    *x = strtod(cell, &end);
    return *end == '\0';
}

/* Parse one content line into v[3]; *is_data = 0 for a header (allowed as
 * the first content line only).  Returns a GSL status. */
static int table_parse_line(char *s, const char *path, size_t line, int first, double v[3],
                            int *is_data, aimc_err *err)
{
    char *cell[3];
    const int nc = table_split(s, cell);
    if (nc != 3)
        return AIMC_FAIL(err, GSL_EINVAL,
                         "response table %s:%zu: expected 3 comma-separated cells (w, dw_plus, "
                         "dw_minus), found %s",
                         path, line, nc > 3 ? "more" : nc == 2 ? "2" : "1");
    int numeric[3], n_numeric = 0;
    for (int i = 0; i < 3; i++)
        n_numeric += numeric[i] = table_number(cell[i], &v[i]);
    *is_data = !(first && n_numeric == 0); /* a header: "w, dw_plus, dw_minus" */
    if (!*is_data)
        return GSL_SUCCESS;
    for (int i = 0; i < 3; i++) {
        if (!numeric[i])
            return AIMC_FAIL(err, GSL_EINVAL,
                             "response table %s:%zu: cell %d (%s) \"%s\" is not a number", path,
                             line, i + 1, table_cell_names[i], cell[i]);
        if (!isfinite(v[i]))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "response table %s:%zu: cell %d (%s) \"%s\" is not finite", path,
                             line, i + 1, table_cell_names[i], cell[i]);
    }
    return GSL_SUCCESS;
}

/* Read every data row of an open file into r. */
static int table_read(FILE *f, const char *path, table_rows *r, aimc_err *err)
{
    char *buf = NULL;
    size_t cap = 0, line = 0;
    int st = GSL_SUCCESS, seen_content = 0;
    while (st == GSL_SUCCESS && getline(&buf, &cap, f) != -1) {
        line++;
        char *hash = strchr(buf, '#');
        if (hash != NULL)
            *hash = '\0';
        char *s = table_trim(buf);
        if (*s == '\0')
            continue;
        double v[3] = {0.0, 0.0, 0.0};
        int is_data = 0;
        st = table_parse_line(s, path, line, !seen_content, v, &is_data, err);
        seen_content = 1;
        if (st != GSL_SUCCESS || !is_data)
            continue;
        if (r->n >= TABLE_MAX_ROWS) {
            st = AIMC_FAIL(err, GSL_EINVAL,
                           "response table %s: more than %d data rows; thin the data first",
                           path, TABLE_MAX_ROWS);
        } else if (table_rows_push(r, v, line) != GSL_SUCCESS) {
            st = AIMC_FAIL(err, GSL_ENOMEM, "response table %s: out of memory at line %zu",
                           path, line);
        }
    }
    if (st == GSL_SUCCESS && ferror(f))
        st = AIMC_FAIL(err, GSL_EFAILED, "response table %s: read error after line %zu: %s",
                       path, line, strerror(errno));
    free(buf);
    return st;
}

int aimc_response_table_load(const char *path, aimc_response_params *p, double *dw_mid,
                             aimc_err *err)
{
    if (path == NULL || p == NULL)
        return AIMC_FAIL(err, GSL_EFAULT, "response table: NULL path or parameters");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return AIMC_FAIL(err, GSL_EFAILED, "response table %s: cannot open: %s", path,
                         strerror(errno));
    table_rows r = {0};
    int st = table_read(f, path, &r, err);
    fclose(f);
    if (st == GSL_SUCCESS)
        st = aimc_response_table_from_samples(r.n, r.w, r.up, r.down, path, r.line, p, dw_mid,
                                              err);
    table_rows_free(&r);
    return st;
}
