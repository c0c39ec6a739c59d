/* The f32-vact algorithms written once for every SIMD width. Included only by
 * the ISA files (f32_vact_avx2.c, f32_vact_avx512.c), which first define:
 *
 *   vf            the vector type, VF_LEN floats
 *   vf_mask       a lane mask; vf_tail the mask of a partial vector
 *   VF_NAME(base) the public name of this variant (base##_avx2, ...)
 *   vf_set1 vf_load vf_store vf_tail_mask vf_load_part vf_store_part
 *   vf_add vf_sub vf_mul vf_div vf_fmadd (a*b+c) vf_fnmadd (c-a*b) vf_fmsub (a*b-c)
 *   vf_max vf_min   with the x86 rule: the second operand when either is NaN
 *   vf_abs vf_negabs vf_copysign (magnitude >= 0 gets the sign of s)
 *   vf_lt vf_ge vf_select(m, if_set, if_clear) vf_all(m) vf_any(m)
 *   vf_round (to nearest even) vf_scale2 (p * 2^n for integral n)
 *   vf_rcp (reciprocal estimate) VF_EXPT_BITS, vf_exp2_lut (see vf_exp_neg)
 *
 * The scalar twin is f32_vact_scalar.c; the constants are in
 * f32_vmath_coeffs.h. Partial vectors use masked loads and stores, so
 * nothing outside [0, n) is touched; masked-off lanes compute on zeros. */
#ifndef MBI_KERNELS_F32_VACT_SIMD_H
#define MBI_KERNELS_F32_VACT_SIMD_H

#include <string.h>

#include "kernels/f32-vact/f32_vact.h"
#include "kernels/f32-vact/f32_vmath_coeffs.h"

/* Putting the bound first makes NaN pass through both steps; hi wins over lo. */
static inline vf vf_clamp(vf v, vf lo, vf hi)
{
    return vf_min(hi, vf_max(lo, v));
}

/* exp(x) given nf = x / ln 2 rounded to an integer (as a float): the
 * polynomial on the reduced argument, scaled by 2^nf. */
static inline vf vf_exp_reduced(vf x, vf nf)
{
    vf r = vf_fnmadd(nf, vf_set1(MBI_LN2_HI), x);
    r = vf_fnmadd(nf, vf_set1(MBI_LN2_LO), r);
    vf q = vf_fmadd(vf_set1(MBI_EXP_Q4), r, vf_set1(MBI_EXP_Q3));
    q = vf_fmadd(q, r, vf_set1(MBI_EXP_Q2));
    q = vf_fmadd(q, r, vf_set1(MBI_EXP_Q1));
    q = vf_fmadd(q, r, vf_set1(MBI_EXP_Q0));
    const vf p = vf_add(vf_fmadd(vf_mul(r, r), q, r), vf_set1(1.0f));
    return vf_scale2(p, nf);
}

static inline vf vf_exp(vf x)
{
    x = vf_min(vf_set1(MBI_EXP_HI), vf_max(vf_set1(MBI_EXP_LO), x));
    return vf_exp_reduced(x, vf_round(vf_mul(x, vf_set1(MBI_LOG2E))));
}

static inline vf vf_sigmoid(vf x)
{
    const vf one = vf_set1(1.0f);
    const vf e = vf_exp(vf_negabs(x)); /* never overflows */
    const vf num = vf_select(vf_ge(x, vf_set1(0.0f)), one, e);
    return vf_div(num, vf_add(one, e));
}

#if VF_EXPT_BITS == 4
#define EXPT_(name) MBI_EXPT16_##name
#else
#define EXPT_(name) MBI_EXPT8_##name
#endif

/* exp(-x) for |x| <= MBI_EXPT_XMAX or NaN: a table of 2^(j/L) leaves a
 * range small enough for a cubic, and 2^n needs no rounding instruction or
 * scalef (method in f32_vmath_coeffs.h); about half the work of vf_exp.
 * Works on -x without negating it: rn below is -r. */
