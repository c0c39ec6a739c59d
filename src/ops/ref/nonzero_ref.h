/* Reference kernels of NonZero. */
#ifndef MBI_OPS_REF_NONZERO_REF_H
#define MBI_OPS_REF_NONZERO_REF_H

#include <stdint.h>

#include "mobinfer.h"

/* Number of elements of x (n of dtype) that are not zero. */
int64_t mbi_ref_count_nonzero(mobinfer_dtype dtype, int64_t n, const void *x);

/* out: [rank, nnz] int64, column j holding the coordinates of the j-th
 * non-zero element of x (shape dims, row-major order). nnz must be the
 * count from mbi_ref_count_nonzero. rank 0 is treated as shape [1]. */
void mbi_ref_nonzero(mobinfer_dtype dtype, int rank, const int64_t *dims, const void *x,
                     int64_t nnz, int64_t *out);

#endif
