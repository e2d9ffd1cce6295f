/* test_optim.c — the algorithms (SPEC §2) against facts that must hold.
 *
 * The first half is generic: every test loops over aimc_optim_types[], so
 * an algorithm registered in lib/optim/registry.def is tested with no edit
 * here (docs/EXTENDING.md §2).  What a type promises is read from its
 * public table: `uses_residual` (a P array), `mixes` (gradient at
 * W̄ = W + γP), and aimc_optim_type_is_digital (a float W, no tile).  The second
 * half holds the facts particular to one algorithm.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "aimc/optim.h"
#include "aimc/problem.h"
#include "aimc/prog.h"
#include "families.h"

#define FOR_EACH_ALGORITHM(T)                                                                      \
    for (const aimc_optim_type *const *T##_it = aimc_optim_types, *T; (T = *T##_it) != NULL;       \
         ++T##_it)

static aimc_tile_params ideal_compact(void)
{
    aimc_tile_params p = aimc_tile_default_params();
    aimc_response_params rp = aimc_response_default_params();
    aimc_response_init(&p.device.response, &aimc_response_ideal, &rp, NULL);
    p.update = &aimc_update_compact;
    return p;
}

/* A device with every source of randomness on: softbounds τ = 1, cycle
 * noise, element variation, stochastic rank-one pulses. */
static aimc_tile_params noisy_rank1(void)
{
    aimc_tile_params p = aimc_tile_default_params();
    aimc_response_params rp = aimc_response_default_params();
    aimc_response_init(&p.device.response, &aimc_response_softbounds, &rp, NULL);
    p.device.dw_min = 1e-2;
    p.device.sigma_c = 0.3;
    p.device.dw_min_dtod = 0.2;
    p.device.bounds_dtod = 0.1;
    p.update = &aimc_update_rank1;
    return p;
}

static double dist(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; ++i)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return sqrt(s);
}

/* max |a − b|, NaN if any difference is NaN (fmax would drop it). */
static double dist_inf(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
        const double d = fabs(a[i] - b[i]);
        if (isnan(d))
            return NAN;
        s = d > s ? d : s;
    }
    return s;
}

/* The gradient of f(W) = ½‖W − T‖² at the query point, rows×cols, both
 * dense (for element-wise kernels) and as the exact sum of cols rank-one
 * terms d_c e_cᵀ with d_c = column c (for the rank-one kernel). */
typedef struct {
    size_t rows, cols;
    double dense[24], x[36], d[24];
} quad_grad;

static aimc_grad quad_gradient(aimc_optim *o, const double *T, quad_grad *q)
{
    const double *w = aimc_optim_query_point(o);
    const size_t r = q->rows, c = q->cols;
    memset(q->x, 0, sizeof q->x);
    for (size_t i = 0; i < r; ++i)
        for (size_t j = 0; j < c; ++j) {
            q->dense[i * c + j] = w[i * c + j] - T[i * c + j];
            q->d[j * r + i] = q->dense[i * c + j];
        }
    for (size_t j = 0; j < c; ++j)
        q->x[j * c + j] = 1.0;
    return (aimc_grad){r, c, q->dense, c, q->x, q->d, 1.0};
}

/* ---- the registry ------------------------------------------------------- */

Test(optim, every_algorithm_has_a_complete_table_and_a_unique_cli_name)
{
    size_t n = 0;
    FOR_EACH_ALGORITHM(T) {
        cr_assert_not_null(T->name, "algorithm %zu has no name", n);
        cr_expect_gt(strlen(T->name), 0);
        /* A CLI token: no separator of "a|b|c" or of --algos, no space, and
         * not the word --algos reserves. */
        cr_expect_eq(strcspn(T->name, "|, \t"), strlen(T->name), "name \"%s\"", T->name);
        cr_expect_neq(strcmp(T->name, "all"), 0, "\"all\" is reserved by --algos");
        cr_expect(T->summary != NULL && T->summary[0] != '\0', "%s: no summary", T->name);
        cr_expect_not_null(T->step, "%s: no step", T->name);
        cr_expect(T->mixes == 0 || T->uses_residual, "%s mixes W + gamma P without P", T->name);
        cr_expect_eq(aimc_optim_find(T->name), T, "%s is not found by its name", T->name);
        for (const aimc_optim_type *const *u = aimc_optim_types; *u != T; ++u)
            cr_expect_neq(strcmp((*u)->name, T->name), 0, "%s is registered twice", T->name);
        n++;
    }
    cr_expect_geq(n, 5, "the paper's five algorithms are registered");
    cr_expect_null(aimc_optim_find("adam"));
    cr_expect_null(aimc_optim_find(""));
    cr_expect_null(aimc_optim_find(NULL));
}

