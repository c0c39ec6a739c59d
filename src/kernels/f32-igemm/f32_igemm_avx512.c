/* AVX-512 indirect microkernels: per tap, fetch the tile's mr row
 * pointers, then the GEMM inner loop over the tap's kc channels: broadcast
 * one float per row, load NR packed floats of W as one or two zmm, one FMA
 * per (row, zmm). W is prefetched into L1 a little ahead of its loads, and
 * when the caller asks, one line of the weights it needs next is
 * prefetched into L2 per channel step (see mbi_f32_igemm_ukernel_fn).
 *
 * One inlined body (tile) is instantiated for every row count 1..MR and
 * every zmm count, so short tiles cost in proportion to their size. The
 * in-register epilogue (a clamp, or HardSigmoid / HardSwish: bodies of their
 * own, so the clamp-only ones are unchanged) is applied before the store and the
 * last partial zmm is stored masked:
 * nothing outside the mr x nc tile of C is touched, and each row pointer is
 * read on its kc floats only. */
#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernels/f32-igemm/f32_igemm_ukernels.h"

#define MAX_ROWS 12
#define MAX_VECS 2
/* How far ahead of its loads the kernel prefetches W (from L2) into L1: 8
 * channel steps of 128 bytes. Measured on ResNet-18's 3x3 layers: 512 bytes
 * equal, 4 KiB slower, none about 10% slower. */
#define PF_NEAR_BYTES 1024

static inline __attribute__((always_inline)) void tile(const size_t rows, const size_t vecs,
                                                       const size_t mr_max, const size_t nr,
                                                       const bool far,
                                                       const bool hard, size_t nc,
                                                       size_t kc,
                                                       size_t ks,
                                                       const float *const *a, const float *w,
                                                       uintptr_t pf, float *c, size_t ldc,
                                                       const mbi_f32_minmax *mm)
{
    /* Indexed by compile-time constants once inlined: kept in registers. */
    __m512 acc[MAX_ROWS][MAX_VECS];
#pragma GCC unroll 16
    for (size_t i = 0; i < rows; i++)
#pragma GCC unroll 2
        for (size_t v = 0; v < vecs; v++)
            acc[i][v] = _mm512_load_ps(w + 16 * v);
    w += nr;
    for (size_t s = 0; s < ks; s++, a += mr_max) {
        const float *ap[MAX_ROWS];
#pragma GCC unroll 16
        for (size_t i = 0; i < rows; i++)
            ap[i] = a[i];
        /* Unrolled twice: measured 3-4% faster on the 7x7 and 14x14 layers. */
#pragma GCC unroll 2
        for (size_t kk = 0; kk < kc; kk++) {
            __m512 b[MAX_VECS];
#pragma GCC unroll 2
            for (size_t v = 0; v < vecs; v++) {
                /* Integer addresses: the prefetches may pass the buffer. */
                _mm_prefetch((const char *)((uintptr_t)w + PF_NEAR_BYTES + 64 * v), _MM_HINT_T0);
                b[v] = _mm512_load_ps(w + 16 * v);
            }
            if (far) {
                _mm_prefetch((const char *)pf, _MM_HINT_T1);
                pf += 64;
            }
            w += nr;
#pragma GCC unroll 16
            for (size_t i = 0; i < rows; i++) {
                const __m512 av = _mm512_set1_ps(ap[i][kk]);
#pragma GCC unroll 2
                for (size_t v = 0; v < vecs; v++)
                    acc[i][v] = _mm512_fmadd_ps(av, b[v], acc[i][v]);
            }
        }
    }
    const __m512 vmin = _mm512_set1_ps(mm->min);
    const __m512 vmax = _mm512_set1_ps(mm->max);
    /* Unused by the clamp bodies; 28 of the 32 registers with the 24
     * accumulators. HardSwish multiplies by x under a mask of all lanes,
     * HardSigmoid of none (see f32_gemm_avx512.c). */
    const __m512 valpha = _mm512_set1_ps(mm->alpha);
    const __m512 vbeta = _mm512_set1_ps(mm->beta);
    const __mmask16 swish = mm->act == MBI_REG_HARD_SWISH ? 0xFFFF : 0;
    /* Full zmm first, then a mask for the rest; nc > 16 * (vecs - 1). */
    const __mmask16 last = (__mmask16)(0xFFFFu >> (16 * vecs - nc > 16 ? 16 : 16 * vecs - nc));
#pragma GCC unroll 16
    for (size_t i = 0; i < rows; i++) {
        float *ci = c + i * ldc;
#pragma GCC unroll 2
        for (size_t v = 0; v < vecs; v++) {
            /* min/max with the sum second: a NaN sum passes through. */
            const __m512 x = acc[i][v];
            __m512 y = hard ? _mm512_fmadd_ps(x, valpha, vbeta) : x;
            y = _mm512_min_ps(vmax, _mm512_max_ps(vmin, y));
            if (hard)
                y = _mm512_mask_mul_ps(y, swish, x, y);
            if (v + 1 < vecs)
                _mm512_storeu_ps(ci + 16 * v, y);
            else
                _mm512_mask_storeu_ps(ci + 16 * v, last, y);
        }
    }
}

