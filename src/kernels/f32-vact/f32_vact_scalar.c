/* The portable variant of the f32-vact family: the same approximations as
 * the SIMD variants (f32_vmath_coeffs.h), one element at a time, so every
 * platform computes the same results to within rounding. Where the SIMD
 * variants differ (the exp table of sigmoid, SiLU, GELU-tanh, tanh and erf
 * has 16 entries on AVX-512, 8 on AVX2; their divides are Newton steps), this
 * one follows AVX-512 and divides. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels/f32-vact/f32_vact.h"
#include "kernels/f32-vact/f32_vmath_coeffs.h"

/* Round to nearest even for |v| < 2^22 without libm: adding 1.5 * 2^23 leaves
 * no fraction bits. */
static inline float round_even(float v)
{
    const float magic = 12582912.0f;
    return (v + magic) - magic;
}

static inline float pow2i(int k) /* -126 <= k <= 127 */
{
    uint32_t bits = (uint32_t)(k + 127) << 23;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline float exp_core(float x)
{
    if (x != x)
        return x;
    x = x < MBI_EXP_LO ? MBI_EXP_LO : x;
    x = x > MBI_EXP_HI ? MBI_EXP_HI : x;
    const float nf = round_even(x * MBI_LOG2E);
    float r = x - nf * MBI_LN2_HI;
    r = r - nf * MBI_LN2_LO;
    float q = MBI_EXP_Q4;
    q = q * r + MBI_EXP_Q3;
    q = q * r + MBI_EXP_Q2;
    q = q * r + MBI_EXP_Q1;
    q = q * r + MBI_EXP_Q0;
    const float p = (r * r * q + r) + 1.0f;
    const int n = (int)nf, n1 = n / 2, n2 = n - n1;
    return p * pow2i(n1) * pow2i(n2);
}

static inline float sigmoid(float x)
{
    const float e = exp_core(-fabsf(x));
    return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
}

/* exp(-x) for |x| <= MBI_EXPT_XMAX or NaN, by the 16-entry table of the
 * AVX-512 variant (f32_vmath_coeffs.h, vf_exp_neg in f32_vact_simd.h). */
static inline float exp_neg(float x)
{
    static const uint32_t table[16] = {MBI_EXPT16_TABLE};
    const float t = x * -MBI_EXPT16_SCALE + MBI_EXPT_MAGIC;
    const float nf = t - MBI_EXPT_MAGIC;
    float rn = nf * MBI_EXPT16_LN2_HI + x; /* -r */
    rn = nf * MBI_EXPT16_LN2_LO + rn;
    uint32_t tb;
    memcpy(&tb, &t, sizeof tb);
    const uint32_t sb = table[tb & 15u] + (tb << 19); /* wraps as intended */
    float s;
    memcpy(&s, &sb, sizeof s);
    const float p = rn * rn * (MBI_EXPT16_C2 - MBI_EXPT16_C3 * rn) - rn;
    return s * p + s;
}

/* m / (1 + exp(-x)) for x >= -MBI_EXPT_XMAX; below, the callers take their
 * general formula (as VF_SIGMOID_TIMES does). */
static inline float sigmoid_times_fast(float x, float m)
{
    return m / (1.0f + exp_neg(x > MBI_EXPT_XMAX ? MBI_EXPT_XMAX : x));
}

static inline float sigmoid_fast(float x)
{
    return x < -MBI_EXPT_XMAX ? sigmoid(x) : sigmoid_times_fast(x, 1.0f);
}

static inline float silu(float x)
{
    if (x < -MBI_EXPT_XMAX)
        return (x < MBI_SILU_XMIN ? MBI_SILU_XMIN : x) * sigmoid(x);
    return sigmoid_times_fast(x, x);
}

static inline float tanh_approx(float x)
{
    const float a = fabsf(x);
    if (a < MBI_TANH_SMALL) {
        const float s = x * x;
        float q = MBI_TANH_Q4;
        q = q * s + MBI_TANH_Q3;
        q = q * s + MBI_TANH_Q2;
        q = q * s + MBI_TANH_Q1;
        q = q * s + MBI_TANH_Q0;
        return (x * s) * q + x;
    }
    if (a != a)
        return x;
    const float e = exp_neg(-2.0f * (a < MBI_TANH_SAT ? a : MBI_TANH_SAT));
    const float t = 1.0f - 2.0f / (e + 1.0f);
    return copysignf(t, x);
}

static inline float erf_small(float x) /* |x| < MBI_ERF_SMALL */
{
    const float s = x * x;
    float q = MBI_ERF_Q6;
    q = q * s + MBI_ERF_Q5;
    q = q * s + MBI_ERF_Q4;
    q = q * s + MBI_ERF_Q3;
    q = q * s + MBI_ERF_Q2;
    q = q * s + MBI_ERF_Q1;
    q = q * s + MBI_ERF_Q0;
    return x * q;
}

/* erfc(z) for z >= MBI_ERF_SMALL (or NaN), given z^2 as the product p q. */
static inline float erfc_large(float z, float p, float q)
{
    const float u = (z < MBI_ERFC_ZMAX ? z : MBI_ERFC_ZMAX) - MBI_ERFC_CENTER;
    float s = MBI_ERFC_S8;
    s = s * u + MBI_ERFC_S7;
    s = s * u + MBI_ERFC_S6;
    s = s * u + MBI_ERFC_S5;
    s = s * u + MBI_ERFC_S4;
    s = s * u + MBI_ERFC_S3;
    s = s * u + MBI_ERFC_S2;
    s = s * u + MBI_ERFC_S1;
    s = s * u + MBI_ERFC_S0;
    return exp_neg(p * q - s);
}

static inline float erf_approx(float x)
{
    const float a = fabsf(x);
    if (a < MBI_ERF_SMALL)
        return erf_small(x);
    if (a != a)
        return x;
    const float z = a < MBI_ERFC_ZMAX ? a : MBI_ERFC_ZMAX; /* erf(z) is 1 in float */
    return copysignf(1.0f - erfc_large(z, z, z), x);
}

static inline float gelu_erf(float x) /* method in f32_vmath_coeffs.h */
{
    const float z = x * MBI_SQRT1_2;
    if (fabsf(z) < MBI_ERF_SMALL)
        return 0.5f * x * (1.0f + erf_small(z));
    if (x != x)
        return x;
    /* The polynomial and the exponent in double: without fused multiply-adds
     * float rounds twice per step, which costs 2 ULPs here (the exponent
     * reaches 81); then one rounding each, as in f32_vact_simd.h. */
    const float ax = fabsf(x) < MBI_GELU_ERFC_XMAX ? fabsf(x) : MBI_GELU_ERFC_XMAX;
    const double t = 1.0 / ((double)ax * MBI_GELU_ERFC_B1 + MBI_GELU_ERFC_B0);
    const double u = t - MBI_GELU_ERFC_CENTER;
    double p = MBI_GELU_ERFC_P9;
    p = p * u + MBI_GELU_ERFC_P8;
    p = p * u + MBI_GELU_ERFC_P7;
    p = p * u + MBI_GELU_ERFC_P6;
    p = p * u + MBI_GELU_ERFC_P5;
    p = p * u + MBI_GELU_ERFC_P4;
    p = p * u + MBI_GELU_ERFC_P3;
    p = p * u + MBI_GELU_ERFC_P2;
    p = p * u + MBI_GELU_ERFC_P1;
    p = p * u + MBI_GELU_ERFC_P0;
    const float e = exp_neg((float)(0.5 * ax * ax - p));
    return (x > 0.0f ? x : 0.0f) - (float)(ax * t) * e; /* as in f32_vact_simd.h */
}

static inline float gelu_tanh(float x)
{
    const float w = (x * x * (-MBI_GELU_TANH_K * MBI_GELU_TANH_C) - MBI_GELU_TANH_K) * x;
    if (!(w < -MBI_EXPT_XMAX))
        return sigmoid_times_fast(w, x);
    x = x < MBI_GELU_XMIN ? MBI_GELU_XMIN : x;
    const float u = (x * x * (MBI_GELU_TANH_K * MBI_GELU_TANH_C) + MBI_GELU_TANH_K) * x;
    return x / (1.0f + exp_core(u));
}

static inline float clampf(float v, float lo, float hi) /* NaN stays NaN; hi wins */
{
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

#define LOOP(EXPR)                       \
    for (size_t i = 0; i < n; i++) {     \
        const float v = x[i];            \
        y[i] = (EXPR);                   \
    }                                    \
    break

void mbi_f32_act_scalar(const mbi_act *act, const float *x, float *y, size_t n)
{
    const float alpha = act->alpha, beta = act->beta;
    switch (act->kind) {
    case MBI_ACT_NONE:
        if (x != y && n)
            memmove(y, x, n * sizeof *y);
        break;
    case MBI_ACT_RELU: LOOP(v > 0.0f ? v : 0.0f);
    case MBI_ACT_CLAMP: LOOP(clampf(v, alpha, beta));
    case MBI_ACT_LEAKY_RELU: LOOP(v < 0.0f ? alpha * v : v);
    case MBI_ACT_HARD_SIGMOID: LOOP(clampf(alpha * v + beta, 0.0f, 1.0f));
    case MBI_ACT_HARD_SWISH: LOOP(v * clampf(v * (1.0f / 6.0f) + 0.5f, 0.0f, 1.0f));
    case MBI_ACT_SIGMOID: LOOP(sigmoid_fast(v));
    case MBI_ACT_SILU: LOOP(silu(v));
    case MBI_ACT_TANH: LOOP(tanh_approx(v));
    case MBI_ACT_GELU_ERF: LOOP(gelu_erf(v));
    case MBI_ACT_GELU_TANH: LOOP(gelu_tanh(v));
    }
}

#undef LOOP

void mbi_f32_vexp_scalar(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = exp_core(x[i]);
}

void mbi_f32_verf_scalar(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = erf_approx(x[i]);
}

/* Softmax along x[0], x[stride], ... (n elements) with the SIMD variants'
 * passes and NaN / inf behaviour (f32_vsoftmax_simd.h): the max skips NaN,
 * y may be x. */
static void softmax_strided(const float *x, float *y, size_t n, size_t stride, bool take_log)
{
    float mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        mx = x[i * stride] > mx ? x[i * stride] : mx;
    double sum = 0.0; /* one lane: a float sum would drift along long rows */
    for (size_t i = 0; i < n; i++) {
        const float e = exp_core(x[i * stride] - mx);
        if (!take_log)
            y[i * stride] = e;
        sum += e;
    }
    if (take_log) {
        const float ls = (float)log(sum);
        for (size_t i = 0; i < n; i++)
            y[i * stride] = (x[i * stride] - mx) - ls;
    } else {
        const float inv = (float)(1.0 / sum);
        for (size_t i = 0; i < n; i++)
            y[i * stride] *= inv;
    }
}

void mbi_f32_softmax_rows_scalar(const float *x, float *y, size_t rows, size_t len, bool take_log)
{
    for (size_t r = 0; r < rows; r++)
        softmax_strided(x + r * len, y + r * len, len, 1, take_log);
}

void mbi_f32_softmax_cols_scalar(const float *x, float *y, size_t len, size_t stride, size_t cols,
                                 bool take_log)
{
    for (size_t j = 0; j < cols; j++)
        softmax_strided(x + j, y + j, len, stride, take_log);
}
