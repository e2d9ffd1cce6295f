/* test_prog.c — the program-side layer (aimc/prog.h): presets, option
 * parsing, one-line complaints, --help, --version, the recorded command
 * line, provenance in the result file and the progress bar.
 *
 * Each test parses a small table of its own ("fig", below) that has one
 * option of every kind; stdout and stderr are captured into temporary files
 * so that "exactly one line on stderr" can be checked literally.
 */
#define _GNU_SOURCE /* posix_openpt, ptsname */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aimc/prog.h"

/* ---- the program under test ---------------------------------------------- */

typedef struct {
    double tau;         /* (0, 1]  */
    double gamma;       /* [0, 1)  */
    double offset;      /* any finite number */
    unsigned steps;     /* [1, 1e9] */
    uint64_t big;       /* any uint64 */
    const char *family; /* ideal|softbounds|exp-step */
    const char *tag;    /* any text */
    int noise;          /* flag */
} params;

static const char *families(void) { return "ideal|softbounds|exp-step"; }

/* quick: tau 0.5, steps 100, ideal, 3 reps;  full: tau 0.7, steps 100000,
 * softbounds, 20 reps. */
static void preset(int full, aimc_prog_common *c, void *ctx)
{
    params *p = ctx;
    p->tau = full ? 0.7 : 0.5;
    p->gamma = 0.1;
    p->offset = 0;
    p->steps = full ? 100000 : 100;
    p->big = 5;
    p->family = full ? "softbounds" : "ideal";
    p->tag = "none";
    p->noise = 0;
    c->reps = full ? 20 : 3;
}

static int check(void *ctx, aimc_err *err)
{
    const params *p = ctx;
    if (p->gamma > p->tau)
        return AIMC_FAIL(err, GSL_EINVAL, "--gamma %g should be <= --tau %g", p->gamma, p->tau);
    return 0;
}

static params P;
static aimc_prog_common C;

static const aimc_option options[] = {
    { "tau", AIMC_OPT_DOUBLE, &P.tau, 0, 1, AIMC_OPT_MIN_OPEN, NULL, "", "symmetric point" },
    { "gamma", AIMC_OPT_DOUBLE, &P.gamma, 0, 1, AIMC_OPT_MAX_OPEN, NULL, "", "mixing" },
    { "offset", AIMC_OPT_DOUBLE, &P.offset, -INFINITY, INFINITY, 0, NULL, "V", "bias" },
    { "steps", AIMC_OPT_UINT, &P.steps, 1, 1e9, 0, NULL, "", "optimizer steps" },
    { "big", AIMC_OPT_U64, &P.big, 0, (double)UINT64_MAX, 0, NULL, "", "a large count" },
    { "family", AIMC_OPT_NAME, &P.family, 0, 0, 0, families, "", "response family" },
    { "tag", AIMC_OPT_STRING, &P.tag, 0, 0, 0, NULL, "", "free text" },
    { "noise", AIMC_OPT_FLAG, &P.noise, 0, 0, 0, NULL, "", "add read noise" },
    { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL },
};

static const aimc_prog_spec spec = {
    .program = "fig",
    .artifact = "Fig. 0 of a test",
    .claim = "parsing works",
    .default_output = "results/fig.h5",
    .options = options,
    .preset = preset,
    .ctx = &P,
    .check = check,
};

/* Every test runs (in its own process) inside a fresh scratch directory
 * holding an empty results/: the parser checks the place of the result
 * file (the default results/fig.h5, or -o) before any work, so relative
 * names must resolve somewhere harmless. */
