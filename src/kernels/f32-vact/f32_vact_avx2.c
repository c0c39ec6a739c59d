/* The AVX2+FMA variant of the f32-vact family: 8 lanes; the algorithms are
 * in f32_vact_simd.h. */
#include <immintrin.h>
#include <stdint.h>

#include "kernels/f32-vact/f32_vmath_coeffs.h"

typedef __m256 vf;
typedef __m256 vf_mask;
typedef __m256i vf_tail;
#define VF_LEN 8
#define VF_NAME(base) base##_avx2

static inline vf vf_set1(float f) { return _mm256_set1_ps(f); }
static inline vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline vf_tail vf_tail_mask(size_t rem) /* 0 < rem < 8 */
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)rem), lane);
}
static inline vf vf_load_part(const float *p, vf_tail t) { return _mm256_maskload_ps(p, t); }
static inline void vf_store_part(float *p, vf_tail t, vf v) { _mm256_maskstore_ps(p, t, v); }
/* lanes outside the tail get `fill` instead of zero */
static inline vf vf_load_part_fill(const float *p, vf_tail t, vf fill)
{
    return _mm256_blendv_ps(fill, _mm256_maskload_ps(p, t), _mm256_castsi256_ps(t));
}
static inline float vf_hmax(vf v)
{
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
}
static inline float vf_hsum(vf v)
{
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_add_ss(h, _mm_movehdup_ps(h)));
}

static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf vf_fmadd(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf vf_fnmadd(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
static inline vf vf_fmsub(vf a, vf b, vf c) { return _mm256_fmsub_ps(a, b, c); }
static inline vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }

static inline vf vf_signmask(void) { return _mm256_set1_ps(-0.0f); }
static inline vf vf_abs(vf x) { return _mm256_andnot_ps(vf_signmask(), x); }
static inline vf vf_negabs(vf x) { return _mm256_or_ps(vf_signmask(), x); }
static inline vf vf_copysign(vf mag, vf s)
{
    return _mm256_or_ps(mag, _mm256_and_ps(vf_signmask(), s));
}

static inline vf_mask vf_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline vf_mask vf_ge(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
static inline vf vf_select(vf_mask m, vf if_set, vf if_clear)
{
    return _mm256_blendv_ps(if_clear, if_set, m);
}
static inline int vf_all(vf_mask m) { return _mm256_movemask_ps(m) == 0xff; }

static inline vf vf_round(vf x)
{
    return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/* n in [-150, 128] after vf_exp's clamp: two factors 2^(n/2) keep each one
 * a normal float, so the product rounds once, into subnormals or inf. */
static inline vf vf_scale2(vf p, vf nf)
{
    const __m256i n = _mm256_cvtps_epi32(nf);
    const __m256i n1 = _mm256_srai_epi32(n, 1);
    const __m256i n2 = _mm256_sub_epi32(n, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    const vf s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const vf s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

static inline int vf_any(vf_mask m) { return _mm256_movemask_ps(m) != 0; }

/* 2^(n/8) for the n that t holds in its low bits (t = z * 8/ln2 + 1.5 *
 * 2^23): vpermd looks up only the low 3 bits, the shift moves n div 8 into
 * the exponent field, and the entry cancels what the shift left of n mod 8
 * (f32_vmath_coeffs.h). */
#define VF_EXPT_BITS 3
static inline vf vf_exp2_lut(vf t)
{
    static const int32_t table[8] = {MBI_EXPT8_TABLE};
    const __m256i tab = _mm256_loadu_si256((const __m256i *)table);
    const __m256i ti = _mm256_castps_si256(t);
    return _mm256_castsi256_ps(
        _mm256_add_epi32(_mm256_permutevar8x32_epi32(tab, ti), _mm256_slli_epi32(ti, 20)));
}
/* 1/d to 1.5 * 2^-12 relative */
static inline vf vf_rcp(vf d) { return _mm256_rcp_ps(d); }

#include "kernels/f32-vact/f32_vact_simd.h"
#include "kernels/f32-vact/f32_vsoftmax_simd.h"
