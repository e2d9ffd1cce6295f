# fig6.gp — Fig. 6 of arXiv 2502.06309: the power response (148, left) and the
# exponential response (149, right) for several γ_res, τ from the file: q₊
# (solid) and q₋ (dashed), one colour per γ_res, and their common symmetric
# point w⋄ = 0 where q₊ = q₋ = 1.  Data: results/fig6.h5 (experiments/fig6).
load plotdir."/style.gp"

fams = attr("/summary", "families")
gammas = attr("/summary", "gamma_res")
ng = words(gammas)
r(f, g, what) = sprintf("/runs/%s-g%s/%s", f, g, what)
eqn(f) = (f eq "power") ? "q_± = (1 ∓ w/τ)^{γ_{res}}   (148)" : \
    "q_± = (e^{γ_{res}(1 ∓ w/τ)} - 1) / (e^{γ_{res}} - 1)   (149)"
ymax = 4

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1300,600 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 13,6 font "DejaVu Sans,10" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,words(fams) title "Power and exponential response functions (Fig. 6 of arXiv 2502.06309)" font ",13"
    do for [fi = 1:words(fams)] {
        f = word(fams, fi)
        tau = attr(r(f, word(gammas, 1), ""), "tau") + 0
        set title sprintf("%s: %s", f, eqn(f))
        set xlabel "weight w"
        set ylabel sprintf("response (axis cut at %g)", ymax)
        set xrange [-tau:tau]
        set yrange [0:ymax]
        set bmargin 6
        set key below center horizontal maxrows 2 font ",10" samplen 2.5
        plot \
          for [i = 1:ng] cols2(r(f, word(gammas, i), "w"), r(f, word(gammas, i), "q_plus")) using 1:2 \
            with lines lw 2.5 lc rgb palette[i] title sprintf("γ_{res} = %s", word(gammas, i)), \
          for [i = 1:ng] cols2(r(f, word(gammas, i), "w"), r(f, word(gammas, i), "q_minus")) using 1:2 \
            with lines dt 2 lw 2.5 lc rgb palette[i] notitle, \
          NaN with lines lw 2.5 lc rgb "black" title "q_+ (up)", \
          NaN with lines dt 2 lw 2.5 lc rgb "black" title "q_- (down)", \
          "+" using (attr(r(f, word(gammas, 1), ""), "w_sym") + 0):(1) every ::0::0 \
            with points pt 7 ps 1.6 lc rgb "black" title "w⋄ = 0, q_± = 1"
    }
    unset multiplot
    set output
}
