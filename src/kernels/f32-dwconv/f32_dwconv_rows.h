/* The SIMD depthwise row walker, written once in the vector vocabulary of
 * simd_<isa>.h and instantiated by f32_dwconv_<isa>.c, which defines
 * DWCONV_ROWS_NAME and includes its simd header first.
 *
 * Loop order: output row, then a tile of pixels of that row, then channel
 * block (VW channels), then the tile's pixels. A block's filter is loaded
 * into registers once per tile when it fits (3x3 everywhere, 5x5 with 32
 * registers). Interior pixels go in groups of up to 4 with one accumulator
 * each; at stride 1 or 2 (dilation 1) the group loads each input column of a
 * filter row once for all its pixels. Every row is split into left border,
 * interior and right border: only border pixels check their column taps;
 * rows whose filter hangs over the top or bottom skip those filter rows (a
 * per-row decision the compiler turns into separate code). Fixed-size code
 * exists for 3x3, 5x5 and 7x7; other sizes load each weight per tap. The
 * last block of a channel count that is not a multiple of VW uses masked
 * loads and stores, so nothing past the image's last channel is touched.
 * Input rows come from mbi_dwconv_in_row (the image, or the caller's row
 * table), once per output row and filter row.
 *
 * The layers of mobile networks (square 3x3/5x5/7x7, dilation 1, stride 1
 * or 2, rows of 7+ pixels, inputs that fit in L2) take the band path of
 * f32_dwconv_band.h instead: 2-3x faster there. */
#ifndef MBI_KERNELS_F32_DWCONV_ROWS_H
#define MBI_KERNELS_F32_DWCONV_ROWS_H

#include <stdbool.h>

#include "kernels/f32-dwconv/f32_dwconv_variants.h"
#include "kernels/f32-dwconv/kwindow.h"

#define DW_INLINE static inline __attribute__((always_inline))
#define DW_MAX_K 7
/* Output pixels per tile: a row is done tile by tile, all channel blocks of a tile before the
 * next, so reads sweep the input in address order (kind to the prefetchers) while the filter is
 * reloaded once per tile only. Larger filters take larger tiles to amortize that reload
 * (measured on the 112x112x96 s2 and 28x28x240 5x5 layers). */
#define DW_TILE_SMALL 16
#define DW_TILE_LARGE 32

DW_INLINE vf dw_load(const bool masked, vmask m, const float *p)
{
    return masked ? v_load_m(p, m) : v_load(p);
}

/* The in-register epilogue's constants (kernels/epilogue.h). Whether the hard activations' ones apply
 * is the compile-time `hard` of each inlined copy, so the clamp-only bodies neither load nor keep them;
 * HardSigmoid and HardSwish share their bodies, swish choosing the multiply by x (all lanes or none). */
typedef struct dw_ep {
    vf lo, hi, alpha, beta;
    vsel swish;
} dw_ep;

DW_INLINE void dw_store(const bool masked, vmask m, float *p, vf acc, const bool hard, const dw_ep ep)
{
    /* The sum second in max and min: a NaN sum passes through. */
    vf y = hard ? v_fma(acc, ep.alpha, ep.beta) : acc;
    y = v_min(ep.hi, v_max(ep.lo, y));
    if (hard)
        y = v_mul_sel(ep.swish, acc, y);
    if (masked)
        v_store_m(p, m, y);
    else
        v_store(p, y);
}

#include "kernels/f32-dwconv/f32_dwconv_band.h"

/* What one (output row, pixel tile, channel block) pass needs. */
typedef struct dw_row_args {
    const float *rows[DW_MAX_K]; /* input row of filter row ky at this block's first channel */
    const float *wb;             /* the block's packed bias and weights */
    float *out;                  /* output pixel 0 of the row, at the block's first channel */
    size_t ky0, ky1;             /* filter rows inside the input */
    size_t x_begin, x_end;       /* the pixels to do */
    size_t ox_lo, ox_hi;         /* the interior pixels among them (x_begin <= ox_lo <= ox_hi <= x_end) */
} dw_row_args;

/* One output pixel of a fixed KH x KW filter. Weights come from w (registers once inlined) when
 * w_regs, else straight from the packed block. checked: only taps kx in [kx0, kx1) are read. */
