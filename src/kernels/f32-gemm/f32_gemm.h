/* Float32 GEMM for 1x1 convolutions, im2col'd dense convolutions and
 * Gemm/MatMul: C[M x N] = clamp(A[M x K] * W^T + bias), where clamp stands
 * for the in-register epilogue mbi_f32_minmax describes (a clamp, HardSigmoid
 * or HardSwish: kernels/epilogue.h).
 *
 * A is read in place (row m at a + m*lda, K contiguous floats); W is packed
 * once at session creation into blocks of nr output columns:
 *
 *   block b (columns b*nr .. b*nr+nr-1), nr*(k+1) floats:
 *     [bias(nr)] [W[.][0](nr)] [W[.][1](nr)] ... [W[.][k-1](nr)]
 *
 * Columns past n are zero, so a microkernel always reads whole blocks. The
 * packed buffer must be 64-byte aligned (SIMD variants use aligned loads;
 * every block then starts 64-byte aligned too, because nr*4 is a multiple of
 * 64 for those variants). A and C need only float alignment. No variant
 * reads A or C outside the mr x k / mr x nc tile it was given (software
 * prefetches, which never fault, may name lines past A and the packed
 * weights). */
#ifndef MBI_KERNELS_F32_GEMM_H
#define MBI_KERNELS_F32_GEMM_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "dispatch/kernels.h"   /* typedef mbi_f32_gemm_kernel */
#include "kernels/epilogue.h"   /* mbi_f32_minmax */

/* Computes an mr x nc tile (mr <= kernel mr, nc <= kernel nr) of C = clamp(A * packed + bias).
 * prefetch, unless NULL, is where data the caller needs after this tile (the next weights, or the
 * next rows of A) starts: the kernel may prefetch k cache lines (64 bytes) from there on into L2,
 * one per k step, so that they stream in from memory while this tile computes. Prefetches never fault, so that range may pass any
 * buffer; the SIMD variants also prefetch their own block a little ahead of its loads. */
typedef void (*mbi_f32_gemm_ukernel_fn)(size_t mr, size_t nc, size_t k, const float *a, size_t lda,
                                        const float *packed_block, const void *prefetch, float *c,
                                        size_t ldc, const mbi_f32_minmax *mm);

struct mbi_f32_gemm_kernel {
    const char *name;          /* e.g. "f32_gemm_6x32_avx512" */
    size_t mr, nr;
    bool (*supported)(const mbi_cpu *cpu);
    mbi_f32_gemm_ukernel_fn ukernel;
};

/* Best variant for this CPU (never NULL: scalar always available). */
const mbi_f32_gemm_kernel *mbi_f32_gemm_kernel_select(const mbi_cpu *cpu);

/* Every compiled variant, for tests and benchmarks. */
const mbi_f32_gemm_kernel *const *mbi_f32_gemm_kernel_variants(size_t *count);

/* Floats of the packed weights for n outputs and k inputs (blocks of nr columns, zero padded, bias first in each block). */
size_t mbi_f32_gemm_packed_floats(const mbi_f32_gemm_kernel *kern, size_t n, size_t k);

/* Packs W where element (row n, col k) is w[n*w_stride_n + k*w_stride_k] (conv weights [Co][K]: stride_n = K, stride_k = 1;
 * MatMul B[K][N]: stride_n = 1, stride_k = N). bias may be NULL (zeros). */
void mbi_f32_gemm_pack(const mbi_f32_gemm_kernel *kern, size_t n, size_t k, const float *w, size_t w_stride_n,
                       size_t w_stride_k, const float *bias, float *packed);

/* C[i][j] = clamp(sum_k A[i][k] * W[j][k] + bias[j]) for i < m and n_begin <= j < n_end; n_begin must be a
 * multiple of kern->nr (so threads can split N by blocks) and m rows of A/C start at a and c (split M by
 * offsetting a and c). Does any cache blocking itself. */
void mbi_f32_gemm_compute(const mbi_f32_gemm_kernel *kern, size_t m, size_t n_begin, size_t n_end, size_t k,
                          const float *a, size_t lda, const float *packed, float *c, size_t ldc,
                          const mbi_f32_minmax *mm);

/* The same, and brings extra_bytes from extra (another node's weights, read after this one: see
 * runtime/plan_prefetch.c) into L2 while it computes: k lines at a time, through the prefetch of
 * the microkernel calls that have nothing of their own to prefetch, so they arrive spread over the
 * GEMM. What those calls cannot cover is not prefetched. Changes no result. */
void mbi_f32_gemm_compute_prefetch(const mbi_f32_gemm_kernel *kern, size_t m, size_t n_begin,
                                   size_t n_end, size_t k, const float *a, size_t lda,
                                   const float *packed, float *c, size_t ldc,
                                   const mbi_f32_minmax *mm, const void *extra, size_t extra_bytes);

#endif
