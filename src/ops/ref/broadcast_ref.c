#include "ops/ref/broadcast_ref.h"

bool mbi_bcast_init(mbi_bcast *g, const int64_t *out_dims, int out_rank, int n_in,
                    const int64_t *const *in_dims, const int *in_ranks)
{
    if (n_in < 1 || n_in > MBI_BCAST_MAX_IN || out_rank < 0 || out_rank > MBI_MAX_RANK)
        return false;
    int64_t full[MBI_BCAST_MAX_IN][MBI_MAX_RANK];
    g->n_in = n_in;
    g->numel = 1;
    for (int d = 0; d < out_rank; d++)
        g->numel *= out_dims[d];
    for (int k = 0; k < n_in; k++) {
        int r = in_ranks[k];
        if (r < 0 || r > out_rank)
            return false;
        for (int d = 0; d < r; d++) {
            int64_t v = in_dims[k][d];
            if (v != 1 && v != out_dims[out_rank - r + d])
                return false;
        }
        mbi_broadcast_strides(in_dims[k], r, out_dims, out_rank, full[k]);
    }

    /* Build the collapsed dimensions from the innermost outward, so that a
     * dimension can be merged into the one already emitted inside it. They
     * are emitted in reverse and flipped at the end. */
    int n = 0;
    int64_t dims[MBI_MAX_RANK];
    int64_t strides[MBI_BCAST_MAX_IN][MBI_MAX_RANK];
    for (int d = out_rank - 1; d >= 0; d--) {
        if (out_dims[d] == 1)
            continue;
        bool merge = n > 0;
        for (int k = 0; k < n_in && merge; k++)
            merge = full[k][d] == strides[k][n - 1] * dims[n - 1];
        if (merge) {
            dims[n - 1] *= out_dims[d];
            continue;
        }
        dims[n] = out_dims[d];
        for (int k = 0; k < n_in; k++)
            strides[k][n] = full[k][d];
        n++;
    }
    if (n == 0) {
        dims[0] = 1;
        for (int k = 0; k < n_in; k++)
            strides[k][0] = 0;
        n = 1;
    }
    g->rank = n;
    for (int i = 0; i < n; i++) {
        g->dims[i] = dims[n - 1 - i];
        for (int k = 0; k < n_in; k++)
            g->strides[k][i] = strides[k][n - 1 - i];
    }
    for (int k = n_in; k < MBI_BCAST_MAX_IN; k++)
        for (int i = 0; i < n; i++)
            g->strides[k][i] = 0;
    return true;
}
