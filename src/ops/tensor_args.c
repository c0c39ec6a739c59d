#include "ops/tensor_args.h"

#include <string.h>

mobinfer_status mbi_targ_attr_ints(mbi_op_ctx *ctx, const char *name, mbi_int_list *out)
{
    const int64_t *v;
    size_t n;
    memset(out, 0, sizeof *out);
    mobinfer_status st = mbi_attr_ints(ctx->node, name, &v, &n, ctx->err);
    if (st)
        return st;
    if (!mbi_attr_find(ctx->node, name))
        return MOBINFER_OK;
    out->present = true;
    out->attr = v;
    out->count = (int64_t)n;
    return MOBINFER_OK;
}

mobinfer_status mbi_targ_input_ints(mbi_op_ctx *ctx, int index, const char *what,
                                    mbi_int_list *out)
{
    memset(out, 0, sizeof *out);
    const mbi_tensor *t = mbi_op_input(ctx, index);
    if (!t)
        return MOBINFER_OK;
    if (t->dtype != MOBINFER_DTYPE_INT64 && t->dtype != MOBINFER_DTYPE_INT32)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "input '%s' must be int64 (or int32), not %s", what,
                        mbi_dtype_name(t->dtype));
    if (t->rank > 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input '%s' must be 1-D, not of rank %d",
                        what, t->rank);
    mobinfer_status st = mbi_op_require_constant(ctx, index, what);
    if (st)
        return st;
    out->present = true;
    out->input = t;
    out->count = t->rank == 0 ? 1 : t->dims[0];
    return MOBINFER_OK;
}

mobinfer_status mbi_targ_axes(mbi_op_ctx *ctx, const mbi_int_list *l, int rank, const char *what,
                              int *axes)
{
    if (l->count > rank || l->count > MBI_MAX_RANK)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "'%s' has %lld entries for a tensor of rank %d", what,
                        (long long)l->count, rank);
    bool seen[MBI_MAX_RANK] = {false};
    for (int64_t i = 0; i < l->count; i++) {
        int64_t a = mbi_int_list_get(l, i);
        int ax;
        if (!mbi_axis_normalize(a, rank, &ax))
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "'%s' value %lld is out of range for rank %d", what, (long long)a,
                            rank);
        if (seen[ax])
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "'%s' repeats axis %d", what,
                            ax);
        seen[ax] = true;
        axes[i] = ax;
    }
    return MOBINFER_OK;
}

mobinfer_status mbi_targ_known_dtype(mbi_op_ctx *ctx, int index)
{
    mobinfer_status st = mbi_op_require_input(ctx, index);
    if (st)
        return st;
    if (!mbi_dtype_supported(ctx->in[index]->dtype))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input %d has an unsupported type",
                        index);
    return MOBINFER_OK;
}

mobinfer_status mbi_targ_check_numel(mbi_op_ctx *ctx, const int64_t *dims, int rank,
                                     const char *what, int64_t *numel)
{
    int64_t n;
    char buf[160];
    uint64_t lim = ctx->limits->max_tensor_elements;
    if (lim == 0 || lim > (uint64_t)INT64_MAX)
        lim = (uint64_t)INT64_MAX;
    for (int i = 0; i < rank; i++)
        if (dims[i] < 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "%s %s has a negative dimension", what,
                            mbi_shape_str(dims, rank, buf, sizeof buf));
    if (!mbi_shape_numel_checked(dims, rank, (int64_t)lim, &n))
        return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT, "%s %s exceeds the limit of %llu elements",
                        what,
                        mbi_shape_str(dims, rank, buf, sizeof buf),
                        (unsigned long long)ctx->limits->max_tensor_elements);
    if (numel)
        *numel = n;
    return MOBINFER_OK;
}

mobinfer_status mbi_targ_run_alias_copy(mbi_op_ctx *ctx)
{
    const mbi_tensor *x = ctx->in[0];
    mbi_tensor *y = ctx->out[0];
    if (y->data != x->data) {
        size_t bytes = mbi_tensor_bytes(y);
        if (bytes)
            memcpy(y->data, x->data, bytes);
    }
    return MOBINFER_OK;
}
