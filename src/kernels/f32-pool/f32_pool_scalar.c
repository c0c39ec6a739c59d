/* Pooling, Portable C: one channel at a time (the simd_scalar.h vocabulary), the fallback on every CPU.
 * The functions themselves are in f32_pool_rows.h. */
#include "kernels/f32-dwconv/simd_scalar.h"

#define POOL_ISA scalar
#include "kernels/f32-pool/f32_pool_rows.h"
