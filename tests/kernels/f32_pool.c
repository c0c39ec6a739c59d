/* Every f32 NHWC pooling variant this CPU runs against the operators' own
 * NCHW reference kernels (src/ops/ref/pool_ref.c) on random shapes: channel
 * counts around the vector widths, kernels 1-7, strides 1-3, dilation 1-2,
 * padding 0-3 (asymmetric too), floor and ceil output sizes, tiny images,
 * count_include_pad on and off, NaN inputs for max pooling, output rows in
 * two ranges or only partly; global average pooling from 1 to 112*112
 * pixels. Buffers are exactly as large as the contract says (the sanitizer
 * build catches any access past them), and the output starts as a sentinel
 * so writes outside the requested rows are caught too. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-pool/f32_pool.h"
#include "ops/ref/pool_ref.h"

#define SENTINEL 12345.0f

#define TEST_RNG_SEED 777u
#include "test_rng.h"

typedef enum pool_kind { POOL_MAX, POOL_AVG, POOL_AVG_PAD } pool_kind;

typedef struct pool_case {
    mbi_pool_shape s;
    pool_kind kind;
    bool nans;
    size_t row_a, row_b; /* compute [0, a) and [a, b); rows from b on must stay untouched */
} pool_case;

static size_t out_size(size_t in, size_t pad_a, size_t pad_b, size_t k, size_t dil, size_t stride, bool ceil_mode)
{
    size_t span = dil * (k - 1) + 1;
    if (in + pad_a + pad_b < span)
        return 0;
    size_t room = in + pad_a + pad_b - span;
    size_t n = (ceil_mode ? (room + stride - 1) / stride : room / stride) + 1;
    /* ONNX/PyTorch: the last window must start inside the input or the leading padding. */
    if (ceil_mode && (n - 1) * stride >= in + pad_a)
        n--;
    return n;
}

static bool same(float a, float b, double tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs((double)a - (double)b) <= tol;
}

static void describe(const pool_case *tc)
{
    const mbi_pool_shape *s = &tc->s;
    fprintf(stderr,
            "  kind %d in %zux%zu c %zu k %zux%zu s %zux%zu d %zux%zu pad t%zu l%zu b%zu r%zu out %zux%zu nans %d "
            "rows [0,%zu)[%zu,%zu)\n",
            (int)tc->kind, s->in_h, s->in_w, s->channels, s->kh, s->kw, s->stride_h, s->stride_w, s->dil_h,
            s->dil_w, s->pad_top, s->pad_left, s->pad_bottom, s->pad_right, s->out_h, s->out_w, tc->nans,
            tc->row_a, tc->row_a, tc->row_b);
}

/* Returns the number of bad elements; prints the first. */
static int run_case(const mbi_f32_pool_kernel *kern, const pool_case *tc)
{
    const mbi_pool_shape *s = &tc->s;
    const size_t c = s->channels, hw_in = s->in_h * s->in_w, hw_out = s->out_h * s->out_w;
    float *in = malloc(hw_in * c * sizeof(float));
    float *in_nchw = malloc(hw_in * c * sizeof(float));
    float *out = malloc(hw_out * c * sizeof(float));
    float *ref_nchw = malloc(hw_out * c * sizeof(float));
    for (size_t i = 0; i < hw_in * c; i++)
        in[i] = tc->nans && rnd_below(5) == 0 ? NAN : rnd();
    for (size_t p = 0; p < hw_in; p++)
        for (size_t ch = 0; ch < c; ch++)
            in_nchw[ch * hw_in + p] = in[p * c + ch];
    for (size_t i = 0; i < hw_out * c; i++)
        out[i] = SENTINEL;

    mbi_window3d g = {
        .in = {1, (int64_t)s->in_h, (int64_t)s->in_w},
        .out = {1, (int64_t)s->out_h, (int64_t)s->out_w},
        .kernel = {1, (int64_t)s->kh, (int64_t)s->kw},
        .stride = {1, (int64_t)s->stride_h, (int64_t)s->stride_w},
        .dilation = {1, (int64_t)s->dil_h, (int64_t)s->dil_w},
        .pad_begin = {0, (int64_t)s->pad_top, (int64_t)s->pad_left},
        .pad_end = {0, (int64_t)s->pad_bottom, (int64_t)s->pad_right},
    };
    if (tc->kind == POOL_MAX) {
        mbi_ref_maxpool_f32(in_nchw, ref_nchw, NULL, (int64_t)c, &g, 0);
        mbi_f32_maxpool_compute(kern, s, in, out, 0, tc->row_a);
        mbi_f32_maxpool_compute(kern, s, in, out, tc->row_a, tc->row_b);
    } else {
        bool pad = tc->kind == POOL_AVG_PAD;
        mbi_ref_avgpool_f32(in_nchw, ref_nchw, (int64_t)c, &g, pad);
        mbi_f32_avgpool_compute(kern, s, pad, in, out, 0, tc->row_a);
        mbi_f32_avgpool_compute(kern, s, pad, in, out, tc->row_a, tc->row_b);
    }

    int bad = 0;
    const size_t done = tc->row_b * s->out_w;
    for (size_t p = 0; p < hw_out; p++)
        for (size_t ch = 0; ch < c; ch++) {
            float got = out[p * c + ch], want = p < done ? ref_nchw[ch * hw_out + p] : SENTINEL;
            /* Max is exact; a mean of values in [-1, 1] is off by a few ulps of 1 at most. */
            double tol = tc->kind == POOL_MAX || p >= done ? 0.0 : 1e-6;
            if (!same(got, want, tol) && bad++ == 0) {
                fprintf(stderr, "%s: pixel (%zu, %zu) channel %zu: got %g want %g\n", kern->name, p / s->out_w,
                        p % s->out_w, ch, got, want);
                describe(tc);
            }
        }
    free(in);
    free(in_nchw);
    free(out);
    free(ref_nchw);
    return bad;
}