Test(optim, names_string_is_the_registry_joined_by_bars)
{
    char want[1024] = "";
    FOR_EACH_ALGORITHM(T) {
        if (want[0] != '\0')
            strcat(want, "|");
        strcat(want, T->name);
    }
    cr_expect_str_eq(aimc_optim_type_names(), want);
}

/* ---- the life cycle ------------------------------------------------------- */

/* What the accessors return follows the table: P and its tile exist iff
 * uses_residual; the buffer, if any, has the weights' shape and starts at
 * 0; free(NULL) is a no-op.  Under ASan (meson -Db_sanitize=address) this
 * and the tests below are the leak and overflow check of every algorithm's
 * state_alloc / state_reset / state_free. */
Test(optim, every_algorithm_allocates_what_its_table_says_and_frees_it)
{
    aimc_optim_free(NULL);
    FOR_EACH_ALGORITHM(T) {
        aimc_optim_params p = aimc_optim_default_params();
        p.main = p.residual = noisy_rank1();
        for (int rep = 0; rep < 3; ++rep) {
            aimc_err err = {0};
            aimc_optim *o = aimc_optim_alloc(T, &p, 3, 4, (uint64_t)rep, &err);
            cr_assert_not_null(o, "%s: %s", T->name, err.msg);
            cr_expect_eq(aimc_optim_type_of(o), T);
            cr_expect_eq(aimc_optim_steps(o), 0);
            cr_expect_eq(aimc_optim_residual(o) != NULL, T->uses_residual != 0, "%s", T->name);
            cr_expect_eq(aimc_optim_residual_tile(o) != NULL, T->uses_residual != 0, "%s",
                         T->name);
            cr_expect_not_null(aimc_optim_weights(o), "%s", T->name);
            cr_expect_eq(aimc_optim_main_tile(o) == NULL, aimc_optim_type_is_digital(T), "%s",
                         T->name);
            const double *H = aimc_optim_buffer(o);
            for (int k = 0; H != NULL && k < 12; ++k)
                cr_expect_eq(H[k], 0.0, "%s: H[%d] = %g", T->name, k, H[k]);
            for (int k = 0; k < 12; ++k)
                cr_expect_eq(aimc_optim_weights(o)[k], 0.0, "%s: W starts at 0", T->name);
            aimc_optim_free(o);
        }
    }
}

/* The common parameters are checked before anything is allocated, whatever
 * the algorithm, with a message naming the parameter. */
Test(optim, every_algorithm_rejects_bad_parameters_by_name)
{
    FOR_EACH_ALGORITHM(T) {
        const struct {
            const char *field;
            double value;
        } bad[] = {{"alpha", -1.0}, {"alpha", NAN}, {"beta", -0.1}, {"beta", INFINITY},
                   {"gamma", -1.0}, {"read_noise", NAN}, {"transfer_every", 0}};
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; ++b) {
            aimc_optim_params p = aimc_optim_default_params();
            p.main = p.residual = ideal_compact();
            if (!strcmp(bad[b].field, "alpha"))
                p.alpha = bad[b].value;
            else if (!strcmp(bad[b].field, "beta"))
                p.beta = bad[b].value;
            else if (!strcmp(bad[b].field, "gamma"))
                p.gamma = bad[b].value;
            else if (!strcmp(bad[b].field, "read_noise"))
                p.read_noise = bad[b].value;
            else
                p.transfer_every = (unsigned)bad[b].value;
            aimc_err err = {0};
            cr_expect_null(aimc_optim_alloc(T, &p, 2, 2, 1, &err), "%s, %s", T->name,
                           bad[b].field);
            cr_expect(strstr(err.msg, bad[b].field) != NULL, "%s: \"%s\"", T->name, err.msg);
        }
        aimc_err err = {0};
        aimc_optim_params p = aimc_optim_default_params();
        p.main = p.residual = ideal_compact();
        cr_expect_null(aimc_optim_alloc(T, &p, 0, 3, 1, &err), "%s: 0 rows", T->name);
        cr_expect(strstr(err.msg, "shape") != NULL, "%s: \"%s\"", T->name, err.msg);
    }
    cr_expect_neq(aimc_optim_validate(NULL, NULL, NULL), GSL_SUCCESS);
}

