/* The f32-winograd family: the variant table, the weight transform and
 * packing (once per session), and the walk of one block of tiles through
 * the input transform, the per-position GEMMs and the output transform. */
#include "kernels/f32-winograd/f32_winograd.h"

#include <stdint.h>
#include <string.h>

#include "kernels/f32-gemm/f32_gemm.h"

extern const mbi_f32_winograd_kernel mbi_f32_winograd_scalar;
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define MBI_HAVE_X86_VARIANTS 1
extern const mbi_f32_winograd_kernel mbi_f32_winograd_avx2;
extern const mbi_f32_winograd_kernel mbi_f32_winograd_avx512;
#endif

/* Best first: select returns the first one the CPU supports. */
static const mbi_f32_winograd_kernel *const variants[] = {
#ifdef MBI_HAVE_X86_VARIANTS
    &mbi_f32_winograd_avx512, &mbi_f32_winograd_avx2,
#endif
    &mbi_f32_winograd_scalar,
};

const mbi_f32_winograd_kernel *const *mbi_f32_winograd_kernel_variants(size_t *count)
{
    *count = sizeof variants / sizeof variants[0];
    return variants;
}

const mbi_f32_winograd_kernel *mbi_f32_winograd_kernel_select(const mbi_cpu *cpu)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (variants[i]->supported(cpu))
            return variants[i];
    return &mbi_f32_winograd_scalar;
}

const mbi_f32_winograd_transforms *mbi_f32_winograd_transforms_of(
    const mbi_f32_winograd_kernel *kern, size_t m)
{
    return m == 4 ? &kern->f4 : &kern->f2;
}

size_t mbi_winograd_tiles_w(const mbi_winograd_conv *g)
{
    return (g->out_w + g->m - 1) / g->m;
}

size_t mbi_winograd_tiles_h(const mbi_winograd_conv *g)
{
    return (g->out_h + g->m - 1) / g->m;
}

size_t mbi_winograd_tiles(const mbi_winograd_conv *g)
{
    return g->batch * mbi_winograd_tiles_h(g) * mbi_winograd_tiles_w(g);
}

/* G of F(2,3) and F(4,3), alpha x 3 (the interpolation points of bt2/bt4
 * and at2/at4 in f32_winograd_simd.h). */
