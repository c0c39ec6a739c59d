/* The f32-winograd transforms written once for every SIMD width. Included
 * only by the ISA files, which first define vf, vf_tail, VF_LEN, WG_KERNEL
 * (the name of the variant), WG_ISA_NAME, WG_SUPPORTED and
 * vf_set1 vf_load vf_store vf_add vf_sub vf_mul vf_fmadd (a*b+c) vf_min
 * vf_max, vf_tail_mask (0 < rem <= VF_LEN) vf_load_part (masked-off lanes
 * read as zero, never touched) vf_store_part.
 *
 * Each transform works on one vector of channels of a whole tile at a
 * time: the alpha^2 values of a channel stay in registers between the
 * column and the row pass (F(4,3): 36 vectors, which AVX-512 nearly holds). */
#ifndef MBI_KERNELS_F32_WINOGRAD_SIMD_H
#define MBI_KERNELS_F32_WINOGRAD_SIMD_H

#include "kernels/f32-winograd/f32_winograd.h"

/* The 1-D transforms, in place on d[0], d[s], d[2s], ...: */

/* F(2,3) B^T: rows (1 0 -1 0) (0 1 1 0) (0 -1 1 0) (0 1 0 -1). */
static inline void bt2(vf *d, size_t s)
{
    const vf d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s];
    d[0] = vf_sub(d0, d2);
    d[s] = vf_add(d1, d2);
    d[2 * s] = vf_sub(d2, d1);
    d[3 * s] = vf_sub(d1, d3);
}

/* F(2,3) A^T: rows (1 1 1 0) (0 1 -1 -1); results in d[0], d[s]. */
static inline void at2(vf *d, size_t s)
{
    const vf t0 = d[0], t1 = d[s], t2 = d[2 * s], t3 = d[3 * s];
    d[0] = vf_add(vf_add(t0, t1), t2);
    d[s] = vf_sub(vf_sub(t1, t2), t3);
}

/* F(4,3) B^T (interpolation points 0, 1, -1, 2, -2):
 * (4 0 -5 0 1 0) (0 -4 -4 1 1 0) (0 4 -4 -1 1 0) (0 -2 -1 2 1 0)
 * (0 2 -1 -2 1 0) (0 4 0 -5 0 1). */
static inline void bt4(vf *d, size_t s)
{
    const vf d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s],
             d5 = d[5 * s];
    const vf four = vf_set1(4.0f), mfour = vf_set1(-4.0f), mfive = vf_set1(-5.0f),
             two = vf_set1(2.0f);
    const vf a = vf_fmadd(mfour, d2, d4), b = vf_fmadd(mfour, d1, d3);
    const vf c = vf_sub(d4, d2), e = vf_mul(two, vf_sub(d3, d1));
    d[0] = vf_fmadd(four, d0, vf_fmadd(mfive, d2, d4));
    d[s] = vf_add(a, b);
    d[2 * s] = vf_sub(a, b);
    d[3 * s] = vf_add(c, e);
    d[4 * s] = vf_sub(c, e);
    d[5 * s] = vf_fmadd(four, d1, vf_fmadd(mfive, d3, d5));
}

/* F(4,3) A^T: (1 1 1 1 1 0) (0 1 -1 2 -2 0) (0 1 1 4 4 0) (0 1 -1 8 -8 1);
 * results in d[0..3s]. */
static inline void at4(vf *d, size_t s)
{
    const vf t0 = d[0], t5 = d[5 * s];
    const vf s12 = vf_add(d[s], d[2 * s]), d12 = vf_sub(d[s], d[2 * s]);
    const vf s34 = vf_add(d[3 * s], d[4 * s]), d34 = vf_sub(d[3 * s], d[4 * s]);
    d[0] = vf_add(vf_add(t0, s12), s34);
    d[s] = vf_fmadd(vf_set1(2.0f), d34, d12);
    d[2 * s] = vf_fmadd(vf_set1(4.0f), s34, s12);
    d[3 * s] = vf_add(vf_fmadd(vf_set1(8.0f), d34, d12), t5);
}

/* The in-register epilogue (kernels/epilogue.h) on x = acc + bias; act is
 * a constant in each inlined copy. */
static inline __attribute__((always_inline)) vf wg_epilogue(const mbi_f32_reg_act act, vf x, vf lo,
                                                            vf hi, vf alpha, vf beta)
{
    /* min/max with the sum second: a NaN sum passes through. */
    vf y = act == MBI_REG_CLAMP ? x : vf_fmadd(x, alpha, beta);
    y = vf_min(hi, vf_max(lo, y));
    return act == MBI_REG_HARD_SWISH ? vf_mul(x, y) : y;
}

/* The tile transforms for one alpha (A) and one 1-D pair (BT, AT); M = A - 2
 * outputs a side. Loads and stores go through the tail mask only for the
 * last, partial vector of channels. */
