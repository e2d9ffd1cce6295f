/* trains.c — pulse trains on many elements at once (see trains.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trains.h"

/* As lib/device/device.c: shorter trains run pulse by pulse even where a
 * closed form exists. */
#define CLOSED_FORM_MIN_PULSES 8

int trains_cache_init(trains_cache *c, unsigned bl_max)
{
    memset(c, 0, sizeof *c);
    c->cap = bl_max + 1;
    c->fac = malloc(2 * (size_t)c->cap * sizeof *c->fac);
    return c->fac != NULL;
}

void trains_cache_free(trains_cache *c)
{
    free(c->fac);
    c->fac = NULL;
}

/* The closed-form factors expm1(n·log1p(D·b)) for n ≤ nmax, computed with
 * the expression of aimc_device_pulse_train, so the same bits. */
static void cache_fill(trains_cache *c, const double D[2], const double b[2], unsigned nmax)
{
    const double key[4] = {D[0], b[0], D[1], b[1]};
    if (memcmp(key, c->key, sizeof key) != 0) {
        memcpy(c->key, key, sizeof key);
        c->upto = CLOSED_FORM_MIN_PULSES - 1;
    }
    for (unsigned n = c->upto + 1; n <= nmax && n < c->cap; ++n)
        for (int s = 0; s < 2; ++s)
            c->fac[s * c->cap + n] = expm1(n * log1p(D[s] * b[s]));
    if (nmax > c->upto)
        c->upto = nmax < c->cap ? nmax : c->cap - 1;
}

void trains_plan_make(trains_plan *P, const aimc_device *dev, trains_cache *c, unsigned nmax)
{
    memset(P, 0, sizeof *P);
    P->dev = dev;
    P->noisy = dev->p.sigma_c > 0.0;
    const aimc_response_type *T = dev->p.response.type;
    P->inline_ok = !P->noisy && dev->nominal && T->affine != NULL;
    if (!P->inline_ok)
        return;
    double coef[4];
    T->affine(&dev->p.response.p, aimc_device_lo(dev, 0), aimc_device_hi(dev, 0), coef);
    for (int s = 0; s < 2; ++s) {
        const int sign = s ? 1 : -1;
        P->a[s] = s ? coef[0] : coef[2];
        P->b[s] = s ? coef[1] : coef[3];
        P->D[s] = sign * dev->p.dw_min * (s ? aimc_device_up(dev, 0) : aimc_device_down(dev, 0));
        const double Db = P->D[s] * P->b[s];
        P->closed[s] = P->b[s] == 0.0 || (Db > -1.0 && Db <= 0.0);
        P->a_over_b[s] = P->b[s] != 0.0 ? P->a[s] / P->b[s] : 0.0; /* −v*, once per call */
    }
    P->lo = aimc_device_lo(dev, 0);
    P->hi = aimc_device_hi(dev, 0);
    cache_fill(c, P->D, P->b, nmax);
    P->fac[0] = c->fac;
    P->fac[1] = c->fac + c->cap;
}

/* aimc_device_pulse_train's affine branch for a nominal element (ref 0),
 * noise-free, n ≥ 2: the closed form for long trains, else the per-pulse
 * rule (26) with q = a + b·v clamped at 0 and a clip after every pulse. */
static double train_inline(const trains_plan *P, double w, double ref, int s, unsigned n)
{
    const double a = P->a[s], b = P->b[s], D = P->D[s], lo = P->lo, hi = P->hi;
    double v = w + ref;
    if (n >= CLOSED_FORM_MIN_PULSES && P->closed[s]) {
        v = b == 0.0 ? v + n * D * a : v + (v + P->a_over_b[s]) * P->fac[s][n];
    } else {
        for (unsigned t = 0; t < n; ++t) {
            double q = a + b * v;
            q = q < 0.0 ? 0.0 : q;
            v += D * q;
            v = v < lo ? lo : (v > hi ? hi : v);
        }
    }
    v = v < lo ? lo : (v > hi ? hi : v);
    return v - ref;
}

