/* The Reduce* operators and ArgMax/ArgMin.
 *
 * Reduce axes are an attribute up to opset 17 (ReduceSum: 12) and an
 * optional input from opset 18 (ReduceSum: 13), which must be a constant
 * because it decides the output shape; with the input form an empty axes
 * list means "all axes" unless noop_with_empty_axes is set. */
#include <string.h>

#include "ops/math_ops.h"
#include "ops/op.h"
#include "ops/ref/reduce_ref.h"

typedef struct reduce_info {
    const char *op_type;
    mbi_reduce_op op;
} reduce_info;

static const reduce_info reduce_ops[] = {
    {"ReduceL1", MBI_REDUCE_L1},
    {"ReduceL2", MBI_REDUCE_L2},
    {"ReduceLogSum", MBI_REDUCE_LOG_SUM},
    {"ReduceLogSumExp", MBI_REDUCE_LOG_SUM_EXP},
    {"ReduceMax", MBI_REDUCE_MAX},
    {"ReduceMean", MBI_REDUCE_MEAN},
    {"ReduceMin", MBI_REDUCE_MIN},
    {"ReduceProd", MBI_REDUCE_PROD},
    {"ReduceSum", MBI_REDUCE_SUM},
    {"ReduceSumSquare", MBI_REDUCE_SUM_SQUARE},
};

typedef struct reduce_params {
    mbi_reduce_op op;
    bool noop; /* empty axes with noop_with_empty_axes: output = input */
    mbi_reduce_geom geom;
} reduce_params;

static mobinfer_status read_bool_attr(mbi_op_ctx *ctx, const char *name, int64_t def, bool *out)
{
    int64_t v;
    mobinfer_status st = mbi_attr_int(ctx->node, name, def, &v, ctx->err);
    if (st)
        return st;
    if (v != 0 && v != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute '%s' must be 0 or 1, got %lld", name, (long long)v);
    *out = v != 0;
    return MOBINFER_OK;
}

/* Marks in reduce[] the `count` axes given by `list` (the attribute) or by
 * the constant tensor `input`; fails on an out-of-range or repeated axis. */
static mobinfer_status mark_axes(mbi_op_ctx *ctx, int rank, const int64_t *list,
                                 const mbi_tensor *input, int64_t count, bool *reduce)
{
    for (int64_t i = 0; i < count; i++) {
        int64_t a = list ? list[i] : mbi_tensor_get_int(input, i);
        int d;
        if (!mbi_axis_normalize(a, rank, &d))
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "axes: %lld is out of range for rank %d", (long long)a, rank);
        if (reduce[d])
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "axes: %lld is repeated",
                            (long long)a);
        reduce[d] = true;
    }
    return MOBINFER_OK;
}

static mobinfer_status reduce_prepare(mbi_op_ctx *ctx)
{
    const reduce_info *info = NULL;
    for (size_t i = 0; i < sizeof reduce_ops / sizeof reduce_ops[0]; i++)
        if (strcmp(reduce_ops[i].op_type, ctx->node->op_type) == 0)
            info = &reduce_ops[i];
    if (!info)
        return mbi_fail(ctx->err, MOBINFER_ERR_INTERNAL, "no reduce entry for %s",
                        ctx->node->op_type);
    const bool axes_input = ctx->opset >= (info->op == MBI_REDUCE_SUM ? 13 : 18);
    if (ctx->n_in < 1 || ctx->n_in > (axes_input ? 2 : 1))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "expected %s input(s), got %d",
                        axes_input ? "1 or 2" : "1", ctx->n_in);
    mobinfer_status st = mbi_op_require_input(ctx, 0);
    if (st)
        return st;
    if (ctx->n_out < 1 || !ctx->out[0])
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "output 0 is required");
    const mbi_tensor *x = ctx->in[0];
    if (!mbi_ref_reduce_supported(info->op, x->dtype))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input type %s is not supported",
                        mbi_dtype_name(x->dtype));

    bool keepdims = true, noop_empty = false;
    if ((st = read_bool_attr(ctx, "keepdims", 1, &keepdims)))
        return st;
    if (axes_input && (st = read_bool_attr(ctx, "noop_with_empty_axes", 0, &noop_empty)))
        return st;

    bool reduce[MBI_MAX_RANK] = {false};
    int64_t n_axes = 0;
    if (axes_input) {
        if (mbi_attr_find(ctx->node, "axes"))
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'axes' is not allowed at opset %d (axes is an input)",
                            ctx->opset);
        const mbi_tensor *axes = mbi_op_input(ctx, 1);
        if (axes) {
            if ((st = mbi_op_require_constant(ctx, 1, "axes")))
                return st;
            if (axes->dtype != MOBINFER_DTYPE_INT64)
                return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                                "input 'axes' must be int64, got %s", mbi_dtype_name(axes->dtype));
            if (axes->rank > 1)
                return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                                "input 'axes' must be 1-D, got rank %d", axes->rank);
            n_axes = mbi_tensor_numel(axes);
            if ((st = mark_axes(ctx, x->rank, NULL, axes, n_axes, reduce)))
                return st;
        }
    } else {
        const int64_t *list;
        size_t count;
        if ((st = mbi_attr_ints(ctx->node, "axes", &list, &count, ctx->err)))
            return st;
        n_axes = (int64_t)count;
        if ((st = mark_axes(ctx, x->rank, list, NULL, n_axes, reduce)))
            return st;
    }

    reduce_params *rp = mbi_op_alloc(ctx, sizeof *rp);
    if (!rp)
        return ctx->err->status;
    rp->op = info->op;
    ctx->params = rp;
    if (n_axes == 0) {
        if (noop_empty) {
            rp->noop = true;
            mbi_op_set_output(ctx, 0, x->dtype, x->dims, x->rank);
            return MOBINFER_OK;
        }
        for (int d = 0; d < x->rank; d++)
            reduce[d] = true;
    }
    mbi_reduce_geom_init(&rp->geom, x->dims, x->rank, reduce);

    int64_t out_dims[MBI_MAX_RANK];
    int out_rank = 0;
    for (int d = 0; d < x->rank; d++) {
        if (!reduce[d])
            out_dims[out_rank++] = x->dims[d];
        else if (keepdims)
            out_dims[out_rank++] = 1;
    }
    mbi_op_set_output(ctx, 0, x->dtype, out_dims, out_rank);
    return MOBINFER_OK;
}

