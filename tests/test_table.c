/* test_table.c — measured responses from CSV files (lib/response/table_csv.c)
 * and the --response-table option of every program (lib/prog/device_cli.c).
 *
 * What a table must become (include/aimc/response.h): nodes at the samples'
 * w, q± = Δw±/Δw_mid with Δw_mid the mean step at mid-range; more than
 * AIMC_RESPONSE_MAX_NODES rows thinned over the same range.  Every class of
 * bad file is rejected with a message naming the file (and the line, when
 * one line is to blame), and leaves the caller's parameters untouched; a
 * program given one exits 2 without creating its result file.
 *
 * Each test writes its files into its own temporary directory.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "aimc/prog.h"
#include "aimc/response.h"

#define EPS DBL_EPSILON
#define EXAMPLE_CSV AIMC_SOURCE_ROOT "/docs/measured-response-example.csv"
#define TEMPLATE_EXE AIMC_BUILD_ROOT "/experiments/TEMPLATE/experiment-template"

/* ---- temporary files -------------------------------------------------------- */

static char tmpdir[256];

static void table_setup(void)
{
    gsl_set_error_handler_off();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aimc-test-table-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static void table_teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

TestSuite(table, .init = table_setup, .fini = table_teardown);

/* Write `text` to tmpdir/name; returns the path (static buffer per slot). */
static const char *write_file(const char *name, const char *text)
{
    static char path[4][300];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s: %s", p, strerror(errno));
    fputs(text, f);
    fclose(f);
    return p;
}

/* Parameters filled with a recognisable pattern, to see that a failed load
 * leaves them alone. */
static aimc_response_params sentinel_params(void)
{
    aimc_response_params p = aimc_response_default_params();
    p.n_nodes = 3;
    for (size_t k = 0; k < 3; k++) {
        p.node_w[k] = (double)k;
        p.node_qp[k] = p.node_qm[k] = 7.0;
    }
    return p;
}

/* The file is rejected: status, a message naming the file and containing
 * each of the fragments, and nothing written. */
static void expect_bad_file(const char *path, int status, const char *frag1, const char *frag2)
{
    aimc_response_params p = sentinel_params();
    const aimc_response_params before = p;
    double g = 123.0;
    aimc_err err = {0};
    cr_expect_eq(aimc_response_table_load(path, &p, &g, &err), status, "%s: %s", path, err.msg);
    cr_expect_eq(err.status, status);
    cr_expect_not_null(strstr(err.msg, "response table "), "message \"%s\"", err.msg);
    cr_expect_not_null(strstr(err.msg, path), "message \"%s\" should name %s", err.msg, path);
    if (frag1 != NULL)
        cr_expect_not_null(strstr(err.msg, frag1), "message \"%s\" should contain \"%s\"",
                           err.msg, frag1);
    if (frag2 != NULL)
        cr_expect_not_null(strstr(err.msg, frag2), "message \"%s\" should contain \"%s\"",
                           err.msg, frag2);
    cr_expect_eq(memcmp(&p, &before, sizeof p), 0, "a failed load must not touch the parameters");
    cr_expect_eq(g, 123.0, "a failed load must not touch dw_mid");
}

/* "FILE:LINE:" for a message check. */
static const char *at_line(const char *path, int line)
{
    static char buf[2][320];
    static int slot;
    char *b = buf[slot++ % 2];
    snprintf(b, sizeof buf[0], "%s:%d:", path, line);
    return b;
}

/* ---- good tables ------------------------------------------------------------ */

Test(table, small_table_becomes_nodes_normalised_at_mid_range)
{
    /* w_mid = 1.5 lies a quarter of the way from w = 1 to w = 3, so
     * Δw⁺(1.5) = 2 − 0.25 = 1.75, Δw⁻(1.5) = 2 + 0.25·3 = 2.75 and
     * Δw_mid = 2.25 (all exact in binary). */
    const char *path = write_file("small.csv", "0, 4, 1\n1, 2, 2\n3, 1, 5\n");
    aimc_response_params p = aimc_response_default_params();
    double g = 0.0;
    aimc_err err = {0};
    cr_assert_eq(aimc_response_table_load(path, &p, &g, &err), GSL_SUCCESS, "%s", err.msg);
    cr_expect_eq(g, 2.25);
    const double w[3] = {0, 1, 3}, up[3] = {4, 2, 1}, down[3] = {1, 2, 5};
    cr_assert_eq(p.n_nodes, 3);
    for (size_t k = 0; k < 3; k++) {
        cr_expect_eq(p.node_w[k], w[k]);
        /* One rounded quotient each. */
        cr_expect_leq(fabs(p.node_qp[k] - up[k] / 2.25), EPS * up[k] / 2.25);
        cr_expect_leq(fabs(p.node_qm[k] - down[k] / 2.25), EPS * down[k] / 2.25);
    }
    /* The other parameters are left as they were. */
    cr_expect_eq(p.tau, 1.0);
    cr_expect_eq(p.gamma_res, 1.0);
    /* As a piecewise response: range = the table's, F(w_mid) = 1. */
    aimc_response r;
    cr_assert_eq(aimc_response_init(&r, &aimc_response_piecewise, &p, &err), GSL_SUCCESS, "%s",
                 err.msg);
    double lo, hi;
    aimc_response_bounds(&r, &lo, &hi);
    cr_expect(lo == 0.0 && hi == 3.0);
    cr_expect_leq(fabs(aimc_response_F(&r, 1.5) - 1.0), 4.0 * EPS);
    /* dw_mid may be NULL. */
    cr_expect_eq(aimc_response_table_load(path, &p, NULL, NULL), GSL_SUCCESS);
}

Test(table, the_example_csv_loads_and_has_a_symmetric_point)
{
    aimc_response_params p = aimc_response_default_params();
    double g = 0.0;
    aimc_err err = {0};
    cr_assert_eq(aimc_response_table_load(EXAMPLE_CSV, &p, &g, &err), GSL_SUCCESS, "%s",
                 err.msg);
    /* 38 rows from w = −0.85 to 1.0; first and last rows as in the file. */
    cr_assert_eq(p.n_nodes, 38);
    cr_expect_eq(p.node_w[0], -0.85);
    cr_expect_eq(p.node_w[37], 1.0);
    const double first[2] = {0.00243, 2.8e-05}, last[2] = {0.000129, 0.00206};
    /* q·Δw_mid gives the step back up to two roundings. */
    cr_expect_leq(fabs(p.node_qp[0] * g - first[0]), 2.0 * EPS * first[0]);
    cr_expect_leq(fabs(p.node_qm[0] * g - first[1]), 2.0 * EPS * first[1]);
    cr_expect_leq(fabs(p.node_qp[37] * g - last[0]), 2.0 * EPS * last[0]);
    cr_expect_leq(fabs(p.node_qm[37] * g - last[1]), 2.0 * EPS * last[1]);
    /* The granularity is a mid-range step of this device: ~1e-3. */
    cr_expect(g > 5e-4 && g < 2e-3, "dw_mid = %g", g);
    aimc_response r;
    cr_assert_eq(aimc_response_init(&r, &aimc_response_piecewise, &p, &err), GSL_SUCCESS, "%s",
                 err.msg);
    cr_expect_leq(fabs(aimc_response_F(&r, 0.5 * (-0.85 + 1.0)) - 1.0), 4.0 * EPS);
    /* The up step falls and the down step rises across the range, so G
     * changes sign once: a symmetric point inside. */
    double wsp;
    cr_assert_eq(aimc_response_symmetric_point(&r, &wsp, &err), GSL_SUCCESS, "%s", err.msg);
    cr_expect(wsp > -0.85 && wsp < 1.0, "w* = %g", wsp);
}

Test(table, comments_blank_lines_header_spaces_and_crlf_are_accepted)
{
    const char *plain = write_file("plain.csv", "-1,0.003,0.001\n0,0.002,0.002\n1,0.001,0.003\n");
    const char *dressed = write_file(
        "dressed.csv",
        "# a device\r\n"
        "\r\n"
        "  w ,\tdw_plus , dw_minus   # units: weight\r\n"
        "-1.0 , 3e-3, 0.001\r\n"
        "   # a note between rows\n"
        "\n"
        "0,\t2.0e-3 ,2E-3 # mid\r\n"
        "1.0,0.001,0.003");  /* no newline at the end */
    aimc_response_params a = aimc_response_default_params(), b = a;
    double ga, gb;
    aimc_err err = {0};
    cr_assert_eq(aimc_response_table_load(plain, &a, &ga, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(aimc_response_table_load(dressed, &b, &gb, &err), GSL_SUCCESS, "%s", err.msg);
    /* The same numbers, hence bitwise the same table. */
    cr_expect_eq(memcmp(&a, &b, sizeof a), 0);
    cr_expect_eq(ga, gb);
    cr_expect_eq(a.n_nodes, 3);
}

Test(table, more_rows_than_nodes_are_thinned_over_the_same_range)
{
    /* 1000 rows, w evenly spaced on [−1, 1] (spacing d = 2/999), of the
     * linear steps Δw⁺ = 2 − w, Δw⁻ = 1 + 0.5(w + 1): the means of a linear
     * function are its value at the mean w, and the mean w of a node's rows
     * is within d/2 of the node inside the range; the end nodes gather half
     * a node spacing h = 2/127 and sit within h/4 + d of their mean w. */
    const size_t n = 1000, m = AIMC_RESPONSE_MAX_NODES;
    char *text = malloc(n * 64);
    cr_assert_not_null(text);
    size_t len = 0;
    for (size_t k = 0; k < n; k++) {
        const double w = -1.0 + 2.0 * (double)k / (double)(n - 1);
        len += (size_t)snprintf(text + len, 64, "%.17g,%.17g,%.17g\n", w, 2.0 - w,
                                1.0 + 0.5 * (w + 1.0));
    }
    const char *path = write_file("long.csv", text);
    free(text);
    aimc_response_params p = aimc_response_default_params();
    double g;
    aimc_err err = {0};
    cr_assert_eq(aimc_response_table_load(path, &p, &g, &err), GSL_SUCCESS, "%s", err.msg);
    cr_assert_eq(p.n_nodes, m);
    cr_expect_eq(p.node_w[0], -1.0);
    cr_expect_eq(p.node_w[m - 1], 1.0);
    const double d = 2.0 / (double)(n - 1), h = 2.0 / (double)(m - 1);
    /* At w_mid = 0 the exact mean step is (2 + 1.5)/2 = 1.75; the two nodes
     * around it are interior. */
    cr_expect_leq(fabs(g - 1.75), 1.5 * d / 2 + 1e-12, "dw_mid = %.17g", g);
    for (size_t k = 0; k < m; k++) {
        const double w = p.node_w[k];
        cr_expect_leq(fabs(w - (-1.0 + h * (double)k)), 4.0 * EPS, "node %zu at %.17g", k, w);
        if (k > 0)
            cr_expect_gt(w, p.node_w[k - 1]);
        const double shift = (k == 0 || k == m - 1) ? h / 4 + d : d / 2;
        /* Slopes 1 and 0.5; plus the rounding of the sums (1e-12 covers
         * ~1000 additions of numbers ≤ 3). */
        cr_expect_leq(fabs(p.node_qp[k] * g - (2.0 - w)), 1.0 * shift + 1e-12, "node %zu", k);
        cr_expect_leq(fabs(p.node_qm[k] * g - (1.0 + 0.5 * (w + 1.0))), 0.5 * shift + 1e-12,
                      "node %zu", k);
    }
}

Test(table, samples_from_memory_name_their_rows)
{
    const double w[3] = {0.0, 0.5, 0.4}, up[3] = {1, 1, 1}, down[3] = {1, 1, 1};
    aimc_response_params p = aimc_response_default_params();
    aimc_err err = {0};
    cr_expect_eq(aimc_response_table_from_samples(3, w, up, down, "sweep", NULL, &p, NULL, &err),
                 GSL_EINVAL);
    cr_expect_not_null(strstr(err.msg, "sweep row 3"), "%s", err.msg);
    cr_expect_not_null(strstr(err.msg, "sweep row 2"), "%s", err.msg);
    cr_expect_eq(aimc_response_table_from_samples(3, NULL, up, down, "x", NULL, &p, NULL, &err),
                 GSL_EFAULT);
    cr_expect_eq(aimc_response_table_load(NULL, &p, NULL, &err), GSL_EFAULT);
    const double ok_w[2] = {-1.0, 1.0};
    cr_expect_eq(aimc_response_table_from_samples(2, ok_w, up, down, NULL, NULL, &p, NULL, &err),
                 GSL_SUCCESS, "%s", err.msg);
    cr_expect(p.n_nodes == 2 && p.node_qp[0] == 1.0 && p.node_qm[1] == 1.0);
}

/* ---- bad files: one test per class ---------------------------------------- */

Test(table, a_missing_or_unreadable_file_is_rejected)
{
    char path[320];
    snprintf(path, sizeof path, "%s/no-such-file.csv", tmpdir);
    expect_bad_file(path, GSL_EFAILED, "cannot open", "No such file");
    /* A directory opens but cannot be read. */
    expect_bad_file(tmpdir, GSL_EFAILED, NULL, NULL);
}

Test(table, non_numeric_and_non_finite_cells_are_rejected_with_their_line)
{
    const char *p = write_file("text.csv", "# c\nw,dw_plus,dw_minus\n0,1e-3,1e-3\n1, abc ,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 4), "cell 2 (dw_plus) \"abc\" is not a number");
    p = write_file("empty-cell.csv", "0,1e-3,1e-3\n1,1e-3,\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 2), "cell 3 (dw_minus) \"\" is not a number");
    p = write_file("unit.csv", "0,1e-3,1e-3\n1mV,1e-3,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 2), "cell 1 (w) \"1mV\"");
    /* A header is allowed on the first content line only. */
    p = write_file("header-late.csv", "0,1e-3,1e-3\nw,dw_plus,dw_minus\n1,1e-3,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 2), "is not a number");
    /* A first line that is only partly text is not a header. */
    p = write_file("half-header.csv", "w,0.001,dw_minus\n0,1e-3,1e-3\n1,1e-3,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 1), "cell 1 (w)");
    const char *inf[3] = {"nan", "inf", "1e999"};
    for (size_t i = 0; i < 3; i++) {
        char text[80];
        snprintf(text, sizeof text, "0,1e-3,1e-3\n1,%s,1e-3\n", inf[i]);
        p = write_file("inf.csv", text);
        expect_bad_file(p, GSL_EINVAL, at_line(p, 2), "is not finite");
    }
}

Test(table, rows_without_exactly_three_cells_are_rejected)
{
    const char *p = write_file("two.csv", "0,1e-3,1e-3\n0.5,1e-3\n1,1e-3,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 2), "expected 3 comma-separated cells");
    p = write_file("four.csv", "0,1e-3,1e-3,7\n1,1e-3,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 1), "found more");
    /* Space-separated columns are one cell. */
    p = write_file("spaces.csv", "0 1e-3 1e-3\n1 1e-3 1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 1), "found 1");
}

Test(table, fewer_than_two_rows_are_rejected)
{
    const char *p = write_file("empty.csv", "");
    expect_bad_file(p, GSL_EINVAL, "0 data rows; at least 2 are needed", NULL);
    p = write_file("comments.csv", "# nothing\n\n   \n");
    expect_bad_file(p, GSL_EINVAL, "0 data rows", NULL);
    p = write_file("header-only.csv", "w, dw_plus, dw_minus\n");
    expect_bad_file(p, GSL_EINVAL, "0 data rows", NULL);
    p = write_file("one.csv", "w, dw_plus, dw_minus\n0.1, 1e-3, 2e-3\n");
    expect_bad_file(p, GSL_EINVAL, "1 data row;", NULL);
}

Test(table, w_that_does_not_strictly_increase_is_rejected_naming_both_lines)
{
    const char *p = write_file("equal.csv", "0,1e-3,1e-3\n# gap\n0.5,1e-3,1e-3\n0.5,2e-3,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 4), "should be > 0.5 (the w at");
    cr_assert_not_null(p);
    char prev[320];
    snprintf(prev, sizeof prev, "%s:3)", p);
    expect_bad_file(p, GSL_EINVAL, prev, "strictly increasing");
    p = write_file("down.csv", "1,1e-3,1e-3\n0,1e-3,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 2), "w = 0 should be > 1");
}

Test(table, steps_that_are_not_positive_are_rejected)
{
    const char *p = write_file("zero-up.csv", "0,1e-3,1e-3\n1,0,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 2), "dw_plus = 0 should be finite and > 0");
    p = write_file("neg-down.csv", "0,1e-3,-1e-3\n1,1e-3,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 1), "dw_minus = -0.001 should be");
    cr_expect_not_null(p);
    /* The message says Δw⁻ is a magnitude. */
    expect_bad_file(p, GSL_EINVAL, "as a magnitude", NULL);
    /* A step that underflows to 0 is not positive either. */
    p = write_file("tiny.csv", "0,1e-3,1e-3\n1,1e-400,1e-3\n");
    expect_bad_file(p, GSL_EINVAL, at_line(p, 2), "dw_plus = 0");
}

Test(table, more_than_a_million_rows_is_rejected)
{
    char path[320];
    snprintf(path, sizeof path, "%s/huge.csv", tmpdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (long k = 0; k <= 1000000; k++)
        fprintf(f, "%ld,1,1\n", k);
    fclose(f);
    expect_bad_file(path, GSL_EINVAL, "more than 1000000 data rows", NULL);
}

/* ---- the option every program shares ------------------------------------- */

Test(table, response_table_option_gives_the_piecewise_family_its_nodes)
{
    aimc_device_cli dc;
    aimc_device_cli_defaults(&dc);
    cr_expect_null(dc.response_table);
    dc.response_table = EXAMPLE_CSV;
    aimc_device_params dp;
    aimc_err err = {0};
    /* With another family the table would be ignored (and the recorded
     * --response wrong): refused. */
    dc.response = "power";
    cr_expect_eq(aimc_device_cli_resolve(&dc, &dp, &err), GSL_EINVAL);
    cr_expect_not_null(strstr(err.msg, "use it with --response piecewise (not power)"), "%s",
                       err.msg);
    dc.response = "piecewise";
    cr_assert_eq(aimc_device_cli_resolve(&dc, &dp, &err), GSL_SUCCESS, "%s", err.msg);
    cr_expect_eq(dp.response.type, &aimc_response_piecewise);
    cr_expect_eq(dp.response.p.n_nodes, 38);
    cr_expect_eq(dp.dw_min, 1e-3);
    /* --dw-min-from-table: pulses take the measured steps, q·Δw_min = Δw. */
    dc.dw_min_from_table = 1;
    cr_assert_eq(aimc_device_cli_resolve(&dc, &dp, &err), GSL_SUCCESS, "%s", err.msg);
    cr_expect_leq(fabs(dp.response.p.node_qp[0] * dp.dw_min - 0.00243), 2.0 * EPS * 0.00243);
    cr_expect_leq(fabs(dp.response.p.node_qm[37] * dp.dw_min - 0.00206), 2.0 * EPS * 0.00206);
    dc.response_table = NULL;
    cr_expect_eq(aimc_device_cli_resolve(&dc, &dp, &err), GSL_EINVAL);
    cr_expect_not_null(strstr(err.msg, "--dw-min-from-table needs --response-table"), "%s",
                       err.msg);
    dc.dw_min_from_table = 0;
    dc.response_table = EXAMPLE_CSV;
    /* A bad file: one message naming the option, the file and the line. */
    dc.response_table = write_file("bad.csv", "0,1e-3,1e-3\n1,x,1e-3\n");
    cr_expect_eq(aimc_device_cli_resolve(&dc, &dp, &err), GSL_EINVAL);
    cr_expect_eq(strncmp(err.msg, "invalid --response-table ", 25), 0, "%s", err.msg);
    cr_expect_not_null(strstr(err.msg, at_line(dc.response_table, 2)), "%s", err.msg);
    /* The piecewise family without a table. */
    dc.response_table = NULL;
    dc.response = "piecewise";
    cr_expect_eq(aimc_device_cli_resolve(&dc, &dp, &err), GSL_EINVAL);
    cr_expect_not_null(strstr(err.msg, "--response-table FILE"), "%s", err.msg);
}

Test(table, every_device_flag_reaches_the_response_parameters)
{
    /* Distinctive, valid values for every response field the device options
     * set; each must arrive unchanged in the resolved parameters. */
    aimc_device_cli dc;
    aimc_device_cli_defaults(&dc);
    const aimc_response_params d = aimc_response_default_params();
    cr_expect(dc.pow_up_down == d.pow_up_down && dc.es_A_up == d.es_A_up &&
                  dc.es_A_down == d.es_A_down && dc.es_gamma_up == d.es_gamma_up &&
                  dc.es_gamma_down == d.es_gamma_down && dc.es_a == d.es_a && dc.es_b == d.es_b,
              "the CLI defaults are the library's");
    dc.response = "expstep-aihwkit";
    dc.tau = 0.7;
    dc.c_lin = 0.11;
    dc.es_A_up = 0.002;
    dc.es_A_down = 0.31;
    dc.es_gamma_up = 11.5;
    dc.es_gamma_down = 12.5;
    dc.es_a = 0.25;
    dc.es_b = 0.23;
    aimc_device_params dp;
    aimc_err err = {0};
    cr_assert_eq(aimc_device_cli_resolve(&dc, &dp, &err), GSL_SUCCESS, "%s", err.msg);
    const aimc_response_params *p = &dp.response.p;
    cr_expect_eq(dp.response.type, &aimc_response_expstep_aihwkit);
    cr_expect(p->tau == 0.7 && p->c_lin == 0.11, "tau %g c %g", p->tau, p->c_lin);
    cr_expect(p->es_A_up == 0.002 && p->es_A_down == 0.31, "A %g %g", p->es_A_up, p->es_A_down);
    cr_expect(p->es_gamma_up == 11.5 && p->es_gamma_down == 12.5, "gamma %g %g",
              p->es_gamma_up, p->es_gamma_down);
    cr_expect(p->es_a == 0.25 && p->es_b == 0.23, "a %g b %g", p->es_a, p->es_b);
    dc.response = "powstep-aihwkit";
    dc.gamma_res = 2.5;
    dc.pow_up_down = -0.35;
    cr_assert_eq(aimc_device_cli_resolve(&dc, &dp, &err), GSL_SUCCESS, "%s", err.msg);
    cr_expect(p->gamma_res == 2.5 && p->pow_up_down == -0.35, "gamma %g u %g", p->gamma_res,
              p->pow_up_down);
    /* A family's complaint comes through as one message. */
    dc.pow_up_down = 1.0;
    cr_expect_eq(aimc_device_cli_resolve(&dc, &dp, &err), GSL_EINVAL);
    cr_expect_str_eq(err.msg, "response powstep-aihwkit: pow_up_down = 1 should be in (-1, 1)");
}

/* Run the experiment template with extra arguments; returns its exit
 * status, stderr in `errbuf`. */
static int run_template(const char *args, char *errbuf, size_t len)
{
    char cmd[1200], errpath[320];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmpdir);
    snprintf(cmd, sizeof cmd, "'%s' --quick --force -q %s >/dev/null 2>'%s'", TEMPLATE_EXE, args,
             errpath);
    const int rc = system(cmd);
    errbuf[0] = '\0';
    FILE *f = fopen(errpath, "r");
    if (f != NULL) {
        const size_t n = fread(errbuf, 1, len - 1, f);
        errbuf[n] = '\0';
        fclose(f);
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(table, a_program_given_a_bad_table_exits_2_with_one_line_and_no_file)
{
    if (access(TEMPLATE_EXE, X_OK) != 0)
        cr_skip_test("%s not built", TEMPLATE_EXE);
    char args[800], out[320], errbuf[2048];
    snprintf(out, sizeof out, "%s/result.h5", tmpdir);
    const char *bad = write_file("bad.csv", "0,1e-3,1e-3\n0,1e-3,1e-3\n");
    snprintf(args, sizeof args, "--response piecewise --response-table '%s' -o '%s'", bad, out);
    cr_expect_eq(run_template(args, errbuf, sizeof errbuf), 2, "stderr: %s", errbuf);
    cr_expect_eq(count_lines(errbuf), 1, "stderr: %s", errbuf);
    cr_expect_not_null(strstr(errbuf, at_line(bad, 2)), "stderr: %s", errbuf);
    struct stat st;
    cr_expect_neq(stat(out, &st), 0, "no result file may be created");
    snprintf(args, sizeof args, "--response piecewise --response-table '%s/none.csv' -o '%s'",
             tmpdir, out);
    cr_expect_eq(run_template(args, errbuf, sizeof errbuf), 2, "stderr: %s", errbuf);
    cr_expect_not_null(strstr(errbuf, "cannot open"), "stderr: %s", errbuf);
    cr_expect_neq(stat(out, &st), 0, "no result file may be created");
    /* A table without --response piecewise would run another family. */
    snprintf(args, sizeof args, "--response-table '%s' -o '%s'", EXAMPLE_CSV, out);
    cr_expect_eq(run_template(args, errbuf, sizeof errbuf), 2, "stderr: %s", errbuf);
    cr_expect_not_null(strstr(errbuf, "--response piecewise"), "stderr: %s", errbuf);
    cr_expect_neq(stat(out, &st), 0, "no result file may be created");
    /* The shipped example runs. */
    snprintf(args, sizeof args, "--response piecewise --response-table '%s' -o '%s'",
             EXAMPLE_CSV, out);
    cr_expect_eq(run_template(args, errbuf, sizeof errbuf), 0, "stderr: %s", errbuf);
    cr_expect_eq(stat(out, &st), 0, "the result file should exist");
}

Test(table, every_registered_family_is_selectable_by_name_in_a_program)
{
    if (access(TEMPLATE_EXE, X_OK) != 0)
        cr_skip_test("%s not built", TEMPLATE_EXE);
    char args[800], out[320], errbuf[2048];
    snprintf(out, sizeof out, "%s/family.h5", tmpdir);
    for (size_t t = 0; aimc_response_types[t] != NULL; t++) {
        const aimc_response_type *type = aimc_response_types[t];
        /* A table family takes its nodes from a file. */
        snprintf(args, sizeof args, "--response %s %s%s%s -o '%s'", type->name,
                 (type->params & AIMC_RP_TABLE) ? "--response-table '" : "",
                 (type->params & AIMC_RP_TABLE) ? EXAMPLE_CSV : "",
                 (type->params & AIMC_RP_TABLE) ? "'" : "", out);
        cr_expect_eq(run_template(args, errbuf, sizeof errbuf), 0, "%s: %s", type->name, errbuf);
    }
}
