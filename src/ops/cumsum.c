/* CumSum: running sums along an axis given by a scalar input. The axis does
 * not change the shape, so a non-constant axis is read (and checked) at run
 * time. */
#include "ops/op.h"
#include "ops/ref/cumsum_ref.h"
#include "ops/tensor_args.h"

typedef struct cumsum_params {
    bool exclusive, reverse;
} cumsum_params;

static mobinfer_status read_axis(mbi_op_ctx *ctx, mobinfer_status fail_status, int *axis)
{
    const mbi_tensor *a = ctx->in[1];
    int64_t v = mbi_tensor_get_int(a, 0);
    if (!mbi_axis_normalize(v, ctx->in[0]->rank, axis))
        return mbi_fail(ctx->err, fail_status, "axis %lld is out of range for rank %d",
                        (long long)v, ctx->in[0]->rank);
    return MOBINFER_OK;
}

static mobinfer_status cumsum_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st || (st = mbi_op_require_input(ctx, 1)))
        return st;
    const mbi_tensor *x = ctx->in[0], *a = ctx->in[1];
    if (!mbi_ref_cumsum_supported(x->dtype))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "CumSum of %s is not supported",
                        mbi_dtype_name(x->dtype));
    if (x->rank < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input must have rank >= 1");
    if ((a->dtype != MOBINFER_DTYPE_INT64 && a->dtype != MOBINFER_DTYPE_INT32) ||
        mbi_tensor_numel(a) != 1 || a->rank > 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "input 'axis' must be an int32 or int64 scalar");
    int axis;
    if (a->data && (st = read_axis(ctx, MOBINFER_ERR_INVALID_MODEL, &axis)))
        return st;
    int64_t exclusive, reverse;
    if ((st = mbi_attr_int(ctx->node, "exclusive", 0, &exclusive, ctx->err)) ||
        (st = mbi_attr_int(ctx->node, "reverse", 0, &reverse, ctx->err)))
        return st;
    cumsum_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    p->exclusive = exclusive != 0;
    p->reverse = reverse != 0;
    mbi_op_set_output(ctx, 0, x->dtype, x->dims, x->rank);
    return MOBINFER_OK;
}

static mobinfer_status cumsum_run(mbi_op_ctx *ctx)
{
    const cumsum_params *p = ctx->params;
    const mbi_tensor *x = ctx->in[0];
    int axis;
    mobinfer_status st = read_axis(ctx, MOBINFER_ERR_INPUT, &axis);
    if (st)
        return st;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++)
        outer *= x->dims[d];
    for (int d = axis + 1; d < x->rank; d++)
        inner *= x->dims[d];
    mbi_ref_cumsum(x->dtype, outer, x->dims[axis], inner, p->exclusive, p->reverse, x->data,
                   ctx->out[0]->data);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_CumSum = {"CumSum", "", MBI_OP_INPLACE_INPUT0, cumsum_prepare, cumsum_run};
