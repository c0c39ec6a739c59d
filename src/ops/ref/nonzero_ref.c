#include "ops/ref/nonzero_ref.h"

#include <stdbool.h>

#include "core/tensor.h"

static bool is_nonzero(mobinfer_dtype t, const void *p, int64_t i)
{
    switch (t) {
    case MOBINFER_DTYPE_FLOAT32: return ((const float *)p)[i] != 0.0f;
    case MOBINFER_DTYPE_INT64: return ((const int64_t *)p)[i] != 0;
    case MOBINFER_DTYPE_INT32: return ((const int32_t *)p)[i] != 0;
    default: return ((const uint8_t *)p)[i] != 0;
    }
}

int64_t mbi_ref_count_nonzero(mobinfer_dtype dtype, int64_t n, const void *x)
{
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++)
        c += is_nonzero(dtype, x, i);
    return c;
}

void mbi_ref_nonzero(mobinfer_dtype dtype, int rank, const int64_t *dims, const void *x,
                     int64_t nnz, int64_t *out)
{
    int64_t one = 1;
    if (rank == 0) {
        rank = 1;
        dims = &one;
    }
    int64_t n = 1, idx[MBI_MAX_RANK] = {0}, j = 0;
    for (int d = 0; d < rank; d++)
        n *= dims[d];
    for (int64_t i = 0; i < n; i++) {
        if (is_nonzero(dtype, x, i) && j < nnz) {
            for (int d = 0; d < rank; d++)
                out[d * nnz + j] = idx[d];
            j++;
        }
        for (int d = rank - 1; d >= 0; d--) {
            if (++idx[d] < dims[d])
                break;
            idx[d] = 0;
        }
    }
}
