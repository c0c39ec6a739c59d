/* Float32 indirect GEMM for dense convolutions on NHWC tensors, without an
 * im2col copy: Y[M pixels x N channels] = clamp(A * W^T + bias) (clamp: the
 * in-register epilogue of mbi_f32_minmax, kernels/epilogue.h), where row
 * m of A is never built; instead, for each of the ks = kh*kw taps, an
 * indirection buffer gives a pointer to the kc = C contiguous input floats
 * that tap reads for pixel m (or to a zero buffer of kc floats when the tap
 * falls in the padding).
 *
 * Indirection layout, per tile of mr pixels (mr = kern->mr):
 *
 *   tile t: ks * mr pointers, tap-major: [tap 0: pixel 0..mr-1] [tap 1: ...]
 *
 * so the pointers of tile t start at indirection + t * ks * mr. Entries for
 * pixels past the last one (the last tile's tail) are never read.
 *
 * Weights are packed exactly as the f32 GEMM family packs them (see
 * f32_gemm.h) for k = ks * kc in (tap, channel) order, by any GEMM variant
 * whose nr equals this variant's nr: blocks of nr output channels, bias
 * first, 64-byte aligned. No variant reads an input row past its kc floats,
 * nor C outside the mr x nc tile it was given. */
#ifndef MBI_KERNELS_F32_IGEMM_H
#define MBI_KERNELS_F32_IGEMM_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "kernels/epilogue.h" /* mbi_f32_minmax */

/* Computes an mr x nc tile (mr <= kernel mr, nc <= kernel nr). a holds ks
 * groups of kernel-mr pointers (the tile's slice of the indirection buffer);
 * only the first mr of each group are read. prefetch, unless NULL, is where
 * weights the caller will need after this tile start: the kernel may
 * prefetch ks * kc cache lines (64 bytes) from there on, one per channel
 * step, so that they stream in from memory while this tile computes.
 * Prefetches never fault, so that range may run past any buffer. */
typedef void (*mbi_f32_igemm_ukernel_fn)(size_t mr, size_t nc, size_t kc, size_t ks,
                                         const float *const *a, const float *packed_block,
                                         const void *prefetch, float *c, size_t ldc,
                                         const mbi_f32_minmax *mm);

typedef struct mbi_f32_igemm_kernel {
    const char *name; /* e.g. "f32_igemm_12x32_avx512" */
    size_t mr, nr;
    bool (*supported)(const mbi_cpu *cpu);
    mbi_f32_igemm_ukernel_fn ukernel;
} mbi_f32_igemm_kernel;

/* Best variant for this CPU (never NULL: scalar always available). */
const mbi_f32_igemm_kernel *mbi_f32_igemm_kernel_select(const mbi_cpu *cpu);

/* Every compiled variant, for tests and benchmarks. */
const mbi_f32_igemm_kernel *const *mbi_f32_igemm_kernel_variants(size_t *count);

/* C[i][j] = clamp(sum over taps s and channels k of A_s[i][k] * W[j][s*kc+k] + bias[j]) for
 * i < m and n_begin <= j < n_end. n_begin must be a multiple of kern->nr; indirection points at
 * the first tile of the m pixels (so threads split M by whole tiles: offset indirection by
 * tiles * ks * mr and c by tiles * mr * ldc). Does any cache blocking itself. */
void mbi_f32_igemm_compute(const mbi_f32_igemm_kernel *kern, size_t m, size_t n_begin,
                           size_t n_end, size_t kc, size_t ks, const float *const *indirection,
                           const float *packed, float *c, size_t ldc, const mbi_f32_minmax *mm);

/* A 2-D convolution's geometry for building the indirection buffer. X is
 * [batch][in_h][in_w][pixel_stride floats], of which a tap reads the first
 * kc of its pixel. Output pixels are numbered (image, oy, ox) row-major. */
typedef struct mbi_igemm_conv2d {
    size_t batch, in_h, in_w, pixel_stride;
    size_t kh, kw, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
    size_t out_h, out_w;
} mbi_igemm_conv2d;

/* Pointers in the indirection buffer of a convolution for a kernel with
 * tile height mr: whole tiles covering every output pixel, ks = kh * kw per
 * pixel. SIZE_MAX when that does not fit a size_t. */
size_t mbi_f32_igemm_indirection_size(const mbi_igemm_conv2d *g, size_t mr);

/* Fills the indirection entries of tiles [first_tile, first_tile + tiles)
 * for input x into indirection (tiles * kh * kw * mr pointers, the first
 * tile's first): the whole buffer (first_tile 0, every tile), or one
 * task's share. Taps in the padding, and the last tile's missing pixels,
 * point to zero (kc zeros, kept by the caller). */
void mbi_f32_igemm_indirection_build(const mbi_igemm_conv2d *g, size_t mr, const float *x,
                                     const float *zero, size_t first_tile, size_t tiles,
                                     const float **indirection);

#endif
