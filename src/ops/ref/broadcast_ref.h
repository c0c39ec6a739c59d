/* Geometry of NumPy-style broadcasting of up to three inputs onto a dense
 * row-major output, shared by every elementwise kernel with more than one
 * input (binary arithmetic, comparisons, logic, variadic ops, Where).
 *
 * mbi_bcast_init collapses the problem to as few dimensions as possible:
 * size-1 output dimensions are dropped and neighbouring dimensions that are
 * contiguous for every input (or broadcast for it in both) are merged. The
 * innermost remaining dimension is a "row": each input then has stride 1 or
 * 0 along it, so kernels run a plain loop per row and the iterator below is
 * touched once per row only. Same-shape inputs collapse to a single row. */
#ifndef MBI_OPS_REF_BROADCAST_REF_H
#define MBI_OPS_REF_BROADCAST_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tensor.h"

#define MBI_BCAST_MAX_IN 3

typedef struct mbi_bcast {
    int rank;      /* >= 1 after collapsing */
    int n_in;
    int64_t numel; /* output elements; kernels do nothing when 0 */
    int64_t dims[MBI_MAX_RANK];
    /* Element strides of each input along each collapsed dimension; 0 where
     * the input is broadcast. */
    int64_t strides[MBI_BCAST_MAX_IN][MBI_MAX_RANK];
} mbi_bcast;

/* out_dims/out_rank: the output shape; in_dims[k]/in_ranks[k]: input k, which
 * must broadcast to the output (every dimension equal to the output's or 1,
 * rank <= out_rank). false when it does not, or n_in is out of range. */
bool mbi_bcast_init(mbi_bcast *g, const int64_t *out_dims, int out_rank, int n_in,
                    const int64_t *const *in_dims, const int *in_ranks);

/* Position of a row walk: the index of every dimension but the innermost,
 * and each input's element offset at the start of the current row. */
typedef struct mbi_bcast_iter {
    int64_t idx[MBI_MAX_RANK];
    int64_t off[MBI_BCAST_MAX_IN];
} mbi_bcast_iter;

static inline void mbi_bcast_iter_begin(const mbi_bcast *g, mbi_bcast_iter *it)
{
    for (int d = 0; d < g->rank; d++)
        it->idx[d] = 0;
    for (int k = 0; k < MBI_BCAST_MAX_IN; k++)
        it->off[k] = 0;
}

/* Advances to the next row; false after the last one. */
static inline bool mbi_bcast_iter_next(const mbi_bcast *g, mbi_bcast_iter *it)
{
    for (int d = g->rank - 2; d >= 0; d--) {
        it->idx[d]++;
        for (int k = 0; k < g->n_in; k++)
            it->off[k] += g->strides[k][d];
        if (it->idx[d] < g->dims[d])
            return true;
        for (int k = 0; k < g->n_in; k++)
            it->off[k] -= g->strides[k][d] * g->dims[d];
        it->idx[d] = 0;
    }
    return false;
}

#endif
