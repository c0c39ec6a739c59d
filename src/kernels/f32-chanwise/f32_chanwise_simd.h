/* The f32-chanwise kernels written once for every SIMD width. Included only
 * by the ISA files, which first define vf, vf_tail, VF_LEN, CW_KERNEL (the
 * name of the variant's table), CW_ISA_NAME, CW_SUPPORTED and
 * vf_zero vf_set1 vf_load vf_store vf_add vf_mul vf_fmadd (a*b+c)
 * vf_tail_mask (0 < rem <= VF_LEN; VF_LEN gives every lane) vf_load_part
 * (masked-off lanes read as zero, never touched) vf_store_part.
 *
 * The sums keep two (four for the last vectors of a row) partial sums per
 * channel over alternate rows: one chain of dependent adds per channel
 * would wait on the add latency every row when C is small (16 or 32
 * channels: one or two vectors a row). */
#ifndef MBI_KERNELS_F32_CHANWISE_SIMD_H
#define MBI_KERNELS_F32_CHANWISE_SIMD_H

#include "kernels/f32-chanwise/f32_chanwise.h"

/* acc + a[i] * x; a NULL means every weight is one (the plain sum). */
static inline vf cw_acc(const float *a, size_t i, vf x, vf acc)
{
    return a ? vf_fmadd(vf_set1(a[i]), x, acc) : vf_add(acc, x);
}

/* acc[c] += sum_p (a ? a[p] : 1) * x[p][c]. */
static inline void cw_reduce(size_t p, size_t c, const float *a, const float *x, size_t ldx,
                             float *acc)
{
    size_t j = 0;
    /* Four full vectors of channels, two rows at a time. */
    for (; j + 4 * VF_LEN <= c; j += 4 * VF_LEN) {
        vf a0 = vf_zero(), a1 = vf_zero(), a2 = vf_zero(), a3 = vf_zero();
        vf b0 = vf_zero(), b1 = vf_zero(), b2 = vf_zero(), b3 = vf_zero();
        const float *r = x + j;
        size_t i = 0;
        for (; i + 2 <= p; i += 2, r += 2 * ldx) {
            a0 = cw_acc(a, i, vf_load(r), a0);
            a1 = cw_acc(a, i, vf_load(r + VF_LEN), a1);
            a2 = cw_acc(a, i, vf_load(r + 2 * VF_LEN), a2);
            a3 = cw_acc(a, i, vf_load(r + 3 * VF_LEN), a3);
            b0 = cw_acc(a, i + 1, vf_load(r + ldx), b0);
            b1 = cw_acc(a, i + 1, vf_load(r + ldx + VF_LEN), b1);
            b2 = cw_acc(a, i + 1, vf_load(r + ldx + 2 * VF_LEN), b2);
            b3 = cw_acc(a, i + 1, vf_load(r + ldx + 3 * VF_LEN), b3);
        }
        if (i < p) {
            a0 = cw_acc(a, i, vf_load(r), a0);
            a1 = cw_acc(a, i, vf_load(r + VF_LEN), a1);
            a2 = cw_acc(a, i, vf_load(r + 2 * VF_LEN), a2);
            a3 = cw_acc(a, i, vf_load(r + 3 * VF_LEN), a3);
        }
        float *o = acc + j;
        vf_store(o, vf_add(vf_load(o), vf_add(a0, b0)));
        vf_store(o + VF_LEN, vf_add(vf_load(o + VF_LEN), vf_add(a1, b1)));
        vf_store(o + 2 * VF_LEN, vf_add(vf_load(o + 2 * VF_LEN), vf_add(a2, b2)));
        vf_store(o + 3 * VF_LEN, vf_add(vf_load(o + 3 * VF_LEN), vf_add(a3, b3)));
    }
    /* The last (up to three full and one partial) vectors, one at a time,
     * four rows at a time. */
    for (; j < c; j += VF_LEN) {
        const vf_tail t = vf_tail_mask(c - j < VF_LEN ? c - j : VF_LEN);
        vf a0 = vf_zero(), a1 = vf_zero(), a2 = vf_zero(), a3 = vf_zero();
        const float *r = x + j;
        size_t i = 0;
        for (; i + 4 <= p; i += 4, r += 4 * ldx) {
            a0 = cw_acc(a, i, vf_load_part(r, t), a0);
            a1 = cw_acc(a, i + 1, vf_load_part(r + ldx, t), a1);
            a2 = cw_acc(a, i + 2, vf_load_part(r + 2 * ldx, t), a2);
            a3 = cw_acc(a, i + 3, vf_load_part(r + 3 * ldx, t), a3);
        }
        for (; i < p; i++, r += ldx)
            a0 = cw_acc(a, i, vf_load_part(r, t), a0);
        float *o = acc + j;
        vf_store_part(o, t, vf_add(vf_load_part(o, t), vf_add(vf_add(a0, a1), vf_add(a2, a3))));
    }
}

static void cw_sum(size_t p, size_t c, const float *x, size_t ldx, float *acc)
{
    cw_reduce(p, c, NULL, x, ldx, acc);
}

static void cw_axpy(size_t p, size_t c, const float *a, const float *x, size_t ldx, float *acc)
{
    cw_reduce(p, c, a, x, ldx, acc);
}

static void cw_scale(size_t p, size_t c, const float *x, size_t ldx, const float *s, float *y,
                     size_t ldy)
{
    for (size_t i = 0; i < p; i++, x += ldx, y += ldy) {
        size_t j = 0;
        for (; j + 2 * VF_LEN <= c; j += 2 * VF_LEN) {
            vf_store(y + j, vf_mul(vf_load(x + j), vf_load(s + j)));
            vf_store(y + j + VF_LEN, vf_mul(vf_load(x + j + VF_LEN), vf_load(s + j + VF_LEN)));
        }
        for (; j < c; j += VF_LEN) {
            const vf_tail t = vf_tail_mask(c - j < VF_LEN ? c - j : VF_LEN);
            vf_store_part(y + j, t, vf_mul(vf_load_part(x + j, t), vf_load_part(s + j, t)));
        }
    }
}

static void cw_scale_rows(size_t p, size_t c, const float *x, size_t ldx, const float *s, float *y,
                          size_t ldy)
{
    for (size_t i = 0; i < p; i++, x += ldx, y += ldy) {
        const vf si = vf_set1(s[i]);
        size_t j = 0;
        for (; j + 2 * VF_LEN <= c; j += 2 * VF_LEN) {
            vf_store(y + j, vf_mul(vf_load(x + j), si));
            vf_store(y + j + VF_LEN, vf_mul(vf_load(x + j + VF_LEN), si));
        }
        for (; j < c; j += VF_LEN) {
            const vf_tail t = vf_tail_mask(c - j < VF_LEN ? c - j : VF_LEN);
            vf_store_part(y + j, t, vf_mul(vf_load_part(x + j, t), si));
        }
    }
}

const mbi_f32_chanwise_kernel CW_KERNEL = {CW_ISA_NAME, CW_SUPPORTED, cw_sum,
                                           cw_axpy,     cw_scale,     cw_scale_rows};

#endif
