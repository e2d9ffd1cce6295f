/* calibrate.c — zero-shifting: an element's symmetric point estimated with
 * pulses alone (Paper B, Algorithm 1 and its cyclic form; SPEC §2).
 *
 * Why it works.  With ε_n = ±Δw_min a pulse is W ← W + ε_n F(W) − |ε_n| G(W)
 * (Paper B (7)).  Random fair signs drift by −Δw_min·G(W) per pulse, an
 * alternating + − pair by −2Δw_min·G(W) to first order; where G rises through
 * w⋄ both walk toward w⋄.  Converged, an alternating pair (v₀ after −, v₁
 * after +) satisfies up·q₊(v₀) = down·q₋(v₁); with q₊ non-increasing and q₋
 * non-decreasing this gives G(v₀) ≤ 0 ≤ G(v₁), so w⋄ ∈ [v₀, v₁], an interval
 * one up-step long: the mean of the pair is within half a step of w⋄, the
 * Θ(Δw_min) floor of Paper B's Theorem 2.2.  Averaging the last half of the
 * states removes the oscillation (and, with noise, averages it down). */
#include <math.h>

#include "aimc/device.h"

static int zs_validate(const aimc_device *d, size_t i, double w_start, unsigned n_pulses,
                       int random_signs, const aimc_stream *noise, const aimc_zs_estimate *out,
                       aimc_err *err)
{
    if (d == NULL || out == NULL)
        return AIMC_FAIL(err, GSL_EINVAL, "calibrate: device and result must not be NULL");
    if (i >= d->n)
        return AIMC_FAIL(err, GSL_EINVAL, "calibrate: element %zu should be < %zu", i, d->n);
    if (n_pulses < 2)
        return AIMC_FAIL(err, GSL_EINVAL, "calibrate: n_pulses = %u should be >= 2", n_pulses);
    if (!isfinite(w_start))
        return AIMC_FAIL(err, GSL_EINVAL, "calibrate: w_start = %g should be finite", w_start);
    if (noise == NULL && (random_signs || d->p.sigma_c > 0.0))
        return AIMC_FAIL(err, GSL_EINVAL,
                         "calibrate: random signs and cycle noise (sigma_c = %g) need a stream",
                         d->p.sigma_c);
    return GSL_SUCCESS;
}

int aimc_device_estimate_symmetric_point(const aimc_device *d, size_t i, double w_start,
                                         unsigned n_pulses, int random_signs, aimc_stream *noise,
                                         aimc_zs_estimate *out, aimc_err *err)
{
    int st = zs_validate(d, i, w_start, n_pulses, random_signs, noise, out, err);
    if (st != GSL_SUCCESS)
        return st;
    /* The tail: the last M = 2⌈N/4⌉ states (at least half, an even count,
     * M ≤ N for N ≥ 2).  Its sum is taken relative to the state just
     * before it, so tiny Δw_min floors are not lost to rounding. */
    const unsigned tail = 2u * ((n_pulses + 3u) / 4u);
    const unsigned tail_from = n_pulses - tail; /* pulse index whose result opens the tail */
    double w = w_start, pivot = w_start, sum = 0.0, g2 = 0.0;
    for (unsigned n = 0; n < n_pulses; ++n) {
        double qp, qm;
        aimc_device_q(d, i, 1, &w, &qp, &qm);
        const double G = 0.5 * (qm - qp); /* (6b) with the element's gains */
        g2 += G * G;
        /* Cyclic form ε_{2n'} = +Δw_min, ε_{2n'+1} = −Δw_min (Paper B (31)),
         * or a fair coin from the low bit of one Philox word (Algorithm 1). */
        const int s = random_signs ? ((aimc_stream_u32(noise) & 1u) ? 1 : -1) : (n % 2u ? -1 : 1);
        if (n == tail_from)
            pivot = w;
        w = aimc_device_pulse(d, i, w, s, noise);
        if (n >= tail_from)
            sum += w - pivot;
    }
    out->estimate = pivot + sum / tail;
    out->w_last = w;
    out->mean_G2 = g2 / n_pulses;
    return GSL_SUCCESS;
}

void aimc_device_shift_reference(aimc_device *d, size_t i, double shift, double *w)
{
    /* visible = physical − ref: raising ref by `shift` with the physical
     * state held lowers the visible weight and symmetric point by `shift`.
     * (A lean device has no ref array: it must have been expanded.) */
    d->ref[i] += shift;
    /* The element is no longer nominal (ref 0): kernels must read ref. */
    if (shift != 0.0)
        d->nominal = 0;
    if (w != NULL)
        *w -= shift;
}
