/* Reference kernel of TopK. */
#ifndef MBI_OPS_REF_TOPK_REF_H
#define MBI_OPS_REF_TOPK_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "mobinfer.h"

/* Whether mbi_ref_topk handles dtype. */
bool mbi_ref_topk_supported(mobinfer_dtype dtype);

/* x: [outer, n, inner] of dtype; values: [outer, k, inner] of dtype;
 * indices: [outer, k, inner] int64. For each (outer, inner) line, the k
 * largest (or smallest) elements in order, equal elements by lower index
 * first; NaN counts as larger than any number. scratch holds 2*n int64.
 * k <= n. */
void mbi_ref_topk(mobinfer_dtype dtype, int64_t outer, int64_t n, int64_t inner, int64_t k,
                  bool largest, const void *x, void *values, int64_t *indices, int64_t *scratch);

#endif