static char scratch[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void enter_scratch(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/test_prog.cwd.XXXXXX");
    cr_assert_not_null(mkdtemp(scratch));
    cr_assert_eq(chdir(scratch), 0);
    cr_assert_eq(mkdir("results", 0777), 0);
}

static void leave_scratch(void)
{
    if (chdir("/") == 0)
        nftw(scratch, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(prog, .init = enter_scratch, .fini = leave_scratch);

/* ---- capturing stdout and stderr ------------------------------------------ */

typedef struct {
    int fd, saved;
    FILE *tmp;
} capture;

static void capture_begin(capture *k, int fd)
{
    fflush(stdout);
    fflush(stderr);
    k->fd = fd;
    k->tmp = tmpfile();
    cr_assert_not_null(k->tmp);
    k->saved = dup(fd);
    cr_assert(k->saved >= 0 && dup2(fileno(k->tmp), fd) >= 0);
}

static void capture_end(capture *k, char *buf, size_t len)
{
    size_t n;
    fflush(stdout);
    fflush(stderr);
    dup2(k->saved, k->fd);
    close(k->saved);
    rewind(k->tmp);
    n = fread(buf, 1, len - 1, k->tmp);
    buf[n] = '\0';
    fclose(k->tmp);
}

typedef struct {
    int rc;
    char out[16384];
    char err[4096];
} result;

static result R;

static void parse_argv(int argc, char **argv)
{
    char *v[64];
    capture ko, ke;
    cr_assert(argc < 64);
    memcpy(v, argv, (size_t)argc * sizeof *v);
    v[argc] = NULL;
    capture_begin(&ko, STDOUT_FILENO);
    capture_begin(&ke, STDERR_FILENO);
    R.rc = aimc_prog_parse(&spec, &C, argc, v);
    capture_end(&ke, R.err, sizeof R.err);
    capture_end(&ko, R.out, sizeof R.out);
}

/* PARSE("--tau", "0.3") parses "fig --tau 0.3" into P and C; see R. */
#define PARSE(...)                                                   \
    do {                                                             \
        char *argv_[] = { "fig", __VA_ARGS__ };                      \
        parse_argv((int)(sizeof argv_ / sizeof argv_[0]), argv_);    \
    } while (0)

static int count_char(const char *s, char ch)
{
    int n = 0;
    for (; *s != '\0'; s++)
        n += *s == ch;
    return n;
}

/* Bad input: status 2 (usage), nothing on stdout, and exactly one line on
 * stderr, "fig: ... (see --help)", that contains `name` and `fragment`. */
static void expect_usage(const char *name, const char *fragment)
{
    cr_assert_eq(R.rc, AIMC_PROG_USAGE, "rc = %d, stderr: %s", R.rc, R.err);
    cr_assert_eq(aimc_prog_exit_status(R.rc), 2);
    cr_assert_str_empty(R.out);
    cr_assert_eq(count_char(R.err, '\n'), 1, "not one line: [%s]", R.err);
    cr_assert(R.err[strlen(R.err) - 1] == '\n', "[%s]", R.err);
    cr_assert(strncmp(R.err, "fig: ", 5) == 0, "[%s]", R.err);
    cr_assert(strstr(R.err, "(see --help)\n") != NULL, "[%s]", R.err);
    cr_assert(strstr(R.err, name) != NULL, "no %s in [%s]", name, R.err);
    cr_assert(strstr(R.err, fragment) != NULL, "no %s in [%s]", fragment, R.err);
}

static void expect_run(void)
{
    cr_assert_eq(R.rc, AIMC_PROG_RUN, "rc = %d, stderr: %s", R.rc, R.err);
    cr_assert_str_empty(R.err);
    cr_assert_str_empty(R.out);
}

/* ---- presets -------------------------------------------------------------- */

Test(prog, quick_preset_and_common_defaults_apply_without_options)
{
    PARSE();
    expect_run();
    cr_assert_eq(C.full, 0);
    cr_assert_eq(P.tau, 0.5);
    cr_assert_eq(P.steps, 100);
    cr_assert_str_eq(P.family, "ideal");
    cr_assert_eq(C.reps, 3);
    cr_assert_eq(C.seed, 1);
    cr_assert_eq(C.threads, 1);
    cr_assert_str_eq(C.output, "results/fig.h5");
    cr_assert_eq(C.quiet, 0);
    cr_assert_eq(C.force, 0);
}

Test(prog, full_preset_sets_the_paper_defaults)
{
    PARSE("--full");
    expect_run();
    cr_assert_eq(C.full, 1);
    cr_assert_eq(P.tau, 0.7);
    cr_assert_eq(P.steps, 100000);
    cr_assert_str_eq(P.family, "softbounds");
    cr_assert_eq(C.reps, 20);
}

Test(prog, last_of_quick_and_full_wins)
{
    PARSE("--full", "--quick");
    expect_run();
    cr_assert_eq(C.full, 0);
    cr_assert_eq(C.reps, 3);
    PARSE("--quick", "--full");
    expect_run();
    cr_assert_eq(C.full, 1);
    cr_assert_eq(C.reps, 20);
}

Test(prog, explicit_option_overrides_preset_wherever_it_appears)
{
    PARSE("--tau", "0.3", "--reps", "5", "--full");
    expect_run();
    cr_assert_eq(P.tau, 0.3);
    cr_assert_eq(C.reps, 5);
    cr_assert_eq(P.steps, 100000, "the rest of the full preset still applies");
    PARSE("--full", "--tau", "0.3", "--reps", "5");
    expect_run();
    cr_assert_eq(P.tau, 0.3);
    cr_assert_eq(C.reps, 5);
    cr_assert_eq(P.steps, 100000);
}

Test(prog, an_argument_that_reads_like_a_preset_is_not_one)
{
    PARSE("-o", "--full");
    expect_run();
    cr_assert_eq(C.full, 0);
    cr_assert_str_eq(C.output, "--full");
    cr_assert_eq(C.reps, 3);
}

/* ---- good values ---------------------------------------------------------- */

Test(prog, every_common_option_is_read)
{
    PARSE("--seed", "42", "--reps", "7", "-o", "x.h5", "--threads", "2", "-q", "--force");
    expect_run();
    cr_assert_eq(C.seed, 42);
    cr_assert_eq(C.reps, 7);
    cr_assert_str_eq(C.output, "x.h5");
    cr_assert_eq(C.threads, 2);
    cr_assert_eq(C.quiet, 1);
    cr_assert_eq(C.force, 1);
    PARSE("--seed=9", "--output=y.h5", "--quiet");
    expect_run();
    cr_assert_eq(C.seed, 9);
    cr_assert_str_eq(C.output, "y.h5");
    cr_assert_eq(C.quiet, 1);
    PARSE("-oz.h5", "--thr", "3");
    expect_run();
    cr_assert_str_eq(C.output, "z.h5");
    cr_assert_eq(C.threads, 3, "an unambiguous prefix names its option");
}

Test(prog, every_kind_of_program_option_is_read)
{
    PARSE("--gamma", "0.25", "--offset", "-1e3", "--steps", "12", "--big", "18446744073709551615",
          "--family", "exp-step", "--tag", "hello world", "--noise");
    expect_run();
    cr_assert_eq(P.gamma, 0.25);
    cr_assert_eq(P.offset, -1e3);
    cr_assert_eq(P.steps, 12);
    cr_assert_eq(P.big, UINT64_MAX);
    cr_assert_str_eq(P.family, "exp-step");
    cr_assert_str_eq(P.tag, "hello world");
    cr_assert_eq(P.noise, 1);
}

Test(prog, closed_bounds_are_accepted)
{
    PARSE("--tau", "1", "--gamma", "0", "--seed", "0", "--threads", "1024", "--steps",
          "1000000000");
    expect_run();
    cr_assert_eq(P.tau, 1);
    cr_assert_eq(P.gamma, 0);
    cr_assert_eq(C.seed, 0);
    cr_assert_eq(C.threads, 1024);
    cr_assert_eq(P.steps, 1000000000u);
}

/* ---- bad input: one line naming the option --------------------------------- */

Test(prog, unknown_long_option_is_one_line)
{
    PARSE("--tua", "0.3");
    expect_usage("\"--tua\"", "unknown option");
}

Test(prog, unknown_short_option_is_one_line)
{
    PARSE("-x");
    expect_usage("\"-x\"", "unknown option");
}

Test(prog, ambiguous_prefix_lists_the_candidates)
{
    PARSE("--t", "1");
    expect_usage("\"--t\"", "could be --threads, --tau, --tag");
}

Test(prog, flag_given_a_value_is_one_line)
{
    PARSE("--noise=1");
    expect_usage("--noise", "takes no argument");
}

Test(prog, non_number_is_one_exact_line)
{
    PARSE("--tau", "abc");
    expect_usage("--tau", "");
    cr_assert_str_eq(R.err,
                     "fig: invalid argument \"abc\" for --tau: should be a number in (0, 1] "
                     "(see --help)\n");
}

Test(prog, trailing_junk_is_not_a_number)
{
    PARSE("--tau", "1e");
    expect_usage("--tau", "invalid argument \"1e\" for --tau: should be a number in (0, 1]");
    PARSE("--offset", " 1");
    expect_usage("--offset", "should be a number");
    PARSE("--offset", "");
    expect_usage("--offset", "invalid argument \"\" for --offset");
}

Test(prog, nan_is_rejected)
{
    PARSE("--offset", "nan");
    expect_usage("--offset", "invalid argument \"nan\" for --offset: should be a finite number");
    PARSE("--tau", "NAN");
    expect_usage("--tau", "should be a finite number in (0, 1]");
}

Test(prog, infinity_is_rejected)
{
    PARSE("--offset", "inf");
    expect_usage("--offset", "should be a finite number");
    PARSE("--offset", "-Infinity");
    expect_usage("--offset", "should be a finite number");
    PARSE("--offset", "1e999");
    expect_usage("--offset", "should be a finite number");
}

Test(prog, value_at_an_open_bound_is_rejected)
{
    PARSE("--tau", "0");
    expect_usage("--tau", "invalid argument \"0\" for --tau: should be in (0, 1]");
    PARSE("--gamma", "1");
    expect_usage("--gamma", "should be in [0, 1)");
}

Test(prog, value_beyond_a_closed_bound_is_rejected)
{
    PARSE("--tau", "1.0000001");
    expect_usage("--tau", "should be in (0, 1]");
    PARSE("--gamma", "-1e-300");
    expect_usage("--gamma", "should be in [0, 1)");
    PARSE("--threads", "1025");
    expect_usage("--threads", "should be in [1, 1024]");
    PARSE("--threads", "0");
    expect_usage("--threads", "should be in [1, 1024]");
}

Test(prog, unknown_name_is_rejected_with_the_choices)
{
    PARSE("--family", "linear");
    expect_usage("--family", "invalid argument \"linear\" for --family: "
                             "should be one of ideal|softbounds|exp-step");
    PARSE("--family", "ideal|softbounds");
    expect_usage("--family", "should be one of");
    PARSE("--family", "");
    expect_usage("--family", "should be one of");
}

Test(prog, missing_argument_is_one_line)
{
    PARSE("--tau");
    expect_usage("--tau", "missing argument");
    PARSE("-o");
    expect_usage("--output", "missing argument");
}

Test(prog, negative_seed_is_rejected)
{
    PARSE("--seed", "-1");
    expect_usage("--seed", "invalid argument \"-1\" for --seed: should be an integer >= 0");
    PARSE("--seed", "+1");
    expect_usage("--seed", "should be an integer");
    PARSE("--seed", "1.5");
    expect_usage("--seed", "should be an integer");
}

Test(prog, seed_overflow_is_rejected)
{
    PARSE("--seed", "18446744073709551616");
    expect_usage("--seed", "should be an integer in [0, 18446744073709551615]");
    PARSE("--seed", "18446744073709551615");
    expect_run();
    cr_assert_eq(C.seed, UINT64_MAX);
}

Test(prog, integer_options_take_only_integers_that_fit)
{
    PARSE("--steps", "1e9");
    expect_usage("--steps", "invalid argument \"1e9\" for --steps: "
                            "should be an integer in [1, 1000000000]");
    PARSE("--steps", "0x10");
    expect_usage("--steps", "should be an integer");
    PARSE("--steps", "4294967297");
    expect_usage("--steps", "should be an integer in [1, 1000000000]");
    PARSE("--reps", "4294967296");
    expect_usage("--reps", "should be an integer in [1, 4294967295]");
}

Test(prog, zero_reps_is_rejected)
{
    PARSE("--reps", "0");
    expect_usage("--reps", "invalid argument \"0\" for --reps: should be >= 1");
}

Test(prog, stray_positional_argument_is_rejected)
{
    PARSE("--tau", "0.3", "extra");
    expect_usage("\"extra\"", "unexpected argument");
    PARSE("--", "after");
    expect_usage("\"after\"", "unexpected argument");
}

Test(prog, control_characters_cannot_split_the_line)
{
    PARSE("--tau", "1\n2");
    expect_usage("--tau", "\"1\\x0a2\"");
}

Test(prog, failed_check_is_one_line)
{
    PARSE("--gamma", "0.9");
    expect_usage("--gamma", "should be <= --tau");
}

Test(prog, bad_value_keeps_the_preset_value)
{
    PARSE("--tau", "2");
    cr_assert_eq(R.rc, AIMC_PROG_USAGE);
    cr_assert_eq(P.tau, 0.5);
}

/* A table that reuses a common option is a program bug, caught before
 * anything is read. */
Test(prog, option_table_clashing_with_a_common_option_is_refused)
{
    static const aimc_option clash[] = {
        { "seed", AIMC_OPT_DOUBLE, &P.tau, 0, 1, 0, NULL, "", "" },
        { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    aimc_prog_spec s = spec;
    capture ke;
    char err[512];
    char *argv[] = { "fig", NULL };
    s.options = clash;
    capture_begin(&ke, STDERR_FILENO);
    int rc = aimc_prog_parse(&s, &C, 1, argv);
    capture_end(&ke, err, sizeof err);
    cr_assert_eq(rc, AIMC_PROG_USAGE);
    cr_assert_eq(count_char(err, '\n'), 1, "[%s]", err);
    cr_assert(strstr(err, "--seed is defined twice") != NULL, "[%s]", err);
}

/* ---- help, version, command line ------------------------------------------ */

/* The line of --help that documents --name. */
static const char *help_line(const char *name, char *buf, size_t len)
{
    char key[64];
    snprintf(key, sizeof key, "--%s ", name);
    const char *p = strstr(R.out, key);
    if (p == NULL) {
        snprintf(key, sizeof key, "--%s", name);
        p = strstr(R.out, key);
    }
    cr_assert_not_null(p, "--help has no line for --%s:\n%s", name, R.out);
    const char *start = p, *end = strchr(p, '\n');
    while (start > R.out && start[-1] != '\n')
        start--;
    snprintf(buf, len, "%.*s", (int)(end - start), start);
    return buf;
}

static void expect_help_default(const char *name, const char *value)
{
    char line[1024], padded[128];
    help_line(name, line, sizeof line);
    snprintf(padded, sizeof padded, " %s ", value);
    cr_assert(strstr(line, padded) != NULL, "--%s: no default %s in [%s]", name, value, line);
}

Test(prog, help_lists_every_option_with_its_resolved_default)
{
    PARSE("--full", "--tau", "0.25", "--help", "--steps", "7");
    cr_assert_eq(R.rc, AIMC_PROG_DONE, "stderr: %s", R.err);
    cr_assert_eq(aimc_prog_exit_status(R.rc), 0);
    cr_assert_str_empty(R.err);
    cr_assert(strstr(R.out, "Usage: fig [options]") != NULL, "%s", R.out);
    cr_assert(strstr(R.out, "Fig. 0 of a test") != NULL);
    cr_assert(strstr(R.out, "parsing works") != NULL);
    /* Full preset, with --tau given before --help; --steps after it is not read. */
    expect_help_default("quick", "off");
    expect_help_default("full", "on");
    expect_help_default("seed", "1");
    expect_help_default("reps", "20");
    expect_help_default("output", "results/fig.h5");
    expect_help_default("threads", "1");
    expect_help_default("quiet", "off");
    expect_help_default("force", "off");
    expect_help_default("tau", "0.25");
    expect_help_default("gamma", "0.1");
    expect_help_default("offset", "0");
    expect_help_default("steps", "100000");
    expect_help_default("big", "5");
    expect_help_default("family", "softbounds");
    expect_help_default("tag", "none");
    expect_help_default("noise", "off");
    char line[1024];
    help_line("help", line, sizeof line);
    help_line("version", line, sizeof line);
}

Test(prog, help_shows_each_valid_range_and_unit)
{
    char line[1024];
    PARSE("-h");
    cr_assert_eq(R.rc, AIMC_PROG_DONE);
    cr_assert(strstr(help_line("tau", line, sizeof line), "in (0, 1]") != NULL, "%s", line);
    cr_assert(strstr(help_line("gamma", line, sizeof line), "in [0, 1)") != NULL, "%s", line);
    cr_assert(strstr(help_line("offset", line, sizeof line), " V ") != NULL, "%s", line);
    cr_assert(strstr(help_line("reps", line, sizeof line), ">= 1") != NULL, "%s", line);
    cr_assert(strstr(help_line("threads", line, sizeof line), "in [1, 1024]") != NULL, "%s", line);
    cr_assert(strstr(help_line("family", line, sizeof line), "ideal|softbounds|exp-step") != NULL,
              "%s", line);
    cr_assert(strstr(help_line("tau", line, sizeof line), "symmetric point") != NULL, "%s", line);
    /* quick preset this time */
    expect_help_default("tau", "0.5");
    expect_help_default("quick", "on");
}

Test(prog, version_names_program_version_and_build)
{
    char want[256];
    PARSE("--tau", "0.3", "-V");
    cr_assert_eq(R.rc, AIMC_PROG_DONE);
    cr_assert_str_empty(R.err);
    snprintf(want, sizeof want, "fig (aimc-bench %s, %s)\n", aimc_version(),
             aimc_build_git_describe());
    cr_assert_str_eq(R.out, want);
}

Test(prog, command_line_is_recorded_shell_quoted)
{
    PARSE("--tag", "a b", "-o", "it's.h5", "--tau=0.3");
    expect_run();
    cr_assert_str_eq(C.command_line, "fig --tag 'a b' -o 'it'\\''s.h5' --tau=0.3");
    PARSE("--tau", "abc", "--tag", "");
    cr_assert_eq(R.rc, AIMC_PROG_USAGE);
    cr_assert_str_eq(C.command_line, "fig --tau abc --tag ''", "also when parsing fails");
}

Test(prog, overlong_command_line_is_cut_visibly)
{
    static char word[600];
    memset(word, 'w', sizeof word - 1);
    PARSE("--tag", word, "--tag", word, "--tag", word, "--tag", word);
    expect_run();
    size_t n = strlen(C.command_line);
    cr_assert(n < sizeof C.command_line);
    cr_assert_str_eq(C.command_line + n - 4, " ...");
}

Test(prog, parsing_twice_in_one_process_starts_afresh)
{
    PARSE("--tau", "0.3", "--noise");
    expect_run();
    PARSE("--full");
    expect_run();
    cr_assert_eq(P.tau, 0.7);
    cr_assert_eq(P.noise, 0);
    PARSE("--bogus");
    cr_assert_eq(R.rc, AIMC_PROG_USAGE);
    PARSE("--tau", "0.2");
    expect_run();
    cr_assert_eq(P.tau, 0.2);
}

/* ---- the result file ------------------------------------------------------- */

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_prog.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static long long read_int_attr(const char *file, const char *obj, const char *name)
{
    long long v = -12345;
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0);
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert(a >= 0, "no attribute %s of %s", name, obj);
    cr_assert(H5Tget_class(H5Aget_type(a)) == H5T_INTEGER, "%s is not an integer", name);
    cr_assert(H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0);
    H5Aclose(a);
    H5Fclose(f);
    return v;
}

static void expect_string_attr(const char *file, const char *obj, const char *name,
                               const char *want)
{
    char buf[2048];
    aimc_err err = { 0, "" };
    cr_assert_eq(aimc_h5_read_attr_string(file, obj, name, buf, sizeof buf, &err), 0, "%s",
                 err.msg);
    cr_assert_str_eq(buf, want, "%s%s", obj, name);
}

Test(prog, provenance_records_build_run_and_every_resolved_option)
{
    char out[128], path[160], buf[64];
    double v;
    aimc_err err = { 0, "" };

    make_dir();
    snprintf(out, sizeof out, "%s/r.h5", dir);
    PARSE("--full", "--tau", "0.25", "--seed", "77", "--threads", "2", "--family", "exp-step",
          "--noise", "-q", "-o", out);
    expect_run();
    aimc_h5 *h = aimc_prog_open_output(&spec, &C);
    cr_assert_not_null(h);
    cr_assert_eq(aimc_prog_write_provenance(h, &spec, &C, &err), 0, "%s", err.msg);
    cr_assert_eq(aimc_prog_finish(h, &spec, 0, &err), 0);

    expect_string_attr(out, "/", "program", "fig");
    expect_string_attr(out, "/", "artifact", "Fig. 0 of a test");
    expect_string_attr(out, "/", "claim", "parsing works");
    expect_string_attr(out, "/", "git_describe", aimc_build_git_describe());
    expect_string_attr(out, "/", "aimc_version", aimc_version());
    expect_string_attr(out, "/", "gsl_version", GSL_VERSION);
    expect_string_attr(out, "/", "compiler", aimc_build_compiler());
    expect_string_attr(out, "/", "build_type", aimc_build_type());
    expect_string_attr(out, "/", "command_line", C.command_line);
    expect_string_attr(out, "/", "preset", "full");
    expect_string_attr(out, "/", "rng", "philox4x32-10");
    expect_string_attr(out, "/", "output", out);
    cr_assert_eq(aimc_h5_read_attr_string(out, "/", "hdf5_version", buf, sizeof buf, &err), 0);
    cr_assert_eq(strncmp(buf, "1.", 2), 0, "%s", buf);
    /* The BLAS is named, and OpenBLAS runs on one thread whatever --threads. */
    char blas[256];
    cr_assert_eq(aimc_h5_read_attr_string(out, "/", "blas", blas, sizeof blas, &err), 0, "%s",
                 err.msg);
    cr_assert(strcmp(blas, "GSL CBLAS") == 0
                  || (strncmp(blas, "OpenBLAS", 8) == 0 && strstr(blas, "; 1 thread") != NULL),
              "%s", blas);
    /* created_utc varies from run to run: check its shape only. */
    cr_assert_eq(aimc_h5_read_attr_string(out, "/", "created_utc", buf, sizeof buf, &err), 0);
    cr_assert(strlen(buf) == 20 && buf[10] == 'T' && buf[19] == 'Z', "%s", buf);
    cr_assert_eq(read_int_attr(out, "/", "seed"), 77);
    cr_assert_eq(read_int_attr(out, "/", "reps"), 20);
    cr_assert_eq(read_int_attr(out, "/", "threads"), 2);

    cr_assert_eq(aimc_h5_read_attr_double(out, "/config", "tau", &v, &err), 0, "%s", err.msg);
    cr_assert_eq(v, 0.25);
    cr_assert_eq(aimc_h5_read_attr_double(out, "/config", "gamma", &v, &err), 0);
    cr_assert_eq(v, 0.1);
    cr_assert_eq(read_int_attr(out, "/config", "steps"), 100000);
    cr_assert_eq(read_int_attr(out, "/config", "big"), 5);
    cr_assert_eq(read_int_attr(out, "/config", "noise"), 1);
    cr_assert_eq(read_int_attr(out, "/config", "quick"), 0);
    cr_assert_eq(read_int_attr(out, "/config", "full"), 1);
    cr_assert_eq(read_int_attr(out, "/config", "quiet"), 1);
    cr_assert_eq(read_int_attr(out, "/config", "force"), 0);
    cr_assert_eq(read_int_attr(out, "/config", "seed"), 77);
    cr_assert_eq(read_int_attr(out, "/config", "reps"), 20);
    cr_assert_eq(read_int_attr(out, "/config", "threads"), 2);
    expect_string_attr(out, "/config", "family", "exp-step");
    expect_string_attr(out, "/config", "tag", "none");
    expect_string_attr(out, "/config", "output", out);

    snprintf(path, sizeof path, "%s.partial", out);
    cr_assert_neq(access(path, F_OK), 0, "the partial file is gone after commit");
    unlink(out);
    rmdir(dir);
}

Test(prog, seed_beyond_int64_is_kept_exactly_as_text)
{
    char out[128];
    aimc_err err = { 0, "" };
    make_dir();
    snprintf(out, sizeof out, "%s/r.h5", dir);
    PARSE("--seed", "18446744073709551615", "-o", out);
    expect_run();
    aimc_h5 *h = aimc_prog_open_output(&spec, &C);
    cr_assert_not_null(h);
    cr_assert_eq(aimc_prog_write_provenance(h, &spec, &C, &err), 0, "%s", err.msg);
    cr_assert_eq(aimc_prog_finish(h, &spec, 0, &err), 0);
    expect_string_attr(out, "/", "seed", "18446744073709551615");
    expect_string_attr(out, "/config", "seed", "18446744073709551615");
    unlink(out);
    rmdir(dir);
}

Test(prog, open_output_refuses_an_existing_file_in_one_line)
{
    char out[128], err[1024];
    capture ke;
    make_dir();
    snprintf(out, sizeof out, "%s/r.h5", dir);
    PARSE("-o", out);
    expect_run();
    /* The file appears after parsing (which refuses it up front, below):
     * opening checks again. */
    FILE *f = fopen(out, "w");
    cr_assert_not_null(f);
    fputs("precious", f);
    fclose(f);
    capture_begin(&ke, STDERR_FILENO);
    aimc_h5 *h = aimc_prog_open_output(&spec, &C);
    capture_end(&ke, err, sizeof err);
    cr_assert_null(h);
    cr_assert_eq(count_char(err, '\n'), 1, "[%s]", err);
    cr_assert(strncmp(err, "fig: ", 5) == 0 && strstr(err, "--force") != NULL, "[%s]", err);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_size, 8, "the existing file is untouched");

    PARSE("-o", out, "--force");
    expect_run();
    h = aimc_prog_open_output(&spec, &C);
    cr_assert_not_null(h);
    aimc_h5_abort(h);
    unlink(out);
    rmdir(dir);
}

/* ---- the result file's place, checked before any work ----------------------- */

/* Nothing in the scratch directory but what the test made. */
static int entries_in(const char *path)
{
    int n = 0;
    DIR *d = opendir(path);
    struct dirent *e;
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

Test(prog, output_into_a_missing_directory_is_refused_by_the_parser)
{
    PARSE("-o", "no-such-dir/r.h5", "--force");
    expect_usage("--output \"no-such-dir/r.h5\"", "directory \"no-such-dir\" does not exist");
    cr_assert_neq(access("no-such-dir", F_OK), 0, "the directory is not made");
    /* the preset's default output too: results/ is gone */
    cr_assert_eq(rmdir("results"), 0);
    PARSE();
    expect_usage("--output \"results/fig.h5\"", "\"results\" does not exist");
    PARSE("--quick", "--tau", "0.3");
    expect_usage("--output", "does not exist");
    cr_assert_eq(entries_in("."), 0);
}

Test(prog, existing_output_needs_force_and_is_left_untouched)
{
    FILE *f = fopen("old.h5", "w");
    struct stat before, after;
    cr_assert_not_null(f);
    fputs("precious", f);
    fclose(f);
    cr_assert_eq(stat("old.h5", &before), 0);
    PARSE("-o", "old.h5");
    expect_usage("--output \"old.h5\" exists", "add --force");
    PARSE("-o", "old.h5", "--full", "--tau", "0.9");
    expect_usage("--output \"old.h5\" exists", "add --force");
    cr_assert_eq(stat("old.h5", &after), 0);
    cr_assert_eq(after.st_size, 8);
    cr_assert_eq(after.st_mtime, before.st_mtime);
    PARSE("-o", "old.h5", "--force");
    expect_run();
    PARSE("--force", "-o", "old.h5");
    expect_run();
    cr_assert_eq(entries_in("."), 2, "results/ and old.h5 only");
}

Test(prog, output_that_cannot_be_a_file_is_refused_by_the_parser)
{
    PARSE("-o", "results", "--force");
    expect_usage("--output \"results\" is a directory", "give a file name");
    PARSE("-o", "/", "--force");
    expect_usage("--output \"/\" is a directory", "give a file name");
    PARSE("-o", "/dev/null", "--force"); /* renaming onto it would replace the device */
    expect_usage("--output \"/dev/null\" is not a regular file", "give a file name");
    FILE *f = fopen("plain", "w");
    cr_assert_not_null(f);
    fclose(f);
    PARSE("-o", "plain/r.h5");
    expect_usage("--output \"plain/r.h5\"", "Not a directory");
    PARSE("-o", "");
    expect_usage("--output", "should be a file name");
}

Test(prog, output_check_comes_after_the_options_and_not_before_help)
{
    PARSE("-o", "no-such-dir/r.h5", "--tau", "2");
    expect_usage("--tau", "should be in (0, 1]");
    PARSE("-o", "no-such-dir/r.h5", "--help");
    cr_assert_eq(R.rc, AIMC_PROG_DONE, "%s", R.err);
    cr_assert_str_empty(R.err);
    PARSE("-o", "no-such-dir/r.h5", "--version");
    cr_assert_eq(R.rc, AIMC_PROG_DONE, "%s", R.err);
    PARSE("-o", "results/new.h5");
    expect_run();
    PARSE("-o", "/tmp/../tmp/aimc-test-prog-not-there.h5");
    expect_run();
}

Test(prog, finish_with_an_error_prints_it_and_leaves_no_file)
{
    char out[128], path[160], err[1024];
    capture ke;
    aimc_err e = { 0, "" };
    make_dir();
    snprintf(out, sizeof out, "%s/r.h5", dir);
    PARSE("-o", out);
    expect_run();
    aimc_h5 *h = aimc_prog_open_output(&spec, &C);
    cr_assert_not_null(h);
    AIMC_FAIL(&e, GSL_EDOM, "tile: the run diverged at step 12");
    capture_begin(&ke, STDERR_FILENO);
    int rc = aimc_prog_finish(h, &spec, GSL_EDOM, &e);
    capture_end(&ke, err, sizeof err);
    cr_assert_eq(rc, 1);
    cr_assert_str_eq(err, "fig: tile: the run diverged at step 12\n");
    snprintf(path, sizeof path, "%s.partial", out);
    cr_assert_neq(access(out, F_OK), 0);
    cr_assert_neq(access(path, F_OK), 0);
    rmdir(dir);
}

/* ---- the shared opening and ending (lib/prog/start.c) ----------------------- */

static int refuse_always(void *ctx, aimc_err *err)
{
    ++*(int *)ctx;
    return AIMC_FAIL(err, GSL_EINVAL, "--tau and --steps disagree");
}

static int accept_always(void *ctx, aimc_err *err)
{
    (void)err;
    ++*(int *)ctx;
    return 0;
}

/* aimc_prog_start on "fig ARGS -o results/s.h5" with stderr captured into R.err. */
static int start_argv(const aimc_prog_start_opts *o, aimc_h5 **h, int *st, int argc, char **argv)
{
    char *v[64];
    capture ke;
    aimc_err e = { 0, "" };
    cr_assert(argc < 64);
    memcpy(v, argv, (size_t)argc * sizeof *v);
    v[argc] = NULL;
    capture_begin(&ke, STDERR_FILENO);
    int rc = aimc_prog_start(&spec, o, &C, argc, v, h, st, &e);
    capture_end(&ke, R.err, sizeof R.err);
    return rc;
}
#define START(o, h, st, ...)                                                                   \
    start_argv((o), (h), (st), (int)(sizeof((char *[]){ "fig", __VA_ARGS__ }) / sizeof(char *)), \
               (char *[]){ "fig", __VA_ARGS__ })

Test(prog, start_refuses_reps_before_its_own_checks_and_before_any_file)
{
    int calls = 0, st = -1;
    aimc_h5 *h = (aimc_h5 *)&calls; /* must be reset to NULL */
    const aimc_prog_start_opts o = { .reps_min = 1, .reps_max = 4, .validate = refuse_always,
                                     .ctx = &calls };
    int rc = START(&o, &h, &st, "--reps", "5", "-o", "results/s.h5");
    cr_assert_eq(rc, AIMC_PROG_USAGE);
    cr_assert_str_eq(R.err, "fig: invalid argument \"5\" for --reps: should be in [1, 4]\n");
    cr_assert_eq(calls, 0, "validate ran after a refused --reps");
    cr_assert_null(h);
    cr_assert_eq(st, GSL_SUCCESS);
    cr_assert_neq(access("results/s.h5", F_OK), 0);
    cr_assert_neq(access("results/s.h5.partial", F_OK), 0);
}

Test(prog, start_refuses_a_failed_validation_in_one_line_before_any_file)
{
    int calls = 0, st;
    aimc_h5 *h;
    const aimc_prog_start_opts o = { .validate = refuse_always, .ctx = &calls };
    int rc = START(&o, &h, &st, "-o", "results/s.h5");
    cr_assert_eq(rc, AIMC_PROG_USAGE);
    cr_assert_eq(calls, 1);
    cr_assert_str_eq(R.err, "fig: --tau and --steps disagree\n");
    cr_assert_null(h);
    cr_assert_neq(access("results/s.h5.partial", F_OK), 0);
    cr_assert_eq(aimc_prog_exit_status(rc), 2);
}

Test(prog, start_opens_the_file_with_provenance_and_finish_claims_turns_a_failure_into_1)
{
    int calls = 0, st = -1;
    aimc_h5 *h = NULL;
    aimc_err e = { 0, "" };
    const aimc_prog_start_opts o = { .reps_min = 1, .reps_max = 4, .validate = accept_always,
                                     .ctx = &calls };
    int rc = START(&o, &h, &st, "--reps", "2", "-o", "results/s.h5");
    cr_assert_eq(rc, AIMC_PROG_RUN, "%s", R.err);
    cr_assert_eq(calls, 1);
    cr_assert_not_null(h);
    cr_assert_eq(st, GSL_SUCCESS);
    cr_assert_eq(access("results/s.h5.partial", F_OK), 0, "written to FILE.partial first");
    cr_assert_eq(aimc_prog_finish_claims(h, &spec, st, 1, &e), 1, "a failed claim is status 1");
    expect_string_attr("results/s.h5", "/", "program", "fig");
    expect_string_attr("results/s.h5", "/", "output", "results/s.h5");

    /* The same with every claim holding: status 0. */
    rc = START(&o, &h, &st, "-o", "results/t.h5");
    cr_assert_eq(rc, AIMC_PROG_RUN, "%s", R.err);
    cr_assert_eq(aimc_prog_finish_claims(h, &spec, st, 0, &e), 0);
    cr_assert_eq(access("results/t.h5", F_OK), 0);
}

Test(prog, start_without_a_file_handle_opens_no_file)
{
    int rc = START(NULL, NULL, NULL, "-o", "results/s.h5");
    cr_assert_eq(rc, AIMC_PROG_RUN, "%s", R.err);
    cr_assert_str_eq(R.err, "");
    cr_assert_neq(access("results/s.h5", F_OK), 0);
    cr_assert_neq(access("results/s.h5.partial", F_OK), 0);
}

Test(prog, open_with_data_names_fetch_sh_when_data_is_missing_and_writes_nothing)
{
    int st = 0;
    aimc_err e = { 0, "" };
    aimc_dataset *train = NULL, *test = NULL;
    capture ke;
    PARSE("-o", "results/s.h5");
    expect_run();
    cr_assert_eq(mkdir("nodata", 0777), 0);
    capture_begin(&ke, STDERR_FILENO);
    aimc_h5 *h = aimc_prog_open_with_data(&spec, &C, "mnist", "nodata", 100, 50, &train, &test,
                                          &st, &e);
    capture_end(&ke, R.err, sizeof R.err);
    cr_assert_null(h);
    cr_assert_null(train);
    cr_assert_null(test);
    cr_assert_eq(strncmp(R.err, "fig: mnist data missing or unreadable (", 39), 0, "%s", R.err);
    cr_assert_not_null(strstr(R.err, "run datasets/fetch.sh\n"), "%s", R.err);
    cr_assert_eq(strchr(R.err, '\n'), R.err + strlen(R.err) - 1, "one line: %s", R.err);
    cr_assert_neq(access("results/s.h5.partial", F_OK), 0);
}

Test(prog, finish_run_keeps_a_saved_divergence_and_exits_1)
{
    aimc_err e = { 0, "" };
    aimc_diverged_run dv = { 0 };
    char err[1024];
    capture ke;
    PARSE("-o", "results/s.h5");
    expect_run();
    aimc_h5 *h = aimc_prog_open_output(&spec, &C);
    cr_assert_not_null(h);
    const double acc[3] = { 0.1, 0.5, NAN }, loss[3] = { NAN, 2.0, NAN };
    int st = aimc_prog_keep_diverged_net(h, &dv, "/runs/asgd", 0, "layer 2 W[5]", NAN, 1, acc,
                                         loss, &e);
    cr_assert_eq(st, GSL_ERANGE, "%s", e.msg);
    cr_assert(dv.saved);
    capture_begin(&ke, STDERR_FILENO);
    int rc = aimc_prog_finish_run(h, &spec, st, &dv, 0, &e);
    capture_end(&ke, err, sizeof err);
    cr_assert_eq(rc, 1);
    cr_assert_not_null(strstr(err, "/runs/asgd diverged at step 2 of repetition 0 "
                                   "(layer 2 W[5] = nan)"), "%s", err);
    expect_string_attr("results/s.h5", "/", "diverged", "/runs/asgd-diverged");
    expect_string_attr("results/s.h5", "/runs/asgd-diverged", "parameter", "layer 2 W[5]");
}

/* Dataset `path` of file (doubles) into v[0..n); returns how many it holds. */
static size_t read_doubles(const char *file, const char *path, double *v, size_t n)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0);
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    cr_assert(d >= 0, "no dataset %s", path);
    hid_t sp = H5Dget_space(d);
    const hssize_t have = H5Sget_simple_extent_npoints(sp);
    cr_assert(have >= 0 && (size_t)have <= n, "%s holds %lld values", path, (long long)have);
    cr_assert(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    return (size_t)have;
}

Test(prog, write_net_run_writes_the_series_against_epochs_and_the_shared_attributes)
{
    aimc_err e = { 0, "" };
    PARSE("-o", "results/s.h5");
    expect_run();
    aimc_h5 *h = aimc_prog_open_output(&spec, &C);
    cr_assert_not_null(h);
    /* 2 repetitions × (3 epochs + 1) */
    const double acc[8] = { 0.1, 0.5, 0.7, 0.8, 0.1, 0.4, 0.6, 0.9 };
    const double loss[8] = { NAN, 2.0, 1.0, 0.5, NAN, 2.5, 1.5, 0.7 };
    cr_assert_eq(aimc_prog_write_net_run(h, "/runs/asgd", 2, 3, acc, loss, "asgd", 1234.5, &e),
                 0, "%s", e.msg);
    cr_assert_eq(aimc_prog_finish(h, &spec, 0, &e), 0);
    double v[16];
    cr_assert_eq(read_doubles("results/s.h5", "/runs/asgd/step", v, 16), 4);
    for (int k = 0; k < 4; ++k)
        cr_assert_eq(v[k], (double)k, "step[%d] = %g", k, v[k]);
    cr_assert_eq(read_doubles("results/s.h5", "/runs/asgd/test_acc", v, 16), 8);
    cr_assert_eq(memcmp(v, acc, sizeof acc), 0, "test_acc as given, row by row");
    cr_assert_eq(read_doubles("results/s.h5", "/runs/asgd/train_loss", v, 16), 8);
    cr_assert(isnan(v[0]) && v[1] == 2.0 && v[7] == 0.7);
    cr_assert_eq(read_doubles("results/s.h5", "/runs/asgd/test_acc_mean", v, 16), 4);
    cr_assert_float_eq(v[3], 0.85, 1e-15);
    expect_string_attr("results/s.h5", "/runs/asgd", "algorithm", "asgd");
    double pulses = 0;
    cr_assert_eq(aimc_h5_read_attr_double("results/s.h5", "/runs/asgd", "pulses_per_rep", &pulses,
                                          &e), 0, "%s", e.msg);
    cr_assert_eq(pulses, 1234.5);
}

Test(prog, progress_tick_counts_one_per_call)
{
    aimc_progress bar;
    PARSE("-q");
    expect_run();
    aimc_progress_start(&bar, &C, "t", 10);
    aimc_progress_counter c = { &bar, 0 };
    for (int k = 0; k < 7; ++k)
        aimc_progress_tick(&c);
    cr_assert_eq(c.done, 7);
    aimc_progress_end(&bar);
}

/* ---- progress bar ----------------------------------------------------------- */

static void sleep_seconds(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

Test(prog, progress_bar_is_off_when_stderr_is_not_a_terminal)
{
    char err[256];
    capture ke;
    aimc_progress p;
    PARSE();
    capture_begin(&ke, STDERR_FILENO); /* a regular file */
    aimc_progress_start(&p, &C, "fig", 10);
    cr_assert_eq(p.enabled, 0);
    aimc_progress_update(&p, 5);
    aimc_progress_end(&p);
    capture_end(&ke, err, sizeof err);
    cr_assert_str_empty(err);
}

/* A pseudo-terminal stands in for the user's terminal; its master end is
 * what the user would see. */
static int open_terminal_as_stderr(int *saved)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    cr_assert(slave >= 0);
    fflush(stderr);
    *saved = dup(STDERR_FILENO);
    cr_assert(dup2(slave, STDERR_FILENO) >= 0);
    close(slave);
    cr_assert(isatty(STDERR_FILENO));
    return master;
}

/* What appeared on the terminal, waiting at most `ms` milliseconds for the
 * first byte. */
static size_t drain(int master, char *buf, size_t len, int ms)
{
    size_t n = 0;
    struct pollfd pfd = { master, POLLIN, 0 };
    while (n + 1 < len && poll(&pfd, 1, ms) > 0) {
        ssize_t k = read(master, buf + n, len - 1 - n);
        if (k <= 0)
            break;
        n += (size_t)k;
        ms = 0;
    }
    buf[n] = '\0';
    return n;
}

/* Milliseconds since the bar started, on the clock the bar uses. */
static double ms_since_start(const aimc_progress *p)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return 1e3 * ((double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec - p->t0);
}

Test(prog, progress_bar_is_off_when_quiet)
{
    int saved, master;
    aimc_progress p;
    PARSE("-q");
    master = open_terminal_as_stderr(&saved);
    aimc_progress_start(&p, &C, "fig", 10);
    cr_assert_eq(p.enabled, 0);
    dup2(saved, STDERR_FILENO);
    close(master);
}

Test(prog, progress_bar_draws_after_a_second_then_clears_its_line)
{
    char buf[1024];
    int saved, master;
    aimc_progress p;
    PARSE();
    master = open_terminal_as_stderr(&saved);
    aimc_progress_start(&p, &C, "fig", 100);
    cr_assert_eq(p.enabled, 1);
    aimc_progress_update(&p, 10);
    /* The check only holds if this machine did not stall for a second. */
    if (ms_since_start(&p) < 1000)
        cr_assert_eq(drain(master, buf, sizeof buf, 100), 0, "short runs stay silent: [%s]", buf);
    else
        drain(master, buf, sizeof buf, 100);

    sleep_seconds(1.05);
    aimc_progress_update(&p, 50);
    drain(master, buf, sizeof buf, 1000);
    cr_assert(strncmp(buf, "\rfig [###############...............]  50%  ETA ", 48) == 0,
              "[%s]", buf);
    cr_assert(strchr(buf, '\n') == NULL);
    size_t width = strlen(buf) - 1;

    aimc_progress_update(&p, 60);
    /* Measured after the call: if still within 0.1 s of the last redraw, it
     * was within it at the call too, and nothing may have been drawn. */
    if (ms_since_start(&p) - (double)p.last_shown < 100)
        cr_assert_eq(drain(master, buf, sizeof buf, 50), 0, "redraws are rate limited: [%s]", buf);
    else
        drain(master, buf, sizeof buf, 50);

    aimc_progress_end(&p);
    drain(master, buf, sizeof buf, 1000);
    cr_assert_eq(strlen(buf), width + 2, "[%s]", buf);
    cr_assert(buf[0] == '\r' && buf[width + 1] == '\r');
    cr_assert_eq(strspn(buf + 1, " "), width, "the line is blanked");
    dup2(saved, STDERR_FILENO);
    close(master);
}
