/* device.c — per-element device parameters and the single-pulse kernels. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "aimc/device.h"

aimc_device_params aimc_device_default_params(void)
{
    aimc_device_params p = {0};
    aimc_response_params rp = aimc_response_default_params();
    aimc_response_init(&p.response, &aimc_response_softbounds, &rp, NULL);
    p.dw_min = 1e-3;
    p.sigma_c = 0.0;
    p.noise_form = AIMC_NOISE_ADDITIVE;
    return p;
}

static int finite_nonneg(double x) { return isfinite(x) && x >= 0.0; }

int aimc_device_validate(const aimc_device_params *p, aimc_err *err)
{
    if (p->response.type == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "device: no response family given");
    if (p->response.type->validate != NULL) {
        int st = p->response.type->validate(&p->response.p, err);
        if (st != GSL_SUCCESS)
            return st;
    }
    if (!(isfinite(p->dw_min) && p->dw_min > 0.0))
        return AIMC_FAIL(err, GSL_EINVAL, "device: dw_min = %g should be > 0", p->dw_min);
    if (!finite_nonneg(p->sigma_c))
        return AIMC_FAIL(err, GSL_EINVAL, "device: sigma_c = %g should be >= 0", p->sigma_c);
    if (p->noise_form != AIMC_NOISE_ADDITIVE && p->noise_form != AIMC_NOISE_MULTIPLICATIVE)
        return AIMC_FAIL(err, GSL_EINVAL, "device: unknown noise form %d", (int)p->noise_form);
    if (!finite_nonneg(p->dw_min_dtod))
        return AIMC_FAIL(err, GSL_EINVAL, "device: dw_min_dtod = %g should be >= 0",
                         p->dw_min_dtod);
    if (!finite_nonneg(p->bounds_dtod))
        return AIMC_FAIL(err, GSL_EINVAL, "device: bounds_dtod = %g should be >= 0",
                         p->bounds_dtod);
    if (!finite_nonneg(p->up_down_dtod))
        return AIMC_FAIL(err, GSL_EINVAL, "device: up_down_dtod = %g should be >= 0",
                         p->up_down_dtod);
    if (!isfinite(p->ref_mean))
        return AIMC_FAIL(err, GSL_EINVAL, "device: ref_mean = %g should be finite", p->ref_mean);
    if (!finite_nonneg(p->ref_std))
        return AIMC_FAIL(err, GSL_EINVAL, "device: ref_std = %g should be >= 0", p->ref_std);
    return GSL_SUCCESS;
}

void aimc_device_free(aimc_device *d)
{
    if (d == NULL)
        return;
    free(d->up);
    free(d->down);
    free(d->lo);
    free(d->hi);
    free(d->ref);
    free(d);
}

/* Effective G of element i at physical state v (ref excluded):
 * down·q₋(v) − up·q₊(v); its root is the element's symmetric point. */
typedef struct {
    const aimc_device *d;
    size_t i;
} elem_ctx;

static double elem_G(double v, void *vctx)
{
    const elem_ctx *c = vctx;
    const aimc_device *d = c->d;
    double qp, qm;
    const double lo = aimc_device_lo(d, c->i), hi = aimc_device_hi(d, c->i);
    d->p.response.type->eval(&d->p.response.p, 1, &v, NULL, &lo, &hi, &qp, &qm);
    return aimc_device_down(d, c->i) * qm - aimc_device_up(d, c->i) * qp;
}

/* Root of the element's G on its physical range, by GSL Brent. */
static int elem_symmetric_state(const aimc_device *d, size_t i, double *v, aimc_err *err)
{
    elem_ctx c = {d, i};
    double a = aimc_device_lo(d, i), b = aimc_device_hi(d, i);
    if (!isfinite(a) || !isfinite(b)) {
        /* Unbounded (ideal) elements: G is constant; 0 is as good as any point. */
        if (elem_G(0.0, &c) == 0.0) {
            *v = 0.0;
            return GSL_SUCCESS;
        }
        return AIMC_FAIL(err, GSL_EDOM, "device: element %zu has no symmetric point", i);
    }
    double ga = elem_G(a, &c), gb = elem_G(b, &c);
    if (ga == 0.0) {
        *v = a;
        return GSL_SUCCESS;
    }
    if (gb == 0.0) {
        *v = b;
        return GSL_SUCCESS;
    }
    if ((ga > 0) == (gb > 0))
        return AIMC_FAIL(err, GSL_EDOM,
                         "device: element %zu has no symmetric point in [%g, %g]", i, a, b);
    gsl_function F = {elem_G, &c};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (s == NULL)
        return AIMC_FAIL(err, GSL_ENOMEM, "device: out of memory");
    gsl_root_fsolver_set(s, &F, a, b);
    int st = GSL_CONTINUE;
    for (int it = 0; it < 200 && st == GSL_CONTINUE; ++it) {
        gsl_root_fsolver_iterate(s);
        st = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                    1e-15, 1e-13);
    }
    *v = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    return GSL_SUCCESS;
}

