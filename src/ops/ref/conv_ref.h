/* Reference convolution and transposed convolution (float32, NC[D]HW).
 * Spatial layout and padding: see window_ref.h. */
#ifndef MBI_OPS_REF_CONV_REF_H
#define MBI_OPS_REF_CONV_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/ref/window_ref.h"

/* True when the convolution reads its input as is (1x1x1 kernel, stride 1,
 * no padding), so that no im2col buffer is needed. */
bool mbi_ref_conv_is_pointwise(const mbi_window3d *g);

/* col[channels][kernel0][kernel1][kernel2][out0*out1*out2] = the input
 * element under each kernel tap for each output position, 0 in padding.
 * x: [channels][in0][in1][in2]. */
void mbi_ref_im2col_f32(const float *x, int64_t channels, const mbi_window3d *g, float *col);

/* y[batch][m][out...] = sum over c, k of x[batch][c][...] * w[m][c][k...]
 * (+ bias[m]), with channels split into `group` groups:
 *   x: [batch][c][in0][in1][in2]
 *   w: [m][c/group][kernel0][kernel1][kernel2]
 *   bias: [m] or NULL
 *   y: [batch][m][out0][out1][out2]
 * scratch: (c/group) * kernel size * out size floats, unused (may be NULL)
 * when mbi_ref_conv_is_pointwise(g). group divides c and m. */
void mbi_ref_conv_f32(const float *x, const float *w, const float *bias, float *y, int64_t batch,
                      int64_t c, int64_t m, int64_t group, const mbi_window3d *g, float *scratch);

/* The transpose (gradient) of a convolution: every input element scatters
 * x * w into the outputs its kernel taps reach.
 *   x: [batch][c][in0][in1][in2]
 *   w: [c][m/group][kernel0][kernel1][kernel2]
 *   bias: [m] or NULL
 *   y: [batch][m][out0][out1][out2]
 * Input i, tap k adds to output i*stride - pad_begin + k*dilation when that
 * lies inside the output. group divides c and m. */
void mbi_ref_conv_transpose_f32(const float *x, const float *w, const float *bias, float *y,
                                int64_t batch, int64_t c, int64_t m, int64_t group,
                                const mbi_window3d *g);

#endif
