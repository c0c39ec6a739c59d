/* What a convolution or GEMM does to its accumulators before storing them:
 * a short list of steps applied while the tile is hot, instead of one kernel
 * per combination (DESIGN.md, "Conventions").
 *
 *   y = post( act(acc + bias) + residual )
 *
 * Bias lives in the packed weights. Microkernels apply only a clamp
 * (min/max covers None, Relu, Relu6 and Clip); everything else (a residual,
 * a non-clamp activation) is applied by mbi_f32_epilogue_tile right after the
 * microkernel stored the tile, while it is still in L1. */
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

/* Clamp bounds a microkernel can apply by itself. */
typedef struct mbi_f32_minmax {
    float min;
    float max;
} mbi_f32_minmax;

/* Splits an epilogue into the clamp the microkernel applies and whether the
 * tile pass (mbi_f32_epilogue_tile) must run after it. */
static inline bool mbi_epilogue_split(const mbi_epilogue *ep, mbi_f32_minmax *mm)
{
    mm->min = -INFINITY;
    mm->max = INFINITY;
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
    default:
        return true;
    }
}

#endif