/* The per-pulse loop of train_inline for m gathered elements that all
 * take n pulses: each element sees exactly the operations of train_inline
 * in the same order, so the bits are the same; the loop over r has no
 * branches and vectorizes. */
static void trains_run(double *v, const double *a, const double *b, const double *D, size_t m,
                       unsigned n, double lo, double hi)
{
    for (unsigned t = 0; t < n; ++t)
        for (size_t r = 0; r < m; ++r) {
            double q = a[r] + b[r] * v[r];
            q = q < 0.0 ? 0.0 : q;
            const double x = v[r] + D[r] * q;
            v[r] = x < lo ? lo : (x > hi ? hi : x);
        }
}

/* The trains of n ≥ 2 pulses of a chunk on a nominal affine device: long
 * ones one by one (closed form where it applies); the rest gathered, grouped by their
 * count (a counting sort, so no lane runs slots it does not need) and run
 * a group at a time. */
static void trains_affine(const trains_plan *P, double *w, size_t k0, size_t len,
                          const unsigned *n, const signed char *s)
{
    double v[TRAINS_CHUNK], a[TRAINS_CHUNK], b[TRAINS_CHUNK], D[TRAINS_CHUNK];
    unsigned short idx[TRAINS_CHUNK];
    size_t start[CLOSED_FORM_MIN_PULSES + 1] = {0}, fill[CLOSED_FORM_MIN_PULSES + 1];
    /* A nominal device's references are all 0; a lean one has no array. */
    static const double zeros[TRAINS_CHUNK];
    const double *ref = P->dev->ref != NULL ? P->dev->ref + k0 : zeros;
    /* Trains of n ≥ 8 pulses run one by one (in closed form where ρ is in
     * (0, 1]); counts n ∈ [2, 8) are histogrammed into groups. */
    for (size_t j = 0; j < len; ++j) {
        if (n[j] < 2)
            continue;
        if (n[j] >= CLOSED_FORM_MIN_PULSES)
            w[j] = train_inline(P, w[j], ref[j], s[j] > 0, n[j]);
        else
            start[n[j] + 1]++;
    }
    for (unsigned c = 1; c <= CLOSED_FORM_MIN_PULSES; ++c)
        start[c] += start[c - 1];
    memcpy(fill, start, sizeof fill);
    for (size_t j = 0; j < len; ++j) {
        if (n[j] < 2 || n[j] >= CLOSED_FORM_MIN_PULSES)
            continue;
        const int sp = s[j] > 0;
        const size_t r = fill[n[j]]++;
        idx[r] = (unsigned short)j;
        v[r] = w[j] + ref[j];
        a[r] = P->a[sp];
        b[r] = P->b[sp];
        D[r] = P->D[sp];
    }
    for (unsigned c = 2; c < CLOSED_FORM_MIN_PULSES; ++c)
        trains_run(v + start[c], a + start[c], b + start[c], D + start[c], start[c + 1] - start[c],
                   c, P->lo, P->hi);
    for (size_t r = 0; r < start[CLOSED_FORM_MIN_PULSES]; ++r) {
        /* the final clip and the reference, as train_inline */
        const size_t j = idx[r];
        const double x = v[r] < P->lo ? P->lo : (v[r] > P->hi ? P->hi : v[r]);
        w[j] = x - ref[j];
    }
}

/* One noise-free pulse (26) on each listed element, as aimc_device_pulse
 * computes it, with q of all of them from one call of the family per sign
 * (eval_one: the side each pulse needs; else eval, both sides).  The
 * elements are independent, so they are taken positive signs first.
 * Inlined at each call (GCC 12 otherwise warns that the arrays passed to
 * the family may be uninitialized).  s: per-element signs, or NULL for
 * `sign` on every element. */
