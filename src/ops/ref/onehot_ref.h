/* Reference kernel of OneHot. */
#ifndef MBI_OPS_REF_ONEHOT_REF_H
#define MBI_OPS_REF_ONEHOT_REF_H

#include <stddef.h>
#include <stdint.h>

#include "mobinfer.h"

/* indices: [outer, inner] of idx_dtype (any numeric type; floats are
 * truncated); out: [outer, depth, inner] of elem_size-byte elements, set to
 * *on where the position along depth equals the index (negative indices
 * count from depth) and to *off elsewhere; out-of-range indices give a row
 * of *off. */
void mbi_ref_onehot(size_t elem_size, int64_t outer, int64_t depth, int64_t inner,
                    mobinfer_dtype idx_dtype, const void *indices, const void *off,
                    const void *on, void *out);

#endif
