/* Reference kernels of the Reduce* operators and of ArgMax/ArgMin. */
#ifndef MBI_OPS_REF_REDUCE_REF_H
#define MBI_OPS_REF_REDUCE_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tensor.h"

typedef enum mbi_reduce_op {
    MBI_REDUCE_SUM,
    MBI_REDUCE_MEAN,
    MBI_REDUCE_PROD,
    MBI_REDUCE_MAX,
    MBI_REDUCE_MIN,
    MBI_REDUCE_SUM_SQUARE,
    MBI_REDUCE_L1,
    MBI_REDUCE_L2,
    MBI_REDUCE_LOG_SUM,
    MBI_REDUCE_LOG_SUM_EXP
} mbi_reduce_op;

/* The input split into kept and reduced dimensions, each list collapsed
 * (size-1 dimensions dropped, neighbours of the same kind merged) and with
 * the input's element strides. The output is dense in the order of the kept
 * dimensions, which is the input's order with or without keepdims. */
typedef struct mbi_reduce_geom {
    int n_keep, n_red;
    int64_t keep_dims[MBI_MAX_RANK], keep_strides[MBI_MAX_RANK];
    int64_t red_dims[MBI_MAX_RANK], red_strides[MBI_MAX_RANK];
    int64_t out_count; /* elements of the output */
    int64_t red_count; /* input elements per output element (may be 0) */
} mbi_reduce_geom;

/* dims/rank: the input; reduce[d]: whether dimension d is reduced. */
void mbi_reduce_geom_init(mbi_reduce_geom *g, const int64_t *dims, int rank, const bool *reduce);

bool mbi_ref_reduce_supported(mbi_reduce_op op, mobinfer_dtype dtype);

/* y[o] = op over the reduced elements of x for output element o; x has
 * dtype `dtype` and so has y. Empty reductions give the operation's
 * identity (0 for sums and norms, 1 for Prod, -inf/+inf for Max/Min and the
 * type's lowest/highest value for integers, NaN for a float Mean, -inf for
 * LogSum and LogSumExp). Float sums accumulate in double. */
void mbi_ref_reduce(mbi_reduce_op op, mobinfer_dtype dtype, const mbi_reduce_geom *g,
                    const void *x, void *y);

/* ArgMax (is_min false) / ArgMin over the middle dimension of x viewed as
 * [outer, n, inner]; y is [outer, inner] of int64. Ties pick the first index,
 * or the last when select_last. n >= 1. NaN counts as larger than (ArgMax)
 * or smaller than (ArgMin) everything, so its first position wins. */
bool mbi_ref_argmax_supported(mobinfer_dtype dtype);
void mbi_ref_argmax(mobinfer_dtype dtype, bool is_min, bool select_last, int64_t outer,
                    int64_t n, int64_t inner, const void *x, int64_t *y);

#endif
