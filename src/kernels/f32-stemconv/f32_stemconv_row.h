/* The row function of the stem convolution, written once in the vector
 * vocabulary of kernels/f32-dwconv/simd_*.h (VW floats per vector) and
 * instantiated per ISA by the file that includes it after defining
 *   STEMCONV_ROW_NAME  the function's name (f32_stemconv_variants.h)
 *   STEM_MAX_NB        channel vectors computed together (1..4)
 *   STEM_PX_1 .. STEM_PX_4  output pixels per register block for 1..4 of
 *                      them (nb * px accumulators + nb weights must fit the
 *                      register file; at most 24 pixels)
 *
 * Per tap, nb weight vectors are loaded once and every pixel of the block
 * broadcasts its input float (an FMA with a broadcast memory operand) into
 * nb FMAs. The taps of a row are one flat table (where each reads x and
 * its weights), so a block is one loop of a load and nb * px FMAs per tap.
 * Columns whose whole window lies in the image take such blocks, with no
 * bounds checks, specialized for strides 1 and 2; the few border columns
 * check each tap. Kernel rows outside the image are left out of the table.
 *
 * Measured on one AVX-512 core (bench_stemconv): 130-150 GFLOP/s on the
 * 3x3 stride-2 stems to 16 or 32 channels, 185 on ResNet's 7x7 to 64 (of a
 * 248 peak): with one or two channel vectors, one broadcast per one or two
 * FMAs, the loads rather than the FMAs limit it. */
#include <stddef.h>
#include <stdint.h>

#include "kernels/f32-stemconv/f32_stemconv_variants.h"

#define STEM_INLINE static inline __attribute__((always_inline))

/* Taps (C * kh * kw) up to which a row walks one flat table of them
 * (px_block_taps): one loop of a load and px FMAs per tap, with no nested
 * loop overhead (4 channels of 7x7 fit). */
#define STEM_MAX_TAPS 256

typedef struct stem_row {
    const mbi_stemconv_shape *s;
    const float *x;
    const float *packed;
    float *y;
    size_t mpad;
    size_t ky0, ky1;   /* kernel rows inside the image */
    ptrdiff_t iy0;     /* the input row under ky = 0 (negative in the top padding) */
    size_t last_block; /* the vector holding channel m - 1 */
    vmask tail;        /* its lanes below m */
    vf lo, hi;
    /* HardSigmoid / HardSwish in registers (kernels/epilogue.h): y = clamp(x * alpha + beta), times x
     * for HardSwish. One branch per stored vector, against the taps' FMAs of each. */
    bool hard, swish;
    vf alpha, beta;
    /* The taps inside the image's rows (0 when C * kh * kw exceeds
     * STEM_MAX_TAPS, or no kernel row is inside: then the nested loops of
     * px_block and border_pixel): where each reads x (for output column 0,
     * in floats from x), its input column for output column 0, and its
     * weights (floats from packed, channel 0). 6 KB of stack. */
    size_t taps;
    ptrdiff_t tap_x[STEM_MAX_TAPS];
    ptrdiff_t tap_col[STEM_MAX_TAPS];
    size_t tap_w[STEM_MAX_TAPS];
} stem_row;

STEM_INLINE void store_clamped(const stem_row *r, float *p, size_t block, vf v)
{
    /* The sum second in max and min: a NaN sum passes through. */
    if (r->hard) {
        const vf t = v_min(r->hi, v_max(r->lo, v_fma(v, r->alpha, r->beta)));
        v = r->swish ? v_mul(v, t) : t;
    } else {
        v = v_min(r->hi, v_max(r->lo, v));
    }
    if (block == r->last_block)
        v_store_m(p, r->tail, v);
    else
        v_store(p, v);
}

/* px pixels from column ox0, whose windows lie inside the image, channel
 * vectors [b0, b0 + nb), without the tap table (nested loops over channels
 * and kernel rows and columns). sw is a constant (1, 2) or the shape's
 * stride. */
