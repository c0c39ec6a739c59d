/* Every f32 depthwise convolution variant this CPU runs against a plain
 * double-accumulated reference on random shapes: channel counts around the
 * vector widths, kernels 1/3/5/7 and non-square ones, strides 1-3,
 * dilation 1-2, symmetric and asymmetric padding (including windows wholly
 * in the padding), tiny and odd images, output rows computed in two ranges
 * or only partly, every in-register epilogue (none, clamp, HardSigmoid,
 * HardSwish), no bias. Buffers are exactly as large
 * as the contract says, so the sanitizer build catches any access past
 * them; the output starts as a sentinel so writes outside the requested
 * rows are caught too. Every case runs twice: on the image, and through a
 * table of row pointers (mbi_dwconv_shape.in_rows) whose rows are separate
 * allocations of exactly one row, with NULL for the rows the requested
 * output rows do not read and no image pointer at all, the second row range
 * written to a band buffer that starts at its first row (out_row0). A last
 * set of cases aims at the band path of the SIMD variants (f32_dwconv_band.h):
 * rows of 7, 14 and other widths, odd heights and row ranges, tails. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-dwconv/f32_dwconv.h"

#define SENTINEL 12345.0f

#define TEST_RNG_SEED 2024u
#include "test_rng.h"
#include "test_epilogue.h"

typedef struct dw_case {
    mbi_dwconv_shape s;
    size_t pad_bottom, pad_right; /* only to derive out_h, out_w */
    bool bias;
    test_epi epi;
    size_t row_a, row_b; /* compute [0, a) and [a, b); rows from b on must stay untouched */
} dw_case;

static size_t out_size(size_t in, size_t pad_a, size_t pad_b, size_t k, size_t dil, size_t stride)
{
    size_t span = dil * (k - 1) + 1;
    if (in + pad_a + pad_b < span)
        return 0;
    return (in + pad_a + pad_b - span) / stride + 1;
}

static void reference(const dw_case *tc, const float *in, const float *w, const float *bias, float *out,
                      double *mag)
{
    const mbi_dwconv_shape *s = &tc->s;
    const size_t c = s->channels;
    for (size_t oy = 0; oy < s->out_h; oy++)
        for (size_t ox = 0; ox < s->out_w; ox++)
            for (size_t ch = 0; ch < c; ch++) {
                double acc = bias ? bias[ch] : 0.0, m = fabs(acc);
                for (size_t i = 0; i < s->kh; i++)
                    for (size_t j = 0; j < s->kw; j++) {
                        ptrdiff_t iy = (ptrdiff_t)(oy * s->stride_h + i * s->dil_h) - (ptrdiff_t)s->pad_top;
                        ptrdiff_t ix = (ptrdiff_t)(ox * s->stride_w + j * s->dil_w) - (ptrdiff_t)s->pad_left;
                        if (iy < 0 || ix < 0 || iy >= (ptrdiff_t)s->in_h || ix >= (ptrdiff_t)s->in_w)
                            continue;
                        double p = (double)w[(ch * s->kh + i) * s->kw + j] *
                                   in[((size_t)iy * s->in_w + (size_t)ix) * c + ch];
                        acc += p;
                        m += fabs(p);
                    }
                acc = te_apply(tc->epi, -0.3f, 0.4f, acc);
                size_t at = (oy * s->out_w + ox) * c + ch;
                out[at] = (float)acc;
                mag[at] = m;
            }
}

static void describe(const dw_case *tc)
{
    const mbi_dwconv_shape *s = &tc->s;
    fprintf(stderr,
            "  in %zux%zu c %zu k %zux%zu s %zux%zu d %zux%zu pad t%zu l%zu b%zu r%zu out %zux%zu bias %d %s rows "
            "[0,%zu)[%zu,%zu)\n",
            s->in_h, s->in_w, s->channels, s->kh, s->kw, s->stride_h, s->stride_w, s->dil_h, s->dil_w, s->pad_top,
            s->pad_left, tc->pad_bottom, tc->pad_right, s->out_h, s->out_w, tc->bias, te_names[tc->epi], tc->row_a,
            tc->row_a, tc->row_b);
}

