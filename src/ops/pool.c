/* Pooling: MaxPool, AveragePool, LpPool (1 to 3 spatial axes) and the
 * global forms GlobalMaxPool, GlobalAveragePool, GlobalLpPool (any rank). */
#include "ops/nn_spatial.h"
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "ops/ref/pool_ref.h"

typedef enum pool_kind { POOL_MAX, POOL_AVG, POOL_LP } pool_kind;

typedef struct pool_params {
    mbi_window3d g;
    int64_t planes; /* N * C */
    int64_t size;   /* global pools: elements per plane */
    int storage_order;
    bool count_include_pad;
    double p;
} pool_params;

/* LpPool's p is a float attribute in opset 1 and an integer since opset 2;
 * either is accepted. */
static mobinfer_status read_p(mbi_op_ctx *ctx, double *p)
{
    const mbi_attr *a = mbi_attr_find(ctx->node, "p");
    *p = 2.0;
    if (a && a->type == MBI_ATTR_INT)
        *p = (double)a->i;
    else if (a && a->type == MBI_ATTR_FLOAT)
        *p = a->f;
    else if (a)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "attribute 'p' must be a number");
    if (!(*p > 0.0 && *p <= 1e6))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'p' is %g; it must be positive", *p);
    return MOBINFER_OK;
}

static mobinfer_status read_flag(mbi_op_ctx *ctx, const char *name, int64_t *v)
{
    mobinfer_status st = mbi_attr_int(ctx->node, name, 0, v, ctx->err);
    if (st)
        return st;
    if (*v != 0 && *v != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute '%s' is %lld; it must be 0 or 1", name, (long long)*v);
    return MOBINFER_OK;
}

static mobinfer_status pool_prepare(mbi_op_ctx *ctx, pool_kind kind)
{
    mobinfer_status st;
    if ((st = mbi_op_require_input(ctx, 0)))
        return st;
    const mbi_tensor *x = ctx->in[0];
    const bool int_ok = kind == POOL_MAX;
    if (x->dtype != MOBINFER_DTYPE_FLOAT32 &&
        !(int_ok && (x->dtype == MOBINFER_DTYPE_UINT8 || x->dtype == MOBINFER_DTYPE_INT8)))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input type %s is not supported",
                        mbi_dtype_name(x->dtype));
    int n;
    if ((st = mbi_spatial_check_input(ctx, 0, &n)))
        return st;

    mbi_spatial_attrs a;
    int64_t ceil_mode, flag = 0;
    pool_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if ((st = mbi_spatial_parse(ctx, n, NULL, true, &a)) ||
        (st = read_flag(ctx, "ceil_mode", &ceil_mode)))
        return st;
    if (kind == POOL_MAX && (st = read_flag(ctx, "storage_order", &flag)))
        return st;
    if (kind == POOL_AVG && (st = read_flag(ctx, "count_include_pad", &flag)))
        return st;
    if (kind == POOL_LP && (st = read_p(ctx, &p->p)))
        return st;
    p->storage_order = (int)flag;
    p->count_include_pad = flag != 0;
    if ((st = mbi_spatial_forward(ctx, &a, x->dims + 2, ceil_mode != 0, &p->g)))
        return st;
    p->planes = x->dims[0] * x->dims[1];

    int64_t dims[2 + MBI_WINDOW_AXES];
    dims[0] = x->dims[0];
    dims[1] = x->dims[1];
    for (int i = 0; i < n; i++)
        dims[2 + i] = p->g.out[MBI_WINDOW_AXES - n + i];
    mbi_op_set_output(ctx, 0, x->dtype, dims, n + 2);
    if (ctx->n_out > 1 && ctx->out[1]) {
        if (kind != POOL_MAX)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "the operator has one output");
        mbi_op_set_output(ctx, 1, MOBINFER_DTYPE_INT64, dims, n + 2);
    }
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status max_pool_prepare(mbi_op_ctx *ctx)
{
    return pool_prepare(ctx, POOL_MAX);
}

static mobinfer_status max_pool_run(mbi_op_ctx *ctx)
{
    const pool_params *p = ctx->params;
    const mbi_tensor *x = ctx->in[0];
    int64_t *indices = ctx->n_out > 1 && ctx->out[1] ? ctx->out[1]->data : NULL;
    void *y = ctx->out[0] ? ctx->out[0]->data : NULL;
    if (!y)
        return MOBINFER_OK;
    switch (x->dtype) {
    case MOBINFER_DTYPE_UINT8:
        mbi_ref_maxpool_u8(x->data, y, indices, p->planes, &p->g, p->storage_order);
        break;
    case MOBINFER_DTYPE_INT8:
        mbi_ref_maxpool_i8(x->data, y, indices, p->planes, &p->g, p->storage_order);
        break;
    default:
        mbi_ref_maxpool_f32(x->data, y, indices, p->planes, &p->g, p->storage_order);
        break;
    }
    return MOBINFER_OK;
}

