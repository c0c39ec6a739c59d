/* TopK: k is an attribute before opset 10 and a constant input after;
 * largest and sorted come with opset 11. The output is always sorted (the
 * spec leaves the order free when sorted=0). */
#include "ops/op.h"
#include "ops/ref/topk_ref.h"
#include "ops/tensor_args.h"

typedef struct topk_params {
    bool largest;
    int64_t outer, n, inner, k;
} topk_params;

static mobinfer_status topk_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    if (!mbi_ref_topk_supported(x->dtype))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "TopK of %s is not supported",
                        mbi_dtype_name(x->dtype));
    if (x->rank < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input must have rank >= 1");
    if (ctx->n_out < 2 || !ctx->out[0] || !ctx->out[1])
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "TopK needs both outputs");
    topk_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    int64_t axis64, largest = 1;
    int axis;
    if ((st = mbi_attr_int(ctx->node, "axis", -1, &axis64, ctx->err)))
        return st;
    if (!mbi_axis_normalize(axis64, x->rank, &axis))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' %lld is out of range for rank %d", (long long)axis64,
                        x->rank);
    if (ctx->opset >= 11 && (st = mbi_attr_int(ctx->node, "largest", 1, &largest, ctx->err)))
        return st;
    int64_t k;
    if (ctx->opset >= 10) {
        mbi_int_list kl;
        if ((st = mbi_targ_input_ints(ctx, 1, "K", &kl)))
            return st;
        if (!kl.present || kl.count != 1)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "input 'K' must hold exactly one value");
        k = mbi_int_list_get(&kl, 0);
    } else {
        if (!mbi_attr_find(ctx->node, "k"))
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "attribute 'k' is required");
        if ((st = mbi_attr_int(ctx->node, "k", 0, &k, ctx->err)))
            return st;
    }
    int64_t n = x->dims[axis];
    if (k < 0 || k > n)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "k = %lld is out of range for axis size %lld",
                        (long long)k, (long long)n);
    p->largest = largest != 0;
    p->k = k;
    p->n = n;
    p->outer = 1;
    p->inner = 1;
    for (int d = 0; d < axis; d++)
        p->outer *= x->dims[d];
    for (int d = axis + 1; d < x->rank; d++)
        p->inner *= x->dims[d];
    ctx->scratch_bytes = (size_t)(2 * n) * sizeof(int64_t);
    int64_t dims[MBI_MAX_RANK];
    for (int d = 0; d < x->rank; d++)
        dims[d] = x->dims[d];
    dims[axis] = k;
    mbi_op_set_output(ctx, 0, x->dtype, dims, x->rank);
    mbi_op_set_output(ctx, 1, MOBINFER_DTYPE_INT64, dims, x->rank);
    return MOBINFER_OK;
}

static mobinfer_status topk_run(mbi_op_ctx *ctx)
{
    const topk_params *p = ctx->params;
    if (p->k == 0)
        return MOBINFER_OK;
    mbi_ref_topk(ctx->in[0]->dtype, p->outer, p->n, p->inner, p->k, p->largest, ctx->in[0]->data,
                 ctx->out[0]->data, ctx->out[1]->data, ctx->scratch);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_TopK = {"TopK", "", 0, topk_prepare, topk_run};
