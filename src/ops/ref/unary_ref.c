#include "ops/ref/unary_ref.h"

#include <math.h>

static float round_half_even(float v)
{
    float f = floorf(v);
    float d = v - f; /* exact for every float */
    if (d > 0.5f)
        return f + 1.0f;
    if (d < 0.5f)
        return f;
    return fmodf(f, 2.0f) == 0.0f ? f : f + 1.0f;
}

/* log(1 + e^v) without overflow for large v. */
static float softplus(float v)
{
    return v > 0 ? v + log1pf(expf(-v)) : log1pf(expf(v));
}

static float sigmoid(float v)
{
    if (v >= 0)
        return 1.0f / (1.0f + expf(-v));
    float e = expf(v);
    return e / (1.0f + e);
}

static float clip(float v, float lo, float hi)
{
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

#define LOOP(EXPR)                      \
    for (int64_t i = 0; i < n; i++) {   \
        const float v = x[i];           \
        y[i] = (EXPR);                  \
    }                                   \
    break

void mbi_ref_unary_f32(mbi_unop op, const mbi_unary_params *p, const float *x, float *y,
                       int64_t n)
{
    const float alpha = p->alpha, beta = p->beta, gamma = p->gamma;
    const float lo = p->lo, hi = p->hi;
    const float sqrt_2_over_pi = 0.7978845608028654f;
    switch (op) {
    case MBI_UNOP_ABS: LOOP(fabsf(v));
    case MBI_UNOP_ACOS: LOOP(acosf(v));
    case MBI_UNOP_ACOSH: LOOP(acoshf(v));
    case MBI_UNOP_ASIN: LOOP(asinf(v));
    case MBI_UNOP_ASINH: LOOP(asinhf(v));
    case MBI_UNOP_ATAN: LOOP(atanf(v));
    case MBI_UNOP_ATANH: LOOP(atanhf(v));
    case MBI_UNOP_CEIL: LOOP(ceilf(v));
    case MBI_UNOP_CELU: LOOP(fmaxf(0.0f, v) + fminf(0.0f, alpha * expm1f(v / alpha)));
    case MBI_UNOP_CLIP: LOOP(clip(v, lo, hi));
    case MBI_UNOP_COS: LOOP(cosf(v));
    case MBI_UNOP_COSH: LOOP(coshf(v));
    case MBI_UNOP_ELU: LOOP(v < 0 ? alpha * expm1f(v) : v);
    case MBI_UNOP_ERF: LOOP(erff(v));
    case MBI_UNOP_EXP: LOOP(expf(v));
    case MBI_UNOP_FLOOR: LOOP(floorf(v));
    case MBI_UNOP_GELU: LOOP(0.5f * v * (1.0f + erff(v * 0.70710678118654752f)));
    case MBI_UNOP_GELU_TANH:
        /* 0.5 (1 + tanh u) == 1 / (1 + e^-2u), which does not cancel for
         * negative v. */
        LOOP(v / (1.0f + expf(-2.0f * sqrt_2_over_pi * (v + 0.044715f * v * v * v))));
    case MBI_UNOP_HARD_SIGMOID: LOOP(clip(alpha * v + beta, 0.0f, 1.0f));
    case MBI_UNOP_HARD_SWISH: LOOP(v * clip(v / 6.0f + 0.5f, 0.0f, 1.0f));
    case MBI_UNOP_LEAKY_RELU: LOOP(v < 0 ? alpha * v : v);
    case MBI_UNOP_LOG: LOOP(logf(v));
    case MBI_UNOP_MISH: LOOP(v * tanhf(softplus(v)));
    case MBI_UNOP_NEG: LOOP(-v);
    case MBI_UNOP_RECIPROCAL: LOOP(1.0f / v);
    case MBI_UNOP_RELU: LOOP(v > 0 ? v : 0.0f);
    case MBI_UNOP_ROUND: LOOP(round_half_even(v));
    case MBI_UNOP_SELU: LOOP(v > 0 ? gamma * v : gamma * alpha * expm1f(v));
    case MBI_UNOP_SIGMOID: LOOP(sigmoid(v));
    case MBI_UNOP_SIGN: LOOP(v > 0 ? 1.0f : v < 0 ? -1.0f : v);
    case MBI_UNOP_SIN: LOOP(sinf(v));
    case MBI_UNOP_SINH: LOOP(sinhf(v));
    case MBI_UNOP_SOFTPLUS: LOOP(softplus(v));
    case MBI_UNOP_SOFTSIGN: LOOP(v / (1.0f + fabsf(v)));
    case MBI_UNOP_SQRT: LOOP(sqrtf(v));
    case MBI_UNOP_TAN: LOOP(tanf(v));
    case MBI_UNOP_TANH: LOOP(tanhf(v));
    case MBI_UNOP_THRESHOLDED_RELU: LOOP(v > alpha ? v : 0.0f);
    case MBI_UNOP_NOT: break;
    }
}

#undef LOOP

/* Integer kernels: Abs, Neg, Sign, Relu and Clip are defined on integers by
 * ONNX and appear in shape arithmetic. Negation wraps (via the unsigned
 * type), since -INT_MIN is undefined in C. */
#define DEFINE_INT_UNARY(NAME, T, U)                                                  \
    static void NAME(mbi_unop op, const mbi_unary_params *p, const T *x, T *y,        \
                     int64_t n)                                                       \
    {                                                                                 \
        const T zero = 0;                                                             \
        for (int64_t i = 0; i < n; i++) {                                             \
            const T v = x[i];                                                         \
            switch (op) {                                                             \
            case MBI_UNOP_ABS: y[i] = v < zero ? (T)(0u - (U)v) : v; break;           \
            case MBI_UNOP_NEG: y[i] = (T)(0u - (U)v); break;                          \
            case MBI_UNOP_SIGN: y[i] = (T)(v > zero ? 1 : v < zero ? -1 : 0); break;  \
            case MBI_UNOP_RELU: y[i] = v > zero ? v : zero; break;                    \
            case MBI_UNOP_CLIP: {                                                     \
                int64_t w = v < p->ilo ? p->ilo : v;                                  \
                y[i] = (T)(w > p->ihi ? p->ihi : w);                                  \
                break;                                                                \
            }                                                                         \
            default: y[i] = v; break;                                                 \
            }                                                                         \
        }                                                                             \
    }

DEFINE_INT_UNARY(int_unary_i64, int64_t, uint64_t)
DEFINE_INT_UNARY(int_unary_i32, int32_t, uint32_t)
DEFINE_INT_UNARY(int_unary_i8, int8_t, uint32_t)

static void int_unary_u8(mbi_unop op, const mbi_unary_params *p, const uint8_t *x, uint8_t *y,
                         int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        const uint8_t v = x[i];
        switch (op) {
        case MBI_UNOP_NEG: y[i] = (uint8_t)(0u - v); break;
        case MBI_UNOP_SIGN: y[i] = v != 0; break;
        case MBI_UNOP_CLIP: {
            int64_t w = v < p->ilo ? p->ilo : v;
            y[i] = (uint8_t)(w > p->ihi ? p->ihi : w);
            break;
        }
        default: y[i] = v; break; /* Abs and Relu are the identity */
        }
    }
}