/* Returns the number of bad elements; prints the first. */
static int run_case(const mbi_f32_dwconv_kernel *kern, const dw_case *tc)
{
    const mbi_dwconv_shape *s = &tc->s;
    const size_t c = s->channels, taps = s->kh * s->kw;
    const size_t n_in = s->in_h * s->in_w * c, n_out = s->out_h * s->out_w * c;
    float *in = malloc(n_in * sizeof(float));
    float *w = malloc(c * taps * sizeof(float));
    float *bias = malloc(c * sizeof(float));
    float *out = malloc((n_out ? n_out : 1) * sizeof(float));
    float *ref = malloc((n_out ? n_out : 1) * sizeof(float));
    double *mag = malloc((n_out ? n_out : 1) * sizeof(double));
    const size_t pf = mbi_f32_dwconv_packed_floats(kern, c, s->kh, s->kw);
    float *packed = malloc(pf * sizeof(float));
    for (size_t i = 0; i < n_in; i++)
        in[i] = rnd();
    for (size_t i = 0; i < c * taps; i++)
        w[i] = rnd();
    /* A wide bias takes the hard activations' inputs past -3 and 3. */
    const float bias_scale = tc->epi >= TE_HARD_SIGMOID ? 6.0f : 1.0f;
    for (size_t i = 0; i < c; i++)
        bias[i] = bias_scale * rnd();
    for (size_t i = 0; i < n_out; i++)
        out[i] = SENTINEL;
    mbi_f32_dwconv_pack(kern, c, s->kh, s->kw, w, tc->bias ? bias : NULL, packed);
    reference(tc, in, w, tc->bias ? bias : NULL, ref, mag);

    const mbi_f32_minmax mm = te_minmax(tc->epi, -0.3f, 0.4f);
    float *out_rows = malloc((n_out ? n_out : 1) * sizeof(float));
    for (size_t i = 0; i < n_out; i++)
        out_rows[i] = SENTINEL;
    mbi_f32_dwconv_compute(kern, s, in, packed, out, 0, tc->row_a, &mm);
    mbi_f32_dwconv_compute(kern, s, in, packed, out, tc->row_a, tc->row_b, &mm);

    /* The same rows through the row table. */
    const size_t row_floats = s->in_w * c;
    float **rows = calloc(s->in_h, sizeof *rows);
    for (size_t oy = 0; oy < tc->row_b; oy++)
        for (size_t i = 0; i < s->kh; i++) {
            ptrdiff_t iy = (ptrdiff_t)(oy * s->stride_h + i * s->dil_h) - (ptrdiff_t)s->pad_top;
            if (iy < 0 || iy >= (ptrdiff_t)s->in_h || rows[iy])
                continue;
            rows[iy] = malloc(row_floats * sizeof(float));
            memcpy(rows[iy], in + (size_t)iy * row_floats, row_floats * sizeof(float));
        }
    mbi_dwconv_shape st = *s;
    st.in_rows = (const float *const *)rows;
    mbi_f32_dwconv_compute(kern, &st, NULL, packed, out_rows, 0, tc->row_a, &mm);
    /* The second range as a band buffer starting at its first row (out_row0). */
    st.out_row0 = tc->row_a;
    mbi_f32_dwconv_compute(kern, &st, NULL, packed, out_rows + tc->row_a * s->out_w * c, tc->row_a,
                           tc->row_b, &mm);
    for (size_t iy = 0; iy < s->in_h; iy++)
        free(rows[iy]);
    free(rows);

    int bad = 0;
    const size_t done = tc->row_b * s->out_w * c;
    for (size_t i = 0; i < n_out; i++) {
        bool ok;
        if (i < done)
            ok = fabs((double)out[i] - ref[i]) <= te_tolerance(tc->epi, 1e-5 * mag[i] + 1e-6, ref[i]);
        else
            ok = out[i] == SENTINEL;
        if (!ok && bad++ == 0) {
            size_t px = i / c;
            fprintf(stderr, "%s: pixel (%zu, %zu) channel %zu: got %g want %g\n", kern->name, px / s->out_w,
                    px % s->out_w, i % c, out[i], i < done ? ref[i] : SENTINEL);
            describe(tc);
        }
        /* The row table gives the very same sums. */
        if (memcmp(&out_rows[i], &out[i], sizeof(float)) != 0 && bad++ == 0) {
            size_t px = i / c;
            fprintf(stderr, "%s (row table): pixel (%zu, %zu) channel %zu: got %g want %g\n", kern->name,
                    px / s->out_w, px % s->out_w, i % c, out_rows[i], out[i]);
            describe(tc);
        }
    }
    free(in);
    free(w);
    free(bias);
    free(out);
    free(out_rows);
    free(ref);
    free(mag);
    free(packed);
    return bad;
}

static const size_t channel_set[] = {1, 3, 7, 8, 15, 16, 17, 33, 96, 144};
#define N_CHANNELS (sizeof channel_set / sizeof channel_set[0])

/* Random padding, dilation, image size and rows for the given channels, kernel and strides;
 * false when the drawn shape has no output. */
