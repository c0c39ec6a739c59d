/* The AVX-512 variant of the f32-vact family: 16 lanes; the algorithms are
 * in f32_vact_simd.h. */
#include <immintrin.h>
#include <stdint.h>

#include "kernels/f32-vact/f32_vmath_coeffs.h"

typedef __m512 vf;
typedef __mmask16 vf_mask;
typedef __mmask16 vf_tail;
#define VF_LEN 16
#define VF_NAME(base) base##_avx512

static inline vf vf_set1(float f) { return _mm512_set1_ps(f); }
static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf_tail vf_tail_mask(size_t rem) /* 0 < rem < 16 */
{
    return (__mmask16)((1u << rem) - 1u);
}
static inline vf vf_load_part(const float *p, vf_tail t) { return _mm512_maskz_loadu_ps(t, p); }
static inline void vf_store_part(float *p, vf_tail t, vf v) { _mm512_mask_storeu_ps(p, t, v); }
/* lanes outside the tail get `fill` instead of zero */
static inline vf vf_load_part_fill(const float *p, vf_tail t, vf fill)
{
    return _mm512_mask_loadu_ps(fill, t, p);
}
static inline float vf_hmax(vf v) { return _mm512_reduce_max_ps(v); }
static inline float vf_hsum(vf v) { return _mm512_reduce_add_ps(v); }

static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vf_fmadd(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vf_fnmadd(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
static inline vf vf_fmsub(vf a, vf b, vf c) { return _mm512_fmsub_ps(a, b, c); }
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }

static inline vf vf_signmask(void) { return _mm512_set1_ps(-0.0f); }
static inline vf vf_abs(vf x) { return _mm512_andnot_ps(vf_signmask(), x); }
static inline vf vf_negabs(vf x) { return _mm512_or_ps(vf_signmask(), x); }
static inline vf vf_copysign(vf mag, vf s)
{
    return _mm512_or_ps(mag, _mm512_and_ps(vf_signmask(), s));
}

static inline vf_mask vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline vf_mask vf_ge(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
static inline vf vf_select(vf_mask m, vf if_set, vf if_clear)
{
    return _mm512_mask_blend_ps(m, if_clear, if_set);
}
static inline int vf_all(vf_mask m) { return m == 0xffff; }

static inline vf vf_round(vf x)
{
    return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/* scalef rounds p * 2^n once, into subnormals or inf, like the two-factor
 * product of the AVX2 variant. */
static inline vf vf_scale2(vf p, vf nf) { return _mm512_scalef_ps(p, nf); }

static inline int vf_any(vf_mask m) { return m != 0; }

/* 2^(n/16) for the n that t holds in its low bits (t = z * 16/ln2 + 1.5 *
 * 2^23): vpermd looks up only the low 4 bits, the shift moves n div 16 into
 * the exponent field, and the entry cancels what the shift left of n mod 16
 * (f32_vmath_coeffs.h). */
#define VF_EXPT_BITS 4
static inline vf vf_exp2_lut(vf t)
{
    static const int32_t table[16] = {MBI_EXPT16_TABLE};
    const __m512i tab = _mm512_loadu_si512(table);
    const __m512i ti = _mm512_castps_si512(t);
    return _mm512_castsi512_ps(
        _mm512_add_epi32(_mm512_permutexvar_epi32(ti, tab), _mm512_slli_epi32(ti, 19)));
}
/* 1/d to 2^-14 relative */
static inline vf vf_rcp(vf d) { return _mm512_rcp14_ps(d); }

#include "kernels/f32-vact/f32_vact_simd.h"
#include "kernels/f32-vact/f32_vsoftmax_simd.h"
