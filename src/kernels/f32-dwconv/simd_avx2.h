/* The vector vocabulary the SIMD row walkers (f32_dwconv_rows.h,
 * f32_pool_rows.h) are written in, for AVX2 + FMA: 8 floats per vector, 16
 * registers, an integer lane mask for vmaskmovps. Include only from *_avx2.c. */
#ifndef MBI_KERNELS_SIMD_AVX2_H
#define MBI_KERNELS_SIMD_AVX2_H

#include <immintrin.h>
#include <stddef.h>

#define VW 8
#define VREGS 16

typedef __m256 vf;
typedef __m256i vmask;

/* The first n lanes, 1 <= n <= VW. */
static inline vmask v_mask(size_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline vf v_load(const float *p)
{
    return _mm256_loadu_ps(p);
}

/* Lanes outside m read as zero and are not accessed (no fault past the end). */
static inline vf v_load_m(const float *p, vmask m)
{
    return _mm256_maskload_ps(p, m);
}

static inline void v_store(float *p, vf v)
{
    _mm256_storeu_ps(p, v);
}

static inline void v_store_m(float *p, vmask m, vf v)
{
    _mm256_maskstore_ps(p, m, v);
}

/* a * b + c */
static inline vf v_fma(vf a, vf b, vf c)
{
    return _mm256_fmadd_ps(a, b, c);
}

static inline vf v_add(vf a, vf b)
{
    return _mm256_add_ps(a, b);
}

static inline vf v_mul(vf a, vf b)
{
    return _mm256_mul_ps(a, b);
}

/* Returns b where either is NaN (x86 semantics), so max(x, acc) skips a NaN x. */
static inline vf v_max(vf a, vf b)
{
    return _mm256_max_ps(a, b);
}

static inline vf v_min(vf a, vf b)
{
    return _mm256_min_ps(a, b);
}

static inline vf v_set1(float x)
{
    return _mm256_set1_ps(x);
}

/* All lanes or none (a choice made once per call, not per lane). */
typedef __m256 vsel;

static inline vsel v_sel_all(int on)
{
    return _mm256_castsi256_ps(_mm256_set1_epi32(on ? -1 : 0));
}

/* on ? x * t : t */
static inline vf v_mul_sel(vsel on, vf x, vf t)
{
    return _mm256_blendv_ps(t, _mm256_mul_ps(x, t), on);
}

#endif
