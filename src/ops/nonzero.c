/* NonZero: the output size depends on the data, so the input must be a
 * constant; the planner then folds the node at session creation. */
#include "ops/op.h"
#include "ops/ref/nonzero_ref.h"
#include "ops/tensor_args.h"

static mobinfer_status nonzero_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    if (!x->data)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "NonZero of a non-constant input is not supported (data-dependent shape)");
    int64_t *nnz = mbi_op_alloc(ctx, sizeof *nnz);
    if (!nnz)
        return ctx->err->status;
    ctx->params = nnz;
    *nnz = mbi_ref_count_nonzero(x->dtype, mbi_tensor_numel(x), x->data);
    int64_t dims[2] = {x->rank > 0 ? x->rank : 1, *nnz};
    if ((st = mbi_targ_check_numel(ctx, dims, 2, "output shape", NULL)))
        return st;
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_INT64, dims, 2);
    return MOBINFER_OK;
}

static mobinfer_status nonzero_run(mbi_op_ctx *ctx)
{
    const mbi_tensor *x = ctx->in[0];
    mbi_ref_nonzero(x->dtype, x->rank, x->dims, x->data, *(const int64_t *)ctx->params,
                    ctx->out[0]->data);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_NonZero = {"NonZero", "", 0, nonzero_prepare, nonzero_run};
