/* Stem convolution, AVX2 + FMA: 8 output channels per ymm, up to 3 ymm of
 * channels at once within the 16 registers, masked channel tail. The row
 * walker itself is f32_stemconv_row.h. */
#include "kernels/f32-dwconv/simd_avx2.h"

#define STEMCONV_ROW_NAME mbi_f32_stemconv_row_8c_avx2
#define STEM_MAX_NB 3
#define STEM_PX_1 12
#define STEM_PX_2 6
#define STEM_PX_3 3
#include "kernels/f32-stemconv/f32_stemconv_row.h"
