/* Every f32 Winograd variant this CPU runs: the input and output
 * transforms against B^T d B and A^T t A in double, and whole F(2,3) and
 * F(4,3) convolutions (weight transform, packing, input transform, GEMMs,
 * output transform) against a direct double-accumulated NHWC convolution on
 * random shapes: odd image sizes (partial tiles), pads 0..2 on each side,
 * channel counts around the vector widths, blocks of a few tiles at a
 * time, output channels split by GEMM blocks, bias, every in-register
 * epilogue (none, clamp, HardSigmoid, HardSwish), and rows wider
 * than the channels written. Buffers are exactly as large as the contract
 * says, so the sanitizer build catches accesses past them; the output
 * starts as a sentinel to catch writes outside the requested channels. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-winograd/f32_winograd.h"

#define SENTINEL 12345.0f

#define TEST_RNG_SEED 4242u
#include "test_rng.h"
#include "test_epilogue.h"

static const double bt2[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
static const double at2[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
static const double bt4[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0},
                                 {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0},
                                 {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
static const double at4[4][6] = {
    {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};

static double bt(size_t m, size_t i, size_t j)
{
    return m == 4 ? bt4[i][j] : bt2[i][j];
}

static double at(size_t m, size_t i, size_t j)
{
    return m == 4 ? at4[i][j] : at2[i][j];
}

/* The transforms alone: one tile of c channels, with pixels at scattered
 * addresses; the outputs of bias + each epilogue checked element by
 * element. */
static void check_transforms(const mbi_f32_winograd_kernel *kern, size_t m, size_t c)
{
    const mbi_f32_winograd_transforms *tr = mbi_f32_winograd_transforms_of(kern, m);
    const size_t a = m + 2, pos = a * a, ldv = c + 3;
    float *d = malloc(sizeof(float) * pos * c), *v = malloc(sizeof(float) * pos * ldv);
    float *bias = malloc(sizeof(float) * c), *o = malloc(sizeof(float) * m * m * c);
    const float *in[36];
    float *out[16];
    for (size_t i = 0; i < pos * c; i++)
        d[i] = rnd();
    for (size_t i = 0; i < c; i++)
        bias[i] = rnd();
    for (size_t p = 0; p < pos; p++)
        in[p] = d + ((p * 7) % pos) * c; /* any order */
    for (size_t i = 0; i < pos * ldv; i++)
        v[i] = SENTINEL;
    tr->input(c, in, v, ldv);
    double worst = 0;
    bool tails_kept = true;
    for (size_t i = 0; i < a; i++)
        for (size_t j = 0; j < a; j++) {
            for (size_t k = 0; k < c; k++) {
                double s = 0;
                for (size_t r = 0; r < a; r++)
                    for (size_t q = 0; q < a; q++)
                        s += bt(m, i, r) * in[r * a + q][k] * bt(m, j, q);
                double e = fabs(s - v[(i * a + j) * ldv + k]);
                worst = e > worst ? e : worst;
            }
            for (size_t k = c; k < ldv; k++)
                tails_kept &= v[(i * a + j) * ldv + k] == SENTINEL;
        }
    CHECK(worst < 1e-4 * (m == 4 ? 20 : 1) && tails_kept, "%s F(%zu,3) input c=%zu: error %g%s",
          kern->name, m, c, worst, tails_kept ? "" : ", wrote past c");

    /* Output: v as the GEMM results (sums of up to 36 values of +-25: every
     * piece of the hard activations), clamp to [-0.5, 2]. */
    for (int e = 0; e < TE_COUNT; e++) {
        const mbi_f32_minmax mm = te_minmax((test_epi)e, -0.5f, 2.0f);
        for (size_t q = 0; q < m * m; q++)
            out[q] = o + ((q * 5) % (m * m)) * c;
        tr->output(c, v, ldv, bias, out, &mm);
        worst = 0;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < m; j++)
                for (size_t k = 0; k < c; k++) {
                    double s = bias[k];
                    for (size_t r = 0; r < a; r++)
                        for (size_t q = 0; q < a; q++)
                            s += at(m, i, r) * v[(r * a + q) * ldv + k] * at(m, j, q);
                    s = te_apply((test_epi)e, -0.5f, 2.0f, s);
                    double err = fabs(s - out[i * m + j][k]) - 1e-6 * fabs(s);
                    worst = err > worst ? err : worst;
                }
        CHECK(worst < 1.5e-3, "%s F(%zu,3) output c=%zu %s: error %g", kern->name, m, c, te_names[e],
              worst);
    }
    free(d);
    free(v);
    free(bias);
    free(o);
}