DW_INLINE vf dw_pixel_fixed(const size_t KH, const size_t KW, const bool all_rows, const bool checked,
                            const bool masked, const bool w_regs, vmask m, const vf *w,
                            const dw_row_args *a, ptrdiff_t bx, size_t kx0, size_t kx1, size_t dw,
                            size_t c)
{
    vf acc = w_regs ? w[0] : v_load(a->wb);
#pragma GCC unroll 7
    for (size_t ky = 0; ky < KH; ky++) {
        if (!all_rows && (ky < a->ky0 || ky >= a->ky1))
            continue;
#pragma GCC unroll 7
        for (size_t kx = 0; kx < KW; kx++) {
            if (checked && (kx < kx0 || kx >= kx1))
                continue;
            const float *x = a->rows[ky] + (size_t)(bx + (ptrdiff_t)(kx * dw)) * c;
            const vf wt = w_regs ? w[1 + ky * KW + kx] : v_load(a->wb + VW * (1 + ky * KW + kx));
            acc = v_fma(dw_load(masked, m, x), wt, acc);
        }
    }
    return acc;
}

/* Interior pixels [ox, ox_end) in groups of PX <= 4 (each with its own accumulator, so PX FMA chains
 * run side by side); returns the first pixel not done (fewer than PX left). With a compile-time
 * stride S (dilation 1), neighbouring pixels share input columns: each column of a filter row is
 * loaded once for all PX pixels. S == 0: runtime stride and dilation, one load per tap. */
DW_INLINE size_t dw_interior(const size_t KH, const size_t KW, const size_t PX, const size_t S,
                             const bool all_rows, const bool masked, const bool w_regs, vmask m,
                             const vf *w, const mbi_dwconv_shape *s, const dw_row_args *a, size_t ox,
                             size_t ox_end, const bool hard, const dw_ep ep)
{
    const size_t c = s->channels, dwc = s->dil_w * c, swc = s->stride_w * c;
    size_t off = (size_t)mbi_kwin_base(ox, s->stride_w, s->pad_left) * c;
    float *o = a->out + ox * c;
    for (; ox + PX <= ox_end; ox += PX, off += PX * swc, o += PX * c) {
        vf acc[4];
#pragma GCC unroll 4
        for (size_t px = 0; px < PX; px++)
            acc[px] = w_regs ? w[0] : v_load(a->wb);
#pragma GCC unroll 7
        for (size_t ky = 0; ky < KH; ky++) {
            if (!all_rows && (ky < a->ky0 || ky >= a->ky1))
                continue;
            const float *p = a->rows[ky] + off;
            if (S != 0) {
#pragma GCC unroll 32
                for (size_t col = 0; col < (PX - 1) * S + KW; col++) {
                    const vf x = dw_load(masked, m, p + col * c);
#pragma GCC unroll 8
                    for (size_t px = 0; px < PX; px++) {
                        if (col < px * S || col - px * S >= KW)
                            continue;
                        const size_t t = 1 + ky * KW + (col - px * S);
                        acc[px] = v_fma(x, w_regs ? w[t] : v_load(a->wb + VW * t), acc[px]);
                    }
                }
            } else {
#pragma GCC unroll 7
                for (size_t kx = 0; kx < KW; kx++) {
                    const size_t t = 1 + ky * KW + kx;
                    const vf wt = w_regs ? w[t] : v_load(a->wb + VW * t);
#pragma GCC unroll 8
                    for (size_t px = 0; px < PX; px++)
                        acc[px] = v_fma(dw_load(masked, m, p + px * swc + kx * dwc), wt, acc[px]);
                }
            }
        }
#pragma GCC unroll 8
        for (size_t px = 0; px < PX; px++)
            dw_store(masked, m, o + px * c, acc[px], hard, ep);
    }
    return ox;
}

