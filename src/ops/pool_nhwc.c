/* MaxPoolNhwc, AveragePoolNhwc and GlobalAveragePoolNhwc (com.mobinfer):
 * the pools on channels-last tensors, made by the layout pass from the ONNX
 * operators, with their attributes (kernel_shape, strides, pads, auto_pad,
 * ceil_mode, dilations for max, count_include_pad for average).
 *   X [N, H, W, C] -> Y [N, OH, OW, C]   (global: [N, 1, 1, C])
 * Output rows are split over threads; the kernels are src/kernels/f32-pool. */
#include "kernels/f32-pool/f32_pool.h"
#include "ops/nn_ops.h"
#include "ops/nn_spatial.h"
#include "ops/op.h"
#include "runtime/thread_pool.h"

/* Window elements read per chunk: about 3 us. */
#define GRAIN_WORK 16384u

typedef enum pool_kind { POOL_MAX, POOL_AVG, POOL_GLOBAL_AVG } pool_kind;

typedef struct pool_params {
    pool_kind kind;
    mbi_pool_shape s;
    bool count_include_pad;
    size_t batch;
    size_t grain; /* output rows (of every image) worth a chunk of their own */
} pool_params;

typedef struct pool_job {
    const pool_params *p;
    const mbi_f32_pool_kernel *kern;
    const float *x;
    float *y;
} pool_job;

static mobinfer_status pool_prepare(mbi_op_ctx *ctx, pool_kind kind)
{
    mobinfer_status st;
    if ((st = mbi_op_require_kernels(ctx)))
        return st;
    if ((st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)))
        return st;
    const mbi_tensor *x = ctx->in[0];
    if (x->rank != 4)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "the input must be 4-D (NHWC)");
    pool_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    p->kind = kind;
    p->batch = (size_t)x->dims[0];
    mbi_pool_shape *s = &p->s;
    s->in_h = (size_t)x->dims[1];
    s->in_w = (size_t)x->dims[2];
    s->channels = (size_t)x->dims[3];
    if (kind == POOL_GLOBAL_AVG) {
        s->out_h = s->out_w = 1;
    } else {
        mbi_spatial_attrs a;
        mbi_window3d g;
        int64_t ceil_mode = 0, include_pad = 0;
        if ((st = mbi_spatial_parse(ctx, 2, NULL, kind == POOL_MAX, &a)) ||
            (st = mbi_attr_int(ctx->node, "ceil_mode", 0, &ceil_mode, ctx->err)) ||
            (st = mbi_attr_int(ctx->node, "count_include_pad", 0, &include_pad, ctx->err)) ||
            (st = mbi_spatial_forward(ctx, &a, x->dims + 1, ceil_mode != 0, &g)))
            return st;
        p->count_include_pad = include_pad != 0;
        s->kh = (size_t)g.kernel[1];
        s->kw = (size_t)g.kernel[2];
        s->stride_h = (size_t)g.stride[1];
        s->stride_w = (size_t)g.stride[2];
        s->dil_h = (size_t)g.dilation[1];
        s->dil_w = (size_t)g.dilation[2];
        s->pad_top = (size_t)g.pad_begin[1];
        s->pad_left = (size_t)g.pad_begin[2];
        s->pad_bottom = (size_t)g.pad_end[1];
        s->pad_right = (size_t)g.pad_end[2];
        s->out_h = (size_t)g.out[1];
        s->out_w = (size_t)g.out[2];
    }
    int64_t dims[4] = {x->dims[0], (int64_t)s->out_h, (int64_t)s->out_w, x->dims[3]};
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, 4);
    /* A few microseconds of work per chunk: a fork-join costs about one.
     * Global pooling has one output row per image, each its own chunk. */
    size_t row_work = s->out_w * s->channels * (kind == POOL_GLOBAL_AVG ? s->in_h * s->in_w
                                                                          : s->kh * s->kw);
    p->grain = row_work ? (GRAIN_WORK + row_work - 1) / row_work : 1;
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status maxpool_prepare(mbi_op_ctx *ctx)
{
    if (ctx->n_out > 1 && ctx->out[1])
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "MaxPoolNhwc has no Indices output");
    return pool_prepare(ctx, POOL_MAX);
}

static mobinfer_status avgpool_prepare(mbi_op_ctx *ctx)
{
    return pool_prepare(ctx, POOL_AVG);
}

static mobinfer_status global_avgpool_prepare(mbi_op_ctx *ctx)
{
    return pool_prepare(ctx, POOL_GLOBAL_AVG);
}

/* Output rows [r0, r1) of every image's rows in order: whole images or
 * parts of one. Global pooling: one row per image. */
static void pool_range(void *arg, size_t r0, size_t r1, int thread)
{
    (void)thread;
    const pool_job *j = arg;
    const pool_params *p = j->p;
    const mbi_pool_shape *s = &p->s;
    size_t in_image = s->in_h * s->in_w * s->channels;
    size_t out_image = s->out_h * s->out_w * s->channels;
    while (r0 < r1) {
        size_t n = r0 / s->out_h, y0 = r0 % s->out_h;
        size_t y1 = r1 - n * s->out_h < s->out_h ? r1 - n * s->out_h : s->out_h;
        const float *x = j->x + n * in_image;
        float *y = j->y + n * out_image;
        if (p->kind == POOL_GLOBAL_AVG)
            mbi_f32_global_avgpool(j->kern, s->in_h * s->in_w, s->channels, x, y);
        else if (p->kind == POOL_MAX)
            mbi_f32_maxpool_compute(j->kern, s, x, y, y0, y1);
        else
            mbi_f32_avgpool_compute(j->kern, s, p->count_include_pad, x, y, y0, y1);
        r0 += y1 - y0;
    }
}

static mobinfer_status pool_run(mbi_op_ctx *ctx)
{
    const pool_params *p = ctx->params;
    if (p->s.channels == 0 || p->s.out_w == 0 || p->s.out_h == 0 || p->batch == 0)
        return MOBINFER_OK;
    pool_job j = {p, ctx->kernels->pool, ctx->in[0]->data, ctx->out[0]->data};
    mbi_threadpool_run_chunks(ctx->threadpool, p->batch * p->s.out_h, p->grain, pool_range, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_MaxPoolNhwc = {"MaxPoolNhwc", "com.mobinfer", 0, maxpool_prepare,
                                       pool_run};
const mbi_op_def mbi_op_AveragePoolNhwc = {"AveragePoolNhwc", "com.mobinfer", 0, avgpool_prepare,
                                           pool_run};
const mbi_op_def mbi_op_GlobalAveragePoolNhwc = {"GlobalAveragePoolNhwc", "com.mobinfer", 0,
                                                 global_avgpool_prepare, pool_run};
