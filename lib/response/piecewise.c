/* piecewise.c — a measured response given as a node table: q± are linearly
 * interpolated between the nodes (w[k], q₊[k], q₋[k]) and held at the end
 * values outside the table (SPEC §1.4).  The table range [w[0], w[n−1]] is the
 * nominal range.  An element with its own bounds [lo, hi] sees the table
 * stretched onto them: v is mapped linearly from [lo, hi] onto the table
 * range, so per-element bound variation works as for the other families.
 * There is no closed-form w⋄ or R_c; both are computed numerically. */
#include <math.h>

#include "aimc/response.h"

static int piecewise_check_q(const char *which, const double *q, size_t n, aimc_err *err)
{
    for (size_t k = 0; k < n; k++)
        if (!(isfinite(q[k]) && q[k] > 0.0))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "response piecewise: %s[%zu] = %g should be finite and > 0", which,
                             k, q[k]);
    return GSL_SUCCESS;
}

static int piecewise_validate(const aimc_response_params *p, aimc_err *err)
{
    const size_t n = p->n_nodes;
    if (n < 2 || n > AIMC_RESPONSE_MAX_NODES)
        return AIMC_FAIL(err, GSL_EINVAL, "response piecewise: n_nodes = %zu should be in [2, %d]",
                         n, AIMC_RESPONSE_MAX_NODES);
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(p->node_w[k]))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "response piecewise: node_w[%zu] = %g should be finite", k,
                             p->node_w[k]);
        /* Strictly increasing nodes keep every interpolation interval non-empty. */
        if (k > 0 && !(p->node_w[k] > p->node_w[k - 1]))
            return AIMC_FAIL(err, GSL_EINVAL,
                             "response piecewise: node_w[%zu] = %g should be > node_w[%zu] = %g",
                             k, p->node_w[k], k - 1, p->node_w[k - 1]);
    }
    int status = piecewise_check_q("node_qp", p->node_qp, n, err);
    if (status != GSL_SUCCESS)
        return status;
    return piecewise_check_q("node_qm", p->node_qm, n, err);
}

static void piecewise_eval(const aimc_response_params *p, size_t n, const double *w,
                           const double *ref, const double *lo, const double *hi, double *qp,
                           double *qm)
{
    const size_t last = p->n_nodes - 1;
    const double *x = p->node_w;
    const double w0 = x[0], wn = x[last];
    for (size_t k = 0; k < n; k++) {
        const double v = w[k] + (ref != NULL ? ref[k] : 0.0);
        double u = v;
        if (lo != NULL || hi != NULL) {
            /* Stretch [lo, hi] onto the table range.  Bounds equal to the
             * table's leave v as it is, as NULL bounds do: the stretch would
             * round w0 + (v − w0)·1 an ulp away, and a nominal element's
             * response must not depend on how its bounds were passed. */
            const double l = lo != NULL ? lo[k] : w0, h = hi != NULL ? hi[k] : wn;
            if (l != w0 || h != wn)
                u = w0 + (v - l) * ((wn - w0) / (h - l));
        }
        if (u <= w0) {
            qp[k] = p->node_qp[0];
            qm[k] = p->node_qm[0];
        } else if (u >= wn) {
            qp[k] = p->node_qp[last];
            qm[k] = p->node_qm[last];
        } else {
            /* Bisection for the interval x[j] ≤ u < x[j+1]; a NaN u lands
             * somewhere and stays NaN through t. */
            size_t j = 0, j_hi = last;
            while (j_hi - j > 1) {
                const size_t mid = j + (j_hi - j) / 2;
                if (u < x[mid])
                    j_hi = mid;
                else
                    j = mid;
            }
            const double t = (u - x[j]) / (x[j + 1] - x[j]);
            qp[k] = p->node_qp[j] + t * (p->node_qp[j + 1] - p->node_qp[j]);
            qm[k] = p->node_qm[j] + t * (p->node_qm[j + 1] - p->node_qm[j]);
        }
    }
}

/* Examples.  0: a measured-looking table on [−1, 1], q₊ falling, q₋ rising
 * with a bump; G = (q₋ − q₊)/2 = −0.65, −0.2, −0.1, 0.3, 0.65 at the nodes
 * changes sign once, at w = 0.125.  1: uneven nodes on an off-centre
 * range, G = −0.5, −0.2, 0.2, 0.45. */
static int piecewise_example(size_t k, aimc_response_params *p)
{
    static const struct {
        size_t n;
        double w[5], qp[5], qm[5];
    } tab[] = {
        {5, {-1.0, -0.5, 0.0, 0.5, 1.0}, {1.6, 1.3, 1.0, 0.6, 0.2}, {0.3, 0.9, 0.8, 1.2, 1.5}},
        {4, {-0.3, 0.1, 1.2, 2.0}, {1.2, 1.0, 0.5, 0.1}, {0.2, 0.6, 0.9, 1.0}},
    };
    if (k >= sizeof tab / sizeof tab[0])
        return 0;
    *p = aimc_response_default_params();
    p->n_nodes = tab[k].n;
    for (size_t j = 0; j < tab[k].n; j++) {
        p->node_w[j] = tab[k].w[j];
        p->node_qp[j] = tab[k].qp[j];
        p->node_qm[j] = tab[k].qm[j];
    }
    return 1;
}

const aimc_response_type aimc_response_piecewise = {
    .name = "piecewise",
    .summary = "linear interpolation of a measured (w, q+, q-) node table; numeric w*",
    .params = AIMC_RP_TABLE,
    .bounded = 1,
    .validate = piecewise_validate,
    .eval = piecewise_eval,
    .symmetric_point = NULL,
    .rc = NULL,
    .example = piecewise_example,
};
