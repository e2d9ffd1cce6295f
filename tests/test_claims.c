/* test_claims.c — the claim sheet and the number lists of lib/prog/claims.c:
 * the printed tags and counts, the attributes in the result file, and every
 * way a list option can be wrong. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc/prog.h"

/* ---- number lists ------------------------------------------------------- */

static size_t parse(const char *s, double lo, double hi, unsigned flags, double *v, size_t max,
                    aimc_err *err)
{
    size_t n = 99;
    *err = (aimc_err){0};
    int st = aimc_parse_list(s, "x-list", lo, hi, flags, v, max, &n, err);
    return st ? (size_t)-1 : n;
}

Test(parse_list, reads_values_in_order)
{
    double v[4];
    aimc_err err;
    cr_assert_eq(parse("0.2,0.1,3", 0, 10, AIMC_OPT_MIN_OPEN, v, 4, &err), 3);
    cr_assert(v[0] == 0.2 && v[1] == 0.1 && v[2] == 3.0);
}

Test(parse_list, ends_are_closed_unless_flagged)
{
    double v[4];
    aimc_err err;
    cr_assert_eq(parse("0,10", 0, 10, 0, v, 4, &err), 2);
    cr_assert_eq(parse("0", 0, 10, AIMC_OPT_MIN_OPEN, v, 4, &err), (size_t)-1);
    cr_assert(strstr(err.msg, "in (0, 10]") != NULL, "%s", err.msg);
    cr_assert_eq(parse("10", 0, 10, AIMC_OPT_MAX_OPEN, v, 4, &err), (size_t)-1);
    cr_assert(strstr(err.msg, "in [0, 10)") != NULL, "%s", err.msg);
}

Test(parse_list, rejects_bad_text_and_non_finite)
{
    double v[4];
    aimc_err err;
    const char *bad[] = {"a", "1;2", "1,,2", ",1", "nan", "inf", "1e999", "2x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
        cr_assert_eq(parse(bad[i], -100, 100, 0, v, 4, &err), (size_t)-1, "accepted %s", bad[i]);
        cr_assert(strstr(err.msg, "--x-list") != NULL, "%s", err.msg);
        cr_assert_eq(err.status, GSL_EINVAL);
    }
}

Test(parse_list, limits_count_and_duplicates)
{
    double v[2];
    aimc_err err;
    cr_assert_eq(parse("1,2,3", 0, 10, 0, v, 2, &err), (size_t)-1);
    cr_assert(strstr(err.msg, "at most 2 values") != NULL, "%s", err.msg);
    /* 0.1 and 0.10000001 print the same as "%g", so they would share a group. */
    cr_assert_eq(parse("0.1,0.10000001", 0, 10, 0, v, 2, &err), (size_t)-1);
    cr_assert(strstr(err.msg, "0.1 appears twice") != NULL, "%s", err.msg);
}

Test(parse_list, empty_only_when_allowed)
{
    double v[2];
    aimc_err err;
    cr_assert_eq(parse("", 0, 10, 0, v, 2, &err), (size_t)-1);
    cr_assert(strstr(err.msg, "at least one value") != NULL, "%s", err.msg);
    cr_assert_eq(parse("", 0, 10, AIMC_LIST_ALLOW_EMPTY, v, 2, &err), 0);
}

/* ---- the claim sheet ---------------------------------------------------- */

static char h5path[256], outpath[256];

/* Run f with stdout into a file; the printed text into out. */
static void capture(void (*f)(aimc_claims *), aimc_claims *c, char *out, size_t size)
{
    fflush(stdout);
    const int saved = dup(1);
    FILE *tmp = fopen(outpath, "w+");
    cr_assert_not_null(tmp);
    dup2(fileno(tmp), 1);
    f(c);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(tmp);
    const size_t got = fread(out, 1, size - 1, tmp);
    out[got] = '\0';
    fclose(tmp);
}

static void three_claims(aimc_claims *c)
{
    aimc_err err = {0};
    const aimc_claim cl[2] = {{"slope 1.5", 1, 1}, {"level", 0, 1}};
    cr_assert_eq(aimc_claims_report(c, "  claims:\n", cl, 2, 0, &err), 0, "%s", err.msg);
    cr_assert_eq(aimc_claims_add(c, 0, 0, "flat", &err), 0, "%s", err.msg);
    aimc_claims_print_counts(c);
}

