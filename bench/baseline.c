/* baseline.c — plain scalar reference loops (see baseline.h). */
#include <math.h>
#include <stdlib.h>

#include "baseline.h"

void base_q(const base_device *d, double w, double *qp, double *qm)
{
    double rp = 1 - w / d->tau, rm = 1 + w / d->tau;
    rp = rp < 0 ? 0 : rp;
    rm = rm < 0 ? 0 : rm;
    switch (d->family) {
    case BASE_SOFTBOUNDS:
    default: /* every family is listed; this keeps the compiler sure of it */
        *qp = rp;
        *qm = rm;
        break;
    case BASE_LINEAR:
        *qp = (1 + d->c_lin) * rp;
        *qm = (1 - d->c_lin) * rm;
        break;
    case BASE_POWER:
        *qp = pow(rp, d->gamma_res);
        *qm = pow(rm, d->gamma_res);
        break;
    case BASE_EXPONENTIAL:
        *qp = (exp(d->gamma_res * rp) - 1) / (exp(d->gamma_res) - 1);
        *qm = (exp(d->gamma_res * rm) - 1) / (exp(d->gamma_res) - 1);
        break;
    }
}

static double clip(double w, double tau) { return w < -tau ? -tau : (w > tau ? tau : w); }

void base_compact(const base_device *d, double *w, const double *dW, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        double qp, qm;
        base_q(d, w[i], &qp, &qm);
        w[i] = clip(w[i] + dW[i] * (dW[i] >= 0 ? qp : qm), d->tau);
    }
}

static double base_pulse(const base_device *d, double w, int s, aimc_stream *st)
{
    double qp, qm;
    base_q(d, w, &qp, &qm);
    double q = s > 0 ? qp : qm;
    if (d->sigma_c > 0)
        q += d->sigma_c * aimc_stream_normal(st);
    return clip(w + s * d->dw_min * q, d->tau);
}

void base_pulsed(const base_device *d, double *w, const double *dW, size_t n, unsigned bl_max,
                 aimc_stream *s)
{
    for (size_t i = 0; i < n; ++i) {
        double k = floor(fabs(dW[i]) / d->dw_min + 0.5);
        unsigned cnt = k > bl_max ? bl_max : (unsigned)k;
        for (unsigned t = 0; t < cnt; ++t)
            w[i] = base_pulse(d, w[i], dW[i] > 0 ? 1 : -1, s);
    }
}

void base_rank1(const base_device *d, double *w, size_t rows, size_t cols, const double *x,
                const double *dv, double lr, unsigned bl_max, aimc_stream *s)
{
    double xm = 0, dm = 0;
    for (size_t j = 0; j < cols; ++j)
        xm = fmax(xm, fabs(x[j]));
    for (size_t i = 0; i < rows; ++i)
        dm = fmax(dm, fabs(dv[i]));
    const double k = lr * xm * dm / d->dw_min;
    const unsigned bl = k >= bl_max ? bl_max : (unsigned)ceil(k);
    if (bl == 0)
        return;
    const double dmc = k > bl_max ? dm * bl_max / k : dm;
    const double base = sqrt(lr / (d->dw_min * bl));
    const double a = base * sqrt(xm / dmc), b = base * sqrt(dmc / xm);
    unsigned char *xb = malloc(cols), *db = malloc(rows);
    for (unsigned t = 0; t < bl; ++t) {
        for (size_t j = 0; j < cols; ++j)
            xb[j] = aimc_stream_uniform(s) < fabs(x[j]) * b;
        for (size_t i = 0; i < rows; ++i)
            db[i] = aimc_stream_uniform(s) < fabs(dv[i]) * a;
        for (size_t i = 0; i < rows; ++i)
            for (size_t j = 0; j < cols; ++j)
                if (db[i] && xb[j])
                    w[i * cols + j] =
                        base_pulse(d, w[i * cols + j], dv[i] * x[j] > 0 ? -1 : 1, s);
    }
    free(xb);
    free(db);
}