static bool fill_case(dw_case *tc, size_t c, size_t kh, size_t kw, size_t sh, size_t sw, size_t max_in)
{
    mbi_dwconv_shape *s = &tc->s;
    memset(tc, 0, sizeof *tc);
    s->channels = c;
    s->kh = kh;
    s->kw = kw;
    s->stride_h = sh;
    s->stride_w = sw;
    s->dil_h = 1 + rnd_below(4) / 3; /* mostly 1 */
    s->dil_w = rnd_below(4) == 0 ? 2 : s->dil_h;
    s->pad_top = rnd_below(4);
    s->pad_left = rnd_below(4);
    /* Usually "same"-style symmetric padding, sometimes anything. */
    bool symmetric = rnd_below(3) != 0;
    tc->pad_bottom = symmetric ? s->pad_top : rnd_below(4);
    tc->pad_right = symmetric ? s->pad_left : rnd_below(4);
    s->in_h = 1 + rnd_below(max_in);
    s->in_w = 1 + rnd_below(max_in);
    s->out_h = out_size(s->in_h, s->pad_top, tc->pad_bottom, kh, s->dil_h, sh);
    s->out_w = out_size(s->in_w, s->pad_left, tc->pad_right, kw, s->dil_w, sw);
    if (s->out_h == 0 || s->out_w == 0)
        return false;
    tc->bias = rnd_below(4) != 0;
    tc->epi = (test_epi)rnd_below(TE_COUNT);
    tc->row_b = rnd_below(5) == 0 ? rnd_below(s->out_h + 1) : s->out_h;
    tc->row_a = rnd_below(tc->row_b + 1);
    return true;
}

static int run_all(const mbi_f32_dwconv_kernel *kern, const dw_case *tc)
{
    int bad = run_case(kern, tc);
    CHECK(bad == 0, "%s: %d bad elements", kern->name, bad);
    return bad;
}

static void test_variant(const mbi_f32_dwconv_kernel *kern)
{
    static const size_t ks[] = {1, 3, 5, 7};
    size_t cases = 0, failures = 0;
    dw_case tc;
    /* Every channel count x square kernel x stride, a few draws each. */
    for (size_t ci = 0; ci < N_CHANNELS; ci++)
        for (size_t ki = 0; ki < 4; ki++)
            for (size_t st = 1; st <= 3; st++)
                for (int rep = 0; rep < 3; rep++) {
                    size_t max_in = channel_set[ci] > 64 ? 10 : 20;
                    if (!fill_case(&tc, channel_set[ci], ks[ki], ks[ki], st, st, max_in))
                        continue;
                    cases++;
                    failures += run_all(kern, &tc) != 0;
                }
    /* Anything: non-square kernels, different strides per axis. */
    for (int rep = 0; rep < 600; rep++) {
        size_t c = channel_set[rnd_below(N_CHANNELS)];
        size_t kh = 1 + rnd_below(7), kw = rnd_below(2) ? kh : 1 + rnd_below(7);
        if (!fill_case(&tc, c, kh, kw, 1 + rnd_below(3), 1 + rnd_below(3), c > 64 ? 9 : 16))
            continue;
        cases++;
        failures += run_all(kern, &tc) != 0;
    }
    /* Tiny images, with and without padding, every fast-path size. */
    static const size_t tiny[][2] = {{1, 1}, {2, 3}, {3, 2}, {1, 5}, {4, 1}};
    for (size_t ti = 0; ti < 5; ti++)
        for (size_t ki = 0; ki < 4; ki++)
            for (size_t pad = 0; pad <= 3; pad++) {
                memset(&tc, 0, sizeof tc);
                mbi_dwconv_shape *s = &tc.s;
                *s = (mbi_dwconv_shape){tiny[ti][0], tiny[ti][1], 17, ks[ki], ks[ki], 1 + pad % 2, 1 + pad % 2,
                                        1, 1, pad, pad, 0, 0, NULL, 0};
                tc.pad_bottom = tc.pad_right = pad;
                s->out_h = out_size(s->in_h, pad, pad, ks[ki], 1, s->stride_h);
                s->out_w = out_size(s->in_w, pad, pad, ks[ki], 1, s->stride_w);
                if (s->out_h == 0 || s->out_w == 0)
                    continue;
                tc.bias = true;
                tc.epi = (test_epi)(cases % TE_COUNT);
                tc.row_a = s->out_h / 2;
                tc.row_b = s->out_h;
                cases++;
                failures += run_all(kern, &tc) != 0;
            }
    /* MobileNet-like layers: interiors wide enough for the fast paths. */
    static const size_t layers[][5] = {
        /* in, c, k, stride, pad */
        {28, 96, 3, 2, 1}, {14, 144, 3, 1, 1}, {14, 33, 5, 1, 2}, {15, 40, 5, 2, 2}, {9, 24, 7, 1, 3}, {12, 17, 7, 2, 3},
        /* Inputs over 1 MB keep the row-outer walker for the image (not for the row table, nor for
         * the short first range): both must give the very same sums. */
        {56, 200, 3, 1, 1}, {48, 232, 5, 2, 2},
    };
    for (size_t li = 0; li < sizeof layers / sizeof layers[0]; li++) {
        memset(&tc, 0, sizeof tc);
        const size_t *l = layers[li];
        tc.s = (mbi_dwconv_shape){l[0], l[0] + 1, l[1], l[2], l[2], l[3], l[3], 1, 1, l[4], l[4], 0, 0, NULL, 0};
        tc.pad_bottom = tc.pad_right = l[4];
        tc.s.out_h = out_size(l[0], l[4], l[4], l[2], 1, l[3]);
        tc.s.out_w = out_size(l[0] + 1, l[4], l[4], l[2], 1, l[3]);
        tc.bias = true;
        tc.epi = (test_epi)(li % TE_COUNT);
        tc.row_a = tc.s.out_h / 3;
        tc.row_b = tc.s.out_h;
        cases++;
        failures += run_all(kern, &tc) != 0;
    }
    /* The band path (square 3/5/7, dilation 1, equal strides 1 or 2, rows of 7+ pixels): rows of 7
     * and 14 (whole groups of 7), other widths (a last group overlapping the one before), odd and
     * even heights and row ranges (pairs of rows, and a row alone), channel tails, padding from
     * none (all groups interior) to more than half the filter (empty interiors, windows in the
     * padding). */
    static const size_t widths[] = {7, 8, 13, 14, 15, 28};
    static const size_t band_channels[] = {16, 17, 40, 200};
    for (size_t ki = 1; ki < 4; ki++)
        for (size_t st = 1; st <= 2; st++)
            for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++)
                for (int rep = 0; rep < 3; rep++) {
                    memset(&tc, 0, sizeof tc);
                    mbi_dwconv_shape *s = &tc.s;
                    const size_t k = ks[ki], pad = rep == 0 ? k / 2 : rnd_below(k + 1);
                    s->channels = band_channels[rnd_below(4)];
                    s->kh = s->kw = k;
                    s->stride_h = s->stride_w = st;
                    s->dil_h = s->dil_w = 1;
                    s->pad_top = s->pad_left = pad;
                    tc.pad_bottom = tc.pad_right = rep == 2 ? rnd_below(k) : pad;
                    /* Input width giving out_w == widths[wi] under this padding. */
                    const size_t span = (widths[wi] - 1) * st + k;
                    if (span <= pad + tc.pad_right)
                        continue;
                    s->in_w = span - pad - tc.pad_right;
                    s->in_h = 1 + rnd_below(s->channels > 64 ? 12 : 20);
                    s->out_h = out_size(s->in_h, pad, tc.pad_bottom, k, 1, st);
                    s->out_w = out_size(s->in_w, pad, tc.pad_right, k, 1, st);
                    if (s->out_h == 0 || s->out_w == 0)
                        continue;
                    tc.bias = rep != 1;
                    tc.epi = (test_epi)((ki + wi + (size_t)rep) % TE_COUNT);
                    tc.row_b = rep == 1 ? rnd_below(s->out_h + 1) : s->out_h;
                    tc.row_a = rnd_below(tc.row_b + 1);
                    cases++;
                    failures += run_all(kern, &tc) != 0;
                }
    printf("%s: %zu cases, %zu failed\n", kern->name, cases, failures);
}

