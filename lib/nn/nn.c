/* nn.c — networks of analog layers: forward and backward passes through
 * noisy reads, rank-one gradient factors handed to the optimizers, the
 * mini-batch loop.  The mathematics is in aimc/nn.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "aimc/nn.h"
#include "aimc/rng.h"
#include "layers.h"

/* Stream objects of a layer (its optimizer uses 1..3 under the same seed). */
enum { OBJ_READ_FWD = 16, OBJ_READ_BWD = 17, OBJ_INIT = 18 };

typedef struct {
    aimc_nn_kind kind;
    nn_shape in, out;
    size_t k;
    /* weight layers: the array is rows × cols, read npos times per sample */
    size_t rows, cols, npos;
    aimc_optim *opt;
    aimc_reader *rf, *rb;
    double *bias, *gbias, *scale, *gscale;
    double *patches;  /* conv: batch·npos × cols (im2col) */
    double *pre;      /* batch·npos × rows: what the array read out */
    double *delta;    /* batch·npos × rows: the d factors the array's update gets */
    double *dout;     /* batch·npos × rows: gradient at the array's output (g ⊙ s) */
    double *dcols;    /* batch·npos × cols: backward read */
    const double *x;  /* the inputs of the last forward pass (batch·npos × cols) */
    size_t *argmax;   /* maxpool: batch × out size */
} nn_layer;

struct aimc_nn {
    aimc_nn_params p;
    size_t n_layers, max_batch, classes, in_size;
    nn_layer *L;
    double **act, **grad;  /* n_layers + 1 each: batch × size of that stage */
    double *logp;          /* batch × classes */
    double *xb;            /* gathered mini-batch inputs */
    unsigned char *yb;     /* gathered labels */
    size_t batch;          /* of the last forward / backward pass */
    int has_grad;
    char diverged[64];     /* what stopped being finite first ("" while all are) */
    double diverged_value;
};

aimc_nn_params aimc_nn_default_params(void)
{
    aimc_nn_params p;
    p.algo = &aimc_optim_dsgd;
    p.optim = aimc_optim_default_params();
    p.forward = aimc_read_default_settings();
    p.backward = aimc_read_default_backward_settings();
    p.digital_rate = 0.1;
    p.bias = 1;
    p.out_scale = 0;
    p.omega = 1.0;
    p.lr_compensation = 0;
    p.n_overrides = 0;
    p.overrides = NULL;
    return p;
}

static int has_weights(aimc_nn_kind k) { return k == AIMC_NN_DENSE || k == AIMC_NN_CONV; }

/* Output shape of one layer, or an error naming it. */
static int layer_shape(const aimc_nn_layer_spec *s, size_t l, nn_shape in, nn_shape *out,
                       aimc_err *err)
{
    *out = in;
    switch (s->kind) {
    case AIMC_NN_DENSE:
        if (s->out == 0)
            return AIMC_FAIL(err, GSL_EINVAL, "nn: layer %zu: dense layer with 0 outputs", l);
        *out = (nn_shape){s->out, 1, 1};
        return GSL_SUCCESS;
    case AIMC_NN_CONV:
        if (s->out == 0 || s->kernel == 0 || s->kernel > in.h || s->kernel > in.w)
            return AIMC_FAIL(err, GSL_EINVAL,
                             "nn: layer %zu: conv %zux%zu with %zu channels on %zux%zu inputs", l,
                             s->kernel, s->kernel, s->out, in.h, in.w);
        *out = (nn_shape){s->out, in.h - s->kernel + 1, in.w - s->kernel + 1};
        return GSL_SUCCESS;
    case AIMC_NN_MAXPOOL:
        if (s->kernel == 0 || s->kernel > in.h || s->kernel > in.w)
            return AIMC_FAIL(err, GSL_EINVAL, "nn: layer %zu: pooling %zu on %zux%zu inputs", l,
                             s->kernel, in.h, in.w);
        *out = (nn_shape){in.c, in.h / s->kernel, in.w / s->kernel};
        return GSL_SUCCESS;
    case AIMC_NN_SIGMOID:
    case AIMC_NN_TANH:
        return GSL_SUCCESS;
    }
    return AIMC_FAIL(err, GSL_EINVAL, "nn: layer %zu: unknown kind %d", l, (int)s->kind);
}

