/* The fast path of the SIMD depthwise walker (f32_dwconv_rows.h) for the
 * layers of mobile networks: square 3x3, 5x5 or 7x7 filters, dilation 1,
 * the same stride 1 or 2 on both axes, rows of at least DWB_PX pixels.
 *
 * Why this shape of loop (measured on the 7x7 .. 28x28 layers, where the
 * row-outer walker ran at ~25% of the FMA peak):
 *   - Channel block outer, output rows inner, over a chunk of rows whose
 *     input lines of one block fit in L1: each input line comes from L2
 *     once and serves all the output rows that read it, and a 3x3 filter is
 *     loaded into registers once per (chunk, block), not per row.
 *   - Groups of DWB_PX pixels in each of R = 2 output rows (32 registers):
 *     14 independent accumulators hide the FMA latency, and each input column, loaded
 *     once, feeds every (row, pixel) of the group that reads it.
 *   - Rows of 7, 14, 28, 56, 112 pixels split into groups of 7 exactly; any
 *     other width ends with a group shifted left to overlap the previous one
 *     (its pixels are recomputed with the very same sums).
 *   - Input rows outside the image are skipped per group, and border groups
 *     skip the input columns outside it (no padded copy, nothing read
 *     outside the image).
 * 5x5 and 7x7 filters do not fit in registers next to the accumulators:
 * the weights of one filter row are loaded per input row of a group. With
 * 16 registers (AVX2) a group is one row of 7 pixels, 3x3 and 5x5 only; 7x7
 * is one row on AVX-512 too.
 *
 * Measured with bench/kernels/dwconv_shapes.c, one thread, AVX-512, us per
 * layer before -> after: 14x14x480 3x3 20 -> 13, 14x14x200 3x3 10 -> 5.9,
 * 7x7x960 3x3 11.4 -> 6.5, 28x28x192 3x3 36 -> 24, 14x14x672 5x5 73 -> 35,
 * 7x7x960 5x5 29 -> 11 (~100% of the FMA peak on a quiet machine),
 * 28x28x240 5x5 89 -> 54; MBConvNhwc's one-row calls on hot rows:
 * 56x56x144 96 -> 69 (59 at two rows per call). */
#ifndef MBI_KERNELS_F32_DWCONV_BAND_H
#define MBI_KERNELS_F32_DWCONV_BAND_H

#define DWB_PX 7
#define DWB_MAX_ROWS 9 /* input rows of one group: (R - 1) * S + K <= 2 + 7 */
/* Bytes of one block's input lines a chunk of rows may keep in L1 (48 KB here, the output lines and
 * the next block's first lines share it). */
#define DWB_L1_BUDGET (24 * 1024)

/* R output rows x DWB_PX pixels starting at output pixel o (row 0), input column bx of the input
 * rows in `rows` (row i at the block's first channel, NULL when outside the image: skipped). checked:
 * skip input columns outside [0, in_w); else every column is inside. Weights from w (registers) when
 * w_regs, else from wb. */
