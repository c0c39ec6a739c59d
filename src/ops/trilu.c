/* Trilu: keeps the upper or lower triangle of the last two axes. k (an
 * optional scalar input) does not change the shape, so it is read at run
 * time and need not be constant. */
#include "ops/op.h"
#include "ops/ref/trilu_ref.h"
#include "ops/tensor_args.h"

typedef struct trilu_params {
    bool upper;
    size_t elem_size;
    int64_t batch, rows, cols;
} trilu_params;

static mobinfer_status check_k(mbi_op_ctx *ctx, const mbi_tensor *k)
{
    if (k->dtype != MOBINFER_DTYPE_INT64)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "input 'k' must be int64, not %s",
                        mbi_dtype_name(k->dtype));
    if (mbi_tensor_numel(k) != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input 'k' must hold one value");
    return MOBINFER_OK;
}

static mobinfer_status trilu_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    if (x->rank < 2)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input must have rank >= 2, not %d",
                        x->rank);
    const mbi_tensor *k = mbi_op_input(ctx, 1);
    if (k && (st = check_k(ctx, k)))
        return st;
    int64_t upper;
    if ((st = mbi_attr_int(ctx->node, "upper", 1, &upper, ctx->err)))
        return st;
    trilu_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    p->upper = upper != 0;
    p->elem_size = mbi_dtype_size(x->dtype);
    p->rows = x->dims[x->rank - 2];
    p->cols = x->dims[x->rank - 1];
    p->batch = 1;
    for (int d = 0; d < x->rank - 2; d++)
        p->batch *= x->dims[d];
    mbi_op_set_output(ctx, 0, x->dtype, x->dims, x->rank);
    return MOBINFER_OK;
}

static mobinfer_status trilu_run(mbi_op_ctx *ctx)
{
    const trilu_params *p = ctx->params;
    const mbi_tensor *kt = mbi_op_input(ctx, 1);
    int64_t k = kt ? *(const int64_t *)kt->data : 0;
    mbi_ref_trilu(p->elem_size, p->batch, p->rows, p->cols, k, p->upper, ctx->in[0]->data,
                  ctx->out[0]->data);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Trilu = {"Trilu", "", MBI_OP_INPLACE_INPUT0, trilu_prepare, trilu_run};
