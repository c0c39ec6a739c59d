/* Reference normalization kernels (float32). Statistics are accumulated in
 * double. x and y may be the same buffer (each group of elements is read
 * completely before any of it is written), except for LRN. */
#ifndef MBI_OPS_REF_NORM_REF_H
#define MBI_OPS_REF_NORM_REF_H

#include <stdint.h>

/* Inference-mode batch normalization with per-channel running statistics:
 * y[b][ch][s] = (x[b][ch][s] - mean[ch]) / sqrt(var[ch] + eps) * scale[ch]
 *               + bias[ch]
 * x, y: [batch][channels][spatial]; scale, bias, mean, var: [channels]. */
void mbi_ref_batchnorm_f32(const float *x, float *y, int64_t batch, int64_t channels,
                           int64_t spatial, const float *scale, const float *bias,
                           const float *mean, const float *var, float eps);

/* Normalizes each [spatial] plane of x: [batch][channels][spatial] by its own
 * mean and variance, then applies scale[ch] and bias[ch]. */
void mbi_ref_instancenorm_f32(const float *x, float *y, int64_t batch, int64_t channels,
                              int64_t spatial, const float *scale, const float *bias, float eps);

/* Normalizes each [inner] row of x: [outer][inner] by its own mean and
 * variance, then y = normalized * scale[i] + bias[i] (bias may be NULL).
 * mean_out and inv_std_out ([outer], each may be NULL) receive the row mean
 * and 1 / sqrt(variance + eps). */
void mbi_ref_layernorm_f32(const float *x, float *y, int64_t outer, int64_t inner,
                           const float *scale, const float *bias, float eps, float *mean_out,
                           float *inv_std_out);

/* y = x / ||x||_p along the middle axis of x: [outer][len][inner], p 1 or 2.
 * A zero norm gives 0. */
void mbi_ref_lpnorm_f32(const float *x, float *y, int64_t outer, int64_t len, int64_t inner,
                        int p);

/* Local response normalization across channels (x and y must not overlap):
 * y[b][c][s] = x[b][c][s] / (bias + alpha / size * sum of x[b][j][s]^2 for
 *              j in [c - (size-1)/2, c + size/2] within the channels)^beta
 * (the bounds are floor((size-1)/2) and ceil((size-1)/2)). */
void mbi_ref_lrn_f32(const float *x, float *y, int64_t batch, int64_t channels, int64_t spatial,
                     int64_t size, float alpha, float beta, float bias);

#endif
