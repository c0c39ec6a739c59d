/* Indexing operators: Gather, GatherElements, GatherND and ScatterND.
 * Indices are run-time data: the kernels check them and run fails with
 * MOBINFER_ERR_INPUT on one that is out of range. Constant indices are
 * checked already in prepare. */
#include <string.h>

#include "ops/op.h"
#include "ops/ref/gather_ref.h"
#include "ops/tensor_args.h"

typedef struct gather_params {
    int axis;
    size_t elem_size;
    int64_t outer, axis_dim, inner, n_idx;
    /* GatherND / ScatterND */
    int k;
    int64_t batch, slice, n_tuples;
    int64_t index_dims[MBI_MAX_RANK];
    mbi_scatter_reduction reduction;
} gather_params;

static mobinfer_status require_indices(mbi_op_ctx *ctx, int index, bool int32_ok)
{
    mobinfer_status st = mbi_op_require_input(ctx, index);
    if (st)
        return st;
    mobinfer_dtype t = ctx->in[index]->dtype;
    if (t == MOBINFER_DTYPE_INT64 || (int32_ok && t == MOBINFER_DTYPE_INT32))
        return MOBINFER_OK;
    return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "indices must be int64%s, not %s",
                    int32_ok ? " or int32" : "", mbi_dtype_name(t));
}

static mbi_indices indices_of(const mbi_tensor *t)
{
    mbi_indices ix = {t->data, t->dtype == MOBINFER_DTYPE_INT64};
    return ix;
}

static mobinfer_status bad_index(mbi_op_ctx *ctx, int64_t pos, int64_t value)
{
    return mbi_fail(ctx->err, MOBINFER_ERR_INPUT,
                    "index %lld (at position %lld of the indices) is out of range",
                    (long long)value, (long long)pos);
}

static gather_params *alloc_params(mbi_op_ctx *ctx)
{
    gather_params *p = mbi_op_alloc(ctx, sizeof *p);
    ctx->params = p;
    return p;
}

static mobinfer_status axis_attr(mbi_op_ctx *ctx, int rank, int *axis)
{
    int64_t a;
    mobinfer_status st = mbi_attr_int(ctx->node, "axis", 0, &a, ctx->err);
    if (st)
        return st;
    if (!mbi_axis_normalize(a, rank, axis))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' %lld is out of range for rank %d", (long long)a, rank);
    return MOBINFER_OK;
}

/* ---- Gather ------------------------------------------------------------------ */

static mobinfer_status gather_exec(mbi_op_ctx *ctx, void *out)
{
    const gather_params *p = ctx->params;
    mbi_indices ix = indices_of(ctx->in[1]);
    int64_t bad = mbi_ref_gather(p->elem_size, p->outer, p->axis_dim, p->inner, ctx->in[0]->data,
                                 &ix, p->n_idx, out);
    if (bad >= 0)
        return bad_index(ctx, bad, mbi_indices_at(&ix, bad));
    return MOBINFER_OK;
}

static mobinfer_status gather_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_targ_known_dtype(ctx, 0)) || (st = require_indices(ctx, 1, true)))
        return st;
    const mbi_tensor *x = ctx->in[0], *idx = ctx->in[1];
    if (x->rank < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "data must have rank >= 1");
    gather_params *p = alloc_params(ctx);
    if (!p)
        return ctx->err->status;
    if ((st = axis_attr(ctx, x->rank, &p->axis)))
        return st;
    int rank = x->rank - 1 + idx->rank;
    if (rank > MBI_MAX_RANK)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "output rank %d exceeds %d", rank,
                        MBI_MAX_RANK);
    int64_t dims[MBI_MAX_RANK];
    int n = 0;
    for (int d = 0; d < p->axis; d++)
        dims[n++] = x->dims[d];
    for (int d = 0; d < idx->rank; d++)
        dims[n++] = idx->dims[d];
    for (int d = p->axis + 1; d < x->rank; d++)
        dims[n++] = x->dims[d];
    if ((st = mbi_targ_check_numel(ctx, dims, rank, "output shape", NULL)))
        return st;
    p->elem_size = mbi_dtype_size(x->dtype);
    p->outer = 1;
    p->inner = 1;
    for (int d = 0; d < p->axis; d++)
        p->outer *= x->dims[d];
    for (int d = p->axis + 1; d < x->rank; d++)
        p->inner *= x->dims[d];
    p->axis_dim = x->dims[p->axis];
    p->n_idx = mbi_tensor_numel(idx);
    if (idx->data) {
        mbi_indices ix = indices_of(idx);
        for (int64_t j = 0; j < p->n_idx; j++) {
            int64_t v = mbi_indices_at(&ix, j);
            if (v < -p->axis_dim || v >= p->axis_dim)
                return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                                "constant index %lld is out of range for axis %d of size %lld",
                                (long long)v, p->axis, (long long)p->axis_dim);
        }
    }
    mbi_op_set_output(ctx, 0, x->dtype, dims, rank);
    return MOBINFER_OK;
}

