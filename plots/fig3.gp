# fig3.gp — Fig. 3 of arXiv 2502.06309: response functions q₊ (up) and q₋
# (down), their symmetric part F = (q₋ + q₊)/2 and asymmetric part
# G = (q₋ − q₊)/2, and the symmetric point w⋄ (G(w⋄) = 0), for a linear, a
# monotone non-linear and a non-monotone device.  Every curve and the marked
# point come from results/fig3.h5 (experiments/fig3), computed by the library.
load plotdir."/style.gp"

panels = attr("/summary", "panels")
np = words(panels)
r(id, what) = sprintf("/runs/%s/%s", id, what)

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1650,600 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 16.5,6 font "DejaVu Sans,10" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,np title "Response functions and their symmetric points w⋄ (Fig. 3 of arXiv 2502.06309)" font ",13"
    do for [pi = 1:np] {
        id = word(panels, pi)
        fam = attr("/runs/".id, "response")
        wsym = attr("/runs/".id, "w_sym") + 0
        qsym = attr("/runs/".id, "q_sym") + 0
        set title sprintf("%s (%s)", attr("/runs/".id, "label"), fam)
        set xlabel "weight w"
        set ylabel "response"
        set yrange [*:*]
        set offsets 0, 0, 0.1, 0.05
        set bmargin 7.5
        # One key for the figure, under the middle panel.
        if (pi == (np + 1) / 2) {
            set key at screen 0.5, 0.05 center center horizontal maxrows 2 font ",11" samplen 3
        } else {
            unset key
        }
        set arrow 1 from wsym, graph 0 to wsym, graph 1 nohead dt 3 lw 1.5 lc rgb "black"
        set label 1 sprintf("w⋄ = %.3g", wsym) at wsym, graph 0.93 offset 0.8, 0 font ",11"
        plot \
          0 with lines lw 1 lc rgb "#aaaaaa" notitle, \
          cols2(r(id, "w"), r(id, "q_plus")) using 1:2 with lines lw 2.5 lc rgb palette[1] title "q_+ (up)", \
          cols2(r(id, "w"), r(id, "q_minus")) using 1:2 with lines lw 2.5 lc rgb palette[2] title "q_- (down)", \
          cols2(r(id, "w"), r(id, "F")) using 1:2 with lines dt 2 lw 2 lc rgb palette[3] title "F = (q_- + q_+)/2", \
          cols2(r(id, "w"), r(id, "G")) using 1:2 with lines dt 4 lw 2 lc rgb palette[4] title "G = (q_- - q_+)/2", \
          "+" using (wsym):(qsym) every ::0::0 with points pt 7 ps 1.6 lc rgb "black" title "w⋄: q_+ = q_-, G = 0", \
          "+" using (wsym):(0) every ::0::0 with points pt 6 ps 1.6 lw 2 lc rgb "black" notitle
        unset arrow 1
        unset label 1
    }
    unset multiplot
    set output
}