STEM_INLINE void px_block(const size_t nb, const size_t px, const size_t sw, const stem_row *r,
                          size_t ox0, size_t b0)
{
    const mbi_stemconv_shape *s = r->s;
    const size_t plane = s->in_h * s->in_w, kw = s->kw, mpad = r->mpad;
    vf acc[24][4]; /* indexed by constants once inlined: registers */
#pragma GCC unroll 4
    for (size_t b = 0; b < nb; b++) {
        const vf bias = v_load(r->packed + (b0 + b) * VW);
#pragma GCC unroll 24
        for (size_t p = 0; p < px; p++)
            acc[p][b] = bias;
    }
    const ptrdiff_t ix0 = (ptrdiff_t)(ox0 * sw) - (ptrdiff_t)s->pad_left;
    for (size_t c = 0; c < s->c; c++) {
        for (size_t ky = r->ky0; ky < r->ky1; ky++) {
            const float *xr = r->x + c * plane +
                              (size_t)(r->iy0 + (ptrdiff_t)(ky * s->dil_h)) * s->in_w + ix0;
            const float *wr = r->packed + (1 + (c * s->kh + ky) * kw) * mpad + b0 * VW;
            for (size_t kx = 0; kx < kw; kx++, wr += mpad) {
                const float *xk = xr + kx * s->dil_w;
                vf wv[4];
#pragma GCC unroll 4
                for (size_t b = 0; b < nb; b++)
                    wv[b] = v_load(wr + b * VW);
#pragma GCC unroll 24
                for (size_t p = 0; p < px; p++) {
                    const vf xv = v_set1(xk[p * sw]);
#pragma GCC unroll 4
                    for (size_t b = 0; b < nb; b++)
                        acc[p][b] = v_fma(wv[b], xv, acc[p][b]);
                }
            }
        }
    }
#pragma GCC unroll 24
    for (size_t p = 0; p < px; p++)
#pragma GCC unroll 4
        for (size_t b = 0; b < nb; b++)
            store_clamped(r, r->y + (ox0 + p) * s->ldc + (b0 + b) * VW, b0 + b, acc[p][b]);
}

/* px_block over the row's tap table: one loop, no nested loop overhead
 * (measured 5-10% faster on the 3x3 stems than px_block). */
STEM_INLINE void px_block_taps(const size_t nb, const size_t px, const size_t sw,
                               const stem_row *r, size_t ox0, size_t b0)
{
    const mbi_stemconv_shape *s = r->s;
    vf acc[24][4]; /* indexed by constants once inlined: registers */
#pragma GCC unroll 4
    for (size_t b = 0; b < nb; b++) {
        const vf bias = v_load(r->packed + (b0 + b) * VW);
#pragma GCC unroll 24
        for (size_t p = 0; p < px; p++)
            acc[p][b] = bias;
    }
    const float *x0 = r->x + ox0 * sw, *w0 = r->packed + b0 * VW;
    for (size_t t = 0; t < r->taps; t++) {
        const float *xk = x0 + r->tap_x[t], *wr = w0 + r->tap_w[t];
        vf wv[4];
#pragma GCC unroll 4
        for (size_t b = 0; b < nb; b++)
            wv[b] = v_load(wr + b * VW);
#pragma GCC unroll 24
        for (size_t p = 0; p < px; p++) {
            const vf xv = v_set1(xk[p * sw]);
#pragma GCC unroll 4
            for (size_t b = 0; b < nb; b++)
                acc[p][b] = v_fma(wv[b], xv, acc[p][b]);
        }
    }
#pragma GCC unroll 24
    for (size_t p = 0; p < px; p++)
#pragma GCC unroll 4
        for (size_t b = 0; b < nb; b++)
            store_clamped(r, r->y + (ox0 + p) * s->ldc + (b0 + b) * VW, b0 + b, acc[p][b]);
}

/* One pixel near the border over the tap table, nb channel vectors, taps
 * outside the image skipped: even and odd taps in two accumulators, so
 * that the chain of dependent FMAs is half as long (a border pixel
 * otherwise costs as much as several inside). */
