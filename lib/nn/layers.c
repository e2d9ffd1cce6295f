/* layers.c — the digital kernels of lib/nn: im2col, pooling, activations,
 * log-softmax. */
#include <math.h>
#include <string.h>

#include "layers.h"

void nn_im2col(const double *x, nn_shape in, size_t k, double *cols)
{
    const size_t oh = in.h - k + 1, ow = in.w - k + 1, width = in.c * k * k;
    for (size_t oy = 0; oy < oh; ++oy)
        for (size_t ox = 0; ox < ow; ++ox) {
            double *row = cols + (oy * ow + ox) * width;
            for (size_t c = 0; c < in.c; ++c)
                for (size_t ky = 0; ky < k; ++ky) {
                    const double *src = x + (c * in.h + oy + ky) * in.w + ox;
                    memcpy(row + (c * k + ky) * k, src, k * sizeof *src);
                }
        }
}

void nn_col2im_add(const double *cols, nn_shape in, size_t k, double *gx)
{
    const size_t oh = in.h - k + 1, ow = in.w - k + 1, width = in.c * k * k;
    for (size_t oy = 0; oy < oh; ++oy)
        for (size_t ox = 0; ox < ow; ++ox) {
            const double *row = cols + (oy * ow + ox) * width;
            for (size_t c = 0; c < in.c; ++c)
                for (size_t ky = 0; ky < k; ++ky) {
                    double *dst = gx + (c * in.h + oy + ky) * in.w + ox;
                    const double *src = row + (c * k + ky) * k;
                    for (size_t kx = 0; kx < k; ++kx)
                        dst[kx] += src[kx];
                }
        }
}

void nn_maxpool(const double *x, nn_shape in, size_t k, double *y, size_t *argmax)
{
    const size_t oh = in.h / k, ow = in.w / k;
    for (size_t c = 0; c < in.c; ++c)
        for (size_t oy = 0; oy < oh; ++oy)
            for (size_t ox = 0; ox < ow; ++ox) {
                size_t best = (c * in.h + oy * k) * in.w + ox * k;
                for (size_t ky = 0; ky < k; ++ky)
                    for (size_t kx = 0; kx < k; ++kx) {
                        const size_t i = (c * in.h + oy * k + ky) * in.w + ox * k + kx;
                        if (x[i] > x[best])
                            best = i;
                    }
                const size_t o = (c * oh + oy) * ow + ox;
                y[o] = x[best];
                argmax[o] = best;
            }
}

void nn_sigmoid(const double *x, size_t n, double *y)
{
    for (size_t i = 0; i < n; ++i)
        y[i] = 1.0 / (1.0 + exp(-x[i]));
}

void nn_tanh(const double *x, size_t n, double *y)
{
    for (size_t i = 0; i < n; ++i)
        y[i] = tanh(x[i]);
}

/* σ' = σ(1 − σ) */
void nn_sigmoid_backward(const double *y, size_t n, double *g)
{
    for (size_t i = 0; i < n; ++i)
        g[i] *= y[i] * (1.0 - y[i]);
}

/* tanh' = 1 − tanh² */
void nn_tanh_backward(const double *y, size_t n, double *g)
{
    for (size_t i = 0; i < n; ++i)
        g[i] *= 1.0 - y[i] * y[i];
}

void nn_log_softmax(const double *z, size_t rows, size_t cols, double *logp)
{
    for (size_t r = 0; r < rows; ++r) {
        const double *zr = z + r * cols;
        double m = zr[0], s = 0.0;
        for (size_t c = 1; c < cols; ++c)
            m = fmax(m, zr[c]);
        for (size_t c = 0; c < cols; ++c)
            s += exp(zr[c] - m);
        const double lse = m + log(s);
        for (size_t c = 0; c < cols; ++c)
            logp[r * cols + c] = zr[c] - lse;
    }
}
