/* Pad: pads (and the constant value) are attributes before opset 11 and
 * inputs after; opset 18 adds an axes input and opset 19 the wrap mode.
 * Negative pads crop. */
#include <string.h>

#include "ops/op.h"
#include "ops/ref/pad_ref.h"
#include "ops/tensor_args.h"

typedef struct pad_params {
    mbi_pad_mode mode;
    size_t elem_size;
    int64_t begin[MBI_MAX_RANK];
    unsigned char value[8]; /* constant value as one element of the data's type */
} pad_params;

/* Stores v as one element of dtype (opset < 11 gives it as a float). */
static void value_from_double(mobinfer_dtype dtype, double v, unsigned char *out)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: {
        float f = (float)v;
        memcpy(out, &f, 4);
        break;
    }
    case MOBINFER_DTYPE_INT64: {
        int64_t i = (v >= -9.2e18 && v <= 9.2e18) ? (int64_t)v : 0;
        memcpy(out, &i, 8);
        break;
    }
    case MOBINFER_DTYPE_INT32: {
        int32_t i = (v >= -2147483648.0 && v <= 2147483647.0) ? (int32_t)v : 0;
        memcpy(out, &i, 4);
        break;
    }
    case MOBINFER_DTYPE_INT8:
        out[0] = (unsigned char)(int8_t)(v >= -128 && v <= 127 ? (int)v : 0);
        break;
    case MOBINFER_DTYPE_UINT8:
        out[0] = (unsigned char)(v >= 0 && v <= 255 ? (int)v : 0);
        break;
    case MOBINFER_DTYPE_BOOL:
        out[0] = v != 0;
        break;
    default:
        break;
    }
}

static mobinfer_status pad_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    int rank = x->rank;
    pad_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    p->elem_size = mbi_dtype_size(x->dtype);

    const char *mode;
    if ((st = mbi_attr_string(ctx->node, "mode", "constant", &mode, ctx->err)))
        return st;
    if (strcmp(mode, "constant") == 0)
        p->mode = MBI_PAD_CONSTANT;
    else if (strcmp(mode, "reflect") == 0)
        p->mode = MBI_PAD_REFLECT;
    else if (strcmp(mode, "edge") == 0)
        p->mode = MBI_PAD_EDGE;
    else if (strcmp(mode, "wrap") == 0 && ctx->opset >= 19)
        p->mode = MBI_PAD_WRAP;
    else
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'mode' '%s' is not a valid pad mode", mode);

    mbi_int_list pads, axes_l = {0};
    if (ctx->opset >= 11) {
        if ((st = mbi_targ_input_ints(ctx, 1, "pads", &pads)))
            return st;
        if (ctx->opset >= 18 && (st = mbi_targ_input_ints(ctx, 3, "axes", &axes_l)))
            return st;
        const mbi_tensor *cv = mbi_op_input(ctx, 2);
        if (cv && cv->dtype != x->dtype)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "input 'constant_value' has type %s, data has %s",
                            mbi_dtype_name(cv->dtype), mbi_dtype_name(x->dtype));
        if (cv && mbi_tensor_numel(cv) > 1)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "input 'constant_value' must hold one element");
    } else {
        float v;
        if ((st = mbi_targ_attr_ints(ctx, "pads", &pads)) ||
            (st = mbi_attr_float(ctx->node, "value", 0.0f, &v, ctx->err)))
            return st;
        value_from_double(x->dtype, v, p->value);
    }
    if (!pads.present)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "'pads' is required");

    int axes[MBI_MAX_RANK];
    int64_t n_axes = rank;
    if (axes_l.present) {
        if ((st = mbi_targ_axes(ctx, &axes_l, rank, "axes", axes)))
            return st;
        n_axes = axes_l.count;
    } else {
        for (int i = 0; i < rank; i++)
            axes[i] = i;
    }
    if (pads.count != 2 * n_axes)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "'pads' has %lld values; %lld expected", (long long)pads.count,
                        (long long)(2 * n_axes));
    int64_t end[MBI_MAX_RANK] = {0}, dims[MBI_MAX_RANK];
    for (int i = 0; i < rank; i++)
        p->begin[i] = 0;
    for (int64_t i = 0; i < n_axes; i++) {
        p->begin[axes[i]] = mbi_int_list_get(&pads, i);
        end[axes[i]] = mbi_int_list_get(&pads, i + n_axes);
    }
    for (int d = 0; d < rank; d++) {
        int64_t b = p->begin[d], e = end[d], n = x->dims[d];
        /* |pads| beyond the limit can never give a valid size; the cap
         * keeps n + b + e from overflowing. */
        uint64_t ulim = ctx->limits->max_tensor_elements;
        int64_t lim = ulim == 0 || ulim > (uint64_t)(INT64_MAX / 4) ? INT64_MAX / 4 : (int64_t)ulim;
        if (b > lim || b < -lim || e > lim || e < -lim || n + b + e < 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "pads %lld, %lld on axis %d of size %lld give an invalid size",
                            (long long)b, (long long)e, d, (long long)n);
        dims[d] = n + b + e;
        if (p->mode != MBI_PAD_CONSTANT && n == 0 && dims[d] > 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "cannot pad empty axis %d in mode '%s'", d, mode);
    }
    if ((st = mbi_targ_check_numel(ctx, dims, rank, "output shape", NULL)))
        return st;
    mbi_op_set_output(ctx, 0, x->dtype, dims, rank);
    return MOBINFER_OK;
}

static mobinfer_status pad_run(mbi_op_ctx *ctx)
{
    const pad_params *p = ctx->params;
    const mbi_tensor *x = ctx->in[0];
    const void *value = p->value;
    const mbi_tensor *cv = ctx->opset >= 11 ? mbi_op_input(ctx, 2) : NULL;
    if (cv && mbi_tensor_numel(cv) == 1)
        value = cv->data;
    mbi_ref_pad(p->elem_size, p->mode, x->rank, x->dims, ctx->out[0]->dims, p->begin, value,
                x->data, ctx->out[0]->data);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Pad = {"Pad", "", 0, pad_prepare, pad_run};
