# rl-gamma.gp — residual learning against its mixing coefficient γ on least
# squares with noisy gradients (the stand-in for Fig. 5 of arXiv 2502.06309).
# Data: results/rl-gamma.h5 (experiments/rl-gamma).
#   (a) loss at W + γP per γ (mean over repetitions), digital SGD for reference;
#   (b) the floor (mean loss of the last steps) against γ, at W + γP and at W.
load plotdir."/style.gp"

gl = dataset("/summary/gamma")
ng = words(gl)
run(g) = sprintf("/runs/rl-gamma%g", g + 0)
tail = attr("/config", "tail") + 0
steps = attr("/config", "steps") + 0
dsgd = attr("/summary", "dsgd_floor_mean") + 0

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1400,560 font "DejaVu Sans,11" enhanced
    } else {
        set terminal pdfcairo size 10,4 font "DejaVu Sans,9" enhanced
    }
    set output sprintf("%s.%s", outstem, fmt)
    set multiplot layout 1,2 title sprintf("Residual learning vs γ on least squares, %s response γ_{res} = %g, τ = %g, gradient noise σ = %g (stand-in for Fig. 5 of arXiv 2502.06309)", \
        attr("/config", "response"), attr("/config", "gamma-res") + 0, attr("/config", "tau") + 0, attr("/config", "grad-noise") + 0)

    set title "(a) loss at the mixed weight, mean over repetitions"
    set logscale y
    set format y "10^{%L}"
    set xlabel "gradient computations k"
    set ylabel "f(W_k + γP_k)"
    set key top right
    plot for [i = 1:ng] cols2(run(word(gl, i)).'/step', run(word(gl, i)).'/loss_mean') \
           using 1:2 with lines lw 1.5 lc rgb palette[i] title sprintf("RL, γ = %g", word(gl, i) + 0), \
         cols2('/runs/dsgd/step', '/runs/dsgd/loss_mean') using 1:2 with lines lw 1.5 dt 2 lc rgb "#7f7f7f" title "digital SGD"

    set title sprintf("(b) floor: mean loss of the last %d of %d steps (mean ± SE)", tail, steps)
    set xlabel "mixing coefficient γ"
    set ylabel "floor"
    set xrange [-0.03:*]
    set offsets 0, graph 0.05, 0, 0
    set key top right
    plot cols3('/summary/gamma', '/summary/floor_mean', '/summary/floor_se') \
           using 1:2:3 with yerrorlines lw 2 pt 7 lc rgb "#1f77b4" title "at W + γP (what the layer uses)", \
         cols2('/summary/gamma', '/summary/floor_main_mean') \
           using 1:2 with linespoints lw 1.5 dt 2 pt 6 lc rgb "#ff7f0e" title "at W alone", \
         dsgd with lines dt 3 lw 1.5 lc rgb "#7f7f7f" title "digital SGD"
    unset multiplot
    set output
}