/* A gradient of another shape, or an empty one, is refused and counts no
 * step. */
Test(optim, every_algorithm_refuses_a_gradient_of_the_wrong_shape)
{
    FOR_EACH_ALGORITHM(T) {
        aimc_optim_params p = aimc_optim_default_params();
        p.main = p.residual = ideal_compact();
        aimc_optim *o = aimc_optim_alloc(T, &p, 2, 3, 1, NULL);
        double zero[6] = {0};
        aimc_grad wrong = {3, 2, zero, 0, NULL, NULL, 1.0};
        aimc_grad empty = {2, 3, NULL, 0, NULL, NULL, 1.0};
        aimc_err err = {0};
        cr_expect_eq(aimc_optim_step(o, &wrong, &err), GSL_EBADLEN, "%s", T->name);
        cr_expect_eq(aimc_optim_step(o, &empty, &err), GSL_EINVAL, "%s", T->name);
        cr_expect_eq(aimc_optim_steps(o), 0, "%s", T->name);
        aimc_optim_free(o);
    }
}

/* ---- what every algorithm computes ----------------------------------------- */

/* The query point is W for a type that does not mix and W + γP (the same
 * floating-point sum) for one that does — after programming the arrays and
 * after every step. */
Test(optim, query_point_is_W_or_W_plus_gamma_P_as_the_table_says)
{
    FOR_EACH_ALGORITHM(T) {
        aimc_optim_params p = aimc_optim_default_params();
        p.gamma = 0.4;
        p.main = p.residual = noisy_rank1();
        aimc_optim *o = aimc_optim_alloc(T, &p, 2, 3, 1, NULL);
        double W[6] = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6}, P[6] = {-0.1, 0, 0.1, 0.2, 0.3, 0.4};
        const double Tgt[6] = {0.5, -0.5, 0.25, 0, 0.1, -0.2};
        aimc_optim_set_weights(o, W, P);
        quad_grad q = {.rows = 2, .cols = 3};
        for (int k = 0; k < 20; ++k) {
            const double *w = aimc_optim_weights(o), *pp = aimc_optim_residual(o);
            const double *qp = aimc_optim_query_point(o);
            for (int e = 0; e < 6; ++e) {
                const double want = T->mixes ? w[e] + p.gamma * pp[e] : w[e];
                cr_expect_eq(qp[e], want, "%s, step %d, element %d: %.17g != %.17g", T->name,
                             k, e, qp[e], want);
            }
            aimc_grad g = quad_gradient(o, Tgt, &q);
            cr_assert_eq(aimc_optim_step(o, &g, NULL), GSL_SUCCESS, "%s", T->name);
        }
        cr_expect_eq(aimc_optim_steps(o), 20);
        aimc_optim_free(o);
    }
}

/* Run K steps of f = ½‖W − T‖² from W0, P0 on a fresh optimizer; copy W,
 * P (or zeros) and H (or zeros) at the end into out (3×n). */
static void trajectory(const aimc_optim_type *T, const aimc_optim_params *p, uint64_t seed,
                       int K, double *out)
{
    const double W0[6] = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6}, Tgt[6] = {0.5, -0.5, 0.25, 0, 0.1, -0.2};
    aimc_optim *o = aimc_optim_alloc(T, p, 2, 3, seed, NULL);
    cr_assert_not_null(o, "%s", T->name);
    aimc_optim_set_weights(o, W0, NULL);
    quad_grad q = {.rows = 2, .cols = 3};
    for (int k = 0; k < K; ++k) {
        aimc_grad g = quad_gradient(o, Tgt, &q);
        cr_assert_eq(aimc_optim_step(o, &g, NULL), GSL_SUCCESS, "%s", T->name);
    }
    const double *arr[3] = {aimc_optim_weights(o), aimc_optim_residual(o), aimc_optim_buffer(o)};
    for (int a = 0; a < 3; ++a)
        for (int e = 0; e < 6; ++e)
            out[a * 6 + e] = arr[a] != NULL ? arr[a][e] : 0.0;
    aimc_optim_free(o);
}