static const double g2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
static const double g4[6][3] = {{1.0 / 4, 0, 0},
                                {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                {0, 0, 1}};

/* U = G k G^T of one 3x3 filter k into u[alpha^2], in double. */
static void transform_filter(size_t m, const float *k, double *u)
{
    const size_t a = m + 2;
    const double(*g)[3] = m == 4 ? g4 : g2;
    double t[6][3]; /* G k */
    for (size_t i = 0; i < a; i++)
        for (size_t j = 0; j < 3; j++)
            t[i][j] = g[i][0] * k[j] + g[i][1] * k[3 + j] + g[i][2] * k[6 + j];
    for (size_t i = 0; i < a; i++)
        for (size_t j = 0; j < a; j++)
            u[i * a + j] = t[i][0] * g[j][0] + t[i][1] * g[j][1] + t[i][2] * g[j][2];
}

/* One position's packing, rounded up to 64 bytes so the next starts
 * aligned whatever the variant's nr. */
static size_t position_floats(const mbi_f32_gemm_kernel *gemm, size_t n, size_t c)
{
    size_t f = mbi_f32_gemm_packed_floats(gemm, n, c);
    return f >= SIZE_MAX - 16 ? SIZE_MAX : (f + 15) & ~(size_t)15;
}

size_t mbi_f32_winograd_packed_floats(const mbi_f32_gemm_kernel *gemm, size_t m, size_t n,
                                      size_t c)
{
    const size_t pos = (m + 2) * (m + 2);
    size_t f = position_floats(gemm, n, c);
    return f > SIZE_MAX / pos ? SIZE_MAX : f * pos;
}

void mbi_f32_winograd_pack(const mbi_f32_gemm_kernel *gemm, size_t m, size_t n, size_t c,
                           const float *w, float *packed)
{
    /* Straight into the GEMM's layout (f32_gemm.h: per block of nr
     * outputs, nr bias floats, then nr floats per input channel), so that
     * no copy of U as large as the packed weights is needed. */
    const size_t pos = (m + 2) * (m + 2), f = position_floats(gemm, n, c), nr = gemm->nr;
    memset(packed, 0, sizeof(float) * f * pos);
    double u[36];
    /* Outputs innermost: they fill one line of each position at a time. */
    for (size_t o0 = 0; o0 < n; o0 += nr)
        for (size_t ci = 0; ci < c; ci++) {
            float *row = packed + (o0 / nr) * nr * (c + 1) + nr + ci * nr;
            for (size_t o = o0; o < n && o < o0 + nr; o++) {
                transform_filter(m, w + (o * c + ci) * 9, u);
                for (size_t p = 0; p < pos; p++)
                    row[p * f + o - o0] = (float)u[p];
            }
        }
}

static size_t round16(size_t f)
{
    return (f + 15) & ~(size_t)15;
}

size_t mbi_f32_winograd_scratch_floats(const mbi_winograd_conv *g, size_t block_tiles)
{
    const size_t pos = (g->m + 2) * (g->m + 2);
    return round16(pos * block_tiles * g->c) + round16(pos * block_tiles * g->n) + round16(g->n);
}

void mbi_f32_winograd_compute(const mbi_f32_winograd_kernel *kern,
                              const mbi_f32_gemm_kernel *gemm, const mbi_winograd_conv *g,
                              size_t first, size_t tiles, size_t n_begin, size_t n_end,
                              const float *x, const float *zero, const float *packed,
                              const float *bias, float *y, size_t ldc,
                              const mbi_f32_minmax *mm, float *scratch)
{
    if (tiles == 0 || n_end <= n_begin)
        return;
    const mbi_f32_winograd_transforms *tr = mbi_f32_winograd_transforms_of(kern, g->m);
    const size_t m = g->m, a = m + 2, pos = a * a, c = g->c, n = g->n;
    const size_t tw = mbi_winograd_tiles_w(g), th = mbi_winograd_tiles_h(g);
    float *v = scratch;                                /* [pos][tiles][c] */
    float *mt = v + round16(pos * tiles * c);          /* [pos][tiles][n] */
    float *sink = mt + round16(pos * tiles * n);       /* outputs past the image */
    const float *in[36];
    float *out[16];

    for (size_t t = 0; t < tiles; t++) {
        const size_t id = first + t, tx = id % tw, ty = id / tw % th, img = id / tw / th;
        const float *image = x + img * g->in_h * g->in_w * c;
        for (size_t i = 0; i < a; i++) {
            /* Unsigned wrap: rows and columns before the image compare as huge. */
            const size_t iy = ty * m + i - g->pad_top;
            for (size_t j = 0; j < a; j++) {
                const size_t ix = tx * m + j - g->pad_left;
                in[i * a + j] =
                    iy < g->in_h && ix < g->in_w ? image + (iy * g->in_w + ix) * c : zero;
            }
        }
        tr->input(c, in, v + t * c, tiles * c);
    }

    /* The positions' products; the bias comes with the output transform. */
    const mbi_f32_minmax none = {.min = -INFINITY, .max = INFINITY};
    const size_t pf = position_floats(gemm, n, c);
    for (size_t p = 0; p < pos; p++)
        mbi_f32_gemm_compute(gemm, tiles, n_begin, n_end, c, v + p * tiles * c, c,
                             packed + p * pf, mt + p * tiles * n, n, &none);

    for (size_t t = 0; t < tiles; t++) {
        const size_t id = first + t, tx = id % tw, ty = id / tw % th, img = id / tw / th;
        float *image = y + img * g->out_h * g->out_w * ldc;
        for (size_t i = 0; i < m; i++) {
            const size_t oy = ty * m + i;
            for (size_t j = 0; j < m; j++) {
                const size_t ox = tx * m + j;
                out[i * m + j] = oy < g->out_h && ox < g->out_w
                                     ? image + (oy * g->out_w + ox) * ldc + n_begin
                                     : sink;
            }
        }
        tr->output(n_end - n_begin, mt + t * n + n_begin, tiles * n, bias + n_begin, out, mm);
    }
}
