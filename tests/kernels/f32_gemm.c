/* Every f32 GEMM variant this CPU runs against a double-accumulated
 * reference: tile edges in M and N, k = 1, strided A and C, block splits of
 * N and row splits of M, clamp on and off, no bias, both weight layouts.
 * Buffers are exactly as large as the contract says, so the sanitizer build
 * catches any read or write past them; C is pre-filled with a sentinel to
 * catch writes inside the buffer but outside the requested tile. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-gemm/f32_gemm.h"

#define SENTINEL 12345.0f

static uint32_t rng_state = 12345u;

static float rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

typedef struct gemm_case {
    size_t m, n, k, lda, ldc;
    bool bias, clamp, transposed_w; /* transposed_w: W stored as B[K][N] */
    size_t n_split;                  /* compute [0, n_split) and [n_split, n) separately (0: once) */
    size_t m_split;                  /* compute rows [0, m_split) and [m_split, m) separately (0: once) */
} gemm_case;

static float *alloc_floats(size_t n)
{
    return malloc((n ? n : 1) * sizeof(float));
}

/* Returns the number of bad elements; prints the first. */
static int run_case(const mbi_f32_gemm_kernel *kern, const gemm_case *tc)
{
    const size_t m = tc->m, n = tc->n, k = tc->k, lda = tc->lda, ldc = tc->ldc;
    float *a = alloc_floats((m - 1) * lda + k);
    float *w = alloc_floats(n * k);
    float *bias = alloc_floats(n);
    float *c = alloc_floats(m * ldc);
    for (size_t i = 0; i < (m - 1) * lda + k; i++)
        a[i] = rnd();
    for (size_t i = 0; i < n * k; i++)
        w[i] = rnd();
    for (size_t i = 0; i < n; i++)
        bias[i] = rnd();
    for (size_t i = 0; i < m * ldc; i++)
        c[i] = SENTINEL;

    size_t pf = mbi_f32_gemm_packed_floats(kern, n, k);
    float *packed = NULL;
    if (posix_memalign((void **)&packed, 64, pf * sizeof(float)) != 0)
        packed = NULL;
    /* W element (row j, col kk): [N][K] layout, or [K][N] for MatMul. */
    size_t sn = tc->transposed_w ? 1 : k, sk = tc->transposed_w ? n : 1;
    mbi_f32_gemm_pack(kern, n, k, w, sn, sk, tc->bias ? bias : NULL, packed);

    mbi_f32_minmax mm = {-INFINITY, INFINITY};
    if (tc->clamp) {
        mm.min = -0.5f;
        mm.max = 0.75f;
    }
    size_t ms[3] = {0, tc->m_split ? tc->m_split : m, m};
    size_t ns[3] = {0, tc->n_split ? tc->n_split : n, n};
    for (int mi = 0; mi < 2; mi++) {
        if (ms[mi] == ms[mi + 1])
            continue;
        for (int ni = 0; ni < 2; ni++) {
            if (ns[ni] == ns[ni + 1])
                continue;
            mbi_f32_gemm_compute(kern, ms[mi + 1] - ms[mi], ns[ni], ns[ni + 1], k, a + ms[mi] * lda, lda,
                                 packed, c + ms[mi] * ldc, ldc, &mm);
        }
    }

    int bad = 0;
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < ldc; j++) {
            float got = c[i * ldc + j];
            if (j >= n) {
                if (got != SENTINEL && bad++ == 0)
                    fprintf(stderr, "  %s: wrote padding C[%zu][%zu]\n", kern->name, i, j);
                continue;
            }
            double acc = tc->bias ? bias[j] : 0.0, mag = fabs(acc);
            for (size_t kk = 0; kk < k; kk++) {
                double p = (double)a[i * lda + kk] * w[j * sn + kk * sk];
                acc += p;
                mag += fabs(p);
            }
            if (acc < mm.min)
                acc = mm.min;
            if (acc > mm.max)
                acc = mm.max;
            double tol = 1e-6 * sqrt((double)k + 1) * (mag + 1.0);
            if (!(fabs(got - acc) <= tol) && bad++ == 0)
                fprintf(stderr, "  %s: C[%zu][%zu] = %.8g, want %.8g (tol %.3g)\n", kern->name, i, j,
                        got, acc, tol);
        }
    }
    free(a);
    free(w);
    free(bias);
    free(c);
    free(packed);
    return bad;
}

static void check_case(const mbi_f32_gemm_kernel *kern, gemm_case tc)
{
    int bad = run_case(kern, &tc);
    CHECK(bad == 0, "%s m=%zu n=%zu k=%zu lda=%zu ldc=%zu bias=%d clamp=%d wT=%d n_split=%zu m_split=%zu: %d bad",
          kern->name, tc.m, tc.n, tc.k, tc.lda, tc.ldc, tc.bias, tc.clamp, tc.transposed_w, tc.n_split,
          tc.m_split, bad);
}

