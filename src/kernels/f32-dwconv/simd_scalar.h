/* The vector vocabulary of simd_avx2.h / simd_avx512.h for portable C:
 * one float per "vector", so the row walkers written in it compile to plain
 * scalar loops (a tail never happens: every channel count is a multiple
 * of 1). Used by the scalar pooling variant. */
#ifndef MBI_KERNELS_SIMD_SCALAR_H
#define MBI_KERNELS_SIMD_SCALAR_H

#include <stddef.h>

#define VW 1
#define VREGS 16

typedef float vf;
typedef int vmask;

static inline vmask v_mask(size_t n)
{
    return (vmask)n;
}

static inline vf v_load(const float *p)
{
    return *p;
}

static inline vf v_load_m(const float *p, vmask m)
{
    return m ? *p : 0.0f;
}

static inline void v_store(float *p, vf v)
{
    *p = v;
}

static inline void v_store_m(float *p, vmask m, vf v)
{
    if (m)
        *p = v;
}

static inline vf v_fma(vf a, vf b, vf c)
{
    return a * b + c;
}

static inline vf v_add(vf a, vf b)
{
    return a + b;
}

static inline vf v_mul(vf a, vf b)
{
    return a * b;
}

/* b where either is NaN, like x86 maxps: max(x, acc) skips a NaN x. */
static inline vf v_max(vf a, vf b)
{
    return a > b ? a : b;
}

static inline vf v_min(vf a, vf b)
{
    return a < b ? a : b;
}

static inline vf v_set1(float x)
{
    return x;
}

#endif