/* Overrides name distinct weight layers, each with valid parameters. */
static int validate_overrides(const aimc_nn_arch *a, const aimc_nn_params *p, aimc_err *err)
{
    if (p->n_overrides > 0 && p->overrides == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "nn: %zu overrides but no array", p->n_overrides);
    for (size_t k = 0; k < p->n_overrides; ++k) {
        const aimc_nn_layer_override *o = &p->overrides[k];
        if (o->layer >= a->n_layers || !has_weights(a->layers[o->layer].kind))
            return AIMC_FAIL(err, GSL_EINVAL, "nn: override %zu: layer %zu has no weights", k,
                             o->layer);
        if (o->algo == NULL)
            return AIMC_FAIL(err, GSL_EINVAL, "nn: override %zu: no algorithm", k);
        for (size_t j = 0; j < k; ++j)
            if (p->overrides[j].layer == o->layer)
                return AIMC_FAIL(err, GSL_EINVAL, "nn: layer %zu overridden twice", o->layer);
        int st = aimc_optim_validate(o->algo, &o->optim, err);
        if (st)
            return st;
    }
    return GSL_SUCCESS;
}

int aimc_nn_validate(const aimc_nn_arch *a, const aimc_nn_params *p, aimc_err *err)
{
    if (a->n_layers == 0 || a->layers == NULL || a->channels * a->height * a->width == 0)
        return AIMC_FAIL(err, GSL_EINVAL, "nn: empty architecture");
    nn_shape s = {a->channels, a->height, a->width};
    int any = 0;
    for (size_t l = 0; l < a->n_layers; ++l) {
        int st = layer_shape(&a->layers[l], l, s, &s, err);
        if (st)
            return st;
        any |= has_weights(a->layers[l].kind);
    }
    if (!any)
        return AIMC_FAIL(err, GSL_EINVAL, "nn: the network has no weight layer");
    if (nn_size(s) < 2)
        return AIMC_FAIL(err, GSL_EINVAL, "nn: %zu class score(s); need at least 2", nn_size(s));
    if (!isfinite(p->digital_rate) || p->digital_rate < 0)
        return AIMC_FAIL(err, GSL_EINVAL, "nn: digital_rate = %g should be >= 0", p->digital_rate);
    if (p->out_scale && (!isfinite(p->omega) || p->omega < 0))
        return AIMC_FAIL(err, GSL_EINVAL, "nn: omega = %g should be >= 0", p->omega);
    int st = aimc_read_validate(&p->forward, err);
    if (!st)
        st = aimc_read_validate(&p->backward, err);
    if (!st)
        st = aimc_optim_validate(p->algo, &p->optim, err);
    if (!st)
        st = validate_overrides(a, p, err);
    return st;
}

/* The override of layer l, or NULL: the network-wide algorithm applies. */
static const aimc_nn_layer_override *override_of(const aimc_nn_params *p, size_t l)
{
    for (size_t k = 0; k < p->n_overrides; ++k)
        if (p->overrides[k].layer == l)
            return &p->overrides[k];
    return NULL;
}

void aimc_nn_free(aimc_nn *n)
{
    if (n == NULL)
        return;
    for (size_t l = 0; n->L && l < n->n_layers; ++l) {
        nn_layer *L = &n->L[l];
        aimc_optim_free(L->opt);
        aimc_reader_free(L->rf);
        aimc_reader_free(L->rb);
        free(L->bias), free(L->gbias), free(L->scale), free(L->gscale);
        free(L->patches), free(L->pre), free(L->delta), free(L->dout), free(L->dcols);
        free(L->argmax);
    }
    for (size_t l = 0; l <= n->n_layers; ++l) {
        if (n->act)
            free(n->act[l]);
        if (n->grad)
            free(n->grad[l]);
    }
    free(n->act), free(n->grad), free(n->L), free(n->logp), free(n->xb), free(n->yb);
    free((void *)n->p.overrides);
    free(n);
}

/* U(−1/√fan_in, 1/√fan_in) weights and biases (PyTorch's default), then
 * the optional remapping of each row to max |w| = ω with s = old max/ω. */
