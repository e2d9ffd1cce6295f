/* aimc/response.h — response functions q₊(w), q₋(w) of a resistive element.
 *
 * One pulse moves a weight by Δw_min·q₊(w) up or Δw_min·q₋(w) down (SPEC
 * §1.1).  A response *family* is a registered, const type table; a response
 * is a family plus its parameters.  From q± the module derives (SPEC §1.3)
 *
 *     F = (q₋ + q₊)/2,  G = (q₋ − q₊)/2,  R = G/F,  M = F² − G² = q₊q₋,
 *     R_c(w) = ∫_{w⋄}^{w} R(u) du   (41),   w⋄: G(w⋄) = 0 (symmetric point),
 *
 * with closed forms where the family has them and GSL root finding /
 * quadrature otherwise.
 *
 * Bounds.  Every bounded family is written in terms of the remaining
 * distance to each bound, r₊ = 1 − w/hi and r₋ = 1 − w/lo (lo < 0 < hi), so
 * that an element whose bounds were drawn with device-to-device variation
 * simply passes its own lo/hi.  With lo = −τ, hi = τ this is SPEC §1.4:
 *
 *   ideal          q± = 1                                  unbounded
 *   softbounds     q₊ = r₊,           q₋ = r₋              w⋄ = 0
 *   linear         q₊ = (1+c)r₊,      q₋ = (1−c)r₋         w⋄ = cτ       (paper, Fig. 2 text)
 *   linear-aihwkit q₊ = (1+min(c,0))r₊, q₋ = (1−max(c,0))r₋ w⋄ = cτ/(2−c) (aihwkit up_down = c)
 *   power          q± = r±^γ                                w⋄ = 0        (148)
 *   exponential    q± = (e^{γ r±} − 1)/(e^γ − 1)            w⋄ = 0        (149)
 *   piecewise      linear interpolation of a node table     numeric w⋄
 *
 * and two families that restate what aihwkit's devices compute (SPEC §5),
 * so that (148)/(149) can be compared with the simulator the paper used:
 *
 *   powstep-aihwkit  aihwkit PowStepDevice: (148) up to its asymmetries
 *   expstep-aihwkit  aihwkit ExpStepDevice: a different curve from (149)
 *
 * Their q± are aihwkit's step divided by aihwkit's granularity, so that
 * Δw_min here is the granularity there (details in each family's file).
 *
 * (γ here is γ_res, the response exponent — never the mixing γ of residual
 * learning.)  Distances are clamped at 0 so q± stays finite off the range.
 */
#ifndef AIMC_RESPONSE_H
#define AIMC_RESPONSE_H

#include <stddef.h>
#include "aimc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AIMC_RESPONSE_MAX_NODES 128

/* Which parameters a family reads (bit mask in aimc_response_type.params). */
enum {
    AIMC_RP_TAU = 1u << 0,
    AIMC_RP_GAMMA_RES = 1u << 1,
    AIMC_RP_C_LIN = 1u << 2,
    AIMC_RP_TABLE = 1u << 3,
    AIMC_RP_POW_UP_DOWN = 1u << 4,  /* pow_up_down */
    AIMC_RP_EXPSTEP = 1u << 5       /* es_A_up, es_A_down, es_gamma_up, es_gamma_down, es_a, es_b */
};

/* Parameters of a response.  Plain data, copyable by value. */
typedef struct {
    double tau;        /* dynamic-range radius, nominal bounds [−tau, tau]; default 1 */
    double gamma_res;  /* power exponent / exponential rate γ_res; default 1 */
    double c_lin;      /* asymmetry c of the linear families, in (−1, 1); default 0 */
    /* piecewise: nodes w[k] strictly increasing, q₊ and q₋ at each node (> 0).
     * The table's range [w[0], w[n−1]] is the nominal range. */
    size_t n_nodes;
    double node_w[AIMC_RESPONSE_MAX_NODES];
    double node_qp[AIMC_RESPONSE_MAX_NODES];
    double node_qm[AIMC_RESPONSE_MAX_NODES];
    /* aihwkit's own parametrisations (added after the fields above, so that
     * code which sets only those keeps working).  Defaults are aihwkit's. */
    double pow_up_down;   /* PowStep exponent asymmetry in (−1, 1); default 0 */
    double es_A_up;       /* ExpStep A_up; default 0.00081 */
    double es_A_down;     /* ExpStep A_down; default 0.36833 */
    double es_gamma_up;   /* ExpStep γ_up; default 12.44625 */
    double es_gamma_down; /* ExpStep γ_down; default 12.78785 */
    double es_a;          /* ExpStep a (slope of z in w); default 0.244 */
    double es_b;          /* ExpStep b (z at w = 0); default 0.2425 */
} aimc_response_params;

