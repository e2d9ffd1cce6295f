# style.gp — the look shared by every figure.  A figure script sets
# `h5cols`, `infile`, `outstem` and `plotdir` (tools/make-figure.sh), loads this
# file, and calls the helpers below.

# Command that streams datasets of the result file as columns.
cols2(a, b) = sprintf("< %s %s %s %s", h5cols, infile, a, b)
cols3(a, b, c) = sprintf("< %s %s %s %s %s", h5cols, infile, a, b, c)
# An attribute of the result file as a string.
attr(obj, name) = system(sprintf("%s --attr %s %s %s", h5cols, infile, obj, name))
dataset(path) = system(sprintf("%s %s %s", h5cols, infile, path))

# Matplotlib's first colours, so figures read like the papers' originals.
array palette[8] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

set encoding utf8
set border lw 1
set grid lc rgb "#dddddd" lw 1
set key samplen 2.5 spacing 1.1 box opaque
set tics nomirror
