/* finetune.c — pre-train a digital CNN on part of Fashion-MNIST, then
 * fine-tune it with an analog head (see finetune.h for the recipe). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "finetune.h"

/* Stream objects of the programs' own draws (the networks use others). */
enum { OBJ_SHUFFLE = 310, OBJ_SUBSET = 311 };
#define FT_CLASSES 10
#define FT_HALF 30000 /* the training file's halves: source | target */

/* The CNN of SPEC §4 (fig4's, lib/nn/zoo.c); its last layer, index
 * FT_HEAD, is the head replaced for the target task. */
#define FT_HEAD AIMC_ZOO_CNN_HEAD

typedef struct {
    aimc_nn_layer_spec layers[AIMC_ZOO_CNN_LAYERS];
    aimc_nn_arch arch;
} ft_arch;

static void arch_init(ft_arch *a, size_t classes)
{
    a->arch = aimc_zoo_cnn_classes(classes, a->layers);
}

void ft_preset(ft_cfg *c, int full)
{
    c->data_dir = FT_FASHION_DIR;
    c->pre_classes = 5;
    c->n_pre = full ? 10000 : 400;
    c->pre_epochs = full ? 3 : 1;
    c->n_train = full ? 10000 : 400;
    c->n_test = full ? 2000 : 300;
    c->epochs = full ? 10 : 1;
    c->batch = 8;
    c->lr_step = full ? 5 : 0; /* the authors' StepLR(50, 0.1) of 100 epochs, scaled */
    c->lr_decay = 0.1;
    c->alpha_dsgd = 0.075; /* K.3: α = 0.075 for every algorithm */
    c->alpha_asgd = 0.075;
    c->alpha = 0.01;       /* authors' fast_lr (P rate) */
    c->beta = 0.075;       /* transfer_lr 1 × lr 0.075 (SPEC §5: the paper's β = 0.01 is P's rate) */
    c->n_col = 1;
    c->bl_max = 31;
    c->update = "rank1";
    c->states = 1200;      /* Δw_min = 2τ/1200 (authors' code) */
    c->perfect_reads = 0;
    c->out_noise = 0.06;
    aimc_device_cli_defaults(&c->dev);
    c->dev.response = "power"; /* Table 1: power, γ_res = 3, τ = 0.1 */
    c->dev.gamma_res = 3.0;
    c->dev.tau = 0.1;
    c->dev.dw_min = 2.0 * 0.1 / 1200;
}

static int head_device(const ft_cfg *c, aimc_device_params *dp, aimc_err *err)
{
    aimc_device_cli dc = c->dev;
    if (c->states > 0)
        dc.dw_min = 2.0 * dc.tau / c->states;
    return aimc_device_cli_resolve(&dc, dp, err);
}

int ft_check(const ft_cfg *c, aimc_err *err)
{
    if (c->n_pre > 0 && c->n_pre < c->batch)
        return AIMC_FAIL(err, GSL_EINVAL, "--n-pre %u: should be 0 or at least --batch (%u)",
                         c->n_pre, c->batch);
    if (c->n_train > 0 && c->n_train < FT_CLASSES)
        return AIMC_FAIL(err, GSL_EINVAL, "--n-train %u: should be 0 or at least 10", c->n_train);
    if (c->n_test > 0 && c->n_test < FT_CLASSES)
        return AIMC_FAIL(err, GSL_EINVAL, "--n-test %u: should be 0 or at least 10", c->n_test);
    aimc_device_params dp;
    return head_device(c, &dp, err);
}

