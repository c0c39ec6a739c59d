#include "ops/ref/reduce_ref.h"

#include <math.h>

void mbi_reduce_geom_init(mbi_reduce_geom *g, const int64_t *dims, int rank, const bool *reduce)
{
    int64_t stride = 1;
    int64_t strides[MBI_MAX_RANK];
    for (int d = rank - 1; d >= 0; d--) {
        strides[d] = stride;
        stride *= dims[d];
    }
    g->n_keep = g->n_red = 0;
    g->out_count = g->red_count = 1;
    /* prev: kind of the last emitted dimension (0 none, 1 kept, 2 reduced);
     * a size-1 dimension emits nothing and so does not break a merge. */
    int prev = 0;
    for (int d = 0; d < rank; d++) {
        if (reduce[d])
            g->red_count *= dims[d];
        else
            g->out_count *= dims[d];
        if (dims[d] == 1)
            continue;
        int kind = reduce[d] ? 2 : 1;
        int64_t *ld = kind == 2 ? g->red_dims : g->keep_dims;
        int64_t *ls = kind == 2 ? g->red_strides : g->keep_strides;
        int *n = kind == 2 ? &g->n_red : &g->n_keep;
        if (prev == kind) {
            /* d lies just inside the last emitted dimension: merged, they
             * have d's stride and the product of the sizes. */
            ld[*n - 1] *= dims[d];
            ls[*n - 1] = strides[d];
        } else {
            ld[*n] = dims[d];
            ls[*n] = strides[d];
            (*n)++;
        }
        prev = kind;
    }
}

/* Advances an N-d index over dims (innermost last) and keeps the element
 * offset `off` in step with it. */
static inline void odometer(int n, const int64_t *dims, const int64_t *strides, int64_t *idx,
                            int64_t *off)
{
    for (int d = n - 1; d >= 0; d--) {
        *off += strides[d];
        if (++idx[d] < dims[d])
            return;
        *off -= strides[d] * dims[d];
        idx[d] = 0;
    }
}

bool mbi_ref_reduce_supported(mbi_reduce_op op, mobinfer_dtype dtype)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: return true;
    case MOBINFER_DTYPE_INT64:
    case MOBINFER_DTYPE_INT32:
    case MOBINFER_DTYPE_UINT8:
    case MOBINFER_DTYPE_INT8:
        return op == MBI_REDUCE_SUM || op == MBI_REDUCE_MEAN || op == MBI_REDUCE_PROD ||
               op == MBI_REDUCE_MAX || op == MBI_REDUCE_MIN || op == MBI_REDUCE_SUM_SQUARE ||
               op == MBI_REDUCE_L1;
    case MOBINFER_DTYPE_BOOL: return op == MBI_REDUCE_MAX || op == MBI_REDUCE_MIN;
    default: return false;
    }
}

static float reduce_f32(mbi_reduce_op op, const mbi_reduce_geom *g, const float *x)
{
    int64_t idx[MBI_MAX_RANK] = {0};
    int64_t off = 0;
    const int64_t count = g->red_count;
    if (op == MBI_REDUCE_MAX || op == MBI_REDUCE_MIN || op == MBI_REDUCE_LOG_SUM_EXP) {
        const bool is_min = op == MBI_REDUCE_MIN;
        float m = is_min ? INFINITY : -INFINITY;
        for (int64_t r = 0; r < count; r++) {
            float v = x[off];
            if (v != v || (m == m && (is_min ? v < m : v > m))) /* NaN sticks */
                m = v;
            odometer(g->n_red, g->red_dims, g->red_strides, idx, &off);
        }
        if (op != MBI_REDUCE_LOG_SUM_EXP || isinf(m) || isnan(m))
            return m;
        double s = 0;
        for (int64_t r = 0; r < count; r++) {
            s += exp((double)x[off] - m);
            odometer(g->n_red, g->red_dims, g->red_strides, idx, &off);
        }
        return (float)(m + log(s));
    }
    double s = op == MBI_REDUCE_PROD ? 1.0 : 0.0;
    for (int64_t r = 0; r < count; r++) {
        double v = x[off];
        switch (op) {
        case MBI_REDUCE_PROD: s *= v; break;
        case MBI_REDUCE_SUM_SQUARE:
        case MBI_REDUCE_L2: s += v * v; break;
        case MBI_REDUCE_L1: s += fabs(v); break;
        default: s += v; break;
        }
        odometer(g->n_red, g->red_dims, g->red_strides, idx, &off);
    }
    switch (op) {
    case MBI_REDUCE_MEAN: return (float)(s / (double)count); /* 0/0: NaN */
    case MBI_REDUCE_L2: return (float)sqrt(s);
    case MBI_REDUCE_LOG_SUM: return (float)log(s);
    default: return (float)s;
    }
}

