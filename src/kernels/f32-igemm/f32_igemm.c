/* The f32 indirect GEMM family: the variant table and the loop that walks
 * C in microkernel tiles. */
#include "kernels/f32-igemm/f32_igemm.h"

#include "kernels/f32-igemm/f32_igemm_ukernels.h"

/* Tile shapes (and so nr, the packed layout) match the GEMM family's
 * variants for the same ISA, so one packing serves both paths. */
static const mbi_f32_igemm_kernel scalar_4x4 = {
    "f32_igemm_4x4_scalar", 4, 4, mbi_cpu_any, mbi_f32_igemm_ukernel_4x4_scalar,
};

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define MBI_HAVE_X86_VARIANTS 1

static const mbi_f32_igemm_kernel avx2_6x16 = {
    "f32_igemm_6x16_avx2", 6, 16, mbi_cpu_has_avx2, mbi_f32_igemm_ukernel_6x16_avx2,
};
static const mbi_f32_igemm_kernel avx512_6x32 = {
    "f32_igemm_6x32_avx512", 6, 32, mbi_cpu_has_avx512, mbi_f32_igemm_ukernel_6x32_avx512,
};
static const mbi_f32_igemm_kernel avx512_12x32 = {
    "f32_igemm_12x32_avx512", 12, 32, mbi_cpu_has_avx512, mbi_f32_igemm_ukernel_12x32_avx512,
};
#endif

/* Best first: select returns the first one the CPU supports. */
static const mbi_f32_igemm_kernel *const variants[] = {
#ifdef MBI_HAVE_X86_VARIANTS
    &avx512_12x32, &avx512_6x32, &avx2_6x16,
#endif
    &scalar_4x4,
};

const mbi_f32_igemm_kernel *const *mbi_f32_igemm_kernel_variants(size_t *count)
{
    *count = sizeof variants / sizeof variants[0];
    return variants;
}

const mbi_f32_igemm_kernel *mbi_f32_igemm_kernel_select(const mbi_cpu *cpu)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (variants[i]->supported(cpu))
            return variants[i];
    return &scalar_4x4;
}

/* Packed W a column chunk may span so it stays in L2 while every pixel
 * tile passes over it (the input rows a tile reads stay in L1/L2 across
 * the chunk). */
#define IGEMM_L2_CHUNK_BYTES (512u * 1024u)

/* Where the call'th microkernel call of a chunk should prefetch: spread
 * over the chunk's calls, the next chunk's weights (which would otherwise
 * stream from memory while its first tile waits) arrive in L2 while this
 * chunk computes from L2. The first call does not prefetch: in the first
 * chunk it is the one waiting for its own weights from memory. */
static const void *prefetch_for(const float *next, size_t next_bytes, size_t call,
                                size_t lines_per_call)
{
    if (call > 0 && (call - 1) * lines_per_call * 64 < next_bytes)
        return (const char *)next + (call - 1) * lines_per_call * 64;
    return NULL;
}

void mbi_f32_igemm_compute(const mbi_f32_igemm_kernel *kern, size_t m, size_t n_begin,
                           size_t n_end, size_t kc, size_t ks, const float *const *indirection,
                           const float *packed, float *c, size_t ldc, const mbi_f32_minmax *mm)
{
    const size_t mr = kern->mr, nr = kern->nr;
    const size_t bf = nr * (ks * kc + 1);
    size_t chunk_blocks = IGEMM_L2_CHUNK_BYTES / (bf * sizeof(float));
    if (chunk_blocks == 0)
        chunk_blocks = 1;
    const size_t chunk = chunk_blocks * nr;
    for (size_t nc0 = n_begin; nc0 < n_end; nc0 += chunk) {
        const size_t nc1 = n_end - nc0 < chunk ? n_end : nc0 + chunk;
        const size_t next_end = n_end - nc1 < chunk ? n_end : nc1 + chunk;
        const size_t next_blocks = (next_end - nc1 + nr - 1) / nr;
        const float *next = packed + (nc1 / nr) * bf;
        size_t call = 0;
        for (size_t m0 = 0; m0 < m; m0 += mr) {
            const size_t rows = m - m0 < mr ? m - m0 : mr;
            const float *const *am = indirection + m0 * ks;
            float *cm = c + m0 * ldc;
            for (size_t n0 = nc0; n0 < nc1; n0 += nr) {
                const size_t cols = nc1 - n0 < nr ? nc1 - n0 : nr;
                const float *block = packed + (n0 / nr) * bf;
                const void *pf =
                    prefetch_for(next, next_blocks * bf * sizeof(float), call++, ks * kc);
                kern->ukernel(rows, cols, kc, ks, am, block, pf, cm + n0, ldc, mm);
            }
        }
    }
}
