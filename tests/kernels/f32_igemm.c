/* Every f32 indirect GEMM variant this CPU runs against a direct,
 * double-accumulated NHWC convolution on random shapes: channel counts 1 to
 * 64 around the vector widths, kernels 1x1 to 7x7 and non-square ones,
 * strides and dilations 1-2, asymmetric padding (including windows wholly in
 * the padding), tiny images and batches, pixel tiles cut short, output
 * channels split by blocks and pixels split by tiles, every in-register
 * epilogue (none, clamp, HardSigmoid, HardSwish), no bias, and an input whose pixels are wider than the channels read. Buffers
 * are exactly as large as the contract says (the zero buffer too), so the
 * sanitizer build catches any access past them; the output starts as a
 * sentinel to catch writes outside the requested tile. Layers deep enough
 * to span several cache chunks run the tiles that prefetch ahead. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-igemm/f32_igemm.h"

#define SENTINEL 12345.0f

#define TEST_RNG_SEED 777u
#include "test_rng.h"
#include "test_epilogue.h"

typedef struct conv_case {
    mbi_igemm_conv2d g;
    size_t c, m, ldc;
    bool bias;
    test_epi epi;
    size_t m_split, n_split; /* pixels (a multiple of mr) and channels (of nr); 0: no split */
    bool per_part;           /* each pixel range builds its own indirection, as tasks may */
} conv_case;

/* The GEMM variant that packs W for an igemm variant: same nr. */
static const mbi_f32_gemm_kernel *packer_for(const mbi_f32_igemm_kernel *kern)
{
    size_t count;
    const mbi_f32_gemm_kernel *const *vars = mbi_f32_gemm_kernel_variants(&count);
    for (size_t i = 0; i < count; i++)
        if (vars[i]->nr == kern->nr)
            return vars[i];
    return NULL;
}

