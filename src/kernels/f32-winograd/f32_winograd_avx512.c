/* The AVX-512 variant of the f32-winograd transforms: 16 lanes; the
 * transforms are in f32_winograd_simd.h. */
#include <immintrin.h>

typedef __m512 vf;
typedef __mmask16 vf_tail;
#define VF_LEN 16
#define WG_KERNEL mbi_f32_winograd_avx512
#define WG_ISA_NAME "avx512"
#define WG_SUPPORTED mbi_cpu_has_avx512

static inline vf vf_set1(float f) { return _mm512_set1_ps(f); }
static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf_tail vf_tail_mask(size_t rem) /* 0 < rem <= 16 */
{
    return (__mmask16)((1u << rem) - 1u);
}
static inline vf vf_load_part(const float *p, vf_tail t) { return _mm512_maskz_loadu_ps(t, p); }
static inline void vf_store_part(float *p, vf_tail t, vf v) { _mm512_mask_storeu_ps(p, t, v); }
static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_fmadd(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }

#include "kernels/f32-winograd/f32_winograd_simd.h"
