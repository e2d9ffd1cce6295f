/* test_rng.c — Philox streams: known answers, independence, distributions. */
#include <math.h>
#include <criterion/criterion.h>

#include "aimc/rng.h"

/* Known-answer vectors of Philox4x32-10 published with Random123
 * (kat_vectors: "philox4x32 10"). */
Test(rng, philox_matches_the_random123_known_answers)
{
    static const uint32_t ctr[3][4] = {{0, 0, 0, 0},
                                       {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                                       {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}};
    static const uint32_t key[3][2] = {{0, 0}, {0xffffffff, 0xffffffff}, {0xa4093822, 0x299f31d0}};
    static const uint32_t want[3][4] = {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                                        {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                                        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
    for (int v = 0; v < 3; ++v) {
        uint32_t out[4];
        aimc_philox4x32_10(ctr[v], key[v], out);
        for (int i = 0; i < 4; ++i)
            cr_expect_eq(out[i], want[v][i], "vector %d word %d: %08x != %08x", v, i, out[i],
                         want[v][i]);
    }
}

Test(rng, a_stream_is_a_pure_function_of_its_address)
{
    aimc_stream a, b, c;
    aimc_stream_init(&a, 42, 7, 3, 11);
    aimc_stream_init(&b, 42, 7, 3, 11);
    aimc_stream_init(&c, 42, 7, 3, 12);
    int same_as_c = 0;
    for (int i = 0; i < 1000; ++i) {
        uint32_t x = aimc_stream_u32(&a), y = aimc_stream_u32(&b), z = aimc_stream_u32(&c);
        cr_assert_eq(x, y);
        same_as_c += x == z;
    }
    /* Two different streams agree on a word with probability 2^-32. */
    cr_expect_lt(same_as_c, 3);
}

Test(rng, uniforms_lie_in_the_open_unit_interval_with_the_right_moments)
{
    aimc_stream s;
    aimc_stream_init(&s, 1, 1, 0, 0);
    const int n = 200000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
        double u = aimc_stream_uniform(&s);
        cr_assert(u > 0.0 && u < 1.0);
        sum += u;
        sum2 += u * u;
    }
    /* Mean 1/2 with standard error sqrt(1/12/n); E[u²] = 1/3 with standard
     * error sqrt((1/5 − 1/9)/n).  Five standard errors: a false alarm rate
     * below 1e-6 for a correct generator. */
    cr_expect_lt(fabs(sum / n - 0.5), 5 * sqrt(1.0 / 12 / n));
    cr_expect_lt(fabs(sum2 / n - 1.0 / 3), 5 * sqrt((0.2 - 1.0 / 9) / n));
}

Test(rng, normals_have_mean_zero_variance_one_and_normal_tails)
{
    aimc_stream s;
    aimc_stream_init(&s, 99, 2, 5, 0);
    const int n = 200000;
    double sum = 0, sum2 = 0;
    int beyond2 = 0;
    for (int i = 0; i < n; ++i) {
        double x = aimc_stream_normal(&s);
        sum += x;
        sum2 += x * x;
        beyond2 += fabs(x) > 2.0;
    }
    /* SE of the mean 1/sqrt(n); of the second moment sqrt(2/n) (Var x² = 2). */
    cr_expect_lt(fabs(sum / n), 5 / sqrt((double)n));
    cr_expect_lt(fabs(sum2 / n - 1.0), 5 * sqrt(2.0 / n));
    /* P(|x| > 2) = 0.0455003: binomial standard error sqrt(p(1−p)/n). */
    const double p = 0.04550026, fr = (double)beyond2 / n;
    cr_expect_lt(fabs(fr - p), 5 * sqrt(p * (1 - p) / n));
}

Test(rng, bernoulli_fires_with_its_probability_and_respects_the_edges)
{
    aimc_stream s;
    aimc_stream_init(&s, 5, 3, 0, 0);
    const int n = 100000;
    int k = 0;
    for (int i = 0; i < n; ++i)
        k += aimc_stream_bernoulli(&s, 0.3);
    cr_expect_lt(fabs((double)k / n - 0.3), 5 * sqrt(0.3 * 0.7 / n));
    for (int i = 0; i < 100; ++i) {
        cr_assert_eq(aimc_stream_bernoulli(&s, 0.0), 0);
        cr_assert_eq(aimc_stream_bernoulli(&s, 1.0), 1);
    }
}

Test(rng, the_gsl_wrapper_draws_the_same_stream)
{
    gsl_rng *r = aimc_rng_gsl_alloc(77, 4, 2, 9);
    aimc_stream s;
    aimc_stream_init(&s, 77, 4, 2, 9);
    for (int i = 0; i < 100; ++i)
        cr_assert_eq(gsl_rng_get(r), (unsigned long)aimc_stream_u32(&s));
    gsl_rng_free(r);
}

Test(rng, derived_seeds_are_distinct_and_reproducible)
{
    for (uint64_t i = 0; i < 1000; ++i) {
        cr_assert_eq(aimc_seed_derive(3, i), aimc_seed_derive(3, i));
        cr_assert_neq(aimc_seed_derive(3, i), aimc_seed_derive(3, i + 1));
        cr_assert_neq(aimc_seed_derive(3, i), aimc_seed_derive(4, i));
    }
}

/* The bulk draw is the same stream, bit for bit: every length (partial
 * blocks, whole blocks, whole groups of SIMD lanes) from every starting
 * position inside a block, and the stream continues where single draws
 * would have left it. */
Test(rng, bulk_fill_returns_the_words_single_draws_would)
{
    static uint32_t got[700], want[700];
    const size_t lengths[] = {0, 1, 3, 4, 5, 31, 32, 33, 64, 100, 257, 700};
    for (unsigned skip = 0; skip < 5; ++skip)
        for (size_t L = 0; L < sizeof lengths / sizeof lengths[0]; ++L) {
            aimc_stream a, b;
            aimc_stream_init(&a, 0x1234567890ull, 9, 77, 5);
            aimc_stream_init(&b, 0x1234567890ull, 9, 77, 5);
            for (unsigned k = 0; k < skip; ++k) {
                aimc_stream_u32(&a);
                aimc_stream_u32(&b);
            }
            const size_t n = lengths[L];
            aimc_stream_fill_u32(&a, got, n);
            for (size_t k = 0; k < n; ++k)
                want[k] = aimc_stream_u32(&b);
            for (size_t k = 0; k < n; ++k)
                cr_assert_eq(got[k], want[k], "skip %u, n %zu, word %zu", skip, n, k);
            for (int k = 0; k < 9; ++k)
                cr_assert_eq(aimc_stream_u32(&a), aimc_stream_u32(&b), "after skip %u n %zu",
                             skip, n);
        }
}

/* The block counter wraps modulo 2^32 inside a group of lanes exactly as
 * the single-block refill does. */
Test(rng, bulk_fill_wraps_the_block_counter_like_single_draws)
{
    uint32_t got[64], want[64];
    aimc_stream a, b;
    aimc_stream_init(&a, 3, 4, 5, 6);
    a.ctr[0] = 0xfffffffcu;
    b = a;
    aimc_stream_fill_u32(&a, got, 64);
    for (int k = 0; k < 64; ++k)
        want[k] = aimc_stream_u32(&b);
    for (int k = 0; k < 64; ++k)
        cr_assert_eq(got[k], want[k], "word %d", k);
    cr_assert_eq(a.ctr[0], b.ctr[0]);
}