static inline vf vf_exp_neg(vf x)
{
    const vf magic = vf_set1(MBI_EXPT_MAGIC);
    const vf t = vf_fmadd(x, vf_set1(-EXPT_(SCALE)), magic);
    const vf nf = vf_sub(t, magic);
    vf rn = vf_fmadd(nf, vf_set1(EXPT_(LN2_HI)), x);
    rn = vf_fmadd(nf, vf_set1(EXPT_(LN2_LO)), rn);
    const vf s = vf_exp2_lut(t);
    const vf q = vf_fnmadd(vf_set1(EXPT_(C3)), rn, vf_set1(EXPT_(C2)));
    const vf p = vf_fmsub(vf_mul(rn, rn), q, rn);
    return vf_fmadd(s, p, s);
}

#undef EXPT_

/* 1/d for 1 <= d < 2^126: Newton steps on the reciprocal estimate, whose
 * error they square, cost less than a divide, whose throughput limited
 * sigmoid more than its exp did. */
static inline vf vf_recip(vf d)
{
    const vf one = vf_set1(1.0f);
    vf y = vf_rcp(d);
#if VF_EXPT_BITS == 3
    y = vf_fmadd(vf_fnmadd(d, y, one), y, y); /* rcp_ps has only 12 bits */
#endif
    return vf_fmadd(vf_fnmadd(d, y, one), y, y);
}

/* m / (1 + exp(-x)) (m = 1: sigmoid; m = x: SiLU, GELU-tanh), with the
 * general formula `general` when a lane is below -MBI_EXPT_XMAX (where the
 * result leaves the normal floats: real activations never get there). Above
 * +MBI_EXPT_XMAX the sigmoid is 1 in float, so x is capped there. A macro so
 * that `general` is computed only when taken. */
#define VF_SIGMOID_TIMES(x, m, general)                                                            \
    (vf_any(vf_lt((x), vf_set1(-MBI_EXPT_XMAX)))                                                    \
         ? (general)                                                                               \
         : vf_mul((m), vf_recip(vf_add(vf_set1(1.0f),                                              \
                                       vf_exp_neg(vf_min(vf_set1(MBI_EXPT_XMAX), (x)))))))

static inline vf vf_tanh(vf x)
{
    const vf a = vf_abs(x);
    const vf s = vf_mul(x, x);
    vf q = vf_fmadd(vf_set1(MBI_TANH_Q4), s, vf_set1(MBI_TANH_Q3));
    q = vf_fmadd(q, s, vf_set1(MBI_TANH_Q2));
    q = vf_fmadd(q, s, vf_set1(MBI_TANH_Q1));
    q = vf_fmadd(q, s, vf_set1(MBI_TANH_Q0));
    const vf small = vf_fmadd(vf_mul(x, s), q, x);
    const vf_mask is_small = vf_lt(a, vf_set1(MBI_TANH_SMALL));
    if (vf_all(is_small))
        return small;
    const vf one = vf_set1(1.0f);
    const vf capped = vf_min(vf_set1(MBI_TANH_SAT), a); /* NaN stays NaN */
    const vf e = vf_exp_neg(vf_mul(vf_set1(-2.0f), capped)); /* e^(2|x|) <= e^18.2 */
    const vf t = vf_fnmadd(vf_set1(2.0f), vf_recip(vf_add(e, one)), one);
    return vf_select(is_small, small, vf_copysign(t, x));
}

static inline vf vf_erf_small(vf x) /* |x| < MBI_ERF_SMALL */
{
    const vf s = vf_mul(x, x);
    vf q = vf_fmadd(vf_set1(MBI_ERF_Q6), s, vf_set1(MBI_ERF_Q5));
    q = vf_fmadd(q, s, vf_set1(MBI_ERF_Q4));
    q = vf_fmadd(q, s, vf_set1(MBI_ERF_Q3));
    q = vf_fmadd(q, s, vf_set1(MBI_ERF_Q2));
    q = vf_fmadd(q, s, vf_set1(MBI_ERF_Q1));
    q = vf_fmadd(q, s, vf_set1(MBI_ERF_Q0));
    return vf_mul(x, q);
}

/* erfc(z) for z >= MBI_ERF_SMALL, given z^2 as the exact product p q: the
 * exponent s(z) - z^2 is then rounded once, which matters as its size grows. */
