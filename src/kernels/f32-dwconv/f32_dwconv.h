/* Float32 depthwise convolution on one NHWC image (in[(y*W + x)*C + c]),
 * with bias and the in-register epilogue fused (a clamp, HardSigmoid or
 * HardSwish: kernels/epilogue.h; "clamp" below): the k x k (any size, stride, dilation and
 * padding) per-channel filters of MobileNet-style networks.
 *
 * Weights are packed once at session creation into blocks of channel_tile
 * channels:
 *
 *   block b (channels b*ct .. b*ct+ct-1), ct*(kh*kw + 1) floats:
 *     [bias(ct)] [w[.][0][0](ct)] [w[.][0][1](ct)] ... [w[.][kh-1][kw-1](ct)]
 *
 * Channels past C are zero, so a kernel always reads whole blocks. No
 * alignment is required of any buffer (the SIMD variants use unaligned
 * loads, which cost nothing extra on aligned data). Nothing outside the
 * input image, the packed weights or the requested output rows is read or
 * written: channel tails use masked loads and stores, and padding taps are
 * skipped, never read. */
#ifndef MBI_KERNELS_F32_DWCONV_H
#define MBI_KERNELS_F32_DWCONV_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "dispatch/kernels.h"   /* typedef mbi_f32_dwconv_kernel */
#include "kernels/epilogue.h"   /* mbi_f32_minmax */

/* Output (oy, ox) reads input rows oy*stride_h - pad_top + i*dil_h and columns
 * ox*stride_w - pad_left + j*dil_w; taps outside [0, in_h) x [0, in_w) count as zero.
 * kh, kw, strides and dilations are >= 1; out_h and out_w are the caller's (any value works:
 * windows entirely in the padding give clamp(bias)).
 *
 * in_rows: NULL, or where each input row lies: row iy (in_w pixels of `channels` floats) starts
 * at in_rows[iy] instead of in + iy*in_w*channels, and `in` is not read. Only the entries of the
 * rows the requested output rows read must be valid (rows iy = oy*stride_h - pad_top + i*dil_h
 * inside [0, in_h)): a fused block keeps a few expanded rows in a ring buffer and points at them. */
typedef struct mbi_dwconv_shape {
    size_t in_h, in_w, channels, kh, kw, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left, out_h, out_w;
    const float *const *in_rows;
    /* Output row oy is written at out + (oy - out_row0)*out_w*channels (out_row0 <= the first row
     * computed): 0 for a whole image, or the first row of a band buffer holding only some rows. */
    size_t out_row0;
} mbi_dwconv_shape;

/* The first float of input row iy (0 <= iy < in_h) under shape s. */
static inline const float *mbi_dwconv_in_row(const mbi_dwconv_shape *s, const float *in, size_t iy)
{
    return s->in_rows ? s->in_rows[iy] : in + iy * s->in_w * s->channels;
}

/* Rows [oy_begin, oy_end) of the output; `out` is the image's first output pixel. */
typedef void (*mbi_f32_dwconv_rows_fn)(const mbi_dwconv_shape *s, const float *in, const float *packed,
                                       float *out, size_t oy_begin, size_t oy_end, const mbi_f32_minmax *mm);

struct mbi_f32_dwconv_kernel {
    const char *name;          /* e.g. "f32_dwconv_16c_avx512" */
    size_t channel_tile;
    bool (*supported)(const mbi_cpu *cpu);
    mbi_f32_dwconv_rows_fn rows;
};

/* Best variant for this CPU (never NULL: scalar always available). */
const mbi_f32_dwconv_kernel *mbi_f32_dwconv_kernel_select(const mbi_cpu *cpu);

/* Every compiled variant, best first, for tests and benchmarks. */
const mbi_f32_dwconv_kernel *const *mbi_f32_dwconv_kernel_variants(size_t *count);

/* Floats of the packed weights (whole blocks of channel_tile, bias first in each). */
size_t mbi_f32_dwconv_packed_floats(const mbi_f32_dwconv_kernel *kern, size_t channels, size_t kh, size_t kw);

/* w: ONNX depthwise weights [C][1][kh][kw]; bias [C] or NULL (zeros). */
void mbi_f32_dwconv_pack(const mbi_f32_dwconv_kernel *kern, size_t channels, size_t kh, size_t kw,
                         const float *w, const float *bias, float *packed);

/* Computes output rows [oy_begin, oy_end) of one image:
 *   out[((oy - out_row0)*out_w + ox)*C + c] =
 *       clamp(bias[c] + sum_{i,j} w[c][i][j] * in[(iy*in_w + ix)*C + c])
 * with iy = oy*stride_h - pad_top + i*dil_h, ix = ox*stride_w - pad_left + j*dil_w, zero outside
 * the input (input rows through s->in_rows when set; `in` may then be NULL). Does nothing when
 * oy_begin < out_row0. Threads may split the rows; no allocation. */
void mbi_f32_dwconv_compute(const mbi_f32_dwconv_kernel *kern, const mbi_dwconv_shape *s, const float *in,
                            const float *packed, float *out, size_t oy_begin, size_t oy_end,
                            const mbi_f32_minmax *mm);

#endif