/* r <= max_rows is rechecked inside so that rows above a variant's MR
 * never instantiate a body (they cannot be called). The far prefetch gets
 * its own bodies so that tiles without one pay nothing for it. */
#define TILE(r, max_rows, vecs, far)                                                               \
    tile((r) <= (max_rows) ? (r) : 1, vecs, max_rows, 32, far, hard, nc, kc, ks, a, packed_block,  \
         (uintptr_t)prefetch, c, ldc, mm)
#define ROWS_CASE(r, max_rows)                                                                     \
    case r:                                                                                        \
        if ((r) <= (max_rows)) {                                                                   \
            if (prefetch) {                                                                        \
                if (nc > 16)                                                                       \
                    TILE(r, max_rows, 2, true);                                                    \
                else                                                                               \
                    TILE(r, max_rows, 1, true);                                                    \
            } else if (nc > 16) {                                                                  \
                TILE(r, max_rows, 2, false);                                                       \
            } else {                                                                               \
                TILE(r, max_rows, 1, false);                                                       \
            }                                                                                      \
        }                                                                                          \
        break;

/* One function for the clamp, one for the hard activations (hard a
 * compile-time constant in each), so that the clamp bodies, alone in
 * theirs, keep the code they had before the hard activations joined (see
 * f32_gemm_avx512.c). */
#define DEFINE_ACT(name, act_name, hard_value, max_rows)                                           \
    static __attribute__((noinline)) void name##_##act_name(                                       \
        size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a,                         \
        const float *packed_block, const void *prefetch, float *c, size_t ldc,                     \
        const mbi_f32_minmax *mm)                                                                  \
    {                                                                                              \
        const bool hard = hard_value;                                                              \
        switch (mr) {                                                                              \
            ROWS_CASE(1, max_rows)                                                                 \
            ROWS_CASE(2, max_rows)                                                                 \
            ROWS_CASE(3, max_rows)                                                                 \
            ROWS_CASE(4, max_rows)                                                                 \
            ROWS_CASE(5, max_rows)                                                                 \
            ROWS_CASE(6, max_rows)                                                                 \
            ROWS_CASE(7, max_rows)                                                                 \
            ROWS_CASE(8, max_rows)                                                                 \
            ROWS_CASE(9, max_rows)                                                                 \
            ROWS_CASE(10, max_rows)                                                                \
            ROWS_CASE(11, max_rows)                                                                \
            ROWS_CASE(12, max_rows)                                                                \
        default:                                                                                   \
            break;                                                                                 \
        }                                                                                          \
    }
#define DEFINE_UKERNEL(name, max_rows)                                                             \
    DEFINE_ACT(name, clamp, false, max_rows)                                                       \
    DEFINE_ACT(name, hard, true, max_rows)                                                         \
    MBI_F32_IGEMM_UKERNEL(name)                                                                    \
    {                                                                                              \
        if (mm->act == MBI_REG_CLAMP)                                                              \
            name##_clamp(mr, nc, kc, ks, a, packed_block, prefetch, c, ldc, mm);                   \
        else                                                                                       \
            name##_hard(mr, nc, kc, ks, a, packed_block, prefetch, c, ldc, mm);                    \
    }

/* 12x32: 24 accumulators + 2 W + 1 broadcast of the 32 zmm registers, the
 * GEMM family's fastest shape; 6x32 is kept as the smaller-tile reference. */
DEFINE_UKERNEL(mbi_f32_igemm_ukernel_12x32_avx512, 12)
DEFINE_UKERNEL(mbi_f32_igemm_ukernel_6x32_avx512, 6)
