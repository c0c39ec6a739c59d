/* The in-register epilogues (kernels/epilogue.h) the kernel tests cycle
 * through, and their double-precision reference. The hard activations are
 * made by mbi_epilogue_split from an mbi_epilogue, as the operators make
 * them, so the split is checked too. Each test counts where the hard
 * activations' inputs fell and requires all three pieces (x < -3,
 * -3..3, > 3 for HardSwish; the same for HardSigmoid's breakpoints) to
 * have been hit, so a case whose values never leave the linear part
 * cannot pass for coverage. */
#ifndef MBI_TEST_EPILOGUE_H
#define MBI_TEST_EPILOGUE_H

#include <math.h>
#include <stdbool.h>

#include "check.h"
#include "kernels/epilogue.h"

typedef enum test_epi {
    TE_NONE = 0,
    TE_CLAMP,
    TE_HARD_SIGMOID,
    TE_HARD_SWISH,
    TE_COUNT
} test_epi;

/* HardSigmoid's slope and offset here: not ONNX's defaults (0.2, 0.5), so a
 * kernel that ignored them would fail. Breakpoints at -1.8 and 2.2. */
#define TE_HSIG_ALPHA 0.25f
#define TE_HSIG_BETA 0.45f

static const char *const te_names[TE_COUNT] = {"none", "clamp", "hardsigmoid", "hardswish"};

/* Inputs of the hard activations seen below, inside and above the linear part. */
static long te_region_hits[TE_COUNT][3];

/* The microkernel's epilogue for kind e; the clamp is [lo, hi]. */
static inline mbi_f32_minmax te_minmax(test_epi e, float lo, float hi)
{
    mbi_epilogue ep = {{MBI_ACT_NONE, 0.0f, 0.0f}, false, {MBI_ACT_NONE, 0.0f, 0.0f}};
    if (e == TE_CLAMP)
        ep.act = (mbi_act){MBI_ACT_CLAMP, lo, hi};
    else if (e == TE_HARD_SIGMOID)
        ep.act = (mbi_act){MBI_ACT_HARD_SIGMOID, TE_HSIG_ALPHA, TE_HSIG_BETA};
    else if (e == TE_HARD_SWISH)
        ep.act = (mbi_act){MBI_ACT_HARD_SWISH, 0.0f, 0.0f};
    mbi_f32_minmax mm;
    const bool tile_pass = mbi_epilogue_split(&ep, &mm);
    CHECK(!tile_pass, "mbi_epilogue_split left %s to the tile pass", te_names[e]);
    return mm;
}

/* The reference of kind e on x = acc + bias; counts x's piece. */
static inline double te_apply(test_epi e, float lo, float hi, double x)
{
    switch (e) {
    case TE_NONE:
        return x;
    case TE_CLAMP:
        return x < lo ? lo : x > hi ? hi : x;
    case TE_HARD_SIGMOID: {
        const double t = TE_HSIG_ALPHA * x + TE_HSIG_BETA;
        te_region_hits[e][t < 0.0 ? 0 : t > 1.0 ? 2 : 1]++;
        return t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    }
    case TE_HARD_SWISH: {
        te_region_hits[e][x < -3.0 ? 0 : x > 3.0 ? 2 : 1]++;
        const double t = x / 6.0 + 0.5;
        return x * (t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t);
    }
    default:
        return NAN;
    }
}

/* How much an error of the sum can grow through kind e (HardSwish's slope
 * reaches 1.5 at x = 3), plus the float rounding of the activation itself. */
static inline double te_tolerance(test_epi e, double sum_tol, double want)
{
    return (e == TE_HARD_SWISH ? 1.5 : 1.0) * sum_tol + 1e-6 * fabs(want);
}

/* Fails unless every piece of both hard activations was reached. */
static inline void te_check_regions(const char *what)
{
    for (int e = TE_HARD_SIGMOID; e <= TE_HARD_SWISH; e++)
        CHECK(te_region_hits[e][0] > 0 && te_region_hits[e][1] > 0 && te_region_hits[e][2] > 0,
              "%s: %s inputs missed a piece (below %ld, inside %ld, above %ld)", what, te_names[e],
              te_region_hits[e][0], te_region_hits[e][1], te_region_hits[e][2]);
}

#endif
