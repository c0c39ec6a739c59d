/* Softmax and log-softmax written once for every SIMD width, with vf_exp's
 * polynomial (f32_vact_simd.h). Included only by the ISA files after
 * f32_vact_simd.h; besides its primitives they define
 *   vf_load_part_fill (a partial load whose other lanes get a given value)
 *   vf_hmax vf_hsum   (horizontal max and sum of one vector)
 *
 * NaN and inf follow mbi_ref_softmax_f32: the max skips NaN (vf_max keeps
 * its second operand, the accumulator, which therefore never holds NaN), so
 * a NaN, a +inf (inf - inf) or a row of -inf (-inf - -inf) makes the sum and
 * so the whole row NaN. */
#ifndef MBI_KERNELS_F32_VSOFTMAX_SIMD_H
#define MBI_KERNELS_F32_VSOFTMAX_SIMD_H

#include <math.h>

/* exp(z) for z <= 0 or NaN (z = x - max): vf_exp's polynomial without its
 * upper clamp, and n rounded by the magic-number addition folded into the
 * multiply by log2(e) rather than by a rounding instruction (two uops on
 * AVX-512); the exp pass is most of a softmax. Results below FLT_MIN
 * (z < -87.3) cost a microcode assist unless the thread flushes denormals,
 * as a session's runs do (dispatch/denormals.h). */
static inline vf VF_NAME(exp_nonpos)(vf z)
{
    z = vf_max(vf_set1(MBI_EXP_LO), z); /* NaN stays NaN; -inf becomes 0 */
    const vf magic = vf_set1(MBI_EXPT_MAGIC);
    return vf_exp_reduced(z, vf_sub(vf_fmadd(z, vf_set1(MBI_LOG2E), magic), magic));
}

/* Partial-vector lanes read as -inf: they leave the max alone and their
 * exp(-inf - max) is 0 in the sum (NaN when max is -inf, as the row then
 * is anyway). */
static inline float VF_NAME(row_max)(const float *x, size_t n)
{
    const vf ninf = vf_set1(-INFINITY);
    /* two accumulators: a max chain per vector would wait on its latency */
    vf m0 = ninf, m1 = ninf;
    size_t i = 0;
    for (; i + 2 * VF_LEN <= n; i += 2 * VF_LEN) {
        m0 = vf_max(vf_load(x + i), m0);
        m1 = vf_max(vf_load(x + i + VF_LEN), m1);
    }
    if (i + VF_LEN <= n) {
        m0 = vf_max(vf_load(x + i), m0);
        i += VF_LEN;
    }
    if (i < n)
        m1 = vf_max(vf_load_part_fill(x + i, vf_tail_mask(n - i), ninf), m1);
    return vf_hmax(vf_max(m0, m1));
}

/* Sum of exp(x - max), stored to y unless y is NULL. */
static inline float VF_NAME(row_exp_sum)(const float *x, float *y, size_t n, vf vmax)
{
    vf s0 = vf_set1(0.0f), s1 = s0;
    size_t i = 0;
    for (; i + 2 * VF_LEN <= n; i += 2 * VF_LEN) {
        const vf e0 = VF_NAME(exp_nonpos)(vf_sub(vf_load(x + i), vmax));
        const vf e1 = VF_NAME(exp_nonpos)(vf_sub(vf_load(x + i + VF_LEN), vmax));
        if (y) {
            vf_store(y + i, e0);
            vf_store(y + i + VF_LEN, e1);
        }
        s0 = vf_add(s0, e0);
        s1 = vf_add(s1, e1);
    }
    if (i + VF_LEN <= n) {
        const vf e = VF_NAME(exp_nonpos)(vf_sub(vf_load(x + i), vmax));
        if (y)
            vf_store(y + i, e);
        s0 = vf_add(s0, e);
        i += VF_LEN;
    }
    if (i < n) {
        const vf_tail t = vf_tail_mask(n - i);
        const vf v = vf_load_part_fill(x + i, t, vf_set1(-INFINITY));
        const vf e = VF_NAME(exp_nonpos)(vf_sub(v, vmax));
        if (y)
            vf_store_part(y + i, t, e);
        s1 = vf_add(s1, e);
    }
    return vf_hsum(vf_add(s0, s1));
}