/* Same seed, same numbers: every random draw (pulse rounding, cycle noise,
 * element variation, read noise) comes from streams keyed by the seed.  An
 * analog algorithm with all that noise on must also depend on the seed. */
Test(optim, same_seed_gives_the_same_trajectory_bit_for_bit)
{
    FOR_EACH_ALGORITHM(T) {
        aimc_optim_params p = aimc_optim_default_params();
        p.alpha = 0.2;
        p.beta = 0.3;
        p.gamma = 0.2;
        p.n_col = 1;
        p.read_noise = 0.02;
        p.main = p.residual = noisy_rank1();
        double a[18], b[18], c[18];
        trajectory(T, &p, 11, 40, a);
        trajectory(T, &p, 11, 40, b);
        trajectory(T, &p, 12, 40, c);
        cr_expect_arr_eq(a, b, sizeof a, "%s: the same seed gave another result", T->name);
        if (!aimc_optim_type_is_digital(T))
            cr_expect(memcmp(a, c, sizeof a) != 0, "%s: seeds 11 and 12 agree", T->name);
    }
}

/* Programming the arrays restarts the algorithm: with noise-free devices,
 * all columns transferred every step (so no cursor position matters) and a
 * deterministic kernel, the second run after aimc_optim_set_weights repeats
 * the first exactly.  Fails if an algorithm's state_reset forgets a field. */
Test(optim, set_weights_restarts_the_algorithm)
{
    FOR_EACH_ALGORITHM(T) {
        aimc_optim_params p = aimc_optim_default_params();
        p.alpha = 0.3;
        p.beta = 0.4;
        p.gamma = 0.3;
        p.main = p.residual = ideal_compact();
        p.main.device.dw_min = p.residual.device.dw_min = 0.01;
        const double W0[6] = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6};
        const double Tgt[6] = {0.5, -0.5, 0.25, 0, 0.1, -0.2};
        aimc_optim *o = aimc_optim_alloc(T, &p, 2, 3, 1, NULL);
        quad_grad q = {.rows = 2, .cols = 3};
        double run[2][18];
        for (int r = 0; r < 2; ++r) {
            aimc_optim_set_weights(o, W0, NULL);
            for (int k = 0; k < 30; ++k) {
                aimc_grad g = quad_gradient(o, Tgt, &q);
                cr_assert_eq(aimc_optim_step(o, &g, NULL), GSL_SUCCESS, "%s", T->name);
            }
            const double *arr[3] = {aimc_optim_weights(o), aimc_optim_residual(o),
                                    aimc_optim_buffer(o)};
            for (int a = 0; a < 3; ++a)
                for (int e = 0; e < 6; ++e)
                    run[r][a * 6 + e] = arr[a] != NULL ? arr[a][e] : 0.0;
        }
        cr_expect_arr_eq(run[0], run[1], sizeof run[0], "%s: the second run differs", T->name);
        aimc_optim_free(o);
    }
}

/* The divergence test of the training loops: W is looked at before P and
 * the first bad entry is named, row-major.  The faults are written straight
 * into the optimizer's arrays, as a bug or an overflow would. */
Test(optim, find_nonfinite_names_the_first_bad_entry_of_W_then_P)
{
    FOR_EACH_ALGORITHM(T) {
        aimc_optim_params p = aimc_optim_default_params();
        p.main = p.residual = ideal_compact();
        aimc_optim *o = aimc_optim_alloc(T, &p, 2, 3, 1, NULL);
        const double W0[6] = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6};
        char name[32] = "untouched";
        double v = 0;
        aimc_optim_set_weights(o, W0, W0);
        cr_expect_eq(aimc_optim_find_nonfinite(o, name, sizeof name, &v), 0, "%s", T->name);
        cr_expect_str_eq(name, "untouched", "%s: nothing written when all is finite", T->name);
        double *w = (double *)aimc_optim_weights(o), *pp = (double *)aimc_optim_residual(o);
        if (pp != NULL) {
            pp[2] = -INFINITY;
            cr_expect_eq(aimc_optim_find_nonfinite(o, name, sizeof name, &v), 1, "%s", T->name);
            cr_expect_str_eq(name, "P[2]", "%s", T->name);
            cr_expect(isinf(v) && v < 0, "%s: value %g", T->name, v);
        }
        w[5] = INFINITY;
        w[4] = NAN;
        cr_expect_eq(aimc_optim_find_nonfinite(o, name, sizeof name, &v), 1, "%s", T->name);
        cr_expect_str_eq(name, "W[4]", "%s: W before P, the first entry first", T->name);
        cr_expect(isnan(v), "%s: value %g", T->name, v);
        aimc_optim_free(o);
    }
}