static inline __attribute__((always_inline)) void
one_pulse_each(const aimc_device *d, double *w, size_t k0, size_t m, const unsigned short *idx,
               const signed char *s, int sign)
{
    double v[TRAINS_CHUNK], ref[TRAINS_CHUNK], lo[TRAINS_CHUNK], hi[TRAINS_CHUNK];
    double qp[TRAINS_CHUNK], qm[TRAINS_CHUNK];
    unsigned short at[TRAINS_CHUNK]; /* the element in slot r */
    const aimc_response_type *T = d->p.response.type;
    if (m == 0)
        return;
    size_t npos = 0, back = m;
    for (size_t r = 0; r < m; ++r) {
        const int sj = s != NULL ? s[idx[r]] : sign;
        if (sj > 0)
            at[npos++] = idx[r];
        else
            at[--back] = idx[r];
    }
    for (size_t r = 0; r < m; ++r) {
        const size_t i = k0 + at[r];
        v[r] = w[at[r]];
        ref[r] = aimc_device_ref(d, i);
        lo[r] = aimc_device_lo(d, i);
        hi[r] = aimc_device_hi(d, i);
    }
    if (T->eval_one != NULL) { /* qp: q₊ on the first npos slots, q₋ on the rest */
        if (npos > 0)
            T->eval_one(&d->p.response.p, npos, v, ref, lo, hi, 1, qp);
        if (m > npos)
            T->eval_one(&d->p.response.p, m - npos, v + npos, ref + npos, lo + npos, hi + npos,
                        -1, qp + npos);
    } else {
        T->eval(&d->p.response.p, m, v, ref, lo, hi, qp, qm);
        for (size_t r = npos; r < m; ++r)
            qp[r] = qm[r];
    }
    for (size_t r = 0; r < m; ++r) {
        const size_t j = at[r], i = k0 + j;
        const int up = r < npos;
        const double q = up ? qp[r] * aimc_device_up(d, i) : qp[r] * aimc_device_down(d, i);
        const double step = d->p.dw_min * q;
        double x = v[r] + (up ? step : -step);
        const double l = lo[r] - ref[r], h = hi[r] - ref[r];
        w[j] = x < l ? l : (x > h ? h : x);
    }
}

void trains_apply(const trains_plan *P, double *w, size_t k0, size_t len, const unsigned *n,
                  const signed char *s, aimc_stream *noise)
{
    const aimc_device *d = P->dev;
    if (P->noisy) { /* the noise stream is consumed in element order */
        for (size_t j = 0; j < len; ++j)
            if (n[j] > 0)
                w[j] = aimc_device_pulse_train(d, k0 + j, w[j], s[j], n[j], noise);
        return;
    }
    const int affine = d->p.response.type->affine != NULL;
    unsigned short idx[TRAINS_CHUNK];
    unsigned left[TRAINS_CHUNK];
    size_t m = 0;
    if (P->inline_ok)
        trains_affine(P, w, k0, len, n, s);
    for (size_t j = 0; j < len; ++j) {
        if (n[j] == 0)
            continue;
        if (affine && n[j] >= 2) { /* the affine branch of the reference */
            if (!P->inline_ok)
                w[j] = aimc_device_pulse_train(d, k0 + j, w[j], s[j], n[j], NULL);
            continue;
        }
        idx[m] = (unsigned short)j;
        left[m++] = n[j];
    }
    /* The rest pulse one at a time, slot by slot (each element's pulses
     * stay in order; elements do not interact without noise). */
    while (m > 0) {
        one_pulse_each(d, w, k0, m, idx, s, 0);
        size_t keep = 0;
        for (size_t r = 0; r < m; ++r)
            if (--left[r] > 0) {
                idx[keep] = idx[r];
                left[keep++] = left[r];
            }
        m = keep;
    }
}

/* Slot t of the per-pulse loop on the elements r < len[t] (len
 * non-increasing): each element sees the operations of train_inline in the
 * same order.  Built for AVX-512 and AVX2 too where the machine has them
 * (8 or 4 lanes).  GCC's avx512f target enables FMA, which would fuse
 * a + b·v into one rounding: the build turns contraction off
 * (-ffp-contract=off, meson.build), so every clone gives the bits of the
 * 2-lane default. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
run_sorted(double *v, const size_t *len, unsigned t0, unsigned nmax, size_t first, double a,
           double b, double D, double lo, double hi)
{
    for (unsigned t = t0; t < nmax; ++t)
        for (size_t r = first; r < len[t]; ++r) {
            double q = a + b * v[r];
            q = q < 0.0 ? 0.0 : q;
            const double x = v[r] + D * q;
            v[r] = x < lo ? lo : (x > hi ? hi : x);
        }
}

/* trains_apply_sorted on a nominal affine device: the closed form for the
 * long trains at the head, the per-pulse loop slot by slot for 2 ≤ n < 8
 * (all n ≥ 2 where no closed form applies), the single pulses at the tail
 * through the family, as aimc_device_pulse_train does. */
