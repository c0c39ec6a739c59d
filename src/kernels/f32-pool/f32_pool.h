/* Float32 pooling on one NHWC image (in[(y*W + x)*C + c]): k x k max and
 * average pooling with any strides, padding and dilation, and global
 * average pooling over all H*W pixels.
 *
 * Ceil mode is the caller's: it only makes out_h / out_w larger, and any
 * output size works (windows past the padded input read nothing there).
 * Taps outside the input are never read: max pooling ignores them, average
 * pooling divides by the taps inside the input, or with count_include_pad by
 * the taps inside the padded input [-pad_top, in_h + pad_bottom) x
 * [-pad_left, in_w + pad_right). A window with no tap gives -FLT_MAX (max)
 * or 0 (average), as the reference kernels (src/ops/ref/pool_ref.c) do, and
 * max pooling skips NaN inputs like them. No alignment is required; nothing
 * outside the input image or the requested output rows is touched. */
#ifndef MBI_KERNELS_F32_POOL_H
#define MBI_KERNELS_F32_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "dispatch/kernels.h" /* typedef mbi_f32_pool_kernel */

/* Output (oy, ox) pools input rows oy*stride_h - pad_top + i*dil_h (i < kh) and columns
 * ox*stride_w - pad_left + j*dil_w (j < kw). kh, kw, strides and dilations are >= 1;
 * pad_bottom and pad_right matter only to count_include_pad. */
typedef struct mbi_pool_shape {
    size_t in_h, in_w, channels, kh, kw, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left, pad_bottom,
        pad_right, out_h, out_w;
} mbi_pool_shape;

/* Rows [oy_begin, oy_end) of the output (oy_begin < oy_end <= out_h, out_w > 0, channels > 0);
 * `out` is the image's first output pixel. */
typedef void (*mbi_f32_maxpool_rows_fn)(const mbi_pool_shape *s, const float *in, float *out, size_t oy_begin,
                                        size_t oy_end);
typedef void (*mbi_f32_avgpool_rows_fn)(const mbi_pool_shape *s, bool count_include_pad, const float *in,
                                        float *out, size_t oy_begin, size_t oy_end);
/* out[c] = mean over p < hw of in[p*channels + c] (hw > 0, channels > 0). */
typedef void (*mbi_f32_global_avgpool_fn)(size_t hw, size_t channels, const float *in, float *out);

struct mbi_f32_pool_kernel {
    const char *name; /* e.g. "f32_pool_16c_avx512" */
    size_t channel_tile;
    bool (*supported)(const mbi_cpu *cpu);
    mbi_f32_maxpool_rows_fn max_rows;
    mbi_f32_avgpool_rows_fn avg_rows;
    mbi_f32_global_avgpool_fn global_avg;
};

/* Best variant for this CPU (never NULL: scalar always available). */
const mbi_f32_pool_kernel *mbi_f32_pool_kernel_select(const mbi_cpu *cpu);

/* Every compiled variant, best first, for tests and benchmarks. */
const mbi_f32_pool_kernel *const *mbi_f32_pool_kernel_variants(size_t *count);

/* Output rows [oy_begin, oy_end) of one image (threads may split the rows). */
void mbi_f32_maxpool_compute(const mbi_f32_pool_kernel *kern, const mbi_pool_shape *s, const float *in,
                             float *out, size_t oy_begin, size_t oy_end);
void mbi_f32_avgpool_compute(const mbi_f32_pool_kernel *kern, const mbi_pool_shape *s, bool count_include_pad,
                             const float *in, float *out, size_t oy_begin, size_t oy_end);

/* out[c] = (1/hw) * sum_{p < hw} in[p*channels + c] for c < channels; hw == 0 gives zeros. */
void mbi_f32_global_avgpool(const mbi_f32_pool_kernel *kern, size_t hw, size_t channels, const float *in,
                            float *out);

#endif