static mobinfer_status reduce_run(mbi_op_ctx *ctx)
{
    const reduce_params *rp = ctx->params;
    const mbi_tensor *x = ctx->in[0];
    mbi_tensor *y = ctx->out[0];
    if (rp->noop) {
        if (y->data != x->data)
            memcpy(y->data, x->data, mbi_tensor_bytes(x));
        return MOBINFER_OK;
    }
    mbi_ref_reduce(rp->op, x->dtype, &rp->geom, x->data, y->data);
    return MOBINFER_OK;
}

#define REDUCE_DEF(NAME) \
    const mbi_op_def mbi_op_##NAME = {#NAME, "", 0, reduce_prepare, reduce_run};

REDUCE_DEF(ReduceL1)
REDUCE_DEF(ReduceL2)
REDUCE_DEF(ReduceLogSum)
REDUCE_DEF(ReduceLogSumExp)
REDUCE_DEF(ReduceMax)
REDUCE_DEF(ReduceMean)
REDUCE_DEF(ReduceMin)
REDUCE_DEF(ReduceProd)
REDUCE_DEF(ReduceSum)
REDUCE_DEF(ReduceSumSquare)

/* ---- ArgMax / ArgMin ---------------------------------------------------- */

typedef struct arg_params {
    bool is_min, select_last;
    int64_t outer, n, inner;
} arg_params;

static mobinfer_status arg_prepare(mbi_op_ctx *ctx)
{
    if (ctx->n_in != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "expected 1 input, got %d",
                        ctx->n_in);
    mobinfer_status st = mbi_op_require_input(ctx, 0);
    if (st)
        return st;
    if (ctx->n_out < 1 || !ctx->out[0])
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "output 0 is required");
    const mbi_tensor *x = ctx->in[0];
    if (!mbi_ref_argmax_supported(x->dtype))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input type %s is not supported",
                        mbi_dtype_name(x->dtype));
    int64_t axis;
    bool keepdims = true, last = false;
    if ((st = mbi_attr_int(ctx->node, "axis", 0, &axis, ctx->err)) ||
        (st = read_bool_attr(ctx, "keepdims", 1, &keepdims)))
        return st;
    if (ctx->opset >= 12 && (st = read_bool_attr(ctx, "select_last_index", 0, &last)))
        return st;
    int ax;
    if (!mbi_axis_normalize(axis, x->rank, &ax))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' = %lld is out of range for rank %d", (long long)axis,
                        x->rank);
    if (x->dims[ax] == 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "%s over an empty axis %d",
                        ctx->node->op_type, ax);
    arg_params *ap = mbi_op_alloc(ctx, sizeof *ap);
    if (!ap)
        return ctx->err->status;
    ap->is_min = strcmp(ctx->node->op_type, "ArgMin") == 0;
    ap->select_last = last;
    ap->outer = ap->inner = 1;
    for (int d = 0; d < ax; d++)
        ap->outer *= x->dims[d];
    for (int d = ax + 1; d < x->rank; d++)
        ap->inner *= x->dims[d];
    ap->n = x->dims[ax];
    ctx->params = ap;

    int64_t out_dims[MBI_MAX_RANK];
    int out_rank = 0;
    for (int d = 0; d < x->rank; d++) {
        if (d != ax)
            out_dims[out_rank++] = x->dims[d];
        else if (keepdims)
            out_dims[out_rank++] = 1;
    }
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_INT64, out_dims, out_rank);
    return MOBINFER_OK;
}

static mobinfer_status arg_run(mbi_op_ctx *ctx)
{
    const arg_params *ap = ctx->params;
    const mbi_tensor *x = ctx->in[0];
    mbi_ref_argmax(x->dtype, ap->is_min, ap->select_last, ap->outer, ap->n, ap->inner, x->data,
                   ctx->out[0]->data);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_ArgMax = {"ArgMax", "", 0, arg_prepare, arg_run};
const mbi_op_def mbi_op_ArgMin = {"ArgMin", "", 0, arg_prepare, arg_run};