static long attr_int(hid_t f, const char *name)
{
    long v = -1;
    hid_t a = H5Aopen_by_name(f, "/summary", name, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert(a >= 0, "no attribute %s", name);
    H5Aread(a, H5T_NATIVE_LONG, &v);
    H5Aclose(a);
    return v;
}

static void attr_text(const char *name, char *buf, size_t size)
{
    aimc_err err = {0};
    cr_assert_eq(aimc_h5_read_attr_string(h5path, "/summary", name, buf, size, &err), 0, "%s",
                 err.msg);
}

Test(claims, prints_counts_and_writes_attributes)
{
    snprintf(h5path, sizeof h5path, "/tmp/test_claims_%d.h5", (int)getpid());
    snprintf(outpath, sizeof outpath, "/tmp/test_claims_%d.out", (int)getpid());
    aimc_err err = {0};
    aimc_h5 *h = aimc_h5_create(h5path, 1, &err);
    cr_assert_not_null(h, "%s", err.msg);
    aimc_claims c;
    aimc_claims_init(&c, h, "/summary");
    char out[1024];
    capture(three_claims, &c, out, sizeof out);
    cr_assert_str_eq(out, "  claims:\n"
                          "  PASS           slope 1.5\n"
                          "  FAIL           level\n"
                          "  NOT REPRODUCED flat [reported]\n"
                          "1 passed, 1 failed\n");
    cr_assert(c.n == 3 && c.passed == 1 && c.failed == 1);
    cr_assert_eq(aimc_h5_commit(h, &err), 0, "%s", err.msg);

    hid_t f = H5Fopen(h5path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0);
    char text[64];
    attr_text("claim1", text, sizeof text);
    cr_assert_str_eq(text, "slope 1.5");
    attr_text("claim3", text, sizeof text);
    cr_assert_str_eq(text, "flat");
    cr_assert_eq(attr_int(f, "claim1_holds"), 1);
    cr_assert_eq(attr_int(f, "claim2_holds"), 0);
    cr_assert_eq(attr_int(f, "claim2_asserted"), 1);
    cr_assert_eq(attr_int(f, "claim3_asserted"), 0);
    cr_assert(H5Aexists_by_name(f, "/summary", "claim4", H5P_DEFAULT) == 0);
    H5Fclose(f);
    unlink(h5path);
    unlink(outpath);
}

static void narrow_note(aimc_claims *c)
{
    aimc_err err = {0};
    c->tag_width = 5;
    c->reported = " [reported, not asserted]";
    cr_assert_eq(aimc_claims_add(c, 0, 1, "cost", &err), 0, "%s", err.msg);
}

Test(claims, tag_width_and_suffix_are_the_programs)
{
    snprintf(h5path, sizeof h5path, "/tmp/test_claims_w_%d.h5", (int)getpid());
    snprintf(outpath, sizeof outpath, "/tmp/test_claims_w_%d.out", (int)getpid());
    aimc_err err = {0};
    aimc_h5 *h = aimc_h5_create(h5path, 1, &err);
    cr_assert_not_null(h, "%s", err.msg);
    aimc_claims c;
    aimc_claims_init(&c, h, "/summary");
    char out[256];
    capture(narrow_note, &c, out, sizeof out);
    cr_assert_str_eq(out, "  note  cost [reported, not asserted]\n");
    cr_assert(c.passed == 0 && c.failed == 0);
    aimc_h5_abort(h);
    unlink(h5path);
    unlink(outpath);
}

static void two_notes(aimc_claims *c)
{
    aimc_claims_note(c, 1, 1, "first");
    aimc_claims_note(c, 1, 0, "second");
}

/* aimc_claims_note keeps the first failed write and still prints and counts
 * every claim, so a program checks one status after all its claims. */
Test(claims, note_keeps_the_first_failure_and_counts_on)
{
    snprintf(h5path, sizeof h5path, "/tmp/test_claims_n_%d.h5", (int)getpid());
    snprintf(outpath, sizeof outpath, "/tmp/test_claims_n_%d.out", (int)getpid());
    aimc_err err = {0};
    aimc_h5 *h = aimc_h5_create(h5path, 1, &err);
    cr_assert_not_null(h, "%s", err.msg);
    aimc_claims c;
    aimc_claims_init(&c, h, "no/such/group");
    c.err = &err;
    char out[256];
    capture(two_notes, &c, out, sizeof out);
    cr_assert_str_eq(out, "  PASS           first\n  FAIL           second\n");
    cr_assert_neq(c.status, 0, "writing under a missing group should fail");
    cr_assert_neq(err.msg[0], '\0');
    cr_assert(c.n == 2 && c.passed == 1 && c.failed == 1);
    aimc_h5_abort(h);
    unlink(h5path);
    unlink(outpath);
}

/* ---- floor statistics ----------------------------------------------------- */

Test(floor_stat, mean_sd_and_log_standard_error)
{
    const double x[3] = {1, 10, 100};
    const aimc_floor_stat s = aimc_floor_stat_of(x, 3);
    /* deviations 36, 27, 63 from 37; logs 0, 1, 2 around 1 */
    cr_assert_float_eq(s.mean, 37.0, 1e-12);
    cr_assert_float_eq(s.sd, sqrt(2997.0), 1e-9);
    cr_assert_float_eq(s.lmean, 1.0, 1e-12);
    cr_assert_float_eq(s.lse, sqrt(1.0 / 3.0), 1e-12);
    const aimc_floor_stat one = aimc_floor_stat_of(x + 1, 1);
    cr_assert(one.mean == 10.0 && one.sd == 0.0 && one.lse == 0.0);
}