/* At the minimum with nothing in transit (P = 0, empty buffer) and no noise
 * anywhere, a zero gradient moves nothing: W, P and H stay as they are. */
Test(optim, a_zero_gradient_at_rest_moves_nothing)
{
    FOR_EACH_ALGORITHM(T) {
        aimc_optim_params p = aimc_optim_default_params();
        p.gamma = 0.5;
        p.main = p.residual = ideal_compact();
        p.main.device.dw_min = p.residual.device.dw_min = 1e-3;
        aimc_optim *o = aimc_optim_alloc(T, &p, 2, 3, 1, NULL);
        const double W[6] = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6}, zero[6] = {0};
        aimc_optim_set_weights(o, W, NULL);
        aimc_grad g = {2, 3, zero, 0, NULL, NULL, 1.0};
        for (int k = 0; k < 10; ++k)
            aimc_optim_step(o, &g, NULL);
        cr_expect_arr_eq(aimc_optim_weights(o), W, sizeof W, "%s: W moved", T->name);
        if (aimc_optim_residual(o) != NULL)
            cr_expect_arr_eq(aimc_optim_residual(o), zero, sizeof zero, "%s: P moved", T->name);
        if (aimc_optim_buffer(o) != NULL)
            cr_expect_arr_eq(aimc_optim_buffer(o), zero, sizeof zero, "%s: H moved", T->name);
        aimc_optim_free(o);
    }
}

/* Noiseless least squares, ideal devices (q± ≡ 1, compact kernel,
 * Δw_min = 1e-3), W0 = 0, α = 0.1, β = 0.5, γ = 1, started at rest.
 *
 * (a) Every algorithm goes downhill first: the first step that moves the
 *     query point q moves it along a descent direction, ⟨∇f(q₀), q₁ − q₀⟩ < 0,
 *     and lowers f (a gradient step with α < 2/L, γα of one at the mixed
 *     point, or one pulse of −sign(∇f)·Δw_min per element).  Fails on a sign
 *     error or on a step that never moves anything.
 * (b) Every algorithm that damps its own motion converges: one without P,
 *     or one whose gradient is taken at W̄ = W + γP.  Exact ones reach W*;
 *     a threshold transfer (TT-v2/RL-v2) stops where the buffer no longer
 *     reaches Δw_min: at rest ∇f(W̄) = 0, so W̄ = W* (A has full rank), H has
 *     settled to P and |P| < Δw_min, hence ‖W − W*‖∞ = γ‖P‖∞ < γΔw_min.
 *     20000 steps cover the travel (at most one pulse per step: |w*| ≲ 2,
 *     2000 pulses of 1e-3) and the settling (rate ≈ αμ, μ ≈ 0.18).
 * A residual algorithm that does not mix (TT-v2) is held to (a) only: with
 * q± ≡ 1 nothing damps the exchange between W and P (P integrates −α∇f(W),
 * the buffer integrates βP, W follows at most one pulse per step), and in
 * this setting ‖W − W*‖∞ grows to 0.66, 1.3, 8.9 after 1000, 3000, 20000
 * steps; SPEC §3.5 claims convergence only for γ > 0. */
static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; ++i)
        s += a[i] * b[i];
    return s;
}

