/* The tile pass of the fused epilogue (kernels/epilogue.h): what a GEMM or
 * convolution microkernel cannot do in registers, done on the stored tile
 * while it is still in L1. */
#ifndef MBI_KERNELS_F32_EPILOGUE_H
#define MBI_KERNELS_F32_EPILOGUE_H

#include <stddef.h>

#include "dispatch/kernels.h"
#include "kernels/epilogue.h"

/* After a microkernel stored a tile c (rows x cols, row stride ldc) holding acc+bias (clamped by the
 * microkernel only when mbi_epilogue_split returned false): applies ep->act, then adds residual
 * (rows x cols, row stride ldr; only if ep->residual), then ep->post. residual may alias c only if
 * it is exactly c (same rows, same stride). */
void mbi_f32_epilogue_tile(mbi_f32_act_fn act, const mbi_epilogue *ep, float *c, size_t rows, size_t cols,
                           size_t ldc, const float *residual, size_t ldr);

#endif
