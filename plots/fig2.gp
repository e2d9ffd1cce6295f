# fig2.gp — Fig. 2 of arXiv 2502.06309: loss of Analog SGD (dashed, circles)
# and Tiki-Taka / residual learning (solid, stars) for several asymmetries c.
# Left: aihwkit's device (what made the paper's figure); right: the paper's
# stated formula.  Data: results/fig2.h5 (experiments/fig2).
load plotdir."/style.gp"

fams = attr("/", "families")
clist = dataset("/summary/linear-aihwkit/c_lin")
if (strlen(clist) == 0) { clist = dataset("/summary/linear/c_lin") }
nfam = words(fams)
title_of(f) = (f eq "linear-aihwkit") ? \
    "aihwkit device: q_+ = 1 - w/τ, q_- = (1-c)(1 + w/τ)" : \
    "paper's formula: q_± = (1±c)(1 ∓ w/τ)"
run(a, f, c) = sprintf("/runs/%s-%s-c%g", a, f, c + 0)

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 700*nfam,520 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 5*nfam,3.7 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,nfam title "Analog SGD vs Tiki-Taka on least squares (Fig. 2 of arXiv 2502.06309)"
    do for [fi = 1:nfam] {
        f = word(fams, fi)
        set title title_of(f)
        set logscale y
        set format y "10^{%L}"
        set xlabel "gradient computations k"
        set ylabel "f(W_k) = ‖AW−b‖² / (2·100·50)"
        set key bottom left
        plot \
          for [i = 1:words(clist)] cols2(run("asgd", f, word(clist, i)).'/step', run("asgd", f, word(clist, i)).'/loss_mean') \
            using 1:2 with linespoints dt 2 lw 1.5 pt 6 ps 0.8 pi 100 lc rgb palette[i] \
            title sprintf("ASGD, c = %g", word(clist, i) + 0), \
          for [i = 1:words(clist)] cols2(run("rl", f, word(clist, i)).'/step', run("rl", f, word(clist, i)).'/loss_mean') \
            using 1:2 with linespoints dt 1 lw 1.5 pt 3 ps 0.9 pi 100 lc rgb palette[i] \
            title sprintf("TT, c = %g", word(clist, i) + 0)
    }
    unset multiplot
    set output
}
