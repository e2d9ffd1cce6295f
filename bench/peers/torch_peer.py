#!/usr/bin/python3
"""torch_peer.py — the same discrete device model in PyTorch (CPU), the tool a
researcher would otherwise write: the stochastic rank-one pulse update of
SPEC 1.6 on an m×m softbounds tile (τ = 1, Δw_min = 1e-3, BL_max 31, update
and BL management), vectorised over the tile, pulses applied slot by slot.

usage: torch_peer.py rank1 M MIN_SECONDS   → prints seconds per update (median
of three batches of at least MIN_SECONDS each, after one warm-up update)
Inputs match bench.c: x_j = sin(1 + j), d_i = 0.01·cos(2 + 3i), λ = 1.
"""
import math
import sys
import time

import torch


def rank1_update(w, x, d, lr, dw_min, tau, bl_max):
    xm, dm = x.abs().max().item(), d.abs().max().item()
    k = lr * xm * dm / dw_min
    bl = min(math.ceil(k), bl_max)
    dmc = dm * bl_max / k if k > bl_max else dm
    base = math.sqrt(lr / (dw_min * bl))
    a, b = base * math.sqrt(xm / dmc), base * math.sqrt(dmc / xm)
    xbits = (torch.rand(bl, x.numel()) < (x.abs() * b)).to(w.dtype)
    dbits = (torch.rand(bl, d.numel()) < (d.abs() * a)).to(w.dtype)
    counts = dbits.t() @ xbits                      # coincidences n_ij
    sign = -torch.sign(d[:, None] * x[None, :])     # pulse direction
    for t in range(bl):                             # pulse by pulse, as the device does
        q = torch.where(sign > 0, 1 - w / tau, 1 + w / tau).clamp_min(0)
        w = torch.where(counts > t, (w + sign * dw_min * q).clamp(-tau, tau), w)
    return w


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "rank1":
        print(__doc__, file=sys.stderr)
        return 2
    m, min_time = int(sys.argv[2]), float(sys.argv[3])
    torch.manual_seed(1)
    x = torch.sin(1.0 + torch.arange(m, dtype=torch.float64))
    d = 0.01 * torch.cos(2.0 + 3.0 * torch.arange(m, dtype=torch.float64))
    w = torch.zeros(m, m, dtype=torch.float64)
    w = rank1_update(w, x, d, 1.0, 1e-3, 1.0, 31)   # warm-up
    times = []
    for _ in range(3):                              # median of three batches
        calls, t0 = 0, time.perf_counter()
        while True:
            w = rank1_update(w, x, d, 1.0, 1e-3, 1.0, 31)
            calls += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_time:
                break
        times.append(elapsed / calls)
    print(f"{sorted(times)[1]:.9g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
