/* AVX-512 microkernels: broadcast one float of A per row, load NR packed
 * floats of W as one or two zmm, one FMA per (row, zmm) per k. Deep
 * blocks are prefetched into L1 a little ahead of their loads and, when the
 * caller asks, one line of what it needs next is prefetched into L2 per k
 * step (see mbi_f32_gemm_ukernel_fn).
 *
 * One inlined body (tile) is instantiated for every row count 1..MR and
 * every zmm count, so a short tile (the last rows of M, the last columns of
 * N) costs in proportion to its size instead of a whole MR x NR tile. The
 * in-register epilogue (a clamp, or HardSigmoid / HardSwish: bodies of their
 * own, so the clamp-only ones are unchanged) is applied before the store and
 * the last partial zmm is stored masked:
 * nothing outside the mr x nc tile of C is touched, and A is read only on
 * the mr rows x k columns given. */
#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernels/f32-gemm/f32_gemm_ukernels.h"

#define MAX_ROWS 12
#define MAX_VECS 2
/* W prefetched into L1 this far ahead of its loads (8 k steps of 128
 * bytes), as the igemm does, when a block is too large to stay in L1
 * between row tiles (k >= NEAR_MIN_K): measured 10-25% faster on 7x7 maps
 * with k = 320..960, 3% slower at k = 144..192 where the block stays in
 * L1. */
#define PF_NEAR_BYTES 1024
#define NEAR_MIN_K 256

