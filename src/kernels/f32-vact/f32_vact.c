/* The f32-vact variant table and selection. */
#include "kernels/f32-vact/f32_vact.h"

static const mbi_f32_vact_variant scalar = {
    "scalar", mbi_cpu_any, mbi_f32_act_scalar, mbi_f32_vexp_scalar, mbi_f32_verf_scalar,
    mbi_f32_softmax_rows_scalar, mbi_f32_softmax_cols_scalar,
};

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define MBI_HAVE_X86_VARIANTS 1

static const mbi_f32_vact_variant avx2 = {
    "avx2", mbi_cpu_has_avx2, mbi_f32_act_avx2, mbi_f32_vexp_avx2, mbi_f32_verf_avx2,
    mbi_f32_softmax_rows_avx2, mbi_f32_softmax_cols_avx2,
};
static const mbi_f32_vact_variant avx512 = {
    "avx512", mbi_cpu_has_avx512, mbi_f32_act_avx512, mbi_f32_vexp_avx512, mbi_f32_verf_avx512,
    mbi_f32_softmax_rows_avx512, mbi_f32_softmax_cols_avx512,
};
#endif

/* Best first: select returns the first one the CPU supports. */
static const mbi_f32_vact_variant *const variants[] = {
#ifdef MBI_HAVE_X86_VARIANTS
    &avx512, &avx2,
#endif
    &scalar,
};

const mbi_f32_vact_variant *const *mbi_f32_vact_variants(size_t *count)
{
    *count = sizeof variants / sizeof variants[0];
    return variants;
}

const mbi_f32_vact_variant *mbi_f32_vact_variant_select(const mbi_cpu *cpu)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (variants[i]->supported(cpu))
            return variants[i];
    return &scalar;
}

mbi_f32_act_fn mbi_f32_act_select(const mbi_cpu *cpu)
{
    return mbi_f32_vact_variant_select(cpu)->act;
}
