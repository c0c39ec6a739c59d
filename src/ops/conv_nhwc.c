/* ConvNhwc (com.mobinfer): a float32 2-D convolution on channels-last
 * tensors, made by the layout pass (src/opt/layout_nhwc.c) from ONNX Conv.
 *   X [N, H, W, C], W [M, C/group, kh, kw] (ONNX order), B [M] optional,
 *   R [N, OH, OW, M] when attribute residual = 1  ->  Y [N, OH, OW, M]
 * Attributes: Conv's (kernel_shape, strides, dilations, pads, auto_pad,
 * group) and a fused epilogue (ops/epilogue_attrs.h).
 *
 * Three kernels, chosen in prepare:
 *   - depthwise (group == C == M): the dwconv family, rows split over threads;
 *   - pointwise (1x1, stride 1, no padding): GEMM straight on X, since NHWC
 *     rows of X are the GEMM's A rows;
 *   - anything else with group 1: indirect GEMM, reading each tap's C input
 *     floats where they lie through an indirection buffer of pointers (no
 *     copy). A network's first convolution too: transposing its 3-channel
 *     input to NHWC and running this costs a quarter of gathering im2col
 *     rows from NCHW (measured on MnasNet's stem: 0.20 against 0.69 ms). */
#include <stdlib.h>
#include <string.h>

#include "kernels/f32-dwconv/f32_dwconv.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-igemm/f32_igemm.h"
#include "kernels/f32-vact/f32_epilogue.h"
#include "ops/epilogue_attrs.h"
#include "ops/nn_ops.h"
#include "ops/nn_spatial.h"
#include "ops/op.h"
#include "runtime/thread_pool.h"

typedef enum conv_kind { CONV_DEPTHWISE, CONV_POINTWISE, CONV_IGEMM } conv_kind;

/* Output pixels per GEMM task (a multiple of every kernel's mr that
 * matters: 1..8, 12, 14 divide 168; the igemm path rounds it down to its mr
 * so tasks start on indirection tiles). */
#define PIXELS_PER_TASK 168

/* The igemm keeps its whole indirection buffer (built once per session)
 * when it is small, or when rebuilding each task's share on every run
 * would cost more than ~5% of the arithmetic (about 1 ns per pointer
 * against C*M/100 ns of FMAs per tap and pixel: C*M < 2304) and it is not
 * huge; otherwise (large images with wide layers) tasks build their share
 * in the thread's scratch, so memory does not grow with the image. */
#define IGEMM_KEEP_BYTES ((size_t)4 << 20)
#define IGEMM_KEEP_CHEAP_BYTES ((size_t)64 << 20)
#define IGEMM_CHEAP_CM 2304

typedef struct conv_nhwc_params {
    conv_kind kind;
    mbi_window3d g; /* axes 1, 2 = H, W */
    int64_t batch, c, m;
    size_t k;       /* GEMM depth: kh*kw*C */
    const float *packed;
    mbi_epilogue ep;
    mbi_f32_minmax mm;
    bool tile_pass; /* epilogue work left after the microkernel */
    size_t m_tasks, n_tasks, n_block;
    size_t task_pixels;
    size_t scratch_per_thread; /* indirection pointers built per task */
    /* CONV_IGEMM: the pointers depend on X's address, which is fixed for a
     * session (the arena) but unknown in prepare, so run (re)builds them
     * when X is not where they point (ind_x), before its parallel region;
     * a session runs on one thread at a time. NULL: too large to keep, each
     * task builds its share in the thread's scratch. */
    mbi_igemm_conv2d ig;
    const float **indirection;
    const float *ind_x;
    const float *zero; /* C zeros: the taps in the padding */
} conv_nhwc_params;

/* How many tasks a node of `macs` multiply-adds is worth: one per thread,
 * none below ~100k MACs (a few microseconds, which a fork-join would eat).
 * One contiguous share per thread rather than many small tasks: the caller
 * then takes the first share and the worker the second in every node, so a
 * thread reads the rows it wrote in the node before, from its own cache
 * (MobileNetV2 at 2 threads: 3.49 ms with four tasks per thread, 3.10 ms
 * with one). */