typedef struct aimc_response_type {
    const char *name;     /* CLI name, e.g. "power" */
    const char *summary;  /* one line for --help and docs */
    unsigned params;      /* AIMC_RP_* bits this family reads */
    int bounded;          /* 0: the weight range is the whole real line */
    /* Check the parameters this family reads. */
    int (*validate)(const aimc_response_params *p, aimc_err *err);
    /* q± at the n states v[k] = w[k] + ref[k].  ref: per-element reference
     * offsets, or NULL for none; lo/hi: per-element bounds of v, or NULL for
     * the nominal ones.  Called once per array, not once per element. */
    void (*eval)(const aimc_response_params *p, size_t n, const double *w, const double *ref,
                 const double *lo, const double *hi, double *qp, double *qm);
    /* Optional: one side of eval, q₊ (sign > 0) or q₋ (sign ≤ 0) into q[k],
     * bit for bit what eval writes into qp or qm.  A pulse needs only one
     * side; where q costs a pow or an exp this halves the pulse kernels'
     * work (lib/tile/trains.c).  NULL: the kernels call eval. */
    void (*eval_one)(const aimc_response_params *p, size_t n, const double *w,
                     const double *ref, const double *lo, const double *hi, int sign, double *q);
    /* Closed-form symmetric point for nominal bounds; NULL: numeric. */
    int (*symmetric_point)(const aimc_response_params *p, double *wsp);
    /* Closed-form R_c(w) for nominal bounds, valid on the nominal range;
     * NULL: quadrature. */
    int (*rc)(const aimc_response_params *p, double w, double *rc);
    /* Optional: q± are affine in the state on the element's range [lo, hi],
     * q₊(v) = coef[0] + coef[1]·v and q₋(v) = coef[2] + coef[3]·v, so that a
     * train of n noise-free pulses has a closed form.  NULL: not affine. */
    void (*affine)(const aimc_response_params *p, double lo, double hi, double coef[4]);
    /* Optional: representative valid parameter sets, for tests and docs.
     * Fills *p with set k (k = 0, 1, ...) and returns 1, or returns 0 when
     * there is no set k.  Set 0 is the family's "typical" device; together
     * the sets should cover its cases (closed-form and numeric w⋄, both signs
     * of any asymmetry).  NULL: the defaults of aimc_response_default_params()
     * are the family's only example, so they must then be valid. */
    int (*example)(size_t k, aimc_response_params *p);
} aimc_response_type;

typedef struct {
    const aimc_response_type *type;
    aimc_response_params p;
} aimc_response;

/* Registry: NULL-terminated list of every family, in --help order. */
extern const aimc_response_type *const aimc_response_types[];
extern const aimc_response_type aimc_response_ideal, aimc_response_softbounds,
    aimc_response_linear, aimc_response_linear_aihwkit, aimc_response_power,
    aimc_response_exponential, aimc_response_piecewise;
extern const aimc_response_type aimc_response_powstep_aihwkit, aimc_response_expstep_aihwkit;

/* Look a family up by name; NULL if unknown. */
const aimc_response_type *aimc_response_type_find(const char *name);
/* "ideal|softbounds|..." for usage messages. */
const char *aimc_response_type_names(void);

/* Parameter defaults (tau 1, gamma_res 1, c_lin 0, no nodes; aihwkit's
 * defaults for pow_up_down and the ExpStep fields). */
aimc_response_params aimc_response_default_params(void);
/* Example parameter set k of family t (see aimc_response_type.example):
 * returns 1 and fills *p, or 0 if t has no set k. */
int aimc_response_example(const aimc_response_type *t, size_t k, aimc_response_params *p);
/* Set up r = (type, p) after validating p. */
int aimc_response_init(aimc_response *r, const aimc_response_type *type,
                       const aimc_response_params *p, aimc_err *err);

