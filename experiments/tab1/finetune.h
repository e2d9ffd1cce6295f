/* finetune.h — the fine-tuning stand-in shared by tab1 and fig5.
 *
 * The paper (Tables 1, 5, 6; Fig. 5) fine-tunes ImageNet-pretrained ResNets
 * and MobileNets on CIFAR with a fresh analog last layer, the rest of the
 * network digital and trained too (the authors' "FFT" mode).  These
 * machines have neither CIFAR nor pretrained weights, so both programs
 * mirror that recipe on Fashion-MNIST:
 *
 *   1. pre-train (source task): the CNN of SPEC §4 (fig4's), all digital,
 *      on the training images of classes 0 .. K−1 (K = --pre-classes) from
 *      the first half of the training file, with a K-way head;
 *   2. fine-tune (target task): a new 10-way head, freshly initialised,
 *      replaces the pre-trained one; every layer is trained on all ten
 *      classes from the second half of the training file — the earlier
 *      layers by Digital SGD (digital, perfect reads), the head by the
 *      algorithm under test on an analog array (per-layer override of
 *      lib/nn) with Table 4's noisy reads;
 *   3. test accuracy on the test file after every fine-tuning epoch.
 *
 * One pre-training per seed; every algorithm of that seed starts from the
 * same backbone, the same head initialisation and the same data order.
 */
#ifndef AIMC_FINETUNE_H
#define AIMC_FINETUNE_H

#include "aimc/aimc.h"
#include "aimc/nn_zoo.h" /* the CNN, aimc_zoo_mean_std */
#include "aimc/prog.h"

#define FT_FASHION_DIR "/usr/share/datasets/fashion-mnist"

typedef struct {
    const char *data_dir;
    unsigned n_pre, pre_epochs, pre_classes;  /* source task */
    unsigned n_train, n_test, epochs, batch;  /* target task */
    unsigned lr_step, n_col, bl_max;
    double lr_decay, alpha_dsgd, alpha_asgd, alpha, beta, states, out_noise;
    int perfect_reads;
    const char *update;
    aimc_device_cli dev;
} ft_cfg;

