/* Tensor statistics; see summary.h. */
#include "summary.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static int element(mobinfer_dtype dtype, const unsigned char *p, size_t i, double *v)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: {
        float f;
        memcpy(&f, p + 4 * i, 4);
        *v = f;
        return 0;
    }
    case MOBINFER_DTYPE_INT64: {
        int64_t x;
        memcpy(&x, p + 8 * i, 8);
        *v = (double)x;
        return 0;
    }
    case MOBINFER_DTYPE_INT32: {
        int32_t x;
        memcpy(&x, p + 4 * i, 4);
        *v = x;
        return 0;
    }
    case MOBINFER_DTYPE_UINT8: *v = p[i]; return 0;
    case MOBINFER_DTYPE_INT8: *v = (int8_t)p[i]; return 0;
    case MOBINFER_DTYPE_BOOL: *v = p[i] != 0; return 0;
    default: return -1;
    }
}

static size_t size_of(mobinfer_dtype dtype)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32:
    case MOBINFER_DTYPE_INT32: return 4;
    case MOBINFER_DTYPE_INT64: return 8;
    case MOBINFER_DTYPE_UINT8:
    case MOBINFER_DTYPE_INT8:
    case MOBINFER_DTYPE_BOOL: return 1;
    default: return 0;
    }
}

int tensor_summarise(mobinfer_dtype dtype, const void *data, size_t count, size_t byte_size,
                     tensor_summary *out)
{
    size_t esize = size_of(dtype), i, used = 0;
    double sum = 0.0;

    memset(out, 0, sizeof *out);
    out->count = count;
    if (esize == 0 || count > SIZE_MAX / esize || count * esize != byte_size)
        return -1;
    for (i = 0; i < count; i++) {
        double v = 0.0;
        element(dtype, data, i, &v);
        if (isnan(v)) {
            out->nan_count++;
            continue;
        }
        if (used == 0 || v < out->min)
            out->min = v;
        if (used == 0 || v > out->max)
            out->max = v;
        sum += v;
        used++;
    }
    out->mean = used > 0 ? sum / (double)used : NAN;
    if (used == 0)
        out->min = out->max = NAN;
    return 0;
}
