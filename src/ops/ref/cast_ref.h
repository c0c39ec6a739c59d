/* Reference kernel of Cast between the supported element types.
 * Shapes: x and y both hold n elements (of `from` and `to` respectively);
 * y may be the same buffer as x when both types have the same size.
 *
 * float -> integer truncates toward zero; values outside int64's range
 * saturate and NaN gives 0 (C leaves these undefined); narrower integer
 * targets then wrap modulo 2^bits, which is what NumPy and ONNX Runtime
 * give on x86 for in-range values. Anything -> bool is `x != 0`. */
#ifndef MBI_OPS_REF_CAST_REF_H
#define MBI_OPS_REF_CAST_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "mobinfer.h"

bool mbi_ref_cast_supported(mobinfer_dtype from, mobinfer_dtype to);

void mbi_ref_cast(mobinfer_dtype from, const void *x, mobinfer_dtype to, void *y, int64_t n);

#endif
