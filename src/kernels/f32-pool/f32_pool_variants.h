/* The pooling functions behind the variants listed in f32_pool.c; an
 * f32_pool_<isa>.c defines one set by including f32_pool_rows.h. The ISA
 * ones may only run on a CPU with that ISA. */
#ifndef MBI_KERNELS_F32_POOL_VARIANTS_H
#define MBI_KERNELS_F32_POOL_VARIANTS_H

#include "kernels/f32-pool/f32_pool.h"

#define MBI_F32_POOL_DECLARE(isa)                                                                        \
    void mbi_f32_maxpool_rows_##isa(const mbi_pool_shape *s, const float *in, float *out, size_t oy_begin, \
                                    size_t oy_end);                                                       \
    void mbi_f32_avgpool_rows_##isa(const mbi_pool_shape *s, bool count_include_pad, const float *in,     \
                                    float *out, size_t oy_begin, size_t oy_end);                          \
    void mbi_f32_global_avgpool_##isa(size_t hw, size_t channels, const float *in, float *out);

MBI_F32_POOL_DECLARE(scalar)
MBI_F32_POOL_DECLARE(avx2)
MBI_F32_POOL_DECLARE(avx512)

#endif