static inline vf vf_erfc_large(vf z, vf p, vf q)
{
    const vf u = vf_sub(vf_min(vf_set1(MBI_ERFC_ZMAX), z), vf_set1(MBI_ERFC_CENTER));
    vf s = vf_fmadd(vf_set1(MBI_ERFC_S8), u, vf_set1(MBI_ERFC_S7));
    s = vf_fmadd(s, u, vf_set1(MBI_ERFC_S6));
    s = vf_fmadd(s, u, vf_set1(MBI_ERFC_S5));
    s = vf_fmadd(s, u, vf_set1(MBI_ERFC_S4));
    s = vf_fmadd(s, u, vf_set1(MBI_ERFC_S3));
    s = vf_fmadd(s, u, vf_set1(MBI_ERFC_S2));
    s = vf_fmadd(s, u, vf_set1(MBI_ERFC_S1));
    s = vf_fmadd(s, u, vf_set1(MBI_ERFC_S0));
    /* exp(s - z^2) with s - z^2 in [-83, -1] (z capped as in vf_erf, and
     * as in vf_gelu_erf) */
    return vf_exp_neg(vf_fmsub(p, q, s));
}

static inline vf vf_erf(vf x)
{
    const vf a = vf_abs(x);
    const vf small = vf_erf_small(x);
    const vf_mask is_small = vf_lt(a, vf_set1(MBI_ERF_SMALL));
    if (vf_all(is_small))
        return small;
    /* erf is 1 in float from 3.92 on; capping there also keeps erfc out of
     * subnormals, which cost microcode assists. */
    const vf z = vf_min(vf_set1(MBI_ERFC_ZMAX), a);
    const vf large = vf_sub(vf_set1(1.0f), vf_erfc_large(z, z, z));
    return vf_select(is_small, small, vf_copysign(large, x));
}

static inline vf vf_gelu_erf(vf x)
{
    /* Transformer activations mostly stay within |x| < 1.3, where a whole
     * vector takes the short odd polynomial of erf (a third of the work). */
    const vf z = vf_mul(x, vf_set1(MBI_SQRT1_2));
    if (vf_all(vf_lt(vf_abs(z), vf_set1(MBI_ERF_SMALL))))
        return vf_mul(vf_mul(vf_set1(0.5f), x), vf_add(vf_set1(1.0f), vf_erf_small(z)));
    /* |x| capped where h is still a normal float (no microcode assists;
     * GELU there is below 1e-35); NaN passes. */
    const vf ax = vf_min(vf_set1(MBI_GELU_ERFC_XMAX), vf_abs(x));
    const vf t = vf_recip(vf_fmadd(ax, vf_set1(MBI_GELU_ERFC_B1), vf_set1(MBI_GELU_ERFC_B0)));
    const vf u = vf_sub(t, vf_set1(MBI_GELU_ERFC_CENTER));
    vf p = vf_fmadd(vf_set1(MBI_GELU_ERFC_P9), u, vf_set1(MBI_GELU_ERFC_P8));
    p = vf_fmadd(p, u, vf_set1(MBI_GELU_ERFC_P7));
    p = vf_fmadd(p, u, vf_set1(MBI_GELU_ERFC_P6));
    p = vf_fmadd(p, u, vf_set1(MBI_GELU_ERFC_P5));
    p = vf_fmadd(p, u, vf_set1(MBI_GELU_ERFC_P4));
    p = vf_fmadd(p, u, vf_set1(MBI_GELU_ERFC_P3));
    p = vf_fmadd(p, u, vf_set1(MBI_GELU_ERFC_P2));
    p = vf_fmadd(p, u, vf_set1(MBI_GELU_ERFC_P1));
    p = vf_fmadd(p, u, vf_set1(MBI_GELU_ERFC_P0));
    /* x^2 / 2 - P rounded once: the exponent reaches 81, where each
     * rounding costs 5e-6 relative. */
    const vf e = vf_exp_neg(vf_fmsub(vf_mul(vf_set1(0.5f), ax), ax, p));
    /* x (1 - h) for x > 0, x h below: both are max(x, 0) - |x| h. The capped
     * |x| keeps inf - inf out at +inf, and -inf gives about -1e-35, not NaN. */
    return vf_fnmadd(vf_mul(ax, t), e, vf_max(vf_set1(0.0f), x));
}

