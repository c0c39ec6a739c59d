/* The pooling functions, written once in the vector vocabulary of
 * kernels/f32-dwconv/simd_<isa>.h and instantiated by f32_pool_<isa>.c,
 * which includes its simd header and defines POOL_ISA first.
 *
 * Loop order: output pixel, then channel block, then the window's taps, so
 * every load is a contiguous run of channels and each window's lines are
 * reused across its blocks while still in L1. Per pixel, the taps inside the
 * input are found once ([ky0, ky1) x [kx0, kx1)) and only those are read.
 * The last block of a channel count that is not a multiple of VW uses masked
 * loads and stores. */
#ifndef MBI_KERNELS_F32_POOL_ROWS_H
#define MBI_KERNELS_F32_POOL_ROWS_H

#include <float.h>
#include <stdbool.h>

#include "kernels/f32-dwconv/kwindow.h"
#include "kernels/f32-pool/f32_pool_variants.h"

#define POOL_INLINE static inline __attribute__((always_inline))
#define POOL_CAT_(a, b) a##b
#define POOL_CAT(a, b) POOL_CAT_(a, b)
#define POOL_NAME(prefix) POOL_CAT(prefix, POOL_ISA)

/* Pixels summed before their partial sum joins the total (global average): keeps the float
 * rounding error near that of a pairwise sum. */
#define POOL_CHUNK 256

typedef struct pool_window {
    ptrdiff_t by, bx;
    size_t ky0, ky1, kx0, kx1;
} pool_window;

/* Max (NaN inputs skipped: v_max returns its second operand then) or sum of one window. */
POOL_INLINE vf pool_reduce(const bool is_max, const bool masked, vmask m, const mbi_pool_shape *s,
                           const float *in_c, const pool_window *w)
{
    const size_t c = s->channels;
    vf acc = v_set1(is_max ? -FLT_MAX : 0.0f);
    for (size_t ky = w->ky0; ky < w->ky1; ky++) {
        const float *row = in_c + (size_t)(w->by + (ptrdiff_t)(ky * s->dil_h)) * s->in_w * c;
        for (size_t kx = w->kx0; kx < w->kx1; kx++) {
            const float *x = row + (size_t)(w->bx + (ptrdiff_t)(kx * s->dil_w)) * c;
            const vf v = masked ? v_load_m(x, m) : v_load(x);
            acc = is_max ? v_max(v, acc) : v_add(acc, v);
        }
    }
    return acc;
}

POOL_INLINE void pool_rows(const bool is_max, const mbi_pool_shape *s, bool count_include_pad,
                           const float *in, float *out, size_t oy_begin, size_t oy_end)
{
    const size_t c = s->channels, c_full = c - c % VW;
    const vmask tail = v_mask(c % VW ? c % VW : VW);
    const size_t padded_h = s->in_h + s->pad_top + s->pad_bottom;
    const size_t padded_w = s->in_w + s->pad_left + s->pad_right;
    for (size_t oy = oy_begin; oy < oy_end; oy++) {
        pool_window w;
        w.by = mbi_kwin_base(oy, s->stride_h, s->pad_top);
        mbi_kwin_taps(w.by, s->dil_h, s->kh, s->in_h, &w.ky0, &w.ky1);
        size_t rows_padded = w.ky1 - w.ky0, p0, p1;
        if (count_include_pad) {
            /* The same window in the coordinates of the padded input. */
            mbi_kwin_taps(w.by + (ptrdiff_t)s->pad_top, s->dil_h, s->kh, padded_h, &p0, &p1);
            rows_padded = p1 - p0;
        }
        for (size_t ox = 0; ox < s->out_w; ox++) {
            w.bx = mbi_kwin_base(ox, s->stride_w, s->pad_left);
            mbi_kwin_taps(w.bx, s->dil_w, s->kw, s->in_w, &w.kx0, &w.kx1);
            size_t cols_padded = w.kx1 - w.kx0;
            if (count_include_pad) {
                mbi_kwin_taps(w.bx + (ptrdiff_t)s->pad_left, s->dil_w, s->kw, padded_w, &p0, &p1);
                cols_padded = p1 - p0;
            }
            const size_t count = rows_padded * cols_padded;
            const vf scale = v_set1(count ? 1.0f / (float)count : 0.0f);
            float *o = out + (oy * s->out_w + ox) * c;
            for (size_t c0 = 0; c0 < c_full; c0 += VW) {
                vf acc = pool_reduce(is_max, false, tail, s, in + c0, &w);
                v_store(o + c0, is_max ? acc : v_mul(acc, scale));
            }
            if (c_full < c) {
                vf acc = pool_reduce(is_max, true, tail, s, in + c_full, &w);
                v_store_m(o + c_full, tail, is_max ? acc : v_mul(acc, scale));
            }
        }
    }
}

