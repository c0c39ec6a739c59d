#include "ops/ref/pool_ref.h"

#include <float.h>
#include <math.h>

/* Input position of tap k of window o along axis a. */
static inline int64_t tap(const mbi_window3d *g, int a, int64_t o, int64_t k)
{
    return o * g->stride[a] - g->pad_begin[a] + k * g->dilation[a];
}

static inline int64_t ceil_div(int64_t a, int64_t d) /* d > 0 */
{
    return a >= 0 ? (a + d - 1) / d : -((-a) / d);
}

/* The taps k of window o along axis a whose positions lie in [lo, hi):
 * [*k_lo, *k_hi). Loops visit only these, so a huge kernel over a small
 * input (legal with SAME padding) costs what its real taps cost. */
static inline void tap_range(const mbi_window3d *g, int a, int64_t o, int64_t lo, int64_t hi,
                             int64_t *k_lo, int64_t *k_hi)
{
    int64_t base = o * g->stride[a] - g->pad_begin[a], d = g->dilation[a];
    int64_t b = ceil_div(lo - base, d), e = ceil_div(hi - base, d);
    if (b < 0)
        b = 0;
    if (e > g->kernel[a])
        e = g->kernel[a];
    *k_lo = b;
    *k_hi = e > b ? e : b;
}

/* Spatial index of (i0, i1, i2) in row-major or column-major order. */
static inline int64_t spatial_index(const mbi_window3d *g, int64_t i0, int64_t i1, int64_t i2,
                                    int storage_order)
{
    if (storage_order == 0)
        return (i0 * g->in[1] + i1) * g->in[2] + i2;
    return i0 + g->in[0] * (i1 + g->in[1] * i2);
}

static inline bool is_nan(double v)
{
    return v != v;
}

/* One body for every element type of MaxPool. */
#define MBI_DEFINE_MAXPOOL(name, T, lowest)                                                   \
    void name(const T *x, T *y, int64_t *indices, int64_t planes, const mbi_window3d *g,       \
              int storage_order)                                                               \
    {                                                                                          \
        const int64_t in_size = mbi_window_in_size(g), out_size = mbi_window_out_size(g);     \
        for (int64_t pl = 0; pl < planes; pl++) {                                              \
            const T *xp = x + pl * in_size;                                                    \
            int64_t n = pl * out_size;                                                         \
            for (int64_t o0 = 0; o0 < g->out[0]; o0++)                                         \
                for (int64_t o1 = 0; o1 < g->out[1]; o1++)                                     \
                    for (int64_t o2 = 0; o2 < g->out[2]; o2++, n++) {                          \
                        T best = lowest;                                                       \
                        int64_t best_at = -1;                                                  \
                        int64_t a0, b0, a1, b1, a2, b2;                                        \
                        tap_range(g, 0, o0, 0, g->in[0], &a0, &b0);                            \
                        tap_range(g, 1, o1, 0, g->in[1], &a1, &b1);                            \
                        tap_range(g, 2, o2, 0, g->in[2], &a2, &b2);                            \
                        for (int64_t k0 = a0; k0 < b0; k0++) {                                 \
                            int64_t i0 = tap(g, 0, o0, k0);                                    \
                            for (int64_t k1 = a1; k1 < b1; k1++) {                             \
                                int64_t i1 = tap(g, 1, o1, k1);                                \
                                for (int64_t k2 = a2; k2 < b2; k2++) {                         \
                                    int64_t i2 = tap(g, 2, o2, k2);                            \
                                    T v = xp[(i0 * g->in[1] + i1) * g->in[2] + i2];            \
                                    if (best_at < 0 || v > best) {                             \
                                        if (is_nan((double)v))                                 \
                                            continue;                                          \
                                        best = v;                                              \
                                        best_at = spatial_index(g, i0, i1, i2, storage_order); \
                                    }                                                          \
                                }                                                              \
                            }                                                                  \
                        }                                                                      \
                        y[n] = best;                                                           \
                        if (indices)                                                           \
                            indices[n] = pl * in_size + (best_at < 0 ? 0 : best_at);           \
                    }                                                                          \
        }                                                                                      \
    }

MBI_DEFINE_MAXPOOL(mbi_ref_maxpool_f32, float, -FLT_MAX)
MBI_DEFINE_MAXPOOL(mbi_ref_maxpool_u8, uint8_t, 0)
MBI_DEFINE_MAXPOOL(mbi_ref_maxpool_i8, int8_t, INT8_MIN)

