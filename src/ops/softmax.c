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

/* Rows along the last axis (inner == 1, attention's case) with the
 * session's vector exp: max, y = exp(x - max), then scale by 1/sum. Rows
 * are split over threads. */
typedef struct softmax_job {
    const softmax_params *p;
    mbi_f32_vunary_fn vexp;
    const float *x;
    float *y;
} softmax_job;

static void softmax_rows(void *arg, size_t r0, size_t r1, int thread)
{
    (void)thread;
    const softmax_job *j = arg;
    const size_t n = (size_t)j->p->len;
    for (size_t r = r0; r < r1; r++) {
        const float *x = j->x + (size_t)r * n;
        float *y = j->y + (size_t)r * n;
        float mx = x[0];
        for (size_t i = 1; i < n; i++)
            mx = x[i] > mx ? x[i] : mx;
        /* y may be x (in place): each element is read before it is written. */
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] - mx;
        j->vexp(y, y, n);
        float sum = 0.0f;
        for (size_t i = 0; i < n; i++)
            sum += y[i];
        float inv = 1.0f / sum;
        for (size_t i = 0; i < n; i++)
            y[i] *= inv;
    }
}

/* The fewest elements worth a chunk of their own: three passes, one of
 * them exp, take about 3 us over this many, as long as a fork-join. */
#define GRAIN_ELEMENTS 4096

static mobinfer_status softmax_run(mbi_op_ctx *ctx)
{
    const softmax_params *p = ctx->params;
    if (p->inner == 1 && p->len > 0 && ctx->kernels && ctx->kernels->exp) {
        softmax_job j = {p, ctx->kernels->exp, ctx->in[0]->data, ctx->out[0]->data};
        /* Rows worth a chunk: about GRAIN_ELEMENTS (a few us of exp). */
        size_t len = (size_t)p->len;
        mbi_threadpool_run_chunks(ctx->threadpool, (size_t)p->outer,
                                  (GRAIN_ELEMENTS + len - 1) / len, softmax_rows, &j);
        return MOBINFER_OK;
    }
    mbi_ref_softmax_f32(ctx->in[0]->data, ctx->out[0]->data, p->outer, p->len, p->inner, false);
    return MOBINFER_OK;
}

static mobinfer_status log_softmax_run(mbi_op_ctx *ctx)
{
    const softmax_params *p = ctx->params;
    mbi_ref_softmax_f32(ctx->in[0]->data, ctx->out[0]->data, p->outer, p->len, p->inner, true);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Softmax = {"Softmax", "", MBI_OP_INPLACE_INPUT0, softmax_prepare,
                                   softmax_run};
const mbi_op_def mbi_op_LogSoftmax = {"LogSoftmax", "", MBI_OP_INPLACE_INPUT0, softmax_prepare,
                                      log_softmax_run};
