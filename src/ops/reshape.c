/* Operators that reinterpret input 0's bytes under another shape: Reshape,
 * Flatten, Squeeze, Unsqueeze. They only compute the output shape; the
 * planner may give the output the input's storage (MBI_OP_ALIAS_INPUT0). */
#include <stdbool.h>

#include "ops/op.h"
#include "ops/tensor_args.h"

static mobinfer_status require_data_input(mbi_op_ctx *ctx)
{
    return mbi_targ_known_dtype(ctx, 0);
}

/* ---- Reshape -------------------------------------------------------------- */

static mobinfer_status reshape_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = require_data_input(ctx);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    mbi_int_list shape;
    if ((st = mbi_targ_input_ints(ctx, 1, "shape", &shape)))
        return st;
    if (!shape.present)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "input 1 (shape) is required");
    if (shape.input->rank != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input 'shape' must be 1-D");
    if (shape.count > MBI_MAX_RANK)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "output rank %lld exceeds the maximum of %d", (long long)shape.count,
                        MBI_MAX_RANK);
    int64_t allowzero = 0;
    if (ctx->opset >= 14 && (st = mbi_attr_int(ctx->node, "allowzero", 0, &allowzero, ctx->err)))
        return st;

    int rank = (int)shape.count;
    int64_t dims[MBI_MAX_RANK];
    int infer = -1;
    bool has_zero = false;
    for (int i = 0; i < rank; i++) {
        int64_t v = mbi_int_list_get(&shape, i);
        if (v == -1) {
            if (infer >= 0)
                return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                                "input 'shape' has more than one -1");
            infer = i;
            dims[i] = 1;
        } else if (v == 0 && !allowzero) {
            if (i >= x->rank)
                return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                                "input 'shape' has 0 at index %d, past the input's rank %d", i,
                                x->rank);
            dims[i] = x->dims[i];
        } else if (v < 0) {
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "input 'shape' has invalid value %lld", (long long)v);
        } else {
            dims[i] = v;
            if (v == 0)
                has_zero = true;
        }
    }
    if (infer >= 0 && has_zero)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "input 'shape' has both -1 and 0 with allowzero=1");

    int64_t in_numel = mbi_tensor_numel(x), known;
    if ((st = mbi_targ_check_numel(ctx, dims, rank, "reshape target", &known)))
        return st;
    char a[160], b[160];
    if (infer >= 0) {
        if (known == 0 || in_numel % known != 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "cannot reshape %s into %s with one dimension inferred",
                            mbi_shape_str(x->dims, x->rank, a, sizeof a),
                            mbi_shape_str(dims, rank, b, sizeof b));
        dims[infer] = in_numel / known;
    } else if (known != in_numel) {
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "cannot reshape %s into %s",
                        mbi_shape_str(x->dims, x->rank, a, sizeof a),
                        mbi_shape_str(dims, rank, b, sizeof b));
    }
    mbi_op_set_output(ctx, 0, x->dtype, dims, rank);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Reshape = {"Reshape", "", MBI_OP_ALIAS_INPUT0, reshape_prepare,
                                   mbi_targ_run_alias_copy};

/* ---- Flatten -------------------------------------------------------------- */

static mobinfer_status flatten_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = require_data_input(ctx);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    int64_t axis;
    if ((st = mbi_attr_int(ctx->node, "axis", 1, &axis, ctx->err)))
        return st;
    int64_t lo = ctx->opset >= 11 ? -(int64_t)x->rank : 0;
    if (axis < lo || axis > x->rank)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' %lld is out of range for rank %d", (long long)axis,
                        x->rank);
    if (axis < 0)
        axis += x->rank;
    int64_t dims[2] = {1, 1};
    for (int i = 0; i < x->rank; i++)
        dims[i < axis ? 0 : 1] *= x->dims[i];
    mbi_op_set_output(ctx, 0, x->dtype, dims, 2);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Flatten = {"Flatten", "", MBI_OP_ALIAS_INPUT0, flatten_prepare,
                                   mbi_targ_run_alias_copy};

/* ---- Squeeze / Unsqueeze ------------------------------------------------- */

/* axes is an attribute before opset 13 and an optional input after. */
static mobinfer_status read_axes_list(mbi_op_ctx *ctx, mbi_int_list *axes)
{
    if (ctx->opset >= 13)
        return mbi_targ_input_ints(ctx, 1, "axes", axes);
    return mbi_targ_attr_ints(ctx, "axes", axes);
}

static mobinfer_status squeeze_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = require_data_input(ctx);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    mbi_int_list list;
    if ((st = read_axes_list(ctx, &list)))
        return st;
    bool drop[MBI_MAX_RANK] = {false};
    /* An empty axes list squeezes every size-1 axis, as if omitted (as
     * ONNX Runtime does). */
    if (list.present && list.count > 0) {
        int axes[MBI_MAX_RANK];
        if ((st = mbi_targ_axes(ctx, &list, x->rank, "axes", axes)))
            return st;
        for (int64_t i = 0; i < list.count; i++) {
            if (x->dims[axes[i]] != 1)
                return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                                "cannot squeeze axis %d of size %lld", axes[i],
                                (long long)x->dims[axes[i]]);
            drop[axes[i]] = true;
        }
    } else {
        for (int i = 0; i < x->rank; i++)
            drop[i] = x->dims[i] == 1;
    }
    int64_t dims[MBI_MAX_RANK];
    int rank = 0;
    for (int i = 0; i < x->rank; i++)
        if (!drop[i])
            dims[rank++] = x->dims[i];
    mbi_op_set_output(ctx, 0, x->dtype, dims, rank);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Squeeze = {"Squeeze", "", MBI_OP_ALIAS_INPUT0, squeeze_prepare,
                                   mbi_targ_run_alias_copy};

static mobinfer_status unsqueeze_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = require_data_input(ctx);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    mbi_int_list list;
    if ((st = read_axes_list(ctx, &list)))
        return st;
    if (!list.present)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "'axes' is required");
    if (list.count > MBI_MAX_RANK - x->rank)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "output rank %lld exceeds the maximum of %d",
                        (long long)(x->rank + list.count), MBI_MAX_RANK);
    int rank = x->rank + (int)list.count;
    int axes[MBI_MAX_RANK];
    if ((st = mbi_targ_axes(ctx, &list, rank, "axes", axes)))
        return st;
    bool inserted[MBI_MAX_RANK] = {false};
    for (int64_t i = 0; i < list.count; i++)
        inserted[axes[i]] = true;
    int64_t dims[MBI_MAX_RANK];
    int k = 0;
    for (int i = 0; i < rank; i++)
        dims[i] = inserted[i] ? 1 : x->dims[k++];
    mbi_op_set_output(ctx, 0, x->dtype, dims, rank);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Unsqueeze = {"Unsqueeze", "", MBI_OP_ALIAS_INPUT0, unsqueeze_prepare,
                                     mbi_targ_run_alias_copy};