bool mbi_ref_unary_supported(mbi_unop op, mobinfer_dtype dtype)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: return op != MBI_UNOP_NOT;
    case MOBINFER_DTYPE_BOOL: return op == MBI_UNOP_NOT;
    case MOBINFER_DTYPE_INT64:
    case MOBINFER_DTYPE_INT32:
    case MOBINFER_DTYPE_INT8:
    case MOBINFER_DTYPE_UINT8:
        return op == MBI_UNOP_ABS || op == MBI_UNOP_NEG || op == MBI_UNOP_SIGN ||
               op == MBI_UNOP_RELU || op == MBI_UNOP_CLIP;
    default: return false;
    }
}

void mbi_ref_unary(mbi_unop op, mobinfer_dtype dtype, const mbi_unary_params *p, const void *x,
                   void *y, int64_t n)
{
    if (!mbi_ref_unary_supported(op, dtype))
        return;
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: mbi_ref_unary_f32(op, p, x, y, n); break;
    case MOBINFER_DTYPE_INT64: int_unary_i64(op, p, x, y, n); break;
    case MOBINFER_DTYPE_INT32: int_unary_i32(op, p, x, y, n); break;
    case MOBINFER_DTYPE_INT8: int_unary_i8(op, p, x, y, n); break;
    case MOBINFER_DTYPE_UINT8: int_unary_u8(op, p, x, y, n); break;
    case MOBINFER_DTYPE_BOOL: {
        const uint8_t *bx = x;
        uint8_t *by = y;
        for (int64_t i = 0; i < n; i++)
            by[i] = bx[i] == 0;
        break;
    }
    default: break;
    }
}