/* W is [m][kh][kw][c], the packed (tap, channel) order. */
static int run_case(const mbi_f32_igemm_kernel *kern, const conv_case *tc)
{
    const mbi_igemm_conv2d *g = &tc->g;
    const size_t c = tc->c, m = tc->m, ks = g->kh * g->kw, k = ks * c;
    const size_t pixels = g->batch * g->out_h * g->out_w, ldc = tc->ldc;
    const size_t in_floats = g->batch * g->in_h * g->in_w * g->pixel_stride;
    float *x = malloc((in_floats ? in_floats : 1) * sizeof(float));
    float *w = malloc(m * k * sizeof(float));
    float *bias = malloc(m * sizeof(float));
    float *zero = calloc(c, sizeof(float));
    float *y = malloc(pixels * ldc * sizeof(float));
    const mbi_f32_gemm_kernel *packer = packer_for(kern);
    size_t pf = mbi_f32_gemm_packed_floats(packer, m, k);
    float *packed = NULL;
    if (posix_memalign((void **)&packed, 64, pf * sizeof(float)) != 0)
        packed = NULL;
    size_t ind_n = mbi_f32_igemm_indirection_size(g, kern->mr);
    const float **ind = malloc(ind_n * sizeof *ind);
    if (!x || !w || !bias || !zero || !y || !packed || !ind) {
        free(x), free(w), free(bias), free(zero), free(y), free(packed), free(ind);
        return -1;
    }
    for (size_t i = 0; i < in_floats; i++)
        x[i] = rnd();
    for (size_t i = 0; i < m * k; i++)
        w[i] = rnd();
    /* A wide bias takes the hard activations' inputs past -3 and 3. */
    const float bias_scale = tc->epi >= TE_HARD_SIGMOID ? 6.0f : 1.0f;
    for (size_t i = 0; i < m; i++)
        bias[i] = bias_scale * rnd();
    for (size_t i = 0; i < pixels * ldc; i++)
        y[i] = SENTINEL;
    mbi_f32_gemm_pack(packer, m, k, w, k, 1, tc->bias ? bias : NULL, packed);
    const size_t tiles = (pixels + kern->mr - 1) / kern->mr;
    mbi_f32_igemm_indirection_build(g, kern->mr, x, zero, 0, tiles, ind);

    const float lo = -0.5f, hi = 0.75f;
    const mbi_f32_minmax mm = te_minmax(tc->epi, lo, hi);
    size_t ms[3] = {0, tc->m_split ? tc->m_split : pixels, pixels};
    size_t ns[3] = {0, tc->n_split ? tc->n_split : m, m};
    for (int mi = 0; mi < 2; mi++) {
        if (ms[mi] == ms[mi + 1])
            continue;
        /* A range's own buffer holds exactly its tiles, so ASan sees any
         * read of a neighbour's entries. */
        const size_t t0 = ms[mi] / kern->mr, t1 = (ms[mi + 1] + kern->mr - 1) / kern->mr;
        const float **part = tc->per_part ? malloc((t1 - t0) * ks * kern->mr * sizeof *part) : NULL;
        if (part)
            mbi_f32_igemm_indirection_build(g, kern->mr, x, zero, t0, t1 - t0, part);
        for (int ni = 0; ni < 2; ni++) {
            if (ns[ni] == ns[ni + 1])
                continue;
            mbi_f32_igemm_compute(kern, ms[mi + 1] - ms[mi], ns[ni], ns[ni + 1], c, ks,
                                  part ? part : ind + ms[mi] * ks, packed, y + ms[mi] * ldc, ldc,
                                  &mm);
        }
        free(part);
    }

    int bad = 0;
    const size_t plane = g->out_h * g->out_w;
    for (size_t p = 0; p < pixels; p++) {
        const size_t n = p / plane, oy = p % plane / g->out_w, ox = p % g->out_w;
        for (size_t j = 0; j < ldc; j++) {
            float got = y[p * ldc + j];
            if (j >= m) {
                if (got != SENTINEL && bad++ == 0)
                    fprintf(stderr, "  %s: wrote padding Y[%zu][%zu]\n", kern->name, p, j);
                continue;
            }
            double acc = tc->bias ? bias[j] : 0.0, mag = fabs(acc);
            for (size_t ky = 0; ky < g->kh; ky++)
                for (size_t kx = 0; kx < g->kw; kx++) {
                    long iy = (long)(oy * g->stride_h + ky * g->dil_h) - (long)g->pad_top;
                    long ix = (long)(ox * g->stride_w + kx * g->dil_w) - (long)g->pad_left;
                    if (iy < 0 || iy >= (long)g->in_h || ix < 0 || ix >= (long)g->in_w)
                        continue;
                    const float *xp =
                        x + ((n * g->in_h + (size_t)iy) * g->in_w + (size_t)ix) * g->pixel_stride;
                    const float *wp = w + j * k + (ky * g->kw + kx) * c;
                    for (size_t ch = 0; ch < c; ch++) {
                        double prod = (double)xp[ch] * wp[ch];
                        acc += prod;
                        mag += fabs(prod);
                    }
                }
            acc = te_apply(tc->epi, lo, hi, acc);
            double tol = te_tolerance(tc->epi, 1e-6 * sqrt((double)k + 1) * (mag + 1.0), acc);
            if (!(fabs(got - acc) <= tol) && bad++ == 0)
                fprintf(stderr, "  %s: Y[%zu][%zu] = %.8g, want %.8g (tol %.3g)\n", kern->name, p,
                        j, got, acc, tol);
        }
    }
    free(x), free(w), free(bias), free(zero), free(y), free(packed), free(ind);
    return bad;
}

static size_t out_size(size_t in, size_t pad_a, size_t pad_b, size_t k, size_t dil, size_t stride)
{
    size_t span = dil * (k - 1) + 1;
    if (in + pad_a + pad_b < span)
        return 0;
    return (in + pad_a + pad_b - span) / stride + 1;
}

static void check_case(const mbi_f32_igemm_kernel *kern, const conv_case *tc)
{
    int bad = run_case(kern, tc);
    const mbi_igemm_conv2d *g = &tc->g;
    CHECK(bad == 0,
          "%s: n=%zu %zux%zux%zu (stride %zu) -> %zu, k %zux%zu s %zux%zu d %zux%zu pad %zu,%zu -> "
          "%zux%zu, ldc %zu bias %d epilogue %s split m %zu n %zu per part %d: %d bad",
          kern->name, g->batch, g->in_h, g->in_w, tc->c, g->pixel_stride, tc->m, g->kh, g->kw,
          g->stride_h, g->stride_w, g->dil_h, g->dil_w, g->pad_top, g->pad_left, g->out_h,
          g->out_w, tc->ldc, tc->bias, te_names[tc->epi], tc->m_split, tc->n_split, tc->per_part, bad);
}

