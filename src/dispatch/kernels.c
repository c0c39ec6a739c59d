#include "dispatch/kernels.h"

#include <string.h>

#include "kernels/f32-chanwise/f32_chanwise.h"
#include "kernels/f32-dwconv/f32_dwconv.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-igemm/f32_igemm.h"
#include "kernels/f32-pool/f32_pool.h"
#include "kernels/f32-stemconv/f32_stemconv.h"
#include "kernels/f32-vact/f32_vact.h"
#include "kernels/f32-vbinary/f32_vbinary.h"
#include "kernels/f32-winograd/f32_winograd.h"

void mbi_kernels_select(mbi_kernels *k)
{
    memset(k, 0, sizeof *k);
    mbi_cpu_detect(&k->cpu);
    /* Each family adds its selection here. */
    const mbi_f32_vact_variant *vact = mbi_f32_vact_variant_select(&k->cpu);
    k->act = vact->act;
    k->exp = vact->exp;
    k->erf = vact->erf;
    k->softmax_rows = vact->softmax_rows;
    k->softmax_cols = vact->softmax_cols;
    k->vbinary = mbi_f32_vbinary_select(&k->cpu);
    k->chanwise = mbi_f32_chanwise_select(&k->cpu);
    k->dwconv = mbi_f32_dwconv_kernel_select(&k->cpu);
    k->pool = mbi_f32_pool_kernel_select(&k->cpu);
    k->gemm = mbi_f32_gemm_kernel_select(&k->cpu);
    k->igemm = mbi_f32_igemm_kernel_select(&k->cpu);
    k->winograd = mbi_f32_winograd_kernel_select(&k->cpu);
    k->stemconv = mbi_f32_stemconv_kernel_select(&k->cpu);
}
