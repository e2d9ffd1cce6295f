# tab7.gp — Table 7 of arXiv 2502.06309 as a figure: final test accuracy
# against the cycle-to-cycle noise σ_c, one panel per network.  Ours: solid
# lines with error bars (std over seeds); the paper's numbers: dotted, open
# markers.  Analog SGD circles, Tiki-Taka stars; Digital SGD (no device, so
# no σ_c) as horizontal lines.  Data: results/tab7.h5 (experiments/tab7).
load plotdir."/style.gp"

nets = attr("/table", "networks")
nnet = words(nets)
ntr = attr("/table", "n_train")
label(n) = (n eq "fcn") ? "FCN 784-256-128-10" : "CNN conv16-conv32-fc128-fc10"
t(n, c) = sprintf("/table/%s/%s", n, c)

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 640*nnet,600 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 4.6*nnet,4.3 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,nnet title "Test accuracy under cycle-to-cycle noise on MNIST (Table 7 of arXiv 2502.06309)"
    do for [ni = 1:nnet] {
        n = word(nets, ni)
        ep = attr(t(n, ""), "epochs")
        dm = attr(t(n, ""), "dsgd_mean") + 0
        dp = attr(t(n, ""), "paper_dsgd") + 0
        set title sprintf("%s — ours: %s epoch(s) on %s digits", label(n), ep, ntr)
        set xlabel "cycle-to-cycle noise σ_c (%)"
        set ylabel "test accuracy (%)"
        set xrange [0:130]
        set yrange [*:100]
        set key below maxrows 3 font ",9"
        plot \
          dp with lines dt 3 lw 1.5 lc rgb "black" title "Digital SGD (paper)", \
          dm with lines dt 1 lw 2 lc rgb "black" title "Digital SGD (ours)", \
          cols3(t(n, "sigma_c"), t(n, "paper_asgd"), t(n, "paper_rl")) using 1:2 \
            with linespoints dt 3 lw 1.5 pt 6 ps 1.0 lc rgb palette[1] title "Analog SGD (paper)", \
          cols3(t(n, "sigma_c"), t(n, "paper_asgd"), t(n, "paper_rl")) using 1:3 \
            with linespoints dt 3 lw 1.5 pt 8 ps 1.0 lc rgb palette[2] title "Tiki-Taka (paper)", \
          cols3(t(n, "sigma_c"), t(n, "asgd_mean"), t(n, "asgd_std")) using 1:2:3 \
            with yerrorlines dt 1 lw 2 pt 7 ps 0.9 lc rgb palette[1] title "Analog SGD (ours)", \
          cols3(t(n, "sigma_c"), t(n, "rl_mean"), t(n, "rl_std")) using 1:2:3 \
            with yerrorlines dt 1 lw 2 pt 9 ps 1.0 lc rgb palette[2] title "Tiki-Taka (ours)"
    }
    unset multiplot
    set output
}
