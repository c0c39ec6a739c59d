#include "ops/ref/gemm_ref.h"

void mbi_ref_gemm_f32(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                      bool trans_a, const float *b, int64_t ldb, bool trans_b, float *y,
                      int64_t ldy)
{
    for (int64_t i = 0; i < m; i++) {
        float *yr = y + i * ldy;
        if (!trans_b) {
            /* i-k-j order: the inner loop runs over contiguous rows of b
             * and y, which compilers vectorize. */
            for (int64_t j = 0; j < n; j++)
                yr[j] = 0.0f;
            for (int64_t p = 0; p < k; p++) {
                float av = alpha * (trans_a ? a[p * lda + i] : a[i * lda + p]);
                const float *br = b + p * ldb;
                for (int64_t j = 0; j < n; j++)
                    yr[j] += av * br[j];
            }
        } else {
            /* b is stored [n][k]: a dot product over contiguous rows of b. */
            for (int64_t j = 0; j < n; j++) {
                const float *br = b + j * ldb;
                float acc = 0.0f;
                for (int64_t p = 0; p < k; p++)
                    acc += (trans_a ? a[p * lda + i] : a[i * lda + p]) * br[p];
                yr[j] = alpha * acc;
            }
        }
    }
}

void mbi_ref_matmul_i32(int64_t m, int64_t n, int64_t k, const int32_t *a, const int32_t *b,
                        int32_t *y)
{
    for (int64_t i = 0; i < m; i++) {
        uint32_t *yr = (uint32_t *)(y + i * n);
        for (int64_t j = 0; j < n; j++)
            yr[j] = 0;
        for (int64_t p = 0; p < k; p++) {
            uint32_t av = (uint32_t)a[i * k + p];
            const int32_t *br = b + p * n;
            for (int64_t j = 0; j < n; j++)
                yr[j] += av * (uint32_t)br[j];
        }
    }
}

void mbi_ref_matmul_i64(int64_t m, int64_t n, int64_t k, const int64_t *a, const int64_t *b,
                        int64_t *y)
{
    for (int64_t i = 0; i < m; i++) {
        uint64_t *yr = (uint64_t *)(y + i * n);
        for (int64_t j = 0; j < n; j++)
            yr[j] = 0;
        for (int64_t p = 0; p < k; p++) {
            uint64_t av = (uint64_t)a[i * k + p];
            const int64_t *br = b + p * n;
            for (int64_t j = 0; j < n; j++)
                yr[j] += av * (uint64_t)br[j];
        }
    }
}
