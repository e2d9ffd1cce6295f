/* zoo.c — the FCN, the CNN, the data and the per-epoch loop of the paper's
 * MNIST experiments (include/aimc/nn_zoo.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aimc/nn_zoo.h"
#include "aimc/rng.h"

/* Stream objects of the data draws (the networks use others); fixed, so
 * that a result file is the same function of its seed as before the loop
 * moved here from experiments/fig4. */
enum { OBJ_SHUFFLE = 300, OBJ_SUBSET = 301 };

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

static const aimc_nn_layer_spec fcn_layers[] = {
    {AIMC_NN_DENSE, 256, 0}, {AIMC_NN_SIGMOID, 0, 0}, {AIMC_NN_DENSE, 128, 0},
    {AIMC_NN_SIGMOID, 0, 0}, {AIMC_NN_DENSE, 10, 0}};
static const aimc_nn_layer_spec cnn_layers[] = {
    {AIMC_NN_CONV, 16, 5},   {AIMC_NN_TANH, 0, 0},    {AIMC_NN_MAXPOOL, 0, 2},
    {AIMC_NN_CONV, 32, 5},   {AIMC_NN_TANH, 0, 0},    {AIMC_NN_MAXPOOL, 0, 2},
    {AIMC_NN_TANH, 0, 0},    {AIMC_NN_DENSE, 128, 0}, {AIMC_NN_TANH, 0, 0},
    {AIMC_NN_DENSE, 10, 0}};

aimc_nn_arch aimc_zoo_fcn(size_t height, size_t width)
{
    return (aimc_nn_arch){1, height, width, sizeof fcn_layers / sizeof *fcn_layers, fcn_layers};
}

aimc_nn_arch aimc_zoo_cnn(void)
{
    return (aimc_nn_arch){1, 28, 28, sizeof cnn_layers / sizeof *cnn_layers, cnn_layers};
}

aimc_nn_arch aimc_zoo_cnn_classes(size_t classes, aimc_nn_layer_spec *layers)
{
    _Static_assert(sizeof cnn_layers / sizeof *cnn_layers == AIMC_ZOO_CNN_LAYERS,
                   "AIMC_ZOO_CNN_LAYERS is the CNN's depth");
    memcpy(layers, cnn_layers, sizeof cnn_layers);
    layers[AIMC_ZOO_CNN_HEAD].out = classes;
    return (aimc_nn_arch){1, 28, 28, AIMC_ZOO_CNN_LAYERS, layers};
}

const char *aimc_zoo_data_names(void) { return "mnist|fashion|digits"; }

size_t aimc_zoo_parse_values(const char *s, double *v, size_t cap, double lo, double hi,
                             int lo_closed)
{
    size_t n = 0;
    while (*s) {
        char *end;
        const double x = strtod(s, &end);
        const int below = lo_closed ? x < lo : x <= lo;
        if (end == s || !isfinite(x) || below || x >= hi || (*end && *end != ',') || n == cap)
            return 0;
        v[n++] = x;
        s = *end ? end + 1 : end;
    }
    return n;
}

size_t aimc_zoo_parse_names(const char *s, const char *const *allowed, int *flags)
{
    char buf[256];
    size_t n = 0;
    for (size_t k = 0; allowed[k]; ++k)
        flags[k] = 0;
    if (strlen(s) >= sizeof buf || s[0] == ',' || (s[0] && s[strlen(s) - 1] == ',') ||
        strstr(s, ",,"))
        return 0;
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], tok) != 0)
            ++k;
        if (!allowed[k] || flags[k])
            return 0;
        flags[k] = 1;
        ++n;
    }
    return n;
}

aimc_zoo_settings aimc_zoo_default_settings(void)
{
    aimc_zoo_settings s;
    memset(&s, 0, sizeof s);
    s.response = aimc_response_type_find("power");
    s.gamma_res = 0.5;
    s.states = 1200;
    s.noise_form = AIMC_NOISE_ADDITIVE;
    s.update = &aimc_update_rank1;
    s.bl_max = 31;
    s.alpha_dsgd = 0.1;
    s.alpha_asgd = 0.05;
    s.alpha = 0.01;
    s.beta = 0.05;
    s.gamma = 0.0;
    s.n_col = 1;
    s.out_noise = 0.06;
    return s;
}

static int device_of(const aimc_zoo_settings *s, double tau, aimc_device_params *dp,
                     aimc_err *err)
{
    *dp = aimc_device_default_params();
    aimc_response_params rp = aimc_response_default_params();
    rp.tau = tau;
    rp.gamma_res = s->gamma_res;
    if (s->response == NULL || !(s->states > 0))
        return AIMC_FAIL(err, GSL_EINVAL, "zoo: a response family and states > 0 are needed");
    int st = aimc_response_init(&dp->response, s->response, &rp, err);
    dp->dw_min = 2.0 * tau / s->states; /* the authors' dw_min = 2τ/num_states */
    dp->sigma_c = s->sigma_c;
    dp->noise_form = s->noise_form;
    dp->dw_min_dtod = s->dw_min_dtod;
    dp->up_down_dtod = s->up_down_dtod;
    dp->bounds_dtod = s->bounds_dtod;
    return st ? st : aimc_device_validate(dp, err);
}

