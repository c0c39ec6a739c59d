/* The f32-vbinary row kernels written once for every SIMD width. Included
 * only by the ISA files, which first define vf, vf_tail, VF_LEN, VB_KERNEL
 * (the name of the variant's table), VB_ISA_NAME, VB_SUPPORTED and
 * vf_set1 vf_load vf_store vf_tail_mask vf_load_part vf_store_part
 * vf_add vf_sub vf_mul vf_div vf_min vf_max vf_nan_either: where either is
 * NaN, a NaN; elsewhere r.
 *
 * Masked-off lanes of a partial vector compute on zeros (0/0 included) and
 * are never stored. */
#ifndef MBI_KERNELS_F32_VBINARY_SIMD_H
#define MBI_KERNELS_F32_VBINARY_SIMD_H

#include "kernels/f32-vbinary/f32_vbinary.h"

/* x86 min/max return the second operand on ties and NaN; with b first, ties
 * give a as in the reference, and vf_nan_either fixes NaN. */
static inline vf vb_min(vf x, vf y) { return vf_nan_either(x, y, vf_min(y, x)); }
static inline vf vb_max(vf x, vf y) { return vf_nan_either(x, y, vf_max(y, x)); }

/* Three row functions per operator; x and y are the current lanes of a and b. */
#define VB_DEFINE(OP, EXPR)                                                          \
    static void OP##_vv(const float *a, const float *b, float *out, size_t n)        \
    {                                                                                \
        size_t i = 0;                                                                \
        for (; i + VF_LEN <= n; i += VF_LEN) {                                       \
            const vf x = vf_load(a + i), y = vf_load(b + i);                         \
            vf_store(out + i, (EXPR));                                               \
        }                                                                            \
        if (i < n) {                                                                 \
            const vf_tail t = vf_tail_mask(n - i);                                   \
            const vf x = vf_load_part(a + i, t), y = vf_load_part(b + i, t);         \
            vf_store_part(out + i, t, (EXPR));                                       \
        }                                                                            \
    }                                                                                \
    static void OP##_vs(const float *a, const float *b, float *out, size_t n)        \
    {                                                                                \
        if (n == 0)                                                                  \
            return;                                                                  \
        const vf y = vf_set1(b[0]);                                                  \
        size_t i = 0;                                                                \
        for (; i + VF_LEN <= n; i += VF_LEN) {                                       \
            const vf x = vf_load(a + i);                                             \
            vf_store(out + i, (EXPR));                                               \
        }                                                                            \
        if (i < n) {                                                                 \
            const vf_tail t = vf_tail_mask(n - i);                                   \
            const vf x = vf_load_part(a + i, t);                                     \
            vf_store_part(out + i, t, (EXPR));                                       \
        }                                                                            \
    }                                                                                \
    static void OP##_sv(const float *a, const float *b, float *out, size_t n)        \
    {                                                                                \
        if (n == 0)                                                                  \
            return;                                                                  \
        const vf x = vf_set1(a[0]);                                                  \
        size_t i = 0;                                                                \
        for (; i + VF_LEN <= n; i += VF_LEN) {                                       \
            const vf y = vf_load(b + i);                                             \
            vf_store(out + i, (EXPR));                                               \
        }                                                                            \
        if (i < n) {                                                                 \
            const vf_tail t = vf_tail_mask(n - i);                                   \
            const vf y = vf_load_part(b + i, t);                                     \
            vf_store_part(out + i, t, (EXPR));                                       \
        }                                                                            \
    }

VB_DEFINE(add, vf_add(x, y))
VB_DEFINE(sub, vf_sub(x, y))
VB_DEFINE(mul, vf_mul(x, y))
VB_DEFINE(div, vf_div(x, y))
VB_DEFINE(min, vb_min(x, y))
VB_DEFINE(max, vb_max(x, y))

#undef VB_DEFINE

/* Order of mbi_f32_vbinop. */
const mbi_f32_vbinary_kernel VB_KERNEL = {
    VB_ISA_NAME,
    VB_SUPPORTED,
    {add_vv, sub_vv, mul_vv, div_vv, min_vv, max_vv},
    {add_vs, sub_vs, mul_vs, div_vs, min_vs, max_vs},
    {add_sv, sub_sv, mul_sv, div_sv, min_sv, max_sv},
};

#endif
