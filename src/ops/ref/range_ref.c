#include "ops/ref/range_ref.h"

void mbi_ref_range_f32(float start, float delta, int64_t n, float *out)
{
    /* Multiplying instead of accumulating keeps the error from growing. */
    for (int64_t i = 0; i < n; i++)
        out[i] = (float)((double)start + (double)i * (double)delta);
}

void mbi_ref_range_i32(int32_t start, int32_t delta, int64_t n, int32_t *out)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = (int32_t)((uint32_t)start + (uint32_t)i * (uint32_t)delta);
}

void mbi_ref_range_i64(int64_t start, int64_t delta, int64_t n, int64_t *out)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = (int64_t)((uint64_t)start + (uint64_t)i * (uint64_t)delta);
}