static inline vf vf_gelu_tanh_general(vf x)
{
    x = vf_max(vf_set1(MBI_GELU_XMIN), x);
    const vf k = vf_set1(MBI_GELU_TANH_K), kc = vf_set1(MBI_GELU_TANH_K * MBI_GELU_TANH_C);
    const vf e = vf_exp(vf_mul(vf_fmadd(vf_mul(x, x), kc, k), x));
    return vf_div(x, vf_add(vf_set1(1.0f), e));
}

/* x / (1 + e^u) with -u = x (-k - k c x^2) */
static inline vf vf_gelu_tanh(vf x)
{
    const vf k = vf_set1(-MBI_GELU_TANH_K), kc = vf_set1(-MBI_GELU_TANH_K * MBI_GELU_TANH_C);
    const vf w = vf_mul(vf_fmadd(vf_mul(x, x), kc, k), x);
    return VF_SIGMOID_TIMES(w, x, vf_gelu_tanh_general(x));
}

#define VF_LOOP(EXPR)                                            \
    do {                                                         \
        size_t i_ = 0;                                           \
        for (; i_ + VF_LEN <= n; i_ += VF_LEN) {                 \
            const vf v = vf_load(x + i_);                        \
            vf_store(y + i_, (EXPR));                            \
        }                                                        \
        if (i_ < n) {                                            \
            const vf_tail t_ = vf_tail_mask(n - i_);             \
            const vf v = vf_load_part(x + i_, t_);               \
            vf_store_part(y + i_, t_, (EXPR));                   \
        }                                                        \
    } while (0)

void VF_NAME(mbi_f32_act)(const mbi_act *act, const float *x, float *y, size_t n)
{
    const vf alpha = vf_set1(act->alpha), beta = vf_set1(act->beta);
    const vf zero = vf_set1(0.0f), one = vf_set1(1.0f);
    switch (act->kind) {
    case MBI_ACT_NONE:
        if (x != y && n)
            memmove(y, x, n * sizeof *y);
        break;
    case MBI_ACT_RELU:
        VF_LOOP(vf_max(v, zero)); /* NaN gives 0, as in the reference */
        break;
    case MBI_ACT_CLAMP:
        VF_LOOP(vf_clamp(v, alpha, beta));
        break;
    case MBI_ACT_LEAKY_RELU:
        VF_LOOP(vf_select(vf_lt(v, zero), vf_mul(alpha, v), v));
        break;
    case MBI_ACT_HARD_SIGMOID:
        VF_LOOP(vf_clamp(vf_fmadd(alpha, v, beta), zero, one));
        break;
    case MBI_ACT_HARD_SWISH: {
        const vf sixth = vf_set1(1.0f / 6.0f), half = vf_set1(0.5f);
        VF_LOOP(vf_mul(v, vf_clamp(vf_fmadd(v, sixth, half), zero, one)));
        break;
    }
    case MBI_ACT_SIGMOID:
        VF_LOOP(VF_SIGMOID_TIMES(v, one, vf_sigmoid(v)));
        break;
    case MBI_ACT_SILU: {
        const vf xmin = vf_set1(MBI_SILU_XMIN);
        VF_LOOP(VF_SIGMOID_TIMES(v, v, vf_mul(vf_max(xmin, v), vf_sigmoid(v))));
        break;
    }
    case MBI_ACT_TANH:
        VF_LOOP(vf_tanh(v));
        break;
    case MBI_ACT_GELU_ERF:
        VF_LOOP(vf_gelu_erf(v));
        break;
    case MBI_ACT_GELU_TANH:
        VF_LOOP(vf_gelu_tanh(v));
        break;
    }
}

void VF_NAME(mbi_f32_vexp)(const float *x, float *y, size_t n)
{
    VF_LOOP(vf_exp(v));
}

void VF_NAME(mbi_f32_verf)(const float *x, float *y, size_t n)
{
    VF_LOOP(vf_erf(v));
}

#undef VF_LOOP

#endif