static inline __attribute__((always_inline)) void tile(const size_t rows, const size_t vecs,
                                                       const size_t nr, const bool far,
                                                       const bool near,
                                                       const bool hard, size_t nc,
                                                       size_t k, const float *a, size_t lda,
                                                       const float *w, uintptr_t pf, float *c,
                                                       size_t ldc, const mbi_f32_minmax *mm)
{
    /* Fixed-size arrays indexed by compile-time constants only once
     * inlined: the compiler keeps them in registers. */
    __m512 acc[MAX_ROWS][MAX_VECS];
    const float *ap[MAX_ROWS];
#pragma GCC unroll 16
    for (size_t i = 0; i < rows; i++)
        ap[i] = a + i * lda;
#pragma GCC unroll 16
    for (size_t i = 0; i < rows; i++)
#pragma GCC unroll 2
        for (size_t v = 0; v < vecs; v++)
            acc[i][v] = _mm512_load_ps(w + 16 * v);
    w += nr;
    for (size_t kk = 0; kk < k; kk++) {
        __m512 b[MAX_VECS];
#pragma GCC unroll 2
        for (size_t v = 0; v < vecs; v++) {
            /* Integer addresses: the prefetches may pass the buffer. */
            if (near)
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
    const __m512 vmin = _mm512_set1_ps(mm->min);
    const __m512 vmax = _mm512_set1_ps(mm->max);
    /* Unused (and not loaded) by the clamp bodies. With the 24 accumulators
     * these make 28 of the 32 registers: the store needs one more. HardSigmoid
     * and HardSwish share their bodies: only HardSwish's multiply by x differs,
     * a mask register of all or no lanes (no more instructions, a third of
     * the code). */
    const __m512 valpha = _mm512_set1_ps(mm->alpha);
    const __m512 vbeta = _mm512_set1_ps(mm->beta);
    const __mmask16 swish = mm->act == MBI_REG_HARD_SWISH ? 0xFFFF : 0;
    /* Full columns first, then a mask for the rest; nc > 16 * (vecs - 1). */
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
 * never instantiate a body (they cannot be called). The prefetches get
 * their own bodies so that tiles without them pay nothing. The packed row
 * stride is 32 floats for every variant here. */
#define TILE(r, max_rows, vecs, far, near)                                                         \
    tile((r) <= (max_rows) ? (r) : 1, vecs, 32, far, near, hard, nc, k, a, lda, packed_block,      \
         (uintptr_t)prefetch, c, ldc, mm)
#define TILE_NEAR(r, max_rows, vecs, far)                                                          \
    do {                                                                                           \
        if (k >= NEAR_MIN_K)                                                                       \
            TILE(r, max_rows, vecs, far, true);                                                    \
        else                                                                                       \
            TILE(r, max_rows, vecs, far, false);                                                   \
    } while (0)
#define ROWS_CASE(r, max_rows, vecs_max)                                                           \
    case r:                                                                                        \
        if ((r) <= (max_rows)) {                                                                   \
            if (prefetch) {                                                                        \
                if ((vecs_max) == 2 && nc > 16)                                                    \
                    TILE_NEAR(r, max_rows, 2, true);                                               \
                else                                                                               \
                    TILE_NEAR(r, max_rows, 1, true);                                               \
            } else if ((vecs_max) == 2 && nc > 16) {                                               \
                TILE_NEAR(r, max_rows, 2, false);                                                  \
            } else {                                                                               \
                TILE_NEAR(r, max_rows, 1, false);                                                  \
            }                                                                                      \
        }                                                                                          \
        break;

/* One function for the clamp, one for the hard activations (hard a
 * compile-time constant in each), not one function holding both: the clamp
 * bodies, alone in theirs, keep the code they had before the hard
 * activations joined (one function for all measured 1-5% slower on
 * MobileNetV3's clamp-only GEMM layers, from code layout alone). */
#define DEFINE_ACT(name, act_name, hard_value, max_rows, vecs_max)                                 \
    static __attribute__((noinline)) void name##_##act_name(                                       \
        size_t mr, size_t nc, size_t k, const float *a, size_t lda, const float *packed_block,     \
        const void *prefetch, float *c, size_t ldc, const mbi_f32_minmax *mm)                      \
    {                                                                                              \
        const bool hard = hard_value;                                                              \
        switch (mr) {                                                                              \
            ROWS_CASE(1, max_rows, vecs_max) ROWS_CASE(2, max_rows, vecs_max)                      \
            ROWS_CASE(3, max_rows, vecs_max) ROWS_CASE(4, max_rows, vecs_max)                      \
            ROWS_CASE(5, max_rows, vecs_max) ROWS_CASE(6, max_rows, vecs_max)                      \
            ROWS_CASE(7, max_rows, vecs_max) ROWS_CASE(8, max_rows, vecs_max)                      \
            ROWS_CASE(9, max_rows, vecs_max) ROWS_CASE(10, max_rows, vecs_max)                     \
            ROWS_CASE(11, max_rows, vecs_max) ROWS_CASE(12, max_rows, vecs_max)                    \
        default:                                                                                   \
            break;                                                                                 \
        }                                                                                          \
    }
#define DEFINE_UKERNEL(name, max_rows, vecs_max)                                                   \
    DEFINE_ACT(name, clamp, false, max_rows, vecs_max)                                             \
    DEFINE_ACT(name, hard, true, max_rows, vecs_max)                                               \
    MBI_F32_GEMM_UKERNEL(name)                                                                     \
    {                                                                                              \
        if (mm->act == MBI_REG_CLAMP)                                                              \
            name##_clamp(mr, nc, k, a, lda, packed_block, prefetch, c, ldc, mm);                   \
        else                                                                                       \
            name##_hard(mr, nc, k, a, lda, packed_block, prefetch, c, ldc, mm);                    \
    }

/* 12x32: 24 accumulators + 2 W + 1 broadcast of the 32 zmm registers; per
 * k, 24 FMAs against 14 loads, so the FMA ports and not the load ports are
 * the limit. Measured fastest on mobilenet_v2's 1x1 shapes (8x32, 14x32 and
 * 14x16 were slower or equal). 6x32 is kept as the smaller-tile reference.
 *
 * A last block of at most 16 columns already runs one zmm per row (the
 * vecs = 1 bodies), wasting no FMA lane. Half-width kernels with more rows
 * for it (24x16, 28x16, reading 16 of each 32-float packed row) measured
 * no better: with A and W in L1, 24x16 gained 8% at k = 96, nothing at
 * k = 32 and lost 2% at k = 480 (28x16 lost everywhere); on the 112x112
 * N = 16 projections, where A streams from L3, 24 rows were 10% slower than
 * 12 (twice the lines missing at once). What limits nc <= 16 tiles is one
 * broadcast load per FMA, which no row count changes. */
DEFINE_UKERNEL(mbi_f32_gemm_ukernel_12x32_avx512, 12, 2)
DEFINE_UKERNEL(mbi_f32_gemm_ukernel_6x32_avx512, 6, 2)
