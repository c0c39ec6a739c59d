#include "ops/ref/topk_ref.h"

#include <math.h>

bool mbi_ref_topk_supported(mobinfer_dtype dtype)
{
    return dtype == MOBINFER_DTYPE_FLOAT32 || dtype == MOBINFER_DTYPE_INT32 ||
           dtype == MOBINFER_DTYPE_INT64 || dtype == MOBINFER_DTYPE_UINT8 ||
           dtype == MOBINFER_DTYPE_INT8;
}

/* "a ranks before b": strictly greater (largest) or smaller. A stable merge
 * sort on this keeps equal values in index order, as the spec asks. */
#define GREATER(a, b) ((a) > (b))
#define GREATER_F(a, b) ((a) > (b) || (isnan(a) && !isnan(b)))

#define DEFINE_TOPK(NAME, T, GT)                                                              \
    static void NAME(int64_t outer, int64_t n, int64_t inner, int64_t k, bool largest,        \
                     const T *x, T *values, int64_t *indices, int64_t *scratch)               \
    {                                                                                         \
        for (int64_t o = 0; o < outer; o++)                                                   \
            for (int64_t in = 0; in < inner; in++) {                                          \
                const T *line = x + o * n * inner + in;                                       \
                int64_t *a = scratch, *b = scratch + n;                                       \
                for (int64_t i = 0; i < n; i++)                                               \
                    a[i] = i;                                                                 \
                for (int64_t w = 1; w < n; w *= 2) {                                          \
                    for (int64_t lo = 0; lo < n; lo += 2 * w) {                               \
                        int64_t mid = lo + w < n ? lo + w : n;                                \
                        int64_t hi = lo + 2 * w < n ? lo + 2 * w : n;                         \
                        int64_t i = lo, j = mid, t = lo;                                      \
                        while (i < mid && j < hi) {                                           \
                            T vi = line[a[i] * inner], vj = line[a[j] * inner];               \
                            bool take_j = largest ? GT(vj, vi) : GT(vi, vj);                  \
                            b[t++] = take_j ? a[j++] : a[i++];                                \
                        }                                                                     \
                        while (i < mid)                                                       \
                            b[t++] = a[i++];                                                  \
                        while (j < hi)                                                        \
                            b[t++] = a[j++];                                                  \
                    }                                                                         \
                    int64_t *swap = a;                                                        \
                    a = b;                                                                    \
                    b = swap;                                                                 \
                }                                                                             \
                for (int64_t i = 0; i < k; i++) {                                             \
                    int64_t at = (o * k + i) * inner + in;                                    \
                    values[at] = line[a[i] * inner];                                          \
                    indices[at] = a[i];                                                       \
                }                                                                             \
            }                                                                                 \
    }

DEFINE_TOPK(topk_f32, float, GREATER_F)
DEFINE_TOPK(topk_i32, int32_t, GREATER)
DEFINE_TOPK(topk_i64, int64_t, GREATER)
DEFINE_TOPK(topk_u8, uint8_t, GREATER)
DEFINE_TOPK(topk_i8, int8_t, GREATER)

void mbi_ref_topk(mobinfer_dtype dtype, int64_t outer, int64_t n, int64_t inner, int64_t k,
                  bool largest, const void *x, void *values, int64_t *indices, int64_t *scratch)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32:
        topk_f32(outer, n, inner, k, largest, x, values, indices, scratch);
        break;
    case MOBINFER_DTYPE_INT32:
        topk_i32(outer, n, inner, k, largest, x, values, indices, scratch);
        break;
    case MOBINFER_DTYPE_INT64:
        topk_i64(outer, n, inner, k, largest, x, values, indices, scratch);
        break;
    case MOBINFER_DTYPE_UINT8:
        topk_u8(outer, n, inner, k, largest, x, values, indices, scratch);
        break;
    case MOBINFER_DTYPE_INT8:
        topk_i8(outer, n, inner, k, largest, x, values, indices, scratch);
        break;
    default:
        break;
    }
}