/* Integer reductions in int64 with wrap-around (unsigned) arithmetic; the
 * caller converts to the element type, wrapping like the type would. */
static int64_t reduce_int(mbi_reduce_op op, const mbi_reduce_geom *g, mobinfer_dtype dtype,
                          const void *x, int64_t lowest, int64_t highest)
{
    int64_t idx[MBI_MAX_RANK] = {0};
    int64_t off = 0;
    uint64_t s = op == MBI_REDUCE_PROD ? 1 : 0;
    int64_t m = op == MBI_REDUCE_MAX ? lowest : highest;
    for (int64_t r = 0; r < g->red_count; r++) {
        int64_t v = 0;
        switch (dtype) {
        case MOBINFER_DTYPE_INT64: v = ((const int64_t *)x)[off]; break;
        case MOBINFER_DTYPE_INT32: v = ((const int32_t *)x)[off]; break;
        case MOBINFER_DTYPE_UINT8: v = ((const uint8_t *)x)[off]; break;
        case MOBINFER_DTYPE_INT8: v = ((const int8_t *)x)[off]; break;
        case MOBINFER_DTYPE_BOOL: v = ((const uint8_t *)x)[off] != 0; break;
        default: break;
        }
        switch (op) {
        case MBI_REDUCE_PROD: s *= (uint64_t)v; break;
        case MBI_REDUCE_SUM_SQUARE: s += (uint64_t)v * (uint64_t)v; break;
        case MBI_REDUCE_L1: s += v < 0 ? 0 - (uint64_t)v : (uint64_t)v; break;
        case MBI_REDUCE_MAX: m = v > m ? v : m; break;
        case MBI_REDUCE_MIN: m = v < m ? v : m; break;
        default: s += (uint64_t)v; break;
        }
        odometer(g->n_red, g->red_dims, g->red_strides, idx, &off);
    }
    if (op == MBI_REDUCE_MAX || op == MBI_REDUCE_MIN)
        return m;
    if (op == MBI_REDUCE_MEAN) {
        int64_t sum = (int64_t)s;
        return g->red_count ? sum / g->red_count : 0;
    }
    return (int64_t)s;
}

