/* Reference matrix products (row-major). */
#ifndef MBI_OPS_REF_GEMM_REF_H
#define MBI_OPS_REF_GEMM_REF_H

#include <stdbool.h>
#include <stdint.h>

/* y[m][n] = alpha * op(a)[m][k] * op(b)[k][n], overwriting y.
 * op(a) is a stored [m][k] with row stride lda, or (trans_a) a stored [k][m];
 * op(b) is b stored [k][n] with row stride ldb, or (trans_b) b stored [n][k].
 * y has row stride ldy and must not overlap a or b. */
void mbi_ref_gemm_f32(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                      bool trans_a, const float *b, int64_t ldb, bool trans_b, float *y,
                      int64_t ldy);

/* y[m][n] = a[m][k] * b[k][n], all contiguous; integer arithmetic wraps
 * around on overflow (two's complement), as in ONNX Runtime. */
void mbi_ref_matmul_i32(int64_t m, int64_t n, int64_t k, const int32_t *a, const int32_t *b,
                        int32_t *y);
void mbi_ref_matmul_i64(int64_t m, int64_t n, int64_t k, const int64_t *a, const int64_t *b,
                        int64_t *y);

#endif
