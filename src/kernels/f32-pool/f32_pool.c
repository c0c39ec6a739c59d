/* The f32 pooling family: the variant table and the argument checks shared
 * by every variant. */
#include "kernels/f32-pool/f32_pool.h"

#include "kernels/f32-pool/f32_pool_variants.h"

static const mbi_f32_pool_kernel scalar_1c = {
    "f32_pool_1c_scalar", 1, mbi_cpu_any, mbi_f32_maxpool_rows_scalar, mbi_f32_avgpool_rows_scalar,
    mbi_f32_global_avgpool_scalar,
};

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define MBI_HAVE_X86_VARIANTS 1

static const mbi_f32_pool_kernel avx2_8c = {
    "f32_pool_8c_avx2", 8, mbi_cpu_has_avx2, mbi_f32_maxpool_rows_avx2, mbi_f32_avgpool_rows_avx2,
    mbi_f32_global_avgpool_avx2,
};
static const mbi_f32_pool_kernel avx512_16c = {
    "f32_pool_16c_avx512", 16, mbi_cpu_has_avx512, mbi_f32_maxpool_rows_avx512, mbi_f32_avgpool_rows_avx512,
    mbi_f32_global_avgpool_avx512,
};
#endif

/* Best first: select returns the first one the CPU supports. */
static const mbi_f32_pool_kernel *const variants[] = {
#ifdef MBI_HAVE_X86_VARIANTS
    &avx512_16c, &avx2_8c,
#endif
    &scalar_1c,
};

const mbi_f32_pool_kernel *const *mbi_f32_pool_kernel_variants(size_t *count)
{
    *count = sizeof variants / sizeof variants[0];
    return variants;
}

const mbi_f32_pool_kernel *mbi_f32_pool_kernel_select(const mbi_cpu *cpu)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (variants[i]->supported(cpu))
            return variants[i];
    return &scalar_1c;
}

static bool empty(const mbi_pool_shape *s, size_t oy_begin, size_t *oy_end)
{
    if (*oy_end > s->out_h)
        *oy_end = s->out_h;
    return oy_begin >= *oy_end || s->out_w == 0 || s->channels == 0;
}

void mbi_f32_maxpool_compute(const mbi_f32_pool_kernel *kern, const mbi_pool_shape *s, const float *in,
                             float *out, size_t oy_begin, size_t oy_end)
{
    if (!empty(s, oy_begin, &oy_end))
        kern->max_rows(s, in, out, oy_begin, oy_end);
}

void mbi_f32_avgpool_compute(const mbi_f32_pool_kernel *kern, const mbi_pool_shape *s, bool count_include_pad,
                             const float *in, float *out, size_t oy_begin, size_t oy_end)
{
    if (!empty(s, oy_begin, &oy_end))
        kern->avg_rows(s, count_include_pad, in, out, oy_begin, oy_end);
}

void mbi_f32_global_avgpool(const mbi_f32_pool_kernel *kern, size_t hw, size_t channels, const float *in,
                            float *out)
{
    if (channels == 0)
        return;
    if (hw == 0) {
        for (size_t c = 0; c < channels; c++)
            out[c] = 0.0f;
        return;
    }
    kern->global_avg(hw, channels, in, out);
}
