/* The AVX-512 variant of the f32-vbinary family: 16 lanes; the row kernels
 * are in f32_vbinary_simd.h. */
#include <immintrin.h>

typedef __m512 vf;
typedef __mmask16 vf_tail;
#define VF_LEN 16
#define VB_KERNEL mbi_f32_vbinary_avx512
#define VB_ISA_NAME "avx512"
#define VB_SUPPORTED mbi_cpu_has_avx512

static inline vf vf_set1(float f) { return _mm512_set1_ps(f); }
static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf_tail vf_tail_mask(size_t rem) /* 0 < rem < 16 */
{
    return (__mmask16)((1u << rem) - 1u);
}
static inline vf vf_load_part(const float *p, vf_tail t) { return _mm512_maskz_loadu_ps(t, p); }
static inline void vf_store_part(float *p, vf_tail t, vf v) { _mm512_mask_storeu_ps(p, t, v); }

static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf vf_nan_either(vf a, vf b, vf r)
{
    return _mm512_mask_add_ps(r, _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), a, b);
}

#include "kernels/f32-vbinary/f32_vbinary_simd.h"