static mobinfer_status avg_pool_prepare(mbi_op_ctx *ctx)
{
    return pool_prepare(ctx, POOL_AVG);
}

static mobinfer_status avg_pool_run(mbi_op_ctx *ctx)
{
    const pool_params *p = ctx->params;
    mbi_ref_avgpool_f32(ctx->in[0]->data, ctx->out[0]->data, p->planes, &p->g,
                        p->count_include_pad);
    return MOBINFER_OK;
}

static mobinfer_status lp_pool_prepare(mbi_op_ctx *ctx)
{
    return pool_prepare(ctx, POOL_LP);
}

static mobinfer_status lp_pool_run(mbi_op_ctx *ctx)
{
    const pool_params *p = ctx->params;
    mbi_ref_lppool_f32(ctx->in[0]->data, ctx->out[0]->data, p->planes, &p->g, p->p);
    return MOBINFER_OK;
}

/* Global pools reduce all spatial axes, whatever their number. */
static mobinfer_status global_pool_prepare(mbi_op_ctx *ctx, pool_kind kind)
{
    mobinfer_status st;
    if ((st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)))
        return st;
    const mbi_tensor *x = ctx->in[0];
    if (x->rank < 3)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "the input must have shape [N, C, D1, ...] (rank >= 3); it has rank %d",
                        x->rank);
    pool_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if (kind == POOL_LP && (st = read_p(ctx, &p->p)))
        return st;
    p->planes = x->dims[0] * x->dims[1];
    p->size = 1;
    int64_t dims[MBI_MAX_RANK];
    for (int i = 0; i < x->rank; i++) {
        dims[i] = i < 2 ? x->dims[i] : 1;
        if (i >= 2)
            p->size *= x->dims[i];
    }
    if (kind == POOL_MAX && p->size == 0 && p->planes > 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "the maximum of an empty input is undefined");
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, x->rank);
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status global_avg_pool_prepare(mbi_op_ctx *ctx)
{
    return global_pool_prepare(ctx, POOL_AVG);
}

static mobinfer_status global_avg_pool_run(mbi_op_ctx *ctx)
{
    const pool_params *p = ctx->params;
    mbi_ref_global_avgpool_f32(ctx->in[0]->data, ctx->out[0]->data, p->planes, p->size);
    return MOBINFER_OK;
}

static mobinfer_status global_max_pool_prepare(mbi_op_ctx *ctx)
{
    return global_pool_prepare(ctx, POOL_MAX);
}

static mobinfer_status global_max_pool_run(mbi_op_ctx *ctx)
{
    const pool_params *p = ctx->params;
    mbi_ref_global_maxpool_f32(ctx->in[0]->data, ctx->out[0]->data, p->planes, p->size);
    return MOBINFER_OK;
}

static mobinfer_status global_lp_pool_prepare(mbi_op_ctx *ctx)
{
    return global_pool_prepare(ctx, POOL_LP);
}

static mobinfer_status global_lp_pool_run(mbi_op_ctx *ctx)
{
    const pool_params *p = ctx->params;
    mbi_ref_global_lppool_f32(ctx->in[0]->data, ctx->out[0]->data, p->planes, p->size, p->p);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_MaxPool = {"MaxPool", "", 0, max_pool_prepare, max_pool_run};
const mbi_op_def mbi_op_AveragePool = {"AveragePool", "", 0, avg_pool_prepare, avg_pool_run};
const mbi_op_def mbi_op_LpPool = {"LpPool", "", 0, lp_pool_prepare, lp_pool_run};
const mbi_op_def mbi_op_GlobalAveragePool = {"GlobalAveragePool", "", 0, global_avg_pool_prepare,
                                             global_avg_pool_run};
const mbi_op_def mbi_op_GlobalMaxPool = {"GlobalMaxPool", "", 0, global_max_pool_prepare,
                                         global_max_pool_run};
const mbi_op_def mbi_op_GlobalLpPool = {"GlobalLpPool", "", 0, global_lp_pool_prepare,
                                        global_lp_pool_run};
