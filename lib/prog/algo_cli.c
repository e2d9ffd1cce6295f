/* algo_cli.c — the algorithm options every program shares: --algorithm NAME
 * (one algorithm; the parser checks the name against the registry) and
 * --algos NAME,NAME,... or --algos all (several; checked here).  Both take
 * their names from aimc_optim_types[], so a newly registered algorithm is
 * accepted and listed by --help with no edit to any program. */
#include <stdio.h>
#include <string.h>

#include "aimc/prog.h"

void aimc_algo_list_init(aimc_algo_list *l, const char *names)
{
    memset(l, 0, sizeof *l);
    l->names = names;
    snprintf(l->help, sizeof l->help,
             "comma-separated algorithms, each one of %s; or all (every one)",
             aimc_optim_type_names());
}

/* The one-line complaint about --algos, naming what is wrong and what is
 * valid, in the words the parser uses for its own options. */
static int list_fail(const aimc_algo_list *l, const char *what, aimc_err *err)
{
    return AIMC_FAIL(err, GSL_EINVAL,
                     "invalid argument \"%s\" for --algos: %s; should be a comma-separated list "
                     "of at most %d different names, each one of %s, or all",
                     l->names != NULL ? l->names : "", what, AIMC_ALGO_LIST_MAX,
                     aimc_optim_type_names());
}

/* Look up one name of the list (len characters at s) and append its type. */
static int list_add(aimc_algo_list *l, const char *s, size_t len, aimc_err *err)
{
    char name[64], why[128];
    if (len == 0)
        return list_fail(l, "an empty name", err);
    if (len >= sizeof name) {
        snprintf(why, sizeof why, "a name of %zu characters", len);
        return list_fail(l, why, err);
    }
    memcpy(name, s, len);
    name[len] = '\0';
    const aimc_optim_type *t = aimc_optim_find(name);
    if (t == NULL) {
        snprintf(why, sizeof why, "\"%s\" is not an algorithm", name);
        return list_fail(l, why, err);
    }
    for (size_t k = 0; k < l->n; ++k)
        if (l->type[k] == t) {
            snprintf(why, sizeof why, "\"%s\" is listed twice", name);
            return list_fail(l, why, err);
        }
    if (l->n == AIMC_ALGO_LIST_MAX)
        return list_fail(l, "too many names", err);
    l->type[l->n++] = t;
    return GSL_SUCCESS;
}

int aimc_algo_list_resolve(aimc_algo_list *l, aimc_err *err)
{
    l->n = 0;
    if (l->names == NULL || l->names[0] == '\0')
        return list_fail(l, "no name", err);
    if (strcmp(l->names, "all") == 0) { /* every registered algorithm, in registry order */
        int st = GSL_SUCCESS;
        for (size_t k = 0; st == GSL_SUCCESS && aimc_optim_types[k] != NULL; ++k)
            st = list_add(l, aimc_optim_types[k]->name, strlen(aimc_optim_types[k]->name), err);
        if (st != GSL_SUCCESS)
            l->n = 0;
        return st;
    }
    for (const char *s = l->names;;) {
        const char *comma = strchr(s, ',');
        const size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
        int st = list_add(l, s, len, err);
        if (st != GSL_SUCCESS) {
            l->n = 0;
            return st;
        }
        if (comma == NULL)
            return GSL_SUCCESS;
        s = comma + 1;
    }
}