void mbi_ref_reduce(mbi_reduce_op op, mobinfer_dtype dtype, const mbi_reduce_geom *g,
                    const void *x, void *y)
{
    if (!mbi_ref_reduce_supported(op, dtype))
        return;
    int64_t lowest = 0, highest = 0;
    switch (dtype) {
    case MOBINFER_DTYPE_INT64: lowest = INT64_MIN, highest = INT64_MAX; break;
    case MOBINFER_DTYPE_INT32: lowest = INT32_MIN, highest = INT32_MAX; break;
    case MOBINFER_DTYPE_UINT8: lowest = 0, highest = UINT8_MAX; break;
    case MOBINFER_DTYPE_INT8: lowest = INT8_MIN, highest = INT8_MAX; break;
    case MOBINFER_DTYPE_BOOL: lowest = 0, highest = 1; break;
    default: break;
    }
    int64_t idx[MBI_MAX_RANK] = {0};
    int64_t base = 0;
    for (int64_t o = 0; o < g->out_count; o++) {
        if (dtype == MOBINFER_DTYPE_FLOAT32) {
            ((float *)y)[o] = reduce_f32(op, g, (const float *)x + base);
        } else {
            size_t esize = mbi_dtype_size(dtype);
            const void *xb = (const uint8_t *)x + (size_t)base * esize;
            uint64_t v = (uint64_t)reduce_int(op, g, dtype, xb, lowest, highest);
            switch (dtype) {
            case MOBINFER_DTYPE_INT64: ((int64_t *)y)[o] = (int64_t)v; break;
            case MOBINFER_DTYPE_INT32: ((int32_t *)y)[o] = (int32_t)(uint32_t)v; break;
            case MOBINFER_DTYPE_INT8: ((int8_t *)y)[o] = (int8_t)(uint8_t)v; break;
            default: ((uint8_t *)y)[o] = (uint8_t)v; break;
            }
        }
        odometer(g->n_keep, g->keep_dims, g->keep_strides, idx, &base);
    }
}

/* ---- ArgMax / ArgMin -------------------------------------------------- */

bool mbi_ref_argmax_supported(mobinfer_dtype dtype)
{
    return dtype == MOBINFER_DTYPE_FLOAT32 || dtype == MOBINFER_DTYPE_INT64 ||
           dtype == MOBINFER_DTYPE_INT32 || dtype == MOBINFER_DTYPE_UINT8 ||
           dtype == MOBINFER_DTYPE_INT8 || dtype == MOBINFER_DTYPE_BOOL;
}

/* Whether candidate v replaces the best b so far. */
static inline bool better_f(float v, float b, bool is_min, bool last)
{
    if (b != b) /* a NaN best is final, except for a later NaN with last */
        return last && v != v;
    if (v != v)
        return true;
    if (last)
        return is_min ? v <= b : v >= b;
    return is_min ? v < b : v > b;
}

static inline bool better_i(int64_t v, int64_t b, bool is_min, bool last)
{
    if (last)
        return is_min ? v <= b : v >= b;
    return is_min ? v < b : v > b;
}

static int64_t load_i(mobinfer_dtype dtype, const void *x, int64_t i)
{
    switch (dtype) {
    case MOBINFER_DTYPE_INT64: return ((const int64_t *)x)[i];
    case MOBINFER_DTYPE_INT32: return ((const int32_t *)x)[i];
    case MOBINFER_DTYPE_UINT8: return ((const uint8_t *)x)[i];
    case MOBINFER_DTYPE_INT8: return ((const int8_t *)x)[i];
    case MOBINFER_DTYPE_BOOL: return ((const uint8_t *)x)[i] != 0;
    default: return 0;
    }
}

void mbi_ref_argmax(mobinfer_dtype dtype, bool is_min, bool select_last, int64_t outer,
                    int64_t n, int64_t inner, const void *x, int64_t *y)
{
    if (!mbi_ref_argmax_supported(dtype) || n < 1)
        return;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < inner; j++) {
            const int64_t base = o * n * inner + j;
            int64_t best = 0;
            if (dtype == MOBINFER_DTYPE_FLOAT32) {
                const float *xf = (const float *)x + base;
                float b = xf[0];
                for (int64_t k = 1; k < n; k++)
                    if (better_f(xf[k * inner], b, is_min, select_last))
                        b = xf[k * inner], best = k;
            } else {
                int64_t b = load_i(dtype, x, base);
                for (int64_t k = 1; k < n; k++) {
                    int64_t v = load_i(dtype, x, base + k * inner);
                    if (better_i(v, b, is_min, select_last))
                        b = v, best = k;
                }
            }
            y[o * inner + j] = best;
        }
    }
}