static mobinfer_status gather_run(mbi_op_ctx *ctx)
{
    return gather_exec(ctx, ctx->out[0]->data);
}

const mbi_op_def mbi_op_Gather = {"Gather", "", 0, gather_prepare, gather_run};

/* ---- GatherElements ------------------------------------------------------- */

static mobinfer_status gather_elements_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_targ_known_dtype(ctx, 0)) || (st = require_indices(ctx, 1, true)))
        return st;
    const mbi_tensor *x = ctx->in[0], *idx = ctx->in[1];
    if (x->rank < 1 || idx->rank != x->rank)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "data and indices must have the same rank >= 1 (%d, %d)", x->rank,
                        idx->rank);
    gather_params *p = alloc_params(ctx);
    if (!p)
        return ctx->err->status;
    if ((st = axis_attr(ctx, x->rank, &p->axis)))
        return st;
    for (int d = 0; d < x->rank; d++)
        if (d != p->axis && idx->dims[d] > x->dims[d])
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "indices dimension %d (%lld) exceeds the data's (%lld)", d,
                            (long long)idx->dims[d], (long long)x->dims[d]);
    p->elem_size = mbi_dtype_size(x->dtype);
    mbi_op_set_output(ctx, 0, x->dtype, idx->dims, idx->rank);
    return MOBINFER_OK;
}

static mobinfer_status gather_elements_run(mbi_op_ctx *ctx)
{
    const gather_params *p = ctx->params;
    const mbi_tensor *x = ctx->in[0], *idx = ctx->in[1];
    mbi_indices ix = indices_of(idx);
    int64_t bad = mbi_ref_gather_elements(p->elem_size, x->rank, x->dims, idx->dims, p->axis,
                                          x->data, &ix, ctx->out[0]->data);
    if (bad >= 0)
        return bad_index(ctx, bad, mbi_indices_at(&ix, bad));
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_GatherElements = {"GatherElements", "", 0, gather_elements_prepare,
                                          gather_elements_run};

/* ---- GatherND ------------------------------------------------------------------ */

static mobinfer_status gather_nd_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_targ_known_dtype(ctx, 0)) || (st = require_indices(ctx, 1, false)))
        return st;
    const mbi_tensor *x = ctx->in[0], *idx = ctx->in[1];
    int64_t b = 0;
    if (ctx->opset >= 12 && (st = mbi_attr_int(ctx->node, "batch_dims", 0, &b, ctx->err)))
        return st;
    int r = x->rank, q = idx->rank;
    if (r < 1 || q < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "data and indices must have rank >= 1");
    if (b < 0 || b >= q || b >= r)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'batch_dims' %lld must be less than both ranks", (long long)b);
    int64_t k = idx->dims[q - 1];
    if (k < 1 || k > r - b)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "last dimension of indices (%lld) must be in [1, %lld]", (long long)k,
                        (long long)(r - b));
    for (int d = 0; d < b; d++)
        if (idx->dims[d] != x->dims[d])
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "batch dimension %d differs between data and indices", d);
    int rank = (q - 1) + (r - (int)b - (int)k);
    if (rank > MBI_MAX_RANK)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "output rank %d exceeds %d", rank,
                        MBI_MAX_RANK);
    gather_params *p = alloc_params(ctx);
    if (!p)
        return ctx->err->status;
    int64_t dims[MBI_MAX_RANK];
    int n = 0;
    for (int d = 0; d < q - 1; d++)
        dims[n++] = idx->dims[d];
    for (int d = (int)(b + k); d < r; d++)
        dims[n++] = x->dims[d];
    if ((st = mbi_targ_check_numel(ctx, dims, rank, "output shape", NULL)))
        return st;
    p->elem_size = mbi_dtype_size(x->dtype);
    p->k = (int)k;
    p->batch = 1;
    for (int d = 0; d < b; d++)
        p->batch *= x->dims[d];
    p->n_tuples = 1;
    for (int d = (int)b; d < q - 1; d++)
        p->n_tuples *= idx->dims[d];
    for (int j = 0; j < k; j++)
        p->index_dims[j] = x->dims[b + j];
    p->slice = 1;
    for (int d = (int)(b + k); d < r; d++)
        p->slice *= x->dims[d];
    mbi_op_set_output(ctx, 0, x->dtype, dims, rank);
    return MOBINFER_OK;
}