static void init_weights(aimc_nn *n, nn_layer *L, uint64_t seed, double *W)
{
    aimc_stream s;
    aimc_stream_init(&s, seed, AIMC_PURPOSE(OBJ_INIT, AIMC_ROLE_INIT), 0, 0);
    const double bound = 1.0 / sqrt((double)L->cols);
    for (size_t k = 0; k < L->rows * L->cols; ++k)
        W[k] = bound * (2.0 * aimc_stream_uniform(&s) - 1.0);
    for (size_t i = 0; i < L->rows; ++i) {
        L->bias[i] = n->p.bias ? bound * (2.0 * aimc_stream_uniform(&s) - 1.0) : 0.0;
        L->scale[i] = 1.0;
        if (n->p.out_scale && n->p.omega > 0) {
            double m = 0;
            for (size_t j = 0; j < L->cols; ++j)
                m = fmax(m, fabs(W[i * L->cols + j]));
            if (m > 0) {
                L->scale[i] = m / n->p.omega;
                for (size_t j = 0; j < L->cols; ++j)
                    W[i * L->cols + j] /= L->scale[i];
            }
        }
    }
}

static int alloc_weight_layer(aimc_nn *n, nn_layer *L, size_t l, uint64_t seed, aimc_err *err)
{
    const aimc_nn_params *p = &n->p;
    const aimc_nn_layer_override *ov = override_of(p, l);
    const aimc_optim_type *algo = ov ? ov->algo : p->algo;
    const size_t nb = n->max_batch * L->npos;
    const int digital = aimc_optim_type_is_digital(algo);
    aimc_read_settings fs = digital ? aimc_read_perfect_settings() : p->forward;
    aimc_read_settings bs = digital ? aimc_read_perfect_settings() : p->backward;
    const uint64_t ls = aimc_seed_derive(seed, l);
    L->opt = aimc_optim_alloc(algo, ov ? &ov->optim : &p->optim, L->rows, L->cols, ls, err);
    if (L->opt == NULL)
        return err && err->status ? err->status : GSL_EFAILED;
    L->rf = aimc_reader_alloc(&fs, L->rows, L->cols, nb, ls, OBJ_READ_FWD, err);
    L->rb = aimc_reader_alloc(&bs, L->rows, L->cols, nb, ls, OBJ_READ_BWD, err);
    L->bias = calloc(L->rows, sizeof(double));
    L->gbias = calloc(L->rows, sizeof(double));
    L->scale = calloc(L->rows, sizeof(double));
    L->gscale = calloc(L->rows, sizeof(double));
    L->pre = malloc(nb * L->rows * sizeof(double));
    L->delta = malloc(nb * L->rows * sizeof(double));
    L->dout = malloc(nb * L->rows * sizeof(double));
    L->dcols = malloc(nb * L->cols * sizeof(double));
    if (L->kind == AIMC_NN_CONV)
        L->patches = malloc(nb * L->cols * sizeof(double));
    double *W = malloc(L->rows * L->cols * sizeof *W);
    if (!L->rf || !L->rb || !L->bias || !L->gbias || !L->scale || !L->gscale || !L->pre ||
        !L->delta || !L->dout || !L->dcols || (L->kind == AIMC_NN_CONV && !L->patches) || !W) {
        free(W);
        return AIMC_FAIL(err, GSL_ENOMEM, "nn: out of memory for layer %zu", l);
    }
    init_weights(n, L, ls, W);
    aimc_optim_set_weights(L->opt, W, NULL);
    free(W);
    return GSL_SUCCESS;
}

static int alloc_buffers(aimc_nn *n, aimc_err *err)
{
    n->act = calloc(n->n_layers + 1, sizeof *n->act);
    n->grad = calloc(n->n_layers + 1, sizeof *n->grad);
    if (!n->act || !n->grad)
        return AIMC_FAIL(err, GSL_ENOMEM, "nn: out of memory");
    for (size_t l = 0; l <= n->n_layers; ++l) {
        const size_t sz = l == 0 ? n->in_size : nn_size(n->L[l - 1].out);
        n->act[l] = malloc(n->max_batch * sz * sizeof(double));
        n->grad[l] = malloc(n->max_batch * sz * sizeof(double));
        if (!n->act[l] || !n->grad[l])
            return AIMC_FAIL(err, GSL_ENOMEM, "nn: out of memory");
    }
    n->logp = malloc(n->max_batch * n->classes * sizeof *n->logp);
    n->xb = malloc(n->max_batch * n->in_size * sizeof *n->xb);
    n->yb = malloc(n->max_batch);
    if (!n->logp || !n->xb || !n->yb)
        return AIMC_FAIL(err, GSL_ENOMEM, "nn: out of memory");
    return GSL_SUCCESS;
}

