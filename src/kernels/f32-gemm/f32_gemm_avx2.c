/* AVX2+FMA 6x16 microkernel: twelve ymm accumulators, two for the packed W
 * row and one broadcast of A fill fifteen of the sixteen registers. When
 * the caller asks, one line of what it needs next is prefetched into L2 per
 * k step (see mbi_f32_gemm_ukernel_fn).
 *
 * The body (tile) is instantiated for every row count 1..6, for one or two
 * ymm of columns and for each in-register epilogue (clamp, HardSigmoid,
 * HardSwish), so short tiles cost in proportion to their size and the
 * clamp-only bodies carry nothing of the others. The last partial ymm is
 * stored with vmaskmovps: nothing outside the mr x nc tile of C is touched,
 * and A is read only on the mr rows x k columns. */
#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernels/f32-gemm/f32_gemm_ukernels.h"

enum { MR = 6, NR = 16 };

static inline __attribute__((always_inline)) void tile(const size_t rows, const size_t vecs,
                                                       const bool far, const mbi_f32_reg_act act,
                                                       size_t nc, size_t k,
                                                       const float *a, size_t lda, const float *w,
                                                       uintptr_t pf, float *c, size_t ldc,
                                                       const mbi_f32_minmax *mm)
{
    __m256 acc[MR][2];
    const float *ap[MR];
#pragma GCC unroll 8
    for (size_t i = 0; i < rows; i++)
        ap[i] = a + i * lda;
#pragma GCC unroll 8
    for (size_t i = 0; i < rows; i++)
#pragma GCC unroll 2
        for (size_t v = 0; v < vecs; v++)
            acc[i][v] = _mm256_load_ps(w + 8 * v);
    w += NR;
    for (size_t kk = 0; kk < k; kk++) {
        __m256 b[2];
        if (far) {
            /* An integer address: the prefetch may pass the buffer. */
            _mm_prefetch((const char *)pf, _MM_HINT_T1);
            pf += 64;
        }
#pragma GCC unroll 2
        for (size_t v = 0; v < vecs; v++)
            b[v] = _mm256_load_ps(w + 8 * v);
        w += NR;
#pragma GCC unroll 8
        for (size_t i = 0; i < rows; i++) {
            const __m256 av = _mm256_broadcast_ss(ap[i] + kk);
#pragma GCC unroll 2
            for (size_t v = 0; v < vecs; v++)
                acc[i][v] = _mm256_fmadd_ps(av, b[v], acc[i][v]);
        }
    }
    const __m256 vmin = _mm256_set1_ps(mm->min);
    const __m256 vmax = _mm256_set1_ps(mm->max);
    /* Unused by the clamp bodies. With 12 accumulators, 16 registers still
     * hold these four and a temporary. */
    const __m256 valpha = _mm256_set1_ps(mm->alpha);
    const __m256 vbeta = _mm256_set1_ps(mm->beta);
    /* Lanes below the count of columns left in the last ymm (1..8). */
    const __m256i last = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(nc - 8 * (vecs - 1))),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const bool full = nc == 8 * vecs;
#pragma GCC unroll 8
    for (size_t i = 0; i < rows; i++) {
        float *ci = c + i * ldc;
#pragma GCC unroll 2
        for (size_t v = 0; v < vecs; v++) {
            /* min/max with the sum second: a NaN sum passes through. */
            const __m256 x = acc[i][v];
            __m256 y = act == MBI_REG_CLAMP ? x : _mm256_fmadd_ps(x, valpha, vbeta);
            y = _mm256_min_ps(vmax, _mm256_max_ps(vmin, y));
            if (act == MBI_REG_HARD_SWISH)
                y = _mm256_mul_ps(x, y);
            if (v + 1 < vecs || full)
                _mm256_storeu_ps(ci + 8 * v, y);
            else
                _mm256_maskstore_ps(ci + 8 * v, last, y);
        }
    }
}

/* The far prefetch gets its own bodies so that tiles without one pay
 * nothing for it. */
#define TILE(r, vecs, far)                                                                         \
    tile(r, vecs, far, act, nc, k, a, lda, packed_block, (uintptr_t)prefetch, c, ldc, mm)
#define ROWS_CASE(r)                                                           \
    case r:                                                                    \
        if (prefetch) {                                                        \
            if (nc > 8)                                                        \
                TILE(r, 2, true);                                              \
            else                                                               \
                TILE(r, 1, true);                                              \
        } else if (nc > 8) {                                                   \
            TILE(r, 2, false);                                                 \
        } else {                                                               \
            TILE(r, 1, false);                                                 \
        }                                                                      \
        break;

/* One function per epilogue kind (act a compile-time constant in each), so
 * that the clamp bodies, alone in theirs, keep the code they had before the
 * hard activations joined (see f32_gemm_avx512.c). */
#define DEFINE_ACT(act_name, act_value)                                                            \
    static __attribute__((noinline)) void act_name(                                                \
        size_t mr, size_t nc, size_t k, const float *a, size_t lda, const float *packed_block,     \
        const void *prefetch, float *c, size_t ldc, const mbi_f32_minmax *mm)                      \
    {                                                                                              \
        const mbi_f32_reg_act act = act_value;                                                     \
        switch (mr) {                                                                              \
            ROWS_CASE(1)                                                                           \
            ROWS_CASE(2)                                                                           \
            ROWS_CASE(3)                                                                           \
            ROWS_CASE(4)                                                                           \
            ROWS_CASE(5)                                                                           \
            ROWS_CASE(6)                                                                           \
        default:                                                                                   \
            break;                                                                                 \
        }                                                                                          \
    }

DEFINE_ACT(ukernel_clamp, MBI_REG_CLAMP)
DEFINE_ACT(ukernel_hard_sigmoid, MBI_REG_HARD_SIGMOID)
DEFINE_ACT(ukernel_hard_swish, MBI_REG_HARD_SWISH)

MBI_F32_GEMM_UKERNEL(mbi_f32_gemm_ukernel_6x16_avx2)
{
    if (mm->act == MBI_REG_CLAMP)
        ukernel_clamp(mr, nc, k, a, lda, packed_block, prefetch, c, ldc, mm);
    else if (mm->act == MBI_REG_HARD_SWISH)
        ukernel_hard_swish(mr, nc, k, a, lda, packed_block, prefetch, c, ldc, mm);
    else
        ukernel_hard_sigmoid(mr, nc, k, a, lda, packed_block, prefetch, c, ldc, mm);
}