/* Option entries shared by both programs (cfg is an ft_cfg lvalue). */
#define FT_OPTIONS(c)                                                                              \
    {"data-dir", AIMC_OPT_STRING, &(c).data_dir, 0, 0, 0, NULL, "",                                \
     "folder of Fashion-MNIST's gzip IDX files (datasets/fetch.sh fashion)"},                      \
    {"n-pre", AIMC_OPT_UINT, &(c).n_pre, 0, 1e7, 0, NULL, "samples",                               \
     "pre-training samples (classes < pre-classes, first half of the training file; 0: all)"},     \
    {"pre-epochs", AIMC_OPT_UINT, &(c).pre_epochs, 1, 1000, 0, NULL, "", "pre-training epochs"},   \
    {"pre-classes", AIMC_OPT_UINT, &(c).pre_classes, 2, 9, 0, NULL, "",                            \
     "classes 0..K-1 of the source task"},                                                         \
    {"n-train", AIMC_OPT_UINT, &(c).n_train, 0, 30000, 0, NULL, "samples",                         \
     "fine-tuning samples, all classes, second half of the training file (0: all 30000)"},         \
    {"n-test", AIMC_OPT_UINT, &(c).n_test, 0, 10000, 0, NULL, "samples",                           \
     "test samples, stratified (0: all 10000)"},                                                   \
    {"epochs", AIMC_OPT_UINT, &(c).epochs, 1, 1000, 0, NULL, "", "fine-tuning epochs"},            \
    {"batch", AIMC_OPT_UINT, &(c).batch, 1, 4096, 0, NULL, "", "mini-batch (both phases)"},        \
    {"lr-step", AIMC_OPT_UINT, &(c).lr_step, 0, 1000, 0, NULL, "epochs",                           \
     "fine-tuning: multiply the gradient rates by --lr-decay every this many epochs (0: never)"},  \
    {"lr-decay", AIMC_OPT_DOUBLE, &(c).lr_decay, 0, 1, AIMC_OPT_MIN_OPEN, NULL, "",                \
     "StepLR factor"},                                                                             \
    {"alpha-dsgd", AIMC_OPT_DOUBLE, &(c).alpha_dsgd, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",          \
     "Digital SGD rate: the digital layers, the biases, pre-training and the DSGD head"},          \
    {"alpha-asgd", AIMC_OPT_DOUBLE, &(c).alpha_asgd, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",          \
     "Analog SGD rate of the analog head"},                                                        \
    {"alpha", AIMC_OPT_DOUBLE, &(c).alpha, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",                    \
     "TT/RL, TT-v2, RL-v2: rate of the residual array P"},                                         \
    {"beta", AIMC_OPT_DOUBLE, &(c).beta, 0, 1, AIMC_OPT_MIN_OPEN, NULL, "",                        \
     "transfer rate (TT/RL) / buffer rate (TT-v2, RL-v2)"},                                        \
    {"n-col", AIMC_OPT_UINT, &(c).n_col, 1, 1e6, 0, NULL, "columns",                               \
     "columns of P transferred per mini-batch"},                                                   \
    {"bl-max", AIMC_OPT_UINT, &(c).bl_max, 1, 4096, 0, NULL, "pulses",                             \
     "bit length of the stochastic pulse trains"},                                                 \
    {"update", AIMC_OPT_NAME, &(c).update, 0, 0, 0, aimc_update_type_names, "",                    \
     "how updates reach the analog arrays"},                                                       \
    {"states", AIMC_OPT_DOUBLE, &(c).states, 0, 1e9, 0, NULL, "",                                  \
     "dw_min = 2 tau / states (0: use --dw-min as given)"},                                        \
    {"perfect-reads", AIMC_OPT_FLAG, &(c).perfect_reads, 0, 0, 0, NULL, "",                        \
     "exact reads of the analog head instead of Table 4's noisy IO"},                              \
    {"out-noise", AIMC_OPT_DOUBLE, &(c).out_noise, 0, 10, 0, NULL, "",                             \
     "output noise of the analog reads (Table 4: 0.06); also the transfer read noise"},            \
    AIMC_DEVICE_OPTIONS((c).dev)

/* Defaults of both presets (the programs then set their own grids). */
void ft_preset(ft_cfg *c, int full);
/* Cross-option checks; resolves the device.  Before any work. */
int ft_check(const ft_cfg *c, aimc_err *err);
/* Network parameters of a fine-tuning run (also validates them). */
int ft_params(const ft_cfg *c, const aimc_optim_type *algo, double gamma, aimc_nn_params *p,
              aimc_nn_layer_override *head, aimc_err *err);

typedef struct {
    aimc_dataset *pre, *pre_test;   /* source task: classes < K */
    aimc_dataset *train, *test;     /* target task: all classes */
} ft_data;

int ft_load(const ft_cfg *c, ft_data *d, aimc_err *err);
void ft_data_free(ft_data *d);

/* Pre-train the digital backbone of this seed; *acc: source-task test accuracy. */
aimc_nn *ft_pretrain(const ft_cfg *c, const ft_data *d, uint64_t seed, double *acc,
                     aimc_err *err);
/* Fine-tune from `pre` with head algorithm `algo` (mixing gamma): test
 * accuracy before and after every epoch into acc[0..epochs], mean training
 * loss into loss[1..epochs] (loss[0] = NaN).  stats: the pulses fired, the
 * epochs completed and, when training returns GSL_ERANGE, what stopped being
 * finite ("layer 4 W[3]", "loss"); the entries from the failed epoch on stay
 * NaN, as aimc_zoo_train leaves them. */
int ft_finetune(const ft_cfg *c, const ft_data *d, aimc_nn *pre, const aimc_optim_type *algo,
                double gamma, uint64_t seed, double *acc, double *loss, aimc_zoo_stats *stats,
                aimc_err *err);

/* One curve of a grid: the head's algorithm and mixing, over the seeds. */
typedef struct {
    char name[40];                /* run name in the file: /runs/<name> */
    const aimc_optim_type *algo;
    double gamma;
    double *acc, *loss;           /* reps × (epochs + 1), owned by ft_grid_free */
    double pulses;                /* pulses into the head, mean per seed */
    double seconds;               /* wall time of one epoch, mean (provenance only) */
} ft_run;

/* Every run × seed: seed q pre-trains one backbone, then fine-tunes each run
 * from it; writes /runs/<name> and /runs/pretrain.  A weight or loss that
 * stops being finite is kept as <name>-diverged (*dv, docs/RELIABILITY.md)
 * and returns GSL_ERANGE. */
int ft_grid(const ft_cfg *c, const ft_data *d, ft_run *runs, size_t nr,
            const aimc_prog_common *com, aimc_h5 *h, aimc_diverged_run *dv, aimc_err *err);
void ft_grid_free(ft_run *runs, size_t nr);

/* The opening both programs share, after aimc_prog_parse: load the data
 * (missing or unreadable: one line naming datasets/fetch.sh), open the
 * result file with its provenance (status in *st) and say what will run.
 * NULL: exit status 2, nothing written, no data kept. */
aimc_h5 *ft_open(const aimc_prog_spec *spec, const aimc_prog_common *com, const ft_cfg *c,
                 ft_data *d, int *st, aimc_err *err);
/* The ending: free the grid and the data, then aimc_prog_finish_run (a
 * kept divergence is exit status 1, so is a failed claim under --check). */
int ft_finish(aimc_h5 *h, const aimc_prog_spec *spec, int st, const aimc_diverged_run *dv,
              int claims_failed, ft_run *runs, size_t nr, ft_data *d, aimc_err *err);
/* Final test accuracy of run r, mean and std over seeds (fractions). */
void ft_final(const ft_cfg *c, const ft_run *r, size_t reps, double *mean, double *sd);

/* Paired comparison of two runs' final accuracies: every seed fine-tunes
 * both from the same backbone, head initialisation and data order, so the
 * per-seed differences a_q − b_q are the sample; their mean and standard
 * error sd/√n (0 with one seed). */
void ft_paired(const ft_cfg *c, const ft_run *a, const ft_run *b, size_t reps, double *diff,
               double *se);

#endif