aimc_nn *aimc_nn_alloc(const aimc_nn_arch *a, const aimc_nn_params *p, size_t max_batch,
                       uint64_t seed, aimc_err *err)
{
    if (aimc_nn_validate(a, p, err) != GSL_SUCCESS)
        return NULL;
    if (max_batch == 0) {
        AIMC_FAIL(err, GSL_EINVAL, "nn: max_batch should be positive");
        return NULL;
    }
    aimc_nn *n = calloc(1, sizeof *n);
    if (n == NULL || (n->L = calloc(a->n_layers, sizeof *n->L)) == NULL) {
        free(n);
        AIMC_FAIL(err, GSL_ENOMEM, "nn: out of memory");
        return NULL;
    }
    n->p = *p;
    n->p.overrides = NULL;
    if (p->n_overrides > 0) {
        aimc_nn_layer_override *ov = malloc(p->n_overrides * sizeof *ov);
        if (ov == NULL) {
            aimc_nn_free(n);
            AIMC_FAIL(err, GSL_ENOMEM, "nn: out of memory");
            return NULL;
        }
        memcpy(ov, p->overrides, p->n_overrides * sizeof *ov);
        n->p.overrides = ov;
    }
    n->n_layers = a->n_layers;
    n->max_batch = max_batch;
    nn_shape s = {a->channels, a->height, a->width};
    n->in_size = nn_size(s);
    int st = GSL_SUCCESS;
    for (size_t l = 0; l < a->n_layers && !st; ++l) {
        nn_layer *L = &n->L[l];
        L->kind = a->layers[l].kind;
        L->k = a->layers[l].kernel;
        L->in = s;
        layer_shape(&a->layers[l], l, s, &L->out, NULL);
        s = L->out;
        if (L->kind == AIMC_NN_MAXPOOL &&
            (L->argmax = malloc(max_batch * nn_size(L->out) * sizeof *L->argmax)) == NULL)
            st = AIMC_FAIL(err, GSL_ENOMEM, "nn: out of memory");
        if (!has_weights(L->kind))
            continue;
        L->rows = L->out.c;
        L->cols = L->kind == AIMC_NN_DENSE ? nn_size(L->in) : L->in.c * L->k * L->k;
        L->npos = L->out.h * L->out.w;
        if (!st)
            st = alloc_weight_layer(n, L, l, seed, err);
    }
    n->classes = nn_size(s);
    if (!st)
        st = alloc_buffers(n, err);
    if (st) {
        aimc_nn_free(n);
        return NULL;
    }
    return n;
}

size_t aimc_nn_n_layers(const aimc_nn *n) { return n->n_layers; }
size_t aimc_nn_input_size(const aimc_nn *n) { return n->in_size; }
size_t aimc_nn_classes(const aimc_nn *n) { return n->classes; }
const double *aimc_nn_log_probs(const aimc_nn *n) { return n->logp; }

int aimc_nn_weight_shape(const aimc_nn *n, size_t l, size_t *rows, size_t *cols)
{
    if (l >= n->n_layers || !has_weights(n->L[l].kind))
        return 0;
    *rows = n->L[l].rows;
    *cols = n->L[l].cols;
    return 1;
}

aimc_optim *aimc_nn_optim(aimc_nn *n, size_t l) { return l < n->n_layers ? n->L[l].opt : NULL; }
const aimc_optim_type *aimc_nn_layer_algo(const aimc_nn *n, size_t l)
{
    return l < n->n_layers && n->L[l].opt ? aimc_optim_type_of(n->L[l].opt) : NULL;
}
double *aimc_nn_bias(aimc_nn *n, size_t l) { return l < n->n_layers ? n->L[l].bias : NULL; }
double *aimc_nn_out_scale(aimc_nn *n, size_t l) { return l < n->n_layers ? n->L[l].scale : NULL; }
const double *aimc_nn_bias_grad(const aimc_nn *n, size_t l)
{
    return l < n->n_layers ? n->L[l].gbias : NULL;
}
const double *aimc_nn_out_scale_grad(const aimc_nn *n, size_t l)
{
    return l < n->n_layers ? n->L[l].gscale : NULL;
}

uint64_t aimc_nn_pulses(const aimc_nn *n)
{
    uint64_t total = 0;
    for (size_t l = 0; l < n->n_layers; ++l) {
        if (n->L[l].opt == NULL)
            continue;
        aimc_optim *o = n->L[l].opt;
        if (aimc_optim_main_tile(o))
            total += aimc_tile_pulse_count(aimc_optim_main_tile(o));
        if (aimc_optim_residual_tile(o))
            total += aimc_tile_pulse_count(aimc_optim_residual_tile(o));
    }
    return total;
}

