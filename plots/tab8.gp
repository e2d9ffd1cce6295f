# tab8.gp — Table 8 of arXiv 2502.06309 as a figure: final test accuracy of
# the FCN for every response (γ_res, τ), one panel per response family.
# Bars: ours (Analog SGD blue, Tiki-Taka orange; error bars std over seeds);
# markers: the paper's numbers at the same place (a down-pointing triangle
# at 15 % is the paper's "< 15.00", Analog SGD failing in every trial).
# Horizontal lines: Digital SGD, ours (solid) and the paper's (dotted).
# Data: results/tab8.h5 (experiments/tab8).
load plotdir."/style.gp"

resps = attr("/table", "responses")
nres = words(resps)
ep = attr("/table", "epochs")
ntr = attr("/table", "n_train")
dm = attr("/table", "dsgd_mean") + 0
dp = attr("/table", "paper_dsgd") + 0
t(r, c) = sprintf("/table/%s/%s", r, c)
w = 0.36

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 640*nres,600 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 4.6*nres,4.3 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,nres title sprintf("FCN on %s across response functions (Table 8 of arXiv 2502.06309); ours: %s epoch(s) on %s samples", (attr("/config", "data") eq "mnist") ? "MNIST" : attr("/config", "data"), ep, ntr)
    do for [ri = 1:nres] {
        r = word(resps, ri)
        gs = dataset(t(r, "gamma_res"))
        ts = dataset(t(r, "tau"))
        npt = words(gs)
        set title sprintf("%s response", r)
        set xlabel "γ_{res} / τ"
        set ylabel "test accuracy (%)"
        set xrange [0.4:npt + 0.6]
        set yrange [0:105]
        set xtics () font ",9"
        do for [k = 1:npt] {
            set xtics add (sprintf("%g/%g", word(gs, k) + 0, word(ts, k) + 0) k)
        }
        set style fill solid 0.55 border -1
        set boxwidth w
        set key below maxrows 2 font ",9"
        plot \
          dp with lines dt 3 lw 1.5 lc rgb "black" title "Digital SGD (paper)", \
          dm with lines dt 1 lw 2 lc rgb "black" title "Digital SGD (ours)", \
          cols3(t(r, "index"), t(r, "asgd_mean"), t(r, "asgd_std")) using ($1 - w/2):2:3 \
            with boxerrorbars lc rgb palette[1] title "Analog SGD (ours)", \
          cols3(t(r, "index"), t(r, "rl_mean"), t(r, "rl_std")) using ($1 + w/2):2:3 \
            with boxerrorbars lc rgb palette[2] title "Tiki-Taka (ours)", \
          cols3(t(r, "index"), t(r, "paper_asgd"), t(r, "paper_asgd_failed")) \
            using ($1 - w/2):($3 > 0 ? 1/0 : $2) with points pt 6 ps 1.3 lw 2 lc rgb "#08306b" \
            title "Analog SGD (paper)", \
          cols3(t(r, "index"), t(r, "paper_asgd"), t(r, "paper_asgd_failed")) \
            using ($1 - w/2):($3 > 0 ? $2 : 1/0) with points pt 11 ps 1.5 lc rgb "#08306b" \
            title "Analog SGD (paper: < 15 %)", \
          cols2(t(r, "index"), t(r, "paper_rl")) using ($1 + w/2):2 \
            with points pt 8 ps 1.3 lw 2 lc rgb "#7f2704" title "Tiki-Taka (paper)"
    }
    unset multiplot
    set output
}