STEM_INLINE void border_taps(const size_t nb, const stem_row *r, size_t ox, size_t b0)
{
    const mbi_stemconv_shape *s = r->s;
    vf acc[2][4];
#pragma GCC unroll 4
    for (size_t b = 0; b < nb; b++) {
        acc[0][b] = v_load(r->packed + (b0 + b) * VW);
        acc[1][b] = v_set1(0.0f);
    }
    const ptrdiff_t col = (ptrdiff_t)(ox * s->stride_w), w = (ptrdiff_t)s->in_w;
    const float *x0 = r->x + ox * s->stride_w, *w0 = r->packed + b0 * VW;
    size_t t = 0;
    for (; t + 2 <= r->taps; t += 2) {
#pragma GCC unroll 2
        for (size_t h = 0; h < 2; h++) {
            const ptrdiff_t ix = col + r->tap_col[t + h];
            if (ix < 0 || ix >= w)
                continue;
            const vf xv = v_set1(x0[r->tap_x[t + h]]);
#pragma GCC unroll 4
            for (size_t b = 0; b < nb; b++)
                acc[h][b] = v_fma(v_load(w0 + r->tap_w[t + h] + b * VW), xv, acc[h][b]);
        }
    }
    if (t < r->taps) {
        const ptrdiff_t ix = col + r->tap_col[t];
        if (ix >= 0 && ix < w) {
            const vf xv = v_set1(x0[r->tap_x[t]]);
#pragma GCC unroll 4
            for (size_t b = 0; b < nb; b++)
                acc[0][b] = v_fma(v_load(w0 + r->tap_w[t] + b * VW), xv, acc[0][b]);
        }
    }
#pragma GCC unroll 4
    for (size_t b = 0; b < nb; b++)
        store_clamped(r, r->y + ox * s->ldc + (b0 + b) * VW, b0 + b, v_add(acc[0][b], acc[1][b]));
}

/* Columns [xa, xb), all inside: blocks of px, the last one (or half of
 * one) moved back to end at xb, recomputing a few pixels rather than
 * running a slower tail. */
STEM_INLINE void interior(const size_t nb, const size_t px, const size_t sw, const stem_row *r,
                          size_t xa, size_t xb, size_t b0)
{
    if (r->taps) {
        for (size_t bx = 0; bx < xa; bx++)
            border_taps(nb, r, bx, b0);
        for (size_t bx = xb; bx < r->s->out_w; bx++)
            border_taps(nb, r, bx, b0);
    }
    if (xb - xa < px) {
        for (size_t ox = xa; ox < xb; ox++)
            px_block(nb, 1, sw, r, ox, b0);
        return;
    }
    size_t ox = xa;
    if (r->taps) {
        for (; ox + px <= xb; ox += px)
            px_block_taps(nb, px, sw, r, ox, b0);
        /* A short rest takes a half block, so that less is recomputed. */
        if (ox < xb && xb - ox <= px / 2)
            px_block_taps(nb, px / 2 ? px / 2 : 1, sw, r, xb - (px / 2 ? px / 2 : 1), b0);
        else if (ox < xb)
            px_block_taps(nb, px, sw, r, xb - px, b0);
        return;
    }
    for (; ox + px <= xb; ox += px)
        px_block(nb, px, sw, r, ox, b0);
    if (ox < xb)
        px_block(nb, px, sw, r, xb - px, b0);
}

#define STEM_INTERIOR(nb, px)                                                                    \
    do {                                                                                         \
        if (sw == 1)                                                                             \
            interior(nb, px, 1, r, xa, xb, b0);                                                  \
        else if (sw == 2)                                                                        \
            interior(nb, px, 2, r, xa, xb, b0);                                                  \
        else                                                                                     \
            interior(nb, px, sw, r, xa, xb, b0);                                                 \
    } while (0)

static void interior_blocks(const stem_row *r, size_t nb, size_t xa, size_t xb, size_t b0)
{
    const size_t sw = r->s->stride_w;
    switch (nb) {
    case 1:
        STEM_INTERIOR(1, STEM_PX_1);
        break;
#if STEM_MAX_NB >= 2
    case 2:
        STEM_INTERIOR(2, STEM_PX_2);
        break;
#endif
#if STEM_MAX_NB >= 3
    case 3:
        STEM_INTERIOR(3, STEM_PX_3);
        break;
#endif
#if STEM_MAX_NB >= 4
    case 4:
        STEM_INTERIOR(4, STEM_PX_4);
        break;
#endif
    default:
        break;
    }
}

/* One pixel near the border, one channel vector, without the tap table:
 * taps outside the image are skipped. */
