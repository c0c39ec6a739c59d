#include <stdint.h>
#include <string.h>

#include "ops/op.h"

void *mbi_op_alloc(mbi_op_ctx *ctx, size_t bytes)
{
    void *p = mbi_pool_alloc_aligned(ctx->pool, bytes, 64);
    if (!p)
        mbi_fail(ctx->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory (%zu bytes)", bytes);
    return p;
}

float *mbi_op_alloc_floats(mbi_op_ctx *ctx, size_t floats)
{
    if (floats > SIZE_MAX / sizeof(float)) {
        mbi_fail(ctx->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory (%zu floats)", floats);
        return NULL;
    }
    return mbi_op_alloc(ctx, floats * sizeof(float));
}

void mbi_op_set_output(mbi_op_ctx *ctx, int index, mobinfer_dtype dtype, const int64_t *dims,
                       int rank)
{
    mbi_tensor *t = ctx->out[index];
    if (!t)
        return;
    t->dtype = dtype;
    t->rank = rank;
    if (rank > 0)
        memmove(t->dims, dims, (size_t)rank * sizeof dims[0]);
}

mobinfer_status mbi_op_require_input(mbi_op_ctx *ctx, int index)
{
    if (index >= ctx->n_in || !ctx->in[index])
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "input %d is required", index);
    return MOBINFER_OK;
}

mobinfer_status mbi_op_require_dtype(mbi_op_ctx *ctx, int index, mobinfer_dtype dtype)
{
    mobinfer_status st = mbi_op_require_input(ctx, index);
    if (st)
        return st;
    if (ctx->in[index]->dtype != dtype)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input %d has type %s; %s expected",
                        index, mbi_dtype_name(ctx->in[index]->dtype), mbi_dtype_name(dtype));
    return MOBINFER_OK;
}

mobinfer_status mbi_op_require_bias(mbi_op_ctx *ctx, int index, int64_t m)
{
    const mbi_tensor *b = mbi_op_input(ctx, index);
    if (!b)
        return MOBINFER_OK;
    mobinfer_status st;
    if ((st = mbi_op_require_dtype(ctx, index, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_constant(ctx, index, "B")))
        return st;
    if (b->rank != 1 || b->dims[0] != m)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "the bias B must have shape [%lld]",
                        (long long)m);
    return MOBINFER_OK;
}

mobinfer_status mbi_op_require_constant(mbi_op_ctx *ctx, int index, const char *what)
{
    mobinfer_status st = mbi_op_require_input(ctx, index);
    if (st)
        return st;
    if (!ctx->in[index]->data)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "input %d (%s) must be known when the session is created "
                        "(data-dependent shapes are not supported)",
                        index, what);
    return MOBINFER_OK;
}

mobinfer_status mbi_op_require_kernels(mbi_op_ctx *ctx)
{
    if (ctx->kernels)
        return MOBINFER_OK;
    return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                    "%s is an operator of optimized sessions; this session runs the reference "
                    "kernels only (disable_optimizations)",
                    ctx->node->op_type);
}
