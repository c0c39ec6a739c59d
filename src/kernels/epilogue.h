/* What a convolution or GEMM does to its accumulators before storing them:
 * a short list of steps applied while the tile is hot, instead of one kernel
 * per combination (DESIGN.md, "Conventions").
 *
 *   y = post( act(acc + bias) + residual )
 *
 * Bias lives in the packed weights. Microkernels apply a clamp (min/max
 * covers None, Relu, Relu6 and Clip) or one of the two piecewise-linear
 * activations built from a clamp, HardSigmoid and HardSwish, in registers
 * right before their store (a few instructions per vector, no table, no
 * polynomial); everything else (a residual, another activation) is applied
 * by mbi_f32_epilogue_tile right after the microkernel stored the tile,
 * while it is still in L1. */
#ifndef MBI_KERNELS_EPILOGUE_H
#define MBI_KERNELS_EPILOGUE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum mbi_act_kind {
    MBI_ACT_NONE = 0,
    MBI_ACT_RELU,         /* max(x, 0) */
    MBI_ACT_CLAMP,        /* min(max(x, alpha), beta): Clip, Relu6 */
    MBI_ACT_LEAKY_RELU,   /* x < 0 ? alpha * x : x */
    MBI_ACT_HARD_SIGMOID, /* max(0, min(1, alpha * x + beta)) */
    MBI_ACT_HARD_SWISH,   /* x * max(0, min(1, x / 6 + 1/2)) */
    MBI_ACT_SIGMOID,      /* 1 / (1 + exp(-x)) */
    MBI_ACT_SILU,         /* x * sigmoid(x) */
    MBI_ACT_TANH,
    MBI_ACT_GELU_ERF,     /* x / 2 * (1 + erf(x / sqrt(2))) */
    MBI_ACT_GELU_TANH     /* x / 2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) */
} mbi_act_kind;

typedef struct mbi_act {
    mbi_act_kind kind;
    float alpha;
    float beta;
} mbi_act;

typedef struct mbi_epilogue {
    mbi_act act;       /* applied to acc + bias */
    bool residual;     /* then a residual tensor of the output's shape is added */
    mbi_act post;      /* then this (e.g. the Relu after a ResNet residual Add) */
} mbi_epilogue;

/* What a microkernel does to acc + bias in registers, chosen once per call
 * so that each kind is its own compiled body (no branch per element). */
typedef enum mbi_f32_reg_act {
    MBI_REG_CLAMP = 0,    /* y = min(max(x, min), max) */
    MBI_REG_HARD_SIGMOID, /* y = min(max(alpha * x + beta, min), max) */
    MBI_REG_HARD_SWISH    /* y = x * min(max(alpha * x + beta, min), max) */
} mbi_f32_reg_act;

/* The in-register epilogue. {.min = lo, .max = hi} is a clamp (act, alpha,
 * beta zero). The hard kinds have min = 0, max = 1; HardSwish's
 * alpha = 1/6, beta = 1/2, the same constants (and, in SIMD, the same fused
 * multiply-add) as f32-vact, so both paths give the same floats. */
typedef struct mbi_f32_minmax {
    float min;
    float max;
    mbi_f32_reg_act act;
    float alpha;
    float beta;
} mbi_f32_minmax;

/* The in-register epilogue on one float, for the portable kernels: the
 * comparisons are written so that a NaN stays NaN, as in the SIMD ones. */
static inline float mbi_f32_minmax_apply(const mbi_f32_minmax *mm, float x)
{
    float t = mm->act == MBI_REG_CLAMP ? x : x * mm->alpha + mm->beta;
    t = t < mm->min ? mm->min : t;
    t = t > mm->max ? mm->max : t;
    return mm->act == MBI_REG_HARD_SWISH ? x * t : t;
}

/* Splits an epilogue into what the microkernel applies in registers and
 * whether the tile pass (mbi_f32_epilogue_tile) must run after it. Every
 * f32 microkernel family that takes an mbi_f32_minmax (gemm, igemm,
 * winograd's output transform, dwconv, stemconv) applies every mbi_f32_reg_act. */
static inline bool mbi_epilogue_split(const mbi_epilogue *ep, mbi_f32_minmax *mm)
{
    *mm = (mbi_f32_minmax){-INFINITY, INFINITY, MBI_REG_CLAMP, 0.0f, 0.0f};
    if (ep->residual || ep->post.kind != MBI_ACT_NONE)
        return true;
    switch (ep->act.kind) {
    case MBI_ACT_NONE:
        return false;
    case MBI_ACT_RELU:
        mm->min = 0.0f;
        return false;
    case MBI_ACT_CLAMP:
        mm->min = ep->act.alpha;
        mm->max = ep->act.beta;
        return false;
    case MBI_ACT_HARD_SIGMOID:
    case MBI_ACT_HARD_SWISH: {
        const bool swish = ep->act.kind == MBI_ACT_HARD_SWISH;
        *mm = (mbi_f32_minmax){0.0f, 1.0f, swish ? MBI_REG_HARD_SWISH : MBI_REG_HARD_SIGMOID,
                               swish ? 1.0f / 6.0f : ep->act.alpha, swish ? 0.5f : ep->act.beta};
        return false;
    }
    default:
        return true;
    }
}

#endif