static const size_t channel_set[] = {1, 3, 7, 8, 15, 16, 17, 33, 96, 144};
#define N_CHANNELS (sizeof channel_set / sizeof channel_set[0])

static bool fill_case(pool_case *tc, pool_kind kind, size_t c, size_t kh, size_t kw, size_t sh, size_t sw,
                      size_t max_in)
{
    mbi_pool_shape *s = &tc->s;
    memset(tc, 0, sizeof *tc);
    tc->kind = kind;
    s->channels = c;
    s->kh = kh;
    s->kw = kw;
    s->stride_h = sh;
    s->stride_w = sw;
    s->dil_h = 1 + rnd_below(4) / 3;
    s->dil_w = rnd_below(4) == 0 ? 2 : s->dil_h;
    s->pad_top = rnd_below(4);
    s->pad_left = rnd_below(4);
    bool symmetric = rnd_below(3) != 0;
    s->pad_bottom = symmetric ? s->pad_top : rnd_below(4);
    s->pad_right = symmetric ? s->pad_left : rnd_below(4);
    s->in_h = 1 + rnd_below(max_in);
    s->in_w = 1 + rnd_below(max_in);
    bool ceil_mode = rnd_below(2) != 0;
    s->out_h = out_size(s->in_h, s->pad_top, s->pad_bottom, kh, s->dil_h, sh, ceil_mode);
    s->out_w = out_size(s->in_w, s->pad_left, s->pad_right, kw, s->dil_w, sw, ceil_mode);
    if (s->out_h == 0 || s->out_w == 0)
        return false;
    tc->nans = kind == POOL_MAX && rnd_below(4) == 0;
    tc->row_b = rnd_below(5) == 0 ? rnd_below(s->out_h + 1) : s->out_h;
    tc->row_a = rnd_below(tc->row_b + 1);
    return true;
}

static size_t failures;

static void run_one(const mbi_f32_pool_kernel *kern, const pool_case *tc, size_t *cases)
{
    int bad = run_case(kern, tc);
    CHECK(bad == 0, "%s: %d bad elements", kern->name, bad);
    failures += bad != 0;
    ++*cases;
}