int ft_params(const ft_cfg *c, const aimc_optim_type *algo, double gamma, aimc_nn_params *p,
              aimc_nn_layer_override *head, aimc_err *err)
{
    *p = aimc_nn_default_params(); /* dsgd everywhere, perfect reads for it */
    p->optim.alpha = c->alpha_dsgd;
    p->digital_rate = c->alpha_dsgd;
    if (c->perfect_reads) {
        p->forward = p->backward = aimc_read_perfect_settings();
    } else {
        p->forward.out_noise = p->backward.out_noise = c->out_noise;
    }
    head->layer = FT_HEAD;
    head->algo = algo;
    head->optim = p->optim;
    aimc_optim_params *o = &head->optim;
    o->alpha = algo == &aimc_optim_dsgd ? c->alpha_dsgd
               : algo == &aimc_optim_asgd ? c->alpha_asgd : c->alpha;
    o->beta = c->beta;
    o->gamma = algo->mixes ? gamma : 0.0;
    o->transfer_every = 1;
    o->n_col = c->n_col;
    o->read_noise = c->perfect_reads ? 0.0 : c->out_noise;
    p->n_overrides = 1;
    p->overrides = head;
    int st = GSL_SUCCESS;
    if (algo != &aimc_optim_dsgd) {
        st = head_device(c, &o->main.device, err);
        o->residual.device = o->main.device;
        o->main.update = o->residual.update = aimc_update_type_find(c->update);
        o->main.pulse.bl_max = o->residual.pulse.bl_max = c->bl_max;
    }
    ft_arch a;
    arch_init(&a, FT_CLASSES);
    return st ? st : aimc_nn_validate(&a.arch, p, err);
}

/* ---- data ---------------------------------------------------------------- */

static aimc_dataset *load_pair(const char *dir, const char *images, const char *labels,
                               aimc_err *err)
{
    char im[4096], lb[4096];
    snprintf(im, sizeof im, "%s/%s", dir, images);
    snprintf(lb, sizeof lb, "%s/%s", dir, labels);
    return aimc_dataset_read_idx(im, lb, FT_CLASSES, err);
}

/* Samples [lo, hi) of d with label < k, in file order, at most m (0: all). */
static aimc_dataset *select_range(const aimc_dataset *d, size_t lo, size_t hi, unsigned k,
                                  size_t m, aimc_err *err)
{
    size_t *idx = malloc((hi - lo) * sizeof *idx), n = 0;
    if (idx == NULL) {
        AIMC_FAIL(err, GSL_ENOMEM, "finetune: out of memory");
        return NULL;
    }
    for (size_t i = lo; i < hi && (m == 0 || n < m); ++i)
        if (d->y[i] < k)
            idx[n++] = i;
    aimc_dataset *s = aimc_dataset_subset(d, idx, n, err);
    free(idx);
    return s;
}

/* A stratified subset of m samples (m = 0 or ≥ n keeps all); the split
 * seed is fixed so that every --seed sees the same data. */
