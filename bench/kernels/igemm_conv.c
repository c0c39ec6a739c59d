/* ResNet-18's 3x3 convolutions (and its 1x1 stride-2 downsamples) at
 * 224x224, one thread: the im2col + GEMM path ConvNhwc used before against
 * the indirect GEMM, in GFLOP/s and % of the single-core FMA peak.
 *
 *   bench_igemm_conv            the variants selected for this CPU
 *   bench_igemm_conv all        every igemm variant this CPU runs
 *   bench_igemm_conv NAME       one igemm variant by name
 *
 * Both paths walk the output in ConvNhwc's tasks (168 pixels x a share of
 * the output channels, split as the operator splits them for one thread),
 * so the im2col copy is repeated per channel split as it was in the
 * operator. The indirection buffer is built outside the timed region, as
 * ConvNhwc builds it once per session. Times are the best of many short
 * batches: the machine may be shared. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch/cpu.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-igemm/f32_igemm.h"

#define TASK_PIXELS 168

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static volatile float sink;

/* Twenty independent FMA chains: more than latency x ports, so only the
 * FMA units limit the loop. */
__attribute__((target("avx512f"))) static double peak_avx512(void)
{
    const long iters = 2000000;
    double best = 1e30;
    for (int r = 0; r < 15; r++) {
        __m512 acc[20];
        for (int i = 0; i < 20; i++)
            acc[i] = _mm512_set1_ps((float)i);
        const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
        double t0 = now();
        for (long it = 0; it < iters; it++) {
#pragma GCC unroll 20
            for (int i = 0; i < 20; i++)
                acc[i] = _mm512_fmadd_ps(acc[i], x, y);
        }
        double t = now() - t0;
        for (int i = 1; i < 20; i++)
            acc[0] = _mm512_add_ps(acc[0], acc[i]);
        sink = _mm512_reduce_add_ps(acc[0]);
        if (t < best)
            best = t;
    }
    return 20.0 * 32.0 * (double)iters / best * 1e-9;
}

typedef struct layer {
    size_t h, w, c, m, k, stride, pad;
    int count; /* layers of resnet18 with this shape */
} layer;

static const layer layers[] = {
    {56, 56, 64, 64, 3, 1, 1, 4},    {56, 56, 64, 128, 3, 2, 1, 1},  {28, 28, 128, 128, 3, 1, 1, 3},
    {28, 28, 128, 256, 3, 2, 1, 1},  {14, 14, 256, 256, 3, 1, 1, 3}, {14, 14, 256, 512, 3, 2, 1, 1},
    {7, 7, 512, 512, 3, 1, 1, 3},    {56, 56, 64, 128, 1, 2, 0, 1},  {28, 28, 128, 256, 1, 2, 0, 1},
    {14, 14, 256, 512, 1, 2, 0, 1},
};

typedef struct conv {
    const layer *l;
    mbi_igemm_conv2d g;
    size_t pixels, kdepth, n_block;
    float *x, *y, *packed_gemm, *packed_igemm, *rows, *zero;
    const float **ind;
} conv;

static float *alloc_floats(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, (n ? n : 1) * sizeof(float)) != 0)
        return NULL;
    return p;
}

static void im2col(const conv *cv, size_t first, size_t count)
{
    const mbi_igemm_conv2d *g = &cv->g;
    const size_t c = cv->l->c;
    for (size_t r = 0; r < count; r++) {
        size_t p = first + r, oy = p / g->out_w, ox = p % g->out_w;
        float *dst = cv->rows + r * cv->kdepth;
        for (size_t ky = 0; ky < g->kh; ky++) {
            size_t iy = oy * g->stride_h + ky - g->pad_top;
            for (size_t kx = 0; kx < g->kw; kx++, dst += c) {
                size_t ix = ox * g->stride_w + kx - g->pad_left;
                if (iy >= g->in_h || ix >= g->in_w)
                    memset(dst, 0, c * sizeof(float));
                else
                    memcpy(dst, cv->x + (iy * g->in_w + ix) * c, c * sizeof(float));
            }
        }
    }
}