/* Fill the per-element arrays from stream (seed, AIMC_PURPOSE(object, DEVICE)). */
static void fill_elements(aimc_device *d, uint64_t seed, uint32_t object)
{
    const aimc_device_params *p = &d->p;
    const double lo0 = d->lo0, hi0 = d->hi0;
    const size_t n = d->n;
    aimc_stream s;
    aimc_stream_init(&s, seed, AIMC_PURPOSE(object, AIMC_ROLE_DEVICE), 0, 0);
    const int vary = p->dw_min_dtod > 0 || p->up_down_dtod > 0 || p->bounds_dtod > 0 ||
                     p->ref_std > 0;
    for (size_t i = 0; i < n; ++i) {
        double x1 = 0, x2 = 0, x3 = 0, x4 = 0, x5 = 0;
        if (vary) { /* five draws per element, always in this order */
            x1 = aimc_stream_normal(&s);
            x2 = aimc_stream_normal(&s);
            x3 = aimc_stream_normal(&s);
            x4 = aimc_stream_normal(&s);
            x5 = aimc_stream_normal(&s);
        }
        const double gain = 1.0 + p->dw_min_dtod * x1;
        const double r = p->up_down_dtod * x2;
        /* Negative draws fold back (aihwkit's enforce_consistency). */
        d->up[i] = fabs(gain + r);
        d->down[i] = fabs(gain - r);
        double hi = isfinite(hi0) ? hi0 * (1.0 + p->bounds_dtod * x3) : hi0;
        double lo = isfinite(lo0) ? lo0 * (1.0 + p->bounds_dtod * x4) : lo0;
        if (lo > hi) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        d->lo[i] = lo;
        d->hi[i] = hi;
        d->ref[i] = p->ref_mean + p->ref_std * x5;
    }
}

/* Whether a device of these parameters is nominal without drawing it. */
static int params_nominal(const aimc_device_params *p)
{
    return p->dw_min_dtod == 0 && p->up_down_dtod == 0 && p->bounds_dtod == 0 &&
           p->ref_std == 0 && p->ref_mean == 0.0 && !p->zero_shift;
}

static aimc_device *device_alloc(const aimc_device_params *p, size_t n, uint64_t seed,
                                 uint32_t object, int lean, aimc_err *err)
{
    if (aimc_device_validate(p, err) != GSL_SUCCESS)
        return NULL;
    if (n == 0) {
        AIMC_FAIL(err, GSL_EINVAL, "device: number of elements should be >= 1");
        return NULL;
    }
    aimc_device *d = calloc(1, sizeof *d);
    if (d == NULL)
        goto nomem;
    d->p = *p;
    d->n = n;
    aimc_response_bounds(&p->response, &d->lo0, &d->hi0);
    if (lean && params_nominal(p)) {
        /* No draws are made for such a device, so skipping them changes
         * no stream. */
        d->nominal = 1;
        return d;
    }
    d->up = malloc(n * sizeof *d->up);
    d->down = malloc(n * sizeof *d->down);
    d->lo = malloc(n * sizeof *d->lo);
    d->hi = malloc(n * sizeof *d->hi);
    d->ref = malloc(n * sizeof *d->ref);
    if (!d->up || !d->down || !d->lo || !d->hi || !d->ref)
        goto nomem;
    fill_elements(d, seed, object);
    if (p->zero_shift) {
        /* Exact calibration: the reference sits at each element's symmetric
         * point, so the visible symmetric point is 0 (Paper B's ideal ZS). */
        for (size_t i = 0; i < n; ++i) {
            double v = 0.0;
            if (elem_symmetric_state(d, i, &v, err) != GSL_SUCCESS) {
                aimc_device_free(d);
                return NULL;
            }
            d->ref[i] += v;
        }
    }
    d->nominal = 1;
    for (size_t i = 0; i < n && d->nominal; ++i)
        d->nominal = d->up[i] == 1.0 && d->down[i] == 1.0 && d->lo[i] == d->lo0 &&
                     d->hi[i] == d->hi0 && d->ref[i] == 0.0;
    return d;
nomem:
    aimc_device_free(d);
    AIMC_FAIL(err, GSL_ENOMEM, "device: out of memory for %zu elements", n);
    return NULL;
}

