# theory-rates.gp — the rates of SPEC §3 side by side (arXiv 2502.06309 and
# 2406.12774): error E_K = (1/K)Σ‖∇f(W_k)‖² against the horizon K for Analog
# SGD with noise (floor; Paper A's bound), Analog GD without noise (O(1/K);
# bound (137)) and residual learning with a zero-shifted P (O(K^-1/2); Thm 3's
# rate, constant 1).  Solid with markers: measured (mean over repetitions);
# dashed: bounds; dotted: Analog SGD's floor term 2σ²S_K.
# Data: results/theory-rates.h5 (experiments/theory-rates).
load plotdir."/style.gp"

floor = attr("/summary", "asgd_floor") + 0
slope = attr("/summary", "rl_slope") + 0
K = "/runs/asgd/step"
stats cols2(K, K) using 1 nooutput   # the horizons: fit the x range to them
kmin = STATS_min
kmax = STATS_max

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 860,680 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 6.2,4.9 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set title "Convergence rates (Theorems 2, 6 and 3 of arXiv 2502.06309)"
    set logscale xy
    set format x "10^{%L}"
    set xrange [0.8 * kmin : 1.5 * kmax]
    set format y "10^{%L}"
    set xlabel "horizon K (step sizes set for K)"
    set ylabel "E_K = (1/K) Σ_{k<K} ‖∇f(W_k)‖²"
    set key bottom left font ",10" spacing 1.15
    set label 1 sprintf("fitted Analog SGD floor: %.2g", floor) at graph 0.97, graph 0.42 right font ",10"
    set label 2 sprintf("fitted RL slope: %.3f", slope) at graph 0.97, graph 0.36 right font ",10"
    plot \
      cols2(K, "/runs/asgd/error_mean") using 1:2 with linespoints lw 2 pt 7 ps 0.9 lc rgb palette[1] \
        title "Analog SGD, σ > 0", \
      cols2(K, "/runs/asgd/bound_mean") using 1:2 with lines lw 1.5 dt 2 lc rgb palette[1] \
        title "  bound (Paper A)", \
      cols2(K, "/runs/asgd/floor_term_mean") using 1:2 with lines lw 1.5 dt 3 lc rgb palette[1] \
        title "  Analog SGD floor term 2σ²S_K", \
      cols2("/runs/agd/step", "/runs/agd/error_mean") using 1:2 with linespoints lw 2 pt 5 ps 0.8 lc rgb palette[2] \
        title "Analog GD, σ = 0", \
      cols2("/runs/agd/step", "/runs/agd/bound_mean") using 1:2 with lines lw 1.5 dt 2 lc rgb palette[2] \
        title "  bound (137), O(1/K)", \
      cols2("/runs/rl/step", "/runs/rl/error_mean") using 1:2 with linespoints lw 2 pt 9 ps 1.0 lc rgb palette[3] \
        title "residual learning, zero-shifted P", \
      cols2("/runs/rl/step", "/runs/rl/rate_mean") using 1:2 with lines lw 1.5 dt 2 lc rgb palette[3] \
        title "  Thm 3 rate √(Δσ²L/K), const. 1"
    set output
}
