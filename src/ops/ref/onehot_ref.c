#include "ops/ref/onehot_ref.h"

#include <stdbool.h>
#include <string.h>

#include "core/tensor.h"
#include "ops/ref/copy_ref.h"

/* Element i as int64; false for a value that is not a usable index. */
static bool index_at(mobinfer_dtype t, const void *p, int64_t i, int64_t *out)
{
    switch (t) {
    case MOBINFER_DTYPE_FLOAT32: {
        float f = ((const float *)p)[i];
        if (!(f > -9.2e18f && f < 9.2e18f))
            return false;
        *out = (int64_t)f;
        return true;
    }
    case MOBINFER_DTYPE_INT64: *out = ((const int64_t *)p)[i]; return true;
    case MOBINFER_DTYPE_INT32: *out = ((const int32_t *)p)[i]; return true;
    case MOBINFER_DTYPE_UINT8: *out = ((const uint8_t *)p)[i]; return true;
    case MOBINFER_DTYPE_INT8: *out = ((const int8_t *)p)[i]; return true;
    case MOBINFER_DTYPE_BOOL: *out = ((const uint8_t *)p)[i] != 0; return true;
    default: return false;
    }
}

void mbi_ref_onehot(size_t elem_size, int64_t outer, int64_t depth, int64_t inner,
                    mobinfer_dtype idx_dtype, const void *indices, const void *off,
                    const void *on, void *out)
{
    char *dst = out;
    mbi_ref_fill(elem_size, outer * depth * inner, off, out);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            int64_t v;
            if (!index_at(idx_dtype, indices, o * inner + in, &v))
                continue;
            if (v < 0)
                v += depth;
            if (v < 0 || v >= depth)
                continue;
            memcpy(dst + (size_t)((o * depth + v) * inner + in) * elem_size, on, elem_size);
        }
}