/* The GEMM variant to pair with a Winograd variant: same ISA when the CPU
 * runs it (the scalar Winograd variant with the scalar GEMM). */
static const mbi_f32_gemm_kernel *gemm_for(const mbi_f32_winograd_kernel *kern,
                                           const mbi_cpu *cpu)
{
    size_t count;
    const mbi_f32_gemm_kernel *const *vars = mbi_f32_gemm_kernel_variants(&count);
    for (size_t i = 0; i < count; i++)
        if (vars[i]->supported(cpu) && strstr(vars[i]->name, kern->name))
            return vars[i];
    return mbi_f32_gemm_kernel_select(cpu);
}

static void check_conv(const mbi_f32_winograd_kernel *kern, const mbi_cpu *cpu, size_t m,
                       int iter)
{
    const mbi_f32_gemm_kernel *gemm = gemm_for(kern, cpu);
    mbi_winograd_conv g = {.m = m};
    g.batch = 1 + rnd_below(2);
    g.in_h = 1 + rnd_below(13);
    g.in_w = 1 + rnd_below(13);
    g.c = 1 + rnd_below(iter % 3 == 0 ? 70 : 21);
    g.n = 1 + rnd_below(iter % 4 == 0 ? 80 : 37);
    size_t pt = rnd_below(3), pl = rnd_below(3), pb = rnd_below(3), pr = rnd_below(3);
    if (g.in_h + pt + pb < 3)
        pb = 3 - g.in_h - pt;
    if (g.in_w + pl + pr < 3)
        pr = 3 - g.in_w - pl;
    g.pad_top = pt;
    g.pad_left = pl;
    g.out_h = g.in_h + pt + pb - 2;
    g.out_w = g.in_w + pl + pr - 2;
    const size_t ldc = g.n + (iter % 2 ? 3 : 0);
    const bool bias_on = iter % 3 != 1;
    const test_epi epi = (test_epi)(iter % TE_COUNT);

    const size_t xn = g.batch * g.in_h * g.in_w * g.c, wn = g.n * g.c * 9;
    const size_t yn = g.batch * g.out_h * g.out_w * ldc;
    float *x = malloc(sizeof(float) * xn), *w = malloc(sizeof(float) * wn);
    float *bias = malloc(sizeof(float) * g.n), *y = malloc(sizeof(float) * yn);
    float *zero = calloc(g.c, sizeof(float));
    float *packed = aligned_alloc(
        64, (mbi_f32_winograd_packed_floats(gemm, m, g.n, g.c) * sizeof(float) + 63) / 64 * 64);
    for (size_t i = 0; i < xn; i++)
        x[i] = rnd();
    for (size_t i = 0; i < wn; i++)
        w[i] = rnd();
    for (size_t i = 0; i < g.n; i++)
        bias[i] = bias_on ? (epi >= TE_HARD_SIGMOID ? 6.0f : 1.0f) * rnd() : 0.0f;
    for (size_t i = 0; i < yn; i++)
        y[i] = SENTINEL;
    mbi_f32_winograd_pack(gemm, m, g.n, g.c, w, packed);
    const float lo = -0.25f, hi = 0.5f;
    const mbi_f32_minmax mm = te_minmax(epi, lo, hi);

    /* Blocks of 1..9 tiles; output channels in two GEMM-block ranges. */
    const size_t tiles = mbi_winograd_tiles(&g), block = 1 + rnd_below(9);
    const size_t split = g.n > gemm->nr ? gemm->nr * (1 + rnd_below((g.n - 1) / gemm->nr)) : g.n;
    const size_t sf = mbi_f32_winograd_scratch_floats(&g, block);
    float *scratch = aligned_alloc(64, (sf * sizeof(float) + 63) / 64 * 64);
    for (size_t t = 0; t < tiles; t += block) {
        size_t nt = tiles - t < block ? tiles - t : block;
        mbi_f32_winograd_compute(kern, gemm, &g, t, nt, 0, split, x, zero, packed, bias, y, ldc,
                                 &mm, scratch);
        mbi_f32_winograd_compute(kern, gemm, &g, t, nt, split, g.n, x, zero, packed, bias, y,
                                 ldc, &mm, scratch);
    }

    double worst = 0;
    bool outside_kept = true;
    for (size_t b = 0; b < g.batch; b++)
        for (size_t oy = 0; oy < g.out_h; oy++)
            for (size_t ox = 0; ox < g.out_w; ox++) {
                const float *yp = y + ((b * g.out_h + oy) * g.out_w + ox) * ldc;
                for (size_t o = 0; o < g.n; o++) {
                    double s = bias[o], mag = fabs(bias[o]);
                    for (size_t ky = 0; ky < 3; ky++)
                        for (size_t kx = 0; kx < 3; kx++) {
                            size_t iy = oy + ky - pt, ix = ox + kx - pl;
                            if (iy >= g.in_h || ix >= g.in_w)
                                continue;
                            const float *xp = x + ((b * g.in_h + iy) * g.in_w + ix) * g.c;
                            for (size_t ci = 0; ci < g.c; ci++) {
                                double p = (double)xp[ci] * w[(o * g.c + ci) * 9 + ky * 3 + kx];
                                s += p;
                                mag += fabs(p);
                            }
                        }
                    s = te_apply(epi, lo, hi, s);
                    /* HardSwish's slope reaches 1.5; its product rounds once more. */
                    double e = (fabs(s - yp[o]) - 1e-6 * fabs(s)) / (1.5 * (mag + 1));
                    worst = e > worst ? e : worst;
                }
                for (size_t o = g.n; o < ldc; o++)
                    outside_kept &= yp[o] == SENTINEL;
            }
    /* F(4,3)'s transforms multiply inputs by up to 25 and weights by 1/24. */
    const double tol = m == 4 ? 2e-5 : 2e-6;
    CHECK(worst < tol && outside_kept,
          "%s F(%zu,3) + %s: %zux%zux%zu -> %zu (pads %zu %zu %zu %zu, block %zu, split %zu, "
          "ldc %zu, %s): error %g%s",
          kern->name, m, gemm->name, g.in_h, g.in_w, g.c, g.n, pt, pl, pb, pr, block, split, ldc,
          te_names[epi],
          worst, outside_kept ? "" : ", wrote outside the channels");
    free(x);
    free(w);
    free(bias);
    free(y);
    free(zero);
    free(packed);
    free(scratch);
}

int main(void)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_winograd_kernel *const *vars = mbi_f32_winograd_kernel_variants(&count);
    CHECK(mbi_f32_winograd_kernel_select(&cpu)->supported(&cpu), "select returned an unsupported variant");
    for (size_t v = 0; v < count; v++) {
        const mbi_f32_winograd_kernel *kern = vars[v];
        if (!kern->supported(&cpu)) {
            printf("skipped %s: not supported by this CPU\n", kern->name);
            continue;
        }
        static const size_t cs[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 40};
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
            check_transforms(kern, 2, cs[i]);
            check_transforms(kern, 4, cs[i]);
        }
        for (int iter = 0; iter < 40; iter++) {
            check_conv(kern, &cpu, 2, iter);
            check_conv(kern, &cpu, 4, iter);
        }
    }
    te_check_regions("f32_winograd");
    return check_summary();
}