/* Nominal bounds [lo, hi] (±INFINITY for unbounded families). */
void aimc_response_bounds(const aimc_response *r, double *lo, double *hi);

/* Scalar evaluations at nominal bounds. */
void aimc_response_q(const aimc_response *r, double w, double *qp, double *qm);
double aimc_response_F(const aimc_response *r, double w);
double aimc_response_G(const aimc_response *r, double w);
double aimc_response_R(const aimc_response *r, double w);
double aimc_response_M(const aimc_response *r, double w);
/* dR/dw by central difference (GSL gsl_deriv_central); used by (43). */
double aimc_response_dR(const aimc_response *r, double w);

/* Symmetric point: the closed form if the family has one, else the root of
 * G bracketed on the range (GSL Brent).  The ideal family returns 0 (every
 * point is symmetric).  Fails if G does not change sign on the range. */
int aimc_response_symmetric_point(const aimc_response *r, double *wsp, aimc_err *err);
/* Same, computed numerically whatever the family (for tests). */
int aimc_response_symmetric_point_numeric(const aimc_response *r, double *wsp, aimc_err *err);

/* R_c(w) (41): closed form if available, else GSL QAGS from w⋄ to w. */
int aimc_response_Rc(const aimc_response *r, double w, double *rc, aimc_err *err);
int aimc_response_Rc_numeric(const aimc_response *r, double w, double *rc, aimc_err *err);

/* ---- examples for figures (examples.c) -------------------------------- */

/* A non-monotone, measured-looking node table on [−τ, τ] (fig3's third
 * panel, thm1's piecewise device): 17 nodes with a common wiggle on both
 * directions (q₊ and q₋ each rise and fall), the down direction scaled by
 * 5/8 so that the symmetric point (≈ 0.19τ) lies inside a table interval,
 * away from 0 and from every node.  Only the node fields of *p are set. */
void aimc_response_nonmonotone_table(aimc_response_params *p, double tau);

/* q₊, q₋, F and G of r at the n points w (what a figure of a response
 * plots). */
void aimc_response_tabulate(const aimc_response *r, size_t n, const double *w, double *qp,
                            double *qm, double *F, double *G);

/* ---- measured responses (table_csv.c) ---------------------------------
 *
 * A measured device is a list of samples (w, Δw⁺, Δw⁻): at weight w one up
 * pulse raises the weight by Δw⁺ > 0 and one down pulse lowers it by
 * Δw⁻ > 0 (both magnitudes, in weight units).  It becomes a piecewise
 * table: nodes at the samples' w, and
 *
 *     q± = Δw± / Δw_mid,   Δw_mid = (Δw⁺ + Δw⁻)/2 at the table's mid-range
 *                                   w_mid = (w_first + w_last)/2
 *
 * (interpolated there), so that F(w_mid) = 1: the table gives the shape,
 * Δw_min the granularity, as for every other family.  A device that takes
 * the measured steps needs Δw_min = Δw_mid, which is returned for that.
 * More than AIMC_RESPONSE_MAX_NODES samples are thinned to that many
 * evenly spaced nodes over the same range, each node the mean of the
 * samples nearest to it (a node with none takes the interpolated value).
 * Bad input (fewer than 2 samples, w not strictly increasing, a step ≤ 0
 * or not finite) is rejected with a message naming the source and the
 * line (or row); *p and *dw_mid are written only on success, and only the
 * node fields of *p are. */
int aimc_response_table_from_samples(size_t n, const double *w, const double *dw_up,
                                     const double *dw_down, const char *source,
                                     const size_t *lines, aimc_response_params *p,
                                     double *dw_mid, aimc_err *err);
/* Read the samples from a CSV file: one sample a line, three cells
 * "w, dw_plus, dw_minus" separated by commas (spaces around cells are
 * ignored); '#' starts a comment; blank lines are skipped; the first
 * non-comment line may be a header whose three cells are all non-numeric.
 * Then as aimc_response_table_from_samples.  dw_mid may be NULL. */
int aimc_response_table_load(const char *path, aimc_response_params *p, double *dw_mid,
                             aimc_err *err);

#ifdef __cplusplus
}
#endif
#endif
