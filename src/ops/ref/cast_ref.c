#include "ops/ref/cast_ref.h"

static bool known(mobinfer_dtype t)
{
    return t == MOBINFER_DTYPE_FLOAT32 || t == MOBINFER_DTYPE_INT64 || t == MOBINFER_DTYPE_INT32 ||
           t == MOBINFER_DTYPE_UINT8 || t == MOBINFER_DTYPE_INT8 || t == MOBINFER_DTYPE_BOOL;
}

bool mbi_ref_cast_supported(mobinfer_dtype from, mobinfer_dtype to)
{
    return known(from) && known(to);
}

static int64_t float_to_i64(float v)
{
    if (v != v)
        return 0;
    if (v >= 9223372036854775807.0f)
        return INT64_MAX;
    if (v <= -9223372036854775808.0f)
        return INT64_MIN;
    return (int64_t)v;
}

/* Every element goes through one of two carriers: int64 for integer and
 * bool sources, float for float sources, so that each target needs only
 * two conversions. The element is read before the output element at the
 * same index is written, which keeps same-size in-place casts correct. */
#define STORE_INT(to, y, i, v)                                                   \
    switch (to) {                                                                \
    case MOBINFER_DTYPE_INT64: ((int64_t *)y)[i] = (v); break;                   \
    case MOBINFER_DTYPE_INT32: ((int32_t *)y)[i] = (int32_t)(uint32_t)(uint64_t)(v); break; \
    case MOBINFER_DTYPE_UINT8: ((uint8_t *)y)[i] = (uint8_t)(uint64_t)(v); break; \
    case MOBINFER_DTYPE_INT8: ((int8_t *)y)[i] = (int8_t)(uint8_t)(uint64_t)(v); break; \
    default: break;                                                              \
    }

void mbi_ref_cast(mobinfer_dtype from, const void *x, mobinfer_dtype to, void *y, int64_t n)
{
    if (!mbi_ref_cast_supported(from, to))
        return;
    for (int64_t i = 0; i < n; i++) {
        if (from == MOBINFER_DTYPE_FLOAT32) {
            float v = ((const float *)x)[i];
            if (to == MOBINFER_DTYPE_FLOAT32)
                ((float *)y)[i] = v;
            else if (to == MOBINFER_DTYPE_BOOL)
                ((uint8_t *)y)[i] = v != 0.0f;
            else {
                int64_t w = float_to_i64(v);
                STORE_INT(to, y, i, w)
            }
            continue;
        }
        int64_t v = 0;
        switch (from) {
        case MOBINFER_DTYPE_INT64: v = ((const int64_t *)x)[i]; break;
        case MOBINFER_DTYPE_INT32: v = ((const int32_t *)x)[i]; break;
        case MOBINFER_DTYPE_UINT8: v = ((const uint8_t *)x)[i]; break;
        case MOBINFER_DTYPE_INT8: v = ((const int8_t *)x)[i]; break;
        case MOBINFER_DTYPE_BOOL: v = ((const uint8_t *)x)[i] != 0; break;
        default: break;
        }
        if (to == MOBINFER_DTYPE_FLOAT32)
            ((float *)y)[i] = (float)v;
        else if (to == MOBINFER_DTYPE_BOOL)
            ((uint8_t *)y)[i] = v != 0;
        else
            STORE_INT(to, y, i, v)
    }
}