/* Packing puts bias first and zero-pads the last block. */
static void test_pack_layout(const mbi_f32_dwconv_kernel *kern)
{
    const size_t c = kern->channel_tile + 1, kh = 3, kw = 2, ct = kern->channel_tile;
    float w[(16 + 1) * 6], bias[16 + 1];
    for (size_t i = 0; i < c * kh * kw; i++)
        w[i] = (float)(i + 1);
    for (size_t i = 0; i < c; i++)
        bias[i] = -(float)(i + 1);
    size_t pf = mbi_f32_dwconv_packed_floats(kern, c, kh, kw);
    CHECK(pf == 2 * ct * 7, "%s: packed floats %zu", kern->name, pf);
    float packed[2 * 16 * 7];
    mbi_f32_dwconv_pack(kern, c, kh, kw, w, bias, packed);
    const float *b1 = packed + ct * 7;
    CHECK(packed[0] == -1.0f && packed[ct + 1] == w[6] && b1[0] == bias[ct] && b1[1] == 0.0f &&
              b1[ct + 1] == 0.0f && b1[ct] == w[ct * 6],
          "%s: packed layout", kern->name);
}

int main(void)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_dwconv_kernel *const *vars = mbi_f32_dwconv_kernel_variants(&count);
    printf("selected: %s\n", mbi_f32_dwconv_kernel_select(&cpu)->name);
    for (size_t i = 0; i < count; i++) {
        if (!vars[i]->supported(&cpu)) {
            printf("%s: skipped (CPU lacks the ISA)\n", vars[i]->name);
            continue;
        }
        test_pack_layout(vars[i]);
        test_variant(vars[i]);
    }
    te_check_regions("f32_dwconv");
    return check_summary();
}
