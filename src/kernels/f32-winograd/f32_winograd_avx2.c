/* The AVX2 variant of the f32-winograd transforms: 8 lanes; the
 * transforms are in f32_winograd_simd.h. */
#include <immintrin.h>

typedef __m256 vf;
typedef __m256i vf_tail;
#define VF_LEN 8
#define WG_KERNEL mbi_f32_winograd_avx2
#define WG_ISA_NAME "avx2"
#define WG_SUPPORTED mbi_cpu_has_avx2

static inline vf vf_set1(float f) { return _mm256_set1_ps(f); }
static inline vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline vf_tail vf_tail_mask(size_t rem) /* 0 < rem <= 8 */
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)rem), lane);
}
static inline vf vf_load_part(const float *p, vf_tail t) { return _mm256_maskload_ps(p, t); }
static inline void vf_store_part(float *p, vf_tail t, vf v) { _mm256_maskstore_ps(p, t, v); }
static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_fmadd(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }

#include "kernels/f32-winograd/f32_winograd_simd.h"