void POOL_NAME(mbi_f32_maxpool_rows_)(const mbi_pool_shape *s, const float *in, float *out, size_t oy_begin,
                                       size_t oy_end)
{
    pool_rows(true, s, false, in, out, oy_begin, oy_end);
}

void POOL_NAME(mbi_f32_avgpool_rows_)(const mbi_pool_shape *s, bool count_include_pad, const float *in,
                                       float *out, size_t oy_begin, size_t oy_end)
{
    pool_rows(false, s, count_include_pad, in, out, oy_begin, oy_end);
}

/* Adds the sums over pixels [p0, p1) of NV vectors of channels starting at in (NV accumulators
 * for ILP) into out, or stores them there when first. */
POOL_INLINE void global_block(const size_t NV, const bool masked, vmask m, size_t p0, size_t p1, size_t c,
                              const float *in, float *out, bool first)
{
    vf acc[4];
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++)
        acc[v] = v_set1(0.0f);
    for (size_t p = p0; p < p1; p++) {
        const float *x = in + p * c;
#pragma GCC unroll 4
        for (size_t v = 0; v < NV; v++)
            acc[v] = v_add(acc[v], masked ? v_load_m(x + VW * v, m) : v_load(x + VW * v));
    }
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) {
        float *o = out + VW * v;
        if (masked)
            v_store_m(o, m, first ? acc[v] : v_add(acc[v], v_load_m(o, m)));
        else
            v_store(o, first ? acc[v] : v_add(acc[v], v_load(o)));
    }
}

/* Pixels are taken in chunks, every channel of a chunk before the next, so a wide image with
 * many channels is read from memory once (the chunk's other channels come from L1 or L2) and
 * the float sums stay short; out holds the running totals. */
void POOL_NAME(mbi_f32_global_avgpool_)(size_t hw, size_t channels, const float *in, float *out)
{
    const size_t c = channels;
    const size_t chunk = c <= 64 ? POOL_CHUNK : 16384 / c < 8 ? 8 : 16384 / c;
    const vmask tail = v_mask(c % VW ? c % VW : VW);
    for (size_t p0 = 0; p0 < hw; p0 += chunk) {
        const size_t p1 = hw - p0 < chunk ? hw : p0 + chunk;
        const bool first = p0 == 0;
        size_t c0 = 0;
        for (; c0 + 4 * VW <= c; c0 += 4 * VW)
            global_block(4, false, tail, p0, p1, c, in + c0, out + c0, first);
        for (; c0 + VW <= c; c0 += VW)
            global_block(1, false, tail, p0, p1, c, in + c0, out + c0, first);
        if (c0 < c)
            global_block(1, true, tail, p0, p1, c, in + c0, out + c0, first);
    }
    const vf scale = v_set1(1.0f / (float)hw);
    size_t c0 = 0;
    for (; c0 + VW <= c; c0 += VW)
        v_store(out + c0, v_mul(v_load(out + c0), scale));
    if (c0 < c)
        v_store_m(out + c0, tail, v_mul(v_load_m(out + c0, tail), scale));
}

#endif
