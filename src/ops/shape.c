/* Shape (the dims of input 0 as int64, sliced by start/end from opset 15)
 * and Size (its element count). Both read only the input's shape, which is
 * fixed when the session is created. */
#include "ops/op.h"
#include "ops/tensor_args.h"

typedef struct shape_params {
    int start, end;
} shape_params;

/* Opset 15 rule: negative values count from the back, then both clamp to
 * [0, rank]. */
static int clamp_dim_index(int64_t v, int rank)
{
    if (v < 0)
        v += rank;
    if (v < 0)
        v = 0;
    if (v > rank)
        v = rank;
    return (int)v;
}

static mobinfer_status shape_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_op_require_input(ctx, 0);
    if (st)
        return st;
    shape_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    int rank = ctx->in[0]->rank;
    int64_t start = 0, end = rank;
    if (ctx->opset >= 15) {
        if ((st = mbi_attr_int(ctx->node, "start", 0, &start, ctx->err)) ||
            (st = mbi_attr_int(ctx->node, "end", rank, &end, ctx->err)))
            return st;
    }
    p->start = clamp_dim_index(start, rank);
    p->end = clamp_dim_index(end, rank);
    if (p->end < p->start)
        p->end = p->start;
    int64_t dims[1] = {p->end - p->start};
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_INT64, dims, 1);
    return MOBINFER_OK;
}

static mobinfer_status shape_run(mbi_op_ctx *ctx)
{
    const shape_params *p = ctx->params;
    int64_t *out = ctx->out[0]->data;
    for (int i = p->start; i < p->end; i++)
        out[i - p->start] = ctx->in[0]->dims[i];
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Shape = {"Shape", "", MBI_OP_SHAPE_ONLY, shape_prepare, shape_run};

static mobinfer_status size_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_op_require_input(ctx, 0);
    if (st)
        return st;
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_INT64, NULL, 0);
    return MOBINFER_OK;
}

static mobinfer_status size_run(mbi_op_ctx *ctx)
{
    *(int64_t *)ctx->out[0]->data = mbi_tensor_numel(ctx->in[0]);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Size = {"Size", "", MBI_OP_SHAPE_ONLY, size_prepare, size_run};
