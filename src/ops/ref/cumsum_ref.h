/* Reference kernel of CumSum. */
#ifndef MBI_OPS_REF_CUMSUM_REF_H
#define MBI_OPS_REF_CUMSUM_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "mobinfer.h"

/* Whether mbi_ref_cumsum handles dtype. */
bool mbi_ref_cumsum_supported(mobinfer_dtype dtype);

/* x, out: [outer, n, inner] of dtype. out[o, i, in] is the sum of x[o, j, in]
 * over j <= i (j < i when exclusive; j >= i / j > i when reverse). Integer
 * sums wrap. out may be x. */
void mbi_ref_cumsum(mobinfer_dtype dtype, int64_t outer, int64_t n, int64_t inner,
                    bool exclusive, bool reverse, const void *x, void *out);

#endif