static void sorted_inline(const trains_plan *P, double *w, size_t k0, const unsigned short *idx,
                          const unsigned char *cnt, const size_t *len, unsigned nmax, int sp)
{
    double v[TRAINS_CHUNK];
    /* A nominal device's references are all 0; a lean one has no array. */
    const double *ref = P->dev->ref != NULL ? P->dev->ref + k0 : NULL;
    const size_t m2 = nmax >= 2 ? len[1] : 0; /* elements with n ≥ 2 */
    size_t head = 0; /* the closed-form ones, n ≥ 8 */
    if (P->closed[sp] && nmax >= CLOSED_FORM_MIN_PULSES)
        head = len[CLOSED_FORM_MIN_PULSES - 1];
    if (ref != NULL) /* two loops, no test per element */
        for (size_t r = 0; r < m2; ++r)
            v[r] = w[idx[r]] + ref[idx[r]];
    else
        for (size_t r = 0; r < m2; ++r)
            v[r] = w[idx[r]] + 0.0; /* as aimc_device_ref's 0: −0 becomes +0 */
    const double a = P->a[sp], b = P->b[sp], D = P->D[sp], lo = P->lo, hi = P->hi;
    for (size_t r = 0; r < head; ++r) /* as train_inline */
        v[r] = b == 0.0 ? v[r] + cnt[r] * D * a : v[r] + (v[r] + P->a_over_b[sp]) * P->fac[sp][cnt[r]];
    if (m2 > head) {
        /* slot 0 on every element with n ≥ 2 (len[0] also counts the single pulses) */
        size_t l[TRAINS_MAX_SORTED];
        l[0] = m2;
        const unsigned tmax = head > 0 ? CLOSED_FORM_MIN_PULSES - 1 : nmax;
        for (unsigned t = 1; t < tmax; ++t)
            l[t] = len[t];
        run_sorted(v, l, 0, tmax, head, a, b, D, lo, hi);
    }
    /* The final clip (a loop of its own, so it vectorizes), then the
     * reference and the scatter. */
    for (size_t r = 0; r < m2; ++r)
        v[r] = v[r] < lo ? lo : (v[r] > hi ? hi : v[r]);
    if (ref != NULL)
        for (size_t r = 0; r < m2; ++r)
            w[idx[r]] = v[r] - ref[idx[r]];
    else
        for (size_t r = 0; r < m2; ++r)
            w[idx[r]] = v[r] - 0.0;
}

void trains_apply_sorted(const trains_plan *P, double *w, size_t k0, const unsigned short *idx,
                         const unsigned char *cnt, const size_t *len, unsigned nmax, int sign)
{
    const aimc_device *d = P->dev;
    const int sp = sign > 0;
    if (nmax == 0 || len[0] == 0)
        return;
    const size_t m2 = nmax >= 2 ? len[1] : 0;
    if (d->p.response.type->affine == NULL) {
        /* every pulse through the family, slot by slot */
        for (unsigned t = 0; t < nmax && len[t] > 0; ++t)
            one_pulse_each(d, w, k0, len[t], idx, NULL, sign);
        return;
    }
    if (P->inline_ok)
        sorted_inline(P, w, k0, idx, cnt, len, nmax, sp);
    else
        for (size_t r = 0; r < m2; ++r)
            w[idx[r]] = aimc_device_pulse_train(d, k0 + idx[r], w[idx[r]], sign, cnt[r], NULL);
    if (len[0] > m2) /* the single pulses, as aimc_device_pulse */
        one_pulse_each(d, w, k0, len[0] - m2, idx + m2, NULL, sign);
}
