/* The vector vocabulary the SIMD row walkers (f32_dwconv_rows.h,
 * f32_pool_rows.h) are written in, for AVX-512: 16 floats per vector, 32
 * registers, a k-mask for the first n lanes. Include only from *_avx512.c. */
#ifndef MBI_KERNELS_SIMD_AVX512_H
#define MBI_KERNELS_SIMD_AVX512_H

#include <immintrin.h>
#include <stddef.h>

#define VW 16
#define VREGS 32

typedef __m512 vf;
typedef __mmask16 vmask;

/* The first n lanes, 1 <= n <= VW. */
static inline vmask v_mask(size_t n)
{
    return (vmask)((1u << n) - 1u);
}

static inline vf v_load(const float *p)
{
    return _mm512_loadu_ps(p);
}

/* Lanes outside m read as zero and are not accessed (no fault past the end). */
static inline vf v_load_m(const float *p, vmask m)
{
    return _mm512_maskz_loadu_ps(m, p);
}

static inline void v_store(float *p, vf v)
{
    _mm512_storeu_ps(p, v);
}

static inline void v_store_m(float *p, vmask m, vf v)
{
    _mm512_mask_storeu_ps(p, m, v);
}

/* a * b + c */
static inline vf v_fma(vf a, vf b, vf c)
{
    return _mm512_fmadd_ps(a, b, c);
}

static inline vf v_add(vf a, vf b)
{
    return _mm512_add_ps(a, b);
}

static inline vf v_mul(vf a, vf b)
{
    return _mm512_mul_ps(a, b);
}

/* Returns b where either is NaN (x86 semantics), so max(x, acc) skips a NaN x. */
static inline vf v_max(vf a, vf b)
{
    return _mm512_max_ps(a, b);
}

static inline vf v_min(vf a, vf b)
{
    return _mm512_min_ps(a, b);
}

static inline vf v_set1(float x)
{
    return _mm512_set1_ps(x);
}

/* All lanes or none (a choice made once per call, not per lane). */
typedef __mmask16 vsel;

static inline vsel v_sel_all(int on)
{
    return on ? (vsel)0xFFFF : (vsel)0;
}

/* on ? x * t : t: a masked multiply, no more instructions than x * t. */
static inline vf v_mul_sel(vsel on, vf x, vf t)
{
    return _mm512_mask_mul_ps(t, on, x, t);
}

#endif
