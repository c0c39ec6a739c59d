#include "core/tensor.h"

#include <stdio.h>
#include <string.h>

size_t mbi_dtype_size(mobinfer_dtype dtype)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: return 4;
    case MOBINFER_DTYPE_UINT8: return 1;
    case MOBINFER_DTYPE_INT8: return 1;
    case MOBINFER_DTYPE_INT32: return 4;
    case MOBINFER_DTYPE_INT64: return 8;
    case MOBINFER_DTYPE_BOOL: return 1;
    default: return 0;
    }
}

const char *mbi_dtype_name(mobinfer_dtype dtype)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: return "float32";
    case MOBINFER_DTYPE_UINT8: return "uint8";
    case MOBINFER_DTYPE_INT8: return "int8";
    case MOBINFER_DTYPE_INT32: return "int32";
    case MOBINFER_DTYPE_INT64: return "int64";
    case MOBINFER_DTYPE_BOOL: return "bool";
    default: return "undefined";
    }
}

bool mbi_dtype_supported(mobinfer_dtype dtype)
{
    return mbi_dtype_size(dtype) != 0;
}

int64_t mbi_tensor_numel(const mbi_tensor *t)
{
    /* A zero anywhere means zero, even when the other dims' product would
     * overflow (the planner bounds only the real element count). */
    for (int i = 0; i < t->rank; i++)
        if (t->dims[i] == 0)
            return 0;
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++)
        n *= t->dims[i];
    return n;
}

size_t mbi_tensor_bytes(const mbi_tensor *t)
{
    return (size_t)mbi_tensor_numel(t) * mbi_dtype_size(t->dtype);
}

bool mbi_shape_numel_checked(const int64_t *dims, int rank, int64_t limit, int64_t *out)
{
    int64_t n = 1;
    bool zero = false;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return false;
        if (dims[i] == 0)
            zero = true;
    }
    if (zero) {
        *out = 0;
        return true;
    }
    for (int i = 0; i < rank; i++) {
        if (n > limit / dims[i])
            return false;
        n *= dims[i];
    }
    if (n > limit)
        return false;
    *out = n;
    return true;
}

bool mbi_shape_equal(const mbi_tensor *a, const mbi_tensor *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return false;
    return true;
}

bool mbi_broadcast_shape(const int64_t *a, int rank_a, const int64_t *b, int rank_b,
                         int64_t *out_dims, int *out_rank)
{
    int r = rank_a > rank_b ? rank_a : rank_b;
    if (r > MBI_MAX_RANK)
        return false;
    /* Built in a temporary so that out_dims may be a or b. */
    int64_t tmp[MBI_MAX_RANK];
    for (int i = 0; i < r; i++) {
        int ia = i - (r - rank_a), ib = i - (r - rank_b);
        int64_t da = ia >= 0 ? a[ia] : 1;
        int64_t db = ib >= 0 ? b[ib] : 1;
        if (da == db || db == 1)
            tmp[i] = da;
        else if (da == 1)
            tmp[i] = db;
        else
            return false;
    }
    for (int i = 0; i < r; i++)
        out_dims[i] = tmp[i];
    *out_rank = r;
    return true;
}

void mbi_broadcast_strides(const int64_t *dims, int rank, const int64_t *out_dims, int out_rank,
                           int64_t *strides)
{
    int64_t s = 1;
    for (int i = out_rank - 1; i >= 0; i--) {
        int k = i - (out_rank - rank);
        if (k < 0 || dims[k] == 1 || out_dims[i] == 1) {
            strides[i] = 0;
            if (k >= 0)
                s *= dims[k];
        } else {
            strides[i] = s;
            s *= dims[k];
        }
    }
}

const char *mbi_shape_str(const int64_t *dims, int rank, char *buf, size_t size)
{
    size_t at = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    at += (size_t)snprintf(buf + at, size - at, "[");
    for (int i = 0; i < rank && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, i ? ",%lld" : "%lld", (long long)dims[i]);
    if (at < size)
        snprintf(buf + at, size - at, "]");
    return buf;
}

bool mbi_axis_normalize(int64_t axis, int rank, int *out)
{
    if (axis < -(int64_t)rank || axis >= (int64_t)rank)
        return false;
    *out = (int)(axis < 0 ? axis + rank : axis);
    return true;
}

int64_t mbi_tensor_get_int(const mbi_tensor *t, int64_t i)
{
    switch (t->dtype) {
    case MOBINFER_DTYPE_INT64: return ((const int64_t *)t->data)[i];
    case MOBINFER_DTYPE_INT32: return ((const int32_t *)t->data)[i];
    case MOBINFER_DTYPE_UINT8: return ((const uint8_t *)t->data)[i];
    case MOBINFER_DTYPE_INT8: return ((const int8_t *)t->data)[i];
    case MOBINFER_DTYPE_BOOL: return ((const uint8_t *)t->data)[i] != 0;
    case MOBINFER_DTYPE_FLOAT32: return (int64_t)((const float *)t->data)[i];
    default: return 0;
    }
}

double mbi_tensor_get_double(const mbi_tensor *t, int64_t i)
{
    if (t->dtype == MOBINFER_DTYPE_FLOAT32)
        return ((const float *)t->data)[i];
    return (double)mbi_tensor_get_int(t, i);
}
