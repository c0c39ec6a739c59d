/* Sliding-window geometry shared by the convolution and pooling reference
 * kernels. Every kernel works on three spatial axes (D, H, W); operators
 * with fewer spatial axes put size-1 axes in front (kernel 1, stride 1,
 * dilation 1, no padding), which changes no result. */
#ifndef MBI_OPS_REF_WINDOW_REF_H
#define MBI_OPS_REF_WINDOW_REF_H

#include <stdint.h>

#define MBI_WINDOW_AXES 3

typedef struct mbi_window3d {
    int64_t in[MBI_WINDOW_AXES];        /* input spatial size                  */
    int64_t out[MBI_WINDOW_AXES];       /* output spatial size                 */
    int64_t kernel[MBI_WINDOW_AXES];
    int64_t stride[MBI_WINDOW_AXES];
    int64_t dilation[MBI_WINDOW_AXES];
    /* Forward windows (Conv, pools): window o covers input positions
     * o*stride - pad_begin + k*dilation. Transposed convolution: input i
     * adds into output i*stride - pad_begin + k*dilation. pad_end is the
     * padding declared after the input (pools count it with
     * count_include_pad; ceil_mode windows may reach past it). */
    int64_t pad_begin[MBI_WINDOW_AXES];
    int64_t pad_end[MBI_WINDOW_AXES];
} mbi_window3d;

static inline int64_t mbi_window_in_size(const mbi_window3d *g)
{
    return g->in[0] * g->in[1] * g->in[2];
}

static inline int64_t mbi_window_out_size(const mbi_window3d *g)
{
    return g->out[0] * g->out[1] * g->out[2];
}

static inline int64_t mbi_window_kernel_size(const mbi_window3d *g)
{
    return g->kernel[0] * g->kernel[1] * g->kernel[2];
}

/* The positions i in [0, count) for which i*stride + offset lies in
 * [0, bound), as the half-open range [*lo, *hi) (empty when *lo == *hi).
 * Lets inner loops run without per-element bounds checks. stride > 0. */
static inline void mbi_window_valid_range(int64_t count, int64_t bound, int64_t stride,
                                          int64_t offset, int64_t *lo, int64_t *hi)
{
    int64_t l = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    int64_t h = bound - 1 - offset < 0 ? 0 : (bound - 1 - offset) / stride + 1;
    if (h > count)
        h = count;
    if (l > h)
        l = h;
    *lo = l;
    *hi = h;
}

#endif
