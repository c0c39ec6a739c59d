/* Nanoseconds per element of every f32-vact variant on every activation
 * kind, exp and erf, on 4096 floats in L1 (the size of the epilogue's tile
 * pieces), inputs uniform in [-8, 8] like pre-activation values.
 *
 *   vact_speed            every variant this CPU runs
 *   vact_speed NAME       one variant ("avx512", "avx2", "scalar")
 *
 * Times are the best of several repetitions: the machine may be shared, and
 * the best run is the one least disturbed by others. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dispatch/cpu.h"
#include "kernels/f32-vact/f32_vact.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { N = 4096, CALLS = 400, REPS = 15 };

typedef struct fn {
    const char *name;
    mbi_act act;
    int which; /* 0: act, 1: exp, 2: erf */
} fn;

static const fn fns[] = {
    {"relu", {MBI_ACT_RELU, 0, 0}, 0},
    {"hardswish", {MBI_ACT_HARD_SWISH, 0, 0}, 0},
    {"sigmoid", {MBI_ACT_SIGMOID, 0, 0}, 0},
    {"silu", {MBI_ACT_SILU, 0, 0}, 0},
    {"tanh", {MBI_ACT_TANH, 0, 0}, 0},
    {"gelu_erf", {MBI_ACT_GELU_ERF, 0, 0}, 0},
    {"gelu_tanh", {MBI_ACT_GELU_TANH, 0, 0}, 0},
    {"exp", {MBI_ACT_NONE, 0, 0}, 1},
    {"erf", {MBI_ACT_NONE, 0, 0}, 2},
};

static float x[N], y[N];

static double ns_per_element(const mbi_f32_vact_variant *v, const fn *f)
{
    double best = 1e30;
    for (int r = 0; r < REPS; r++) {
        const double t0 = now();
        for (int c = 0; c < CALLS; c++) {
            if (f->which == 1)
                v->exp(x, y, N);
            else if (f->which == 2)
                v->erf(x, y, N);
            else
                v->act(&f->act, x, y, N);
        }
        const double t = (now() - t0) * 1e9 / ((double)CALLS * N);
        best = t < best ? t : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    uint32_t rng = 1;
    for (size_t i = 0; i < N; i++) {
        rng = rng * 1664525u + 1013904223u;
        x[i] = -8.0f + 16.0f * (float)(rng >> 8) / 16777216.0f;
    }
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_vact_variant *const *variants = mbi_f32_vact_variants(&count);
    printf("%-8s", "ns/elem");
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        printf(" %9s", fns[i].name);
    printf("\n");
    for (size_t vi = 0; vi < count; vi++) {
        const mbi_f32_vact_variant *v = variants[vi];
        if (!v->supported(&cpu) || (argc > 1 && strcmp(argv[1], v->name) != 0))
            continue;
        printf("%-8s", v->name);
        for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
            printf(" %9.3f", ns_per_element(v, &fns[i]));
        printf("\n");
        fflush(stdout);
    }
    return 0;
}
