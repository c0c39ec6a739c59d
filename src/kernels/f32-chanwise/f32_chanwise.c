/* The f32-chanwise variant table and selection (compiled for the baseline
 * ISA, so the `supported` checks run on any CPU). */
#include "kernels/f32-chanwise/f32_chanwise.h"

/* Best first: select returns the first one the CPU supports. */
static const mbi_f32_chanwise_kernel *const variants[] = {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
    &mbi_f32_chanwise_avx512,
    &mbi_f32_chanwise_avx2,
#endif
    &mbi_f32_chanwise_scalar,
};

const mbi_f32_chanwise_kernel *const *mbi_f32_chanwise_variants(size_t *count)
{
    *count = sizeof variants / sizeof variants[0];
    return variants;
}

const mbi_f32_chanwise_kernel *mbi_f32_chanwise_select(const mbi_cpu *cpu)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (variants[i]->supported(cpu))
            return variants[i];
    return &mbi_f32_chanwise_scalar;
}
