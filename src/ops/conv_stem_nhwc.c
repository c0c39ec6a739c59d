/* ConvStemNhwc (com.mobinfer): a dense float32 2-D convolution with few
 * input channels reading its input in NCHW and writing NHWC, made by
 * src/opt/stem_nchw_input.c from a network's first ConvNhwc and the
 * Transpose that fed it the image.
 *   X [N, C, H, W], W [M, C, kh, kw] (ONNX order), B [M] optional
 *     ->  Y [N, OH, OW, M]
 * Attributes: Conv's (kernel_shape, strides, dilations, pads, auto_pad,
 * group = 1) and a fused epilogue without residual (ops/epilogue_attrs.h).
 *
 * The kernel (src/kernels/f32-stemconv) computes whole output rows; the
 * epilogue's tile pass follows each row while it is in L1, and threads
 * take chunks of rows. */
#include <string.h>

#include "kernels/f32-stemconv/f32_stemconv.h"
#include "kernels/f32-vact/f32_epilogue.h"
#include "ops/epilogue_attrs.h"
#include "ops/nn_ops.h"
#include "ops/nn_spatial.h"
#include "ops/op.h"
#include "runtime/thread_pool.h"

/* Multiply-adds per chunk of rows: about 3 us of the kernel. */
#define GRAIN_MACS 200000u

typedef struct stem_params {
    mbi_stemconv_shape s;
    size_t batch;
    const float *packed;
    mbi_epilogue ep;
    mbi_f32_minmax mm;
    bool tile_pass;
    size_t grain; /* output rows (of all images) per chunk, at least */
} stem_params;

typedef struct stem_job {
    const stem_params *p;
    const mbi_kernels *kern;
    const float *x;
    float *y;
} stem_job;

static mobinfer_status stem_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_kernels(ctx)) ||
        (st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_dtype(ctx, 1, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_constant(ctx, 1, "W")))
        return st;
    const mbi_tensor *x = ctx->in[0], *w = ctx->in[1];
    const mbi_tensor *b = mbi_op_input(ctx, 2);
    if (x->rank != 4 || w->rank != 4)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "ConvStemNhwc needs 4-D X and W");
    if (ctx->n_in > 3)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "ConvStemNhwc takes X, W and an optional B");
    stem_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    int64_t group;
    if ((st = mbi_epilogue_from_attrs(ctx->node, &p->ep, ctx->err)) ||
        (st = mbi_attr_int(ctx->node, "group", 1, &group, ctx->err)))
        return st;
    if (p->ep.residual)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "ConvStemNhwc has no residual input");
    const int64_t c = x->dims[1], m = w->dims[0];
    if (group != 1 || w->dims[1] != c)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "ConvStemNhwc is a dense convolution (group %lld, %lld input channels, "
                        "W %lldx%lld)",
                        (long long)group, (long long)c, (long long)w->dims[0],
                        (long long)w->dims[1]);
    if ((st = mbi_op_require_bias(ctx, 2, m)))
        return st;
    int64_t in_hw[2] = {x->dims[2], x->dims[3]};
    mbi_spatial_attrs a;
    mbi_window3d g;
    if ((st = mbi_spatial_parse(ctx, 2, w->dims + 2, true, &a)) ||
        (st = mbi_spatial_forward(ctx, &a, in_hw, false, &g)))
        return st;
    const int64_t dims[4] = {x->dims[0], g.out[1], g.out[2], m};
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, 4);
    p->batch = (size_t)x->dims[0];
    p->s = (mbi_stemconv_shape){
        .c = (size_t)c, .m = (size_t)m, .ldc = (size_t)m, .in_h = (size_t)in_hw[0],
        .in_w = (size_t)in_hw[1], .kh = (size_t)g.kernel[1], .kw = (size_t)g.kernel[2],
        .stride_h = (size_t)g.stride[1], .stride_w = (size_t)g.stride[2],
        .dil_h = (size_t)g.dilation[1], .dil_w = (size_t)g.dilation[2],
        .pad_top = (size_t)g.pad_begin[1], .pad_left = (size_t)g.pad_begin[2],
        .out_h = (size_t)g.out[1], .out_w = (size_t)g.out[2]};
    p->tile_pass = mbi_epilogue_split(&p->ep, &p->mm);

    const mbi_f32_stemconv_kernel *k = ctx->kernels->stemconv;
    const uint64_t taps = mbi_mul_sat(mbi_mul_sat((uint64_t)c, (uint64_t)g.kernel[1]),
                                      (uint64_t)g.kernel[2]);
    const uint64_t packed_bytes = mbi_mul_sat(mbi_mul_sat(taps + 1, (uint64_t)m + k->nr), 4);
    if (packed_bytes == UINT64_MAX || packed_bytes > SIZE_MAX / 2)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "ConvStemNhwc's weights are too large");
    float *packed = mbi_op_alloc_floats(
        ctx, mbi_f32_stemconv_packed_floats(k, p->s.c, p->s.m, p->s.kh, p->s.kw));
    if (!packed)
        return ctx->err->status;
    mbi_f32_stemconv_pack(k, p->s.c, p->s.m, p->s.kh, p->s.kw, w->data, b ? b->data : NULL,
                          packed);
    p->packed = packed;
    const uint64_t row_macs = mbi_mul_sat(mbi_mul_sat(p->s.out_w, p->s.m), taps);
    ctx->macs = mbi_mul_sat(mbi_mul_sat(row_macs, p->s.out_h), p->batch);
    p->grain = row_macs ? (size_t)((GRAIN_MACS + row_macs - 1) / row_macs) : 1;
    ctx->params = p;
    return MOBINFER_OK;
}

/* Rows [begin, end) of the batch's N * OH output rows. */
static void stem_range(void *arg, size_t begin, size_t end, int thread)
{
    (void)thread;
    const stem_job *j = arg;
    const stem_params *p = j->p;
    const mbi_stemconv_shape *s = &p->s;
    const size_t in_image = s->c * s->in_h * s->in_w, row = s->out_w * s->ldc;
    for (size_t r = begin; r < end; r++) {
        const size_t n = r / s->out_h, oy = r % s->out_h;
        float *y = j->y + r * row;
        mbi_f32_stemconv_compute(j->kern->stemconv, s, j->x + n * in_image, p->packed,
                                 y - oy * row, oy, oy + 1, &p->mm);
        if (p->tile_pass)
            mbi_f32_epilogue_tile(j->kern->act, &p->ep, y, s->out_w, s->m, s->ldc, NULL, 0);
    }
}

static mobinfer_status stem_run(mbi_op_ctx *ctx)
{
    stem_params *p = ctx->params;
    if (p->batch == 0 || p->s.out_h == 0 || p->s.out_w == 0 || p->s.m == 0)
        return MOBINFER_OK; /* an empty output: the kernel needs a channel */
    stem_job j = {p, ctx->kernels, ctx->in[0]->data, ctx->out[0]->data};
    mbi_threadpool_run_chunks(ctx->threadpool, p->batch * p->s.out_h, p->grain, stem_range, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_ConvStemNhwc = {"ConvStemNhwc", "com.mobinfer", 0, stem_prepare,
                                        stem_run};
