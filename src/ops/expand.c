/* Expand (broadcast to a shape given by a constant input) and Tile (repeat
 * along each axis by constant counts). Both become a strided copy: Expand
 * with stride 0 on broadcast axes, Tile by viewing each output axis as
 * (repeat, size) with stride 0 on the repeat part. */
#include "ops/op.h"
#include "ops/ref/copy_ref.h"
#include "ops/tensor_args.h"

typedef struct repeat_params {
    int rank;
    size_t elem_size;
    int64_t dims[MBI_REF_COPY_MAX_RANK];
    int64_t strides[MBI_REF_COPY_MAX_RANK];
} repeat_params;

static mobinfer_status repeat_run(mbi_op_ctx *ctx)
{
    const repeat_params *p = ctx->params;
    mbi_ref_strided_copy(p->elem_size, p->rank, p->dims, p->strides, ctx->in[0]->data,
                         ctx->out[0]->data);
    return MOBINFER_OK;
}

static mobinfer_status expand_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    mbi_int_list shape;
    if ((st = mbi_targ_input_ints(ctx, 1, "shape", &shape)))
        return st;
    if (!shape.present)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "input 1 (shape) is required");
    if (shape.count > MBI_MAX_RANK)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "target rank %lld exceeds %d",
                        (long long)shape.count, MBI_MAX_RANK);
    int64_t target[MBI_MAX_RANK];
    for (int i = 0; i < shape.count; i++) {
        target[i] = mbi_int_list_get(&shape, i);
        if (target[i] < 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "input 'shape' has negative value %lld", (long long)target[i]);
    }
    repeat_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    int64_t dims[MBI_MAX_RANK];
    int rank;
    char a[160], b[160];
    if (!mbi_broadcast_shape(x->dims, x->rank, target, (int)shape.count, dims, &rank))
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "cannot expand %s to %s",
                        mbi_shape_str(x->dims, x->rank, a, sizeof a),
                        mbi_shape_str(target, (int)shape.count, b, sizeof b));
    if ((st = mbi_targ_check_numel(ctx, dims, rank, "output shape", NULL)))
        return st;
    p->rank = rank;
    p->elem_size = mbi_dtype_size(x->dtype);
    for (int i = 0; i < rank; i++)
        p->dims[i] = dims[i];
    mbi_broadcast_strides(x->dims, x->rank, dims, rank, p->strides);
    mbi_op_set_output(ctx, 0, x->dtype, dims, rank);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Expand = {"Expand", "", 0, expand_prepare, repeat_run};

static mobinfer_status tile_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    mbi_int_list reps;
    if ((st = mbi_targ_input_ints(ctx, 1, "repeats", &reps)))
        return st;
    if (!reps.present)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "input 1 (repeats) is required");
    if (reps.count != x->rank)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "input 'repeats' has %lld values for a tensor of rank %d",
                        (long long)reps.count, x->rank);
    repeat_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    int64_t dims[MBI_MAX_RANK];
    int64_t stride = 1;
    p->rank = 2 * x->rank;
    p->elem_size = mbi_dtype_size(x->dtype);
    for (int i = x->rank - 1; i >= 0; i--) {
        int64_t r = mbi_int_list_get(&reps, i);
        if (r < 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "input 'repeats' has negative value %lld", (long long)r);
        if (x->dims[i] > 0 && r > INT64_MAX / x->dims[i])
            return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT, "output dimension %d overflows", i);
        dims[i] = r * x->dims[i];
        p->dims[2 * i] = r;
        p->strides[2 * i] = 0;
        p->dims[2 * i + 1] = x->dims[i];
        p->strides[2 * i + 1] = stride;
        stride *= x->dims[i];
    }
    if ((st = mbi_targ_check_numel(ctx, dims, x->rank, "output shape", NULL)))
        return st;
    mbi_op_set_output(ctx, 0, x->dtype, dims, x->rank);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Tile = {"Tile", "", 0, tile_prepare, repeat_run};
