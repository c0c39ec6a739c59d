/* Slice: starts/ends/axes are attributes before opset 10 and constant
 * inputs (with optional steps) from opset 10. prepare resolves them into a
 * base offset and per-axis source strides for mbi_ref_strided_copy. */
#include "ops/op.h"
#include "ops/ref/copy_ref.h"
#include "ops/tensor_args.h"

typedef struct slice_params {
    int rank;
    size_t elem_size;
    int64_t offset; /* source element of the first output element */
    int64_t dims[MBI_MAX_RANK];
    int64_t strides[MBI_MAX_RANK];
} slice_params;

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static mobinfer_status slice_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    slice_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;

    mbi_int_list starts, ends, axes_l, steps = {0};
    if (ctx->opset >= 10) {
        if ((st = mbi_targ_input_ints(ctx, 1, "starts", &starts)) ||
            (st = mbi_targ_input_ints(ctx, 2, "ends", &ends)) ||
            (st = mbi_targ_input_ints(ctx, 3, "axes", &axes_l)) ||
            (st = mbi_targ_input_ints(ctx, 4, "steps", &steps)))
            return st;
    } else {
        if ((st = mbi_targ_attr_ints(ctx, "starts", &starts)) ||
            (st = mbi_targ_attr_ints(ctx, "ends", &ends)) ||
            (st = mbi_targ_attr_ints(ctx, "axes", &axes_l)))
            return st;
    }
    if (!starts.present || !ends.present)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "'starts' and 'ends' are required");
    int64_t n = starts.count;
    if (ends.count != n || (axes_l.present && axes_l.count != n) ||
        (steps.present && steps.count != n))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "'starts', 'ends', 'axes' and 'steps' must have the same length");
    if (n > x->rank)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "%lld slice entries for a tensor of rank %d", (long long)n, x->rank);
    int axes[MBI_MAX_RANK];
    if (axes_l.present) {
        if ((st = mbi_targ_axes(ctx, &axes_l, x->rank, "axes", axes)))
            return st;
    } else {
        for (int i = 0; i < n; i++)
            axes[i] = i;
    }

    int64_t start[MBI_MAX_RANK], step[MBI_MAX_RANK];
    p->rank = x->rank;
    p->elem_size = mbi_dtype_size(x->dtype);
    for (int d = 0; d < x->rank; d++) {
        start[d] = 0;
        step[d] = 1;
        p->dims[d] = x->dims[d];
    }
    for (int i = 0; i < n; i++) {
        int d = axes[i];
        int64_t dim = x->dims[d];
        int64_t s = mbi_int_list_get(&starts, i), e = mbi_int_list_get(&ends, i);
        int64_t k = steps.present ? mbi_int_list_get(&steps, i) : 1;
        if (k == 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "'steps' must not be 0");
        /* dim >= 0, so adding it to a negative value cannot overflow. */
        if (s < 0)
            s += dim;
        if (e < 0)
            e += dim;
        uint64_t count;
        if (k > 0) {
            s = clamp64(s, 0, dim);
            e = clamp64(e, 0, dim);
            count = e > s ? (uint64_t)(e - s - 1) / (uint64_t)k + 1 : 0;
        } else {
            s = clamp64(s, 0, dim - 1);
            e = clamp64(e, -1, dim - 1);
            uint64_t mag = (uint64_t)(-(k + 1)) + 1;
            count = s > e ? (uint64_t)(s - e - 1) / mag + 1 : 0;
        }
        if (dim == 0)
            count = 0;
        start[d] = s;
        step[d] = k;
        p->dims[d] = (int64_t)count;
    }
    int64_t stride = 1;
    p->offset = 0;
    for (int d = x->rank - 1; d >= 0; d--) {
        if (p->dims[d] > 0) {
            p->offset += start[d] * stride;
            /* A step beyond the axis is only taken once (count 1); keep the
             * stride small so it cannot overflow. */
            p->strides[d] = p->dims[d] > 1 ? step[d] * stride : stride;
        } else {
            p->strides[d] = stride;
        }
        stride *= x->dims[d];
    }
    mbi_op_set_output(ctx, 0, x->dtype, p->dims, x->rank);
    return MOBINFER_OK;
}

static mobinfer_status slice_run(mbi_op_ctx *ctx)
{
    const slice_params *p = ctx->params;
    if (mbi_tensor_numel(ctx->out[0]) == 0)
        return MOBINFER_OK;
    const char *src = (const char *)ctx->in[0]->data + (size_t)p->offset * p->elem_size;
    mbi_ref_strided_copy(p->elem_size, p->rank, p->dims, p->strides, src, ctx->out[0]->data);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Slice = {"Slice", "", 0, slice_prepare, slice_run};
