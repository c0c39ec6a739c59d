/* The f32 GEMM family: the variant table, weight packing, and the loop
 * that walks C in microkernel tiles. */
#include "kernels/f32-gemm/f32_gemm.h"

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

void mbi_f32_gemm_compute(const mbi_f32_gemm_kernel *kern, size_t m, size_t n_begin, size_t n_end, size_t k,
                          const float *a, size_t lda, const float *packed, float *c, size_t ldc,
                          const mbi_f32_minmax *mm)
{
    const size_t mr = kern->mr, nr = kern->nr;
    const size_t bf = block_floats(kern, k);
    size_t chunk_blocks = GEMM_L2_CHUNK_BYTES / (bf * sizeof(float));
    if (chunk_blocks == 0)
        chunk_blocks = 1;
    const size_t chunk = chunk_blocks * nr;
    for (size_t nc0 = n_begin; nc0 < n_end; nc0 += chunk) {
        const size_t nc1 = n_end - nc0 < chunk ? n_end : nc0 + chunk;
        for (size_t m0 = 0; m0 < m; m0 += mr) {
            const size_t rows = m - m0 < mr ? m - m0 : mr;
            const float *am = a + m0 * lda;
            float *cm = c + m0 * ldc;
            for (size_t n0 = nc0; n0 < nc1; n0 += nr) {
                const size_t cols = nc1 - n0 < nr ? nc1 - n0 : nr;
                kern->ukernel(rows, cols, k, am, lda, packed + (n0 / nr) * bf, cm + n0, ldc, mm);
            }
        }
    }
}
