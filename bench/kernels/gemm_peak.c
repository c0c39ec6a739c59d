/* Single-core float32 FMA peak and the f32 GEMM on mobilenet_v2's 1x1
 * convolutions (224x224 input), as a fraction of that peak.
 *
 *   gemm_peak                  the variant mbi_f32_gemm_kernel_select picks
 *   gemm_peak all              every variant this CPU runs
 *   gemm_peak NAME             one variant by name (e.g. f32_gemm_6x32_avx512)
 *   gemm_peak VARIANT narrow   instead the narrow-N projections (N = 16..112)
 *                              of mnasnet1_0 / efficientnet_b0 / mobilenet_v3
 *   gemm_peak VARIANT M K N    one shape
 *   ... cold                   weights out of L2, as in a whole model
 *   ... model                  cold, and M split in ConvNhwc's one-thread tasks
 * VARIANT may also be "sel" (the selected one).
 *
 * Times are the best of several repetitions: the machine may be shared, and
 * the best run is the one least disturbed by others. */
#include <immintrin.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch/cpu.h"
#include "kernels/f32-gemm/f32_gemm.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Independent accumulators (more than FMA latency x FMA ports), operands in
 * registers: nothing but FMAs limits the loop. */
#define PEAK_ACCS 20

__attribute__((target("avx512f"))) static float fma_loop_avx512(long iters)
{
    __m512 acc[PEAK_ACCS];
    for (int i = 0; i < PEAK_ACCS; i++)
        acc[i] = _mm512_set1_ps((float)i);
    const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (long it = 0; it < iters; it++) {
#pragma GCC unroll 32
        for (int i = 0; i < PEAK_ACCS; i++)
            acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    }
    __m512 s = acc[0];
    for (int i = 1; i < PEAK_ACCS; i++)
        s = _mm512_add_ps(s, acc[i]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float fma_loop_avx2(long iters)
{
    enum { ACCS = 12 }; /* 16 ymm registers, two hold the operands */
    __m256 acc[ACCS];
    for (int i = 0; i < ACCS; i++)
        acc[i] = _mm256_set1_ps((float)i);
    const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    for (long it = 0; it < iters; it++) {
#pragma GCC unroll 16
        for (int i = 0; i < ACCS; i++)
            acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    }
    __m256 s = acc[0];
    for (int i = 1; i < ACCS; i++)
        s = _mm256_add_ps(s, acc[i]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[7];
}

static volatile float sink;

/* GFLOP/s of the best of several timed runs. */
static double peak_gflops(int avx512)
{
    const long iters = 2 * 1000 * 1000;
    const double flops_per_iter = avx512 ? PEAK_ACCS * 32.0 : 12 * 16.0;
    double best = 1e30;
    for (int r = 0; r < 25; r++) {
        double t0 = now();
        sink = avx512 ? fma_loop_avx512(iters) : fma_loop_avx2(iters);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    return flops_per_iter * (double)iters / best * 1e-9;
}

typedef struct shape {
    size_t m, k, n;
    int count; /* layers of mobilenet_v2 with this shape */
} shape;

/* Every 1x1 convolution of mobilenet_v2 at 224x224: M = output pixels, K =
 * input channels, N = output channels. */
static const shape shapes[] = {
    {12544, 32, 16, 1}, {12544, 16, 96, 1}, {3136, 96, 24, 1},  {3136, 24, 144, 2},
    {3136, 144, 24, 1}, {784, 144, 32, 1},  {784, 32, 192, 3},  {784, 192, 32, 2},
    {196, 192, 64, 1},  {196, 64, 384, 4},  {196, 384, 64, 3},  {196, 384, 96, 1},
    {196, 96, 576, 3},  {196, 576, 96, 2},  {49, 576, 160, 1},  {49, 160, 960, 3},
    {49, 960, 160, 2},  {49, 960, 320, 1},  {49, 320, 1280, 1},
};

/* Projections with few output channels (N % 32 in 1..16 or short M
 * tails) that mobilenet_v2's list lacks: mnasnet1_0, efficientnet_b0 and
 * mobilenet_v3_large at 224x224. */
static const shape narrow_shapes[] = {
    {12544, 32, 16, 1}, {12544, 96, 16, 1}, {3136, 72, 24, 1},  {3136, 144, 24, 1},
    {784, 144, 40, 1},  {784, 240, 40, 2},  {784, 120, 40, 2},  {196, 240, 80, 1},
    {196, 480, 80, 2},  {196, 200, 80, 1},  {196, 480, 112, 1}, {196, 672, 112, 2},
    {49, 672, 160, 1},  {49, 1152, 192, 3}, {49, 1152, 320, 1},
};

static const shape *bench_shapes = shapes;
static size_t bench_count = sizeof shapes / sizeof shapes[0];

static float *alloc_aligned(size_t floats)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, (floats ? floats : 1) * sizeof(float)) != 0)
        return NULL;
    return p;
}

/* In a whole model each layer's weights were last touched a whole run
 * ago, so they come from L3 or memory, not L2: "cold" rotates over enough
 * copies of the packed weights (COLD_BYTES) that each call finds its own
 * out of L2, while A and C (just written by the neighbouring layers) stay
 * hot. */
#define COLD_BYTES ((size_t)48 << 20)
static bool cold;

/* "model" also calls the GEMM per task of TASK_ROWS rows, as ConvNhwc does
 * at one thread (its PIXELS_PER_TASK), instead of once for all of M. */
#define TASK_ROWS 168
static bool tasks;

static void gemm_call(const mbi_f32_gemm_kernel *kern, const shape *s, const float *a, const float *packed,
                      float *c, const mbi_f32_minmax *mm)
{
    const size_t step = tasks ? TASK_ROWS : s->m;
    for (size_t m0 = 0; m0 < s->m; m0 += step) {
        const size_t rows = s->m - m0 < step ? s->m - m0 : step;
        mbi_f32_gemm_compute(kern, rows, 0, s->n, s->k, a + m0 * s->k, s->k, packed, c + m0 * s->n, s->n, mm);
    }
}

/* Seconds per call, best of many batches of about 4 ms: short batches give
 * more chances of one undisturbed by other processes. */
static double time_gemm(const mbi_f32_gemm_kernel *kern, const shape *s)
{
    const size_t pf = mbi_f32_gemm_packed_floats(kern, s->n, s->k);
    size_t copies = cold ? COLD_BYTES / (pf * sizeof(float)) + 1 : 1;
    float *a = alloc_aligned(s->m * s->k), *w = alloc_aligned(s->n * s->k), *bias = alloc_aligned(s->n);
    float *packed = alloc_aligned(pf * copies);
    float *c = alloc_aligned(s->m * s->n);
    if (!a || !w || !bias || !packed || !c) {
        free(a), free(w), free(bias), free(packed), free(c);
        return -1.0;
    }
    uint32_t st = 1;
    for (size_t i = 0; i < s->m * s->k; i++)
        a[i] = (float)((st = st * 1664525u + 1013904223u) >> 16) / 65536.0f - 0.5f;
    for (size_t i = 0; i < s->n * s->k; i++)
        w[i] = (float)((st = st * 1664525u + 1013904223u) >> 16) / 65536.0f - 0.5f;
    for (size_t i = 0; i < s->n; i++)
        bias[i] = 0.1f;
    for (size_t i = 0; i < copies; i++)
        mbi_f32_gemm_pack(kern, s->n, s->k, w, s->k, 1, bias, packed + i * pf);
    const mbi_f32_minmax mm = {.min = 0.0f, .max = 6.0f};

    double flops = 2.0 * (double)s->m * (double)s->n * (double)s->k;
    long reps = (long)(0.004 * 150e9 / flops) + 1;
    gemm_call(kern, s, a, packed, c, &mm);
    double best = 1e30;
    size_t copy = 0;
    for (int batch = 0; batch < 25; batch++) {
        double t0 = now();
        for (long r = 0; r < reps; r++) {
            gemm_call(kern, s, a, packed + copy * pf, c, &mm);
            copy = copy + 1 < copies ? copy + 1 : 0;
        }
        double t = (now() - t0) / (double)reps;
        if (t < best)
            best = t;
    }
    sink = c[s->m * s->n - 1];
    free(a), free(w), free(bias), free(packed), free(c);
    return best;
}

static void bench_variant(const mbi_f32_gemm_kernel *kern, double peak)
{
    printf("\n%s (mr=%zu nr=%zu)\n", kern->name, kern->mr, kern->nr);
    printf("  %6s %5s %5s %3s  %9s %8s %7s\n", "M", "K", "N", "x", "us/call", "GFLOP/s", "% peak");
    double total_flops = 0.0, total_time = 0.0;
    for (size_t i = 0; i < bench_count; i++) {
        const shape *s = &bench_shapes[i];
        double t = time_gemm(kern, s);
        if (t < 0) {
            printf("  out of memory\n");
            return;
        }
        double flops = 2.0 * (double)s->m * (double)s->n * (double)s->k;
        double g = flops / t * 1e-9;
        printf("  %6zu %5zu %5zu %3d  %9.2f %8.1f %6.1f%%\n", s->m, s->k, s->n, s->count, t * 1e6, g,
               100.0 * g / peak);
        total_flops += flops * s->count;
        total_time += t * s->count;
    }
    double g = total_flops / total_time * 1e-9;
    printf("  overall (flop-weighted, %.1f MFLOP in %.2f ms): %.1f GFLOP/s = %.1f%% of peak\n",
           total_flops * 1e-6, total_time * 1e3, g, 100.0 * g / peak);
}

int main(int argc, char **argv)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    double peak512 = cpu.avx512 ? peak_gflops(1) : 0.0;
    double peak256 = cpu.avx2_fma ? peak_gflops(0) : 0.0;
    if (cpu.avx512)
        printf("single-core FMA peak, AVX-512: %.1f GFLOP/s\n", peak512);
    if (cpu.avx2_fma)
        printf("single-core FMA peak, AVX2:    %.1f GFLOP/s\n", peak256);

    size_t count = 0;
    const mbi_f32_gemm_kernel *const *vars = mbi_f32_gemm_kernel_variants(&count);
    const char *want = argc > 1 ? argv[1] : NULL;
    static shape one;
    if (argc > 2 && (strcmp(argv[argc - 1], "cold") == 0 || strcmp(argv[argc - 1], "model") == 0)) {
        cold = true;
        tasks = strcmp(argv[argc - 1], "model") == 0;
        argc--;
    }
    if (argc == 3 && strcmp(argv[2], "narrow") == 0) {
        bench_shapes = narrow_shapes;
        bench_count = sizeof narrow_shapes / sizeof narrow_shapes[0];
    } else if (argc == 5) {
        one = (shape){strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10), 1};
        if (one.m == 0 || one.k == 0 || one.n == 0) {
            fprintf(stderr, "usage: %s [VARIANT|sel|all] [narrow | M K N] [cold | model]\n", argv[0]);
            return 1;
        }
        bench_shapes = &one;
        bench_count = 1;
    }
    const mbi_f32_gemm_kernel *sel = mbi_f32_gemm_kernel_select(&cpu);
    for (size_t v = 0; v < count; v++) {
        const mbi_f32_gemm_kernel *kern = vars[v];
        bool run = want && strcmp(want, "sel") != 0
                       ? (strcmp(want, "all") == 0 || strcmp(want, kern->name) == 0)
                       : kern == sel;
        if (!run || !kern->supported(&cpu))
            continue;
        /* Percent of the peak of the widest vectors this CPU has: the
         * number a narrower variant would leave on the table. */
        double peak = peak512 > 0 ? peak512 : peak256 > 0 ? peak256 : 1.0;
        bench_variant(kern, peak);
    }
    return 0;
}