DW_INLINE void dw_row_fixed(const size_t KH, const size_t KW, const bool all_rows, const bool masked,
                            vmask m, const mbi_dwconv_shape *s, const dw_row_args *a, const bool hard,
                            const dw_ep ep)
{
    /* Weights stay in registers if bias, taps, 3 accumulators, an input and the epilogue's constants
     * (2 for a clamp, 5 for the hard activations) fit; then the pixels per group are what registers
     * are left for accumulators (at most 4). */
    const size_t ep_regs = hard ? 5 : 2;
    const bool w_regs = KH * KW + 5 + ep_regs <= VREGS;
    const size_t free_regs = VREGS - 1 - ep_regs - (w_regs ? KH * KW + 1 : 0);
    const size_t PX = free_regs >= 4 ? 4 : free_regs;
    const size_t c = s->channels, dw = s->dil_w;
    vf w[1 + DW_MAX_K * DW_MAX_K];
    if (w_regs) {
#pragma GCC unroll 26
        for (size_t t = 0; t < 1 + KH * KW; t++)
            w[t] = v_load(a->wb + VW * t);
    }
    const size_t ox_lo = a->ox_lo, ox_hi = a->ox_hi;
    size_t ox = a->x_begin;
    for (; ox < ox_lo; ox++) {
        const ptrdiff_t bx = mbi_kwin_base(ox, s->stride_w, s->pad_left);
        size_t kx0, kx1;
        mbi_kwin_taps(bx, dw, KW, s->in_w, &kx0, &kx1);
        vf acc = dw_pixel_fixed(KH, KW, all_rows, true, masked, w_regs, m, w, a, bx, kx0, kx1, dw, c);
        dw_store(masked, m, a->out + ox * c, acc, hard, ep);
    }
    /* Rows cut by the top or bottom edge are few: they get the simple interior only. */
    if (all_rows && dw == 1 && s->stride_w == 1)
        ox = dw_interior(KH, KW, PX, 1, true, masked, w_regs, m, w, s, a, ox, ox_hi, hard, ep);
    else if (all_rows && dw == 1 && s->stride_w == 2)
        ox = dw_interior(KH, KW, PX, 2, true, masked, w_regs, m, w, s, a, ox, ox_hi, hard, ep);
    else if (all_rows)
        ox = dw_interior(KH, KW, PX, 0, true, masked, w_regs, m, w, s, a, ox, ox_hi, hard, ep);
    ox = dw_interior(KH, KW, 1, 0, all_rows, masked, w_regs, m, w, s, a, ox, ox_hi, hard, ep);
    for (; ox < a->x_end; ox++) {
        const ptrdiff_t bx = mbi_kwin_base(ox, s->stride_w, s->pad_left);
        size_t kx0, kx1;
        mbi_kwin_taps(bx, dw, KW, s->in_w, &kx0, &kx1);
        vf acc = dw_pixel_fixed(KH, KW, all_rows, true, masked, w_regs, m, w, a, bx, kx0, kx1, dw, c);
        dw_store(masked, m, a->out + ox * c, acc, hard, ep);
    }
}

/* The four (all rows inside?, masked?) instances of one fixed size. */
DW_INLINE void dw_row_fixed_any(const size_t KH, const size_t KW, bool all_rows, bool masked, vmask m,
                                const mbi_dwconv_shape *s, const dw_row_args *a, const bool hard, const dw_ep ep)
{
    if (all_rows) {
        if (masked)
            dw_row_fixed(KH, KW, true, true, m, s, a, hard, ep);
        else
            dw_row_fixed(KH, KW, true, false, m, s, a, hard, ep);
    } else {
        if (masked)
            dw_row_fixed(KH, KW, false, true, m, s, a, hard, ep);
        else
            dw_row_fixed(KH, KW, false, false, m, s, a, hard, ep);
    }
}

/* Any filter size: taps and weights from runtime loops, every pixel checked. */
DW_INLINE void dw_row_generic(bool masked, vmask m, const mbi_dwconv_shape *s, const float *in, size_t c0,
                           ptrdiff_t by, const dw_row_args *a, const bool hard, const dw_ep ep)
{
    const size_t c = s->channels, kw = s->kw;
    for (size_t ox = a->x_begin; ox < a->x_end; ox++) {
        const ptrdiff_t bx = mbi_kwin_base(ox, s->stride_w, s->pad_left);
        size_t kx0, kx1;
        mbi_kwin_taps(bx, s->dil_w, kw, s->in_w, &kx0, &kx1);
        vf acc = v_load(a->wb);
        for (size_t ky = a->ky0; ky < a->ky1; ky++) {
            const float *row = mbi_dwconv_in_row(s, in, (size_t)(by + (ptrdiff_t)(ky * s->dil_h))) + c0;
            for (size_t kx = kx0; kx < kx1; kx++) {
                const float *x = row + (size_t)(bx + (ptrdiff_t)(kx * s->dil_w)) * c;
                const vf wt = v_load(a->wb + VW * (1 + ky * kw + kx));
                acc = v_fma(masked ? v_load_m(x, m) : v_load(x), wt, acc);
            }
        }
        dw_store(masked, m, a->out + ox * c, acc, hard, ep);
    }
}

static inline dw_ep dw_ep_of(const mbi_f32_minmax *mm)
{
    return (dw_ep){v_set1(mm->min), v_set1(mm->max), v_set1(mm->alpha), v_set1(mm->beta),
                   v_sel_all(mm->act == MBI_REG_HARD_SWISH)};
}

/* The row-outer walker for the clamp or the hard activations (hard a compile-time constant in each
 * inlined copy). */
