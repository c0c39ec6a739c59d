#include "ops/ref/resize_ref.h"

#include <stdbool.h>
#include <string.h>

#include "core/tensor.h"

static void input_strides(int rank, const int64_t *in_dims, int64_t *strides)
{
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        strides[d] = s;
        s *= in_dims[d];
    }
}

static bool any_zero(int rank, const int64_t *dims)
{
    for (int d = 0; d < rank; d++)
        if (dims[d] == 0)
            return true;
    return false;
}

/* Advances the multi-index idx over dims; false after the last. */
static bool next_index(int rank, const int64_t *dims, int64_t *idx)
{
    for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < dims[d])
            return true;
        idx[d] = 0;
    }
    return false;
}

void mbi_ref_resize_nearest(size_t elem_size, int rank, const int64_t *in_dims,
                            const int64_t *out_dims, const mbi_resize_axis *axes,
                            const void *extrapolation, const void *in, void *out)
{
    const char *src = in;
    char *dst = out;
    int64_t strides[MBI_MAX_RANK], idx[MBI_MAX_RANK] = {0};
    if (rank == 0) {
        memcpy(dst, src, elem_size);
        return;
    }
    if (any_zero(rank, out_dims))
        return;
    input_strides(rank, in_dims, strides);
    int last = rank - 1;
    const mbi_resize_axis *ax = &axes[last];
    /* The last axis unchanged (channels-last data): whole rows move. */
    bool identity_rows = in_dims[last] == out_dims[last] && !ax->outside;
    for (int64_t o = 0; identity_rows && o < out_dims[last]; o++)
        identity_rows = ax->index[o] == o;
    /* One output row (the last axis) per step; the other axes fix its base. */
    do {
        int64_t base = 0;
        bool outside = false;
        for (int d = 0; d < last; d++) {
            if (axes[d].outside && axes[d].outside[idx[d]])
                outside = true;
            base += axes[d].index[idx[d]] * strides[d];
        }
        if (identity_rows && !outside) {
            size_t row = (size_t)out_dims[last] * elem_size;
            memcpy(dst, src + (size_t)base * elem_size, row);
            dst += row;
            continue;
        }
        for (int64_t o = 0; o < out_dims[last]; o++) {
            const char *from = outside || (ax->outside && ax->outside[o])
                                   ? (const char *)extrapolation
                                   : src + (size_t)(base + ax->index[o]) * elem_size;
            memcpy(dst, from, elem_size);
            dst += elem_size;
        }
    } while (next_index(last, out_dims, idx));
}

void mbi_ref_resize_f32(int rank, const int64_t *in_dims, const int64_t *out_dims,
                        const mbi_resize_axis *axes, float extrapolation, const float *in,
                        float *out)
{
    int64_t strides[MBI_MAX_RANK], idx[MBI_MAX_RANK] = {0};
    if (rank == 0) {
        out[0] = in[0];
        return;
    }
    if (any_zero(rank, out_dims))
        return;
    input_strides(rank, in_dims, strides);
    /* Axes with a single tap add a fixed offset; the others are enumerated. */
    int active[MBI_MAX_RANK], n_active = 0;
    for (int d = 0; d < rank; d++)
        if (axes[d].taps > 1)
            active[n_active++] = d;
    int64_t i = 0;
    do {
        bool outside = false;
        int64_t base = 0;
        for (int d = 0; d < rank; d++) {
            if (axes[d].outside && axes[d].outside[idx[d]])
                outside = true;
            if (axes[d].taps == 1)
                base += axes[d].index[idx[d]] * strides[d];
        }
        if (outside) {
            out[i++] = extrapolation;
            continue;
        }
        int t[MBI_MAX_RANK] = {0};
        float sum = 0.0f;
        for (;;) {
            int64_t off = base;
            float w = 1.0f;
            for (int a = 0; a < n_active; a++) {
                const mbi_resize_axis *ax = &axes[active[a]];
                int64_t k = idx[active[a]] * ax->taps + t[a];
                off += ax->index[k] * strides[active[a]];
                w *= ax->weight[k];
            }
            sum += w * in[off];
            int a = n_active - 1;
            for (; a >= 0; a--) {
                if (++t[a] < axes[active[a]].taps)
                    break;
                t[a] = 0;
            }
            if (a < 0)
                break;
        }
        out[i++] = sum;
    } while (next_index(rank, out_dims, idx));
}
