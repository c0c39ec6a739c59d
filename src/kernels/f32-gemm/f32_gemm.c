/* The f32 GEMM family: the variant table, weight packing, and the two
 * walks of C in microkernel tiles (by rows, or by column blocks). */
#include "kernels/f32-gemm/f32_gemm.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernels/f32-gemm/f32_gemm_ukernels.h"

static const mbi_f32_gemm_kernel scalar_4x4 = {
    "f32_gemm_4x4_scalar", 4, 4, mbi_cpu_any, mbi_f32_gemm_ukernel_4x4_scalar,
};

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define MBI_HAVE_X86_VARIANTS 1

/* The SIMD variants load W with aligned loads: a packed buffer that starts
 * 64-byte aligned keeps every block aligned only if a block's nr*(k+1)
 * floats are a multiple of 64 bytes for every k, i.e. nr is. */
enum { NR_AVX2 = 16, NR_AVX512 = 32 };
_Static_assert(NR_AVX2 * sizeof(float) % 64 == 0, "AVX2 blocks must stay 64-byte aligned");
_Static_assert(NR_AVX512 * sizeof(float) % 64 == 0, "AVX-512 blocks must stay 64-byte aligned");

static const mbi_f32_gemm_kernel avx2_6x16 = {
    "f32_gemm_6x16_avx2", 6, NR_AVX2, mbi_cpu_has_avx2, mbi_f32_gemm_ukernel_6x16_avx2,
};
static const mbi_f32_gemm_kernel avx512_6x32 = {
    "f32_gemm_6x32_avx512", 6, NR_AVX512, mbi_cpu_has_avx512, mbi_f32_gemm_ukernel_6x32_avx512,
};
static const mbi_f32_gemm_kernel avx512_12x32 = {
    "f32_gemm_12x32_avx512", 12, NR_AVX512, mbi_cpu_has_avx512, mbi_f32_gemm_ukernel_12x32_avx512,
};
#endif

/* Best first: select returns the first one the CPU supports. */
static const mbi_f32_gemm_kernel *const variants[] = {
#ifdef MBI_HAVE_X86_VARIANTS
    &avx512_12x32, &avx512_6x32, &avx2_6x16,
#endif
    &scalar_4x4,
};

const mbi_f32_gemm_kernel *const *mbi_f32_gemm_kernel_variants(size_t *count)
{
    *count = sizeof variants / sizeof variants[0];
    return variants;
}

const mbi_f32_gemm_kernel *mbi_f32_gemm_kernel_select(const mbi_cpu *cpu)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (variants[i]->supported(cpu))
            return variants[i];
    return &scalar_4x4;
}

static size_t block_floats(const mbi_f32_gemm_kernel *kern, size_t k)
{
    return kern->nr * (k + 1);
}

size_t mbi_f32_gemm_packed_floats(const mbi_f32_gemm_kernel *kern, size_t n, size_t k)
{
    /* n and k come from model files: saturate instead of wrapping, so the
     * caller's size check rejects the layer. */
    const size_t nr = kern->nr;
    size_t blocks = n / nr + (n % nr != 0);
    if (k >= SIZE_MAX / nr - 1 || (blocks && block_floats(kern, k) > SIZE_MAX / blocks))
        return SIZE_MAX;
    return blocks * block_floats(kern, k);
}

void mbi_f32_gemm_pack(const mbi_f32_gemm_kernel *kern, size_t n, size_t k, const float *w, size_t w_stride_n,
                       size_t w_stride_k, const float *bias, float *packed)
{
    const size_t nr = kern->nr;
    for (size_t n0 = 0; n0 < n; n0 += nr) {
        const size_t nc = n - n0 < nr ? n - n0 : nr;
        float *p = packed + (n0 / nr) * block_floats(kern, k);
        for (size_t j = 0; j < nr; j++)
            p[j] = j < nc && bias ? bias[n0 + j] : 0.0f;
        p += nr;
        for (size_t kk = 0; kk < k; kk++, p += nr)
            for (size_t j = 0; j < nr; j++)
                p[j] = j < nc ? w[(n0 + j) * w_stride_n + kk * w_stride_k] : 0.0f;
    }
}