static void run_im2col(const conv *cv, const mbi_f32_gemm_kernel *gk, const mbi_f32_minmax *mm)
{
    const size_t m = cv->l->m;
    for (size_t m0 = 0; m0 < cv->pixels; m0 += TASK_PIXELS) {
        size_t rows = cv->pixels - m0 < TASK_PIXELS ? cv->pixels - m0 : TASK_PIXELS;
        for (size_t n0 = 0; n0 < m; n0 += cv->n_block) {
            size_t n1 = n0 + cv->n_block < m ? n0 + cv->n_block : m;
            im2col(cv, m0, rows);
            mbi_f32_gemm_compute(gk, rows, n0, n1, cv->kdepth, cv->rows, cv->kdepth,
                                 cv->packed_gemm, cv->y + m0 * m, m, mm);
        }
    }
}

static void run_igemm(const conv *cv, const mbi_f32_igemm_kernel *ik, const mbi_f32_minmax *mm)
{
    const size_t m = cv->l->m, ks = cv->g.kh * cv->g.kw;
    const size_t task = TASK_PIXELS / ik->mr * ik->mr;
    for (size_t m0 = 0; m0 < cv->pixels; m0 += task) {
        size_t rows = cv->pixels - m0 < task ? cv->pixels - m0 : task;
        for (size_t n0 = 0; n0 < m; n0 += cv->n_block) {
            size_t n1 = n0 + cv->n_block < m ? n0 + cv->n_block : m;
            mbi_f32_igemm_compute(ik, rows, n0, n1, cv->l->c, ks, cv->ind + m0 * ks,
                                  cv->packed_igemm, cv->y + m0 * m, m, mm);
        }
    }
}

/* Seconds per call of one path, best of many batches of about 3 ms. */
static double time_path(const conv *cv, const mbi_f32_gemm_kernel *gk,
                        const mbi_f32_igemm_kernel *ik)
{
    const mbi_f32_minmax mm = {.min = 0.0f, .max = INFINITY};
    double flops = 2.0 * (double)cv->pixels * (double)cv->l->m * (double)cv->kdepth;
    long reps = (long)(0.003 * 150e9 / flops) + 1;
    double best = 1e30;
    for (int batch = 0; batch < 30; batch++) {
        double t0 = now();
        for (long r = 0; r < reps; r++) {
            if (ik)
                run_igemm(cv, ik, &mm);
            else
                run_im2col(cv, gk, &mm);
        }
        double t = (now() - t0) / (double)reps;
        if (t < best)
            best = t;
    }
    sink = cv->y[cv->pixels * cv->l->m - 1];
    return best;
}

static const mbi_f32_gemm_kernel *packer_for(const mbi_f32_igemm_kernel *ik)
{
    size_t count;
    const mbi_f32_gemm_kernel *const *vars = mbi_f32_gemm_kernel_variants(&count);
    for (size_t i = 0; i < count; i++)
        if (vars[i]->nr == ik->nr)
            return vars[i];
    return NULL;
}

