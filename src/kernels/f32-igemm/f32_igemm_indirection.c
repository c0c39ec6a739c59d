/* The indirection buffer of a 2-D convolution: for every output pixel and
 * tap, the address of the input pixel the tap reads. Built once per input
 * address (the arena keeps it fixed for a session), so the per-run cost of
 * im2col (copying kh*kw*C floats per pixel) becomes kh*kw pointer loads per
 * tile of pixels. */
#include <stdint.h>

#include "kernels/f32-igemm/f32_igemm.h"

size_t mbi_f32_igemm_indirection_size(const mbi_igemm_conv2d *g, size_t mr)
{
    size_t ks = g->kh * g->kw;
    if (g->kh && ks / g->kh != g->kw)
        return SIZE_MAX;
    size_t plane = g->out_h * g->out_w;
    if (g->out_h && plane / g->out_h != g->out_w)
        return SIZE_MAX;
    if (g->batch && plane > SIZE_MAX / g->batch)
        return SIZE_MAX;
    size_t pixels = plane * g->batch;
    size_t tiles = pixels / mr + (pixels % mr != 0);
    if (tiles && mr > SIZE_MAX / tiles)
        return SIZE_MAX;
    size_t rows = tiles * mr;
    if (rows && ks > SIZE_MAX / rows)
        return SIZE_MAX;
    return rows * ks;
}

void mbi_f32_igemm_indirection_build(const mbi_igemm_conv2d *g, size_t mr, const float *x,
                                     const float *zero, size_t first_tile, size_t tiles,
                                     const float **indirection)
{
    const size_t ks = g->kh * g->kw;
    const size_t pixels = g->batch * g->out_h * g->out_w;
    const size_t image = g->in_h * g->in_w * g->pixel_stride;
    const size_t first = first_tile * mr, end = first + tiles * mr;
    /* (n, oy, ox) of pixel p, advanced incrementally. */
    size_t n = first / (g->out_h * g->out_w), oy = first / g->out_w % g->out_h,
           ox = first % g->out_w;
    for (size_t p = first; p < end; p++) {
        const float **dst = indirection + (p - first) / mr * ks * mr + p % mr;
        if (p >= pixels) {
            for (size_t t = 0; t < ks; t++)
                dst[t * mr] = zero;
            continue;
        }
        const float *img = x + n * image;
        for (size_t ky = 0; ky < g->kh; ky++) {
            /* Unsigned wrap-around makes rows above the image compare
             * >= in_h too, so one test covers both sides. */
            size_t iy = oy * g->stride_h + ky * g->dil_h - g->pad_top;
            for (size_t kx = 0; kx < g->kw; kx++) {
                size_t ix = ox * g->stride_w + kx * g->dil_w - g->pad_left;
                bool inside = iy < g->in_h && ix < g->in_w;
                dst[(ky * g->kw + kx) * mr] =
                    inside ? img + (iy * g->in_w + ix) * g->pixel_stride : zero;
            }
        }
        if (++ox == g->out_w) {
            ox = 0;
            if (++oy == g->out_h) {
                oy = 0;
                n++;
            }
        }
    }
}