int aimc_zoo_params(const aimc_zoo_settings *s, const aimc_optim_type *algo, double tau,
                    aimc_nn_params *p, aimc_err *err)
{
    if (algo == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "zoo: no algorithm");
    *p = aimc_nn_default_params();
    p->algo = algo;
    aimc_optim_params *o = &p->optim;
    const int digital = algo == &aimc_optim_dsgd;
    o->alpha = digital ? s->alpha_dsgd : algo == &aimc_optim_asgd ? s->alpha_asgd : s->alpha;
    o->beta = s->beta;
    o->gamma = algo->mixes ? s->gamma : 0.0;
    o->transfer_every = 1;
    o->n_col = s->n_col; /* one per mini-batch in the paper (aihwkit units_in_mbatch) */
    o->read_noise = s->perfect_reads ? 0.0 : s->out_noise;
    p->digital_rate = digital ? s->alpha_dsgd : s->alpha_asgd;
    p->out_scale = s->out_scale;
    p->omega = s->omega;
    p->lr_compensation = s->lr_compensation;
    if (s->perfect_reads)
        p->forward = p->backward = aimc_read_perfect_settings();
    else
        p->forward.out_noise = p->backward.out_noise = s->out_noise;
    if (digital)
        return GSL_SUCCESS;
    int st = device_of(s, tau, &o->main.device, err);
    o->residual.device = o->main.device;
    o->main.update = o->residual.update = s->update;
    o->main.pulse.bl_max = o->residual.pulse.bl_max = s->bl_max;
    return st;
}

/* ---- data ------------------------------------------------------------------ */

static aimc_dataset *load_pair(const char *dir, const char *images, const char *labels,
                               aimc_err *err)
{
    char im[4096], lb[4096];
    snprintf(im, sizeof im, "%s/%s", dir, images);
    snprintf(lb, sizeof lb, "%s/%s", dir, labels);
    return aimc_dataset_read_idx(im, lb, 10, err);
}

/* A stratified subset of m samples (the files are ordered by class, so a
 * prefix would not do); m = 0 or m ≥ n keeps everything. */
static int take_subset(aimc_dataset **d, size_t m, uint32_t which, aimc_err *err)
{
    if (m == 0 || m >= (*d)->n)
        return GSL_SUCCESS;
    size_t *keep = malloc(m * sizeof *keep), *rest = malloc(((*d)->n - m) * sizeof *rest);
    int st = keep && rest ? 0 : AIMC_FAIL(err, GSL_ENOMEM, "zoo: out of memory");
    if (!st)
        st = aimc_data_split_stratified((*d)->y, (*d)->n, 10, m,
                                        aimc_seed_derive(OBJ_SUBSET, which), rest, keep, err);
    aimc_dataset *s = st ? NULL : aimc_dataset_subset(*d, keep, m, err);
    if (s) {
        aimc_dataset_free(*d);
        *d = s;
    } else if (!st) {
        st = GSL_EFAILED;
    }
    free(keep);
    free(rest);
    return st;
}

/* The digits CSV has no split of its own: 300 test samples, stratified. */
static int split_digits(aimc_dataset *all, aimc_dataset **tr, aimc_dataset **te, aimc_err *err)
{
    const size_t nt = 300;
    if (all->n <= nt)
        return AIMC_FAIL(err, GSL_EBADLEN, "zoo: %zu digits, need more than %zu", all->n, nt);
    size_t *a = malloc((all->n - nt) * sizeof *a), *b = malloc(nt * sizeof *b);
    int st = a && b ? 0 : AIMC_FAIL(err, GSL_ENOMEM, "zoo: out of memory");
    if (!st)
        st = aimc_data_split_stratified(all->y, all->n, 10, nt, 1, a, b, err);
    if (!st && (!(*tr = aimc_dataset_subset(all, a, all->n - nt, err)) ||
                !(*te = aimc_dataset_subset(all, b, nt, err))))
        st = GSL_EFAILED;
    free(a);
    free(b);
    return st;
}

