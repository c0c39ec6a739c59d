/* Float32 Winograd convolution F(m x m, 3 x 3) on NHWC tensors, for dense
 * 3x3 convolutions of stride 1 and dilation 1: F(2,3) (tiles of 2x2 output
 * pixels read 4x4 input pixels: 16 products per tile and channel pair
 * instead of 36) and F(4,3) (4x4 outputs from 6x6 inputs: 36 instead of
 * 144, with larger rounding errors).
 *
 * With alpha = m + 2, a tile's convolution is Y = A^T [(G g G^T) . (B^T d B)] A,
 * and summed over input channels the elementwise product becomes, for each
 * of the alpha^2 positions p, a GEMM: M_p[tiles x Cout] = V_p[tiles x Cin]
 * * U_p[Cin x Cout]. So:
 *   - U = G g G^T is computed once per session and packed per position in
 *     the f32 GEMM family's layout (no bias);
 *   - the input transform (this family, per ISA) writes V_p for a block of
 *     tiles, reading each input pixel's Cin floats through a pointer (a zero
 *     buffer for pixels in the padding);
 *   - mbi_f32_gemm_compute runs the alpha^2 GEMMs of the block;
 *   - the output transform (per ISA) adds the bias, applies the in-register
 *     epilogue (a clamp, HardSigmoid or HardSwish), and writes the
 *     tile's pixels with the caller's row stride.
 *
 * Tiles are numbered (image, tile row, tile column) row-major; a block is
 * a range of consecutive tiles, small enough that its V and M stay in L2.
 * Nothing is read or written outside the buffers described; channel tails
 * use masks. */
#ifndef MBI_KERNELS_F32_WINOGRAD_H
#define MBI_KERNELS_F32_WINOGRAD_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "dispatch/kernels.h"
#include "kernels/epilogue.h"

/* Reads alpha^2 pointers in[i*alpha + j] (input pixel (i, j) of the tile's
 * window; c floats each) and writes v[p*ldv + k] = (B^T d B)[p] of channel
 * k for p < alpha^2, k < c. */
typedef void (*mbi_f32_winograd_input_fn)(size_t c, const float *const *in, float *v,
                                          size_t ldv);
/* Reads t[p*ldt + k] for p < alpha^2, k < n (a tile's GEMM results) and
 * writes out[i*m + j][k] = clamp((A^T t A)[i][j] + bias[k]) for the m x m
 * output pixels of the tile. Pointers of pixels outside the output may
 * all name one sink of n floats. */
typedef void (*mbi_f32_winograd_output_fn)(size_t n, const float *t, size_t ldt,
                                           const float *bias, float *const *out,
                                           const mbi_f32_minmax *mm);

typedef struct mbi_f32_winograd_transforms {
    mbi_f32_winograd_input_fn input;
    mbi_f32_winograd_output_fn output;
} mbi_f32_winograd_transforms;

typedef struct mbi_f32_winograd_kernel mbi_f32_winograd_kernel;

struct mbi_f32_winograd_kernel {
    const char *name; /* "scalar", "avx2", "avx512" */
    bool (*supported)(const mbi_cpu *cpu);
    mbi_f32_winograd_transforms f2; /* F(2,3) */
    mbi_f32_winograd_transforms f4; /* F(4,3) */
};

/* Best variant for this CPU (never NULL: scalar always available). */
const mbi_f32_winograd_kernel *mbi_f32_winograd_kernel_select(const mbi_cpu *cpu);

/* Every compiled variant, for tests and benchmarks. */
const mbi_f32_winograd_kernel *const *mbi_f32_winograd_kernel_variants(size_t *count);

/* The transforms of output tile size m (2 or 4). */
const mbi_f32_winograd_transforms *mbi_f32_winograd_transforms_of(
    const mbi_f32_winograd_kernel *kern, size_t m);

/* The geometry of one convolution: X [batch][in_h][in_w][c] (pixel stride c),
 * Y [batch][out_h][out_w] rows of ldc floats of which n are written. */
typedef struct mbi_winograd_conv {
    size_t m; /* output tile: 2 or 4 */
    size_t batch, in_h, in_w, c, n;
    size_t pad_top, pad_left;
    size_t out_h, out_w;
} mbi_winograd_conv;

/* Tiles per image row and column, and in all. */
size_t mbi_winograd_tiles_w(const mbi_winograd_conv *g);
size_t mbi_winograd_tiles_h(const mbi_winograd_conv *g);
size_t mbi_winograd_tiles(const mbi_winograd_conv *g);

/* Floats of the packed weights (alpha^2 GEMM packings of n x c, each a
 * multiple of 16 floats, so every one stays 64-byte aligned); SIZE_MAX
 * when that does not fit. */
size_t mbi_f32_winograd_packed_floats(const mbi_f32_gemm_kernel *gemm, size_t m, size_t n,
                                      size_t c);

/* Transforms W [n][c][3][3] (ONNX order) to U = G w G^T (in double,
 * rounded once) and packs it for gemm: position p's n x c matrix as
 * mbi_f32_gemm_pack would, with zero bias, at packed + p * (packed floats /
 * alpha^2). packed is 64-byte aligned. */
void mbi_f32_winograd_pack(const mbi_f32_gemm_kernel *gemm, size_t m, size_t n, size_t c,
                           const float *w, float *packed);

/* Floats of scratch one block of up to block_tiles tiles needs. */
size_t mbi_f32_winograd_scratch_floats(const mbi_winograd_conv *g, size_t block_tiles);

/* Computes output channels [n_begin, n_end) (n_begin a multiple of gemm->nr)
 * of tiles [first, first + tiles) of Y = clamp(conv(X) + bias) into y (Y's
 * first pixel, rows of ldc floats). zero holds g->c zeros (the padding);
 * bias holds g->n floats; scratch holds
 * mbi_f32_winograd_scratch_floats(g, tiles) floats, 64-byte aligned. */
void mbi_f32_winograd_compute(const mbi_f32_winograd_kernel *kern,
                              const mbi_f32_gemm_kernel *gemm, const mbi_winograd_conv *g,
                              size_t first, size_t tiles, size_t n_begin, size_t n_end,
                              const float *x, const float *zero, const float *packed,
                              const float *bias, float *y, size_t ldc,
                              const mbi_f32_minmax *mm, float *scratch);

#endif
