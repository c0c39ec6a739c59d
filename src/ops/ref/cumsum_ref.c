#include "ops/ref/cumsum_ref.h"

bool mbi_ref_cumsum_supported(mobinfer_dtype dtype)
{
    return dtype == MOBINFER_DTYPE_FLOAT32 || dtype == MOBINFER_DTYPE_INT32 ||
           dtype == MOBINFER_DTYPE_INT64;
}

/* ACC is the accumulator type: unsigned for integers so that sums wrap. */
#define DEFINE_CUMSUM(NAME, T, ACC)                                                           \
    static void NAME(int64_t outer, int64_t n, int64_t inner, bool exclusive, bool reverse,  \
                     const T *x, T *out)                                                      \
    {                                                                                         \
        for (int64_t o = 0; o < outer; o++)                                                   \
            for (int64_t in = 0; in < inner; in++) {                                          \
                ACC sum = 0;                                                                  \
                for (int64_t s = 0; s < n; s++) {                                             \
                    int64_t i = reverse ? n - 1 - s : s;                                      \
                    int64_t at = (o * n + i) * inner + in;                                    \
                    T v = x[at];                                                              \
                    if (exclusive) {                                                          \
                        out[at] = (T)sum;                                                     \
                        sum += (ACC)v;                                                        \
                    } else {                                                                  \
                        sum += (ACC)v;                                                        \
                        out[at] = (T)sum;                                                     \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
    }

DEFINE_CUMSUM(cumsum_f32, float, float)
DEFINE_CUMSUM(cumsum_i32, int32_t, uint32_t)
DEFINE_CUMSUM(cumsum_i64, int64_t, uint64_t)

void mbi_ref_cumsum(mobinfer_dtype dtype, int64_t outer, int64_t n, int64_t inner,
                    bool exclusive, bool reverse, const void *x, void *out)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32:
        cumsum_f32(outer, n, inner, exclusive, reverse, x, out);
        break;
    case MOBINFER_DTYPE_INT32:
        cumsum_i32(outer, n, inner, exclusive, reverse, x, out);
        break;
    case MOBINFER_DTYPE_INT64:
        cumsum_i64(outer, n, inner, exclusive, reverse, x, out);
        break;
    default:
        break;
    }
}
