/* The microkernels behind the variants listed in f32_gemm.c. Each one has
 * the mbi_f32_gemm_ukernel_fn contract: an mr x nc tile with mr <= MR and
 * nc <= NR, whole k, bias from the block's first NR floats, the
 * in-register epilogue (clamp, HardSigmoid or HardSwish), store.
 * The ISA ones may only be called when the CPU has that ISA. */
#ifndef MBI_KERNELS_F32_GEMM_UKERNELS_H
#define MBI_KERNELS_F32_GEMM_UKERNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels/epilogue.h"

#define MBI_F32_GEMM_UKERNEL(name)                                                                 \
    void name(size_t mr, size_t nc, size_t k, const float *a, size_t lda, const float *packed_block, \
              const void *prefetch, float *c, size_t ldc, const mbi_f32_minmax *mm)

MBI_F32_GEMM_UKERNEL(mbi_f32_gemm_ukernel_4x4_scalar);
MBI_F32_GEMM_UKERNEL(mbi_f32_gemm_ukernel_6x16_avx2);
MBI_F32_GEMM_UKERNEL(mbi_f32_gemm_ukernel_6x32_avx512);
MBI_F32_GEMM_UKERNEL(mbi_f32_gemm_ukernel_12x32_avx512);

#endif
