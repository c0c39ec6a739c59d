#include "ops/ref/conv_ref.h"

#include "ops/ref/gemm_ref.h"

bool mbi_ref_conv_is_pointwise(const mbi_window3d *g)
{
    for (int a = 0; a < MBI_WINDOW_AXES; a++)
        if (g->kernel[a] != 1 || g->stride[a] != 1 || g->pad_begin[a] != 0 ||
            g->out[a] != g->in[a])
            return false;
    return true;
}

void mbi_ref_im2col_f32(const float *x, int64_t channels, const mbi_window3d *g, float *col)
{
    const int64_t out_size = mbi_window_out_size(g);
    float *row = col;
    for (int64_t c = 0; c < channels; c++) {
        const float *xc = x + c * mbi_window_in_size(g);
        for (int64_t k0 = 0; k0 < g->kernel[0]; k0++)
            for (int64_t k1 = 0; k1 < g->kernel[1]; k1++)
                for (int64_t k2 = 0; k2 < g->kernel[2]; k2++, row += out_size) {
                    int64_t off2 = k2 * g->dilation[2] - g->pad_begin[2];
                    int64_t lo, hi;
                    mbi_window_valid_range(g->out[2], g->in[2], g->stride[2], off2, &lo, &hi);
                    for (int64_t o0 = 0; o0 < g->out[0]; o0++) {
                        int64_t i0 = o0 * g->stride[0] - g->pad_begin[0] + k0 * g->dilation[0];
                        for (int64_t o1 = 0; o1 < g->out[1]; o1++) {
                            int64_t i1 =
                                o1 * g->stride[1] - g->pad_begin[1] + k1 * g->dilation[1];
                            float *dst = row + (o0 * g->out[1] + o1) * g->out[2];
                            if (i0 < 0 || i0 >= g->in[0] || i1 < 0 || i1 >= g->in[1]) {
                                for (int64_t o2 = 0; o2 < g->out[2]; o2++)
                                    dst[o2] = 0.0f;
                                continue;
                            }
                            const float *src = xc + (i0 * g->in[1] + i1) * g->in[2];
                            for (int64_t o2 = 0; o2 < lo; o2++)
                                dst[o2] = 0.0f;
                            for (int64_t o2 = lo; o2 < hi; o2++)
                                dst[o2] = src[o2 * g->stride[2] + off2];
                            for (int64_t o2 = hi; o2 < g->out[2]; o2++)
                                dst[o2] = 0.0f;
                        }
                    }
                }
    }
}

void mbi_ref_conv_f32(const float *x, const float *w, const float *bias, float *y, int64_t batch,
                      int64_t c, int64_t m, int64_t group, const mbi_window3d *g, float *scratch)
{
    const int64_t cg = c / group, mg = m / group;
    const int64_t in_size = mbi_window_in_size(g), out_size = mbi_window_out_size(g);
    const int64_t kdim = cg * mbi_window_kernel_size(g); /* GEMM depth */
    const bool pointwise = mbi_ref_conv_is_pointwise(g);
    for (int64_t b = 0; b < batch; b++)
        for (int64_t grp = 0; grp < group; grp++) {
            const float *xg = x + (b * c + grp * cg) * in_size;
            const float *col = xg;
            if (!pointwise) {
                mbi_ref_im2col_f32(xg, cg, g, scratch);
                col = scratch;
            }
            float *yg = y + (b * m + grp * mg) * out_size;
            /* y_g[mg][out] = w_g[mg][kdim] * col[kdim][out] */
            mbi_ref_gemm_f32(mg, out_size, kdim, 1.0f, w + grp * mg * kdim, kdim, false, col,
                             out_size, false, yg, out_size);
            if (bias)
                for (int64_t j = 0; j < mg; j++) {
                    float bv = bias[grp * mg + j];
                    float *yr = yg + j * out_size;
                    for (int64_t p = 0; p < out_size; p++)
                        yr[p] += bv;
                }
        }
}

void mbi_ref_conv_transpose_f32(const float *x, const float *w, const float *bias, float *y,
                                int64_t batch, int64_t c, int64_t m, int64_t group,
                                const mbi_window3d *g)
{
    const int64_t cg = c / group, mg = m / group;
    const int64_t in_size = mbi_window_in_size(g), out_size = mbi_window_out_size(g);
    const int64_t ksize = mbi_window_kernel_size(g);
    for (int64_t b = 0; b < batch; b++)
        for (int64_t j = 0; j < m; j++) {
            float *yp = y + (b * m + j) * out_size;
            float bv = bias ? bias[j] : 0.0f;
            for (int64_t p = 0; p < out_size; p++)
                yp[p] = bv;
        }
    for (int64_t b = 0; b < batch; b++)
        for (int64_t grp = 0; grp < group; grp++)
            for (int64_t ci = 0; ci < cg; ci++) {
                const float *xp = x + (b * c + grp * cg + ci) * in_size;
                for (int64_t mo = 0; mo < mg; mo++) {
                    float *yp = y + (b * m + grp * mg + mo) * out_size;
                    const float *wp = w + ((grp * cg + ci) * mg + mo) * ksize;
                    for (int64_t k0 = 0; k0 < g->kernel[0]; k0++)
                        for (int64_t k1 = 0; k1 < g->kernel[1]; k1++)
                            for (int64_t k2 = 0; k2 < g->kernel[2]; k2++) {
                                float wv = wp[(k0 * g->kernel[1] + k1) * g->kernel[2] + k2];
                                int64_t off2 = k2 * g->dilation[2] - g->pad_begin[2];
                                int64_t lo, hi;
                                mbi_window_valid_range(g->in[2], g->out[2], g->stride[2], off2,
                                                       &lo, &hi);
                                for (int64_t i0 = 0; i0 < g->in[0]; i0++) {
                                    int64_t o0 = i0 * g->stride[0] - g->pad_begin[0] +
                                                 k0 * g->dilation[0];
                                    if (o0 < 0 || o0 >= g->out[0])
                                        continue;
                                    for (int64_t i1 = 0; i1 < g->in[1]; i1++) {
                                        int64_t o1 = i1 * g->stride[1] - g->pad_begin[1] +
                                                     k1 * g->dilation[1];
                                        if (o1 < 0 || o1 >= g->out[1])
                                            continue;
                                        const float *xr = xp + (i0 * g->in[1] + i1) * g->in[2];
                                        float *yr = yp + (o0 * g->out[1] + o1) * g->out[2];
                                        for (int64_t i2 = lo; i2 < hi; i2++)
                                            yr[i2 * g->stride[2] + off2] += wv * xr[i2];
                                    }
                                }
                            }
                }
            }
}