static int load_split(const char *data, const char *dir, aimc_dataset **tr, aimc_dataset **te,
                      aimc_err *err)
{
    if (strcmp(data, "mnist") == 0) {
        *tr = load_pair(dir, "mnist-train-images-idx3-ubyte", "mnist-train-labels-idx1-ubyte",
                        err);
        if (*tr)
            *te = load_pair(dir, "mnist-test-images-idx3-ubyte", "mnist-test-labels-idx1-ubyte",
                            err);
    } else if (strcmp(data, "fashion") == 0) {
        *tr = load_pair(FASHION_DIR, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                        err);
        if (*tr)
            *te = load_pair(FASHION_DIR, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                            err);
    } else if (strcmp(data, "digits") == 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s/digits.csv.gz", dir);
        aimc_dataset *all = aimc_dataset_read_digits_csv(path, err);
        int st = all ? split_digits(all, tr, te, err) : GSL_EFAILED;
        aimc_dataset_free(all);
        if (st)
            return st;
    } else {
        return AIMC_FAIL(err, GSL_EINVAL, "zoo: unknown data set \"%s\"", data);
    }
    return *tr && *te ? GSL_SUCCESS : GSL_EFAILED;
}

int aimc_zoo_load(const char *data, const char *dir, size_t n_train, size_t n_test,
                  aimc_dataset **train, aimc_dataset **test, aimc_err *err)
{
    *train = *test = NULL;
    int st = data && dir ? load_split(data, dir, train, test, err)
                         : AIMC_FAIL(err, GSL_EINVAL, "zoo: no data set or folder");
    if (!st)
        st = take_subset(train, n_train, 1, err);
    if (!st)
        st = take_subset(test, n_test, 2, err);
    if (st) {
        aimc_dataset_free(*train);
        aimc_dataset_free(*test);
        *train = *test = NULL;
    }
    return st;
}

/* ---- the loop ---------------------------------------------------------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* StepLR of the authors' FCN script, for the algorithms whose whole rate
 * the scheduler scales (DSGD, ASGD); Tiki-Taka's residual rate is absolute
 * in aihwkit 0.9 and its transfer rate is fixed in our optimizer. */
static double lr_scale_of(const aimc_zoo_schedule *s, const aimc_optim_type *algo,
                          unsigned epoch)
{
    if (s->lr_step == 0 || (algo != &aimc_optim_dsgd && algo != &aimc_optim_asgd))
        return 1.0;
    return pow(s->lr_decay, (double)(epoch / s->lr_step));
}

int aimc_zoo_train(const aimc_nn_arch *a, const aimc_nn_params *p, const aimc_zoo_schedule *s,
                   uint64_t seed, const aimc_dataset *tr, const aimc_dataset *te, double *acc,
                   double *loss, aimc_zoo_stats *stats, void (*on_epoch)(void *ctx), void *ctx,
                   aimc_err *err)
{
    memset(stats, 0, sizeof *stats);
    for (unsigned e = 0; e <= s->epochs; ++e)
        acc[e] = loss[e] = NAN;
    if (s->batch == 0 || (s->lr_step && !(s->lr_decay > 0)))
        return AIMC_FAIL(err, GSL_EINVAL, "zoo: batch must be > 0 and lr_decay > 0");
    /* Evaluation runs in batches of up to 100; training in the net's batch. */
    const size_t max_batch = s->batch > 100 ? s->batch : 100;
    aimc_nn *n = aimc_nn_alloc(a, p, max_batch, seed, err);
    size_t *order = malloc(tr->n * sizeof *order);
    int st = n == NULL ? GSL_EFAILED : order ? 0 : AIMC_FAIL(err, GSL_ENOMEM, "zoo: out of memory");
    if (!st)
        st = aimc_nn_evaluate(n, te, &acc[0], NULL, err);
    const double t0 = now();
    for (unsigned e = 0; e < s->epochs && !st; ++e) {
        aimc_data_permutation(order, tr->n, seed, OBJ_SHUFFLE, e);
        st = aimc_nn_train_epoch(n, tr, order, tr->n, s->batch, lr_scale_of(s, p->algo, e),
                                 &loss[e + 1], err);
        if (!st)
            st = aimc_nn_evaluate(n, te, &acc[e + 1], NULL, err);
        if (!st)
            stats->epochs_done = e + 1;
        if (!st && on_epoch)
            on_epoch(ctx);
    }
    stats->seconds = now() - t0;
    stats->pulses = n ? aimc_nn_pulses(n) : 0;
    if (st == GSL_ERANGE && n)
        snprintf(stats->diverged, sizeof stats->diverged, "%s",
                 aimc_nn_divergence(n, &stats->diverged_value));
    aimc_nn_free(n);
    free(order);
    return st;
}

void aimc_zoo_mean_std(const double *x, size_t n, size_t stride, double *mean, double *sd)
{
    double s = 0, s2 = 0;
    for (size_t k = 0; k < n; ++k)
        s += x[k * stride];
    *mean = n ? s / n : NAN;
    for (size_t k = 0; k < n; ++k)
        s2 += (x[k * stride] - *mean) * (x[k * stride] - *mean);
    *sd = n > 1 ? sqrt(s2 / (n - 1)) : 0.0;
}
