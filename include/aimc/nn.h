/* aimc/nn.h — small neural networks whose weight matrices are analog arrays.
 *
 * A network is a stack of layers on images of shape channels × height ×
 * width (a flat input is 1 × 1 × dim):
 *
 *   dense    y = s ⊙ (W x) + b          W: out × in
 *   conv     k×k, stride 1, no padding, by im2col: every output position p
 *            reads the patch x_p (in_channels·k·k values) as one vector,
 *            y_p = s ⊙ (W x_p) + b      W: out_channels × (in_channels·k·k)
 *   maxpool  k×k windows, stride k
 *   sigmoid, tanh
 *
 * and the last layer's outputs go through log-softmax; the loss is the
 * negative log-likelihood of the labels, averaged over the mini-batch.
 *
 * Every weight matrix W is an analog parameter: an aimc_optim (dsgd, asgd,
 * rl, ttv2, rlv2; one for the whole network, or per layer through
 * aimc_nn_params.overrides) owns it, the forward pass reads the optimizer's
 * query point (W, or W + γP) through an aimc_reader (noisy, SPEC §1.7, or
 * perfect), the backward pass reads its transpose the same way, and the
 * update hands the optimizer the rank-one factors of the gradient — one
 * term per sample for dense layers, one per patch for conv layers, as
 * aihwkit does — so the tile's kernel (rank1: stochastic pulse trains,
 * SPEC §1.6) applies them one by one.  Digital SGD (dsgd) reads perfectly.
 *
 * The bias b and the optional output scale s (aihwkit's learn_out_scaling
 * with column-wise weight scaling) are digital and trained by plain SGD.
 * With the scale on, the initial weights of each output row are remapped
 * so that the row's largest |w| is omega and s carries the old magnitude
 * (aihwkit's weight remapping); the update sends d ⊙ s to the array (the
 * gradient of the array's weights), or d ⊘ s with lr_compensation, which
 * makes the effective weight s ⊙ w move as a digital weight would.
 *
 * Random numbers: layer l draws its initial weights, its optimizer's pulses
 * and its reads from streams derived from (seed, l), so a run is a pure
 * function of the seed whatever the thread count.
 */
#ifndef AIMC_NN_H
#define AIMC_NN_H

#include <stddef.h>
#include <stdint.h>
#include "aimc/common.h"
#include "aimc/data.h"
#include "aimc/optim.h"
#include "aimc/tile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AIMC_NN_DENSE = 0,
    AIMC_NN_CONV = 1,
    AIMC_NN_MAXPOOL = 2,
    AIMC_NN_SIGMOID = 3,
    AIMC_NN_TANH = 4
} aimc_nn_kind;

typedef struct {
    aimc_nn_kind kind;
    size_t out;     /* dense: outputs; conv: output channels; else unused */
    size_t kernel;  /* conv: k of the k×k kernel; maxpool: window and stride */
} aimc_nn_layer_spec;

typedef struct {
    size_t channels, height, width;   /* input shape */
    size_t n_layers;
    const aimc_nn_layer_spec *layers; /* the last layer's outputs are the class scores */
} aimc_nn_arch;

/* A weight layer that does not follow the network-wide algorithm, e.g. the
 * one analog layer of a network fine-tuned digitally elsewhere (the paper's
 * Tables 1, 5, 6: only the last layer is analog).  Its reads follow its own
 * algorithm: perfect for dsgd, the network's forward/backward settings
 * otherwise. */
typedef struct {
    size_t layer;                 /* index into aimc_nn_arch.layers (a dense or conv layer) */
    const aimc_optim_type *algo;  /* its optimizer */
    aimc_optim_params optim;      /* its rates, devices and kernels */
} aimc_nn_layer_override;

typedef struct {
    const aimc_optim_type *algo;        /* default dsgd */
    aimc_optim_params optim;            /* rates, devices and kernels of the arrays */
    aimc_read_settings forward;         /* default Table 4 (aimc_read_default_settings) */
    aimc_read_settings backward;        /* default Table 4, bound management off */
    double digital_rate;                /* SGD rate of biases and output scales; default 0.1 */
    int bias;                           /* digital bias per output; default 1 */
    int out_scale;                      /* learnable digital output scale; default 0 */
    double omega;                       /* with out_scale: row max |w| after remapping
                                           (0: no remapping); default 1 */
    int lr_compensation;                /* with out_scale: send d/s instead of d·s to the
                                           array, so the effective weight s·w moves at the
                                           optimizer's rate (aihwkit's
                                           weight_scaling_lr_compensation); default 0 */
    size_t n_overrides;                 /* entries of overrides; default 0 */
    const aimc_nn_layer_override *overrides; /* per-layer algorithms, at most one per layer;
                                           copied by aimc_nn_alloc; default NULL */
} aimc_nn_params;