static int bench_layer(const layer *l, const mbi_f32_gemm_kernel *gk,
                       const mbi_f32_igemm_kernel *ik, double peak, double *t_old, double *t_new)
{
    conv cv = {.l = l};
    size_t oh = (l->h + 2 * l->pad - l->k) / l->stride + 1;
    size_t ow = (l->w + 2 * l->pad - l->k) / l->stride + 1;
    cv.g = (mbi_igemm_conv2d){1, l->h, l->w, l->c, l->k, l->k, l->stride, l->stride, 1, 1,
                              l->pad, l->pad, oh, ow};
    cv.pixels = oh * ow;
    cv.kdepth = l->k * l->k * l->c;
    /* ConvNhwc's split of the output channels for one thread. */
    size_t m_tasks = (cv.pixels + TASK_PIXELS - 1) / TASK_PIXELS;
    size_t n_blocks = (l->m + gk->nr - 1) / gk->nr, split = 1;
    if (m_tasks < 4)
        split = (4 + m_tasks - 1) / m_tasks;
    if (split > n_blocks)
        split = n_blocks;
    cv.n_block = (n_blocks + split - 1) / split * gk->nr;

    const mbi_f32_gemm_kernel *pk = packer_for(ik);
    size_t x_floats = l->h * l->w * l->c;
    float *w = alloc_floats(l->m * cv.kdepth);
    cv.x = alloc_floats(x_floats);
    cv.y = alloc_floats(cv.pixels * l->m);
    cv.packed_gemm = alloc_floats(mbi_f32_gemm_packed_floats(gk, l->m, cv.kdepth));
    cv.packed_igemm = alloc_floats(mbi_f32_gemm_packed_floats(pk, l->m, cv.kdepth));
    cv.rows = alloc_floats(TASK_PIXELS * cv.kdepth);
    cv.zero = calloc(l->c, sizeof(float));
    cv.ind = malloc(mbi_f32_igemm_indirection_size(&cv.g, ik->mr) * sizeof(float *));
    int ok = w && cv.x && cv.y && cv.packed_gemm && cv.packed_igemm && cv.rows && cv.zero && cv.ind;
    if (ok) {
        uint32_t st = 1;
        for (size_t i = 0; i < x_floats; i++)
            cv.x[i] = (float)((st = st * 1664525u + 1013904223u) >> 16) / 65536.0f - 0.5f;
        for (size_t i = 0; i < l->m * cv.kdepth; i++)
            w[i] = (float)((st = st * 1664525u + 1013904223u) >> 16) / 65536.0f - 0.5f;
        mbi_f32_gemm_pack(gk, l->m, cv.kdepth, w, cv.kdepth, 1, NULL, cv.packed_gemm);
        mbi_f32_gemm_pack(pk, l->m, cv.kdepth, w, cv.kdepth, 1, NULL, cv.packed_igemm);
        mbi_f32_igemm_indirection_build(&cv.g, ik->mr, cv.x, cv.zero, 0,
                                        (cv.pixels + ik->mr - 1) / ik->mr, cv.ind);
        *t_old = time_path(&cv, gk, NULL);
        *t_new = time_path(&cv, gk, ik);
        double flops = 2.0 * (double)cv.pixels * (double)l->m * (double)cv.kdepth;
        double g_old = flops / *t_old * 1e-9, g_new = flops / *t_new * 1e-9;
        printf("  %3zux%-3zux%-4zu %zux%zu/%zu ->%4zu %2d  %8.1f %6.1f %5.1f%%  %8.1f %6.1f "
               "%5.1f%%  %5.2fx\n",
               l->h, l->w, l->c, l->k, l->k, l->stride, l->m, l->count, *t_old * 1e6, g_old,
               100.0 * g_old / peak, *t_new * 1e6, g_new, 100.0 * g_new / peak, *t_old / *t_new);
    }
    free(w), free(cv.x), free(cv.y), free(cv.packed_gemm), free(cv.packed_igemm), free(cv.rows);
    free(cv.zero), free(cv.ind);
    return ok;
}

int main(int argc, char **argv)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    double peak = cpu.avx512 ? peak_avx512() : 0.0;
    if (peak > 0)
        printf("single-core FMA peak, AVX-512: %.1f GFLOP/s\n", peak);
    else
        peak = 1.0; /* % columns meaningless without AVX-512 */
    const mbi_f32_gemm_kernel *gk = mbi_f32_gemm_kernel_select(&cpu);
    size_t count;
    const mbi_f32_igemm_kernel *const *vars = mbi_f32_igemm_kernel_variants(&count);
    const mbi_f32_igemm_kernel *sel = mbi_f32_igemm_kernel_select(&cpu);
    const char *want = argc > 1 ? argv[1] : NULL;
    for (size_t v = 0; v < count; v++) {
        const mbi_f32_igemm_kernel *ik = vars[v];
        int run = want ? (strcmp(want, "all") == 0 || strcmp(want, ik->name) == 0) : ik == sel;
        if (!run || !ik->supported(&cpu) || !packer_for(ik))
            continue;
        printf("\nim2col + %s  vs  %s\n", gk->name, ik->name);
        printf("  %-13s %-7s %5s %2s  %8s %6s %6s  %8s %6s %6s  %6s\n", "input", "kernel", "M", "x",
               "old us", "GF/s", "peak", "igemm us", "GF/s", "peak", "speedup");
        double sum_old = 0.0, sum_new = 0.0;
        for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
            double t_old, t_new;
            if (!bench_layer(&layers[i], gk, ik, peak, &t_old, &t_new)) {
                printf("  out of memory\n");
                return 1;
            }
            sum_old += t_old * layers[i].count;
            sum_new += t_new * layers[i].count;
        }
        printf("  all these layers of resnet18: %.3f ms -> %.3f ms (%.2fx)\n", sum_old * 1e3,
               sum_new * 1e3, sum_old / sum_new);
    }
    return 0;
}
