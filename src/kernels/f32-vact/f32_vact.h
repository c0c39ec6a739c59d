/* Float32 activations and elementwise math on contiguous arrays: every
 * mbi_act_kind (epilogue.h) plus exp and erf, which have no activation kind.
 *
 * Contract of every function here: y[i] = f(x[i]) for i < n, y may equal x
 * (in place), no alignment needed, nothing outside x[0..n) or y[0..n) is
 * read or written (the SIMD tails use masked loads and stores).
 *
 * Accuracy (measured by tests/kernels/f32_vact.c against double-precision
 * libm, table in docs/OPERATORS.md): exp, sigmoid, SiLU, tanh and erf within
 * 3.3 ULPs, the GELUs within 15 ULPs for x >= -3 and 2.3e-6 relative below;
 * large |x| saturates without NaN; NaN in gives NaN out (except Relu, whose
 * reference gives 0).
 *
 * Softmax and log-softmax (f32_vsoftmax_simd.h) use exp; their rows and
 * columns follow the contracts in dispatch/kernels.h. */
#ifndef MBI_KERNELS_F32_VACT_H
#define MBI_KERNELS_F32_VACT_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "dispatch/kernels.h" /* mbi_f32_act_fn, mbi_f32_vunary_fn */

typedef struct mbi_f32_vact_variant {
    const char *name; /* "scalar", "avx2", "avx512" */
    bool (*supported)(const mbi_cpu *cpu);
    mbi_f32_act_fn act;
    mbi_f32_vunary_fn exp;
    mbi_f32_vunary_fn erf;
    mbi_f32_softmax_rows_fn softmax_rows;
    mbi_f32_softmax_cols_fn softmax_cols;
} mbi_f32_vact_variant;

/* Best variant for this CPU (never NULL: scalar always available). */
const mbi_f32_vact_variant *mbi_f32_vact_variant_select(const mbi_cpu *cpu);
mbi_f32_act_fn mbi_f32_act_select(const mbi_cpu *cpu);

/* Every compiled variant, best first, for tests and benchmarks. */
const mbi_f32_vact_variant *const *mbi_f32_vact_variants(size_t *count);

void mbi_f32_act_scalar(const mbi_act *act, const float *x, float *y, size_t n);
void mbi_f32_vexp_scalar(const float *x, float *y, size_t n);
void mbi_f32_verf_scalar(const float *x, float *y, size_t n);
void mbi_f32_softmax_rows_scalar(const float *x, float *y, size_t rows, size_t len, bool take_log);
void mbi_f32_softmax_cols_scalar(const float *x, float *y, size_t len, size_t stride, size_t cols,
                                 bool take_log);
void mbi_f32_act_avx2(const mbi_act *act, const float *x, float *y, size_t n);
void mbi_f32_vexp_avx2(const float *x, float *y, size_t n);
void mbi_f32_verf_avx2(const float *x, float *y, size_t n);
void mbi_f32_softmax_rows_avx2(const float *x, float *y, size_t rows, size_t len, bool take_log);
void mbi_f32_softmax_cols_avx2(const float *x, float *y, size_t len, size_t stride, size_t cols,
                               bool take_log);
void mbi_f32_act_avx512(const mbi_act *act, const float *x, float *y, size_t n);
void mbi_f32_vexp_avx512(const float *x, float *y, size_t n);
void mbi_f32_verf_avx512(const float *x, float *y, size_t n);
void mbi_f32_softmax_rows_avx512(const float *x, float *y, size_t rows, size_t len, bool take_log);
void mbi_f32_softmax_cols_avx512(const float *x, float *y, size_t len, size_t stride, size_t cols,
                                 bool take_log);

#endif
