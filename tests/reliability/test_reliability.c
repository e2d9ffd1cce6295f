/* test_reliability.c — the library side of docs/RELIABILITY.md: a result
 * file guarded against signals while it is written (lib/prog), the series of
 * a diverged run kept under a name that says so (lib/prog), a result file
 * that reaches the disk only complete (lib/h5), and readers that refuse what
 * is not a regular file.  The whole-program behaviour is tested by the
 * scripts in tools/ (suite "reliability"); these pin down the pieces. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aimc/prog.h"

static const aimc_option no_options[] = {{NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL}};
static const aimc_prog_spec spec = {"reliability-test", "a test", "none", "unused.h5",
                                    no_options, NULL, NULL, NULL};

/* A fresh directory for each test's files (flat), removed afterwards. */
static char dir[64];
static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/aimc-reliability-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[400];
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The parser checks the result file's place up front: give it the real one. */
static void common_for(aimc_prog_common *c, const char *path)
{
    char *argv[] = {"reliability-test", "-q", "-o", (char *)path, NULL};
    cr_assert_eq(aimc_prog_parse(&spec, c, 4, argv), AIMC_PROG_RUN);
}

Test(reliability, first_nonfinite_finds_nan_and_inf_and_returns_n_when_all_are_finite)
{
    double x[5] = {1, 2, 3, 4, 5};
    cr_expect_eq(aimc_first_nonfinite(x, 5), 5);
    cr_expect_eq(aimc_first_nonfinite(x, 0), 0);
    x[3] = NAN;
    cr_expect_eq(aimc_first_nonfinite(x, 5), 3);
    x[1] = -INFINITY;
    cr_expect_eq(aimc_first_nonfinite(x, 5), 1);
}

Test(reliability, diverged_series_is_kept_up_to_its_step_under_a_diverged_name, .init = make_dir, .fini = remove_dir)
{
    char path[128], text[128];
    aimc_prog_common c;
    aimc_err err = {0, ""};
    double loss[6] = {4, 2, 1, NAN, 7, 7}, lmain[6] = {5, 3, 2, INFINITY, 7, 7};
    const char *names[2] = {"loss", "loss_main"};
    const double *series[2] = {loss, lmain};
    aimc_divergence d = {3, 1, "W[2]", NAN};

    snprintf(path, sizeof path, "%s/r.h5", dir);
    common_for(&c, path);
    aimc_h5 *h = aimc_prog_open_output(&spec, &c);
    cr_assert_not_null(h);
    cr_assert_eq(aimc_prog_save_diverged(h, "/runs/a", &d, 2, names, series, &err), GSL_SUCCESS,
                 "%s", err.msg);
    cr_assert_eq(aimc_prog_finish_diverged(h, &spec, "/runs/a", &d), 1);
    cr_assert(exists(path), "the file of a diverged run is committed");

    double *v = NULL, at = 0;
    size_t dims[2];
    cr_assert_eq(aimc_h5_read(path, "/runs/a-diverged/loss", &v, dims, &err), GSL_SUCCESS, "%s",
                 err.msg);
    cr_expect(dims[0] == 1 && dims[1] == 4, "1 x (step + 1), got %zu x %zu", dims[0], dims[1]);
    cr_expect(v[0] == 4 && v[2] == 1 && isnan(v[3]), "values up to and including the step");
    free(v);
    cr_assert_eq(aimc_h5_read(path, "/runs/a-diverged/loss_main", &v, dims, &err), GSL_SUCCESS);
    cr_expect(dims[1] == 4 && isinf(v[3]));
    free(v);
    cr_expect_eq(aimc_h5_read(path, "/runs/a/loss", &v, dims, &err), GSL_EFAILED,
                 "no complete-looking /runs/a");
    cr_assert_eq(aimc_h5_read_attr_string(path, "/", "diverged", text, sizeof text, &err), 0);
    cr_expect_str_eq(text, "/runs/a-diverged");
    cr_assert_eq(aimc_h5_read_attr_string(path, "/runs/a-diverged", "parameter", text,
                                          sizeof text, &err), 0);
    cr_expect_str_eq(text, "W[2]");
    cr_assert_eq(aimc_h5_read_attr_double(path, "/runs/a-diverged", "diverged_at_step", &at,
                                          &err), 0);
    cr_expect_eq(at, 3);
    cr_assert_eq(aimc_h5_read_attr_double(path, "/runs/a-diverged", "rep", &at, &err), 0);
    cr_expect_eq(at, 1);
}

