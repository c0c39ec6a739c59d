/* The stem convolutions of the measured models (NCHW image in, NHWC out),
 * one thread, the kernel alone on warm caches: microseconds and GFLOP/s of
 * every stem convolution variant this CPU runs, against what ConvNhwc did
 * before (the image transposed to NHWC, then the selected indirect GEMM
 * with a prebuilt indirection buffer), timed in the same loop.
 *
 *   bench_stemconv [runs [LABEL [VARIANT]]]   only the stems whose label
 *       contains LABEL, the variants whose name contains VARIANT
 *
 * Times are the best of many runs: the machine may be shared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch/cpu.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-igemm/f32_igemm.h"
#include "kernels/f32-stemconv/f32_stemconv.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct stem {
    const char *where;
    size_t side, m, k, pad;
} stem;

static const stem stems[] = {
    {"mv3 224 3x3 s2 ->16", 224, 16, 3, 1},
    {"mv2/effb0/mnas 224 3x3 s2 ->32", 224, 32, 3, 1},
    {"resnet18 224 7x7 s2 ->64", 224, 64, 7, 3},
    /* Image and output in L1: what the arithmetic alone allows. */
    {"L1 48 3x3 s2 ->16", 48, 16, 3, 1},
    {"L1 48 3x3 s2 ->32", 48, 32, 3, 1},
};

static void *alloc64(size_t bytes)
{
    void *p = NULL;
    return posix_memalign(&p, 64, bytes ? bytes : 64) == 0 ? p : NULL;
}

/* Transpose to NHWC, then the indirect GEMM (the path before ConvStemNhwc). */
static double time_igemm(const mbi_cpu *cpu, const stem *st, size_t out, const float *x,
                         const float *w, float *y, int runs)
{
    const mbi_f32_gemm_kernel *gk = mbi_f32_gemm_kernel_select(cpu);
    const mbi_f32_igemm_kernel *ik = mbi_f32_igemm_kernel_select(cpu);
    const size_t hw = st->side * st->side, ks = st->k * st->k, k = 3 * ks;
    mbi_igemm_conv2d g = {.batch = 1, .in_h = st->side, .in_w = st->side, .pixel_stride = 3,
                          .kh = st->k, .kw = st->k, .stride_h = 2, .stride_w = 2, .dil_h = 1,
                          .dil_w = 1, .pad_top = st->pad, .pad_left = st->pad, .out_h = out,
                          .out_w = out};
    float *xt = alloc64(hw * 3 * sizeof(float)), *wt = alloc64(st->m * k * sizeof(float));
    float *packed = alloc64(mbi_f32_gemm_packed_floats(gk, st->m, k) * sizeof(float));
    float *zero = calloc(3, sizeof(float));
    const size_t entries = mbi_f32_igemm_indirection_size(&g, ik->mr);
    const float **ind = malloc(entries * sizeof *ind);
    double best = 1e9;
    if (xt && wt && packed && zero && ind) {
        for (size_t o = 0; o < st->m; o++)
            for (size_t t = 0; t < k; t++)
                wt[o * k + t] = w[o * k + t % 3 * ks + t / 3];
        mbi_f32_gemm_pack(gk, st->m, k, wt, k, 1, NULL, packed);
        mbi_f32_igemm_indirection_build(&g, ik->mr, xt, zero, 0, (out * out + ik->mr - 1) / ik->mr,
                                        ind);
        const mbi_f32_minmax mm = {.min = 0.0f, .max = 6.0f};
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            for (size_t p = 0; p < hw; p++)
                for (size_t c = 0; c < 3; c++)
                    xt[p * 3 + c] = x[c * hw + p];
            mbi_f32_igemm_compute(ik, out * out, 0, st->m, 3, ks, ind, packed, y, st->m, &mm);
            double t = now() - t0;
            if (t < best)
                best = t;
        }
    }
    free(xt), free(wt), free(packed), free(zero), free(ind);
    return best;
}

int main(int argc, char **argv)
{
    const int runs = argc > 1 ? atoi(argv[1]) : 200;
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_stemconv_kernel *const *vars = mbi_f32_stemconv_kernel_variants(&count);
    for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++) {
        const stem *st = &stems[i];
        if (argc > 2 && !strstr(st->where, argv[2]))
            continue;
        const size_t out = (st->side + 2 * st->pad - st->k) / 2 + 1;
        const size_t in_floats = 3 * st->side * st->side, w_floats = st->m * 3 * st->k * st->k;
        float *x = alloc64(in_floats * sizeof(float));
        float *y = alloc64(out * out * st->m * sizeof(float));
        float *w = alloc64(w_floats * sizeof(float));
        if (!x || !y || !w)
            return 1;
        for (size_t j = 0; j < in_floats; j++)
            x[j] = (float)(j % 17) * 0.1f;
        for (size_t j = 0; j < w_floats; j++)
            w[j] = (float)(j % 7) * 0.01f;
        const double flops = 2.0 * out * out * st->m * 3 * st->k * st->k;
        const double ig = time_igemm(&cpu, st, out, x, w, y, runs);
        printf("%-26s %-32s %8.1f us %6.1f GFLOP/s\n", "transpose + igemm", st->where, ig * 1e6,
               flops / ig * 1e-9);
        for (size_t v = 0; v < count; v++) {
            const mbi_f32_stemconv_kernel *kern = vars[v];
            if (!kern->supported(&cpu) || (argc > 3 && !strstr(kern->name, argv[3])))
                continue;
            mbi_stemconv_shape s = {.c = 3, .m = st->m, .ldc = st->m, .in_h = st->side,
                                    .in_w = st->side, .kh = st->k, .kw = st->k, .stride_h = 2,
                                    .stride_w = 2, .dil_h = 1, .dil_w = 1, .pad_top = st->pad,
                                    .pad_left = st->pad, .out_h = out, .out_w = out};
            float *packed = alloc64(mbi_f32_stemconv_packed_floats(kern, 3, st->m, st->k, st->k) *
                                    sizeof(float));
            if (!packed)
                return 1;
            mbi_f32_stemconv_pack(kern, 3, st->m, st->k, st->k, w, NULL, packed);
            const mbi_f32_minmax mm = {.min = 0.0f, .max = 6.0f};
            double best = 1e9;
            for (int r = 0; r < runs; r++) {
                double t0 = now();
                mbi_f32_stemconv_compute(kern, &s, x, packed, y, 0, out, &mm);
                double t = now() - t0;
                if (t < best)
                    best = t;
            }
            printf("%-26s %-32s %8.1f us %6.1f GFLOP/s\n", kern->name, st->where, best * 1e6,
                   flops / best * 1e-9);
            free(packed);
        }
        free(x), free(y), free(w);
    }
    return 0;
}
