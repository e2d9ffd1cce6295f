/* baseline.h — the plain scalar C loops the kernels are measured against:
 * what a researcher would write first, one element and one pulse at a
 * time, with the response formula inline and no tricks. */
#ifndef AIMC_BENCH_BASELINE_H
#define AIMC_BENCH_BASELINE_H

#include <stddef.h>
#include "aimc/rng.h"

typedef enum { BASE_SOFTBOUNDS, BASE_LINEAR, BASE_POWER, BASE_EXPONENTIAL } base_family;

typedef struct {
    base_family family;
    double tau, gamma_res, c_lin, dw_min, sigma_c;
} base_device;

/* q₊ and q₋ at w (nominal bounds ±τ). */
void base_q(const base_device *d, double w, double *qp, double *qm);
/* (5) compact update, element by element. */
void base_compact(const base_device *d, double *w, const double *dW, size_t n);
/* (27) a train of round(|ΔW|/Δw_min) ≤ bl_max pulses per element, pulse by pulse. */
void base_pulsed(const base_device *d, double *w, const double *dW, size_t n, unsigned bl_max,
                 aimc_stream *s);
/* SPEC 1.6 rank-one update, slot by slot over every (i, j): O(BL·m·n). */
void base_rank1(const base_device *d, double *w, size_t rows, size_t cols, const double *x,
                const double *dv, double lr, unsigned bl_max, aimc_stream *s);

#endif