/* Packed W a column chunk may span so it stays in L2 while every row tile
 * of A passes over it (A tiles themselves stay in L1 across the chunk). */
#define GEMM_L2_CHUNK_BYTES (512u * 1024u)

/* A of at most this many bytes, with at least GEMM_W_BLOCK_ORDER_BYTES
 * of weights, is walked block by block instead (see block_order). Smaller
 * weights stay in L1/L2 across calls and the row order is faster: 56x56
 * maps (W <= 14 KiB) lost 8-20% in the block order, 14x14 ones (W >= 49
 * KiB) gained 7-10%. */
#define GEMM_A_L2_BYTES (512u * 1024u)
#define GEMM_W_BLOCK_ORDER_BYTES (32u * 1024u)

/* A larger than GEMM_A_L2_BYTES (so likely not in L2) with rows at least
 * this long is prefetched a tile ahead in the row order: the mr rows a
 * tile reads at once outrun the hardware prefetcher (56x56, K = 144 gained
 * 9%); shorter rows (K = 16, 32) were 2% slower with it, and A already in
 * L2 2% slower too (uops for nothing). */
#define GEMM_A_PREFETCH_MIN_K 64

/* Where call `call` of a pass over some weights should prefetch the
 * weights needed next (next_bytes from next), k lines per call, spread
 * over the calls so they arrive in L2 while this pass computes. */
static const void *prefetch_for(const float *next, size_t next_bytes, size_t call, size_t k)
{
    if (call * k * 64 < next_bytes)
        return (const char *)next + call * k * 64;
    return NULL;
}

/* Another node's bytes to bring into L2 during this GEMM
 * (mbi_f32_gemm_compute_prefetch): handed out k lines at a time to the
 * calls that prefetch nothing of their own. */
typedef struct extra_lines {
    const char *next, *end;
} extra_lines;

static const void *take_extra(extra_lines *x, size_t k)
{
    if (!x || x->next >= x->end)
        return NULL;
    const char *p = x->next;
    x->next = (size_t)(x->end - p) > k * 64 ? p + k * 64 : x->end;
    return p;
}

/* Height of tile t of `tiles` over rows [m0, m): tiles of nearly equal
 * height, so a 49-row map runs as 10+10+10+10+9, not 4x12+1, whose one-row
 * tile would stream a whole block from L2 for two FMAs per k. */
static size_t tile_rows(size_t m, size_t m0, size_t tiles, size_t t)
{
    return (m - m0) / (tiles - t);
}

/* Row order: per chunk of W that fits L2, every row tile of A passes over
 * the chunk's blocks (A's tile stays in L1 across them). The next chunk is
 * prefetched while this one computes; the first chunk's first row tile
 * waits on memory for the whole chunk, which the block order avoids. */
static void row_order(const mbi_f32_gemm_kernel *kern, size_t m, size_t n_begin, size_t n_end,
                      size_t k, const float *a, size_t lda, const float *packed, float *c,
                      size_t ldc, const mbi_f32_minmax *mm, bool prefetch_a, extra_lines *extra)
{
    const size_t mr = kern->mr, nr = kern->nr;
    const size_t bf = block_floats(kern, k);
    size_t chunk_blocks = GEMM_L2_CHUNK_BYTES / (bf * sizeof(float));
    if (chunk_blocks == 0)
        chunk_blocks = 1;
    const size_t chunk = chunk_blocks * nr;
    const size_t tiles = (m + mr - 1) / mr;
    for (size_t nc0 = n_begin; nc0 < n_end; nc0 += chunk) {
        const size_t nc1 = n_end - nc0 < chunk ? n_end : nc0 + chunk;
        const size_t next_end = n_end - nc1 < chunk ? n_end : nc1 + chunk;
        const size_t next_bytes = (next_end - nc1 + nr - 1) / nr * bf * sizeof(float);
        const float *next = packed + (nc1 / nr) * bf;
        size_t call = 0, m0 = 0;
        for (size_t t = 0; t < tiles; t++) {
            const size_t rows = tile_rows(m, m0, tiles, t);
            for (size_t n0 = nc0; n0 < nc1; n0 += nr) {
                const size_t cols = nc1 - n0 < nr ? nc1 - n0 : nr;
                /* With prefetch_a, a tile's first call fetches the next
                 * tile of A (k lines cover its rows when lda is about k).
                 * The other calls fetch the next chunk of W; the very first
                 * call waits on its own weights. */
                const void *pf;
                if (n0 == nc0)
                    pf = prefetch_a && m0 + rows < m ? a + (m0 + rows) * lda : NULL;
                else
                    pf = call ? prefetch_for(next, next_bytes, call - 1, k) : NULL;
                call += n0 != nc0;
                if (!pf && (nc0 != n_begin || t || n0 != nc0))
                    pf = take_extra(extra, k);
                kern->ukernel(rows, cols, k, a + m0 * lda, lda, packed + (n0 / nr) * bf, pf,
                              c + m0 * ldc + n0, ldc, mm);
            }
            m0 += rows;
        }
    }
}

