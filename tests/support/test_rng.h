/* The kernel tests' seeded random numbers: one linear congruential
 * sequence per test file, so a failing case reproduces. Define
 * TEST_RNG_SEED before including to pick the file's sequence. */
#ifndef MBI_TEST_RNG_H
#define MBI_TEST_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifndef TEST_RNG_SEED
#define TEST_RNG_SEED 777u
#endif

static uint32_t rng_state = TEST_RNG_SEED;

static inline uint32_t rnd_u32(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

/* Uniform in [0, n). */
static inline size_t rnd_below(size_t n)
{
    return (size_t)rnd_u32() % n;
}

/* Uniform in [-1, 1). */
static inline float rnd(void)
{
    return (float)(rnd_u32() & 0xFFFF) / 32768.0f - 1.0f;
}

#endif
