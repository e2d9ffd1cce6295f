# a-fig3.gp — Fig. 3 of arXiv 2406.12774: the compact model (5) of Analog
# SGD against pulse-level simulations, with Digital SGD for reference; one
# panel per dynamic range τ (Δw_min = τ/300).  Curves are means over
# repetitions.  Data: results/a-fig3.h5 (experiments/a-fig3).
load plotdir."/style.gp"

curves = attr("/summary", "curves")
ncur = words(curves)
taus = dataset("/summary/tau")
ntau = words(taus)
label_of(c) = (c eq "dsgd") ? "Digital SGD" : \
    (c eq "asgd-compact-digital") ? "Analog SGD, compact model (5)" : \
    (c eq "asgd-rank1-read") ? "Analog SGD, pulses: rank-1 trains, noisy reads (as aihwkit)" : \
    (c eq "asgd-pulsed-digital") ? "Analog SGD, pulses: a train per element, the model's noise" : \
    sprintf("Analog SGD, %s", c[6:])
array dts[8] = [1, 1, 2, 4, 5, 3, 6, 7]
array pts[8] = [7, 2, 9, 5, 11, 13, 3, 1]
k8(i) = (i - 1) % 8 + 1
run(c, t) = sprintf("/runs/%s-tau%g", c, t + 0)
# Panel geometry (screen coordinates): a row of plots above a key strip.
x0 = 0.055; x1 = 0.99; gap = 0.012
pw = (x1 - x0 - (ntau - 1) * gap) / ntau

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1600,560 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 12,4.2 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot title "Compact model of Analog SGD vs pulse-level simulation (Fig. 3 of arXiv 2406.12774)"
    set logscale y
    set xrange [0:*]
    set autoscale xfixmax
    set xtics 1000
    set xlabel "gradient computations k"
    set yrange [1e-5:2e-2]
    set tmargin at screen 0.87
    set bmargin at screen 0.30
    unset key
    do for [ti = 1:ntau] {
        t = word(taus, ti) + 0
        set lmargin at screen x0 + (ti - 1) * (pw + gap)
        set rmargin at screen x0 + (ti - 1) * (pw + gap) + pw
        set title sprintf("τ = %g, Δw_{min} = τ/300", t)
        if (ti == 1) {
            set ylabel "f(W_k) − f^* (as κf/D)"
            set format y "10^{%L}"
        } else {
            unset ylabel
            set format y ""
        }
        plot for [i = 1:ncur] cols2(run(word(curves, i), t).'/step', run(word(curves, i), t).'/loss_mean') \
            every 5 using 1:2 with linespoints lw 1.5 dt dts[k8(i)] pt pts[k8(i)] ps 1 pi 100 lc rgb palette[k8(i)] \
            notitle
    }
    # The key, once, in a strip under the panels.
    set tmargin at screen 0.14
    set bmargin at screen 0.02
    set lmargin at screen x0
    set rmargin at screen x1
    unset title; unset xlabel; unset ylabel; unset tics; unset border; unset grid; unset logscale
    set xrange [0:1]; set yrange [0:1]
    set key center center horizontal maxrows 2 width 2 font ",11" nobox
    plot for [i = 1:ncur] NaN with linespoints lw 1.5 dt dts[k8(i)] pt pts[k8(i)] ps 1 lc rgb palette[k8(i)] \
        title label_of(word(curves, i))
    unset multiplot
    set output
}
