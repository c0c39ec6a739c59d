/* Depthwise convolution, AVX2 + FMA: 8 channels per ymm, the 3x3 filter in registers.
 * The row walker itself is f32_dwconv_rows.h. */
#include "kernels/f32-dwconv/simd_avx2.h"

#define DWCONV_ROWS_NAME mbi_f32_dwconv_rows_8c_avx2
#include "kernels/f32-dwconv/f32_dwconv_rows.h"
