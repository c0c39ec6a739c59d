/* Reference kernels of Resize/Upsample. The operator turns coordinate
 * transformation, rounding and interpolation mode into a per-axis sampling
 * plan; the kernels only apply it.
 *
 * Output position o on axis d reads the input positions
 * index[o*taps + t] (t < taps, already clamped into the axis) with weights
 * weight[o*taps + t]; a multi-axis output element is the sum over every
 * combination of taps of the product of their weights (separable N-linear /
 * N-cubic interpolation). When outside[o] is set on any axis the element is
 * the extrapolation value instead (tf_crop_and_resize). */
#ifndef MBI_OPS_REF_RESIZE_REF_H
#define MBI_OPS_REF_RESIZE_REF_H

#include <stddef.h>
#include <stdint.h>

typedef struct mbi_resize_axis {
    int taps;               /* 1 (nearest, or axis unchanged), 2 (linear), 4 (cubic) */
    const int64_t *index;   /* [out_dim * taps] */
    const float *weight;    /* [out_dim * taps]; unused when taps == 1 */
    const uint8_t *outside; /* [out_dim], or NULL */
} mbi_resize_axis;

/* Nearest sampling: every axis must have taps == 1. Moves elem_size-byte
 * elements, so any dtype works; `extrapolation` is one element. */
void mbi_ref_resize_nearest(size_t elem_size, int rank, const int64_t *in_dims,
                            const int64_t *out_dims, const mbi_resize_axis *axes,
                            const void *extrapolation, const void *in, void *out);

/* Weighted sampling of float32 data with any taps per axis. */
void mbi_ref_resize_f32(int rank, const int64_t *in_dims, const int64_t *out_dims,
                        const mbi_resize_axis *axes, float extrapolation, const float *in,
                        float *out);

#endif
