/* The depthwise layers of MobileNetV2/V3, MnasNet and EfficientNet-B0 at
 * 224x224, one thread, the kernel alone on warm caches (the input and output
 * of the 28x28 and smaller layers fit in L2; the 56x56 and 112x112 ones come
 * from L3), plus one-block layers that live in L1 and the layers as
 * MBConvNhwc calls the kernel (one or two output rows per call, input rows
 * from a small hot ring): GFLOP/s, % of the single-core FMA peak and the
 * time the FMAs alone would take, so one sees how far each shape is from
 * being limited by the FMA units.
 *
 *   bench_dwconv_shapes [selected] the variant selected for this CPU
 *   bench_dwconv_shapes all        every variant this CPU runs
 *   bench_dwconv_shapes NAME       one variant by name
 *   bench_dwconv_shapes NAME LAYER the layers whose label contains LAYER
 *
 * Times are the best of many short batches: the machine may be shared. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch/cpu.h"
#include "kernels/f32-dwconv/f32_dwconv.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct layer {
    const char *where;
    size_t in, c, k, stride;
    size_t call_rows; /* 0: the whole image per call; else rows per call, as MBConvNhwc calls it */
} layer;

/* "Same" padding (k/2) as in every one of these networks. */
static const layer layers[] = {
    {"mv3l 14x14x200", 14, 200, 3, 1, 0},     {"mv3l 14x14x480", 14, 480, 3, 1, 0},
    {"mv3l 14x14x672 5x5", 14, 672, 5, 1, 0}, {"mv3l 7x7x960 5x5", 7, 960, 5, 1, 0},
    {"mv2 14x14x384", 14, 384, 3, 1, 0},      {"mv2 7x7x960", 7, 960, 3, 1, 0},
    {"effb0 7x7x1152 5x5", 7, 1152, 5, 1, 0}, {"effb0 28x28x240 5x5", 28, 240, 5, 1, 0},
    {"mv2 28x28x192", 28, 192, 3, 1, 0},      {"mv2 56x56x144", 56, 144, 3, 1, 0},
    {"effb0 112x112x32", 112, 32, 3, 1, 0},   {"mv2 112x112x96 s2", 112, 96, 3, 2, 0},
    {"effb0 28x28x672 5x5 s2", 28, 672, 5, 2, 0}, {"mv3s 7x7x576 5x5", 7, 576, 5, 1, 0},
    /* One block, all in L1: what the arithmetic alone allows. */
    {"L1 14x14x16", 14, 16, 3, 1, 0}, {"L1 14x14x16 5x5", 14, 16, 5, 1, 0},
    {"L1 56x56x16", 56, 16, 3, 1, 0},
    /* MBConvNhwc's calls: one output row at a time. */
    {"row mv2 112x112x96 s2", 112, 96, 3, 2, 1}, {"row mv2 56x56x144", 56, 144, 3, 1, 1},
    {"row mv2 112x112x32", 112, 32, 3, 1, 1},    {"row mv2 28x28x192", 28, 192, 3, 1, 1},
    /* The same two rows per call. */
    {"row2 mv2 112x112x96 s2", 112, 96, 3, 2, 2}, {"row2 mv2 56x56x144", 56, 144, 3, 1, 2},
    {"row2 mv2 112x112x32", 112, 32, 3, 1, 2},    {"row2 mv2 28x28x192", 28, 192, 3, 1, 2},
    /* Stride 2 by pixel stride: 1, 2, 3, 4, 5 and 7 lines of 64 bytes (MBConvNhwc pads 64 and 96
     * expanded channels to 80 and 112: an even number of lines leaves L1 sets unused). */
    {"row2 s2 112x112x16", 112, 16, 3, 2, 2},     {"row2 s2 112x112x32", 112, 32, 3, 2, 2},
    {"row2 s2 112x112x48", 112, 48, 3, 2, 2},     {"row2 s2 112x112x64", 112, 64, 3, 2, 2},
    {"row2 s2 112x112x80", 112, 80, 3, 2, 2},     {"row2 s2 112x112x112", 112, 112, 3, 2, 2},
};

static volatile float sink;

