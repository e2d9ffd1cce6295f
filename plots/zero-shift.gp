# zero-shift.gp — Paper B's zero-shifting calibration (arXiv 2602.21321) and
# its effect on residual learning.  Data: results/zero-shift.h5
# (experiments/zero-shift).
#   (a) error of the symmetric-point estimate against the pulses N, per Δw_min;
#   (b) Theorem 2.2's quantity (1/N)Σ G(W_n)² against N·Δw_min, with the
#       theorem's bound for Algorithm 1;
#   (c) residual learning's loss with the residual array uncalibrated,
#       calibrated with N pulses, or exactly;
#   (d) its floor above the exact one against the calibration error.
load plotdir."/style.gp"

dws = dataset("/summary/estimation/alternating/dw_min")
ndw = words(dws)
zs = dataset("/summary/rl/zs_pulses")
narm = words(zs)
est(v, d) = sprintf("/runs/estimate-%s-dw%g", v, d + 0)
armlabel(i) = (i == 1) ? "uncalibrated" : ((i == narm) ? "exact" : sprintf("zs-N%d", word(zs, i) + 0))
armtitle(i) = (i == 1) ? "uncalibrated" : ((i == narm) ? "exact (w_⋄ known)" : sprintf("N = %d pulses", word(zs, i) + 0))
# Arms from red (none) through blue to black (exact).
array armcol[10] = ["#d62728", "#ff7f0e", "#bcbd22", "#2ca02c", "#17becf", "#1f77b4", "#9467bd", "#8c564b", "#7f7f7f", "#000000"]
acol(i) = (i == narm) ? "#000000" : armcol[(i - 1) % 9 + 1]

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1400,1040 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 10,7.4 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 2,2 title sprintf("Zero-shifting calibration (Paper B, arXiv 2602.21321) on %s, c = %s, τ = %s", \
        attr("/config", "response"), sprintf("%g", attr("/config", "c-lin") + 0), sprintf("%g", attr("/config", "tau") + 0))

    set logscale xy
    set format x "10^{%L}"
    set format y "10^{%L}"

    set title "(a) error of the estimate (mean over elements)"
    set xlabel "calibration pulses N"
    set ylabel "|ŵ_⋄ − w_⋄|"
    set key bottom left font ",9"
    plot \
      for [i = 1:ndw] cols2(est("alternating", word(dws, i)).'/step', est("alternating", word(dws, i)).'/err_mean') \
        using 1:2 with lines lw 2 dt 1 lc rgb palette[i] title sprintf("± alternating, Δw_{min} = %g", word(dws, i) + 0), \
      for [i = 1:ndw] cols2(est("random", word(dws, i)).'/step', est("random", word(dws, i)).'/err_mean') \
        using 1:2 with lines lw 2 dt 2 lc rgb palette[i] title sprintf("random signs, Δw_{min} = %g", word(dws, i) + 0)

    set title "(b) Theorem 2.2: (1/N) Σ_n G(W_n)^2 (mean over elements)"
    set xlabel "N · Δw_{min}"
    set ylabel "(1/N) Σ G(W_n)^2"
    set key bottom left font ",9"
    plot \
      for [i = 1:ndw] cols2(est("alternating", word(dws, i)).'/step', est("alternating", word(dws, i)).'/mean_G2_mean') \
        using ($1*word(dws, i)):2 with lines lw 2 dt 1 lc rgb palette[i] title sprintf("± alternating, Δw_{min} = %g", word(dws, i) + 0), \
      for [i = 1:ndw] cols2(est("random", word(dws, i)).'/step', est("random", word(dws, i)).'/mean_G2_mean') \
        using ($1*word(dws, i)):2 with lines lw 2 dt 2 lc rgb palette[i] title sprintf("random signs, Δw_{min} = %g", word(dws, i) + 0), \
      for [i = 1:ndw] cols2(est("random", word(dws, i)).'/step', est("random", word(dws, i)).'/thm22_rhs_mean') \
        using ($1*word(dws, i)):2 with lines lw 1 dt 3 lc rgb palette[i] title (i == 1 ? "Thm 2.2 bound (dotted)" : "")

    set title "(c) residual learning on least squares, residual array calibrated with N pulses"
    set xlabel "gradient computations k"
    set ylabel "f(W_k + γP_k) (mean over repetitions)"
    unset logscale x
    set format x "%g"
    set key top right font ",9"
    plot for [i = 1:narm] cols2('/runs/rl-'.armlabel(i).'/step', '/runs/rl-'.armlabel(i).'/loss_mean') \
        using 1:2 with lines lw 1.5 lc rgb acol(i) title armtitle(i)

    set title "(d) floor above the exact calibration's vs calibration error"
    set logscale xy
    set format x "10^{%L}"
    set xlabel "rms visible symmetric point of P after calibration"
    set ylabel "floor − exact floor (paired, mean ± SE)"
    set key top left font ",9"
    set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
    f = '/summary/rl'
    # Reference slope 2 through the uncalibrated point.
    e0 = word(dataset(f.'/cal_rms'), 1) + 0
    x0 = word(dataset(f.'/excess'), 1) + 0
    plot cols3(f.'/cal_rms', f.'/excess', f.'/excess_se') \
           using 1:($2 > 0 ? $2 : NaN):3 with yerrorbars pt 7 ps 1.1 lc rgb "#1f77b4" title "estimated (N pulses) and uncalibrated", \
         x0 * (x / e0)**2 with lines dt 2 lc rgb "#7f7f7f" title "∝ (calibration error)^2", \
         cols3(f.'/cal_rms', f.'/excess', f.'/zs_pulses') \
           using 1:($2 > 0 && $3 > 0 && int($0) % 2 == 1 ? $2 : NaN):(sprintf("N=%d", $3)) with labels left offset 0.8,-0.6 font ",8" notitle, \
         cols3(f.'/cal_rms', f.'/excess', f.'/zs_pulses') \
           using 1:($2 > 0 && $3 > 0 && int($0) % 2 == 0 ? $2 : NaN):(sprintf("N=%d", $3)) with labels right offset -0.8,0.6 font ",8" notitle, \
         cols3(f.'/cal_rms', f.'/excess', f.'/zs_pulses') \
           using 1:($2 > 0 && $3 == 0 ? $2 : NaN):("uncalibrated") with labels left offset 0.8,0.6 font ",8" notitle
    unset offsets
    unset multiplot
    set output
}
