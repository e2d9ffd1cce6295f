# fig4.gp — Fig. 4 of arXiv 2502.06309: test accuracy against epoch on MNIST
# for the FCN (left) and the CNN (right), all arrays with a power response
# (γ_res = 0.5 unless the run chose otherwise): Digital SGD (black), Analog
# SGD (dashed, circles) and Tiki-Taka (solid, stars), one colour per τ in
# both panels.  Data: results/fig4.h5 (experiments/fig4).
load plotdir."/style.gp"

runs = attr("/", "runs")
nets = attr("/", "networks")
data = attr("/", "data")
data = (data eq "mnist") ? "MNIST" : (data eq "fashion") ? "Fashion-MNIST" : "8×8 digits"
nnet = words(nets)
resp = attr("/config", "response")
gres = attr("/config", "gamma-res")
label(n) = (n eq "fcn") ? "FCN 784-256-128-10 (sigmoid)" : "CNN conv16-conv32-fc128-fc10 (tanh)"
is_algo(r, a) = strstrt(r, "-".a) > 0
tau_of(r) = r[strstrt(r, "-tau") + 4:]
array taus_list[2]
taus_list[1] = attr("/", "taus_fcn")
taus_list[2] = attr("/", "taus_cnn")
# One colour per τ value across both panels: the union of the two lists.
alltaus = ""
do for [j = 1:2] {
    do for [k = 1:words(taus_list[j])] {
        t = word(taus_list[j], k)
        if (strstrt(" ".alltaus." ", " ".t." ") == 0) { alltaus = alltaus." ".t }
    }
}
colour(r) = 1 + (sum [k = 1:words(alltaus)] ((word(alltaus, k) eq tau_of(r)) ? k - 1 : 0)) % 8
lw_of(r) = is_algo(r, "dsgd") ? 2.0 : 1.5
dt_of(r) = is_algo(r, "asgd") ? 2 : 1
pt_of(r) = is_algo(r, "asgd") ? 6 : is_algo(r, "dsgd") ? 7 : 3
lc_of(r) = is_algo(r, "dsgd") ? "black" : palette[colour(r)]
name_of(r) = is_algo(r, "dsgd") ? "Digital SGD" : \
    sprintf("%s, τ = %s", is_algo(r, "asgd") ? "Analog SGD" : \
            is_algo(r, "rlv2") ? "RL-v2" : is_algo(r, "ttv2") ? "TT-v2" : "Tiki-Taka", tau_of(r))

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 640*nnet,520 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 4.6*nnet,3.7 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,nnet title sprintf("Test accuracy on %s, %s response, γ_{res} = %g (Fig. 4 of arXiv 2502.06309)", data, resp, gres + 0)
    do for [ni = 1:nnet] {
        n = word(nets, ni)
        mine = ""
        do for [i = 1:words(runs)] {
            r = word(runs, i)
            if (strstrt(r, n."-") == 1) { mine = mine." ".r }
        }
        set title label(n)
        set xlabel "epoch"
        set ylabel "test accuracy (%)"
        set yrange [0:100]
        set xrange [0:*]
        set key bottom right font ",9" spacing 0.9 samplen 2
        plot for [i = 1:words(mine)] cols2("/runs/".word(mine, i)."/step", "/runs/".word(mine, i)."/test_acc_mean") \
            using 1:(100*$2) with linespoints lw lw_of(word(mine, i)) dt dt_of(word(mine, i)) \
            pt pt_of(word(mine, i)) ps 0.7 lc rgb lc_of(word(mine, i)) title name_of(word(mine, i))
    }
    unset multiplot
    set output
}