#define WG_TRANSFORMS(NAME, A, BT, AT)                                                         \
    static inline void NAME##_input_vec(const float *const *in, size_t k, float *v, size_t ldv, \
                                        const vf_tail *t)                                      \
    {                                                                                          \
        vf d[A * A];                                                                           \
        _Pragma("GCC unroll 36") for (size_t p = 0; p < A * A; p++) d[p] =                     \
            t ? vf_load_part(in[p] + k, *t) : vf_load(in[p] + k);                              \
        _Pragma("GCC unroll 6") for (size_t j = 0; j < A; j++) BT(d + j, A);                   \
        _Pragma("GCC unroll 6") for (size_t i = 0; i < A; i++) BT(d + i * A, 1);               \
        _Pragma("GCC unroll 36") for (size_t p = 0; p < A * A; p++)                            \
        {                                                                                      \
            if (t)                                                                             \
                vf_store_part(v + p * ldv + k, *t, d[p]);                                      \
            else                                                                               \
                vf_store(v + p * ldv + k, d[p]);                                               \
        }                                                                                      \
    }                                                                                          \
    static void NAME##_input(size_t c, const float *const *in, float *v, size_t ldv)           \
    {                                                                                          \
        size_t k = 0;                                                                          \
        for (; k + VF_LEN <= c; k += VF_LEN)                                                   \
            NAME##_input_vec(in, k, v, ldv, NULL);                                             \
        if (k < c) {                                                                           \
            const vf_tail t = vf_tail_mask(c - k);                                             \
            NAME##_input_vec(in, k, v, ldv, &t);                                               \
        }                                                                                      \
    }                                                                                          \
    static inline __attribute__((always_inline)) void NAME##_output_vec(                       \
        const mbi_f32_reg_act act, size_t k, const float *tr, size_t ldt, const float *bias,   \
        float *const *out, vf lo, vf hi, vf alpha, vf beta, const vf_tail *t)                  \
    {                                                                                          \
        vf d[A * A];                                                                           \
        _Pragma("GCC unroll 36") for (size_t p = 0; p < A * A; p++) d[p] =                     \
            t ? vf_load_part(tr + p * ldt + k, *t) : vf_load(tr + p * ldt + k);                \
        _Pragma("GCC unroll 6") for (size_t j = 0; j < A; j++) AT(d + j, A);                   \
        _Pragma("GCC unroll 6") for (size_t i = 0; i < A - 2; i++) AT(d + i * A, 1);           \
        const vf b = t ? vf_load_part(bias + k, *t) : vf_load(bias + k);                       \
        _Pragma("GCC unroll 4") for (size_t i = 0; i < A - 2; i++)                             \
            _Pragma("GCC unroll 4") for (size_t j = 0; j < A - 2; j++)                         \
        {                                                                                      \
            const vf y = wg_epilogue(act, vf_add(d[i * A + j], b), lo, hi, alpha, beta);       \
            float *o = out[i * (A - 2) + j] + k;                                               \
            if (t)                                                                             \
                vf_store_part(o, *t, y);                                                       \
            else                                                                               \
                vf_store(o, y);                                                                \
        }                                                                                      \
    }                                                                                          \
    static inline __attribute__((always_inline)) void NAME##_output_act(                       \
        const mbi_f32_reg_act act, size_t n, const float *tr, size_t ldt, const float *bias,   \
        float *const *out, const mbi_f32_minmax *mm)                                           \
    {                                                                                          \
        const vf lo = vf_set1(mm->min), hi = vf_set1(mm->max);                                 \
        const vf alpha = vf_set1(mm->alpha), beta = vf_set1(mm->beta);                         \
        size_t k = 0;                                                                          \
        for (; k + VF_LEN <= n; k += VF_LEN)                                                   \
            NAME##_output_vec(act, k, tr, ldt, bias, out, lo, hi, alpha, beta, NULL);          \
        if (k < n) {                                                                           \
            const vf_tail t = vf_tail_mask(n - k);                                             \
            NAME##_output_vec(act, k, tr, ldt, bias, out, lo, hi, alpha, beta, &t);            \
        }                                                                                      \
    }                                                                                          \
    static void NAME##_output(size_t n, const float *tr, size_t ldt, const float *bias,        \
                              float *const *out, const mbi_f32_minmax *mm)                     \
    {                                                                                          \
        if (mm->act == MBI_REG_HARD_SWISH)                                                     \
            NAME##_output_act(MBI_REG_HARD_SWISH, n, tr, ldt, bias, out, mm);                  \
        else if (mm->act == MBI_REG_HARD_SIGMOID)                                              \
            NAME##_output_act(MBI_REG_HARD_SIGMOID, n, tr, ldt, bias, out, mm);                \
        else                                                                                   \
            NAME##_output_act(MBI_REG_CLAMP, n, tr, ldt, bias, out, mm);                       \
    }

WG_TRANSFORMS(f2, 4, bt2, at2)
WG_TRANSFORMS(f4, 6, bt4, at4)

const mbi_f32_winograd_kernel WG_KERNEL = {
    WG_ISA_NAME, WG_SUPPORTED, {f2_input, f2_output}, {f4_input, f4_output}};

#endif
