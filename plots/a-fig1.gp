# a-fig1.gp — Fig. 1 of arXiv 2406.12774: Digital vs Analog SGD for several
# step sizes α.  Left: asymptotic error (mean of the last recorded errors)
# against α, log-log, with the stationary-SGD prediction for the digital
# runs.  Right: the error curves (mean over repetitions), colour = α, line
# style = algorithm.  Data: results/a-fig1.h5 (experiments/a-fig1).
load plotdir."/style.gp"

curves = attr("/summary", "curves")
ncur = words(curves)
alphas = dataset("/summary/alpha")
nal = words(alphas)
offset = attr("/summary", "read_offset") + 0
label_of(c) = (c eq "dsgd") ? "Digital SGD" : \
    (c eq "asgd-rank1-read") ? "Analog SGD, pulses (rank-1, BL 800), noisy reads" : \
    (c eq "asgd-compact-digital") ? "Analog SGD, compact model (5), digital noise" : \
    sprintf("Analog SGD, %s", c[6:])
short_of(c) = (c eq "dsgd") ? "DSGD" : \
    (c eq "asgd-rank1-read") ? "ASGD pulses" : \
    (c eq "asgd-compact-digital") ? "ASGD model" : c
array dts[8] = [1, 2, 4, 5, 3, 6, 7, 8]
array pts[8] = [7, 5, 9, 11, 13, 3, 2, 1]
k8(i) = (i - 1) % 8 + 1
run(c, a) = sprintf("/runs/%s-a%g", c, a + 0)

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1400,560 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 10,4 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,2 title "Digital vs Analog SGD under different step sizes (Fig. 1 of arXiv 2406.12774)"

    set title "asymptotic error vs step size (mean ± std over repetitions)"
    set logscale xy
    set format y "10^{%L}"
    set format x "%g"
    set xrange [0.025:0.24]
    set xtics (0.03, 0.05, 0.1, 0.2)
    set xlabel "step size α"
    set ylabel "asymptotic error: mean of the last errors κf/D"
    set yrange [1e-8:1e-5]
    set key at graph 0.98, graph 0.76 right top font ",10"
    plot \
      for [i = 1:ncur] cols3("/summary/alpha", sprintf("/summary/%s/floor_mean", word(curves, i)), \
                            sprintf("/summary/%s/floor_std", word(curves, i))) \
        using 1:2:3 with yerrorlines lw 2 pt pts[k8(i)] ps 1.2 dt 1 lc rgb palette[k8(i)] title label_of(word(curves, i)), \
      cols2("/summary/alpha", "/summary/dsgd/floor_theory") using 1:2 with lines lw 1.5 dt 3 lc rgb "black" \
        title "Digital SGD, stationary theory", \
      offset with lines lw 1 dt 2 lc rgb "#7f7f7f" title "paper's read-noise offset in recorded error"

    set title "error curves (mean over repetitions; colour = α)"
    unset logscale x
    set logscale y
    set format x "%g"
    set xrange [0:*]
    set autoscale xfixmax
    set yrange [*:*]
    set xtics auto
    set xlabel "gradient computations k"
    set ylabel "f(W_k) − f^* (as κf/D)"
    set key default
    set key top right box opaque samplen 2.5 font ",9" maxrows 8
    plot \
      for [i = 1:ncur] for [j = 1:nal] cols2(run(word(curves, i), word(alphas, j)).'/step', \
                                            run(word(curves, i), word(alphas, j)).'/loss_mean') \
        every 5 using 1:2 with lines lw 1.3 dt dts[k8(i)] lc rgb palette[k8(j)] \
        title sprintf("%s, α = %g", short_of(word(curves, i)), word(alphas, j) + 0)
    unset multiplot
    set output
}
