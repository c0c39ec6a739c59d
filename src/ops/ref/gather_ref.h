/* Reference kernels of the indexing operators: Gather, GatherElements,
 * GatherND and ScatterND. Data elements are moved as elem_size bytes, so
 * these serve every dtype (ScatterND's reductions excepted).
 *
 * Indices come from run-time data and are checked by the kernels: a kernel
 * that finds an index out of range writes nothing (ScatterND: nothing
 * beyond the copy of data already in out) and returns the position of the
 * first bad index; it returns -1 on success. Negative indices count from the
 * end of their axis. */
#ifndef MBI_OPS_REF_GATHER_REF_H
#define MBI_OPS_REF_GATHER_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mobinfer.h"

/* Indices of either integer width. */
typedef struct mbi_indices {
    const void *data;
    bool is_int64; /* else int32 */
} mbi_indices;

static inline int64_t mbi_indices_at(const mbi_indices *ix, int64_t i)
{
    return ix->is_int64 ? ((const int64_t *)ix->data)[i] : ((const int32_t *)ix->data)[i];
}

/* data [outer, axis_dim, inner], indices [n_idx] -> out [outer, n_idx, inner]. */
int64_t mbi_ref_gather(size_t elem_size, int64_t outer, int64_t axis_dim, int64_t inner,
                       const void *data, const mbi_indices *indices, int64_t n_idx, void *out);

/* data of shape data_dims, indices and out of shape idx_dims (both of rank
 * `rank`, idx_dims[d] <= data_dims[d] for d != axis):
 * out[i] = data[i with coordinate `axis` replaced by indices[i]]. */
int64_t mbi_ref_gather_elements(size_t elem_size, int rank, const int64_t *data_dims,
                                const int64_t *idx_dims, int axis, const void *data,
                                const mbi_indices *indices, void *out);

/* data [batch, index_dims[0..k), slice], indices [batch, n_tuples, k]
 * (int64) -> out [batch, n_tuples, slice]. */
int64_t mbi_ref_gather_nd(size_t elem_size, int64_t batch, int k, const int64_t *index_dims,
                          int64_t slice, int64_t n_tuples, const void *data,
                          const int64_t *indices, void *out);

typedef enum mbi_scatter_reduction {
    MBI_SCATTER_NONE,
    MBI_SCATTER_ADD,
    MBI_SCATTER_MUL,
    MBI_SCATTER_MAX,
    MBI_SCATTER_MIN
} mbi_scatter_reduction;

/* Whether mbi_ref_scatter_nd supports `reduction` on dtype. */
bool mbi_ref_scatter_nd_supported(mbi_scatter_reduction reduction, mobinfer_dtype dtype);

/* out [index_dims[0..k), slice] already holds the data; indices
 * [n_tuples, k] (int64), updates [n_tuples, slice]: each update slice is
 * written into (or combined with) the slice of out that its tuple names,
 * in order. */
int64_t mbi_ref_scatter_nd(mobinfer_dtype dtype, mbi_scatter_reduction reduction, int k,
                           const int64_t *index_dims, int64_t slice, int64_t n_tuples,
                           const int64_t *indices, const void *updates, void *out);

#endif
