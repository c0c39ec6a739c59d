#include "ops/ref/pad_ref.h"

#include <stdbool.h>
#include <string.h>

#include "core/tensor.h"
#include "ops/ref/copy_ref.h"

/* Input coordinate for position i (relative to the input's start) on an
 * axis of length n, or -1 in constant mode when i falls outside. */
static int64_t map_coord(mbi_pad_mode mode, int64_t i, int64_t n)
{
    if (i >= 0 && i < n)
        return i;
    switch (mode) {
    case MBI_PAD_EDGE:
        return i < 0 ? 0 : n - 1;
    case MBI_PAD_WRAP: {
        int64_t m = i % n;
        return m < 0 ? m + n : m;
    }
    case MBI_PAD_REFLECT: {
        if (n == 1)
            return 0;
        int64_t period = 2 * (n - 1);
        int64_t m = i % period;
        if (m < 0)
            m += period;
        return m < n ? m : period - m;
    }
    default:
        return -1;
    }
}

void mbi_ref_pad(size_t elem_size, mbi_pad_mode mode, int rank, const int64_t *in_dims,
                 const int64_t *out_dims, const int64_t *begin, const void *value,
                 const void *in, void *out)
{
    const char *src = in;
    char *dst = out;
    if (rank == 0) {
        memcpy(dst, src, elem_size);
        return;
    }
    for (int d = 0; d < rank; d++)
        if (out_dims[d] == 0)
            return;
    int64_t in_strides[MBI_MAX_RANK];
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        in_strides[d] = s;
        s *= in_dims[d];
    }
    int last = rank - 1;
    int64_t n_last = in_dims[last], out_last = out_dims[last], b = begin[last];
    /* Output positions [lo, hi) of the last axis come straight from the row. */
    int64_t lo = b < 0 ? 0 : b > out_last ? out_last : b;
    int64_t hi = b + n_last;
    hi = hi < lo ? lo : hi > out_last ? out_last : hi;

    int64_t idx[MBI_MAX_RANK] = {0};
    for (;;) {
        bool outside = false;
        int64_t row = 0;
        for (int d = 0; d < last; d++) {
            int64_t c = map_coord(mode, idx[d] - begin[d], in_dims[d]);
            if (c < 0) {
                outside = true;
                break;
            }
            row += c * in_strides[d];
        }
        if (outside) {
            mbi_ref_fill(elem_size, out_last, value, dst);
        } else {
            const char *r = src + (size_t)row * elem_size;
            for (int64_t o = 0; o < out_last; o++) {
                if (o == lo && hi > lo) {
                    memcpy(dst + (size_t)o * elem_size, r + (size_t)(o - b) * elem_size,
                           (size_t)(hi - lo) * elem_size);
                    o = hi - 1;
                    continue;
                }
                int64_t c = map_coord(mode, o - b, n_last);
                memcpy(dst + (size_t)o * elem_size, c < 0 ? value : r + (size_t)c * elem_size,
                       elem_size);
            }
        }
        dst += (size_t)out_last * elem_size;
        int d = last - 1;
        for (; d >= 0; d--) {
            if (++idx[d] < out_dims[d])
                break;
            idx[d] = 0;
        }
        if (d < 0)
            return;
    }
}
