/* Pooling, AVX-512: 16 channels per zmm, masked channel tails.
 * The functions themselves are in f32_pool_rows.h. */
#include "kernels/f32-dwconv/simd_avx512.h"

#define POOL_ISA avx512
#include "kernels/f32-pool/f32_pool_rows.h"
