/* Reference kernel of Trilu. */
#ifndef MBI_OPS_REF_TRILU_REF_H
#define MBI_OPS_REF_TRILU_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* x, out: [batch, rows, cols] of elem_size-byte elements. Element (i, j) is
 * kept when upper ? j - i >= k : j - i <= k and zeroed (all bytes 0)
 * otherwise. out may be x. */
void mbi_ref_trilu(size_t elem_size, int64_t batch, int64_t rows, int64_t cols, int64_t k,
                   bool upper, const void *x, void *out);

#endif