/* y = s ⊙ (W x) + b for every sample and position; outputs channel-major. */
static int forward_weights(aimc_nn *n, nn_layer *L, const double *in, double *out, size_t batch,
                           aimc_err *err)
{
    const size_t isz = nn_size(L->in), osz = nn_size(L->out), np = L->npos, R = L->rows;
    if (L->kind == AIMC_NN_CONV) {
        for (size_t b = 0; b < batch; ++b)
            nn_im2col(in + b * isz, L->in, L->k, L->patches + b * np * L->cols);
        L->x = L->patches;
    } else {
        L->x = in;
    }
    int st = aimc_read_forward(L->rf, aimc_optim_query_point(L->opt), L->x, batch * np, L->pre,
                               err);
    if (st)
        return st;
    for (size_t b = 0; b < batch; ++b)
        for (size_t q = 0; q < np; ++q)
            for (size_t i = 0; i < R; ++i)
                out[b * osz + i * np + q] = L->scale[i] * L->pre[(b * np + q) * R + i] + L->bias[i];
    return GSL_SUCCESS;
}

int aimc_nn_forward(aimc_nn *n, const double *x, size_t batch, aimc_err *err)
{
    if (batch == 0 || batch > n->max_batch)
        return AIMC_FAIL(err, GSL_EBADLEN, "nn: batch %zu should be in [1, %zu]", batch,
                         n->max_batch);
    memcpy(n->act[0], x, batch * n->in_size * sizeof *x);
    for (size_t l = 0; l < n->n_layers; ++l) {
        nn_layer *L = &n->L[l];
        const double *in = n->act[l];
        double *out = n->act[l + 1];
        const size_t isz = nn_size(L->in), osz = nn_size(L->out);
        int st = GSL_SUCCESS;
        switch (L->kind) {
        case AIMC_NN_DENSE:
        case AIMC_NN_CONV:
            st = forward_weights(n, L, in, out, batch, err);
            break;
        case AIMC_NN_MAXPOOL:
            for (size_t b = 0; b < batch; ++b)
                nn_maxpool(in + b * isz, L->in, L->k, out + b * osz, L->argmax + b * osz);
            break;
        case AIMC_NN_SIGMOID:
            nn_sigmoid(in, batch * isz, out);
            break;
        case AIMC_NN_TANH:
            nn_tanh(in, batch * isz, out);
            break;
        }
        if (st)
            return st;
    }
    nn_log_softmax(n->act[n->n_layers], batch, n->classes, n->logp);
    n->batch = batch;
    n->has_grad = 0;
    return GSL_SUCCESS;
}

double aimc_nn_loss(const aimc_nn *n, const unsigned char *labels, size_t batch)
{
    double s = 0;
    for (size_t b = 0; b < batch; ++b)
        s -= n->logp[b * n->classes + labels[b]];
    return s / (double)batch;
}

/* Gradients of a weight layer from the gradient at its outputs: the array's
 * output gradient d = g ⊙ s, the digital ones, and (unless it is the first
 * layer) the input gradient through a backward read of Wᵀ d. */
static int backward_weights(const aimc_nn *n, nn_layer *L, const double *gout, double *gin, size_t batch,
                            aimc_err *err)
{
    const size_t isz = nn_size(L->in), osz = nn_size(L->out), np = L->npos, R = L->rows;
    const int comp = n->p.out_scale && n->p.lr_compensation;
    memset(L->gbias, 0, R * sizeof *L->gbias);
    memset(L->gscale, 0, R * sizeof *L->gscale);
    for (size_t b = 0; b < batch; ++b)
        for (size_t q = 0; q < np; ++q)
            for (size_t i = 0; i < R; ++i) {
                const size_t r = (b * np + q) * R + i;
                const double g = gout[b * osz + i * np + q];
                L->dout[r] = g * L->scale[i];
                L->delta[r] = comp ? g / L->scale[i] : L->dout[r];
                L->gbias[i] += g;
                L->gscale[i] += g * L->pre[r];
            }
    if (gin == NULL)
        return GSL_SUCCESS;
    double *dst = L->kind == AIMC_NN_DENSE ? gin : L->dcols;
    int st = aimc_read_backward(L->rb, aimc_optim_query_point(L->opt), L->dout, batch * np, dst,
                                err);
    if (st || L->kind == AIMC_NN_DENSE)
        return st;
    memset(gin, 0, batch * isz * sizeof *gin);
    for (size_t b = 0; b < batch; ++b)
        nn_col2im_add(L->dcols + b * np * L->cols, L->in, L->k, gin + b * isz);
    return GSL_SUCCESS;
}

