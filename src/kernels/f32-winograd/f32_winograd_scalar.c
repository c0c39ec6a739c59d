/* The portable variant of the f32-winograd transforms: one channel at a
 * time through the same code as the SIMD variants (f32_winograd_simd.h). */
#include <stddef.h>

typedef float vf;
typedef int vf_tail; /* never a partial vector */
#define VF_LEN 1
#define WG_KERNEL mbi_f32_winograd_scalar
#define WG_ISA_NAME "scalar"
#define WG_SUPPORTED mbi_cpu_any

static inline vf vf_set1(float f) { return f; }
static inline vf vf_load(const float *p) { return *p; }
static inline void vf_store(float *p, vf v) { *p = v; }
static inline vf_tail vf_tail_mask(size_t rem) { return (int)rem; }
static inline vf vf_load_part(const float *p, vf_tail t) { return t ? *p : 0.0f; }
static inline void vf_store_part(float *p, vf_tail t, vf v)
{
    if (t)
        *p = v;
}
static inline vf vf_add(vf a, vf b) { return a + b; }
static inline vf vf_sub(vf a, vf b) { return a - b; }
static inline vf vf_mul(vf a, vf b) { return a * b; }
/* Not fmaf: without a hardware FMA that is a slow library call. */
static inline vf vf_fmadd(vf a, vf b, vf c) { return a * b + c; }
/* As the SIMD min/max: the second operand when either is NaN. */
static inline vf vf_min(vf a, vf b) { return a < b ? a : b; }
static inline vf vf_max(vf a, vf b) { return a > b ? a : b; }

#include "kernels/f32-winograd/f32_winograd_simd.h"