static mobinfer_status gather_nd_run(mbi_op_ctx *ctx)
{
    const gather_params *p = ctx->params;
    const int64_t *ix = ctx->in[1]->data;
    int64_t bad = mbi_ref_gather_nd(p->elem_size, p->batch, p->k, p->index_dims, p->slice,
                                    p->n_tuples, ctx->in[0]->data, ix, ctx->out[0]->data);
    if (bad >= 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_INPUT,
                        "index tuple %lld of the indices is out of range", (long long)bad);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_GatherND = {"GatherND", "", 0, gather_nd_prepare, gather_nd_run};

/* ---- ScatterND ----------------------------------------------------------------- */

static mobinfer_status scatter_nd_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_targ_known_dtype(ctx, 0)) || (st = require_indices(ctx, 1, false)) ||
        (st = mbi_op_require_input(ctx, 2)))
        return st;
    const mbi_tensor *x = ctx->in[0], *idx = ctx->in[1], *upd = ctx->in[2];
    if (upd->dtype != x->dtype)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "updates have type %s, data has %s", mbi_dtype_name(upd->dtype),
                        mbi_dtype_name(x->dtype));
    int r = x->rank, q = idx->rank;
    if (r < 1 || q < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "data and indices must have rank >= 1");
    int64_t k = idx->dims[q - 1];
    if (k < 1 || k > r)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "last dimension of indices (%lld) must be in [1, %d]", (long long)k, r);
    /* updates: indices.shape[:-1] + data.shape[k:] */
    bool ok = upd->rank == (q - 1) + (r - (int)k);
    for (int d = 0; ok && d < q - 1; d++)
        ok = upd->dims[d] == idx->dims[d];
    for (int d = (int)k; ok && d < r; d++)
        ok = upd->dims[q - 1 + d - k] == x->dims[d];
    if (!ok)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "updates must have shape indices.shape[:-1] + data.shape[k:]");
    gather_params *p = alloc_params(ctx);
    if (!p)
        return ctx->err->status;
    const char *red = "none";
    if (ctx->opset >= 16 && (st = mbi_attr_string(ctx->node, "reduction", "none", &red, ctx->err)))
        return st;
    if (strcmp(red, "none") == 0)
        p->reduction = MBI_SCATTER_NONE;
    else if (strcmp(red, "add") == 0)
        p->reduction = MBI_SCATTER_ADD;
    else if (strcmp(red, "mul") == 0)
        p->reduction = MBI_SCATTER_MUL;
    else if (strcmp(red, "max") == 0 && ctx->opset >= 18)
        p->reduction = MBI_SCATTER_MAX;
    else if (strcmp(red, "min") == 0 && ctx->opset >= 18)
        p->reduction = MBI_SCATTER_MIN;
    else
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'reduction' '%s' is not valid", red);
    if (!mbi_ref_scatter_nd_supported(p->reduction, x->dtype))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "reduction '%s' on %s is not supported",
                        red, mbi_dtype_name(x->dtype));
    p->k = (int)k;
    for (int j = 0; j < k; j++)
        p->index_dims[j] = x->dims[j];
    p->slice = 1;
    for (int d = (int)k; d < r; d++)
        p->slice *= x->dims[d];
    p->n_tuples = 1;
    for (int d = 0; d < q - 1; d++)
        p->n_tuples *= idx->dims[d];
    mbi_op_set_output(ctx, 0, x->dtype, x->dims, x->rank);
    return MOBINFER_OK;
}

static mobinfer_status scatter_nd_run(mbi_op_ctx *ctx)
{
    const gather_params *p = ctx->params;
    const mbi_tensor *x = ctx->in[0];
    mbi_tensor *y = ctx->out[0];
    if (y->data != x->data) {
        size_t bytes = mbi_tensor_bytes(x);
        if (bytes)
            memcpy(y->data, x->data, bytes);
    }
    int64_t bad = mbi_ref_scatter_nd(x->dtype, p->reduction, p->k, p->index_dims, p->slice,
                                     p->n_tuples, ctx->in[1]->data, ctx->in[2]->data, y->data);
    if (bad >= 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_INPUT,
                        "index tuple %lld of the indices is out of range", (long long)bad);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_ScatterND = {"ScatterND", "", MBI_OP_INPLACE_INPUT0, scatter_nd_prepare,
                                     scatter_nd_run};