aimc_device *aimc_device_alloc(const aimc_device_params *p, size_t n, uint64_t seed,
                               uint32_t object, aimc_err *err)
{
    return device_alloc(p, n, seed, object, 0, err);
}

aimc_device *aimc_device_alloc_lean(const aimc_device_params *p, size_t n, uint64_t seed,
                                    uint32_t object, aimc_err *err)
{
    return device_alloc(p, n, seed, object, 1, err);
}

int aimc_device_expand(aimc_device *d, aimc_err *err)
{
    if (d->up != NULL)
        return GSL_SUCCESS;
    /* A lean device is nominal with no draws: its arrays are constants. */
    const size_t n = d->n;
    double *up = malloc(n * sizeof *up), *down = malloc(n * sizeof *down);
    double *lo = malloc(n * sizeof *lo), *hi = malloc(n * sizeof *hi);
    double *ref = malloc(n * sizeof *ref);
    if (!up || !down || !lo || !hi || !ref) {
        free(up);
        free(down);
        free(lo);
        free(hi);
        free(ref);
        return AIMC_FAIL(err, GSL_ENOMEM, "device: out of memory for %zu elements", n);
    }
    for (size_t i = 0; i < n; ++i) {
        up[i] = down[i] = 1.0;
        lo[i] = d->lo0;
        hi[i] = d->hi0;
        ref[i] = 0.0;
    }
    d->up = up;
    d->down = down;
    d->lo = lo;
    d->hi = hi;
    d->ref = ref;
    return GSL_SUCCESS;
}

/* Chunk of a lean device's constant arrays, for the families' eval. */
#define LEAN_CHUNK 256

void aimc_device_q(const aimc_device *d, size_t i0, size_t n, const double *w, double *qp,
                   double *qm)
{
    if (d->up == NULL) {
        /* Lean nominal device: the same values, from small constant arrays
         * (gains 1 leave q± as they are: x·1.0 == x). */
        double ref[LEAN_CHUNK], lo[LEAN_CHUNK], hi[LEAN_CHUNK];
        for (size_t k = 0; k < LEAN_CHUNK; ++k) {
            ref[k] = 0.0;
            lo[k] = d->lo0;
            hi[k] = d->hi0;
        }
        for (size_t k = 0; k < n; k += LEAN_CHUNK) {
            const size_t len = n - k < LEAN_CHUNK ? n - k : LEAN_CHUNK;
            d->p.response.type->eval(&d->p.response.p, len, w + k, ref, lo, hi, qp + k, qm + k);
        }
        return;
    }
    d->p.response.type->eval(&d->p.response.p, n, w, d->ref + i0, d->lo + i0, d->hi + i0, qp, qm);
    for (size_t k = 0; k < n; ++k) {
        qp[k] *= d->up[i0 + k];
        qm[k] *= d->down[i0 + k];
    }
}

void aimc_device_clip(const aimc_device *d, size_t i0, size_t n, double *w)
{
    for (size_t k = 0; k < n; ++k) {
        const size_t i = i0 + k;
        const double lo = aimc_device_lo(d, i) - aimc_device_ref(d, i);
        const double hi = aimc_device_hi(d, i) - aimc_device_ref(d, i);
        w[k] = w[k] < lo ? lo : (w[k] > hi ? hi : w[k]);
    }
}

void aimc_device_visible_bounds(const aimc_device *d, size_t i, double *lo, double *hi)
{
    *lo = aimc_device_lo(d, i) - aimc_device_ref(d, i);
    *hi = aimc_device_hi(d, i) - aimc_device_ref(d, i);
}

int aimc_device_symmetric_point(const aimc_device *d, size_t i, double *w, aimc_err *err)
{
    double v = 0.0;
    int st = elem_symmetric_state(d, i, &v, err);
    if (st == GSL_SUCCESS)
        *w = v - aimc_device_ref(d, i);
    return st;
}

