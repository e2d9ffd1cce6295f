# tab1.gp — Tables 1, 5, 6 of arXiv 2502.06309 on the fine-tuning stand-in
# (experiments/tab1): left, test accuracy against fine-tuning epoch for each
# algorithm on the analog head (mean ± std over seeds); right, accuracy lost
# against Digital SGD at the end, ours beside the paper's Table 1 ResNet-18
# rows.  Data: results/tab1.h5.
load plotdir."/style.gp"

runs = attr("/", "runs")
nr = words(runs)
E = int(attr("/config", "epochs"))
label(r) = (r eq "dsgd") ? "DSGD" : (r eq "asgd") ? "ASGD" : (r eq "rl") ? "TT/RL" : \
           (r eq "ttv2") ? "TT-v2" : (r eq "rlv2") ? "RL-v2" : r
pattr(row, r) = real(system(sprintf("%s --attr %s /paper '%s %s'", h5cols, infile, row, r)))
has_dsgd = strstrt(" ".runs." ", " dsgd ") > 0
mean_of(r) = sprintf("/runs/%s/test_acc_mean", r)
# Final mean accuracy of run r (the last line of its mean series).
final(r) = real(system(sprintf("%s %s %s | tail -n 1", h5cols, infile, mean_of(r))))
dfinal = has_dsgd ? final("dsgd") : NaN
subtitle = sprintf("%s response, γ_{res} = %g, τ = %g; %s seeds", attr("/config", "response"), \
                   real(attr("/config", "gamma-res")), real(attr("/config", "tau")), attr("/config", "reps"))

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1300,520 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 9.3,3.7 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,2 title "Fine-tuning with an analog last layer (stand-in for Tables 1, 5, 6 of arXiv 2502.06309): ".subtitle

    set title "Fashion-MNIST: pre-trained on classes 0–4, fine-tuned on all 10"
    set xlabel "fine-tuning epoch"
    set ylabel "test accuracy (%)"
    set xrange [-0.2:E + 0.2]
    set yrange [*:*]
    set key bottom right
    set xtics 1
    plot for [i = 1:nr] cols3(sprintf("/runs/%s/step", word(runs, i)), mean_of(word(runs, i)), \
                               sprintf("/runs/%s/test_acc_std", word(runs, i))) \
         using 1:(100*$2):(100*$3) with yerrorlines lw 1.6 pt 7 ps 0.7 lc rgb palette[i] \
         title label(word(runs, i))

    set title "accuracy lost against Digital SGD after the last epoch"
    set xlabel ""
    set ylabel "DSGD − algorithm (points)"
    set xrange [0.4:nr - 0.4]
    set yrange [*:*]
    set xzeroaxis lt -1
    set xtics () nomirror
    do for [i = 2:nr] { set xtics add (label(word(runs, i)) i - 1) }
    set style fill solid 0.85 border -1
    set boxwidth 0.26
    set key top right
    plot for [i = 2:nr] '+' using (i - 1 - 0.28):(100*(dfinal - final(word(runs, i)))) every ::0::0 \
             with boxes lc rgb palette[1] notitle, \
         for [i = 2:nr] '+' using (i - 1):(pattr("T1 ResNet18 CIFAR10", "dsgd") - pattr("T1 ResNet18 CIFAR10", word(runs, i))) every ::0::0 \
             with boxes lc rgb "#bbbbbb" notitle, \
         for [i = 2:nr] '+' using (i - 1 + 0.28):(pattr("T1 ResNet18 CIFAR100", "dsgd") - pattr("T1 ResNet18 CIFAR100", word(runs, i))) every ::0::0 \
             with boxes lc rgb "#555555" notitle, \
         NaN with boxes lc rgb palette[1] title "ours (stand-in)", \
         NaN with boxes lc rgb "#bbbbbb" title "paper, ResNet18 CIFAR-10", \
         NaN with boxes lc rgb "#555555" title "paper, ResNet18 CIFAR-100"
    unset multiplot
    set output
}
