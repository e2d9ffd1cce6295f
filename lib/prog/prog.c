/* prog.c — the program-side layer: command line with presets, --help,
 * provenance of the result file and the progress bar (aimc/prog.h).
 *
 * Every option, common or the program's own, is seen through one internal
 * view (`entry`), so parsing, --help and /config treat them alike: a value is
 * checked by the same code and described by the same range wording
 * everywhere ("should be in (0, 1]" in an error, "in (0, 1]" in --help).
 *
 * This layer prints but never exits; it returns what the program should do.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>

#include "aimc/prog.h"

/* ---- the option table ---------------------------------------------------- */

/* What an option does besides (or instead of) storing a value. */
enum role {
    ROLE_VALUE,   /* store the value in the target */
    ROLE_QUICK,   /* --quick: clears c->full (the target) */
    ROLE_HELP,    /* --help: print usage, stop */
    ROLE_VERSION  /* --version: print the version, stop */
};

typedef struct {
    aimc_option o;     /* name, kind, target, range, unit, help */
    int short_name;    /* 'o', 'q', 'h', 'V', or 0 */
    const char *arg;   /* placeholder shown in --help: "X", "N", "FILE" */
    enum role role;
} entry;

enum { N_COMMON = 10 };

/* getopt_long codes: a short option's own letter, else FIRST_LONG + index. */
enum { FIRST_LONG = 256 };

/* RETURN_IN_ORDER ('-'): a stray positional argument comes back as code 1,
 * in order, and argv is never permuted.  ':' makes a missing argument
 * distinguishable (':' instead of '?'). */
static const char optstring[] = "-:o:qhV";

typedef struct {
    entry common[N_COMMON];
    const aimc_option *prog;  /* the program's table, may be NULL */
    size_t n_prog;
} table;

static const char *placeholder(aimc_opt_kind kind)
{
    switch (kind) {
    case AIMC_OPT_DOUBLE: return "X";
    case AIMC_OPT_UINT:
    case AIMC_OPT_U64: return "N";
    case AIMC_OPT_NAME: return "NAME";
    case AIMC_OPT_STRING: return "TEXT";
    case AIMC_OPT_FLAG: break;
    }
    return "";
}

/* The common options, with targets inside `c`.  `c` is only written through
 * when parsing; --help reads it through the same view. */
static void table_init(table *t, const aimc_prog_spec *spec, aimc_prog_common *c)
{
    const entry common[N_COMMON] = {
        { { .name = "quick", .kind = AIMC_OPT_FLAG, .target = &c->full, .unit = "",
            .help = "quick preset: seconds, used by the tests" }, 0, "", ROLE_QUICK },
        { { .name = "full", .kind = AIMC_OPT_FLAG, .target = &c->full, .unit = "",
            .help = "the paper's preset" }, 0, "", ROLE_VALUE },
        { { .name = "seed", .kind = AIMC_OPT_U64, .target = &c->seed, .min = 0,
            .max = (double)UINT64_MAX, .unit = "",
            .help = "seed of every random stream" }, 0, "N", ROLE_VALUE },
        { { .name = "reps", .kind = AIMC_OPT_UINT, .target = &c->reps, .min = 1,
            .max = (double)UINT_MAX, .unit = "",
            .help = "independent repetitions of each run" }, 0, "N", ROLE_VALUE },
        { { .name = "output", .kind = AIMC_OPT_STRING, .target = &c->output, .unit = "",
            .help = "result file (HDF5, written to FILE.partial, then renamed)" },
          'o', "FILE", ROLE_VALUE },
        { { .name = "threads", .kind = AIMC_OPT_UINT, .target = &c->threads, .min = 1,
            .max = 1024, .unit = "",
            .help = "OpenMP threads (results do not depend on it)" }, 0, "N", ROLE_VALUE },
        { { .name = "quiet", .kind = AIMC_OPT_FLAG, .target = &c->quiet, .unit = "",
            .help = "no progress bar" }, 'q', "", ROLE_VALUE },
        { { .name = "force", .kind = AIMC_OPT_FLAG, .target = &c->force, .unit = "",
            .help = "overwrite an existing result file" }, 0, "", ROLE_VALUE },
        { { .name = "help", .kind = AIMC_OPT_FLAG, .unit = "",
            .help = "print this help and exit" }, 'h', "", ROLE_HELP },
        { { .name = "version", .kind = AIMC_OPT_FLAG, .unit = "",
            .help = "print the version and exit" }, 'V', "", ROLE_VERSION },
    };
    memcpy(t->common, common, sizeof common);
    t->prog = spec->options;
    t->n_prog = 0;
    while (t->prog != NULL && t->prog[t->n_prog].name != NULL)
        t->n_prog++;
}

static size_t table_size(const table *t) { return N_COMMON + t->n_prog; }

static entry table_at(const table *t, size_t i)
{
    if (i < N_COMMON)
        return t->common[i];
    entry e = { t->prog[i - N_COMMON], 0, placeholder(t->prog[i - N_COMMON].kind), ROLE_VALUE };
    return e;
}

static int code_of(const table *t, size_t i)
{
    return i < N_COMMON && t->common[i].short_name ? t->common[i].short_name
                                                    : FIRST_LONG + (int)i;
}

/* The entry a getopt code stands for; 0 if none. */
static int entry_of_code(const table *t, int code, entry *e)
{
    for (size_t i = 0; i < table_size(t); i++) {
        if (code_of(t, i) == code) {
            *e = table_at(t, i);
            return 1;
        }
    }
    return 0;
}

/* ---- messages ------------------------------------------------------------ */