/* (26) one pulse of sign s at visible weight w, then clip to the bounds. */
double aimc_device_pulse(const aimc_device *d, size_t i, double w, int sign, aimc_stream *noise)
{
    double qp, qm;
    aimc_device_q(d, i, 1, &w, &qp, &qm);
    const double q = sign > 0 ? qp : qm;
    const double g = sign > 0 ? aimc_device_up(d, i) : aimc_device_down(d, i);
    double step = d->p.dw_min * q;
    if (d->p.sigma_c > 0.0 && noise != NULL) {
        const double xi = aimc_stream_normal(noise);
        step = d->p.noise_form == AIMC_NOISE_ADDITIVE
                   ? d->p.dw_min * (q + g * d->p.sigma_c * xi)
                   : step * (1.0 + d->p.sigma_c * xi);
    }
    w += sign > 0 ? step : -step;
    const double lo = aimc_device_lo(d, i) - aimc_device_ref(d, i);
    const double hi = aimc_device_hi(d, i) - aimc_device_ref(d, i);
    return w < lo ? lo : (w > hi ? hi : w);
}

/* (27) n pulses of one sign, each evaluated at the current weight.
 *
 * Noise-free pulses on an affine response have a closed form.  With
 * q_s(v) = a + b·v and D = Δw_min·g_s, one pulse is the affine map
 * v ← v + sD(a + bv), whose fixed point is v* = −a/b and whose ratio is
 * ρ = 1 + sDb; after n pulses v_n = v* + (v₀ − v*)ρⁿ, written as
 * v₀ + (v₀ + a/b)·expm1(n·log1p(sDb)) to keep full accuracy when ρ ≈ 1.
 * The per-pulse loop clips after every pulse; the closed form clips once,
 * which is the same whenever 0 < ρ ≤ 1 (the orbit then moves monotonically
 * toward v* without overshooting, so it leaves the range only if the final
 * point does).  For ρ outside (0, 1], for short trains and with cycle noise
 * the pulses run one by one with q = a + b·v inlined.  Rounding differs from
 * aimc_device_pulse by a few ulps per pulse (tests/test_device.c pins the
 * two). */
/* Trains shorter than this run pulse by pulse even when a closed form
 * exists: two transcendental calls cost more than a few multiply-adds. */
#define CLOSED_FORM_MIN_PULSES 8

double aimc_device_pulse_train(const aimc_device *d, size_t i, double w, int sign, unsigned n,
                               aimc_stream *noise)
{
    const aimc_response_type *T = d->p.response.type;
    if (n == 0)
        return w;
    if (T->affine == NULL || n == 1)
        goto loop;
    double coef[4];
    const double lo = aimc_device_lo(d, i), hi = aimc_device_hi(d, i), ref = aimc_device_ref(d, i);
    T->affine(&d->p.response.p, lo, hi, coef);
    const double a = sign > 0 ? coef[0] : coef[2], b = sign > 0 ? coef[1] : coef[3];
    const double g = sign > 0 ? aimc_device_up(d, i) : aimc_device_down(d, i);
    const double D = sign * d->p.dw_min * g; /* signed step per unit q */
    double v = w + ref;
    const int noisy = d->p.sigma_c > 0.0 && noise != NULL;
    if (!noisy && n >= CLOSED_FORM_MIN_PULSES && (b == 0.0 || (D * b > -1.0 && D * b <= 0.0))) {
        v = b == 0.0 ? v + n * D * a : v + (v + a / b) * expm1(n * log1p(D * b));
    } else {
        /* The per-pulse rule (26) with q = a + b·v inlined (clamped at 0, as
         * the families clamp their distances), clipping after every pulse. */
        const double sc = d->p.sigma_c;
        const int additive = d->p.noise_form == AIMC_NOISE_ADDITIVE;
        for (unsigned t = 0; t < n; ++t) {
            double q = a + b * v;
            q = q < 0.0 ? 0.0 : q;
            if (noisy) {
                const double xi = aimc_stream_normal(noise);
                q = additive ? q + sc * xi : q * (1.0 + sc * xi);
            }
            v += D * q;
            v = v < lo ? lo : (v > hi ? hi : v);
        }
    }
    v = v < lo ? lo : (v > hi ? hi : v);
    return v - ref;
loop:
    for (unsigned t = 0; t < n; ++t)
        w = aimc_device_pulse(d, i, w, sign, noise);
    return w;
}