Test(optim, every_algorithm_descends_and_damped_ones_converge_on_a_noiseless_quadratic)
{
    aimc_lsq *prob = aimc_lsq_alloc_random(30, 10, 1.0, 0.5, 5, 100, NULL);
    cr_assert_not_null(prob);
    FOR_EACH_ALGORITHM(T) {
        aimc_optim_params p = aimc_optim_default_params();
        p.alpha = 0.1;
        p.beta = 0.5;
        p.gamma = 1.0;
        p.main = p.residual = ideal_compact();
        p.main.device.dw_min = p.residual.device.dw_min = 1e-3;
        aimc_optim *o = aimc_optim_alloc(T, &p, 1, 10, 1, NULL);
        cr_assert_not_null(o, "%s", T->name);
        const double w0[10] = {0};
        aimc_optim_set_weights(o, w0, NULL);
        double q0[10], g0[10], dq[10], g[10], dd[30];
        memcpy(q0, aimc_optim_query_point(o), sizeof q0);
        aimc_lsq_gradient(prob, q0, g0);
        const double f0 = aimc_lsq_loss(prob, q0);
        int moved = 0;
        for (int k = 1; k <= 20000; ++k) {
            aimc_grad gr;
            aimc_lsq_grad_factors(prob, aimc_optim_query_point(o), dd, g, &gr);
            cr_assert_eq(aimc_optim_step(o, &gr, NULL), GSL_SUCCESS, "%s", T->name);
            const double *q = aimc_optim_query_point(o);
            if (!moved && memcmp(q, q0, sizeof q0) != 0) {
                moved = k;
                for (int j = 0; j < 10; ++j)
                    dq[j] = q[j] - q0[j];
                cr_expect_lt(dot(g0, dq, 10), 0.0, "%s: the first move (step %d) goes uphill",
                             T->name, k);
                cr_expect_lt(aimc_lsq_loss(prob, q), f0, "%s: f = %g after the first move, "
                             "f(W0) = %g", T->name, aimc_lsq_loss(prob, q), f0);
            }
        }
        cr_expect(moved, "%s: 20000 steps never moved the query point", T->name);
        if (!T->uses_residual || T->mixes) {
            const double e = dist_inf(aimc_optim_weights(o), prob->w_star, 10);
            cr_expect_lt(e, p.gamma * p.main.device.dw_min, "%s: |W - W*|_inf = %g", T->name, e);
        }
        aimc_optim_free(o);
    }
    aimc_lsq_free(prob);
}

/* ---- the shared --algorithm / --algos options (lib/prog/algo_cli.c) ------- */

Test(optim, algorithm_lists_accept_every_registered_name_and_all)
{
    aimc_algo_list l;
    FOR_EACH_ALGORITHM(T) {
        aimc_algo_list_init(&l, T->name);
        cr_expect_eq(aimc_algo_list_resolve(&l, NULL), GSL_SUCCESS, "%s", T->name);
        cr_expect(l.n == 1 && l.type[0] == T, "%s", T->name);
        cr_expect(strstr(l.help, T->name) != NULL, "--help line \"%s\" lacks %s", l.help,
                  T->name);
    }
    aimc_algo_list_init(&l, "all");
    cr_assert_eq(aimc_algo_list_resolve(&l, NULL), GSL_SUCCESS);
    size_t n = 0;
    FOR_EACH_ALGORITHM(T) {
        cr_expect_eq(l.type[n], T, "all: entry %zu", n);
        n++;
    }
    cr_expect_eq(l.n, n);
    aimc_algo_list_init(&l, "rl,dsgd");
    cr_assert_eq(aimc_algo_list_resolve(&l, NULL), GSL_SUCCESS);
    cr_expect(l.n == 2 && l.type[0] == &aimc_optim_rl && l.type[1] == &aimc_optim_dsgd,
              "the order given is kept");
}

/* Each bad list is one line that quotes the argument and names every
 * registered algorithm; nothing stays resolved. */
Test(optim, algorithm_lists_reject_unknown_empty_and_repeated_names_in_one_line)
{
    const char *bad[] = {"adam", "asgd,adam", "", "asgd,", ",asgd", "asgd,,rl", "rl,rl",
                         "asgd ", "ALL", "all,rl"};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; ++b) {
        aimc_algo_list l;
        aimc_algo_list_init(&l, bad[b]);
        aimc_err err = {0};
        cr_expect_neq(aimc_algo_list_resolve(&l, &err), GSL_SUCCESS, "\"%s\"", bad[b]);
        cr_expect_eq(l.n, 0, "\"%s\"", bad[b]);
        cr_expect(strstr(err.msg, "--algos") != NULL, "%s", err.msg);
        cr_expect(strstr(err.msg, aimc_optim_type_names()) != NULL, "%s", err.msg);
        cr_expect(strchr(err.msg, '\n') == NULL, "%s", err.msg);
    }
    aimc_algo_list l;
    aimc_algo_list_init(&l, NULL);
    cr_expect_neq(aimc_algo_list_resolve(&l, NULL), GSL_SUCCESS);
}