/* One line on stderr: "PROGRAM: what (see --help)". */
static void complain(const aimc_prog_spec *spec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void complain(const aimc_prog_spec *spec, const char *fmt, ...)
{
    char line[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s (see --help)\n", spec->program, line);
}

/* `s` in double quotes, control characters escaped and long text cut, so
 * that whatever the user typed, the complaint stays one readable line. */
static const char *quoted_upto(const char *s, char *buf, size_t len, size_t shown)
{
    size_t k = 0, n = 0;
    buf[k++] = '"';
    for (; *s != '\0' && k + 8 < len; s++, n++) {
        unsigned char ch = (unsigned char)*s;
        if (n == shown) {
            k += (size_t)snprintf(buf + k, len - k, "...");
            break;
        }
        if (ch == '"' || ch == '\\')
            k += (size_t)snprintf(buf + k, len - k, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            k += (size_t)snprintf(buf + k, len - k, "\\x%02x", ch);
        else
            buf[k++] = (char)ch;
    }
    buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}

/* Values typed on the command line: the first 60 characters are enough. */
static const char *quoted(const char *s, char *buf, size_t len)
{
    return quoted_upto(s, buf, len, 60);
}

/* The shortest "%g" text that reads back as exactly x: 0.1, not 0.100000. */
static void fmt_double(char *buf, size_t len, double x)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* ---- ranges -------------------------------------------------------------- */

static uint64_t type_max(aimc_opt_kind kind) { return kind == AIMC_OPT_UINT ? UINT_MAX : UINT64_MAX; }

/* The inclusive integer range [lo, hi] that [min, max] (open sides per the
 * flags) allows, clipped to the type: v > 0.5 means v >= 1, v < 10 means
 * v <= 9.  An empty range (a table bug) comes out as lo > hi. */
static void int_bounds(const aimc_option *o, uint64_t *lo, uint64_t *hi)
{
    const uint64_t tmax = type_max(o->kind);
    const double dmax = (double)tmax; /* 2^64 for U64: rounded up, hence "<" below */
    double l = (o->flags & AIMC_OPT_MIN_OPEN) ? floor(o->min) + 1 : ceil(o->min);
    double h = (o->flags & AIMC_OPT_MAX_OPEN) ? ceil(o->max) - 1 : floor(o->max);

    *lo = !(l > 0) ? 0 : l < dmax ? (uint64_t)l : tmax;
    *hi = !(h < dmax) ? tmax : h >= 0 ? (uint64_t)h : 0;
    if (h < 0 && *lo == 0)
        *lo = 1;
}

/* The valid values in words, as used after "should be " and in --help:
 * "> 0", "in (0, 1]", ">= 1", "in [1, 1024]", "one of a|b".  Empty when any
 * value of the kind will do (unbounded doubles, strings, flags). */
static void range_words(const aimc_option *o, char *buf, size_t len)
{
    char a[40], b[40];
    uint64_t lo, hi;

    buf[0] = '\0';
    switch (o->kind) {
    case AIMC_OPT_DOUBLE: {
        int has_lo = isfinite(o->min), has_hi = isfinite(o->max);
        int lo_open = (o->flags & AIMC_OPT_MIN_OPEN) != 0, hi_open = (o->flags & AIMC_OPT_MAX_OPEN) != 0;
        fmt_double(a, sizeof a, o->min);
        fmt_double(b, sizeof b, o->max);
        if (has_lo && has_hi)
            snprintf(buf, len, "in %c%s, %s%c", lo_open ? '(' : '[', a, b, hi_open ? ')' : ']');
        else if (has_lo)
            snprintf(buf, len, "%s %s", lo_open ? ">" : ">=", a);
        else if (has_hi)
            snprintf(buf, len, "%s %s", hi_open ? "<" : "<=", b);
        break;
    }
    case AIMC_OPT_UINT:
    case AIMC_OPT_U64:
        int_bounds(o, &lo, &hi);
        if (hi == type_max(o->kind))
            snprintf(buf, len, ">= %" PRIu64, lo);
        else
            snprintf(buf, len, "in [%" PRIu64 ", %" PRIu64 "]", lo, hi);
        break;
    case AIMC_OPT_NAME:
        snprintf(buf, len, "one of %s", o->choices != NULL ? o->choices() : "");
        break;
    case AIMC_OPT_FLAG:
    case AIMC_OPT_STRING:
        break;
    }
}

/* ---- values -------------------------------------------------------------- */

/* Decimal digits only: strtoull alone would take " 7", "+7" and even "-1"
 * (as 2^64 - 1). */
static int parse_u64(const char *s, uint64_t *v, int *overflow)
{
    char *end;
    unsigned long long x;

    *overflow = 0;
    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    x = strtoull(s, &end, 10);
    if (*end != '\0')
        return -1;
    if (errno == ERANGE) {
        *overflow = 1;
        return -1;
    }
    *v = x;
    return 0;
}

static int name_in_choices(const char *name, const char *choices)
{
    size_t n = strlen(name);
    const char *p = choices;
    if (n == 0 || choices == NULL)
        return 0;
    while (*p != '\0') {
        const char *bar = strchr(p, '|');
        size_t k = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (k == n && strncmp(p, name, n) == 0)
            return 1;
        p += k + (bar != NULL);
    }
    return 0;
}

/* Store `arg` in the option's target, or leave the target alone and say what
 * the value should be ("> 0", "a number in (0, 1)") in `why`. */
static int set_value(const aimc_option *o, const char *arg, char *why, size_t len)
{
    char words[256];
    range_words(o, words, sizeof words);

    switch (o->kind) {
    case AIMC_OPT_DOUBLE: {
        char *end;
        double x;
        if (isspace((unsigned char)arg[0]) || arg[0] == '\0')
            goto not_a_number;
        x = strtod(arg, &end);
        if (*end != '\0')
            goto not_a_number;
        if (!isfinite(x)) { /* nan, inf, or beyond DBL_MAX */
            snprintf(why, len, "a finite number%s%s", words[0] ? " " : "", words);
            return -1;
        }
        if (isfinite(o->min) && ((o->flags & AIMC_OPT_MIN_OPEN) ? !(x > o->min) : !(x >= o->min)))
            goto out_of_range;
        if (isfinite(o->max) && ((o->flags & AIMC_OPT_MAX_OPEN) ? !(x < o->max) : !(x <= o->max)))
            goto out_of_range;
        *(double *)o->target = x;
        return 0;
    not_a_number:
        snprintf(why, len, "a number%s%s", words[0] ? " " : "", words);
        return -1;
    }
    case AIMC_OPT_UINT:
    case AIMC_OPT_U64: {
        uint64_t v = 0, lo, hi;
        int overflow;
        int_bounds(o, &lo, &hi);
        if (parse_u64(arg, &v, &overflow) != 0 || v > type_max(o->kind)) {
            /* Too large for the type: name the largest value allowed. */
            if ((overflow || v > type_max(o->kind)) && hi == type_max(o->kind))
                snprintf(why, len, "an integer in [%" PRIu64 ", %" PRIu64 "]", lo, hi);
            else
                snprintf(why, len, "an integer %s", words);
            return -1;
        }
        if (v < lo || v > hi)
            goto out_of_range;
        if (o->kind == AIMC_OPT_UINT)
            *(unsigned *)o->target = (unsigned)v;
        else
            *(uint64_t *)o->target = v;
        return 0;
    }
    case AIMC_OPT_NAME:
        if (!name_in_choices(arg, o->choices != NULL ? o->choices() : NULL))
            goto out_of_range;
        *(const char **)o->target = arg;
        return 0;
    case AIMC_OPT_STRING:
        *(const char **)o->target = arg;
        return 0;
    case AIMC_OPT_FLAG:
        *(int *)o->target = 1;
        return 0;
    }
out_of_range:
    snprintf(why, len, "%s", words);
    return -1;
}

/* The resolved value as --help shows it. */
static void value_text(const entry *e, char *buf, size_t len)
{
    const aimc_option *o = &e->o;
    buf[0] = '\0';
    if (o->target == NULL)
        return;
    switch (o->kind) {
    case AIMC_OPT_DOUBLE: fmt_double(buf, len, *(const double *)o->target); break;
    case AIMC_OPT_UINT: snprintf(buf, len, "%u", *(const unsigned *)o->target); break;
    case AIMC_OPT_U64: snprintf(buf, len, "%" PRIu64, *(const uint64_t *)o->target); break;
    case AIMC_OPT_FLAG: {
        int on = *(const int *)o->target != 0;
        snprintf(buf, len, "%s", on != (e->role == ROLE_QUICK) ? "on" : "off");
        break;
    }
    case AIMC_OPT_NAME:
    case AIMC_OPT_STRING: {
        const char *s = *(const char *const *)o->target;
        snprintf(buf, len, "%s", s == NULL ? "(none)" : s[0] == '\0' ? "\"\"" : s);
        break;
    }
    }
}

/* ---- the command line ---------------------------------------------------- */

static int shell_safe(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (!isalnum((unsigned char)*s) && strchr("@%+=:,./_-", *s) == NULL)
            return 0;
    return 1;
}

/* argv as a shell would need it typed back: words with spaces or quotes go
 * in single quotes (a quote inside becomes '\'').  What does not fit ends
 * in " ...". */
static void record_command_line(aimc_prog_common *c, int argc, char **argv)
{
    char *out = c->command_line;
    const size_t room = sizeof c->command_line - sizeof " ...";
    size_t k = 0;

    out[0] = '\0';
    for (int i = 0; i < argc && argv[i] != NULL; i++) {
        const char *s = argv[i];
        size_t need = (i > 0 ? 1 : 0) + strlen(s);
        if (!shell_safe(s)) {
            need += 2;
            for (const char *p = s; *p != '\0'; p++)
                if (*p == '\'')
                    need += 3;
        }
        if (k + need > room) {
            memcpy(out + k, " ...", sizeof " ...");
            return;
        }
        if (i > 0)
            out[k++] = ' ';
        if (shell_safe(s)) {
            memcpy(out + k, s, strlen(s));
            k += strlen(s);
        } else {
            out[k++] = '\'';
            for (const char *p = s; *p != '\0'; p++) {
                if (*p == '\'') {
                    memcpy(out + k, "'\\''", 4);
                    k += 4;
                } else {
                    out[k++] = *p;
                }
            }
            out[k++] = '\'';
        }
        out[k] = '\0';
    }
}

/* ---- parsing ------------------------------------------------------------- */

/* A program's table must not reuse a common name, repeat itself, or lack a
 * target; such a bug is reported like bad input, before anything is read. */
static int check_table(const aimc_prog_spec *spec, const table *t)
{
    for (size_t i = N_COMMON; i < table_size(t); i++) {
        entry e = table_at(t, i);
        const char *why = NULL;
        if (e.o.name[0] == '\0' || e.o.name[0] == '-' || strchr(e.o.name, '=') != NULL)
            why = "is not a valid long option name";
        else if (e.o.target == NULL)
            why = "has no target";
        else if (e.o.kind > AIMC_OPT_STRING)
            why = "has an unknown kind";
        else if (e.o.kind == AIMC_OPT_NAME && e.o.choices == NULL)
            why = "has no choices()";
        for (size_t j = 0; j < i && why == NULL; j++)
            if (strcmp(table_at(t, j).o.name, e.o.name) == 0)
                why = "is defined twice";
        if (why != NULL) {
            complain(spec, "internal error: option --%s %s", e.o.name, why);
            return -1;
        }
    }
    return 0;
}

/* Pass one: which preset?  The same getopt table is used so that an option's
 * argument that happens to read "--full" (as in -o --full) is not mistaken
 * for the preset; errors are left for pass two. */
static int scan_preset(int argc, char **argv, const table *t, const struct option *longopts)
{
    int full = 0, code;
    optind = 0; /* GNU getopt: full re-initialisation */
    while ((code = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
        entry e;
        if (code != 1 && code != '?' && code != ':' && entry_of_code(t, code, &e)) {
            if (e.role == ROLE_QUICK)
                full = 0;
            else if (strcmp(e.o.name, "full") == 0)
                full = 1;
        }
    }
    return full;
}

/* getopt said '?': an unknown or ambiguous option, or an argument given to
 * an option that takes none. */
static void complain_bad_option(const aimc_prog_spec *spec, const table *t, int argc, char **argv)
{
    char q[256];
    entry e;

    if (optopt != 0 && entry_of_code(t, optopt, &e)) {
        complain(spec, "option --%s takes no argument", e.o.name);
        return;
    }
    if (optopt != 0) {
        char s[3] = { '-', (char)optopt, '\0' };
        complain(spec, "unknown option %s", quoted(s, q, sizeof q));
        return;
    }
    /* A long option: glibc has already stepped past it. */
    const char *arg = optind >= 1 && optind <= argc ? argv[optind - 1] : "";
    if (strncmp(arg, "--", 2) == 0) {
        const char *name = arg + 2;
        size_t n = strcspn(name, "="), matches = 0;
        char list[512] = "";
        size_t k = 0;
        for (size_t i = 0; i < table_size(t) && n > 0; i++) {
            const char *cand = table_at(t, i).o.name;
            if (strncmp(cand, name, n) == 0) {
                matches++;
                k += (size_t)snprintf(list + k, k < sizeof list ? sizeof list - k : 0,
                                      "%s--%s", matches > 1 ? ", " : "", cand);
                if (k >= sizeof list)
                    k = sizeof list - 1;
            }
        }
        if (matches > 1) {
            complain(spec, "ambiguous option %s: could be %s", quoted(arg, q, sizeof q), list);
            return;
        }
    }
    complain(spec, "unknown option %s", quoted(arg, q, sizeof q));
}

/* Pass two: every option in order; explicit values land on top of the
 * preset's. */
static int parse_options(const aimc_prog_spec *spec, aimc_prog_common *c, const table *t,
                         const struct option *longopts, int argc, char **argv)
{
    char q[256], why[320];
    int code;

    optind = 0;
    while ((code = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
        entry e;
        if (code == 1) {
            complain(spec, "unexpected argument %s", quoted(optarg, q, sizeof q));
            return AIMC_PROG_USAGE;
        }
        if (code == '?') {
            complain_bad_option(spec, t, argc, argv);
            return AIMC_PROG_USAGE;
        }
        if (code == ':') {
            if (entry_of_code(t, optopt, &e))
                complain(spec, "missing argument for --%s", e.o.name);
            else
                complain(spec, "missing argument");
            return AIMC_PROG_USAGE;
        }
        if (!entry_of_code(t, code, &e))
            continue; /* cannot happen: every code comes from the table */
        switch (e.role) {
        case ROLE_HELP:
            aimc_prog_usage(spec, c, stdout);
            return AIMC_PROG_DONE;
        case ROLE_VERSION:
            printf("%s (aimc-bench %s, %s)\n", spec->program, aimc_version(),
                   aimc_build_git_describe());
            return AIMC_PROG_DONE;
        case ROLE_QUICK:
            *(int *)e.o.target = 0;
            break;
        case ROLE_VALUE:
            if (set_value(&e.o, optarg, why, sizeof why) != 0) {
                complain(spec, "invalid argument %s for --%s: should be %s",
                         quoted(optarg, q, sizeof q), e.o.name, why);
                return AIMC_PROG_USAGE;
            }
            break;
        }
    }
    /* Words after "--" are not options either. */
    if (optind < argc) {
        complain(spec, "unexpected argument %s", quoted(argv[optind], q, sizeof q));
        return AIMC_PROG_USAGE;
    }
    return AIMC_PROG_RUN;
}

/* The result file's place, checked before any work (theory checks open
 * their file only after it): -o must name a file that does not exist (or,
 * with --force, a regular file), in a directory that exists and can be
 * written.  aimc_h5_create checks again when the file is made; this only
 * moves the common mistakes ahead of the run.  Returns 0 or complains. */
static int check_output(const aimc_prog_spec *spec, const aimc_prog_common *c)
{
    char q[640], qd[640], dir[PATH_MAX];
    const char *path = c->output, *slash = strrchr(path, '/');
    struct stat st;

    if (path[0] == '\0') {
        complain(spec, "invalid argument \"\" for --output: should be a file name");
        return -1;
    }
    quoted_upto(path, q, sizeof q, 300); /* a path is shown whole, up to 300 characters */
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            complain(spec, "--output %s is a directory; give a file name", q);
        else if (!S_ISREG(st.st_mode))
            complain(spec, "--output %s is not a regular file; give a file name", q);
        else if (!c->force)
            complain(spec, "--output %s exists; add --force to overwrite it", q);
        return S_ISREG(st.st_mode) && c->force ? 0 : -1;
    }
    if (errno != ENOENT) {
        complain(spec, "cannot use --output %s: %s", q, strerror(errno));
        return -1;
    }
    /* A new file: its directory must exist and take new files. */
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else /* "/x.h5" lives in "/" */
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    quoted_upto(dir, qd, sizeof qd, 300);
    if (stat(dir, &st) != 0) {
        complain(spec, "cannot write --output %s: directory %s %s", q, qd,
                 errno == ENOENT ? "does not exist (create it first)" : strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        complain(spec, "cannot write --output %s: %s is not a directory", q, qd);
        return -1;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        complain(spec, "cannot write --output %s in directory %s: %s", q, qd, strerror(errno));
        return -1;
    }
    return 0;
}

int aimc_prog_parse(const aimc_prog_spec *spec, aimc_prog_common *c, int argc, char **argv)
{
    table t;
    struct option *longopts = NULL;
    int rc = AIMC_PROG_USAGE, saved_opterr = opterr;
    aimc_err err = { 0, "" };

    /* Programs handle every GSL status themselves: GSL's default handler
     * would abort the process instead (the library never changes this
     * process-wide setting; a program does, once, here). */
    gsl_set_error_handler_off();
    record_command_line(c, argc, argv);
    table_init(&t, spec, c);
    if (check_table(spec, &t) != 0)
        return AIMC_PROG_USAGE;
    longopts = calloc(table_size(&t) + 1, sizeof *longopts);
    if (longopts == NULL) {
        fprintf(stderr, "%s: out of memory\n", spec->program);
        return AIMC_PROG_USAGE;
    }
    for (size_t i = 0; i < table_size(&t); i++) {
        entry e = table_at(&t, i);
        longopts[i].name = e.o.name;
        longopts[i].has_arg = e.o.kind == AIMC_OPT_FLAG ? no_argument : required_argument;
        longopts[i].flag = NULL;
        longopts[i].val = code_of(&t, i);
    }

    /* Defaults, then the preset's, then what was typed. */
    c->full = 0;
    c->seed = 1;
    c->reps = 1;
    c->output = spec->default_output;
    c->threads = 1;
    c->quiet = 0;
    c->force = 0;
    opterr = 0;
    c->full = scan_preset(argc, argv, &t, longopts);
    if (spec->preset != NULL)
        spec->preset(c->full, c, spec->ctx);
    rc = parse_options(spec, c, &t, longopts, argc, argv);
    opterr = saved_opterr;

    if (rc == AIMC_PROG_RUN && spec->check != NULL && spec->check(spec->ctx, &err) != 0) {
        /* Keep it one line, whatever the check wrote. */
        for (char *p = err.msg; *p != '\0'; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        complain(spec, "%s", err.msg[0] != '\0' ? err.msg : "inconsistent options");
        rc = AIMC_PROG_USAGE;
    }
    if (rc == AIMC_PROG_RUN && c->output != NULL && check_output(spec, c) != 0)
        rc = AIMC_PROG_USAGE;
    if (rc == AIMC_PROG_RUN)
        aimc_set_threads((int)c->threads);
    free(longopts);
    return rc;
}

/* ---- usage --------------------------------------------------------------- */

enum { MAX_DEFAULT_W = 24, MAX_VALID_W = 30 };

typedef struct {
    char opt[96], def[256], valid[256], unit[32], help[512];
} usage_row;

static void usage_row_fill(const entry *e, usage_row *r)
{
    const aimc_option *o = &e->o;
    if (e->short_name)
        snprintf(r->opt, sizeof r->opt, "-%c, --%s%s%s", e->short_name, o->name,
                 e->arg[0] ? " " : "", e->arg);
    else
        snprintf(r->opt, sizeof r->opt, "    --%s%s%s", o->name, e->arg[0] ? " " : "", e->arg);
    value_text(e, r->def, sizeof r->def);
    range_words(o, r->valid, sizeof r->valid);
    if (o->kind == AIMC_OPT_DOUBLE && r->valid[0] == '\0')
        snprintf(r->valid, sizeof r->valid, "any number");
    snprintf(r->unit, sizeof r->unit, "%s", o->unit != NULL ? o->unit : "");
    snprintf(r->help, sizeof r->help, "%s", o->help != NULL ? o->help : "");
    /* A long list of names would widen every row: it goes after the help. */
    if (o->kind == AIMC_OPT_NAME && strlen(r->valid) > MAX_VALID_W) {
        size_t k = strlen(r->help);
        snprintf(r->help + k, sizeof r->help - k, "%s%s", k ? "; " : "", r->valid);
        snprintf(r->valid, sizeof r->valid, "one of: see meaning");
    }
}

static int min_int(size_t a, int b) { return a < (size_t)b ? (int)a : b; }

void aimc_prog_usage(const aimc_prog_spec *spec, const aimc_prog_common *c, FILE *out)
{
    table t;
    usage_row r;
    int w_opt = (int)strlen("OPTION"), w_def = (int)strlen("DEFAULT");
    int w_valid = (int)strlen("VALID"), w_unit = 0;

    /* Read-only: the targets inside c are only looked at. */
    table_init(&t, spec, (aimc_prog_common *)c);
    for (size_t i = 0; i < table_size(&t); i++) {
        entry e = table_at(&t, i);
        usage_row_fill(&e, &r);
        w_opt = w_opt > (int)strlen(r.opt) ? w_opt : (int)strlen(r.opt);
        w_def = w_def > min_int(strlen(r.def), MAX_DEFAULT_W) ? w_def : min_int(strlen(r.def), MAX_DEFAULT_W);
        w_valid = w_valid > min_int(strlen(r.valid), MAX_VALID_W) ? w_valid : min_int(strlen(r.valid), MAX_VALID_W);
        w_unit = w_unit > (int)strlen(r.unit) ? w_unit : (int)strlen(r.unit);
    }
    if (w_unit > 0 && w_unit < (int)strlen("UNIT"))
        w_unit = (int)strlen("UNIT");

    fprintf(out, "Usage: %s [options]\n", spec->program);
    if (spec->artifact != NULL && spec->artifact[0] != '\0')
        fprintf(out, "Reproduces %s.\n", spec->artifact);
    if (spec->claim != NULL && spec->claim[0] != '\0')
        fprintf(out, "Claim: %s\n", spec->claim);
    fprintf(out, "\nDefaults: the %s preset, with the options given before --help.\n\n",
            c->full ? "paper (--full)" : "quick (--quick)");

    fprintf(out, "  %-*s  %-*s  %-*s  ", w_opt, "OPTION", w_def, "DEFAULT", w_valid, "VALID");
    if (w_unit > 0)
        fprintf(out, "%-*s  ", w_unit, "UNIT");
    fprintf(out, "MEANING\n");
    for (size_t i = 0; i < table_size(&t); i++) {
        entry e = table_at(&t, i);
        if (i == N_COMMON)
            fprintf(out, "  options of %s:\n", spec->program);
        usage_row_fill(&e, &r);
        fprintf(out, "  %-*s  %-*s  %-*s  ", w_opt, r.opt, w_def, r.def, w_valid, r.valid);
        if (w_unit > 0)
            fprintf(out, "%-*s  ", w_unit, r.unit);
        fprintf(out, "%s\n", r.help);
    }
}

/* ---- interruption ---------------------------------------------------------- */

/* While the result file is being written (from aimc_prog_open_output to
 * aimc_prog_finish), SIGINT, SIGTERM, SIGHUP and SIGPIPE first remove its
 * FILE.partial and then take their default course: the process dies of the
 * signal, so a shell reports status 128 + signal number, and nothing that
 * could pass for a result stays behind.  A signal the program was started
 * with ignored (nohup, background jobs) stays ignored.  SIGKILL cannot be
 * caught: the FILE.partial it leaves says by its name that it is not a
 * result, and the next run with the same -o truncates it.  SIGXFSZ (a file
 * size limit, ulimit -f) is ignored meanwhile, so that exceeding the limit
 * is a write error with a message and no half file, as a full disk is.
 *
 * The handler calls only async-signal-safe functions (unlink, write,
 * sigaction, raise); what it writes is composed when the file is opened.
 * One result file at a time, as every program writes exactly one. */
static const struct {
    int sig;
    const char *name;
} caught[] = { { SIGINT, "SIGINT" }, { SIGTERM, "SIGTERM" }, { SIGHUP, "SIGHUP" },
               { SIGPIPE, "SIGPIPE" } };
#define N_CAUGHT (sizeof caught / sizeof caught[0])

static struct {
    volatile sig_atomic_t armed;
    char partial[PATH_MAX];
    char prefix[160];          /* "fig2: stopped by " */
    char suffix[PATH_MAX + 32]; /* "; removed FILE.partial\n" */
    size_t prefix_len, suffix_len;
    struct sigaction saved[N_CAUGHT], saved_xfsz;
    int installed[N_CAUGHT], xfsz_installed;
} guard;

static void say(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t k = write(STDERR_FILENO, s, n);
        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
}

static void on_signal(int sig)
{
    struct sigaction dfl;

    if (guard.armed) {
        int removed = unlink(guard.partial) == 0; /* absent if the signal came first */
        say(guard.prefix, guard.prefix_len);
        for (size_t i = 0; i < N_CAUGHT; i++)
            if (caught[i].sig == sig)
                say(caught[i].name, strlen(caught[i].name));
        if (removed)
            say(guard.suffix, guard.suffix_len);
        else
            say("\n", 1);
    }
    /* Die of the signal: it stays blocked until this handler returns, and
     * is then delivered with its default action. */
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

static void guard_arm(const aimc_prog_spec *spec, const char *path)
{
    struct sigaction sa, old, ign;
    int n;

    if (path == NULL || (size_t)snprintf(guard.partial, sizeof guard.partial, "%s.partial", path)
                            >= sizeof guard.partial)
        return; /* too long for any file system: the create fails anyway */
    /* A progress bar may be on the line: start a new one. */
    n = snprintf(guard.prefix, sizeof guard.prefix, "%s%s: stopped by ",
                 isatty(STDERR_FILENO) ? "\n" : "", spec->program);
    guard.prefix_len = n < 0 ? 0 : (size_t)n < sizeof guard.prefix ? (size_t)n : sizeof guard.prefix - 1;
    n = snprintf(guard.suffix, sizeof guard.suffix, "; removed %s\n", guard.partial);
    guard.suffix_len = n < 0 ? 0 : (size_t)n < sizeof guard.suffix ? (size_t)n : sizeof guard.suffix - 1;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_CAUGHT; i++)
        sigaddset(&sa.sa_mask, caught[i].sig); /* one cleanup at a time */
    for (size_t i = 0; i < N_CAUGHT; i++) {
        guard.installed[i] = 0;
        if (sigaction(caught[i].sig, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            guard.installed[i] = sigaction(caught[i].sig, &sa, &guard.saved[i]) == 0;
    }
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    guard.xfsz_installed = sigaction(SIGXFSZ, &ign, &guard.saved_xfsz) == 0;
    atomic_signal_fence(memory_order_seq_cst); /* the path is written before armed */
    guard.armed = 1;
}

static void guard_disarm(void)
{
    guard.armed = 0;
    atomic_signal_fence(memory_order_seq_cst);
    for (size_t i = 0; i < N_CAUGHT; i++)
        if (guard.installed[i])
            sigaction(caught[i].sig, &guard.saved[i], NULL);
    if (guard.xfsz_installed)
        sigaction(SIGXFSZ, &guard.saved_xfsz, NULL);
    memset(guard.installed, 0, sizeof guard.installed);
    guard.xfsz_installed = 0;
}

/* ---- output and provenance ----------------------------------------------- */

aimc_h5 *aimc_prog_open_output(const aimc_prog_spec *spec, const aimc_prog_common *c)
{
    aimc_err err = { 0, "" };
    aimc_h5 *h;

    /* Armed before the file exists, so that no moment is left in which a
     * signal could leave it behind. */
    guard_arm(spec, c->output);
    h = aimc_h5_create(c->output, c->force, &err);
    if (h == NULL) {
        guard_disarm();
        fprintf(stderr, "%s: %s\n", spec->program, err.msg[0] ? err.msg : "cannot create the output file");
    }
    return h;
}

/* HDF5 has no unsigned 64-bit attribute here: a value beyond INT64_MAX
 * (a --seed only) is kept exactly, as its decimal text. */
static int attr_u64(aimc_h5 *h, const char *obj, const char *name, uint64_t v, aimc_err *err)
{
    char text[24];
    if (v <= (uint64_t)LLONG_MAX)
        return aimc_h5_attr_int(h, obj, name, (long long)v, err);
    snprintf(text, sizeof text, "%" PRIu64, v);
    return aimc_h5_attr_string(h, obj, name, text, err);
}

/* /config: every option's resolved value under its command-line name. */
static int write_config(aimc_h5 *h, const table *t, aimc_err *err)
{
    int rc = aimc_h5_group(h, "/config", err);
    for (size_t i = 0; i < table_size(t) && rc == GSL_SUCCESS; i++) {
        entry e = table_at(t, i);
        const aimc_option *o = &e.o;
        if (e.role == ROLE_HELP || e.role == ROLE_VERSION)
            continue;
        switch (o->kind) {
        case AIMC_OPT_DOUBLE:
            rc = aimc_h5_attr_double(h, "/config", o->name, *(const double *)o->target, err);
            break;
        case AIMC_OPT_UINT:
            rc = aimc_h5_attr_int(h, "/config", o->name, *(const unsigned *)o->target, err);
            break;
        case AIMC_OPT_U64:
            rc = attr_u64(h, "/config", o->name, *(const uint64_t *)o->target, err);
            break;
        case AIMC_OPT_FLAG: {
            int on = *(const int *)o->target != 0;
            rc = aimc_h5_attr_int(h, "/config", o->name, on != (e.role == ROLE_QUICK), err);
            break;
        }
        case AIMC_OPT_NAME:
        case AIMC_OPT_STRING: {
            const char *s = *(const char *const *)o->target;
            rc = aimc_h5_attr_string(h, "/config", o->name, s != NULL ? s : "", err);
            break;
        }
        }
    }
    return rc;
}

int aimc_prog_write_provenance(aimc_h5 *h, const aimc_prog_spec *spec,
                               const aimc_prog_common *c, aimc_err *err)
{
    char hdf5_version[48], created[32];
    unsigned maj = 0, min = 0, rel = 0;
    time_t now = time(NULL);
    struct tm utc;
    table t;
    int rc = GSL_SUCCESS;

    H5get_libversion(&maj, &min, &rel);
    snprintf(hdf5_version, sizeof hdf5_version, "%u.%u.%u", maj, min, rel);
    if (gmtime_r(&now, &utc) == NULL || strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        snprintf(created, sizeof created, "unknown");

    const struct { const char *name, *value; } text[] = {
        { "program", spec->program },
        { "artifact", spec->artifact },
        { "claim", spec->claim },
        { "git_describe", aimc_build_git_describe() },
        { "aimc_version", aimc_version() },
        { "gsl_version", gsl_version },
        { "blas", aimc_blas_name() },
        { "hdf5_version", hdf5_version },
        { "compiler", aimc_build_compiler() },
        { "build_type", aimc_build_type() },
        { "command_line", c->command_line },
        { "preset", c->full ? "full" : "quick" },
        { "rng", "philox4x32-10" },
        { "created_utc", created },
        { "output", c->output },
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0] && rc == GSL_SUCCESS; i++)
        rc = aimc_h5_attr_string(h, "/", text[i].name, text[i].value != NULL ? text[i].value : "", err);
    if (rc == GSL_SUCCESS)
        rc = attr_u64(h, "/", "seed", c->seed, err);
    if (rc == GSL_SUCCESS)
        rc = aimc_h5_attr_int(h, "/", "reps", c->reps, err);
    if (rc == GSL_SUCCESS)
        rc = aimc_h5_attr_int(h, "/", "threads", c->threads, err);
    if (rc == GSL_SUCCESS) {
        table_init(&t, spec, (aimc_prog_common *)c); /* read-only, as in usage */
        rc = write_config(h, &t, err);
    }
    return rc;
}

int aimc_prog_finish(aimc_h5 *h, const aimc_prog_spec *spec, int status, aimc_err *err)
{
    aimc_err commit_err = { 0, "" };
    int rc;

    /* The signal guard stays armed until the file is committed or removed:
     * a signal during the commit removes a partial that was not yet renamed,
     * or finds none. */
    if (status == GSL_SUCCESS) {
        if (h == NULL) {
            fprintf(stderr, "%s: no output file to commit\n", spec->program);
            rc = 1;
        } else if (aimc_h5_commit(h, &commit_err) != GSL_SUCCESS) {
            fprintf(stderr, "%s: %s\n", spec->program,
                    commit_err.msg[0] ? commit_err.msg : "cannot commit the output file");
            rc = 1;
        } else {
            rc = 0;
        }
        guard_disarm();
        return rc;
    }
    if (err != NULL && err->msg[0] != '\0')
        fprintf(stderr, "%s: %s\n", spec->program, err->msg);
    else
        fprintf(stderr, "%s: failed: %s\n", spec->program, gsl_strerror(status));
    aimc_h5_abort(h);
    guard_disarm();
    return 1;
}

/* ---- a run that diverged ---------------------------------------------------- */

size_t aimc_first_nonfinite(const double *x, size_t n)
{
    size_t i = 0;
    while (i < n && isfinite(x[i]))
        i++;
    return i;
}

/* "<run>-diverged" into buf; -1 if it does not fit. */
static int diverged_name(const char *run, char *buf, size_t len)
{
    size_t n = strlen(run);
    while (n > 1 && run[n - 1] == '/')
        n--;
    return (size_t)snprintf(buf, len, "%.*s-diverged", (int)n, run) < len ? 0 : -1;
}

int aimc_prog_save_diverged(aimc_h5 *h, const char *run, const aimc_divergence *d,
                            size_t n_metrics, const char *const *metric,
                            const double *const *series, aimc_err *err)
{
    char group[512];
    const size_t n = d->step + 1; /* the first non-finite value is kept: it is the evidence */
    double *step;
    int rc = GSL_SUCCESS;

    if (run == NULL || diverged_name(run, group, sizeof group) != 0)
        return AIMC_FAIL(err, GSL_EINVAL, "prog: run name for the diverged series is missing or too long");
    step = malloc(n * sizeof *step);
    if (step == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "prog: out of memory for the diverged series of %s", run);
    for (size_t k = 0; k < n; k++)
        step[k] = (double)k;
    for (size_t m = 0; m < n_metrics && rc == GSL_SUCCESS; m++)
        rc = aimc_h5_write_series(h, group, metric[m], 1, n, series[m], step, err);
    if (rc == GSL_SUCCESS)
        rc = aimc_h5_group(h, group, err);
    if (rc == GSL_SUCCESS)
        rc = aimc_h5_attr_int(h, group, "diverged_at_step", (long long)d->step, err);
    if (rc == GSL_SUCCESS)
        rc = aimc_h5_attr_int(h, group, "rep", d->rep, err);
    if (rc == GSL_SUCCESS)
        rc = aimc_h5_attr_string(h, group, "parameter", d->parameter != NULL ? d->parameter : "", err);
    if (rc == GSL_SUCCESS)
        rc = aimc_h5_attr_double(h, group, "value", d->value, err);
    if (rc == GSL_SUCCESS)
        rc = aimc_h5_attr_string(h, "/", "diverged", group, err);
    free(step);
    return rc;
}

int aimc_prog_finish_diverged(aimc_h5 *h, const aimc_prog_spec *spec, const char *run,
                              const aimc_divergence *d)
{
    char group[512] = "?";
    char file[PATH_MAX];
    aimc_err err = { 0, "" };

    if (run == NULL || diverged_name(run, group, sizeof group) != 0)
        run = "?";
    snprintf(file, sizeof file, "%s", h != NULL ? aimc_h5_path(h) : "?");
    fprintf(stderr,
            "%s: %s diverged at step %zu of repetition %u (%s = %g); run stopped, "
            "its series up to that step saved as %s in %s\n",
            spec->program, run, d->step, d->rep, d->parameter != NULL ? d->parameter : "?",
            d->value, group, file);
    aimc_prog_finish(h, spec, GSL_SUCCESS, &err);
    return 1;
}

/* ---- progress bar -------------------------------------------------------- */

/* A bar appears only once a run has lasted PROGRESS_DELAY seconds, so quick
 * runs stay silent, and is redrawn at most every PROGRESS_PERIOD seconds.
 * p->last_shown holds the time of the last redraw in ms since p->t0 (0 =
 * nothing drawn yet; a redraw never happens before PROGRESS_DELAY). */
#define PROGRESS_DELAY 1.0
#define PROGRESS_PERIOD 0.1
enum { BAR_W = 30 };

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fmt_duration(char *buf, size_t len, double s)
{
    long t;
    if (!(s >= 0))
        s = 0;
    if (s >= 3600.0 * 9999) {
        snprintf(buf, len, ">9999h");
        return;
    }
    t = (long)(s + 0.5);
    if (t < 60)
        snprintf(buf, len, "%lds", t);
    else if (t < 3600)
        snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
}

/* "fig2 [#####.....]  52%  ETA 3s", fixed width for a given label. */
static int progress_line(const aimc_progress *p, uint64_t done, double elapsed, char *buf, size_t len)
{
    char bar[BAR_W + 1], eta[32] = "--";
    double f = p->total > 0 ? (double)(done < p->total ? done : p->total) / (double)p->total : 1;
    int filled = (int)(f * BAR_W);

    for (int i = 0; i < BAR_W; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_W] = '\0';
    if (done > 0)
        fmt_duration(eta, sizeof eta, elapsed * (1 - f) / f);
    return snprintf(buf, len, "%s [%s] %3d%%  ETA %-9s", p->label, bar, (int)(100 * f), eta);
}

void aimc_progress_start(aimc_progress *p, const aimc_prog_common *c, const char *label,
                         uint64_t total)
{
    p->enabled = total > 0 && (c == NULL || !c->quiet) && isatty(STDERR_FILENO);
    p->total = total;
    p->last_shown = 0;
    p->t0 = monotonic_seconds();
    p->label = label != NULL ? label : "";
}

void aimc_progress_update(aimc_progress *p, uint64_t done)
{
    char line[256];
    double elapsed;
    uint64_t ms;

    if (!p->enabled)
        return;
    elapsed = monotonic_seconds() - p->t0;
    ms = (uint64_t)(elapsed * 1000);
    if (elapsed < PROGRESS_DELAY
        || (p->last_shown != 0 && ms - p->last_shown < (uint64_t)(PROGRESS_PERIOD * 1000)))
        return;
    progress_line(p, done, elapsed, line, sizeof line);
    fprintf(stderr, "\r%s", line);
    fflush(stderr);
    p->last_shown = ms;
}

void aimc_progress_end(aimc_progress *p)
{
    char line[256];
    if (p->enabled && p->last_shown != 0) {
        int n = progress_line(p, 0, 0, line, sizeof line);
        fprintf(stderr, "\r%*s\r", n < (int)sizeof line ? n : (int)sizeof line - 1, "");
        fflush(stderr);
    }
    p->enabled = 0;
}