/* Sums f(x) over the window of output (o0, o1, o2) of plane xp; *taps_in
 * counts the taps inside the input, *taps_padded those inside the padded
 * input. mode 0: f(x) = x; otherwise f(x) = |x|^p. */
static double window_sum(const float *xp, const mbi_window3d *g, int64_t o0, int64_t o1,
                         int64_t o2, int mode, double p, double *taps_in, double *taps_padded)
{
    /* Windows are boxes, so the tap counts are products of per-axis counts:
     * taps inside the input, and taps inside the padded input (taps never
     * start below -pad_begin). */
    const int64_t o[3] = {o0, o1, o2};
    int64_t lo[3], hi[3];
    double n_in = 1, n_pad = 1; /* double: three huge axes overflow int64 */
    for (int a = 0; a < 3; a++) {
        int64_t plo, phi;
        tap_range(g, a, o[a], -g->pad_begin[a], g->in[a] + g->pad_end[a], &plo, &phi);
        tap_range(g, a, o[a], 0, g->in[a], &lo[a], &hi[a]);
        n_pad *= (double)(phi - plo);
        n_in *= (double)(hi[a] - lo[a]);
    }
    double sum = 0.0;
    for (int64_t k0 = lo[0]; k0 < hi[0]; k0++) {
        int64_t i0 = tap(g, 0, o0, k0);
        for (int64_t k1 = lo[1]; k1 < hi[1]; k1++) {
            int64_t i1 = tap(g, 1, o1, k1);
            for (int64_t k2 = lo[2]; k2 < hi[2]; k2++) {
                int64_t i2 = tap(g, 2, o2, k2);
                double v = xp[(i0 * g->in[1] + i1) * g->in[2] + i2];
                sum += mode == 0 ? v : pow(fabs(v), p);
            }
        }
    }
    *taps_in = n_in;
    *taps_padded = n_pad;
    return sum;
}

void mbi_ref_avgpool_f32(const float *x, float *y, int64_t planes, const mbi_window3d *g,
                         bool count_include_pad)
{
    const int64_t in_size = mbi_window_in_size(g);
    int64_t n = 0;
    for (int64_t pl = 0; pl < planes; pl++)
        for (int64_t o0 = 0; o0 < g->out[0]; o0++)
            for (int64_t o1 = 0; o1 < g->out[1]; o1++)
                for (int64_t o2 = 0; o2 < g->out[2]; o2++, n++) {
                    double taps_in, taps_padded;
                    double sum = window_sum(x + pl * in_size, g, o0, o1, o2, 0, 1.0, &taps_in,
                                            &taps_padded);
                    double count = count_include_pad ? taps_padded : taps_in;
                    y[n] = count > 0 ? (float)(sum / count) : 0.0f;
                }
}

void mbi_ref_lppool_f32(const float *x, float *y, int64_t planes, const mbi_window3d *g,
                        double p)
{
    const int64_t in_size = mbi_window_in_size(g);
    int64_t n = 0;
    for (int64_t pl = 0; pl < planes; pl++)
        for (int64_t o0 = 0; o0 < g->out[0]; o0++)
            for (int64_t o1 = 0; o1 < g->out[1]; o1++)
                for (int64_t o2 = 0; o2 < g->out[2]; o2++, n++) {
                    double taps_in, taps_padded;
                    double sum = window_sum(x + pl * in_size, g, o0, o1, o2, 1, p, &taps_in,
                                            &taps_padded);
                    y[n] = (float)pow(sum, 1.0 / p);
                }
}

void mbi_ref_global_avgpool_f32(const float *x, float *y, int64_t planes, int64_t size)
{
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * size;
        double sum = 0.0;
        for (int64_t i = 0; i < size; i++)
            sum += xp[i];
        y[pl] = size > 0 ? (float)(sum / (double)size) : 0.0f;
    }
}

void mbi_ref_global_maxpool_f32(const float *x, float *y, int64_t planes, int64_t size)
{
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * size;
        float best = -FLT_MAX;
        for (int64_t i = 0; i < size; i++)
            if (xp[i] > best)
                best = xp[i];
        y[pl] = best;
    }
}

void mbi_ref_global_lppool_f32(const float *x, float *y, int64_t planes, int64_t size, double p)
{
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * size;
        double sum = 0.0;
        for (int64_t i = 0; i < size; i++)
            sum += pow(fabs((double)xp[i]), p);
        y[pl] = (float)pow(sum, 1.0 / p);
    }
}