/* Softmax: max, then exp stored while summed, then y *= 1/sum: the third
 * pass reads what the second just wrote, from L1 for any row up to a few
 * thousand elements. Log-softmax: max, the sum alone, then
 * y = (x - max) - log(sum), rounded as the reference rounds it. Each pass
 * reads x[i] before writing y[i], so y may be x. */
static void VF_NAME(softmax_row)(const float *x, float *y, size_t n, bool take_log)
{
    const float mx = VF_NAME(row_max)(x, n);
    const vf vmax = vf_set1(mx);
    size_t i = 0;
    if (take_log) {
        const vf ls = vf_set1(logf(VF_NAME(row_exp_sum)(x, NULL, n, vmax)));
        for (; i + VF_LEN <= n; i += VF_LEN)
            vf_store(y + i, vf_sub(vf_sub(vf_load(x + i), vmax), ls));
        if (i < n) {
            const vf_tail t = vf_tail_mask(n - i);
            vf_store_part(y + i, t, vf_sub(vf_sub(vf_load_part(x + i, t), vmax), ls));
        }
        return;
    }
    const vf inv = vf_set1(1.0f / VF_NAME(row_exp_sum)(x, y, n, vmax));
    for (; i + VF_LEN <= n; i += VF_LEN)
        vf_store(y + i, vf_mul(vf_load(y + i), inv));
    if (i < n) {
        const vf_tail t = vf_tail_mask(n - i);
        vf_store_part(y + i, t, vf_mul(vf_load_part(y + i, t), inv));
    }
}

void VF_NAME(mbi_f32_softmax_rows)(const float *x, float *y, size_t rows, size_t len, bool take_log)
{
    for (size_t r = 0; r < rows; r++)
        VF_NAME(softmax_row)(x + r * len, y + r * len, len, take_log);
}

/* Columns: the vector runs across VF_LEN adjacent columns and each pass
 * walks down them, so every lane is one column's own softmax. A partial
 * block loads zeros into its unused lanes and never stores them. */
static inline vf VF_NAME(col_load)(const float *p, size_t w, vf_tail t)
{
    return w == VF_LEN ? vf_load(p) : vf_load_part(p, t);
}

static inline void VF_NAME(col_store)(float *p, size_t w, vf_tail t, vf v)
{
    if (w == VF_LEN)
        vf_store(p, v);
    else
        vf_store_part(p, t, v);
}

void VF_NAME(mbi_f32_softmax_cols)(const float *x, float *y, size_t len, size_t stride, size_t cols,
                                   bool take_log)
{
    for (size_t j = 0; j < cols; j += VF_LEN) {
        const size_t w = cols - j < VF_LEN ? cols - j : VF_LEN;
        const vf_tail t = vf_tail_mask(w < VF_LEN ? w : 1);
        const float *xc = x + j;
        float *yc = y + j;
        vf m = vf_set1(-INFINITY);
        for (size_t i = 0; i < len; i++)
            m = vf_max(VF_NAME(col_load)(xc + i * stride, w, t), m);
        vf s = vf_set1(0.0f);
        for (size_t i = 0; i < len; i++) {
            const vf e = VF_NAME(exp_nonpos)(vf_sub(VF_NAME(col_load)(xc + i * stride, w, t), m));
            if (!take_log)
                VF_NAME(col_store)(yc + i * stride, w, t, e);
            s = vf_add(s, e);
        }
        if (take_log) {
            float lanes[VF_LEN];
            vf_store(lanes, s);
            for (size_t k = 0; k < VF_LEN; k++)
                lanes[k] = logf(lanes[k]);
            const vf ls = vf_load(lanes);
            for (size_t i = 0; i < len; i++) {
                const vf v = VF_NAME(col_load)(xc + i * stride, w, t);
                VF_NAME(col_store)(yc + i * stride, w, t, vf_sub(vf_sub(v, m), ls));
            }
        } else {
            const vf inv = vf_div(vf_set1(1.0f), s);
            for (size_t i = 0; i < len; i++) {
                const vf v = VF_NAME(col_load)(yc + i * stride, w, t);
                VF_NAME(col_store)(yc + i * stride, w, t, vf_mul(v, inv));
            }
        }
    }
}

#endif
