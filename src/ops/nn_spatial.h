/* Attribute parsing and output-size rules shared by the convolution and
 * pooling operators (kernel_shape, strides, dilations, pads, auto_pad,
 * ceil_mode). */
#ifndef MBI_OPS_NN_SPATIAL_H
#define MBI_OPS_NN_SPATIAL_H

#include "ops/op.h"
#include "ops/ref/window_ref.h"

/* Attribute values beyond this are rejected, so that sizes computed from
 * them cannot overflow int64. */
#define MBI_SPATIAL_ATTR_MAX INT32_MAX

typedef enum mbi_auto_pad {
    MBI_AUTO_PAD_NOTSET,
    MBI_AUTO_PAD_SAME_UPPER,
    MBI_AUTO_PAD_SAME_LOWER,
    MBI_AUTO_PAD_VALID
} mbi_auto_pad;

typedef struct mbi_spatial_attrs {
    int n; /* spatial axes, 1..MBI_WINDOW_AXES */
    int64_t kernel[MBI_WINDOW_AXES];
    int64_t strides[MBI_WINDOW_AXES];
    int64_t dilations[MBI_WINDOW_AXES];
    int64_t pads[2 * MBI_WINDOW_AXES]; /* ONNX order: all begins, then all ends */
    mbi_auto_pad auto_pad;
} mbi_spatial_attrs;

/* Checks that input `index` is [N, C, D1, ..., Dn] with 1 <= n <=
 * MBI_WINDOW_AXES and sets *n. */
mobinfer_status mbi_spatial_check_input(mbi_op_ctx *ctx, int index, int *n);

/* Reads the attributes for n spatial axes. kernel_shape comes from the
 * attribute or, when absent, from w_kernel (the weight's spatial dims; NULL
 * for pools, which require the attribute); when both exist they must agree.
 * The dilations attribute is read only if with_dilations. */
mobinfer_status mbi_spatial_parse(mbi_op_ctx *ctx, int n, const int64_t *w_kernel,
                                  bool with_dilations, mbi_spatial_attrs *a);

/* Output geometry of a forward window (Conv, pools) over the spatial input
 * dims `in` (n of them): fills all of *g, with leading unused axes of size 1.
 * ceil_mode: pools' rounding up of the output size. */
mobinfer_status mbi_spatial_forward(mbi_op_ctx *ctx, const mbi_spatial_attrs *a,
                                    const int64_t *in, bool ceil_mode, mbi_window3d *g);

/* a * b, or UINT64_MAX on overflow (for byte and MAC counts). */
static inline uint64_t mbi_mul_sat(uint64_t a, uint64_t b)
{
    if (a != 0 && b > UINT64_MAX / a)
        return UINT64_MAX;
    return a * b;
}

#endif
