/* Every f32 stem convolution variant this CPU runs against the reference
 * convolution (src/ops/ref/conv_ref.c) on random shapes: 1 to 4 input
 * channels, output channels around the vector widths (1..70: 8, 13, 24, 40,
 * 64...), kernels 1, 3, 5, 7, 9 (more taps than the tap table) and non-square
 * ones, strides 1-3, dilation 1-2,
 * asymmetric padding up to windows wholly in the padding, odd and tiny
 * images, an output row stride wider than the channels, every in-register
 * epilogue (none, clamp, HardSigmoid, HardSwish: tests/support/test_epilogue.h),
 * no bias, and rows computed in two calls. The input buffer is exactly as
 * large as the image, so the sanitizer build catches any read past it; the
 * output starts as a sentinel to catch writes outside the channels. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-stemconv/f32_stemconv.h"
#include "ops/ref/conv_ref.h"
#include "test_epilogue.h"

#define SENTINEL 12345.0f

#define TEST_RNG_SEED 4242u
#include "test_rng.h"

typedef struct stem_case {
    mbi_stemconv_shape s;
    size_t pad_bottom, pad_right;
    bool bias;
    test_epi epi;
} stem_case;

static void check_case(const mbi_f32_stemconv_kernel *kern, const stem_case *tc)
{
    const mbi_stemconv_shape *s = &tc->s;
    const size_t taps = s->c * s->kh * s->kw, out_px = s->out_h * s->out_w;
    const size_t in_floats = s->c * s->in_h * s->in_w;
    float *x = malloc(in_floats * sizeof(float));
    float *w = malloc(s->m * taps * sizeof(float));
    float *bias = malloc(s->m * sizeof(float));
    float *ref = malloc(s->m * out_px * sizeof(float));
    float *col = malloc(taps * out_px * sizeof(float));
    float *y = malloc(out_px * s->ldc * sizeof(float));
    float *packed = NULL;
    size_t pf = mbi_f32_stemconv_packed_floats(kern, s->c, s->m, s->kh, s->kw);
    if (posix_memalign((void **)&packed, 64, pf * sizeof(float)) != 0)
        packed = NULL;
    CHECK(x && w && bias && ref && col && y && packed, "out of memory");
    if (!(x && w && bias && ref && col && y && packed))
        goto done;
    for (size_t i = 0; i < in_floats; i++)
        x[i] = 3.0f * rnd(); /* sums past the hard activations' breakpoints */
    for (size_t i = 0; i < s->m * taps; i++)
        w[i] = rnd();
    for (size_t i = 0; i < s->m; i++)
        bias[i] = rnd();
    for (size_t i = 0; i < out_px * s->ldc; i++)
        y[i] = SENTINEL;
    mbi_window3d g = {
        .in = {1, (int64_t)s->in_h, (int64_t)s->in_w},
        .out = {1, (int64_t)s->out_h, (int64_t)s->out_w},
        .kernel = {1, (int64_t)s->kh, (int64_t)s->kw},
        .stride = {1, (int64_t)s->stride_h, (int64_t)s->stride_w},
        .dilation = {1, (int64_t)s->dil_h, (int64_t)s->dil_w},
        .pad_begin = {0, (int64_t)s->pad_top, (int64_t)s->pad_left},
        .pad_end = {0, (int64_t)tc->pad_bottom, (int64_t)tc->pad_right}};
    mbi_ref_conv_f32(x, w, tc->bias ? bias : NULL, ref, 1, (int64_t)s->c, (int64_t)s->m, 1, &g,
                     col);
    mbi_f32_stemconv_pack(kern, s->c, s->m, s->kh, s->kw, w, tc->bias ? bias : NULL, packed);
    const float lo = -0.5f, hi = 0.75f;
    const mbi_f32_minmax mm = te_minmax(tc->epi, lo, hi);
    const size_t split = s->out_h > 1 ? 1 + rnd_below(s->out_h - 1) : s->out_h;
    mbi_f32_stemconv_compute(kern, s, x, packed, y, 0, split, &mm);
    mbi_f32_stemconv_compute(kern, s, x, packed, y, split, s->out_h, &mm);

    int bad = 0;
    double max_err = 0;
    for (size_t p = 0; p < out_px; p++)
        for (size_t j = 0; j < s->ldc; j++) {
            const float got = y[p * s->ldc + j];
            if (j >= s->m) {
                if (got != SENTINEL && bad++ == 0)
                    fprintf(stderr, "  %s: wrote Y[%zu][%zu] past the channels\n", kern->name,
                            p, j);
                continue;
            }
            const double want = te_apply(tc->epi, lo, hi, ref[j * out_px + p]);
            const double err = fabs((double)got - want);
            if (err > max_err)
                max_err = err;
            if (!(err <= te_tolerance(tc->epi, 3e-4 * (1 + taps / 16.0), want)) && bad++ == 0)
                fprintf(stderr, "  %s: Y[%zu][%zu] = %g, want %g\n", kern->name, p, j, got,
                        want);
        }
    CHECK(bad == 0,
          "%s: c%zu m%zu ldc%zu %zux%zu k%zux%zu s%zu,%zu d%zu,%zu pads %zu,%zu,%zu,%zu -> "
          "%zux%zu bias %d %s: %d wrong (max err %g)",
          kern->name, s->c, s->m, s->ldc, s->in_h, s->in_w, s->kh, s->kw, s->stride_h,
          s->stride_w, s->dil_h, s->dil_w, s->pad_top, s->pad_left, tc->pad_bottom,
          tc->pad_right, s->out_h, s->out_w, tc->bias, te_names[tc->epi], bad, max_err);