DW_INLINE void dw_rows_walk(const bool hard, const mbi_dwconv_shape *s, const float *in,
                            const float *packed, float *out, size_t oy_begin, size_t oy_end, const dw_ep ep)
{
    const size_t c = s->channels, kh = s->kh, kw = s->kw, taps = kh * kw;
    const bool fixed = kh == kw && (kh == 3 || kh == 5 || kh == 7);
    size_t ox_lo, ox_hi;
    mbi_kwin_interior(s->out_w, s->stride_w, s->pad_left, s->dil_w, kw, s->in_w, &ox_lo, &ox_hi);
    const vmask tail = v_mask(c % VW ? c % VW : VW);
    const size_t tile = taps <= 9 ? DW_TILE_SMALL : DW_TILE_LARGE;
    for (size_t oy = oy_begin; oy < oy_end; oy++) {
        const ptrdiff_t by = mbi_kwin_base(oy, s->stride_h, s->pad_top);
        dw_row_args a;
        mbi_kwin_taps(by, s->dil_h, kh, s->in_h, &a.ky0, &a.ky1);
        const bool all_rows = a.ky0 == 0 && a.ky1 == kh;
        for (a.x_begin = 0; a.x_begin < s->out_w; a.x_begin = a.x_end) {
            a.x_end = s->out_w - a.x_begin < tile ? s->out_w : a.x_begin + tile;
            a.ox_lo = ox_lo < a.x_begin ? a.x_begin : ox_lo < a.x_end ? ox_lo : a.x_end;
            a.ox_hi = ox_hi < a.ox_lo ? a.ox_lo : ox_hi < a.x_end ? ox_hi : a.x_end;
            for (size_t c0 = 0; c0 < c; c0 += VW) {
                const bool masked = c - c0 < VW;
                a.wb = packed + c0 * (taps + 1);
                a.out = out + (oy - s->out_row0) * s->out_w * c + c0;
                if (!fixed) {
                    dw_row_generic(masked, tail, s, in, c0, by, &a, hard, ep);
                    continue;
                }
                for (size_t ky = 0; ky < kh; ky++)
                    a.rows[ky] = ky >= a.ky0 && ky < a.ky1
                                     ? mbi_dwconv_in_row(s, in, (size_t)(by + (ptrdiff_t)(ky * s->dil_h))) + c0
                                     : in; /* never read: the row is skipped */
                if (kh == 3)
                    dw_row_fixed_any(3, 3, all_rows, masked, tail, s, &a, hard, ep);
                else if (kh == 5)
                    dw_row_fixed_any(5, 5, all_rows, masked, tail, s, &a, hard, ep);
                else
                    dw_row_fixed_any(7, 7, all_rows, masked, tail, s, &a, hard, ep);
            }
        }
    }
}

/* For the clamp and for the hard activations, the band path and the row walker, each its own
 * function as the clamp-only code was before the hard activations joined: one function holding
 * both measured slower on clamp-only layers from code layout alone (see f32_gemm_avx512.c). */
#define DW_DEFINE_ACT(act_name, hard_value)                                                             \
    static __attribute__((noinline)) void dwb_##act_name(const mbi_dwconv_shape *s, const float *in,    \
                                                         const float *packed, float *out,               \
                                                         size_t oy_begin, size_t oy_end,                \
                                                         const mbi_f32_minmax *mm)                      \
    {                                                                                                   \
        dwb_dispatch(s, in, packed, out, oy_begin, oy_end, hard_value, dw_ep_of(mm));                   \
    }                                                                                                   \
    static __attribute__((noinline)) void dw_rows_##act_name(const mbi_dwconv_shape *s, const float *in,\
                                                             const float *packed, float *out,           \
                                                             size_t oy_begin, size_t oy_end,            \
                                                             const mbi_f32_minmax *mm)                  \
    {                                                                                                   \
        if (dwb_takes(s, oy_begin, oy_end))                                                             \
            dwb_##act_name(s, in, packed, out, oy_begin, oy_end, mm);                                   \
        else                                                                                            \
            dw_rows_walk(hard_value, s, in, packed, out, oy_begin, oy_end, dw_ep_of(mm));               \
    }

DW_DEFINE_ACT(clamp, false)
DW_DEFINE_ACT(hard, true)

MBI_F32_DWCONV_ROWS(DWCONV_ROWS_NAME)
{
    if (mm->act == MBI_REG_CLAMP)
        dw_rows_clamp(s, in, packed, out, oy_begin, oy_end, mm);
    else
        dw_rows_hard(s, in, packed, out, oy_begin, oy_end, mm);
}

#endif
