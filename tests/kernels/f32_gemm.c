/* Every f32 GEMM variant this CPU runs against a double-accumulated
 * reference: tile edges in M and N, k = 1, strided A and C, block splits of
 * N and row splits of M, every in-register epilogue (none, clamp,
 * HardSigmoid, HardSwish), no bias, both weight layouts,
 * random mobile shapes (narrow and wide last blocks, odd M), and each of
 * the walks compute picks (block order, row order over several chunks,
 * the prefetching bodies, equal M tiles).
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
#include "test_epilogue.h"

#define SENTINEL 12345.0f

static uint32_t rng_state = 12345u;

static float rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

typedef struct gemm_case {
    size_t m, n, k, lda, ldc;
    bool bias;
    test_epi epi;
    bool transposed_w;               /* W stored as B[K][N] */
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
    /* A wide bias takes the hard activations' inputs past -3 and 3. */
    const float bias_scale = tc->epi >= TE_HARD_SIGMOID ? 6.0f : 1.0f;
    for (size_t i = 0; i < n; i++)
        bias[i] = bias_scale * rnd();
    for (size_t i = 0; i < m * ldc; i++)
        c[i] = SENTINEL;

    size_t pf = mbi_f32_gemm_packed_floats(kern, n, k);
    float *packed = NULL;
    if (posix_memalign((void **)&packed, 64, pf * sizeof(float)) != 0)
        packed = NULL;
    /* W element (row j, col kk): [N][K] layout, or [K][N] for MatMul. */
    size_t sn = tc->transposed_w ? 1 : k, sk = tc->transposed_w ? n : 1;
    mbi_f32_gemm_pack(kern, n, k, w, sn, sk, tc->bias ? bias : NULL, packed);

    const float lo = -0.5f, hi = 0.75f;
    const mbi_f32_minmax mm = te_minmax(tc->epi, lo, hi);
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
            acc = te_apply(tc->epi, lo, hi, acc);
            double tol = te_tolerance(tc->epi, 1e-6 * sqrt((double)k + 1) * (mag + 1.0), acc);
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
    CHECK(bad == 0, "%s m=%zu n=%zu k=%zu lda=%zu ldc=%zu bias=%d epilogue=%s wT=%d n_split=%zu m_split=%zu: %d bad",
          kern->name, tc.m, tc.n, tc.k, tc.lda, tc.ldc, tc.bias, te_names[tc.epi], tc.transposed_w, tc.n_split,
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
                gemm_case tc = {m, n, k, k, n, variant % 3 != 0, (test_epi)(variant % TE_COUNT),
                                variant % 5 == 0, 0, 0};
                check_case(kern, tc);
                tc.lda = k + 5;
                tc.ldc = n + 3;
                tc.bias = !tc.bias;
                tc.epi = (test_epi)((tc.epi + 2) % TE_COUNT);
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
            tc.epi = split % 2 ? TE_HARD_SWISH : TE_HARD_SIGMOID;
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
                        true, (test_epi)(i % TE_COUNT), i == 3, 0, 0};
        check_case(kern, tc);
    }
}

static size_t rnd_below(size_t n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (size_t)(rng_state >> 8) % n;
}

/* Random shapes of mobile layers: N with a last block of 1..nr/2 columns
 * (N = 16, 40, 80, 112 with nr = 32) or nr/2+1..nr-1 (24, 56), whole
 * blocks, odd M of one to many tiles, K from 1 to a few hundred, padded lda
 * and ldc, every bias / clamp / layout mix, and splits of M at any row and
 * of N at a block. */
static void check_random(const mbi_f32_gemm_kernel *kern)
{
    const size_t nr = kern->nr;
    for (int i = 0; i < 60; i++) {
        size_t blocks = rnd_below(4);
        size_t tail = i % 3 == 0   ? 1 + rnd_below(nr / 2 > 1 ? nr / 2 : 1)
                      : i % 3 == 1 ? nr / 2 + 1 + rnd_below(nr - nr / 2 - 1 ? nr - nr / 2 - 1 : 1)
                                   : 0;
        size_t n = blocks * nr + tail;
        if (n == 0)
            n = nr;
        size_t m = 1 + 2 * rnd_below(100); /* odd */
        size_t k = 1 + rnd_below(i % 4 == 0 ? 400 : 64);
        gemm_case tc = {m, n, k, k + (rnd_below(3) == 0 ? 1 + rnd_below(9) : 0),
                        n + (rnd_below(3) == 0 ? 1 + rnd_below(9) : 0), rnd_below(4) != 0,
                        (test_epi)rnd_below(TE_COUNT), rnd_below(5) == 0, 0, 0};
        size_t nblocks = (n + nr - 1) / nr;
        if (nblocks > 1 && rnd_below(3) == 0)
            tc.n_split = (1 + rnd_below(nblocks - 1)) * nr;
        if (m > 1 && rnd_below(3) == 0)
            tc.m_split = 1 + rnd_below(m - 1);
        check_case(kern, tc);
    }
}

/* Each walk of mbi_f32_gemm_compute: the block order (A small, weights
 * >= 32 KiB, the 7x7 and 14x14 layers), with its prefetch of the next
 * block; the row order with several L2 chunks (so calls prefetch the next
 * chunk) and A large enough to be prefetched a tile ahead; the row order
 * with small weights; and M tails split into equal tiles (49 = 10+10+10+10+9
 * rows with mr = 12). */
static void check_orders(const mbi_f32_gemm_kernel *kern)
{
    const size_t nr = kern->nr;
    const size_t shapes[][3] = {
        /* m, n, k */
        {49, 3 * nr + nr / 2, 300},   /* block order, narrow last block */
        {49, 2 * nr + nr - 3, 331},   /* block order, wide last block */
        {13, 40, 700},                /* block order, one tile past mr (mr = 12) */
        {97, 5 * nr + 1, 257},        /* block order, one-column last block */
        {80, 100, 2000},              /* row order, 2+ chunks, A > 512 KiB */
        {150, 3 * nr + 16, 1000},     /* row order, A prefetched, narrow last */
        {300, nr + 8, 24},            /* row order, small weights */
        {25, 24, 16},                 /* row order, small weights, odd tail */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const size_t m = shapes[i][0], n = shapes[i][1], k = shapes[i][2];
        gemm_case tc = {m, n, k, k + (i % 2), n + 2 * (i % 3 == 0), true, (test_epi)(i % TE_COUNT), i == 2,
                        0, 0};
        check_case(kern, tc);
        /* Threads' shares: a block split and an M split at an odd row. */
        size_t nblocks = (n + nr - 1) / nr;
        tc.n_split = nblocks > 1 ? (nblocks / 2) * nr : 0;
        tc.m_split = m / 2 | 1;
        tc.epi = (test_epi)((tc.epi + 2) % TE_COUNT);
        check_case(kern, tc);
    }
    for (size_t m = 1; m <= 4 * kern->mr + 1; m += 3) {
        gemm_case tc = {m, nr + nr / 2, 400, 400, nr + nr / 2, true, (test_epi)(m % TE_COUNT), false, 0, 0};
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
    mbi_f32_minmax mm = {.min = 0.0f, .max = 6.0f};
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
        check_random(kern);
        check_orders(kern);
        check_nan(kern);
        printf("%s %s (mr=%zu nr=%zu)\n", check_failed == before ? "ok  " : "FAIL", kern->name, kern->mr,
               kern->nr);
    }
    te_check_regions("f32_gemm");
    return check_summary();
}