done:
    free(x), free(w), free(bias), free(ref), free(col), free(y), free(packed);
}

static size_t out_size(size_t in, size_t pb, size_t pe, size_t k, size_t st, size_t d)
{
    const size_t span = (k - 1) * d + 1;
    return in + pb + pe < span ? 0 : (in + pb + pe - span) / st + 1;
}

static bool random_case(stem_case *tc, size_t k_h, size_t k_w, size_t st, size_t m, size_t h,
                        size_t w)
{
    mbi_stemconv_shape *s = &tc->s;
    memset(tc, 0, sizeof *tc);
    s->c = 1 + rnd_below(4);
    s->m = m;
    s->ldc = m + (rnd_below(4) == 0 ? 1 + rnd_below(5) : 0);
    s->in_h = h;
    s->in_w = w;
    s->kh = k_h;
    s->kw = k_w;
    s->stride_h = st;
    s->stride_w = rnd_below(4) == 0 ? 1 + rnd_below(3) : st;
    s->dil_h = rnd_below(5) == 0 ? 2 : 1;
    s->dil_w = rnd_below(5) == 0 ? 2 : s->dil_h;
    /* Pads up to the whole window: rows and columns with no tap inside. */
    s->pad_top = rnd_below((s->kh - 1) * s->dil_h + 2);
    s->pad_left = rnd_below((s->kw - 1) * s->dil_w + 2);
    tc->pad_bottom = rnd_below((s->kh - 1) * s->dil_h + 1);
    tc->pad_right = rnd_below((s->kw - 1) * s->dil_w + 1);
    s->out_h = out_size(h, s->pad_top, tc->pad_bottom, s->kh, s->stride_h, s->dil_h);
    s->out_w = out_size(w, s->pad_left, tc->pad_right, s->kw, s->stride_w, s->dil_w);
    tc->bias = rnd_below(5) != 0;
    tc->epi = (test_epi)rnd_below(TE_COUNT);
    return s->out_h > 0 && s->out_w > 0;
}

static void test_variant(const mbi_f32_stemconv_kernel *kern)
{
    const int before = check_failed;
    static const size_t ms[] = {1, 3, 8, 13, 16, 17, 24, 31, 32, 40, 48, 64, 70};
    static const size_t ks[] = {1, 3, 5, 7};
    stem_case tc;
    for (int i = 0; i < 300; i++) {
        const size_t k = ks[rnd_below(4)];
        const size_t kw = rnd_below(6) == 0 ? ks[rnd_below(4)] : k;
        const size_t m = ms[rnd_below(sizeof ms / sizeof ms[0])];
        const size_t h = 1 + rnd_below(i % 5 == 0 ? 60 : 17), w = 1 + rnd_below(i % 3 == 0 ? 70 : 19);
        if (random_case(&tc, k, kw, 1 + rnd_below(2), m, h, w))
            check_case(kern, &tc);
    }
    /* More taps than a row's table holds (4 x 9 x 9): the nested loops. */
    for (int i = 0; i < 12; i++) {
        const size_t m = ms[rnd_below(sizeof ms / sizeof ms[0])];
        if (random_case(&tc, 9, 9, 1 + rnd_below(2), m, 9 + rnd_below(30), 9 + rnd_below(40))) {
            tc.s.c = 4;
            check_case(kern, &tc);
        }
    }
    /* The stems of the measured models: 3x3 s2 p1 to 16 and 32 channels,
     * 7x7 s2 p3 to 64, on odd and even images. */
    const size_t stems[][4] = {{3, 16, 224, 1}, {3, 32, 225, 1}, {7, 64, 223, 3}, {3, 24, 97, 1}};
    for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++) {
        const size_t k = stems[i][0], pad = stems[i][3], side = stems[i][2];
        tc = (stem_case){.s = {.c = 3, .m = stems[i][1], .ldc = stems[i][1], .in_h = side,
                               .in_w = side, .kh = k, .kw = k, .stride_h = 2, .stride_w = 2,
                               .dil_h = 1, .dil_w = 1, .pad_top = pad, .pad_left = pad},
                         .pad_bottom = pad, .pad_right = pad, .bias = true, .epi = (test_epi)(i % TE_COUNT)};
        tc.s.out_h = tc.s.out_w = out_size(side, pad, pad, k, 2, 1);
        check_case(kern, &tc);
    }
    printf("%s: %s\n", kern->name, check_failed == before ? "ok" : "FAILED");
}

int main(void)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_stemconv_kernel *const *vars = mbi_f32_stemconv_kernel_variants(&count);
    for (size_t i = 0; i < count; i++) {
        if (!vars[i]->supported(&cpu)) {
            printf("%s: skipped (CPU lacks the ISA)\n", vars[i]->name);
            continue;
        }
        test_variant(vars[i]);
    }
    te_check_regions("f32_stemconv");
    return check_summary();
}