static int take_subset(aimc_dataset **d, size_t m, uint32_t which, aimc_err *err)
{
    if (m == 0 || m >= (*d)->n)
        return GSL_SUCCESS;
    size_t *keep = malloc(m * sizeof *keep), *rest = malloc(((*d)->n - m) * sizeof *rest);
    int st = keep && rest ? 0 : AIMC_FAIL(err, GSL_ENOMEM, "finetune: out of memory");
    if (!st)
        st = aimc_data_split_stratified((*d)->y, (*d)->n, FT_CLASSES, m,
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

int ft_load(const ft_cfg *c, ft_data *d, aimc_err *err)
{
    memset(d, 0, sizeof *d);
    aimc_dataset *tr = load_pair(c->data_dir, "train-images-idx3-ubyte.gz",
                                 "train-labels-idx1-ubyte.gz", err);
    d->test = tr ? load_pair(c->data_dir, "t10k-images-idx3-ubyte.gz",
                             "t10k-labels-idx1-ubyte.gz", err)
                 : NULL;
    int st = tr && d->test ? GSL_SUCCESS : GSL_EFAILED;
    if (!st && tr->n < 2 * FT_HALF)
        st = AIMC_FAIL(err, GSL_EBADLEN, "finetune: %zu training images, expected 60000", tr->n);
    if (!st && !(d->pre = select_range(tr, 0, FT_HALF, c->pre_classes, c->n_pre, err)))
        st = GSL_EFAILED;
    if (!st && !(d->train = select_range(tr, FT_HALF, 2 * FT_HALF, FT_CLASSES, 0, err)))
        st = GSL_EFAILED;
    if (!st)
        st = take_subset(&d->train, c->n_train, 1, err);
    if (!st)
        st = take_subset(&d->test, c->n_test, 2, err);
    /* The source task's test set: the target's test samples of its classes. */
    if (!st && !(d->pre_test = select_range(d->test, 0, d->test->n, c->pre_classes, 0, err)))
        st = GSL_EFAILED;
    aimc_dataset_free(tr);
    if (st) {
        ft_data_free(d);
        return st;
    }
    d->pre->classes = d->pre_test->classes = c->pre_classes;
    return GSL_SUCCESS;
}

void ft_data_free(ft_data *d)
{
    aimc_dataset_free(d->pre);
    aimc_dataset_free(d->pre_test);
    aimc_dataset_free(d->train);
    aimc_dataset_free(d->test);
    memset(d, 0, sizeof *d);
}

/* ---- training ---------------------------------------------------------------- */

/* Evaluation runs in batches of up to 100; training in the configured batch. */
static size_t max_batch_of(const ft_cfg *c) { return c->batch > 100 ? c->batch : 100; }

/* Epochs of SGD over tr (lr decayed every lr_step epochs, 0: never); with a
 * test set, the accuracy after each epoch into acc[e + 1].  *done: the
 * epochs completed. */
static int train(const ft_cfg *c, aimc_nn *n, const aimc_dataset *tr, const aimc_dataset *te,
                 unsigned epochs, unsigned lr_step, uint64_t seed, uint32_t obj, double *acc,
                 double *loss, unsigned *done, aimc_err *err)
{
    size_t *order = malloc(tr->n * sizeof *order);
    int st = order ? GSL_SUCCESS : AIMC_FAIL(err, GSL_ENOMEM, "finetune: out of memory");
    for (unsigned e = 0; e < epochs && !st; ++e) {
        const double lr = lr_step ? pow(c->lr_decay, (double)(e / lr_step)) : 1.0;
        aimc_data_permutation(order, tr->n, seed, obj, e);
        st = aimc_nn_train_epoch(n, tr, order, tr->n, c->batch, lr, loss ? &loss[e + 1] : NULL,
                                 err);
        if (!st && acc)
            st = aimc_nn_evaluate(n, te, &acc[e + 1], NULL, err);
        if (!st && done)
            *done = e + 1;
    }
    free(order);
    return st;
}

aimc_nn *ft_pretrain(const ft_cfg *c, const ft_data *d, uint64_t seed, double *acc,
                     aimc_err *err)
{
    aimc_nn_params p = aimc_nn_default_params();
    p.optim.alpha = c->alpha_dsgd;
    p.digital_rate = c->alpha_dsgd;
    ft_arch a;
    arch_init(&a, c->pre_classes);
    const uint64_t ps = aimc_seed_derive(seed, 1000); /* not the fine-tuning head's stream */
    aimc_nn *n = aimc_nn_alloc(&a.arch, &p, max_batch_of(c), ps, err);
    int st = n ? train(c, n, d->pre, NULL, c->pre_epochs, 0, ps, OBJ_SHUFFLE, NULL, NULL, NULL,
                       err)
               : GSL_EFAILED;
    if (!st)
        st = aimc_nn_evaluate(n, d->pre_test, acc, NULL, err);
    if (st) {
        aimc_nn_free(n);
        return NULL;
    }
    return n;
}

/* The pre-trained weights and biases of every layer below the head. */
static void copy_backbone(aimc_nn *from, aimc_nn *to)
{
    for (size_t l = 0; l < FT_HEAD; ++l) {
        size_t R, C;
        if (!aimc_nn_weight_shape(from, l, &R, &C))
            continue;
        aimc_optim_set_weights(aimc_nn_optim(to, l), aimc_optim_weights(aimc_nn_optim(from, l)),
                               NULL);
        memcpy(aimc_nn_bias(to, l), aimc_nn_bias(from, l), R * sizeof(double));
    }
}

int ft_finetune(const ft_cfg *c, const ft_data *d, aimc_nn *pre, const aimc_optim_type *algo,
                double gamma, uint64_t seed, double *acc, double *loss, aimc_zoo_stats *stats,
                aimc_err *err)
{
    memset(stats, 0, sizeof *stats);
    for (unsigned e = 0; e <= c->epochs; ++e)
        acc[e] = loss[e] = NAN;
    aimc_nn_params p;
    aimc_nn_layer_override head;
    int st = ft_params(c, algo, gamma, &p, &head, err);
    ft_arch a;
    arch_init(&a, FT_CLASSES);
    aimc_nn *n = st ? NULL : aimc_nn_alloc(&a.arch, &p, max_batch_of(c), seed, err);
    if (!st && n == NULL)
        st = GSL_EFAILED;
    if (!st) {
        copy_backbone(pre, n);
        st = aimc_nn_evaluate(n, d->test, &acc[0], NULL, err);
    }
    if (!st)
        st = train(c, n, d->train, d->test, c->epochs, c->lr_step, seed, OBJ_SHUFFLE + 1, acc,
                   loss, &stats->epochs_done, err);
    stats->pulses = n ? aimc_nn_pulses(n) : 0;
    if (st == GSL_ERANGE && n)
        snprintf(stats->diverged, sizeof stats->diverged, "%s",
                 aimc_nn_divergence(n, &stats->diverged_value));
    aimc_nn_free(n);
    return st;
}

/* ---- the grid ------------------------------------------------------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int write_run(aimc_h5 *h, const ft_cfg *c, const ft_run *r, size_t reps, aimc_err *err)
{
    char path[64];
    snprintf(path, sizeof path, "/runs/%s", r->name);
    const size_t np = c->epochs + 1;
    double *step = malloc(np * sizeof *step);
    if (step == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "finetune: out of memory");
    for (size_t e = 0; e < np; ++e)
        step[e] = (double)e;
    int st = aimc_h5_write_series(h, path, "test_acc", reps, np, r->acc, step, err);
    free(step);
    if (!st)
        st = aimc_h5_write_series(h, path, "train_loss", reps, np, r->loss, NULL, err);
    if (!st)
        st = aimc_h5_attr_string(h, path, "algorithm", r->algo->name, err);
    if (!st)
        st = aimc_h5_attr_double(h, path, "gamma", r->algo->mixes ? r->gamma : 0.0, err);
    if (!st)
        st = aimc_h5_attr_string(h, path, "analog_layers", r->algo == &aimc_optim_dsgd
                                 ? "none" : "the last (head); the rest Digital SGD", err);
    if (!st)
        st = aimc_h5_attr_double(h, path, "pulses_per_rep", r->pulses, err);
    return st;
}

static int alloc_runs(const ft_cfg *c, ft_run *runs, size_t nr, size_t reps, aimc_err *err)
{
    const size_t np = c->epochs + 1;
    for (size_t k = 0; k < nr; ++k) {
        runs[k].acc = calloc(reps * np, sizeof(double));
        runs[k].loss = calloc(reps * np, sizeof(double));
        runs[k].pulses = runs[k].seconds = 0;
        if (!runs[k].acc || !runs[k].loss)
            return AIMC_FAIL(err, GSL_ENOMEM, "finetune: out of memory");
    }
    return GSL_SUCCESS;
}

int ft_grid(const ft_cfg *c, const ft_data *d, ft_run *runs, size_t nr,
            const aimc_prog_common *com, aimc_h5 *h, aimc_diverged_run *dv, aimc_err *err)
{
    const size_t reps = com->reps, np = c->epochs + 1;
    double *pre_acc = malloc(reps * sizeof *pre_acc);
    int st = pre_acc ? alloc_runs(c, runs, nr, reps, err)
                     : AIMC_FAIL(err, GSL_ENOMEM, "finetune: out of memory");
    aimc_progress bar;
    uint64_t done = 0;
    aimc_progress_start(&bar, com, "fine-tune", reps * (nr + 1));
    for (size_t q = 0; q < reps && !st; ++q) {
        const uint64_t seed = aimc_seed_derive(com->seed, q);
        aimc_nn *pre = ft_pretrain(c, d, seed, &pre_acc[q], err);
        st = pre ? GSL_SUCCESS : GSL_EFAILED;
        aimc_progress_update(&bar, ++done);
        for (size_t k = 0; k < nr && !st; ++k) {
            const double t0 = now();
            aimc_zoo_stats zs;
            double *acc = runs[k].acc + q * np, *loss = runs[k].loss + q * np;
            st = ft_finetune(c, d, pre, runs[k].algo, runs[k].gamma, seed, acc, loss, &zs, err);
            runs[k].pulses += (double)zs.pulses;
            runs[k].seconds += (now() - t0) / (double)(c->epochs * reps);
            if (st == GSL_ERANGE) {
                char run[64];
                snprintf(run, sizeof run, "/runs/%s", runs[k].name);
                st = aimc_prog_keep_diverged_net(h, dv, run, (unsigned)q, zs.diverged,
                                                 zs.diverged_value, zs.epochs_done, acc, loss,
                                                 err);
            }
            aimc_progress_update(&bar, ++done);
        }
        aimc_nn_free(pre);
    }
    aimc_progress_end(&bar);
    for (size_t k = 0; k < nr && !st; ++k) {
        runs[k].pulses /= (double)reps;
        st = write_run(h, c, &runs[k], reps, err);
    }
    if (!st)
        st = aimc_h5_write_series(h, "/runs/pretrain", "source_test_acc", reps, 1, pre_acc, NULL,
                                  err);
    if (!st)
        st = aimc_h5_attr_string(h, "/runs/pretrain", "what",
                                 "digital CNN on classes 0..K-1 (source task), accuracy on their "
                                 "test images; one backbone per seed", err);
    free(pre_acc);
    return st;
}

void ft_grid_free(ft_run *runs, size_t nr)
{
    for (size_t k = 0; k < nr; ++k) {
        free(runs[k].acc);
        free(runs[k].loss);
        runs[k].acc = runs[k].loss = NULL;
    }
}

aimc_h5 *ft_open(const aimc_prog_spec *spec, const aimc_prog_common *com, const ft_cfg *c,
                 ft_data *d, int *st, aimc_err *err)
{
    if (ft_load(c, d, err)) {
        fprintf(stderr, "%s: Fashion-MNIST missing or unreadable (%s): run datasets/fetch.sh "
                "fashion\n", spec->program, err->msg);
        return NULL;
    }
    aimc_h5 *h = aimc_prog_open_output(spec, com);
    if (h == NULL) {
        ft_data_free(d);
        return NULL;
    }
    *st = aimc_prog_write_provenance(h, spec, com, err);
    if (!*st && !com->quiet)
        printf("%s: pre-training on %zu images of classes 0-%u, fine-tuning on %zu, testing on "
               "%zu; %u epoch(s), %u seed(s)\n",
               spec->program, d->pre->n, c->pre_classes - 1, d->train->n, d->test->n, c->epochs,
               com->reps);
    return h;
}

int ft_finish(aimc_h5 *h, const aimc_prog_spec *spec, int st, const aimc_diverged_run *dv,
              int claims_failed, ft_run *runs, size_t nr, ft_data *d, aimc_err *err)
{
    ft_grid_free(runs, nr);
    ft_data_free(d);
    return aimc_prog_finish_run(h, spec, st, dv, claims_failed, err);
}

void ft_final(const ft_cfg *c, const ft_run *r, size_t reps, double *mean, double *sd)
{
    aimc_zoo_mean_std(r->acc + c->epochs, reps, c->epochs + 1, mean, sd);
}

void ft_paired(const ft_cfg *c, const ft_run *a, const ft_run *b, size_t reps, double *diff,
               double *se)
{
    const size_t np = c->epochs + 1;
    double d[64] = {0}, sd; /* reps ≥ 1 fills d[0..n); the zeros quiet -Wmaybe-uninitialized */
    const size_t n = reps < 64 ? reps : 64;
    for (size_t q = 0; q < n; ++q)
        d[q] = a->acc[q * np + c->epochs] - b->acc[q * np + c->epochs];
    aimc_zoo_mean_std(d, n, 1, diff, &sd);
    *se = sd / sqrt((double)n);
}