/* Block order, for A small enough to stay in L2: every row tile passes
 * over one column block before the next, while the calls prefetch the next
 * block into L2. Only the first block then waits on memory, where the row
 * order's first row tile waits for a whole chunk: on 7x7 and 14x14 maps,
 * whose weights come from memory on every run, that wait was a third of the
 * layer's time. */
static void block_order(const mbi_f32_gemm_kernel *kern, size_t m, size_t n_begin, size_t n_end,
                        size_t k, const float *a, size_t lda, const float *packed, float *c,
                        size_t ldc, const mbi_f32_minmax *mm, extra_lines *extra)
{
    const size_t mr = kern->mr, nr = kern->nr;
    const size_t bf = block_floats(kern, k);
    const size_t tiles = (m + mr - 1) / mr;
    for (size_t n0 = n_begin; n0 < n_end; n0 += nr) {
        const size_t cols = n_end - n0 < nr ? n_end - n0 : nr;
        const float *block = packed + (n0 / nr) * bf;
        const size_t next_bytes = n0 + nr < n_end ? bf * sizeof(float) : 0;
        const size_t skip = n0 == n_begin; /* see row_order */
        size_t m0 = 0;
        for (size_t t = 0; t < tiles; t++) {
            const size_t rows = tile_rows(m, m0, tiles, t);
            const void *pf = t >= skip ? prefetch_for(block + bf, next_bytes, t - skip, k) : NULL;
            if (!pf && t >= skip)
                pf = take_extra(extra, k);
            kern->ukernel(rows, cols, k, a + m0 * lda, lda, block, pf, c + m0 * ldc + n0, ldc, mm);
            m0 += rows;
        }
    }
}

void mbi_f32_gemm_compute_prefetch(const mbi_f32_gemm_kernel *kern, size_t m, size_t n_begin,
                                   size_t n_end, size_t k, const float *a, size_t lda,
                                   const float *packed, float *c, size_t ldc,
                                   const mbi_f32_minmax *mm, const void *extra, size_t extra_bytes)
{
    if (m == 0 || n_end <= n_begin)
        return;
    /* No arithmetic on a null pointer, not even + 0. */
    extra_lines lines = {extra, extra ? (const char *)extra + extra_bytes : NULL};
    const size_t blocks = (n_end - n_begin + kern->nr - 1) / kern->nr;
    const bool small_a = m <= GEMM_A_L2_BYTES / sizeof(float) / (lda ? lda : 1);
    if (m > kern->mr && small_a &&
        block_floats(kern, k) * blocks >= GEMM_W_BLOCK_ORDER_BYTES / sizeof(float))
        block_order(kern, m, n_begin, n_end, k, a, lda, packed, c, ldc, mm, &lines);
    else
        row_order(kern, m, n_begin, n_end, k, a, lda, packed, c, ldc, mm,
                  !small_a && k >= GEMM_A_PREFETCH_MIN_K, &lines);
}

void mbi_f32_gemm_compute(const mbi_f32_gemm_kernel *kern, size_t m, size_t n_begin, size_t n_end, size_t k,
                          const float *a, size_t lda, const float *packed, float *c, size_t ldc,
                          const mbi_f32_minmax *mm)
{
    mbi_f32_gemm_compute_prefetch(kern, m, n_begin, n_end, k, a, lda, packed, c, ldc, mm, NULL, 0);
}