static const size_t channels[] = {1, 3, 7, 16, 17, 33, 64};
static const size_t kernels[][2] = {{1, 1}, {3, 3}, {5, 5}, {1, 3}, {3, 1}, {7, 7}};
/* Output channels: last blocks of 1..nr/2 columns (16, 40, 80, 112 of
 * mobile networks with nr = 32) and of nr/2+1..nr-1 (17, 24, 31, 57). */
static const size_t outs[] = {1, 4, 5, 16, 17, 24, 31, 32, 33, 40, 47, 57, 64, 70, 80, 112};

static conv_case random_case(const mbi_f32_igemm_kernel *kern, size_t c, size_t kh, size_t kw)
{
    conv_case tc;
    for (;;) {
        memset(&tc, 0, sizeof tc);
        mbi_igemm_conv2d *g = &tc.g;
        g->batch = 1 + (rnd_below(4) == 0);
        g->kh = kh;
        g->kw = kw;
        g->stride_h = 1 + rnd_below(2);
        g->stride_w = rnd_below(3) == 0 ? 3 - g->stride_h : g->stride_h;
        g->dil_h = 1 + rnd_below(2);
        g->dil_w = rnd_below(3) == 0 ? 3 - g->dil_h : g->dil_h;
        /* Tiny images, some smaller than the kernel's span. */
        g->in_h = 1 + rnd_below(9);
        g->in_w = 1 + rnd_below(11);
        size_t span_h = g->dil_h * (kh - 1) + 1, span_w = g->dil_w * (kw - 1) + 1;
        /* Pads up to the span: windows wholly in the padding happen. */
        g->pad_top = rnd_below(span_h + 1);
        g->pad_left = rnd_below(span_w + 1);
        size_t pad_bottom = rnd_below(span_h + 1), pad_right = rnd_below(span_w + 1);
        g->out_h = out_size(g->in_h, g->pad_top, pad_bottom, kh, g->dil_h, g->stride_h);
        g->out_w = out_size(g->in_w, g->pad_left, pad_right, kw, g->dil_w, g->stride_w);
        if (g->out_h == 0 || g->out_w == 0)
            continue;
        g->pixel_stride = rnd_below(6) == 0 ? c + 1 + rnd_below(5) : c;
        tc.c = c;
        tc.m = outs[rnd_below(sizeof outs / sizeof outs[0])];
        tc.ldc = rnd_below(4) == 0 ? tc.m + 1 + rnd_below(7) : tc.m;
        tc.bias = rnd_below(4) != 0;
        tc.epi = (test_epi)rnd_below(TE_COUNT);
        tc.per_part = rnd_below(2) == 0;
        size_t pixels = g->batch * g->out_h * g->out_w;
        size_t tiles = (pixels + kern->mr - 1) / kern->mr;
        if (tiles > 1 && rnd_below(2) == 0)
            tc.m_split = (1 + rnd_below(tiles - 1)) * kern->mr;
        size_t blocks = (tc.m + kern->nr - 1) / kern->nr;
        if (blocks > 1 && rnd_below(2) == 0)
            tc.n_split = (1 + rnd_below(blocks - 1)) * kern->nr;
        return tc;
    }
}

