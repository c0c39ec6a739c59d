/* The row walkers behind the variants listed in f32_dwconv.c, each with the
 * mbi_f32_dwconv_rows_fn contract for its channel tile (8c: 8 channels per
 * packed block, 16c: 16). Callers guarantee oy_begin < oy_end <= out_h,
 * out_w > 0, channels > 0. The ISA ones may only run on a CPU with that ISA. */
#ifndef MBI_KERNELS_F32_DWCONV_VARIANTS_H
#define MBI_KERNELS_F32_DWCONV_VARIANTS_H

#include "kernels/f32-dwconv/f32_dwconv.h"

#define MBI_F32_DWCONV_ROWS(name)                                                                \
    void name(const mbi_dwconv_shape *s, const float *in, const float *packed, float *out,      \
              size_t oy_begin, size_t oy_end, const mbi_f32_minmax *mm)

MBI_F32_DWCONV_ROWS(mbi_f32_dwconv_rows_8c_scalar);
MBI_F32_DWCONV_ROWS(mbi_f32_dwconv_rows_8c_avx2);
MBI_F32_DWCONV_ROWS(mbi_f32_dwconv_rows_16c_avx512);

#endif