/* ---- facts particular to one algorithm ------------------------------------ */

/* With q± ≡ 1, (2) is W − α∇f exactly: Analog SGD is Digital SGD, bit for
 * bit (w + (−α g)·1 rounds like w − α g). */
Test(optim, analog_sgd_on_ideal_devices_is_digital_sgd)
{
    aimc_lsq *prob = aimc_lsq_alloc_random(30, 10, 1.0, 0.5, 5, 100, NULL);
    aimc_optim_params p = aimc_optim_default_params();
    p.alpha = 0.2;
    p.main = ideal_compact();
    aimc_optim *a = aimc_optim_alloc(&aimc_optim_asgd, &p, 1, 10, 1, NULL);
    aimc_optim *d = aimc_optim_alloc(&aimc_optim_dsgd, &p, 1, 10, 1, NULL);
    cr_assert(a && d);
    double w0[10], g[10], dd[30];
    for (int j = 0; j < 10; ++j)
        w0[j] = 1.0;
    aimc_optim_set_weights(a, w0, NULL);
    aimc_optim_set_weights(d, w0, NULL);
    /* 1000 steps: rate 1 − αμ ≈ 0.964 (μ ≈ 0.18 for a 30×10 Gaussian A)
     * shrinks the error by 1e-16, so W* must be reached too. */
    for (int k = 0; k < 1000; ++k) {
        aimc_grad ga, gd;
        aimc_lsq_grad_factors(prob, aimc_optim_query_point(a), dd, g, &ga);
        cr_assert_eq(aimc_optim_step(a, &ga, NULL), GSL_SUCCESS);
        aimc_lsq_grad_factors(prob, aimc_optim_query_point(d), dd, g, &gd);
        cr_assert_eq(aimc_optim_step(d, &gd, NULL), GSL_SUCCESS);
        cr_assert_arr_eq(aimc_optim_weights(a), aimc_optim_weights(d), sizeof w0, "step %d", k);
    }
    cr_expect_lt(dist(aimc_optim_weights(a), prob->w_star, 10), 1e-6);
    aimc_optim_free(a);
    aimc_optim_free(d);
    aimc_lsq_free(prob);
}

/* Residual learning on ideal devices: e = W − W* follows the damped
 * oscillator e'' = −αβHe − αγHe' (P integrates −α∇f(W + γP), W integrates
 * βP), so for γ > 0 it converges to W* exactly — nothing biases it. */
Test(optim, residual_learning_on_ideal_devices_converges_to_w_star)
{
    aimc_lsq *prob = aimc_lsq_alloc_random(30, 10, 1.0, 0.5, 6, 100, NULL);
    aimc_optim_params p = aimc_optim_default_params();
    p.alpha = 0.1;
    p.beta = 0.1;
    p.gamma = 1.0;
    p.main = p.residual = ideal_compact();
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_rl, &p, 1, 10, 1, NULL);
    cr_assert_not_null(o);
    double w0[10], g[10], dd[30];
    for (int j = 0; j < 10; ++j)
        w0[j] = 1.0;
    aimc_optim_set_weights(o, w0, NULL);
    const double e0 = dist(w0, prob->w_star, 10);
    for (int k = 0; k < 6000; ++k) {
        aimc_grad gr;
        aimc_lsq_grad_factors(prob, aimc_optim_query_point(o), dd, g, &gr);
        cr_assert_eq(aimc_optim_step(o, &gr, NULL), GSL_SUCCESS);
    }
    const double e = dist(aimc_optim_weights(o), prob->w_star, 10);
    cr_expect_lt(e, 1e-8 * e0, "|W - W*| = %g from %g", e, e0);
    aimc_optim_free(o);
    aimc_lsq_free(prob);
}

