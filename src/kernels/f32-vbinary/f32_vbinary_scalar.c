/* The portable variant of the f32-vbinary family. The expressions match the
 * reference kernels (ops/ref/binary_ref.c); the compiler vectorizes the
 * loops for the baseline ISA. */
#include <math.h>

#include "kernels/f32-vbinary/f32_vbinary.h"

static inline float min_f(float x, float y)
{
    return isnan(x) || isnan(y) ? x + y : (y < x ? y : x);
}

static inline float max_f(float x, float y)
{
    return isnan(x) || isnan(y) ? x + y : (y > x ? y : x);
}

#define VB_DEFINE(OP, EXPR)                                                   \
    static void OP##_vv(const float *a, const float *b, float *out, size_t n) \
    {                                                                         \
        for (size_t i = 0; i < n; i++) {                                      \
            const float x = a[i], y = b[i];                                   \
            out[i] = (EXPR);                                                  \
        }                                                                     \
    }                                                                         \
    static void OP##_vs(const float *a, const float *b, float *out, size_t n) \
    {                                                                         \
        if (n == 0)                                                           \
            return;                                                           \
        const float y = b[0];                                                 \
        for (size_t i = 0; i < n; i++) {                                      \
            const float x = a[i];                                             \
            out[i] = (EXPR);                                                  \
        }                                                                     \
    }                                                                         \
    static void OP##_sv(const float *a, const float *b, float *out, size_t n) \
    {                                                                         \
        if (n == 0)                                                           \
            return;                                                           \
        const float x = a[0];                                                 \
        for (size_t i = 0; i < n; i++) {                                      \
            const float y = b[i];                                             \
            out[i] = (EXPR);                                                  \
        }                                                                     \
    }

VB_DEFINE(add, x + y)
VB_DEFINE(sub, x - y)
VB_DEFINE(mul, x * y)
VB_DEFINE(div, x / y)
VB_DEFINE(min, min_f(x, y))
VB_DEFINE(max, max_f(x, y))

#undef VB_DEFINE

/* Order of mbi_f32_vbinop. */
const mbi_f32_vbinary_kernel mbi_f32_vbinary_scalar = {
    "scalar",
    mbi_cpu_any,
    {add_vv, sub_vv, mul_vv, div_vv, min_vv, max_vv},
    {add_vs, sub_vs, mul_vs, div_vs, min_vs, max_vs},
    {add_sv, sub_sv, mul_sv, div_sv, min_sv, max_sv},
};
