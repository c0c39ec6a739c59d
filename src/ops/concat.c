/* Concat and Split: joining and cutting along one axis. Seen as
 * [outer, axis, inner], every input (Concat) or output (Split) is a block of
 * rows that mbi_ref_copy_rows moves in one call. */
#include "ops/op.h"
#include "runtime/thread_pool.h"
#include "ops/ref/copy_ref.h"
#include "ops/tensor_args.h"

typedef struct axis_params {
    int axis;
    size_t elem_size;
    int64_t outer, inner;
    int64_t *sizes; /* Split: extent of each output along the axis */
} axis_params;

static void outer_inner(const mbi_tensor *t, int axis, int64_t *outer, int64_t *inner)
{
    *outer = 1;
    *inner = 1;
    for (int i = 0; i < axis; i++)
        *outer *= t->dims[i];
    for (int i = axis + 1; i < t->rank; i++)
        *inner *= t->dims[i];
}

static mobinfer_status concat_prepare(mbi_op_ctx *ctx)
{
    if (ctx->n_in < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "Concat needs at least one input");
    mobinfer_status st;
    for (int i = 0; i < ctx->n_in; i++)
        if ((st = mbi_targ_known_dtype(ctx, i)))
            return st;
    const mbi_tensor *x0 = ctx->in[0];
    if (!mbi_attr_find(ctx->node, "axis"))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "attribute 'axis' is required");
    int64_t axis64;
    if ((st = mbi_attr_int(ctx->node, "axis", 0, &axis64, ctx->err)))
        return st;
    if (x0->rank < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "cannot concatenate scalars");
    axis_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    if (!mbi_axis_normalize(axis64, x0->rank, &p->axis))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' %lld is out of range for rank %d", (long long)axis64,
                        x0->rank);
    int64_t dims[MBI_MAX_RANK];
    for (int d = 0; d < x0->rank; d++)
        dims[d] = x0->dims[d];
    for (int i = 1; i < ctx->n_in; i++) {
        const mbi_tensor *x = ctx->in[i];
        if (x->dtype != x0->dtype)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "input %d has type %s, input 0 has %s", i, mbi_dtype_name(x->dtype),
                            mbi_dtype_name(x0->dtype));
        char a[160], b[160];
        bool ok = x->rank == x0->rank;
        for (int d = 0; ok && d < x0->rank; d++)
            ok = d == p->axis || x->dims[d] == x0->dims[d];
        if (!ok)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "input %d of shape %s does not match input 0 of shape %s on axes "
                            "other than %d",
                            i, mbi_shape_str(x->dims, x->rank, a, sizeof a),
                            mbi_shape_str(x0->dims, x0->rank, b, sizeof b), p->axis);
        if (dims[p->axis] > INT64_MAX - x->dims[p->axis])
            return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT, "output size along the axis overflows");
        dims[p->axis] += x->dims[p->axis];
    }
    if ((st = mbi_targ_check_numel(ctx, dims, x0->rank, "output shape", NULL)))
        return st;
    p->elem_size = mbi_dtype_size(x0->dtype);
    outer_inner(x0, p->axis, &p->outer, &p->inner);
    mbi_op_set_output(ctx, 0, x0->dtype, dims, x0->rank);
    return MOBINFER_OK;
}

/* Outer rows [r0, r1) of the output, every input's part of each. */
static void concat_rows(const mbi_op_ctx *ctx, int64_t r0, int64_t r1)
{
    const axis_params *p = ctx->params;
    int64_t out_row = ctx->out[0]->dims[p->axis] * p->inner;
    char *out = ctx->out[0]->data;
    int64_t at = 0;
    for (int i = 0; i < ctx->n_in; i++) {
        int64_t row = ctx->in[i]->dims[p->axis] * p->inner;
        const char *in = ctx->in[i]->data;
        mbi_ref_copy_rows(p->elem_size, r1 - r0, row, in + (size_t)(r0 * row) * p->elem_size,
                          row, out + (size_t)(r0 * out_row + at) * p->elem_size, out_row);
        at += row;
    }
}

static void concat_range(void *arg, size_t r0, size_t r1, int thread)
{
    (void)thread;
    concat_rows(arg, (int64_t)r0, (int64_t)r1);
}

/* The fewest bytes worth a chunk of their own: about 3 us of copying, as
 * long as a fork-join with spinning workers. */
#define CONCAT_GRAIN_BYTES (64 * 1024)

