/* Reference kernel of Range. */
#ifndef MBI_OPS_REF_RANGE_REF_H
#define MBI_OPS_REF_RANGE_REF_H

#include <stdint.h>

/* out[i] = start + i * delta for i < n. Integer versions wrap. */
void mbi_ref_range_f32(float start, float delta, int64_t n, float *out);
void mbi_ref_range_i32(int32_t start, int32_t delta, int64_t n, int32_t *out);
void mbi_ref_range_i64(int64_t start, int64_t delta, int64_t n, int64_t *out);

#endif
