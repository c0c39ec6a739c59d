#include "ops/ref/gather_ref.h"

#include <string.h>

#include "core/tensor.h"

/* Resolves a possibly negative index into [0, dim); false if out of range. */
static bool resolve(int64_t v, int64_t dim, int64_t *out)
{
    if (v < 0)
        v += dim;
    if (v < 0 || v >= dim)
        return false;
    *out = v;
    return true;
}

int64_t mbi_ref_gather(size_t elem_size, int64_t outer, int64_t axis_dim, int64_t inner,
                       const void *data, const mbi_indices *indices, int64_t n_idx, void *out)
{
    int64_t v = 0;
    for (int64_t j = 0; j < n_idx; j++)
        if (!resolve(mbi_indices_at(indices, j), axis_dim, &v))
            return j;
    const char *src = data;
    char *dst = out;
    size_t block = (size_t)inner * elem_size;
    if (block == 0)
        return -1;
    for (int64_t o = 0; o < outer; o++) {
        const char *base = src + (size_t)(o * axis_dim) * block;
        for (int64_t j = 0; j < n_idx; j++) {
            resolve(mbi_indices_at(indices, j), axis_dim, &v);
            memcpy(dst, base + (size_t)v * block, block);
            dst += block;
        }
    }
    return -1;
}

int64_t mbi_ref_gather_elements(size_t elem_size, int rank, const int64_t *data_dims,
                                const int64_t *idx_dims, int axis, const void *data,
                                const mbi_indices *indices, void *out)
{
    int64_t n = 1, v = 0;
    for (int d = 0; d < rank; d++)
        n *= idx_dims[d];
    for (int64_t i = 0; i < n; i++)
        if (!resolve(mbi_indices_at(indices, i), data_dims[axis], &v))
            return i;
    int64_t dstride[16];
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        dstride[d] = s;
        s *= data_dims[d];
    }
    const char *src = data;
    char *dst = out;
    int64_t idx[16] = {0};
    for (int64_t i = 0; i < n; i++) {
        resolve(mbi_indices_at(indices, i), data_dims[axis], &v);
        int64_t off = 0;
        for (int d = 0; d < rank; d++)
            off += (d == axis ? v : idx[d]) * dstride[d];
        memcpy(dst + (size_t)i * elem_size, src + (size_t)off * elem_size, elem_size);
        for (int d = rank - 1; d >= 0; d--) {
            if (++idx[d] < idx_dims[d])
                break;
            idx[d] = 0;
        }
    }
    return -1;
}

/* Element offset (in units of slices) of the k-tuple t; false if out of range. */
static bool tuple_offset(const int64_t *t, int k, const int64_t *index_dims, int64_t *off)
{
    int64_t o = 0, v = 0;
    for (int j = 0; j < k; j++) {
        if (!resolve(t[j], index_dims[j], &v))
            return false;
        o = o * index_dims[j] + v;
    }
    *off = o;
    return true;
}

int64_t mbi_ref_gather_nd(size_t elem_size, int64_t batch, int k, const int64_t *index_dims,
                          int64_t slice, int64_t n_tuples, const void *data,
                          const int64_t *indices, void *out)
{
    int64_t off = 0, per_batch = 1;
    for (int j = 0; j < k; j++)
        per_batch *= index_dims[j];
    for (int64_t t = 0; t < batch * n_tuples; t++)
        if (!tuple_offset(indices + t * k, k, index_dims, &off))
            return t;
    size_t block = (size_t)slice * elem_size;
    const char *src = data;
    char *dst = out;
    if (block == 0)
        return -1;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t t = 0; t < n_tuples; t++) {
            tuple_offset(indices + (b * n_tuples + t) * k, k, index_dims, &off);
            memcpy(dst, src + (size_t)(b * per_batch + off) * block, block);
            dst += block;
        }
    return -1;
}

bool mbi_ref_scatter_nd_supported(mbi_scatter_reduction reduction, mobinfer_dtype dtype)
{
    if (reduction == MBI_SCATTER_NONE)
        return true;
    return dtype == MOBINFER_DTYPE_FLOAT32 || dtype == MOBINFER_DTYPE_INT32 ||
           dtype == MOBINFER_DTYPE_INT64;
}

/* Integer sums and products wrap (computed unsigned) instead of
 * overflowing, which would be undefined behaviour. */
#define SCATTER_COMBINE(T, U)                                                              \
    do {                                                                                   \
        T *o = (T *)out + off * slice;                                                     \
        const T *u = (const T *)updates + t * slice;                                       \
        for (int64_t e = 0; e < slice; e++) {                                              \
            switch (reduction) {                                                           \
            case MBI_SCATTER_ADD: o[e] = (T)((U)o[e] + (U)u[e]); break;                    \
            case MBI_SCATTER_MUL: o[e] = (T)((U)o[e] * (U)u[e]); break;                    \
            case MBI_SCATTER_MAX: o[e] = u[e] > o[e] ? u[e] : o[e]; break;                 \
            case MBI_SCATTER_MIN: o[e] = u[e] < o[e] ? u[e] : o[e]; break;                 \
            default: o[e] = u[e]; break;                                                   \
            }                                                                              \
        }                                                                                  \
    } while (0)

int64_t mbi_ref_scatter_nd(mobinfer_dtype dtype, mbi_scatter_reduction reduction, int k,
                           const int64_t *index_dims, int64_t slice, int64_t n_tuples,
                           const int64_t *indices, const void *updates, void *out)
{
    int64_t off = 0;
    for (int64_t t = 0; t < n_tuples; t++)
        if (!tuple_offset(indices + t * k, k, index_dims, &off))
            return t;
    size_t elem_size = mbi_dtype_size(dtype);
    for (int64_t t = 0; t < n_tuples; t++) {
        tuple_offset(indices + t * k, k, index_dims, &off);
        if (reduction == MBI_SCATTER_NONE) {
            memcpy((char *)out + (size_t)(off * slice) * elem_size,
                   (const char *)updates + (size_t)(t * slice) * elem_size,
                   (size_t)slice * elem_size);
            continue;
        }
        switch (dtype) {
        case MOBINFER_DTYPE_FLOAT32: SCATTER_COMBINE(float, float); break;
        case MOBINFER_DTYPE_INT32: SCATTER_COMBINE(int32_t, uint32_t); break;
        case MOBINFER_DTYPE_INT64: SCATTER_COMBINE(int64_t, uint64_t); break;
        default: break;
        }
    }
    return -1;
}
