/* Stem convolution in portable C: the row walker of f32_stemconv_row.h
 * with one float per "vector" (kernels/f32-dwconv/simd_scalar.h). */
#include "kernels/f32-dwconv/simd_scalar.h"

#define STEMCONV_ROW_NAME mbi_f32_stemconv_row_1c_scalar
#define STEM_MAX_NB 4
#define STEM_PX_1 4
#define STEM_PX_2 3
#define STEM_PX_3 2
#define STEM_PX_4 2
#include "kernels/f32-stemconv/f32_stemconv_row.h"