/* In a child: open a result file, then raise `sig` (ignored first if asked),
 * then finish.  Returns the child's wait status. */
static int run_child(const char *path, int sig, int ignore_first)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        aimc_prog_common c;
        aimc_err err = {0, ""};
        if (ignore_first)
            signal(sig, SIG_IGN);
        common_for(&c, path);
        aimc_h5 *h = aimc_prog_open_output(&spec, &c);
        if (h == NULL)
            _exit(3);
        aimc_h5_attr_int(h, "/", "x", 1, &err);
        raise(sig);
        _exit(aimc_prog_finish(h, &spec, GSL_SUCCESS, &err));
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return status;
}

Test(reliability, a_signal_while_the_file_is_open_removes_the_partial_and_kills, .init = make_dir, .fini = remove_dir)
{
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    char path[128], partial[160];
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        snprintf(path, sizeof path, "%s/s%zu.h5", dir, i);
        snprintf(partial, sizeof partial, "%s.partial", path);
        int status = run_child(path, sigs[i], 0);
        cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i],
                  "dies of signal %d (status 0x%x)", sigs[i], status);
        cr_expect(!exists(path) && !exists(partial), "signal %d: no file left", sigs[i]);
    }
}

Test(reliability, a_signal_ignored_at_start_stays_ignored, .init = make_dir, .fini = remove_dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/i.h5", dir);
    int status = run_child(path, SIGTERM, 1);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
    cr_expect(exists(path), "the run went on and committed its file");
}

Test(reliability, after_the_commit_a_signal_has_its_default_action_and_the_file_stays, .init = make_dir, .fini = remove_dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/c.h5", dir);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        aimc_prog_common c;
        aimc_err err = {0, ""};
        common_for(&c, path);
        aimc_h5 *h = aimc_prog_open_output(&spec, &c);
        if (h == NULL || aimc_prog_finish(h, &spec, GSL_SUCCESS, &err) != 0)
            _exit(3);
        raise(SIGTERM);
        _exit(4);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status 0x%x", status);
    cr_expect(exists(path), "a committed result is not removed");
}

Test(reliability, the_partial_file_stays_empty_until_the_commit_writes_it_whole, .init = make_dir, .fini = remove_dir)
{
    char path[128], partial[160];
    aimc_err err = {0, ""};
    double v[3] = {1, 2, 3};
    struct stat st;
    snprintf(path, sizeof path, "%s/p.h5", dir);
    snprintf(partial, sizeof partial, "%s.partial", path);
    aimc_h5 *h = aimc_h5_create(path, 0, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(aimc_h5_write_vector(h, "/v", 3, v, &err), GSL_SUCCESS);
    cr_assert_eq(stat(partial, &st), 0);
    cr_expect_eq(st.st_size, 0, "the file is built in memory: nothing on disk before commit");
    cr_assert_eq(aimc_h5_commit(h, &err), GSL_SUCCESS, "%s", err.msg);
    cr_expect(!exists(partial) && stat(path, &st) == 0 && st.st_size > 0);
}

Test(reliability, readers_refuse_a_fifo_instead_of_blocking, .init = make_dir, .fini = remove_dir)
{
    char path[128];
    aimc_err err = {0, ""};
    double *v = NULL;
    size_t dims[2];
    snprintf(path, sizeof path, "%s/fifo.h5", dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_expect_eq(aimc_h5_read(path, "/v", &v, dims, &err), GSL_EFAILED);
    cr_expect(strstr(err.msg, "not a regular file") != NULL, "%s", err.msg);
    cr_expect_eq(aimc_h5_read(dir, "/v", &v, dims, &err), GSL_EFAILED, "a directory neither");
}
