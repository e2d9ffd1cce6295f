/* registry.c — the table of algorithms, built from registry.def, and the
 * lookups by name. */
#include <pthread.h>
#include <string.h>

#include "aimc/optim.h"

/* Algorithms defined in their own files need no public declaration. */
#define AIMC_OPTIM_ALGORITHM(id) extern const aimc_optim_type aimc_optim_##id;
#include "registry.def"
#undef AIMC_OPTIM_ALGORITHM

const aimc_optim_type *const aimc_optim_types[] = {
#define AIMC_OPTIM_ALGORITHM(id) &aimc_optim_##id,
#include "registry.def"
#undef AIMC_OPTIM_ALGORITHM
    NULL,
};

const aimc_optim_type *aimc_optim_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; aimc_optim_types[i] != NULL; ++i)
        if (strcmp(aimc_optim_types[i]->name, name) == 0)
            return aimc_optim_types[i];
    return NULL;
}

/* "a|b|c" built once from the table; pthread_once makes the one write
 * race-free, afterwards the string never changes. */
static char optim_names[1024];
static pthread_once_t optim_names_once = PTHREAD_ONCE_INIT;

static void optim_names_build(void)
{
    aimc_registry_names((const void *const *)aimc_optim_types, optim_names, sizeof optim_names);
}

const char *aimc_optim_type_names(void)
{
    pthread_once(&optim_names_once, optim_names_build);
    return optim_names;
}