int aimc_nn_backward(aimc_nn *n, const unsigned char *labels, size_t batch, aimc_err *err)
{
    if (batch != n->batch)
        return AIMC_FAIL(err, GSL_EINVAL, "nn: backward of %zu samples after a forward of %zu",
                         batch, n->batch);
    /* d(Σ NLL)/dz = softmax(z) − onehot(label); the 1/B of the mean is
     * applied with the rates (aimc_nn_step, aimc_nn_weight_grad). */
    double *g = n->grad[n->n_layers];
    for (size_t b = 0; b < batch; ++b) {
        if (labels[b] >= n->classes)
            return AIMC_FAIL(err, GSL_EDOM, "nn: label %u is not below %zu", labels[b], n->classes);
        for (size_t c = 0; c < n->classes; ++c)
            g[b * n->classes + c] = exp(n->logp[b * n->classes + c]) - (c == labels[b]);
    }
    for (size_t l = n->n_layers; l-- > 0;) {
        nn_layer *L = &n->L[l];
        const double *gout = n->grad[l + 1];
        double *gin = l > 0 ? n->grad[l] : NULL;
        const size_t isz = nn_size(L->in), osz = nn_size(L->out);
        int st = GSL_SUCCESS;
        switch (L->kind) {
        case AIMC_NN_DENSE:
        case AIMC_NN_CONV:
            st = backward_weights(n, L, gout, gin, batch, err);
            break;
        case AIMC_NN_MAXPOOL:
            if (gin == NULL)
                break;
            memset(gin, 0, batch * isz * sizeof *gin);
            for (size_t b = 0; b < batch; ++b)
                for (size_t o = 0; o < osz; ++o)
                    gin[b * isz + L->argmax[b * osz + o]] += gout[b * osz + o];
            break;
        case AIMC_NN_SIGMOID:
        case AIMC_NN_TANH:
            if (gin == NULL)
                break;
            memcpy(gin, gout, batch * isz * sizeof *gin);
            if (L->kind == AIMC_NN_SIGMOID)
                nn_sigmoid_backward(n->act[l + 1], batch * isz, gin);
            else
                nn_tanh_backward(n->act[l + 1], batch * isz, gin);
            break;
        }
        if (st)
            return st;
    }
    n->has_grad = 1;
    return GSL_SUCCESS;
}

const char *aimc_nn_divergence(const aimc_nn *n, double *value)
{
    if (value)
        *value = n->diverged_value;
    return n->diverged;
}

int aimc_nn_weight_grad(const aimc_nn *n, size_t l, double *dW, aimc_err *err)
{
    if (!n->has_grad || l >= n->n_layers || !has_weights(n->L[l].kind))
        return AIMC_FAIL(err, GSL_EINVAL, "nn: no weight gradient for layer %zu", l);
    const nn_layer *L = &n->L[l];
    /* (1/B)·Σ_s d_s x_sᵀ = (1/B)·Dᵀ X */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)L->rows, (int)L->cols,
                (int)(n->batch * L->npos), 1.0 / (double)n->batch, L->delta, (int)L->rows, L->x,
                (int)L->cols, 0.0, dW, (int)L->cols);
    return GSL_SUCCESS;
}

