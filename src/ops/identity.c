/* Identity, and Dropout at inference: the output is the input; Dropout's
 * optional mask output is all true (all ones before opset 10, where it has
 * the data's type). Training-mode Dropout with a nonzero ratio is random
 * and not supported. */
#include <string.h>

#include "ops/math_ops.h"
#include "ops/op.h"

static mobinfer_status copy_input0(mbi_op_ctx *ctx)
{
    const mbi_tensor *x = ctx->in[0];
    mbi_tensor *y = ctx->out[0];
    if (y && y->data != x->data)
        memcpy(y->data, x->data, mbi_tensor_bytes(x));
    return MOBINFER_OK;
}

static mobinfer_status identity_prepare(mbi_op_ctx *ctx)
{
    if (ctx->n_in != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "expected 1 input, got %d",
                        ctx->n_in);
    mobinfer_status st = mbi_op_require_input(ctx, 0);
    if (st)
        return st;
    mbi_op_set_output(ctx, 0, ctx->in[0]->dtype, ctx->in[0]->dims, ctx->in[0]->rank);
    return MOBINFER_OK;
}

typedef struct dropout_params {
    bool check_training; /* training_mode and ratio are read at run time */
} dropout_params;

static mobinfer_status scalar_input(mbi_op_ctx *ctx, int index, const char *what,
                                    mobinfer_dtype dtype)
{
    const mbi_tensor *t = mbi_op_input(ctx, index);
    if (!t)
        return MOBINFER_OK;
    if (t->dtype != dtype)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input '%s' has type %s; %s expected",
                        what, mbi_dtype_name(t->dtype), mbi_dtype_name(dtype));
    if (mbi_tensor_numel(t) != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input '%s' must be a scalar", what);
    return MOBINFER_OK;
}

/* Whether the node would drop elements: training mode with ratio != 0. */
static bool dropping(const mbi_tensor *ratio, const mbi_tensor *training)
{
    if (!training || !((const uint8_t *)training->data)[0])
        return false;
    float r = ratio ? ((const float *)ratio->data)[0] : 0.5f;
    return r != 0.0f;
}

static mobinfer_status dropout_prepare(mbi_op_ctx *ctx)
{
    int max_in = ctx->opset >= 12 ? 3 : 1;
    if (ctx->n_in < 1 || ctx->n_in > max_in)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "expected 1 to %d inputs, got %d",
                        max_in, ctx->n_in);
    mobinfer_status st = mbi_op_require_input(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    if (x->dtype != MOBINFER_DTYPE_FLOAT32)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input type %s is not supported",
                        mbi_dtype_name(x->dtype));
    dropout_params *dp = mbi_op_alloc(ctx, sizeof *dp);
    if (!dp)
        return ctx->err->status;
    if (ctx->opset < 12) {
        float ratio;
        if ((st = mbi_attr_float(ctx->node, "ratio", 0.5f, &ratio, ctx->err)))
            return st;
        if (!(ratio >= 0.0f && ratio < 1.0f))
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'ratio' must be in [0, 1), got %g", (double)ratio);
        int64_t is_test;
        if ((st = mbi_attr_int(ctx->node, "is_test", 1, &is_test, ctx->err)))
            return st;
        if (ctx->opset < 7 && !is_test && ratio != 0.0f)
            return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                            "training-mode Dropout (is_test = 0) is not supported");
    } else {
        const mbi_tensor *ratio = mbi_op_input(ctx, 1), *training = mbi_op_input(ctx, 2);
        if ((st = scalar_input(ctx, 1, "ratio", MOBINFER_DTYPE_FLOAT32)) ||
            (st = scalar_input(ctx, 2, "training_mode", MOBINFER_DTYPE_BOOL)))
            return st;
        if (training) {
            bool known = training->data && (!ratio || ratio->data);
            if (known && dropping(ratio, training))
                return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                                "training-mode Dropout with a nonzero ratio is not supported");
            dp->check_training = !known;
        }
    }
    ctx->params = dp;
    mbi_op_set_output(ctx, 0, x->dtype, x->dims, x->rank);
    if (ctx->n_out > 1)
        mbi_op_set_output(ctx, 1, ctx->opset >= 10 ? MOBINFER_DTYPE_BOOL : x->dtype, x->dims,
                          x->rank);
    return MOBINFER_OK;
}

static mobinfer_status dropout_run(mbi_op_ctx *ctx)
{
    const dropout_params *dp = ctx->params;
    if (dp->check_training && dropping(mbi_op_input(ctx, 1), mbi_op_input(ctx, 2)))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "training-mode Dropout with a nonzero ratio is not supported");
    copy_input0(ctx);
    mbi_tensor *mask = ctx->n_out > 1 ? ctx->out[1] : NULL;
    if (mask) {
        int64_t n = mbi_tensor_numel(mask);
        if (mask->dtype == MOBINFER_DTYPE_FLOAT32) {
            float *m = mask->data;
            for (int64_t i = 0; i < n; i++)
                m[i] = 1.0f;
        } else {
            memset(mask->data, 1, (size_t)n);
        }
    }
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Dropout = {"Dropout", "", MBI_OP_ALIAS_INPUT0, dropout_prepare,
                                   dropout_run};
const mbi_op_def mbi_op_Identity = {"Identity", "", MBI_OP_ALIAS_INPUT0, identity_prepare,
                                    copy_input0};
