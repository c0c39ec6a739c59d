/* The kernel table of one session: for each kernel family, the best variant
 * this CPU runs, chosen once at session creation from cpuid. Operators reach
 * it through mbi_op_ctx.kernels; nothing here is global. */
#ifndef MBI_DISPATCH_KERNELS_H
#define MBI_DISPATCH_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "kernels/epilogue.h"

/* Families define these in src/kernels/<family>/. */
typedef struct mbi_f32_gemm_kernel mbi_f32_gemm_kernel;
typedef struct mbi_f32_dwconv_kernel mbi_f32_dwconv_kernel;
typedef struct mbi_f32_pool_kernel mbi_f32_pool_kernel;     /* f32-pool */
typedef struct mbi_f32_vbinary_kernel mbi_f32_vbinary_kernel; /* f32-vbinary */

/* y[i] = act(x[i]) for i < n; y may equal x. */
typedef void (*mbi_f32_act_fn)(const mbi_act *act, const float *x, float *y, size_t n);
/* y[i] = f(x[i]) for i < n; y may equal x (exp, erf: f32-vact). */
typedef void (*mbi_f32_vunary_fn)(const float *x, float *y, size_t n);
/* Softmax (or, with take_log, log-softmax) of `rows` contiguous rows of
 * `len` elements each (f32-vact); y may equal x. */
typedef void (*mbi_f32_softmax_rows_fn)(const float *x, float *y, size_t rows, size_t len,
                                        bool take_log);
/* The same down `cols` adjacent columns: column j is x[i * stride + j] for
 * i < len (softmax along a non-last axis); y may equal x. */
typedef void (*mbi_f32_softmax_cols_fn)(const float *x, float *y, size_t len, size_t stride,
                                        size_t cols, bool take_log);

typedef struct mbi_kernels {
    mbi_cpu cpu;
    const mbi_f32_gemm_kernel *gemm;
    const struct mbi_f32_igemm_kernel *igemm; /* f32-igemm */
    const mbi_f32_dwconv_kernel *dwconv;
    const mbi_f32_pool_kernel *pool;
    mbi_f32_act_fn act;
    mbi_f32_vunary_fn exp;
    mbi_f32_vunary_fn erf;
    mbi_f32_softmax_rows_fn softmax_rows; /* f32-vact */
    mbi_f32_softmax_cols_fn softmax_cols;
    const mbi_f32_vbinary_kernel *vbinary;
    const struct mbi_f32_chanwise_kernel *chanwise; /* f32-chanwise */
    const struct mbi_f32_winograd_kernel *winograd; /* f32-winograd */
    const struct mbi_f32_stemconv_kernel *stemconv; /* f32-stemconv */
} mbi_kernels;

/* Detects the CPU and fills every entry (never NULL: the scalar variant of
 * each family is always compiled). */
void mbi_kernels_select(mbi_kernels *k);

#endif
