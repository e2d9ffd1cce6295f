# thm1.gp — Theorem 1 / Theorem 5 of arXiv 2502.06309: where Analog SGD
# settles on a separable quadratic.  One panel per response family: the
# time-averaged iterate (markers; Gaussian circles, Rademacher squares) against
# the noise level Σ = E|σξ|, with the root of the mean-dynamics equation T = 0
# (solid: Gaussian, dashed: Rademacher), the first-order prediction (43)
# (dotted), W* (grey) and w⋄ (black dash-dot).  Then: the error of (43) against
# the root as W* approaches w⋄ (log-log), and the O(α) bias of the time
# average.  Data: results/thm1.h5 (experiments/thm1).
load plotdir."/style.gp"

cols4(a, b, c, d) = sprintf("< %s %s %s %s %s %s", h5cols, infile, a, b, c, d)
fams = attr("/summary", "families")
laws = attr("/summary", "noise_laws")
nc = attr("/summary", "ncoord") + 0
sweep = attr("/summary", "alpha_sweep") + 0
tcrit = attr("/summary", "t_crit") + 0
wstar = dataset("/runs/".word(fams, 1)."-".word(laws, 1)."/w_star")
nf = words(fams)
has(law) = strstrt(laws, law) > 0
th(f, what) = sprintf("/summary/theory/%s/%s", f, what)
rn(f, law, what) = sprintf("/runs/%s-%s/%s", f, law, what)
sl(f, law, what) = sprintf("/summary/slope/%s-%s/%s", f, law, what)
# Colours: one per coordinate W* in the family panels, one per family in the
# error panel.
col(i) = palette[(i - 1) % 8 + 1]

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1900,1300 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 19,13 font "DejaVu Sans,10" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 3,4 title "Analog SGD on f = Σ λ/2 (w - w*)^2 settles at the root of T (42), not at W* (Theorem 1 of arXiv 2502.06309)" font ",14"
    unset key
    do for [fi = 1:nf] {
        f = word(fams, fi)
        wsym = attr("/summary/theory/".f, "w_sym") + 0
        set title sprintf("%s  (w⋄ = %.3g)", f, wsym)
        set xlabel "noise level Σ = E|σξ|"
        set ylabel "limit point w"
        set xrange [0:*]
        set yrange [*:*]
        set offsets 0, 0, 0.08, 0.08
        plot \
          for [c = 1:nc] (word(wstar, c) + 0) with lines dt 1 lw 1 lc rgb "#aaaaaa", \
          wsym with lines dt 4 lw 1.5 lc rgb "black", \
          for [c = 1:nc] cols2(th(f, "Sigma"), th(f, "root_gaussian")) using 1:(column(1 + c)) \
            with lines dt 1 lw 2 lc rgb col(c), \
          for [c = 1:nc] cols2(th(f, "Sigma"), th(f, "root_rademacher")) using 1:(column(1 + c)) \
            with lines dt 2 lw 2 lc rgb col(c), \
          for [c = 1:nc] cols2(th(f, "Sigma"), th(f, "pred43")) using 1:(column(1 + c)) \
            with lines dt 3 lw 3 lc rgb col(c), \
          for [c = 1:(has("gaussian") ? nc : 0)] cols3(rn(f, "gaussian", "Sigma"), rn(f, "gaussian", "limit"), rn(f, "gaussian", "allowance")) \
            using 1:(column(1 + c)):(column(1 + nc + c)) with yerrorbars pt 6 ps 1.4 lw 1.5 lc rgb col(c), \
          for [c = 1:(has("rademacher") ? nc : 0)] cols3(rn(f, "rademacher", "Sigma"), rn(f, "rademacher", "limit"), rn(f, "rademacher", "allowance")) \
            using 1:(column(1 + c)):(column(1 + nc + c)) with yerrorbars pt 4 ps 1.4 lw 1.5 lc rgb col(c)
    }
    # Accuracy of (43): |(43) − root| against |W* − w⋄|, every family.
    set title "error of (43) vs root of T (solid Gaussian, dashed Rademacher)"
    set xlabel "|W* − w⋄|"
    set ylabel "|(43) − root of T|"
    set logscale xy
    set format x "10^{%L}"
    set format y "10^{%L}"
    set xrange [*:*]
    set yrange [1e-12:1]
    set offsets 0, 0, 0, 0
    set key top left font ",9" spacing 0.9
    plot \
      for [fi = 1:nf] cols2(sl(word(fams, fi), "gaussian", "delta"), sl(word(fams, fi), "gaussian", "error")) \
        using 1:($2 > 1e-14 ? $2 : 1/0) with linespoints dt 1 lw 1.5 pt 7 ps 0.6 lc rgb col(fi) title word(fams, fi), \
      for [fi = 1:nf] cols2(sl(word(fams, fi), "rademacher", "delta"), sl(word(fams, fi), "rademacher", "error")) \
        using 1:($2 > 1e-14 ? $2 : 1/0) with linespoints dt 2 lw 1.5 pt 4 ps 0.6 lc rgb col(fi) notitle, \
      0.3 * x**2 with lines dt 4 lw 2 lc rgb "black" title "∝ δ^2", \
      0.3 * x**3 with lines dt 5 lw 2 lc rgb "#666666" title "∝ δ^3"
    unset logscale
    set format x "% h"
    set format y "% h"
    unset key
    # The O(α) bias of the time average: measured deviation and its estimate.
    if (sweep) {
        sf = attr("/runs/alpha-sweep", "response")
        set title sprintf("bias of the time average (%s, %s, σ = %s)", sf, \
                          attr("/runs/alpha-sweep", "noise"), word(dataset("/runs/alpha-sweep/sigma"), 1))
        set xlabel "learning rate α"
        set ylabel "time average − root of T"
        set xrange [0:*]
        set yrange [*:*]
        set key bottom left Left reverse font ",9" width -2
        plot \
          0 with lines lc rgb "#aaaaaa" notitle, \
          for [c = 1:nc] cols4("/runs/alpha-sweep/alpha", "/runs/alpha-sweep/limit", "/runs/alpha-sweep/root", "/runs/alpha-sweep/limit_se") \
            using 1:(column(1 + c) - column(1 + nc + c)):(tcrit * column(1 + 2 * nc + c)) \
            with yerrorbars pt 7 ps 1.2 lw 1.5 lc rgb col(c) title sprintf("measured ± t·SE, W* = %s", word(wstar, c)), \
          for [c = 1:nc] cols2("/runs/alpha-sweep/alpha", "/runs/alpha-sweep/bias_est") using 1:(column(1 + c)) \
            with linespoints dt 2 lw 2 pt 2 ps 1.2 lc rgb col(c) title sprintf("estimate b, W* = %s", word(wstar, c))
        unset key
    } else {
        set multiplot next
    }
    # A legend panel: what the line styles of the family panels mean.
    unset border
    unset tics
    unset xlabel
    unset ylabel
    set title "family panels"
    set xrange [0:1]
    set yrange [0:1]
    set key at graph 0.5, 0.98 center top font ",11" spacing 1.3 samplen 3 nobox
    set label 1 sprintf("α = %g, %g steps averaged after %g, %g batches\nλ = %g, τ = %g, c = %g, γ_{res} = %g\nerror bars ± (t·SE + |bias|), t = %.2f", \
        attr("/config", "alpha") + 0, attr("/config", "steps") + 0, attr("/config", "burn-in") + 0, \
        attr("/config", "batches") + 0, attr("/config", "lambda") + 0, attr("/config", "tau") + 0, \
        attr("/config", "c-lin") + 0, attr("/config", "gamma-res") + 0, tcrit) \
        at graph 0.5, 0.2 center font ",10"
    plot \
      for [c = 1:nc] NaN with lines lw 6 lc rgb col(c) title sprintf("coordinate with W* = %s", word(wstar, c)), \
      NaN with lines dt 1 lw 2 lc rgb "black" title "root of T, Gaussian noise", \
      NaN with lines dt 2 lw 2 lc rgb "black" title "root of T, Rademacher noise", \
      NaN with lines dt 3 lw 3 lc rgb "black" title "first-order prediction (43)", \
      NaN with points pt 6 ps 1.4 lc rgb "black" title "time average, Gaussian", \
      NaN with points pt 4 ps 1.4 lc rgb "black" title "time average, Rademacher", \
      NaN with lines lw 1 lc rgb "#aaaaaa" title "W*", \
      NaN with lines dt 4 lw 1.5 lc rgb "black" title "symmetric point w⋄"
    unset label 1
    unset multiplot
    set output
}