static size_t task_count(uint64_t macs, size_t threads)
{
    uint64_t by_work = macs / 100000;
    size_t want = threads;
    if (threads < 2 || by_work < 2)
        return 1;
    return by_work < want ? (size_t)by_work : want;
}

/* Packed weights: 64-byte aligned (the GEMM kernels load them aligned). */
static float *alloc_packed(mbi_op_ctx *ctx, size_t floats)
{
    float *p = floats < SIZE_MAX / sizeof(float)
                   ? mbi_pool_alloc_aligned(ctx->pool, floats * sizeof(float), 64)
                   : NULL;
    if (!p)
        mbi_fail(ctx->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    return p;
}

typedef struct conv_job {
    const conv_nhwc_params *p;
    const mbi_kernels *kern;
    const float *x;
    const float *residual;
    float *y;
    void *scratch;
} conv_job;

static mobinfer_status conv_nhwc_prepare(mbi_op_ctx *ctx)
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
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "ConvNhwc needs 4-D X and W");
    conv_nhwc_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if ((st = mbi_epilogue_from_attrs(ctx->node, &p->ep, ctx->err)))
        return st;
    int64_t group;
    if ((st = mbi_attr_int(ctx->node, "group", 1, &group, ctx->err)))
        return st;
    int64_t in_hw[2] = {x->dims[1], x->dims[2]};
    p->batch = x->dims[0];
    p->c = x->dims[3];
    p->m = w->dims[0];
    bool depthwise = group == p->c && p->m == p->c && w->dims[1] == 1;
    if (!depthwise && (group != 1 || w->dims[1] != p->c))
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "ConvNhwc supports dense and depthwise convolutions only (group %lld, "
                        "%lld input channels, W %lldx%lld)",
                        (long long)group, (long long)p->c, (long long)w->dims[0],
                        (long long)w->dims[1]);
    if (b) {
        if ((st = mbi_op_require_dtype(ctx, 2, MOBINFER_DTYPE_FLOAT32)) ||
            (st = mbi_op_require_constant(ctx, 2, "B")))
            return st;
        if (b->rank != 1 || b->dims[0] != p->m)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "the bias B must have shape [%lld]",
                            (long long)p->m);
    }
    mbi_spatial_attrs a;
    if ((st = mbi_spatial_parse(ctx, 2, w->dims + 2, true, &a)) ||
        (st = mbi_spatial_forward(ctx, &a, in_hw, false, &p->g)))
        return st;
    const int64_t oh = p->g.out[1], ow = p->g.out[2];
    int64_t dims[4] = {p->batch, oh, ow, p->m};
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, 4);
    int r = p->ep.residual ? ctx->n_in - 1 : -1;
    if (p->ep.residual) {
        const mbi_tensor *res = mbi_op_input(ctx, r);
        if (r < 3 || !res || res->dtype != MOBINFER_DTYPE_FLOAT32 || res->rank != 4 ||
            memcmp(res->dims, dims, sizeof dims) != 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "the residual input must be float32 of the output's shape");
    }
    p->tile_pass = mbi_epilogue_split(&p->ep, &p->mm);

    const int64_t kh = p->g.kernel[1], kw = p->g.kernel[2];
    const float *bias = b ? b->data : NULL;
    const size_t pixels = (size_t)(p->batch * oh * ow);
    if (depthwise) {
        p->kind = CONV_DEPTHWISE;
        const mbi_f32_dwconv_kernel *dk = ctx->kernels->dwconv;
        float *packed = alloc_packed(
            ctx, mbi_f32_dwconv_packed_floats(dk, (size_t)p->c, (size_t)kh, (size_t)kw));
        if (!packed)
            return ctx->err->status;
        mbi_f32_dwconv_pack(dk, (size_t)p->c, (size_t)kh, (size_t)kw, w->data, bias, packed);
        p->packed = packed;
        /* Row ranges: a few per thread, whole images at a time, none
         * smaller than a fork-join is worth. */
        ctx->macs = (uint64_t)pixels * (uint64_t)(p->c * kh * kw);
        size_t chunks = task_count(ctx->macs, (size_t)ctx->num_threads);
        p->m_tasks = (size_t)oh < chunks ? (size_t)oh : chunks;
        p->n_tasks = 1;
        ctx->params = p;
        return MOBINFER_OK;
    }

    const mbi_f32_gemm_kernel *gk = ctx->kernels->gemm;
    bool pointwise = kh == 1 && kw == 1 && p->g.stride[1] == 1 && p->g.stride[2] == 1 &&
                     p->g.pad_begin[1] == 0 && p->g.pad_begin[2] == 0 && p->g.pad_end[1] == 0 &&
                     p->g.pad_end[2] == 0;
    const mbi_f32_igemm_kernel *ik = ctx->kernels->igemm;
    /* The igemm reads the weights packed for the GEMM, so both need one nr
     * (true of the variants selected for any one CPU). */
    if (ik->nr != gk->nr)
        return mbi_fail(ctx->err, MOBINFER_ERR_INTERNAL,
                        "the selected GEMM (%s) and indirect GEMM (%s) kernels pack weights "
                        "differently",
                        gk->name, ik->name);
    p->kind = pointwise ? CONV_POINTWISE : CONV_IGEMM;
    p->k = (size_t)(kh * kw * p->c);
    /* The GEMM wants W as [M][kh][kw][C] (the order the taps are read in). The
     * reordered copy is needed only until packed, so it is not taken from
     * the session's pool (it would stay as large as the weights). */
    float *packed = alloc_packed(ctx, mbi_f32_gemm_packed_floats(gk, (size_t)p->m, p->k));
    if (!packed)
        return ctx->err->status;
    size_t wt_floats = mbi_mul_sat((uint64_t)p->m, p->k) < SIZE_MAX / sizeof(float)
                           ? (size_t)p->m * p->k
                           : SIZE_MAX;
    float *wt = wt_floats < SIZE_MAX ? malloc(sizeof(float) * (wt_floats ? wt_floats : 1)) : NULL;
    if (!wt)
        return mbi_fail(ctx->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    const float *wsrc = w->data;
    for (int64_t o = 0; o < p->m; o++)
        for (int64_t c = 0; c < p->c; c++)
            for (int64_t i = 0; i < kh * kw; i++)
                wt[(size_t)o * p->k + (size_t)(i * p->c + c)] = wsrc[(o * p->c + c) * kh * kw + i];
    mbi_f32_gemm_pack(gk, (size_t)p->m, p->k, wt, p->k, 1, bias, packed);
    free(wt);
    p->packed = packed;

    /* Tasks: tiles of output pixels; when there are few (late, small
     * feature maps), the output channels are split too. */
    size_t mr = p->kind == CONV_IGEMM ? ik->mr : gk->mr;
    size_t tile = PIXELS_PER_TASK > mr ? PIXELS_PER_TASK / mr * mr : mr;
    /* Without per-task scratch (1x1, or an indirect GEMM that keeps its
     * whole indirection buffer), one contiguous share of the pixels per
     * thread (see task_count). */
    bool igemm_kept = p->kind == CONV_IGEMM &&
                      (pixels + mr) * (size_t)(kh * kw) * sizeof(float *) <= IGEMM_KEEP_BYTES;
    if ((p->kind == CONV_POINTWISE || igemm_kept) && ctx->num_threads > 1) {
        size_t share = (pixels + (size_t)ctx->num_threads - 1) / (size_t)ctx->num_threads;
        share = (share + mr - 1) / mr * mr;
        if (share > tile)
            tile = share;
    }
    p->m_tasks = (pixels + tile - 1) / tile;
    /* Equal tiles (a multiple of mr) rather than full ones and a runt. */
    p->task_pixels = (pixels + p->m_tasks - 1) / p->m_tasks;
    p->task_pixels = (p->task_pixels + mr - 1) / mr * mr;
    if (p->task_pixels > tile)
        p->task_pixels = tile;
    p->m_tasks = (pixels + p->task_pixels - 1) / p->task_pixels;
    size_t n_blocks = ((size_t)p->m + gk->nr - 1) / gk->nr;
    size_t want = task_count((uint64_t)pixels * (uint64_t)p->m * (uint64_t)p->k,
                             (size_t)ctx->num_threads);
    size_t split = 1;
    if (p->m_tasks < want)
        split = (want + p->m_tasks - 1) / p->m_tasks;
    if (split > n_blocks)
        split = n_blocks;
    p->n_block = (n_blocks + split - 1) / split * gk->nr;
    p->n_tasks = ((size_t)p->m + p->n_block - 1) / p->n_block;
    if (p->kind == CONV_IGEMM) {
        const mbi_window3d *g = &p->g;
        p->ig = (mbi_igemm_conv2d){
            .batch = (size_t)p->batch, .in_h = (size_t)g->in[1], .in_w = (size_t)g->in[2],
            .pixel_stride = (size_t)p->c, .kh = (size_t)kh, .kw = (size_t)kw,
            .stride_h = (size_t)g->stride[1], .stride_w = (size_t)g->stride[2],
            .dil_h = (size_t)g->dilation[1], .dil_w = (size_t)g->dilation[2],
            .pad_top = (size_t)g->pad_begin[1], .pad_left = (size_t)g->pad_begin[2],
            .out_h = (size_t)oh, .out_w = (size_t)ow};
        size_t entries = mbi_f32_igemm_indirection_size(&p->ig, ik->mr);
        size_t keep = (size_t)(p->c * p->m) < IGEMM_CHEAP_CM ? IGEMM_KEEP_CHEAP_BYTES
                                                              : IGEMM_KEEP_BYTES;
        if (entries <= keep / sizeof(float *)) {
            p->indirection = mbi_op_alloc(ctx, entries * sizeof(float *));
            if (!p->indirection)
                return ctx->err->status;
        } else {
            p->scratch_per_thread = p->task_pixels * (size_t)(kh * kw);
            ctx->scratch_bytes = sizeof(float *) * p->scratch_per_thread * (size_t)ctx->num_threads;
        }
        p->zero = mbi_op_alloc(ctx, (size_t)p->c * sizeof(float));
        if (!p->zero)
            return ctx->err->status;
    }
    ctx->macs = (uint64_t)pixels * (uint64_t)p->m * (uint64_t)p->k;
    ctx->params = p;
    return MOBINFER_OK;
}