/* The query point of residual learning is W̄ = W + γP. */
Test(optim, residual_learning_takes_gradients_at_the_mixed_weight)
{
    aimc_optim_params p = aimc_optim_default_params();
    p.gamma = 0.4;
    p.main = p.residual = ideal_compact();
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_rl, &p, 2, 3, 1, NULL);
    double W[6] = {1, 2, 3, 4, 5, 6}, P[6] = {-1, 0, 1, 2, 3, 4};
    aimc_optim_set_weights(o, W, P);
    const double *q = aimc_optim_query_point(o);
    for (int k = 0; k < 6; ++k)
        cr_expect_float_eq(q[k], W[k] + 0.4 * P[k], 1e-15);
    aimc_optim_free(o);
}

/* One transfer of column c with β: W[:,c] += β·P[:,c] on ideal devices, the
 * other columns untouched; the columns advance cyclically. */
Test(optim, transfer_moves_n_col_columns_in_cyclic_order)
{
    aimc_optim_params p = aimc_optim_default_params();
    p.alpha = 0.0;
    p.beta = 0.5;
    p.n_col = 2;
    p.main = p.residual = ideal_compact();
    aimc_optim *o = aimc_optim_alloc(&aimc_optim_rl, &p, 2, 3, 1, NULL);
    double W[6] = {0}, P[6] = {1, 2, 3, 4, 5, 6}, zero[6] = {0};
    aimc_optim_set_weights(o, W, P);
    aimc_grad g = {2, 3, zero, 0, NULL, NULL, 1.0};
    aimc_optim_step(o, &g, NULL); /* columns 0, 1 */
    const double *w = aimc_optim_weights(o);
    const double want1[6] = {0.5, 1.0, 0, 2.0, 2.5, 0};
    for (int k = 0; k < 6; ++k)
        cr_expect_float_eq(w[k], want1[k], 1e-15, "k = %d", k);
    aimc_optim_step(o, &g, NULL); /* columns 2, 0 */
    const double want2[6] = {1.0, 1.0, 1.5, 4.0, 2.5, 3.0};
    for (int k = 0; k < 6; ++k)
        cr_expect_float_eq(w[k], want2[k], 1e-15, "k = %d", k);
    aimc_optim_free(o);
}

/* TT-v2 / RL-v2 threshold transfer: at most one pulse per element and
 * transfer.  When one step adds less than a pulse (β|P| < Δw_min) the buffer
 * stays below the threshold: by induction, if |H_k| < Δw_min then
 * |H_{k+½}| < Δw_min + β|P| (ttv2: H + βP; rlv2: (1−β)H + βP), and either no
 * pulse fires (|H| < Δw_min) or one does and |H| drops below β|P| < Δw_min. */
Test(optim, buffered_transfers_fire_at_most_one_pulse_per_element)
{
    const aimc_optim_type *types[2] = {&aimc_optim_ttv2, &aimc_optim_rlv2};
    for (int v = 0; v < 2; ++v) {
        aimc_optim_params p = aimc_optim_default_params();
        p.alpha = 0.0;
        p.beta = 0.3;
        p.gamma = 0.2;
        p.main = p.residual = ideal_compact();
        p.main.device.dw_min = 0.01;
        aimc_optim *o = aimc_optim_alloc(types[v], &p, 2, 2, 1, NULL);
        double W[4] = {0}, P[4] = {0.02, -0.03, 0.004, 0.0}, zero[4] = {0};
        aimc_optim_set_weights(o, W, P);
        aimc_grad g = {2, 2, zero, 0, NULL, NULL, 1.0};
        double prev[4] = {0};
        int pulses = 0;
        for (int k = 0; k < 50; ++k) {
            aimc_optim_step(o, &g, NULL);
            const double *w = aimc_optim_weights(o), *H = aimc_optim_buffer(o);
            for (int e = 0; e < 4; ++e) {
                double moved = fabs(w[e] - prev[e]);
                cr_expect(moved < 1e-15 || fabs(moved - 0.01) < 1e-12, "%s: one pulse at most",
                          types[v]->name);
                pulses += moved > 1e-15;
                cr_expect_lt(fabs(H[e]), 0.01, "%s element %d: H = %g", types[v]->name, e, H[e]);
                prev[e] = w[e];
            }
        }
        cr_expect_gt(pulses, 50, "%s: the transfer does fire", types[v]->name);
        aimc_optim_free(o);
    }
}
