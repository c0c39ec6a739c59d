/* Depthwise convolution, AVX-512: 16 channels per zmm, 3x3 and 5x5 filters in registers, masked channel tails.
 * The row walker itself is f32_dwconv_rows.h. */
#include "kernels/f32-dwconv/simd_avx512.h"

#define DWCONV_ROWS_NAME mbi_f32_dwconv_rows_16c_avx512
#include "kernels/f32-dwconv/f32_dwconv_rows.h"
