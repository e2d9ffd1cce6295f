# fig5.gp — Fig. 5 of arXiv 2502.06309 on the fine-tuning stand-in
# (experiments/fig5): left, final test accuracy of residual learning on the
# analog head against the mixing coefficient γ (mean ± std over seeds);
# right, test accuracy against fine-tuning epoch for each γ.
# Data: results/fig5.h5.
load plotdir."/style.gp"

runs = attr("/", "runs")
nr = words(runs)
E = int(attr("/config", "epochs"))
algo = attr("/", "algorithm")
alabel = (algo eq "rl") ? "residual learning (TT with W + γP)" : "RL-v2"
subtitle = sprintf("%s response, γ_{res} = %g, τ = %g; %s seeds", attr("/config", "response"), \
                   real(attr("/config", "gamma-res")), real(attr("/config", "tau")), attr("/config", "reps"))
gam(r) = real(system(sprintf("%s --attr %s /runs/%s gamma", h5cols, infile, r)))

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1300,520 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 9.3,3.7 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,2 title "γ ablation with an analog last layer (stand-in for Fig. 5 of arXiv 2502.06309): ".subtitle

    set title sprintf("%s after %d fine-tuning epochs (mean ± std over seeds)", alabel, E)
    set xlabel "mixing coefficient γ"
    set ylabel "test accuracy (%)"
    unset key
    set offsets 0.03, 0.03, 0, 0
    plot cols3("/summary/gamma", "/summary/final_test_acc_mean", "/summary/final_test_acc_std") \
         using 1:(100*$2):(100*$3) with yerrorlines lw 1.8 pt 7 ps 0.9 lc rgb palette[1] \
         notitle

    set title "test accuracy during fine-tuning"
    set xlabel "fine-tuning epoch"
    set xtics 1
    set offsets 0, 0, 0, 0
    set xrange [-0.2:E + 0.2]
    set key inside bottom right
    plot for [i = 1:nr] cols2(sprintf("/runs/%s/step", word(runs, i)), sprintf("/runs/%s/test_acc_mean", word(runs, i))) \
         using 1:(100*$2) with linespoints lw 1.6 pt 7 ps 0.7 lc rgb palette[i] \
         title sprintf("γ = %g", gam(word(runs, i)))
    unset multiplot
    set output
}
