/* Constant (value from one of its value* attributes) and ConstantOfShape
 * (a tensor of a shape given by a constant input, filled with one value).
 * Neither has a non-constant input, so the planner folds both at session
 * creation. */
#include <string.h>

#include "ops/op.h"
#include "ops/ref/copy_ref.h"
#include "ops/tensor_args.h"

typedef struct constant_params {
    const void *data; /* model-owned or pool-owned */
    size_t bytes;
} constant_params;

static mobinfer_status constant_from_tensor(mbi_op_ctx *ctx, const mbi_const_tensor *t,
                                            constant_params *p)
{
    if (t->dtype == MOBINFER_DTYPE_UNDEFINED || !mbi_dtype_supported(t->dtype))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "attribute 'value' has unsupported tensor type %d", t->onnx_dtype);
    if (t->rank < 0 || t->rank > MBI_MAX_RANK)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "attribute 'value' has rank %d",
                        t->rank);
    int64_t n;
    mobinfer_status st = mbi_targ_check_numel(ctx, t->dims, t->rank, "attribute 'value' shape", &n);
    if (st)
        return st;
    size_t bytes = (size_t)n * mbi_dtype_size(t->dtype);
    if (t->bytes != bytes || (bytes && !t->data))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'value' holds %zu bytes; its shape needs %zu", t->bytes, bytes);
    p->data = t->data;
    p->bytes = bytes;
    mbi_op_set_output(ctx, 0, t->dtype, t->dims, t->rank);
    return MOBINFER_OK;
}

static mobinfer_status constant_prepare(mbi_op_ctx *ctx)
{
    constant_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    if (ctx->n_out < 1 || !ctx->out[0])
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "Constant needs an output");

    const mbi_attr *found = NULL;
    int n_value_attrs = 0;
    static const char *const names[] = {"value",        "value_float",   "value_floats",
                                        "value_int",    "value_ints",    "value_string",
                                        "value_strings", "sparse_value"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const mbi_attr *a = mbi_attr_find(ctx->node, names[i]);
        if (a) {
            found = a;
            n_value_attrs++;
        }
    }
    if (n_value_attrs != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "Constant needs exactly one value attribute, not %d", n_value_attrs);

    const char *name = found->name;
    if (strcmp(name, "value") == 0) {
        if (found->type != MBI_ATTR_TENSOR || !found->t)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'value' must be a tensor");
        return constant_from_tensor(ctx, found->t, p);
    }
    if (strcmp(name, "value_float") == 0) {
        float *v = mbi_op_alloc(ctx, sizeof(float));
        if (!v)
            return ctx->err->status;
        mobinfer_status st = mbi_attr_float(ctx->node, name, 0.0f, v, ctx->err);
        if (st)
            return st;
        p->data = v;
        p->bytes = sizeof(float);
        mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, NULL, 0);
        return MOBINFER_OK;
    }
    if (strcmp(name, "value_int") == 0) {
        int64_t *v = mbi_op_alloc(ctx, sizeof(int64_t));
        if (!v)
            return ctx->err->status;
        mobinfer_status st = mbi_attr_int(ctx->node, name, 0, v, ctx->err);
        if (st)
            return st;
        p->data = v;
        p->bytes = sizeof(int64_t);
        mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_INT64, NULL, 0);
        return MOBINFER_OK;
    }
    if (strcmp(name, "value_floats") == 0) {
        const float *v;
        size_t n;
        mobinfer_status st = mbi_attr_floats(ctx->node, name, &v, &n, ctx->err);
        if (st)
            return st;
        int64_t dims[1] = {(int64_t)n};
        p->data = v;
        p->bytes = n * sizeof(float);
        mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, 1);
        return MOBINFER_OK;
    }
    if (strcmp(name, "value_ints") == 0) {
        const int64_t *v;
        size_t n;
        mobinfer_status st = mbi_attr_ints(ctx->node, name, &v, &n, ctx->err);
        if (st)
            return st;
        int64_t dims[1] = {(int64_t)n};
        p->data = v;
        p->bytes = n * sizeof(int64_t);
        mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_INT64, dims, 1);
        return MOBINFER_OK;
    }
    return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                    "Constant attribute '%s' is not supported (string and sparse tensors)", name);
}

static mobinfer_status constant_run(mbi_op_ctx *ctx)
{
    const constant_params *p = ctx->params;
    if (p->bytes)
        memcpy(ctx->out[0]->data, p->data, p->bytes);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Constant = {"Constant", "", 0, constant_prepare, constant_run};

/* ---- ConstantOfShape ---------------------------------------------------- */

typedef struct cos_params {
    unsigned char value[8];
    size_t elem_size;
} cos_params;

static mobinfer_status cos_prepare(mbi_op_ctx *ctx)
{
    cos_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;

    const mbi_const_tensor *v;
    mobinfer_status st = mbi_attr_tensor(ctx->node, "value", &v, ctx->err);
    if (st)
        return st;
    mobinfer_dtype dtype = MOBINFER_DTYPE_FLOAT32;
    if (v) {
        if (v->dtype == MOBINFER_DTYPE_UNDEFINED || !mbi_dtype_supported(v->dtype))
            return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                            "attribute 'value' has unsupported tensor type %d", v->onnx_dtype);
        int64_t n = 1;
        for (int i = 0; i < v->rank; i++)
            n *= v->dims[i] < 0 ? 0 : v->dims[i];
        if (v->rank > 1 || n != 1 || !v->data || v->bytes != mbi_dtype_size(v->dtype))
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'value' must hold exactly one element");
        dtype = v->dtype;
        memcpy(p->value, v->data, mbi_dtype_size(dtype));
    }
    p->elem_size = mbi_dtype_size(dtype);

    mbi_int_list shape;
    st = mbi_targ_input_ints(ctx, 0, "input", &shape);
    if (st)
        return st;
    if (!shape.present)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "input 0 (shape) is required");
    if (shape.input->dtype != MOBINFER_DTYPE_INT64)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "input 'input' must be int64");
    if (shape.count > MBI_MAX_RANK)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "output rank %lld exceeds the maximum of %d", (long long)shape.count,
                        MBI_MAX_RANK);
    int64_t dims[MBI_MAX_RANK];
    int rank = (int)shape.count;
    for (int i = 0; i < rank; i++)
        dims[i] = mbi_int_list_get(&shape, i);
    st = mbi_targ_check_numel(ctx, dims, rank, "output shape", NULL);
    if (st)
        return st;
    mbi_op_set_output(ctx, 0, dtype, dims, rank);
    return MOBINFER_OK;
}

static mobinfer_status cos_run(mbi_op_ctx *ctx)
{
    const cos_params *p = ctx->params;
    mbi_ref_fill(p->elem_size, mbi_tensor_numel(ctx->out[0]), p->value, ctx->out[0]->data);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_ConstantOfShape = {"ConstantOfShape", "", 0, cos_prepare, cos_run};
