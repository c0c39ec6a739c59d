/* The row functions behind the variants listed in f32_stemconv.c, each
 * with the mbi_f32_stemconv_row_fn contract for its vector width. The ISA
 * ones may only run on a CPU with that ISA. */
#ifndef MBI_KERNELS_F32_STEMCONV_VARIANTS_H
#define MBI_KERNELS_F32_STEMCONV_VARIANTS_H

#include "kernels/f32-stemconv/f32_stemconv.h"

#define MBI_F32_STEMCONV_ROW(name)                                                               \
    void name(const mbi_stemconv_shape *s, const float *x, const float *packed, float *y_row,   \
              size_t oy, const mbi_f32_minmax *mm)

MBI_F32_STEMCONV_ROW(mbi_f32_stemconv_row_1c_scalar);
MBI_F32_STEMCONV_ROW(mbi_f32_stemconv_row_8c_avx2);
MBI_F32_STEMCONV_ROW(mbi_f32_stemconv_row_16c_avx512);

#endif
