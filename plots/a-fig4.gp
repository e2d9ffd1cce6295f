# a-fig4.gp — Fig. 4 of arXiv 2406.12774: ablations of the Analog SGD error
# floor: (a) over the dynamic range τ, (b) over the gradient-noise variance
# σ², (c) over the initial point W₀.  Curves are means over repetitions.
# Data: results/a-fig4.h5 (experiments/a-fig4).
load plotdir."/style.gp"

la = attr("/summary/a", "labels")
lb = attr("/summary/b", "labels")
lc = attr("/summary/c", "labels")
xa = dataset("/summary/a/tau")
xb = dataset("/summary/b/sigma2")
xc = dataset("/summary/c/w0")
run(p, l) = sprintf("/runs/%s-%s", p, l)
title_c(l, x) = (l[1:2] eq "gd") ? sprintf("Digital GD, %g steps", x + 0) : \
    sprintf("W_0 = %g%s", x + 0, (x + 0 > 1) ? " (clipped to 1)" : "")
array dts[8] = [1, 2, 4, 5, 1, 2, 4, 5]
array pts[8] = [7, 5, 9, 11, 13, 3, 2, 1]
k8(i) = (i - 1) % 8 + 1

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1600,540 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 12,4.1 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,3 title "Ablations of the Analog SGD error floor (Fig. 4 of arXiv 2406.12774)"
    set logscale y
    set format y "10^{%L}"
    set xlabel "gradient computations k"
    set ylabel "f(W_k) − f^* (as κf/D)"
    set xrange [0:*]
    set autoscale xfixmax

    set title "(a) dynamic range τ (Δw_{min} = τ/300)"
    set key top right
    plot for [i = 1:words(la)] cols2(run("a", word(la, i)).'/step', run("a", word(la, i)).'/loss_mean') \
        every 5 using 1:2 with linespoints lw 1.5 dt 1 pt pts[k8(i)] ps 1 pi 60 lc rgb palette[k8(i)] \
        title sprintf("τ = %g", word(xa, i) + 0)

    set title "(b) noise variance σ² (τ = 2)"
    unset ylabel
    plot for [i = 1:words(lb)] cols2(run("b", word(lb, i)).'/step', run("b", word(lb, i)).'/loss_mean') \
        using 1:2 with linespoints lw 1.5 dt 1 pt pts[k8(i)] ps 1 pi 25 lc rgb palette[k8(i)] \
        title sprintf("σ^2 = %g", word(xb, i) + 0)

    set title "(c) initial point W_0 (τ = 1)"
    set key top right font ",10"
    plot for [i = 1:words(lc)] cols2(run("c", word(lc, i)).'/step', run("c", word(lc, i)).'/loss_mean') \
        using 1:2 with linespoints lw 1.5 dt dts[k8(i)] pt pts[k8(i)] ps 0.9 pi 7 lc rgb palette[k8(i)] \
        title title_c(word(lc, i), word(xc, i))
    unset multiplot
    set output
}
