/* Float32 dense convolution of a network's first layer: few input channels
 * (the 1-4 of an image) read straight from an NCHW image, NHWC output.
 *
 * The generic convolution path wants channels-last input, so a stem would
 * first transpose the image and then run an indirect GEMM whose depth is
 * only kh * kw * C (27 for a 3x3 RGB stem): the transpose is a slow strided
 * copy and the GEMM's tiles are short. Here the vector runs over output
 * channels (one packed weight vector per tap, shared by a block of output
 * pixels), and each input float is broadcast from where it lies in its
 * plane, so no copy of the input is made.
 *
 * Packed weights: (1 + C * kh * kw) rows of mpad = M rounded up to the
 * variant's nr floats: the bias (zeros without one), then one row per tap in
 * (channel, ky, kx) order; padding columns are zero. 64-byte aligned. */
#ifndef MBI_KERNELS_F32_STEMCONV_H
#define MBI_KERNELS_F32_STEMCONV_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "kernels/epilogue.h" /* mbi_f32_minmax */

/* One image's geometry. The input is [c][in_h][in_w]; output pixel (oy, ox)
 * is m floats at y + (oy * out_w + ox) * ldc. Window o covers input
 * positions o * stride - pad + k * dilation (the reference's rule); out_h
 * and out_w are the caller's (any ceil or pad_end rule). */
typedef struct mbi_stemconv_shape {
    size_t c, m, ldc;
    size_t in_h, in_w;
    size_t kh, kw, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
    size_t out_h, out_w;
} mbi_stemconv_shape;

/* Output row oy (all out_w pixels, all m channels, clamped to mm) into
 * y_row. Reads only the taps inside the image; writes only the m channels
 * of each pixel (a pixel may be written twice, with the same value). */
typedef void (*mbi_f32_stemconv_row_fn)(const mbi_stemconv_shape *s, const float *x,
                                        const float *packed, float *y_row, size_t oy,
                                        const mbi_f32_minmax *mm);

typedef struct mbi_f32_stemconv_kernel {
    const char *name; /* e.g. "f32_stemconv_16c_avx512" */
    size_t nr;        /* output channels per vector: the packing's column multiple */
    bool (*supported)(const mbi_cpu *cpu);
    mbi_f32_stemconv_row_fn row;
} mbi_f32_stemconv_kernel;

/* Best variant for this CPU (never NULL: scalar always available). */
const mbi_f32_stemconv_kernel *mbi_f32_stemconv_kernel_select(const mbi_cpu *cpu);

/* Every compiled variant, for tests and benchmarks. */
const mbi_f32_stemconv_kernel *const *mbi_f32_stemconv_kernel_variants(size_t *count);

/* Floats of packed weights (callers check that c * kh * kw * m fits). */
size_t mbi_f32_stemconv_packed_floats(const mbi_f32_stemconv_kernel *kern, size_t c, size_t m,
                                      size_t kh, size_t kw);

/* w in ONNX order [m][c][kh][kw]; bias [m] or NULL. */
void mbi_f32_stemconv_pack(const mbi_f32_stemconv_kernel *kern, size_t c, size_t m, size_t kh,
                           size_t kw, const float *w, const float *bias, float *packed);

/* Output rows [oy_begin, oy_end) of one image: x is its [c][in_h][in_w]
 * input, y its output's first pixel. */
void mbi_f32_stemconv_compute(const mbi_f32_stemconv_kernel *kern, const mbi_stemconv_shape *s,
                              const float *x, const float *packed, float *y, size_t oy_begin,
                              size_t oy_end, const mbi_f32_minmax *mm);

#endif