static mobinfer_status concat_run(mbi_op_ctx *ctx)
{
    const axis_params *p = ctx->params;
    /* Channel concatenations of NHWC feature maps have one outer row per
     * pixel: a contiguous share of the pixels per thread. */
    size_t row_bytes = p->outer > 0 ? mbi_tensor_bytes(ctx->out[0]) / (size_t)p->outer : 0;
    if (ctx->num_threads > 1 && row_bytes > 0) {
        mbi_threadpool_run_chunks(ctx->threadpool, (size_t)p->outer,
                                  (CONCAT_GRAIN_BYTES + row_bytes - 1) / row_bytes, concat_range,
                                  ctx);
        return MOBINFER_OK;
    }
    concat_rows(ctx, 0, p->outer);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Concat = {"Concat", "", 0, concat_prepare, concat_run};

/* ---- Split ------------------------------------------------------------------ */

static mobinfer_status split_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    if (ctx->n_out < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "Split needs outputs");
    if (x->rank < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "cannot split a scalar");
    axis_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    p->sizes = mbi_op_alloc(ctx, (size_t)ctx->n_out * sizeof(int64_t));
    if (!p->sizes)
        return ctx->err->status;
    int64_t axis64;
    if ((st = mbi_attr_int(ctx->node, "axis", 0, &axis64, ctx->err)))
        return st;
    if (!mbi_axis_normalize(axis64, x->rank, &p->axis))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' %lld is out of range for rank %d", (long long)axis64,
                        x->rank);
    int64_t len = x->dims[p->axis];

    mbi_int_list split;
    if (ctx->opset >= 13)
        st = mbi_targ_input_ints(ctx, 1, "split", &split);
    else
        st = mbi_targ_attr_ints(ctx, "split", &split);
    if (st)
        return st;
    int64_t num_outputs = 0;
    bool has_num = ctx->opset >= 18 && mbi_attr_find(ctx->node, "num_outputs");
    if (has_num && (st = mbi_attr_int(ctx->node, "num_outputs", 0, &num_outputs, ctx->err)))
        return st;

    if (split.present && split.count > 0) {
        if (has_num)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "'split' and 'num_outputs' cannot both be given");
        if (split.count != ctx->n_out)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "'split' has %lld entries for %d outputs", (long long)split.count,
                            ctx->n_out);
        int64_t sum = 0;
        for (int i = 0; i < ctx->n_out; i++) {
            int64_t v = mbi_int_list_get(&split, i);
            if (v < 0 || v > len - sum)
                return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                                "'split' sizes do not add up to the axis length %lld",
                                (long long)len);
            p->sizes[i] = v;
            sum += v;
        }
        if (sum != len)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "'split' sizes add up to %lld, not the axis length %lld",
                            (long long)sum, (long long)len);
    } else if (has_num) {
        if (num_outputs < 1 || num_outputs != ctx->n_out)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'num_outputs' %lld does not match the %d outputs",
                            (long long)num_outputs, ctx->n_out);
        if (num_outputs > len && len > 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "cannot split length %lld into %lld parts", (long long)len,
                            (long long)num_outputs);
        /* Chunks of ceil(len/n); the last takes what remains. */
        int64_t chunk = (len + num_outputs - 1) / num_outputs, left = len;
        for (int i = 0; i < ctx->n_out; i++) {
            p->sizes[i] = chunk < left ? chunk : left;
            left -= p->sizes[i];
        }
    } else {
        if (len % ctx->n_out != 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "axis length %lld cannot be split evenly into %d outputs",
                            (long long)len, ctx->n_out);
        for (int i = 0; i < ctx->n_out; i++)
            p->sizes[i] = len / ctx->n_out;
    }
    p->elem_size = mbi_dtype_size(x->dtype);
    outer_inner(x, p->axis, &p->outer, &p->inner);
    for (int i = 0; i < ctx->n_out; i++) {
        int64_t dims[MBI_MAX_RANK];
        for (int d = 0; d < x->rank; d++)
            dims[d] = x->dims[d];
        dims[p->axis] = p->sizes[i];
        mbi_op_set_output(ctx, i, x->dtype, dims, x->rank);
    }
    return MOBINFER_OK;
}

static mobinfer_status split_run(mbi_op_ctx *ctx)
{
    const axis_params *p = ctx->params;
    int64_t in_row = ctx->in[0]->dims[p->axis] * p->inner;
    const char *in = ctx->in[0]->data;
    int64_t at = 0;
    for (int i = 0; i < ctx->n_out; i++) {
        int64_t row = p->sizes[i] * p->inner;
        if (ctx->out[i])
            mbi_ref_copy_rows(p->elem_size, p->outer, row, in + (size_t)at * p->elem_size, in_row,
                              ctx->out[i]->data, row);
        at += row;
    }
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Split = {"Split", "", 0, split_prepare, split_run};
