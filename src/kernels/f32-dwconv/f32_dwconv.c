/* The f32 depthwise convolution family: the variant table and weight
 * packing. Each variant walks the rows itself (see f32_dwconv_rows.h). */
#include "kernels/f32-dwconv/f32_dwconv.h"

#include "kernels/f32-dwconv/f32_dwconv_variants.h"

static const mbi_f32_dwconv_kernel scalar_8c = {
    "f32_dwconv_8c_scalar", 8, mbi_cpu_any, mbi_f32_dwconv_rows_8c_scalar,
};

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define MBI_HAVE_X86_VARIANTS 1

static const mbi_f32_dwconv_kernel avx2_8c = {
    "f32_dwconv_8c_avx2", 8, mbi_cpu_has_avx2, mbi_f32_dwconv_rows_8c_avx2,
};
static const mbi_f32_dwconv_kernel avx512_16c = {
    "f32_dwconv_16c_avx512", 16, mbi_cpu_has_avx512, mbi_f32_dwconv_rows_16c_avx512,
};
#endif

/* Best first: select returns the first one the CPU supports. */
static const mbi_f32_dwconv_kernel *const variants[] = {
#ifdef MBI_HAVE_X86_VARIANTS
    &avx512_16c, &avx2_8c,
#endif
    &scalar_8c,
};

const mbi_f32_dwconv_kernel *const *mbi_f32_dwconv_kernel_variants(size_t *count)
{
    *count = sizeof variants / sizeof variants[0];
    return variants;
}

const mbi_f32_dwconv_kernel *mbi_f32_dwconv_kernel_select(const mbi_cpu *cpu)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (variants[i]->supported(cpu))
            return variants[i];
    return &scalar_8c;
}

size_t mbi_f32_dwconv_packed_floats(const mbi_f32_dwconv_kernel *kern, size_t channels, size_t kh, size_t kw)
{
    const size_t ct = kern->channel_tile;
    return (channels + ct - 1) / ct * ct * (kh * kw + 1);
}

void mbi_f32_dwconv_pack(const mbi_f32_dwconv_kernel *kern, size_t channels, size_t kh, size_t kw,
                         const float *w, const float *bias, float *packed)
{
    const size_t ct = kern->channel_tile, taps = kh * kw;
    for (size_t c0 = 0; c0 < channels; c0 += ct) {
        const size_t nc = channels - c0 < ct ? channels - c0 : ct;
        float *p = packed + c0 * (taps + 1);
        for (size_t j = 0; j < ct; j++)
            p[j] = j < nc && bias ? bias[c0 + j] : 0.0f;
        p += ct;
        for (size_t t = 0; t < taps; t++, p += ct)
            for (size_t j = 0; j < ct; j++)
                p[j] = j < nc ? w[(c0 + j) * taps + t] : 0.0f;
    }
}

void mbi_f32_dwconv_compute(const mbi_f32_dwconv_kernel *kern, const mbi_dwconv_shape *s, const float *in,
                            const float *packed, float *out, size_t oy_begin, size_t oy_end,
                            const mbi_f32_minmax *mm)
{
    if (oy_end > s->out_h)
        oy_end = s->out_h;
    if (oy_begin >= oy_end || oy_begin < s->out_row0 || s->out_w == 0 || s->channels == 0)
        return;
    kern->rows(s, in, packed, out, oy_begin, oy_end, mm);
}
