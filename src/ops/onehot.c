/* OneHot: depth must be constant (it sizes the output); indices and the
 * off/on values are read at run time. */
#include <math.h>

#include "ops/op.h"
#include "ops/ref/onehot_ref.h"
#include "ops/tensor_args.h"

typedef struct onehot_params {
    size_t elem_size;
    int64_t outer, depth, inner;
} onehot_params;

static mobinfer_status onehot_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_targ_known_dtype(ctx, 0)) || (st = mbi_op_require_constant(ctx, 1, "depth")) ||
        (st = mbi_targ_known_dtype(ctx, 2)))
        return st;
    const mbi_tensor *idx = ctx->in[0], *depth_t = ctx->in[1], *values = ctx->in[2];
    if (mbi_tensor_numel(depth_t) != 1 || depth_t->rank > 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input 'depth' must hold one value");
    if (mbi_tensor_numel(values) != 2 || values->rank != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input 'values' must hold two values");
    double dv = mbi_tensor_get_double(depth_t, 0);
    if (!(dv >= 1.0) || dv > (double)ctx->limits->max_tensor_elements)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "input 'depth' %g is out of range",
                        dv);
    int64_t depth = (int64_t)dv;
    int rank = idx->rank + 1;
    if (rank > MBI_MAX_RANK)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "output rank %d exceeds %d", rank,
                        MBI_MAX_RANK);
    int64_t axis64;
    int axis;
    if ((st = mbi_attr_int(ctx->node, "axis", -1, &axis64, ctx->err)))
        return st;
    if (!mbi_axis_normalize(axis64, rank, &axis))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' %lld is out of range for rank %d", (long long)axis64,
                        rank);
    onehot_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    int64_t dims[MBI_MAX_RANK];
    p->outer = 1;
    p->inner = 1;
    for (int d = 0, k = 0; d < rank; d++) {
        if (d == axis) {
            dims[d] = depth;
            continue;
        }
        dims[d] = idx->dims[k];
        if (d < axis)
            p->outer *= idx->dims[k];
        else
            p->inner *= idx->dims[k];
        k++;
    }
    if ((st = mbi_targ_check_numel(ctx, dims, rank, "output shape", NULL)))
        return st;
    p->depth = depth;
    p->elem_size = mbi_dtype_size(values->dtype);
    mbi_op_set_output(ctx, 0, values->dtype, dims, rank);
    return MOBINFER_OK;
}

static mobinfer_status onehot_run(mbi_op_ctx *ctx)
{
    const onehot_params *p = ctx->params;
    const char *v = ctx->in[2]->data;
    mbi_ref_onehot(p->elem_size, p->outer, p->depth, p->inner, ctx->in[0]->dtype,
                   ctx->in[0]->data, v, v + p->elem_size, ctx->out[0]->data);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_OneHot = {"OneHot", "", 0, onehot_prepare, onehot_run};