static void gemm_task(void *arg, size_t task, int thread)
{
    const conv_job *j = arg;
    const conv_nhwc_params *p = j->p;
    const mbi_f32_gemm_kernel *gk = j->kern->gemm;
    size_t mt = task / p->n_tasks, nt = task % p->n_tasks;
    size_t pixels = (size_t)(p->batch * p->g.out[1] * p->g.out[2]);
    size_t m0 = mt * p->task_pixels;
    size_t rows = pixels - m0 < p->task_pixels ? pixels - m0 : p->task_pixels;
    size_t n0 = nt * p->n_block;
    size_t n1 = n0 + p->n_block < (size_t)p->m ? n0 + p->n_block : (size_t)p->m;
    float *c = j->y + m0 * (size_t)p->m;
    if (p->kind == CONV_IGEMM) {
        /* Tasks start on whole tiles (task_pixels is a multiple of mr). */
        const mbi_f32_igemm_kernel *ik = j->kern->igemm;
        const size_t ks = (size_t)(p->g.kernel[1] * p->g.kernel[2]);
        const float **ind = p->indirection ? p->indirection + m0 * ks : NULL;
        if (!ind) {
            ind = (const float **)j->scratch + (size_t)thread * p->scratch_per_thread;
            mbi_f32_igemm_indirection_build(&p->ig, ik->mr, j->x, p->zero, m0 / ik->mr,
                                            (rows + ik->mr - 1) / ik->mr, ind);
        }
        mbi_f32_igemm_compute(ik, rows, n0, n1, (size_t)p->c, ks, ind, p->packed, c,
                              (size_t)p->m, &p->mm);
    } else {
        mbi_f32_gemm_compute(gk, rows, n0, n1, p->k, j->x + m0 * p->k, p->k, p->packed, c,
                             (size_t)p->m, &p->mm);
    }
    if (p->tile_pass)
        mbi_f32_epilogue_tile(j->kern->act, &p->ep, c + n0, rows, n1 - n0, (size_t)p->m,
                              j->residual ? j->residual + m0 * (size_t)p->m + n0 : NULL,
                              (size_t)p->m);
}

