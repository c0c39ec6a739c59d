/* The f32 stem convolution family: the variant table, weight packing and
 * the walk over rows (each variant computes one output row). */
#include "kernels/f32-stemconv/f32_stemconv.h"

#include "kernels/f32-stemconv/f32_stemconv_variants.h"

static const mbi_f32_stemconv_kernel scalar_1c = {
    "f32_stemconv_1c_scalar", 1, mbi_cpu_any, mbi_f32_stemconv_row_1c_scalar,
};

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define MBI_HAVE_X86_VARIANTS 1

static const mbi_f32_stemconv_kernel avx2_8c = {
    "f32_stemconv_8c_avx2", 8, mbi_cpu_has_avx2, mbi_f32_stemconv_row_8c_avx2,
};
static const mbi_f32_stemconv_kernel avx512_16c = {
    "f32_stemconv_16c_avx512", 16, mbi_cpu_has_avx512, mbi_f32_stemconv_row_16c_avx512,
};
#endif

/* Best first: select returns the first one the CPU supports. */
static const mbi_f32_stemconv_kernel *const variants[] = {
#ifdef MBI_HAVE_X86_VARIANTS
    &avx512_16c, &avx2_8c,
#endif
    &scalar_1c,
};

const mbi_f32_stemconv_kernel *const *mbi_f32_stemconv_kernel_variants(size_t *count)
{
    *count = sizeof variants / sizeof variants[0];
    return variants;
}

const mbi_f32_stemconv_kernel *mbi_f32_stemconv_kernel_select(const mbi_cpu *cpu)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (variants[i]->supported(cpu))
            return variants[i];
    return &scalar_1c;
}

size_t mbi_f32_stemconv_packed_floats(const mbi_f32_stemconv_kernel *kern, size_t c, size_t m,
                                      size_t kh, size_t kw)
{
    const size_t mpad = (m + kern->nr - 1) / kern->nr * kern->nr;
    return (1 + c * kh * kw) * mpad;
}

void mbi_f32_stemconv_pack(const mbi_f32_stemconv_kernel *kern, size_t c, size_t m, size_t kh,
                           size_t kw, const float *w, const float *bias, float *packed)
{
    const size_t mpad = (m + kern->nr - 1) / kern->nr * kern->nr, taps = c * kh * kw;
    for (size_t o = 0; o < mpad; o++)
        packed[o] = o < m && bias ? bias[o] : 0.0f;
    for (size_t t = 0; t < taps; t++) {
        float *row = packed + (1 + t) * mpad;
        for (size_t o = 0; o < mpad; o++)
            row[o] = o < m ? w[o * taps + t] : 0.0f;
    }
}

void mbi_f32_stemconv_compute(const mbi_f32_stemconv_kernel *kern, const mbi_stemconv_shape *s,
                              const float *x, const float *packed, float *y, size_t oy_begin,
                              size_t oy_end, const mbi_f32_minmax *mm)
{
    for (size_t oy = oy_begin; oy < oy_end; oy++)
        kern->row(s, x, packed, y + oy * s->out_w * s->ldc, oy, mm);
}
