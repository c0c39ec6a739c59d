/* Reference pooling kernels over `planes` independent [in0][in1][in2]
 * planes (planes = batch * channels). Window geometry: see window_ref.h;
 * taps that fall in padding are skipped. */
#ifndef MBI_OPS_REF_POOL_REF_H
#define MBI_OPS_REF_POOL_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/ref/window_ref.h"

/* y[plane][out...] = the largest x under the window (NaN inputs are never
 * chosen unless the window holds nothing else, in which case the result is
 * the type's lowest value). indices, if not NULL, receives for each output
 * the position of that maximum in the whole input x counted as
 * plane * in_size + spatial index; the spatial index is row-major
 * (storage_order 0) or column-major, the first spatial axis fastest
 * (storage_order 1). The first maximum in row-major window order wins. */
void mbi_ref_maxpool_f32(const float *x, float *y, int64_t *indices, int64_t planes,
                         const mbi_window3d *g, int storage_order);
void mbi_ref_maxpool_u8(const uint8_t *x, uint8_t *y, int64_t *indices, int64_t planes,
                        const mbi_window3d *g, int storage_order);
void mbi_ref_maxpool_i8(const int8_t *x, int8_t *y, int64_t *indices, int64_t planes,
                        const mbi_window3d *g, int storage_order);

/* y = mean of x under the window. The divisor counts the taps inside the
 * input, or with count_include_pad the taps inside the padded input
 * [-pad_begin, in + pad_end) (ceil_mode taps beyond pad_end never count). */
void mbi_ref_avgpool_f32(const float *x, float *y, int64_t planes, const mbi_window3d *g,
                         bool count_include_pad);

/* y = (sum of |x|^p under the window)^(1/p); padding contributes 0. */
void mbi_ref_lppool_f32(const float *x, float *y, int64_t planes, const mbi_window3d *g,
                        double p);

/* y[plane] = mean / max / p-norm of x[plane][0..size). */
void mbi_ref_global_avgpool_f32(const float *x, float *y, int64_t planes, int64_t size);
void mbi_ref_global_maxpool_f32(const float *x, float *y, int64_t planes, int64_t size);
void mbi_ref_global_lppool_f32(const float *x, float *y, int64_t planes, int64_t size, double p);

#endif