aimc_nn_params aimc_nn_default_params(void);
int aimc_nn_validate(const aimc_nn_arch *a, const aimc_nn_params *p, aimc_err *err);

typedef struct aimc_nn aimc_nn;

/* A network for mini-batches of up to max_batch samples.  Weights start
 * as PyTorch's defaults: U(−1/√fan_in, 1/√fan_in) for W and b. */
aimc_nn *aimc_nn_alloc(const aimc_nn_arch *a, const aimc_nn_params *p, size_t max_batch,
                       uint64_t seed, aimc_err *err);
void aimc_nn_free(aimc_nn *n);  /* NULL is a no-op */

size_t aimc_nn_n_layers(const aimc_nn *n);
size_t aimc_nn_input_size(const aimc_nn *n);
size_t aimc_nn_classes(const aimc_nn *n);
/* Shape of layer l's weight matrix; returns 0 for layers without one. */
int aimc_nn_weight_shape(const aimc_nn *n, size_t l, size_t *rows, size_t *cols);
aimc_optim *aimc_nn_optim(aimc_nn *n, size_t l);   /* NULL without weights */
/* The algorithm driving layer l's weights (an override or the network's);
 * NULL for layers without weights. */
const aimc_optim_type *aimc_nn_layer_algo(const aimc_nn *n, size_t l);
double *aimc_nn_bias(aimc_nn *n, size_t l);         /* rows, or NULL */
double *aimc_nn_out_scale(aimc_nn *n, size_t l);    /* rows, or NULL */
/* Pulses fired into all arrays so far. */
uint64_t aimc_nn_pulses(const aimc_nn *n);
/* After training returned GSL_ERANGE: what stopped being finite first —
 * "layer 2 W[5]" or "layer 4 P[0]" (checked after every step) or "loss" —
 * and its value; "" while everything is finite. */
const char *aimc_nn_divergence(const aimc_nn *n, double *value);

/* Forward pass of `batch` samples (batch × input size); the class
 * log-probabilities (batch × classes) stay in the network. */
int aimc_nn_forward(aimc_nn *n, const double *x, size_t batch, aimc_err *err);
const double *aimc_nn_log_probs(const aimc_nn *n);
/* Mean NLL of the last forward pass for these labels. */
double aimc_nn_loss(const aimc_nn *n, const unsigned char *labels, size_t batch);
/* Backward pass of the last forward pass: gradients of the mean NLL. */
int aimc_nn_backward(aimc_nn *n, const unsigned char *labels, size_t batch, aimc_err *err);
/* The dense weight gradient of layer l from the last backward pass,
 * (1/B)·Σ_samples d xᵀ, into dW (rows × cols) — with lr_compensation the
 * compensated factors the array receives; and the digital gradients (sums
 * over the batch, not means). */
int aimc_nn_weight_grad(const aimc_nn *n, size_t l, double *dW, aimc_err *err);
const double *aimc_nn_bias_grad(const aimc_nn *n, size_t l);
const double *aimc_nn_out_scale_grad(const aimc_nn *n, size_t l);
/* One update of every parameter from the last backward pass; every rate
 * (the optimizers' gradient rates α and the digital rate) is multiplied
 * by lr_scale (a learning-rate schedule; transfer rates are not). */
int aimc_nn_step(aimc_nn *n, double lr_scale, aimc_err *err);

/* One epoch of mini-batch training over samples order[0..count) of d,
 * in that order; *mean_loss (may be NULL) gets the mean batch loss. */
int aimc_nn_train_epoch(aimc_nn *n, const aimc_dataset *d, const size_t *order, size_t count,
                        size_t batch, double lr_scale, double *mean_loss, aimc_err *err);
/* Accuracy (fraction correct) and mean NLL over the whole data set, in
 * batches of the network's max_batch; either output may be NULL. */
int aimc_nn_evaluate(aimc_nn *n, const aimc_dataset *d, double *accuracy, double *loss,
                     aimc_err *err);

#ifdef __cplusplus
}
#endif
#endif