DW_INLINE void dwb_group(const size_t K, const size_t S, const size_t R, const bool checked, const bool masked,
                         const bool w_regs, vmask m, const vf *w, const float *wb, const float *const *rows,
                         ptrdiff_t bx, size_t in_w, size_t c, float *o, size_t ldo, const bool hard,
                         const dw_ep ep)
{
    const size_t PX = DWB_PX, ncol = (PX - 1) * S + K, nrow = (R - 1) * S + K;
    vf acc[2][DWB_PX];
    const vf bias = w_regs ? w[0] : v_load(wb);
#pragma GCC unroll 2
    for (size_t r = 0; r < R; r++)
#pragma GCC unroll 8
        for (size_t px = 0; px < PX; px++)
            acc[r][px] = bias;
#pragma GCC unroll 9
    for (size_t i = 0; i < nrow; i++) {
        const float *row = rows[i];
        if (!row)
            continue;
        vf wr[2][DW_MAX_K];
        if (!w_regs) {
#pragma GCC unroll 2
            for (size_t r = 0; r < R; r++) {
                if (i < r * S || i - r * S >= K)
                    continue;
#pragma GCC unroll 7
                for (size_t kx = 0; kx < K; kx++)
                    wr[r][kx] = v_load(wb + VW * (1 + (i - r * S) * K + kx));
            }
        }
#pragma GCC unroll 32
        for (size_t col = 0; col < ncol; col++) {
            const ptrdiff_t ix = bx + (ptrdiff_t)col;
            if (checked && (ix < 0 || ix >= (ptrdiff_t)in_w))
                continue;
            const vf x = dw_load(masked, m, row + (size_t)ix * c);
#pragma GCC unroll 2
            for (size_t r = 0; r < R; r++) {
                if (i < r * S || i - r * S >= K)
                    continue;
                const size_t ky = i - r * S;
#pragma GCC unroll 8
                for (size_t px = 0; px < PX; px++) {
                    if (col < px * S || col - px * S >= K)
                        continue;
                    const size_t kx = col - px * S;
                    acc[r][px] = v_fma(x, w_regs ? w[1 + ky * K + kx] : wr[r][kx], acc[r][px]);
                }
            }
        }
    }
#pragma GCC unroll 2
    for (size_t r = 0; r < R; r++)
#pragma GCC unroll 8
        for (size_t px = 0; px < PX; px++)
            dw_store(masked, m, o + r * ldo + px * c, acc[r][px], hard, ep);
}

/* Output rows [y0, y1) of one channel block (at channel c0), R rows at a time (the last one alone
 * when the count is odd). */
DW_INLINE void dwb_block(const size_t K, const size_t S, const size_t R, const bool masked, vmask m,
                         const mbi_dwconv_shape *s, const float *in, const float *wb, float *out, size_t c0,
                         size_t y0, size_t y1, size_t ox_lo, size_t ox_hi, const bool hard, const dw_ep ep)
{
    const size_t c = s->channels, out_w = s->out_w, ldo = out_w * c, PX = DWB_PX;
    /* 3x3 stays in registers (10 of 32) next to 14 accumulators. */
    const bool w_regs = VREGS >= 32 && K == 3;
    vf w[1 + 9];
    if (w_regs) {
#pragma GCC unroll 10
        for (size_t t = 0; t < 1 + K * K; t++)
            w[t] = v_load(wb + VW * t);
    }
    for (size_t oy = y0; oy < y1;) {
        const size_t r = y1 - oy >= R ? R : 1;
        const ptrdiff_t by = mbi_kwin_base(oy, S, s->pad_top);
        const float *rows[DWB_MAX_ROWS];
        for (size_t i = 0; i < (r - 1) * S + K; i++) {
            const ptrdiff_t iy = by + (ptrdiff_t)i;
            rows[i] = iy >= 0 && iy < (ptrdiff_t)s->in_h ? mbi_dwconv_in_row(s, in, (size_t)iy) + c0 : NULL;
        }
        float *o = out + (oy - s->out_row0) * ldo + c0;
        for (size_t ox = 0; ox < out_w; ox += PX) {
            if (ox + PX > out_w)
                ox = out_w - PX;
            const ptrdiff_t bx = mbi_kwin_base(ox, S, s->pad_left);
            const bool checked = ox < ox_lo || ox + PX > ox_hi;
            float *op = o + ox * c;
            if (r == R) {
                if (checked)
                    dwb_group(K, S, R, true, masked, w_regs, m, w, wb, rows, bx, s->in_w, c, op, ldo, hard, ep);
                else
                    dwb_group(K, S, R, false, masked, w_regs, m, w, wb, rows, bx, s->in_w, c, op, ldo, hard, ep);
            } else if (R != 1) {
                if (checked)
                    dwb_group(K, S, 1, true, masked, w_regs, m, w, wb, rows, bx, s->in_w, c, op, ldo, hard, ep);
                else
                    dwb_group(K, S, 1, false, masked, w_regs, m, w, wb, rows, bx, s->in_w, c, op, ldo, hard, ep);
            }
        }
        oy += r;
    }
}

