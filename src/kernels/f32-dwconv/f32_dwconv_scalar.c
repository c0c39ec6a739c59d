/* Portable depthwise convolution: the fallback on every CPU and the variant
 * the MOBINFER_FORCE_SCALAR build runs. It walks output pixels and, inside
 * each, blocks of 8 contiguous channels, so every load is sequential and the
 * 8-wide inner loops are left for the compiler to vectorize. Taps in the
 * padding are skipped, never read. */
#include "kernels/f32-dwconv/f32_dwconv_variants.h"
#include "kernels/f32-dwconv/kwindow.h"

enum { CT = 8 };

MBI_F32_DWCONV_ROWS(mbi_f32_dwconv_rows_8c_scalar)
{
    const size_t c = s->channels, kw = s->kw, taps = s->kh * s->kw;
    for (size_t oy = oy_begin; oy < oy_end; oy++) {
        const ptrdiff_t by = mbi_kwin_base(oy, s->stride_h, s->pad_top);
        size_t ky0, ky1;
        mbi_kwin_taps(by, s->dil_h, s->kh, s->in_h, &ky0, &ky1);
        for (size_t ox = 0; ox < s->out_w; ox++) {
            const ptrdiff_t bx = mbi_kwin_base(ox, s->stride_w, s->pad_left);
            size_t kx0, kx1;
            mbi_kwin_taps(bx, s->dil_w, kw, s->in_w, &kx0, &kx1);
            float *o = out + ((oy - s->out_row0) * s->out_w + ox) * c;
            for (size_t c0 = 0; c0 < c; c0 += CT) {
                const size_t nc = c - c0 < CT ? c - c0 : CT;
                const float *wb = packed + c0 * (taps + 1);
                float acc[CT];
                for (size_t j = 0; j < CT; j++)
                    acc[j] = wb[j];
                for (size_t ky = ky0; ky < ky1; ky++) {
                    const size_t iy = (size_t)(by + (ptrdiff_t)(ky * s->dil_h));
                    const float *row = mbi_dwconv_in_row(s, in, iy) + c0;
                    for (size_t kx = kx0; kx < kx1; kx++) {
                        const size_t ix = (size_t)(bx + (ptrdiff_t)(kx * s->dil_w));
                        const float *x = row + ix * c;
                        const float *wt = wb + CT * (1 + ky * kw + kx);
                        for (size_t j = 0; j < nc; j++)
                            acc[j] += wt[j] * x[j];
                    }
                }
                for (size_t j = 0; j < nc; j++)
                    o[c0 + j] = mbi_f32_minmax_apply(mm, acc[j]);
            }
        }
    }
}
