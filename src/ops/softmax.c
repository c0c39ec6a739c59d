/* Softmax and LogSoftmax (float32). Before opset 13 the input is viewed as
 * a matrix [prod(dims[:axis]), prod(dims[axis:])] and each row normalized;
 * since opset 13 the normalization runs along the single axis. */
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "ops/ref/softmax_ref.h"
#include "runtime/thread_pool.h"

typedef struct softmax_params {
    int64_t outer, len, inner;
} softmax_params;

static mobinfer_status softmax_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)))
        return st;
    const mbi_tensor *x = ctx->in[0];
    const bool coerce_2d = ctx->opset < 13;
    int64_t axis_attr;
    if ((st = mbi_attr_int(ctx->node, "axis", coerce_2d ? 1 : -1, &axis_attr, ctx->err)))
        return st;
    int axis;
    /* In the 2-D view, axis == rank is meaningful (rows of one element). */
    if (coerce_2d && axis_attr == x->rank)
        axis = x->rank;
    else if (!mbi_axis_normalize(axis_attr, x->rank, &axis))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' (%lld) is out of range for rank %d",
                        (long long)axis_attr, x->rank);
    softmax_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    p->outer = p->len = p->inner = 1;
    for (int i = 0; i < x->rank; i++) {
        if (i < axis)
            p->outer *= x->dims[i];
        else if (i == axis || coerce_2d)
            p->len *= x->dims[i];
        else
            p->inner *= x->dims[i];
    }
    mbi_op_set_output(ctx, 0, x->dtype, x->dims, x->rank);
    ctx->params = p;
    return MOBINFER_OK;
}

/* The f32-vact softmax kernels: rows along the last axis (inner == 1,
 * attention's case) split over threads by rows; along another axis, blocks
 * of COL_BLOCK adjacent inner columns of one outer slice are the work
 * items, so that a single image's [1, C, H, W] still spreads over threads. */
typedef struct softmax_job {
    const softmax_params *p;
    const mbi_kernels *k;
    const float *x;
    float *y;
    bool take_log;
} softmax_job;

static void softmax_rows(void *arg, size_t r0, size_t r1, int thread)
{
    (void)thread;
    const softmax_job *j = arg;
    const size_t n = (size_t)j->p->len;
    j->k->softmax_rows(j->x + r0 * n, j->y + r0 * n, r1 - r0, n, j->take_log);
}

/* A multiple of every vector width; wide enough that a block's columns fill
 * whole cache lines of each row they walk down. */
#define COL_BLOCK 64

static void softmax_cols(void *arg, size_t b0, size_t b1, int thread)
{
    (void)thread;
    const softmax_job *j = arg;
    const size_t len = (size_t)j->p->len, inner = (size_t)j->p->inner;
    const size_t blocks = (inner + COL_BLOCK - 1) / COL_BLOCK;
    for (size_t b = b0; b < b1; b++) {
        const size_t o = b / blocks, c0 = (b % blocks) * COL_BLOCK;
        const size_t cols = inner - c0 < COL_BLOCK ? inner - c0 : COL_BLOCK;
        const size_t off = o * len * inner + c0;
        j->k->softmax_cols(j->x + off, j->y + off, len, inner, cols, j->take_log);
    }
}

/* The fewest elements worth a chunk of their own: the three passes take
 * about 2 us over this many (0.3-0.45 ns an element), a little more than a
 * fork-join; LeViT's 49x49 attention (14k elements) still splits. */
#define GRAIN_ELEMENTS 4096

static mobinfer_status softmax_any_run(mbi_op_ctx *ctx, bool take_log)
{
    const softmax_params *p = ctx->params;
    if (p->len > 0 && ctx->kernels && ctx->kernels->softmax_rows) {
        softmax_job j = {p, ctx->kernels, ctx->in[0]->data, ctx->out[0]->data, take_log};
        const size_t len = (size_t)p->len, inner = (size_t)p->inner;
        if (inner == 1) {
            mbi_threadpool_run_chunks(ctx->threadpool, (size_t)p->outer,
                                      (GRAIN_ELEMENTS + len - 1) / len, softmax_rows, &j);
        } else {
            const size_t blocks = (inner + COL_BLOCK - 1) / COL_BLOCK;
            const size_t per_block = len * COL_BLOCK;
            mbi_threadpool_run_chunks(ctx->threadpool, (size_t)p->outer * blocks,
                                      (GRAIN_ELEMENTS + per_block - 1) / per_block, softmax_cols,
                                      &j);
        }
        return MOBINFER_OK;
    }
    mbi_ref_softmax_f32(ctx->in[0]->data, ctx->out[0]->data, p->outer, p->len, p->inner, take_log);
    return MOBINFER_OK;
}

static mobinfer_status softmax_run(mbi_op_ctx *ctx)
{
    return softmax_any_run(ctx, false);
}

static mobinfer_status log_softmax_run(mbi_op_ctx *ctx)
{
    return softmax_any_run(ctx, true);
}

const mbi_op_def mbi_op_Softmax = {"Softmax", "", MBI_OP_INPLACE_INPUT0, softmax_prepare,
                                   softmax_run};
const mbi_op_def mbi_op_LogSoftmax = {"LogSoftmax", "", MBI_OP_INPLACE_INPUT0, softmax_prepare,
                                      log_softmax_run};
