/* Stem convolution, AVX-512: 16 output channels per zmm, up to 4 zmm of
 * channels at once (6 pixels x 4 = 24 accumulators), masked channel tail.
 * The row walker itself is f32_stemconv_row.h. */
#include "kernels/f32-dwconv/simd_avx512.h"

#define STEMCONV_ROW_NAME mbi_f32_stemconv_row_16c_avx512
#define STEM_MAX_NB 4
#define STEM_PX_1 16
#define STEM_PX_2 8
#define STEM_PX_3 6
#define STEM_PX_4 6
#include "kernels/f32-stemconv/f32_stemconv_row.h"