DW_INLINE void dwb_rows(const size_t K, const size_t S, const mbi_dwconv_shape *s, const float *in,
                        const float *packed, float *out, size_t oy_begin, size_t oy_end, const bool hard,
                        const dw_ep ep)
{
    /* 7x7 keeps one output row: 14 weights per input row and 14 accumulators would not fit; so
     * does everything with 16 registers. */
    const size_t R = VREGS >= 32 && K <= 5 ? 2 : 1;
    const size_t c = s->channels, taps = K * K;
    size_t ox_lo, ox_hi;
    mbi_kwin_interior(s->out_w, S, s->pad_left, 1, K, s->in_w, &ox_lo, &ox_hi);
    const vmask tail = v_mask(c % VW ? c % VW : VW);
    /* Output rows per chunk: as many as keep one block's input lines within the L1 budget, even so
     * that only the band's last row goes alone. */
    const size_t line_bytes = s->in_w * VW * sizeof(float);
    const size_t in_rows = DWB_L1_BUDGET / line_bytes;
    size_t chunk = in_rows > K ? (in_rows - K) / S + 1 : 1;
    chunk = chunk < 2 ? 2 : chunk & ~(size_t)1;
    for (size_t y0 = oy_begin; y0 < oy_end;) {
        const size_t y1 = oy_end - y0 > chunk ? y0 + chunk : oy_end;
        for (size_t c0 = 0; c0 < c; c0 += VW) {
            const float *wb = packed + c0 * (taps + 1);
            if (c - c0 < VW)
                dwb_block(K, S, R, true, tail, s, in, wb, out, c0, y0, y1, ox_lo, ox_hi, hard, ep);
            else
                dwb_block(K, S, R, false, tail, s, in, wb, out, c0, y0, y1, ox_lo, ox_hi, hard, ep);
        }
        y0 = y1;
    }
}

/* Bytes of the input rows a call reads above which the row-outer walker is kept: when the rows come
 * from L3 or memory, its address-order sweep (all channels of a pixel, pixel after pixel) streams
 * better than block after block (measured: equal on 56x56x144 and 112x112x32, 10% better on
 * 28x28x672 5x5 s2). */
#define DWB_MAX_IN_BYTES (1024 * 1024)

/* Whether the fast path takes output rows [oy_begin, oy_end) of shape s. */
static inline bool dwb_takes(const mbi_dwconv_shape *s, size_t oy_begin, size_t oy_end)
{
    /* 16 registers: 7 accumulators, a filter row of up to 5 and the input. */
    if (!(VREGS >= 32 || s->kh <= 5) || s->kh != s->kw || (s->kh != 3 && s->kh != 5 && s->kh != 7) ||
        s->dil_h != 1 || s->dil_w != 1 || s->stride_h != s->stride_w || s->stride_w > 2 || s->out_w < DWB_PX ||
        s->in_w == 0)
        return false;
    /* A row table points at a few rows kept hot by the caller. */
    const size_t in_rows = (oy_end - oy_begin - 1) * s->stride_h + s->kh;
    return s->in_rows || in_rows * s->in_w * s->channels * sizeof(float) <= DWB_MAX_IN_BYTES;
}

DW_INLINE void dwb_dispatch(const mbi_dwconv_shape *s, const float *in, const float *packed, float *out,
                            size_t oy_begin, size_t oy_end, const bool hard, const dw_ep ep)
{
    const size_t k = s->kh;
    if (s->stride_w == 1) {
        if (k == 3)
            dwb_rows(3, 1, s, in, packed, out, oy_begin, oy_end, hard, ep);
        else if (k == 5)
            dwb_rows(5, 1, s, in, packed, out, oy_begin, oy_end, hard, ep);
        else
            dwb_rows(7, 1, s, in, packed, out, oy_begin, oy_end, hard, ep);
    } else {
        if (k == 3)
            dwb_rows(3, 2, s, in, packed, out, oy_begin, oy_end, hard, ep);
        else if (k == 5)
            dwb_rows(5, 2, s, in, packed, out, oy_begin, oy_end, hard, ep);
        else
            dwb_rows(7, 2, s, in, packed, out, oy_begin, oy_end, hard, ep);
    }
}

#endif