static void dw_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const conv_job *j = arg;
    const conv_nhwc_params *p = j->p;
    const mbi_window3d *g = &p->g;
    size_t oh = (size_t)g->out[1], ow = (size_t)g->out[2], c = (size_t)p->c;
    size_t y0 = oh * task / p->m_tasks, y1 = oh * (task + 1) / p->m_tasks;
    if (y0 == y1)
        return;
    mbi_dwconv_shape s = {
        .in_h = (size_t)g->in[1], .in_w = (size_t)g->in[2], .channels = c,
        .kh = (size_t)g->kernel[1], .kw = (size_t)g->kernel[2],
        .stride_h = (size_t)g->stride[1], .stride_w = (size_t)g->stride[2],
        .dil_h = (size_t)g->dilation[1], .dil_w = (size_t)g->dilation[2],
        .pad_top = (size_t)g->pad_begin[1], .pad_left = (size_t)g->pad_begin[2],
        .out_h = oh, .out_w = ow};
    size_t in_image = s.in_h * s.in_w * c, out_image = oh * ow * c;
    for (int64_t n = 0; n < p->batch; n++) {
        float *y = j->y + (size_t)n * out_image;
        mbi_f32_dwconv_compute(j->kern->dwconv, &s, j->x + (size_t)n * in_image, p->packed, y, y0,
                               y1, &p->mm);
        if (p->tile_pass)
            mbi_f32_epilogue_tile(j->kern->act, &p->ep, y + y0 * ow * c, (y1 - y0) * ow, c, c,
                                  j->residual ? j->residual + (size_t)n * out_image + y0 * ow * c
                                              : NULL,
                                  c);
    }
}

static mobinfer_status conv_nhwc_run(mbi_op_ctx *ctx)
{
    conv_nhwc_params *p = ctx->params;
    if (p->kind == CONV_IGEMM && p->indirection && p->ind_x != ctx->in[0]->data) {
        const size_t mr = ctx->kernels->igemm->mr;
        const size_t pixels = (size_t)(p->batch * p->g.out[1] * p->g.out[2]);
        mbi_f32_igemm_indirection_build(&p->ig, mr, ctx->in[0]->data, p->zero, 0,
                                        (pixels + mr - 1) / mr, p->indirection);
        p->ind_x = ctx->in[0]->data;
    }
    conv_job j = {p, ctx->kernels, ctx->in[0]->data,
                  p->ep.residual ? ctx->in[ctx->n_in - 1]->data : NULL, ctx->out[0]->data,
                  ctx->scratch};
    if (p->kind == CONV_DEPTHWISE)
        mbi_threadpool_run(ctx->threadpool, p->m_tasks, dw_task, &j);
    else
        mbi_threadpool_run(ctx->threadpool, p->m_tasks * p->n_tasks, gemm_task, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_ConvNhwc = {"ConvNhwc", "com.mobinfer", 0, conv_nhwc_prepare,
                                    conv_nhwc_run};
