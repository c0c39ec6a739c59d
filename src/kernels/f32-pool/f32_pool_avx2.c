/* Pooling, AVX2: 8 channels per ymm, masked channel tails.
 * The functions themselves are in f32_pool_rows.h. */
#include "kernels/f32-dwconv/simd_avx2.h"

#define POOL_ISA avx2
#include "kernels/f32-pool/f32_pool_rows.h"