static void test_variant(const mbi_f32_igemm_kernel *kern)
{
    int before = check_failed;
    for (size_t ci = 0; ci < sizeof channels / sizeof channels[0]; ci++)
        for (size_t ki = 0; ki < sizeof kernels / sizeof kernels[0]; ki++)
            for (int rep = 0; rep < 6; rep++) {
                conv_case tc = random_case(kern, channels[ci], kernels[ki][0], kernels[ki][1]);
                check_case(kern, &tc);
            }
    /* A 3x3 layer like ResNet's, big enough for several tiles and blocks. */
    conv_case big = {
        {1, 10, 9, 24, 3, 3, 1, 1, 1, 1, 1, 1, 10, 9}, 24, 70, 70, true, true, 0, 0, false};
    check_case(kern, &big);
    big.m_split = 5 * kern->mr;
    big.epi = TE_HARD_SIGMOID;
    big.n_split = kern->nr;
    big.per_part = true;
    check_case(kern, &big);
    /* Deep enough (k = 2700) that a 32-column block passes half the 512 KiB
     * L2 chunk: several chunks, so tiles (short ones too) run the bodies that
     * prefetch the next chunk. */
    conv_case deep = {
        {1, 5, 5, 300, 3, 3, 1, 1, 1, 1, 1, 1, 5, 5}, 300, 70, 70, true, false, 0, 0, false};
    check_case(kern, &deep);
    deep.g.batch = 2;
    deep.epi = TE_HARD_SWISH;
    check_case(kern, &deep);
    /* 7x7 maps (49 pixels: 4 tiles of 12 and one of 1) with the narrow
     * output counts of mobile networks, split as two threads split them. */
    const size_t narrow[] = {16, 24, 40, 80};
    for (size_t i = 0; i < sizeof narrow / sizeof narrow[0]; i++) {
        conv_case seven = {{1, 7, 7, 32, 3, 3, 1, 1, 1, 1, 1, 1, 7, 7},
                           32, narrow[i], narrow[i] + (i % 2), i != 1, (test_epi)(i % TE_COUNT), 0, 0,
                           false};
        check_case(kern, &seven);
        seven.m_split = 2 * kern->mr;
        seven.n_split = narrow[i] > kern->nr ? kern->nr : 0;
        seven.per_part = true;
        check_case(kern, &seven);
    }
    printf("%s: %s\n", kern->name, check_failed == before ? "ok" : "FAILED");
}

/* Pointers of tap (ky, kx) for pixel p; the last tile's tail and padding
 * taps point to the zero buffer. */
static void test_indirection(void)
{
    mbi_igemm_conv2d g = {1, 3, 3, 2, 3, 3, 1, 1, 1, 1, 1, 1, 3, 3};
    float x[18], zero[2] = {0, 0};
    const float *ind[3 * 4 * 9];
    CHECK(mbi_f32_igemm_indirection_size(&g, 4) == 3 * 4 * 9, "indirection size %zu",
          mbi_f32_igemm_indirection_size(&g, 4));
    mbi_f32_igemm_indirection_build(&g, 4, x, zero, 0, 3, ind);
    /* Pixel 4 = (1, 1) is the centre: tap (0, 0) reads input (0, 0). Tile 1, row 0. */
    CHECK(ind[1 * 36 + 0 * 4 + 0] == x, "centre pixel, first tap");
    CHECK(ind[1 * 36 + 8 * 4 + 0] == x + 8 * 2, "centre pixel, last tap");
    CHECK(ind[0] == zero, "pixel 0, tap (0, 0) is padding");
    CHECK(ind[4 * 4 + 0] == x, "pixel 0, centre tap");
    CHECK(ind[2 * 36 + 1] == zero && ind[2 * 36 + 8 * 4 + 3] == zero, "tail rows");
    /* A later range alone: tile 1 (pixels 4..7) equals that part of the whole. */
    const float *part[4 * 9];
    mbi_f32_igemm_indirection_build(&g, 4, x, zero, 1, 1, part);
    CHECK(memcmp(part, ind + 36, sizeof part) == 0, "tile 1 built alone");
    mbi_igemm_conv2d huge = g;
    huge.out_h = huge.out_w = SIZE_MAX / 2;
    CHECK(mbi_f32_igemm_indirection_size(&huge, 4) == SIZE_MAX, "size saturates");
}

int main(void)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_igemm_kernel *const *vars = mbi_f32_igemm_kernel_variants(&count);
    printf("selected: %s\n", mbi_f32_igemm_kernel_select(&cpu)->name);
    test_indirection();
    for (size_t i = 0; i < count; i++) {
        if (!vars[i]->supported(&cpu)) {
            printf("%s: skipped (CPU lacks the ISA)\n", vars[i]->name);
            continue;
        }
        CHECK(packer_for(vars[i]) != NULL, "%s: no GEMM variant packs nr=%zu", vars[i]->name,
              vars[i]->nr);
        if (packer_for(vars[i]))
            test_variant(vars[i]);
    }
    te_check_regions("f32_igemm");
    return check_summary();
}