/* Tile edges, odd sizes, strides, bias and clamp combinations. */
static void check_shapes(const mbi_f32_gemm_kernel *kern)
{
    const size_t mr = kern->mr, nr = kern->nr;
    const size_t ms[] = {1, 2, mr - 1, mr, mr + 1, 2 * mr, 3 * mr + 1};
    const size_t ns[] = {1, 7, 15, 16, 17, 33, 100, nr - 1, nr, nr + 1, 2 * nr, 3 * nr - 1};
    const size_t ks[] = {1, 2, 3, 16, 37};
    int variant = 0;
    for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++) {
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
            for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
                size_t m = ms[mi] ? ms[mi] : 1, n = ns[ni] ? ns[ni] : 1, k = ks[ki];
                variant++;
                gemm_case tc = {m, n, k, k, n, variant % 3 != 0, variant % 2 == 0, variant % 5 == 0, 0, 0};
                check_case(kern, tc);
                tc.lda = k + 5;
                tc.ldc = n + 3;
                tc.bias = !tc.bias;
                tc.clamp = !tc.clamp;
                check_case(kern, tc);
            }
        }
    }
}

/* Threads split N at block boundaries and M at any row. */
static void check_splits(const mbi_f32_gemm_kernel *kern)
{
    const size_t nr = kern->nr, mr = kern->mr;
    const size_t ns[] = {nr + 1, 2 * nr, 3 * nr + 5};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        for (size_t split = nr; split < ns[i]; split += nr) {
            gemm_case tc = {2 * mr + 3, ns[i], 19, 21, ns[i] + 2, true, true, false, split, 0};
            check_case(kern, tc);
            tc.m_split = mr / 2 + 1;
            tc.clamp = false;
            check_case(kern, tc);
        }
    }
}

/* Shapes of real layers: deep K, wide N, M not a multiple of any tile. */
static void check_layers(const mbi_f32_gemm_kernel *kern)
{
    const size_t shapes[][3] = {{49, 160, 960}, {49, 1280, 320}, {196, 64, 384}, {784, 32, 192},
                                {300, 96, 16},  {123, 100, 27},  {9, 33, 576}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        gemm_case tc = {shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][2], shapes[i][1],
                        true, i % 2 == 0, i == 3, 0, 0};
        check_case(kern, tc);
    }
}

/* A NaN sum stays NaN through the clamp (as it would through Relu6). */
static void check_nan(const mbi_f32_gemm_kernel *kern)
{
    const size_t k = 5, n = kern->nr + 3;
    float a[5] = {1, 2, NAN, 4, 5};
    float w[5 * 35], c[35];
    for (size_t i = 0; i < n * k; i++)
        w[i] = 0.25f;
    float *packed = NULL;
    if (posix_memalign((void **)&packed, 64, mbi_f32_gemm_packed_floats(kern, n, k) * sizeof(float)) != 0)
        return;
    mbi_f32_gemm_pack(kern, n, k, w, k, 1, NULL, packed);
    mbi_f32_minmax mm = {0.0f, 6.0f};
    mbi_f32_gemm_compute(kern, 1, 0, n, k, a, k, packed, c, n, &mm);
    bool all_nan = true;
    for (size_t j = 0; j < n; j++)
        all_nan = all_nan && isnan(c[j]);
    CHECK(all_nan, "%s: NaN did not propagate through the clamp", kern->name);
    free(packed);
}

int main(void)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count = 0;
    const mbi_f32_gemm_kernel *const *vars = mbi_f32_gemm_kernel_variants(&count);
    CHECK(count > 0, "no variants");
    const mbi_f32_gemm_kernel *sel = mbi_f32_gemm_kernel_select(&cpu);
    CHECK(sel != NULL && sel->supported(&cpu), "select returned an unsupported variant");
    printf("selected: %s\n", sel ? sel->name : "(null)");
    for (size_t v = 0; v < count; v++) {
        const mbi_f32_gemm_kernel *kern = vars[v];
        if (!kern->supported(&cpu)) {
            printf("SKIPPED %s: this CPU lacks its ISA\n", kern->name);
            continue;
        }
        int before = check_failed;
        CHECK(mbi_f32_gemm_packed_floats(kern, SIZE_MAX / 2, SIZE_MAX / 2) == SIZE_MAX &&
                  mbi_f32_gemm_packed_floats(kern, 3, SIZE_MAX) == SIZE_MAX,
              "%s: packed size wraps instead of saturating", kern->name);
        check_shapes(kern);
        check_splits(kern);
        check_layers(kern);
        check_nan(kern);
        printf("%s %s (mr=%zu nr=%zu)\n", check_failed == before ? "ok  " : "FAIL", kern->name, kern->mr,
               kern->nr);
    }
    return check_summary();
}