static void border_pixel(const stem_row *r, size_t ox, size_t b)
{
    const mbi_stemconv_shape *s = r->s;
    const size_t plane = s->in_h * s->in_w, kw = s->kw, mpad = r->mpad;
    vf acc = v_load(r->packed + b * VW);
    const ptrdiff_t ix0 = (ptrdiff_t)(ox * s->stride_w) - (ptrdiff_t)s->pad_left;
    for (size_t c = 0; c < s->c; c++)
        for (size_t ky = r->ky0; ky < r->ky1; ky++) {
            const float *xr =
                r->x + c * plane + (size_t)(r->iy0 + (ptrdiff_t)(ky * s->dil_h)) * s->in_w;
            const float *wr = r->packed + (1 + (c * s->kh + ky) * kw) * mpad + b * VW;
            for (size_t kx = 0; kx < kw; kx++, wr += mpad) {
                const ptrdiff_t ix = ix0 + (ptrdiff_t)(kx * s->dil_w);
                if (ix >= 0 && ix < (ptrdiff_t)s->in_w)
                    acc = v_fma(v_load(wr), v_set1(xr[ix]), acc);
            }
        }
    store_clamped(r, r->y + ox * s->ldc + b * VW, b, acc);
}

MBI_F32_STEMCONV_ROW(STEMCONV_ROW_NAME)
{
    stem_row r = {.s = s, .x = x, .packed = packed, .y = y_row};
    r.mpad = (s->m + VW - 1) / VW * VW;
    r.last_block = (s->m - 1) / VW;
    r.tail = v_mask(s->m - r.last_block * VW);
    r.lo = v_set1(mm->min);
    r.hi = v_set1(mm->max);
    r.hard = mm->act != MBI_REG_CLAMP;
    r.swish = mm->act == MBI_REG_HARD_SWISH;
    r.alpha = v_set1(mm->alpha);
    r.beta = v_set1(mm->beta);
    r.iy0 = (ptrdiff_t)(oy * s->stride_h) - (ptrdiff_t)s->pad_top;
    r.ky0 = s->kh;
    r.ky1 = 0;
    for (size_t ky = 0; ky < s->kh; ky++) {
        const ptrdiff_t iy = r.iy0 + (ptrdiff_t)(ky * s->dil_h);
        if (iy >= 0 && iy < (ptrdiff_t)s->in_h) {
            if (r.ky0 > ky)
                r.ky0 = ky;
            r.ky1 = ky + 1;
        }
    }
    if (r.ky0 > r.ky1)
        r.ky0 = r.ky1;
    /* The tap table. */
    r.taps = 0;
    if (s->c * s->kh * s->kw <= STEM_MAX_TAPS)
        for (size_t c = 0; c < s->c; c++)
            for (size_t ky = r.ky0; ky < r.ky1; ky++)
                for (size_t kx = 0; kx < s->kw; kx++, r.taps++) {
                    r.tap_x[r.taps] = (ptrdiff_t)(c * s->in_h * s->in_w) +
                                      (r.iy0 + (ptrdiff_t)(ky * s->dil_h)) * (ptrdiff_t)s->in_w +
                                      (ptrdiff_t)(kx * s->dil_w) - (ptrdiff_t)s->pad_left;
                    r.tap_w[r.taps] = (1 + (c * s->kh + ky) * s->kw + kx) * r.mpad;
                    r.tap_col[r.taps] = (ptrdiff_t)(kx * s->dil_w) - (ptrdiff_t)s->pad_left;
                }
    /* Interior columns: ox * sw >= pad_left and
     * ox * sw - pad_left + (kw - 1) * dil_w <= in_w - 1. */
    const size_t sw = s->stride_w, span = (s->kw - 1) * s->dil_w;
    size_t xa = (s->pad_left + sw - 1) / sw, xb = 0;
    if (s->in_w + s->pad_left >= span + 1)
        xb = (s->in_w - 1 + s->pad_left - span) / sw + 1;
    if (xb > s->out_w)
        xb = s->out_w;
    if (xa > xb)
        xa = xb;
    const size_t blocks = r.last_block + 1;
    for (size_t b0 = 0; b0 < blocks;) {
        const size_t nb = blocks - b0 < STEM_MAX_NB ? blocks - b0 : STEM_MAX_NB;
        /* With the tap table, interior_blocks does the border too. */
        for (size_t ox = 0; ox < xa && !r.taps; ox++)
            for (size_t b = b0; b < b0 + nb; b++)
                border_pixel(&r, ox, b);
        interior_blocks(&r, nb, xa, xb, b0);
        for (size_t ox = xb; ox < s->out_w && !r.taps; ox++)
            for (size_t b = b0; b < b0 + nb; b++)
                border_pixel(&r, ox, b);
        b0 += nb;
    }
}