static void bench(const mbi_f32_dwconv_kernel *kern, const layer *l, double peak)
{
    const size_t pad = l->k / 2, oh = (l->in + 2 * pad - l->k) / l->stride + 1;
    mbi_dwconv_shape s = {l->in, l->in, l->c, l->k, l->k, l->stride, l->stride, 1, 1, pad, pad, oh, oh, NULL, 0};
    const size_t n_in = l->in * l->in * l->c, n_out = oh * oh * l->c, taps = l->k * l->k;
    /* 64-byte aligned as the session arena's tensors: unaligned, every zmm access splits a line. */
    float *in = aligned_alloc(64, (n_in * sizeof(float) + 63) & ~(size_t)63);
    float *out = aligned_alloc(64, (n_out * sizeof(float) + 63) & ~(size_t)63);
    float *w = malloc(l->c * taps * sizeof(float)), *b = malloc(l->c * sizeof(float));
    float *packed = aligned_alloc(64, (mbi_f32_dwconv_packed_floats(kern, l->c, l->k, l->k) * sizeof(float) + 63) &
                                          ~(size_t)63);
    for (size_t i = 0; i < n_in; i++)
        in[i] = (float)(i % 13) * 0.1f - 0.6f;
    for (size_t i = 0; i < l->c * taps; i++)
        w[i] = (float)(i % 7) * 0.05f - 0.15f;
    for (size_t i = 0; i < l->c; i++)
        b[i] = 0.01f * (float)(i % 5);
    mbi_f32_dwconv_pack(kern, l->c, l->k, l->k, w, b, packed);
    const mbi_f32_minmax mm = {.min = 0.0f, .max = 6.0f};
    /* MBConvNhwc's view: input rows from a ring of a few rows (the expand stage's output, hot in
     * cache) and the output rows of each call into the same buffer (the project stage's input). */
    const float **table = malloc(l->in * sizeof *table);
    for (size_t iy = 0; iy < l->in; iy++)
        table[iy] = in + iy % (l->k + 2 * l->stride) * l->in * l->c;
    mbi_dwconv_shape ring_s = s;
    ring_s.in_rows = table;
    const double flops = 2.0 * (double)(n_out * taps);
    /* Batches of about 2 ms at 100 GFLOP/s. */
    int reps = (int)(2e8 / flops) + 1;
    double best = 1e30;
    for (int r = 0; r < 40; r++) {
        double t0 = now();
        for (int i = 0; i < reps; i++) {
            if (l->call_rows) {
                for (size_t oy = 0; oy < oh; oy += l->call_rows) {
                    ring_s.out_row0 = oy;
                    mbi_f32_dwconv_compute(kern, &ring_s, NULL, packed, out, oy, oy + l->call_rows, &mm);
                }
            } else {
                mbi_f32_dwconv_compute(kern, &s, in, packed, out, 0, oh, &mm);
            }
        }
        double t = (now() - t0) / reps;
        if (t < best)
            best = t;
    }
    sink = out[n_out / 2];
    const double gf = flops / best * 1e-9;
    printf("%-24s %-22s %9.4f ms %7.1f GFLOP/s %5.1f%% of peak (FMA-bound %.4f ms)\n", l->where, kern->name,
           best * 1e3, gf, peak > 0 ? 100.0 * gf / peak : 0.0, peak > 0 ? flops / peak * 1e-6 : 0.0);
    free(in);
    free(out);
    free(w);
    free(b);
    free(packed);
    free(table);
}

int main(int argc, char **argv)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_dwconv_kernel *const *vars = mbi_f32_dwconv_kernel_variants(&count);
    const char *which = argc > 1 && strcmp(argv[1], "selected") != 0 ? argv[1] : NULL;
    /* Peak of a variant: 2 FMA ports x channel_tile lanes x 2 flops per cycle, at MBI_GHZ (default
     * 3.87 GHz: bench_gemm_peak measures 248 GFLOP/s with AVX-512 on the development machine). */
    const char *ghz_env = getenv("MBI_GHZ");
    const double ghz = ghz_env ? atof(ghz_env) : 3.87;
    for (size_t i = 0; i < count; i++) {
        const mbi_f32_dwconv_kernel *k = vars[i];
        if (!k->supported(&cpu))
            continue;
        if (which ? strcmp(which, "all") != 0 && strcmp(which, k->name) != 0
                  : k != mbi_f32_dwconv_kernel_select(&cpu))
            continue;
        const double peak = ghz * 2.0 * 2.0 * (double)k->channel_tile; /* 2 ports x FMA = 2 flops */
        for (size_t li = 0; li < sizeof layers / sizeof layers[0]; li++)
            if (argc < 3 || strstr(layers[li].where, argv[2]))
                bench(k, &layers[li], peak);
    }
    return 0;
}