int aimc_nn_step(aimc_nn *n, double lr_scale, aimc_err *err)
{
    if (!n->has_grad)
        return AIMC_FAIL(err, GSL_EINVAL, "nn: step without a backward pass");
    const double inv_b = 1.0 / (double)n->batch, rate = n->p.digital_rate * lr_scale * inv_b;
    for (size_t l = 0; l < n->n_layers; ++l) {
        nn_layer *L = &n->L[l];
        if (!has_weights(L->kind))
            continue;
        /* ∇ = (lr_scale/B)·Σ_s d_s x_sᵀ as rank-one factors: the optimizer's
         * kernel applies them sample by sample (patch by patch). */
        aimc_grad g = {L->rows, L->cols, NULL, n->batch * L->npos, L->x, L->delta,
                       lr_scale * inv_b};
        int st = aimc_optim_step(L->opt, &g, err);
        if (st)
            return st;
        /* Checked every step: the next pulse's clipping would turn a NaN
         * weight into a bound and hide it. */
        char name[32];
        if (aimc_optim_find_nonfinite(L->opt, name, sizeof name, &n->diverged_value)) {
            snprintf(n->diverged, sizeof n->diverged, "layer %zu %s", l, name);
            return AIMC_FAIL(err, GSL_ERANGE, "nn: %s = %g after a step", n->diverged,
                             n->diverged_value);
        }
        for (size_t i = 0; i < L->rows; ++i) {
            if (n->p.bias)
                L->bias[i] -= rate * L->gbias[i];
            if (n->p.out_scale)
                L->scale[i] -= rate * L->gscale[i];
        }
    }
    n->has_grad = 0;
    return GSL_SUCCESS;
}

static void gather(aimc_nn *n, const aimc_dataset *d, const size_t *idx, size_t m)
{
    for (size_t k = 0; k < m; ++k) {
        const size_t i = idx ? idx[k] : k;
        memcpy(n->xb + k * d->dim, d->x + i * d->dim, d->dim * sizeof *d->x);
        n->yb[k] = d->y[i];
    }
}

static int check_data(const aimc_nn *n, const aimc_dataset *d, aimc_err *err)
{
    if (d->dim != n->in_size || d->classes > n->classes)
        return AIMC_FAIL(err, GSL_EBADLEN,
                         "nn: data of %zu features and %zu classes for a network of %zu inputs "
                         "and %zu classes",
                         d->dim, d->classes, n->in_size, n->classes);
    return GSL_SUCCESS;
}

int aimc_nn_train_epoch(aimc_nn *n, const aimc_dataset *d, const size_t *order, size_t count,
                        size_t batch, double lr_scale, double *mean_loss, aimc_err *err)
{
    int st = check_data(n, d, err);
    if (!st && (batch == 0 || batch > n->max_batch))
        st = AIMC_FAIL(err, GSL_EINVAL, "nn: batch %zu should be in [1, %zu]", batch, n->max_batch);
    double total = 0;
    size_t batches = 0;
    for (size_t k = 0; k < count && !st; k += batch) {
        const size_t m = count - k < batch ? count - k : batch;
        gather(n, d, order + k, m);
        st = aimc_nn_forward(n, n->xb, m, err);
        if (!st) {
            const double loss = aimc_nn_loss(n, n->yb, m);
            if (!isfinite(loss)) {
                snprintf(n->diverged, sizeof n->diverged, "loss");
                n->diverged_value = loss;
                return AIMC_FAIL(err, GSL_ERANGE, "nn: loss is %g after %zu samples", loss, k);
            }
            total += loss;
            batches++;
            st = aimc_nn_backward(n, n->yb, m, err);
        }
        if (!st)
            st = aimc_nn_step(n, lr_scale, err);
    }
    if (mean_loss)
        *mean_loss = batches ? total / batches : NAN;
    return st;
}

int aimc_nn_evaluate(aimc_nn *n, const aimc_dataset *d, double *accuracy, double *loss,
                     aimc_err *err)
{
    int st = check_data(n, d, err);
    size_t correct = 0;
    double total = 0;
    size_t *idx = malloc(n->max_batch * sizeof *idx);
    if (!st && idx == NULL)
        st = AIMC_FAIL(err, GSL_ENOMEM, "nn: out of memory");
    for (size_t k = 0; k < d->n && !st; k += n->max_batch) {
        const size_t m = d->n - k < n->max_batch ? d->n - k : n->max_batch;
        for (size_t q = 0; q < m; ++q)
            idx[q] = k + q;
        gather(n, d, idx, m);
        st = aimc_nn_forward(n, n->xb, m, err);
        for (size_t b = 0; b < m && !st; ++b) {
            const double *lp = n->logp + b * n->classes;
            size_t best = 0;
            for (size_t c = 1; c < n->classes; ++c)
                if (lp[c] > lp[best])
                    best = c;
            correct += best == n->yb[b];
            total -= lp[n->yb[b]];
        }
    }
    free(idx);
    if (accuracy)
        *accuracy = st ? NAN : (double)correct / (double)d->n;
    if (loss)
        *loss = st ? NAN : total / (double)d->n;
    return st;
}
