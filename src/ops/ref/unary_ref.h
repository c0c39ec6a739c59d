/* Reference kernels of elementwise operators with one input.
 * Shapes: x and y both hold n elements; y may be the same buffer as x. */
#ifndef MBI_OPS_REF_UNARY_REF_H
#define MBI_OPS_REF_UNARY_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "mobinfer.h"

typedef enum mbi_unop {
    MBI_UNOP_ABS,
    MBI_UNOP_ACOS,
    MBI_UNOP_ACOSH,
    MBI_UNOP_ASIN,
    MBI_UNOP_ASINH,
    MBI_UNOP_ATAN,
    MBI_UNOP_ATANH,
    MBI_UNOP_CEIL,
    MBI_UNOP_CELU,        /* alpha */
    MBI_UNOP_CLIP,        /* lo, hi (ilo, ihi for integers); hi wins if lo > hi */
    MBI_UNOP_COS,
    MBI_UNOP_COSH,
    MBI_UNOP_ELU,         /* alpha */
    MBI_UNOP_ERF,
    MBI_UNOP_EXP,
    MBI_UNOP_FLOOR,
    MBI_UNOP_GELU,        /* exact, with erf */
    MBI_UNOP_GELU_TANH,   /* tanh approximation */
    MBI_UNOP_HARD_SIGMOID, /* alpha, beta */
    MBI_UNOP_HARD_SWISH,
    MBI_UNOP_LEAKY_RELU,  /* alpha */
    MBI_UNOP_LOG,
    MBI_UNOP_MISH,
    MBI_UNOP_NEG,
    MBI_UNOP_NOT,         /* bool */
    MBI_UNOP_RECIPROCAL,
    MBI_UNOP_RELU,
    MBI_UNOP_ROUND,       /* halves to even */
    MBI_UNOP_SELU,        /* alpha, gamma */
    MBI_UNOP_SIGMOID,
    MBI_UNOP_SIGN,
    MBI_UNOP_SIN,
    MBI_UNOP_SINH,
    MBI_UNOP_SOFTPLUS,
    MBI_UNOP_SOFTSIGN,
    MBI_UNOP_SQRT,
    MBI_UNOP_TAN,
    MBI_UNOP_TANH,
    MBI_UNOP_THRESHOLDED_RELU /* alpha */
} mbi_unop;

typedef struct mbi_unary_params {
    float alpha, beta, gamma;
    float lo, hi;     /* Clip on float */
    int64_t ilo, ihi; /* Clip on integers */
} mbi_unary_params;

/* Whether mbi_ref_unary has a kernel for op on dtype (the output has the
 * input's dtype). */
bool mbi_ref_unary_supported(mbi_unop op, mobinfer_dtype dtype);

void mbi_ref_unary(mbi_unop op, mobinfer_dtype dtype, const mbi_unary_params *p, const void *x,
                   void *y, int64_t n);

/* The float kernels, for direct use and for testing optimized versions. */
void mbi_ref_unary_f32(mbi_unop op, const mbi_unary_params *p, const float *x, float *y,
                       int64_t n);

#endif
