/* Portable 4x4 microkernel: the fallback on every CPU and the variant the
 * MOBINFER_FORCE_SCALAR build runs. Sixteen accumulators fit the registers of
 * most targets; short tiles compute only their mr x nc part. */
#include "kernels/f32-gemm/f32_gemm_ukernels.h"

enum { MR = 4, NR = 4 };

MBI_F32_GEMM_UKERNEL(mbi_f32_gemm_ukernel_4x4_scalar)
{
    (void)prefetch; /* left to the hardware prefetcher on portable targets */
    float acc[MR][NR];
    const float *w = packed_block;
    for (size_t i = 0; i < MR; i++)
        for (size_t j = 0; j < NR; j++)
            acc[i][j] = w[j];
    w += NR;
    /* Rows past mr reuse the last real row, so the loop stays branch-free
     * and never reads outside A; their sums are not stored. */
    const float *ap[MR];
    for (size_t i = 0; i < MR; i++)
        ap[i] = a + (i < mr ? i : mr - 1) * lda;
    for (size_t kk = 0; kk < k; kk++, w += NR) {
        /* One W row is read once per k and reused by every A row. */
        const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
        for (size_t i = 0; i < MR; i++) {
            const float av = ap[i][kk];
            acc[i][0] += av * w0;
            acc[i][1] += av * w1;
            acc[i][2] += av * w2;
            acc[i][3] += av * w3;
        }
    }
    for (size_t i = 0; i < mr; i++) {
        float *ci = c + i * ldc;
        for (size_t j = 0; j < nc; j++)
            ci[j] = mbi_f32_minmax_apply(mm, acc[i][j]);
    }
}
