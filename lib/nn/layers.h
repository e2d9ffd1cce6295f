/* layers.h — the digital kernels of lib/nn (private): im2col and its
 * adjoint, max-pooling, activations, log-softmax. */
#ifndef AIMC_NN_LAYERS_H
#define AIMC_NN_LAYERS_H

#include <stddef.h>

/* Shapes of one sample: channels × height × width. */
typedef struct {
    size_t c, h, w;
} nn_shape;

static inline size_t nn_size(nn_shape s) { return s.c * s.h * s.w; }

/* im2col of one sample: row p = oy·ow + ox of `cols` holds the k×k patch
 * at (oy, ox) of every channel, ordered (channel, ky, kx). */
void nn_im2col(const double *x, nn_shape in, size_t k, double *cols);
/* Adjoint of nn_im2col: adds each patch row back into gx (not zeroed). */
void nn_col2im_add(const double *cols, nn_shape in, size_t k, double *gx);

/* k×k max-pooling, stride k, of one sample; argmax[o] = input index. */
void nn_maxpool(const double *x, nn_shape in, size_t k, double *y, size_t *argmax);

void nn_sigmoid(const double *x, size_t n, double *y);
void nn_tanh(const double *x, size_t n, double *y);
/* Backward of the activations from their outputs y: g ← g ⊙ f'(·). */
void nn_sigmoid_backward(const double *y, size_t n, double *g);
void nn_tanh_backward(const double *y, size_t n, double *g);

/* Row-wise log-softmax, numerically stable (subtract the row maximum). */
void nn_log_softmax(const double *z, size_t rows, size_t cols, double *logp);

#endif
