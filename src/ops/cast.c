/* Cast and CastLike between float32, int64, int32, uint8, int8 and bool.
 * Conversion rules: ops/ref/cast_ref.h. */
#include <string.h>

#include "ops/math_ops.h"
#include "ops/op.h"
#include "ops/ref/cast_ref.h"

static mobinfer_status cast_common(mbi_op_ctx *ctx, int expected_inputs, mobinfer_dtype to)
{
    if (ctx->n_in != expected_inputs)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "expected %d input(s), got %d",
                        expected_inputs, ctx->n_in);
    mobinfer_status st = mbi_op_require_input(ctx, 0);
    if (st)
        return st;
    if (ctx->n_out < 1 || !ctx->out[0])
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "output 0 is required");
    const mbi_tensor *x = ctx->in[0];
    if (!mbi_ref_cast_supported(x->dtype, to))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "cast from %s to %s is not supported",
                        mbi_dtype_name(x->dtype), mbi_dtype_name(to));
    mbi_op_set_output(ctx, 0, to, x->dims, x->rank);
    return MOBINFER_OK;
}

static mobinfer_status cast_prepare(mbi_op_ctx *ctx)
{
    const mbi_attr *a = mbi_attr_find(ctx->node, "to");
    if (!a)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "attribute 'to' is required");
    int64_t to;
    mobinfer_status st = mbi_attr_int(ctx->node, "to", 0, &to, ctx->err);
    if (st)
        return st;
    /* `saturate` (opset 19) only concerns float8 targets, which are not
     * supported anyway. */
    mobinfer_dtype dt = (mobinfer_dtype)to;
    if (to < 0 || to > 64 || !mbi_dtype_supported(dt))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "attribute 'to' = %lld: target type not supported (only float32, int64, "
                        "int32, uint8, int8, bool)",
                        (long long)to);
    return cast_common(ctx, 1, dt);
}

static mobinfer_status castlike_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_op_require_input(ctx, 1);
    if (st)
        return st;
    return cast_common(ctx, 2, ctx->in[1]->dtype);
}

static mobinfer_status cast_run(mbi_op_ctx *ctx)
{
    const mbi_tensor *x = ctx->in[0];
    mbi_tensor *y = ctx->out[0];
    if (x->dtype == y->dtype) {
        if (x->data != y->data)
            memcpy(y->data, x->data, mbi_tensor_bytes(x));
        return MOBINFER_OK;
    }
    mbi_ref_cast(x->dtype, x->data, y->dtype, y->data, mbi_tensor_numel(x));
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Cast = {"Cast", "", MBI_OP_INPLACE_INPUT0, cast_prepare, cast_run};
const mbi_op_def mbi_op_CastLike = {"CastLike", "", MBI_OP_INPLACE_INPUT0, castlike_prepare,
                                    cast_run};