static void test_windows(const mbi_f32_pool_kernel *kern)
{
    size_t cases = 0;
    failures = 0;
    pool_case tc;
    for (int kind = POOL_MAX; kind <= POOL_AVG_PAD; kind++) {
        for (size_t ci = 0; ci < N_CHANNELS; ci++)
            for (size_t k = 1; k <= 7; k += 1 + (k >= 3))
                for (size_t st = 1; st <= 3; st++)
                    for (int rep = 0; rep < 2; rep++)
                        if (fill_case(&tc, (pool_kind)kind, channel_set[ci], k, k, st, st,
                                      channel_set[ci] > 64 ? 9 : 16))
                            run_one(kern, &tc, &cases);
        for (int rep = 0; rep < 200; rep++) {
            size_t c = channel_set[rnd_below(N_CHANNELS)];
            size_t kh = 1 + rnd_below(7), kw = rnd_below(2) ? kh : 1 + rnd_below(7);
            if (fill_case(&tc, (pool_kind)kind, c, kh, kw, 1 + rnd_below(3), 1 + rnd_below(3), c > 64 ? 8 : 14))
                run_one(kern, &tc, &cases);
        }
        /* Tiny images, including windows larger than the image. */
        static const size_t tiny[][2] = {{1, 1}, {2, 3}, {3, 2}};
        for (size_t ti = 0; ti < 3; ti++)
            for (size_t k = 1; k <= 5; k += 2)
                for (size_t pad = 0; pad <= 2; pad++) {
                    memset(&tc, 0, sizeof tc);
                    tc.kind = (pool_kind)kind;
                    tc.s = (mbi_pool_shape){tiny[ti][0], tiny[ti][1], 17, k, k, 2, 2, 1, 1, pad, pad, pad, pad, 0, 0};
                    tc.s.out_h = out_size(tc.s.in_h, pad, pad, k, 1, 2, pad == 1);
                    tc.s.out_w = out_size(tc.s.in_w, pad, pad, k, 1, 2, pad == 1);
                    if (tc.s.out_h == 0 || tc.s.out_w == 0)
                        continue;
                    tc.row_a = tc.s.out_h / 2;
                    tc.row_b = tc.s.out_h;
                    run_one(kern, &tc, &cases);
                }
    }
    printf("%s: %zu window cases, %zu failed\n", kern->name, cases, failures);
}

static void test_global(const mbi_f32_pool_kernel *kern)
{
    /* Up to 112*112 pixels; many channels with many pixels (several pixel chunks, each channel
     * group in turn) via 3000 x 144 and 300 x 1280. */
    static const size_t hws[] = {1, 2, 7, 49, 257, 300, 3000, 12544};
    static const size_t extra_channels[] = {64, 1280};
    size_t cases = 0;
    failures = 0;
    for (size_t hi = 0; hi < sizeof hws / sizeof hws[0]; hi++)
        for (size_t ci = 0; ci < N_CHANNELS + 2; ci++) {
            const size_t hw = hws[hi], c = ci < N_CHANNELS ? channel_set[ci] : extra_channels[ci - N_CHANNELS];
            if (hw * c > 900000)
                continue;
            float *in = malloc(hw * c * sizeof(float)), *in_nchw = malloc(hw * c * sizeof(float));
            float *out = malloc(c * sizeof(float)), *ref = malloc(c * sizeof(float));
            for (size_t i = 0; i < hw * c; i++)
                in[i] = rnd() + 0.5f; /* a nonzero mean, so the sum's rounding shows */
            for (size_t p = 0; p < hw; p++)
                for (size_t ch = 0; ch < c; ch++)
                    in_nchw[ch * hw + p] = in[p * c + ch];
            for (size_t ch = 0; ch < c; ch++)
                out[ch] = SENTINEL;
            mbi_ref_global_avgpool_f32(in_nchw, ref, (int64_t)c, (int64_t)hw);
            mbi_f32_global_avgpool(kern, hw, c, in, out);
            int bad = 0;
            for (size_t ch = 0; ch < c; ch++)
                if (!same(out[ch], ref[ch], 2e-6) && bad++ == 0)
                    fprintf(stderr, "%s: global avg hw %zu c %zu channel %zu: got %.9g want %.9g\n", kern->name,
                            hw, c, ch, out[ch], ref[ch]);
            CHECK(bad == 0, "%s: global avg hw %zu c %zu: %d bad", kern->name, hw, c, bad);
            failures += bad != 0;
            cases++;
            free(in);
            free(in_nchw);
            free(out);
            free(ref);
        }
    float zero_out[3] = {1, 2, 3};
    mbi_f32_global_avgpool(kern, 0, 3, NULL, zero_out);
    CHECK(zero_out[0] == 0 && zero_out[2] == 0, "%s: hw 0 gives zeros", kern->name);
    printf("%s: %zu global cases, %zu failed\n", kern->name, cases, failures);
}

int main(void)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_pool_kernel *const *vars = mbi_f32_pool_kernel_variants(&count);
    printf("selected: %s\n", mbi_f32_pool_kernel_select(&cpu)->name);
    for (size_t i = 0; i < count; i++) {
        if (!vars[i]->supported(&cpu)) {
            printf("%s: skipped (CPU lacks the ISA)\n", vars[i]->name);
            continue;
        }
        test_windows(vars[i]);
        test_global(vars[i]);
    }
    return check_summary();
}
