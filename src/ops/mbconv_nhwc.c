/* MBConvNhwc (com.mobinfer): the inverted-residual block of MobileNetV2/V3,
 * MnasNet and EfficientNet as one operator, made by src/opt/fuse_mbconv.c
 * from three ConvNhwc nodes:
 *   E = act_e(X * We + Be)          1x1 expand   [N, H, W, Cexp]     (optional)
 *   D = act_d(dwconv(E, Wd) + Bd)   k x k depthwise, any stride/pads/dilation
 *   Y = epilogue(D * Wp + Bp)       1x1 project  [N, OH, OW, Cout]   (optional)
 * Inputs: X, We, Be, Wd, Bd, Wp, Bp (weights in ONNX order, absent stages and
 * biases omitted), then R when residual = 1. Attributes: the depthwise Conv's
 * (kernel_shape, strides, dilations, pads, auto_pad), expand_activation /
 * expand_alpha / expand_beta and dw_activation / dw_alpha / dw_beta (no
 * residual in those), and the last stage's epilogue (ops/epilogue_attrs.h).
 * Without a project stage the output is D (EfficientNet's blocks, whose
 * squeeze-excite reads D).
 *
 * Why: the expanded tensor is the largest of the block (MobileNetV2's first
 * one is 112x112x96, 4.8 MB), and the unfused graph writes it once and reads
 * it back, then does the same with D: on early, wide blocks those nodes run
 * at memory speed. Here only X and Y touch memory.
 *
 * How: each thread owns a contiguous band of output rows. It keeps, in its
 * scratch, a ring buffer of the expanded input rows the depthwise filter
 * needs (span = (kh-1)*dil+1 rows, plus stride*(rows per step - 1)); a row
 * enters the ring once, computed by the GEMM on X's row, and stays until
 * the filter has moved past it, so rows are only computed twice where two
 * bands meet. The depthwise kernel reads the ring through a row-pointer
 * table (mbi_dwconv_shape.in_rows) into a small per-thread buffer of a few
 * output rows, and the project GEMM turns that buffer into Y's rows with its
 * epilogue. Ring, table and row buffer stay in L2 (a few hundred KB at
 * most), so the intermediate tensors never leave the cache.
 *
 * Pixels in the ring and the row buffer may be padded past cexp (cpix, see
 * padded_pixel): the pad channels stay zero and are filtered with zero
 * weights, and the project GEMM reads only the first cexp of each pixel. */
#include <string.h>

#include "ir/attr.h"
#include "kernels/f32-dwconv/f32_dwconv.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-vact/f32_epilogue.h"
#include "ops/epilogue_attrs.h"
#include "ops/nn_ops.h"
#include "ops/nn_spatial.h"
#include "ops/op.h"
#include "runtime/thread_pool.h"

enum { IN_X, IN_WE, IN_BE, IN_WD, IN_BD, IN_WP, IN_BP, IN_R };

/* Project GEMM rows per step: several output rows when the image is
 * narrow, so the microkernel's row tiles are mostly full. */
#define MIN_GEMM_ROWS 48

/* One stage's epilogue, split as ConvNhwc splits it: what the kernel
 * applies in registers and whether a pass over the stored rows must follow. */
typedef struct stage_ep {
    mbi_epilogue ep;
    mbi_f32_minmax mm;
    bool tile_pass;
} stage_ep;

typedef struct mbconv_params {
    mbi_window3d g;  /* axes 1, 2 = H, W */
    size_t batch, cin, cexp, cout;
    size_t cpix; /* floats per expanded pixel in the ring and the row buffer (>= cexp) */
    bool expand, project;
    const float *packed_e, *packed_d, *packed_p;
    stage_ep se, sd, sp; /* expand, depthwise, project (the last stage has the node's epilogue) */
    size_t span;         /* input rows one output row reads: (kh-1)*dil+1 */
    size_t step_rows;    /* output rows per step */
    size_t ring_rows;    /* expanded rows kept */
    size_t tasks;
    /* Per-thread scratch, in floats from the thread's base (64-byte multiples). */
    size_t off_table, off_row, per_thread;
} mbconv_params;

static size_t round16(size_t floats)
{
    return (floats + 15) / 16 * 16;
}

static void split_stage(stage_ep *s)
{
    s->tile_pass = mbi_epilogue_split(&s->ep, &s->mm);
}

/* Checks that optional input k is a float32 constant of `rank` dims equal to `dims`. */
static mobinfer_status check_const(mbi_op_ctx *ctx, int k, const char *what, int rank,
                                   const int64_t *dims)
{
    mobinfer_status st;
    if ((st = mbi_op_require_dtype(ctx, k, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_constant(ctx, k, what)))
        return st;
    const mbi_tensor *t = ctx->in[k];
    if (t->rank != rank || memcmp(t->dims, dims, sizeof(int64_t) * (size_t)rank) != 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "MBConvNhwc: %s has the wrong shape", what);
    return MOBINFER_OK;
}

/* A packed 1x1 convolution: W [n][k] (ONNX [n, k, 1, 1]), bias optional. */
static const float *pack_pointwise(mbi_op_ctx *ctx, size_t n, size_t k, const mbi_tensor *w,
                                   const mbi_tensor *b)
{
    const mbi_f32_gemm_kernel *gk = ctx->kernels->gemm;
    float *packed = mbi_op_alloc_floats(ctx, mbi_f32_gemm_packed_floats(gk, n, k));
    if (packed)
        mbi_f32_gemm_pack(gk, n, k, w->data, k, 1, b ? b->data : NULL, packed);
    return packed;
}

/* Bands of output rows: one per thread when the block is worth splitting
 * (none below TASK_MIN_MACS), two per thread when the bands stay tall
 * enough that the rows expanded twice where two bands meet cost little, so
 * that a worker that starts late leaves a band for the others to take (the
 * thread pool gives each thread its bands in a row, and the next band of
 * another thread's share from the back). */
#define TASK_MIN_MACS 200000u
#define BANDS_PER_THREAD 2
#define MIN_BAND_ROWS 16

static size_t task_count(uint64_t macs, size_t threads, size_t rows)
{
    uint64_t by_work = macs / TASK_MIN_MACS;
    size_t n = threads < 2 || by_work < 2 ? 1 : by_work < threads ? (size_t)by_work : threads;
    if (n == threads && n > 1 && rows >= n * BANDS_PER_THREAD * MIN_BAND_ROWS &&
        by_work >= n * BANDS_PER_THREAD)
        n *= BANDS_PER_THREAD;
    return n < rows ? n : rows;
}

/* Floats per pixel of the ring and the row buffer. The depthwise kernel
 * reads one 16-channel block of a row's pixels at a time: with a pixel
 * stride of an even number of 64-byte lines (cexp = 64, 96, ...) those
 * lines fall in half of the L1's sets or fewer, and at stride 2, where a
 * group of outputs reads 75 such lines from L2, the filter ran at half the
 * speed (bench_dwconv_shapes "row2 s2", 112x112 with 16, 32, 48, 64, 80,
 * 96, 112 channels: 54, 31, 43, 24, 44, 29, 43% of the FMA peak). 16 zero
 * channels make the stride odd: the filter does 1/12 to 1/4 more work and
 * still takes 20-26% less time (MobileNetV2's features.2 and features.7,
 * MobileNetV3-Large's features.2). Only where nothing but the GEMMs and the
 * filter touch the rows (no tile pass over them), and on AVX-512, where it
 * was measured; stride 1 gained nothing. */
static size_t padded_pixel(const mbconv_params *p, const mbi_f32_dwconv_kernel *dk)
{
    const bool pad = p->expand && p->project && !p->se.tile_pass && !p->sd.tile_pass &&
                     p->g.stride[1] == 2 && p->g.stride[2] == 2 && dk->channel_tile == 16 &&
                     p->cexp % 32 == 0;
    return pad ? p->cexp + 16 : p->cexp;
}

/* Depthwise weights packed for cpix channels, those past cexp zero. */
static const float *pack_depthwise(mbi_op_ctx *ctx, const mbconv_params *p, size_t kh, size_t kw,
                                   const mbi_tensor *wd, const mbi_tensor *bd)
{
    const mbi_f32_dwconv_kernel *dk = ctx->kernels->dwconv;
    float *packed = mbi_op_alloc_floats(ctx, mbi_f32_dwconv_packed_floats(dk, p->cpix, kh, kw));
    if (!packed)
        return NULL;
    if (p->cpix == p->cexp) {
        mbi_f32_dwconv_pack(dk, p->cexp, kh, kw, wd->data, bd ? bd->data : NULL, packed);
        return packed;
    }
    const size_t taps = kh * kw;
    float *w = mbi_op_alloc_floats(ctx, p->cpix * (taps + 1));
    if (!w)
        return NULL;
    float *bias = w + p->cpix * taps;
    memset(w, 0, sizeof(float) * p->cpix * (taps + 1));
    memcpy(w, wd->data, sizeof(float) * p->cexp * taps);
    if (bd)
        memcpy(bias, bd->data, sizeof(float) * p->cexp);
    mbi_f32_dwconv_pack(dk, p->cpix, kh, kw, w, bias, packed);
    return packed;
}

static mobinfer_status mbconv_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_kernels(ctx)) ||
        (st = mbi_op_require_dtype(ctx, IN_X, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_dtype(ctx, IN_WD, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_constant(ctx, IN_WD, "Wd")))
        return st;
    const mbi_tensor *x = ctx->in[IN_X], *wd = ctx->in[IN_WD];
    const mbi_tensor *we = mbi_op_input(ctx, IN_WE), *wp = mbi_op_input(ctx, IN_WP);
    const mbi_tensor *be = mbi_op_input(ctx, IN_BE), *bd = mbi_op_input(ctx, IN_BD);
    const mbi_tensor *bp = mbi_op_input(ctx, IN_BP);
    if (x->rank != 4 || wd->rank != 4)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "MBConvNhwc needs 4-D X and Wd");
    mbconv_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    p->batch = (size_t)x->dims[0];
    p->cin = (size_t)x->dims[3];
    p->expand = we != NULL;
    p->project = wp != NULL;
    p->cexp = p->expand ? (size_t)we->dims[0] : p->cin;
    p->cout = p->project ? (size_t)wp->dims[0] : p->cexp;
    int64_t e = (int64_t)p->cexp, ci = (int64_t)p->cin, co = (int64_t)p->cout;
    if (p->expand && (st = check_const(ctx, IN_WE, "We", 4, (int64_t[]){e, ci, 1, 1})))
        return st;
    if (be && (st = check_const(ctx, IN_BE, "Be", 1, &e)))
        return st;
    if (wd->dims[0] != e || wd->dims[1] != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "MBConvNhwc: Wd must be [%lld, 1, kh, kw]",
                        (long long)e);
    if (bd && (st = check_const(ctx, IN_BD, "Bd", 1, &e)))
        return st;
    if (p->project && (st = check_const(ctx, IN_WP, "Wp", 4, (int64_t[]){co, e, 1, 1})))
        return st;
    if (bp && (st = check_const(ctx, IN_BP, "Bp", 1, &co)))
        return st;

    if ((st = mbi_act_from_attrs(ctx->node, "expand_activation", "expand_alpha", "expand_beta",
                                 &p->se.ep.act, ctx->err)) ||
        (st = mbi_act_from_attrs(ctx->node, "dw_activation", "dw_alpha", "dw_beta", &p->sd.ep.act,
                                 ctx->err)))
        return st;
    stage_ep *last = p->project ? &p->sp : &p->sd;
    mbi_act dw_act = p->sd.ep.act;
    if ((st = mbi_epilogue_from_attrs(ctx->node, &last->ep, ctx->err)))
        return st;
    if (!p->project) {
        /* The depthwise stage is the last: its activation is the node's. */
        if (dw_act.kind != MBI_ACT_NONE)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "MBConvNhwc without a project stage takes the depthwise activation "
                            "from 'activation'");
    }
    split_stage(&p->se);
    split_stage(&p->sd);
    split_stage(&p->sp);

    mbi_spatial_attrs a;
    int64_t in_hw[2] = {x->dims[1], x->dims[2]};
    if ((st = mbi_spatial_parse(ctx, 2, wd->dims + 2, true, &a)) ||
        (st = mbi_spatial_forward(ctx, &a, in_hw, false, &p->g)))
        return st;
    const size_t oh = (size_t)p->g.out[1], ow = (size_t)p->g.out[2];
    const size_t ih = (size_t)in_hw[0], iw = (size_t)in_hw[1];
    int64_t dims[4] = {x->dims[0], (int64_t)oh, (int64_t)ow, co};
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, 4);
    if (last->ep.residual) {
        const mbi_tensor *r = mbi_op_input(ctx, IN_R);
        if (ctx->n_in != IN_R + 1 || !r || r->dtype != MOBINFER_DTYPE_FLOAT32 || r->rank != 4 ||
            memcmp(r->dims, dims, sizeof dims) != 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "the residual input must be float32 of the output's shape");
    }

    const size_t kh = (size_t)p->g.kernel[1], kw = (size_t)p->g.kernel[2];
    p->cpix = padded_pixel(p, ctx->kernels->dwconv);
    if (!(p->packed_d = pack_depthwise(ctx, p, kh, kw, wd, bd)))
        return ctx->err->status;
    if (p->expand && !(p->packed_e = pack_pointwise(ctx, p->cexp, p->cin, we, be)))
        return ctx->err->status;
    if (p->project && !(p->packed_p = pack_pointwise(ctx, p->cout, p->cexp, wp, bp)))
        return ctx->err->status;

    const size_t sh = (size_t)p->g.stride[1];
    p->span = (kh - 1) * (size_t)p->g.dilation[1] + 1;
    /* At least MIN_GEMM_ROWS pixels per GEMM call, and an even number of
     * rows: the depthwise kernel computes output rows in pairs (56x56x144:
     * 69 us a row at a time, 59 us two at a time). */
    p->step_rows = ow && ow < MIN_GEMM_ROWS ? (MIN_GEMM_ROWS + ow - 1) / ow : 2;
    p->step_rows += p->step_rows % 2;
    if (p->step_rows > oh && oh > 0)
        p->step_rows = oh;
    p->ring_rows = (p->step_rows - 1) * sh + p->span;
    uint64_t pixels_in = (uint64_t)p->batch * ih * iw, pixels_out = (uint64_t)p->batch * oh * ow;
    ctx->macs = (p->expand ? pixels_in * p->cin * p->cexp : 0) + pixels_out * p->cexp * kh * kw +
                (p->project ? pixels_out * p->cexp * p->cout : 0);
    p->tasks = task_count(ctx->macs, (size_t)(ctx->num_threads > 0 ? ctx->num_threads : 1), oh);

    /* Scratch per thread: [ring][row table][output row buffer]. */
    size_t ring = p->expand ? round16(p->ring_rows * iw * p->cpix) : 0;
    size_t table = p->expand ? round16((ih * sizeof(float *) + sizeof(float) - 1) / sizeof(float))
                             : 0;
    size_t rows = p->project ? round16(p->step_rows * ow * p->cpix) : 0;
    p->off_table = ring;
    p->off_row = ring + table;
    p->per_thread = ring + table + rows;
    ctx->scratch_bytes =
        sizeof(float) * p->per_thread * (size_t)(ctx->num_threads > 0 ? ctx->num_threads : 1);
    ctx->params = p;
    return MOBINFER_OK;
}

typedef struct mbconv_job {
    const mbconv_params *p;
    const mbi_kernels *kern;
    const float *x;
    const float *residual;
    float *y;
    float *scratch;
} mbconv_job;

/* Expanded rows [iy0, iy1) of one image into the ring (contiguous there:
 * the caller splits at the ring's end), with their pointers in the table. */
static void expand_rows(const mbconv_job *j, const float *x, float *ring, const float **table,
                        size_t iy0, size_t iy1)
{
    const mbconv_params *p = j->p;
    const size_t iw = (size_t)p->g.in[2], row = iw * p->cpix;
    float *dst = ring + iy0 % p->ring_rows * row;
    const size_t m = (iy1 - iy0) * iw;
    mbi_f32_gemm_compute(j->kern->gemm, m, 0, p->cexp, p->cin, x + iy0 * iw * p->cin, p->cin,
                         p->packed_e, dst, p->cpix, &p->se.mm);
    if (p->se.tile_pass)
        mbi_f32_epilogue_tile(j->kern->act, &p->se.ep, dst, m, p->cexp, p->cexp, NULL, 0);
    for (size_t iy = iy0; iy < iy1; iy++)
        table[iy] = dst + (iy - iy0) * row;
}

/* Output rows [y0, y1) of every image. */
static void mbconv_band(const mbconv_job *j, size_t y0, size_t y1, int thread)
{
    const mbconv_params *p = j->p;
    const mbi_window3d *g = &p->g;
    const size_t ih = (size_t)g->in[1], iw = (size_t)g->in[2];
    const size_t oh = (size_t)g->out[1], ow = (size_t)g->out[2];
    const size_t sh = (size_t)g->stride[1], pad_top = (size_t)g->pad_begin[1];
    float *base = j->scratch + (size_t)thread * p->per_thread;
    float *ring = base;
    const float **table = (const float **)(void *)(base + p->off_table);
    float *rowbuf = base + p->off_row;
    mbi_dwconv_shape s = {
        .in_h = ih, .in_w = iw, .channels = p->cpix,
        .kh = (size_t)g->kernel[1], .kw = (size_t)g->kernel[2],
        .stride_h = sh, .stride_w = (size_t)g->stride[2],
        .dil_h = (size_t)g->dilation[1], .dil_w = (size_t)g->dilation[2],
        .pad_top = pad_top, .pad_left = (size_t)g->pad_begin[2],
        .out_h = oh, .out_w = ow,
        .in_rows = p->expand ? (const float *const *)table : NULL};
    const size_t in_image = ih * iw * p->cin, out_image = oh * ow * p->cout;
    const stage_ep *last = p->project ? &p->sp : &p->sd;
    /* The GEMM writes cexp floats of each pixel: the pad stays zero. */
    for (size_t px = 0; p->cpix != p->cexp && px < p->ring_rows * iw; px++)
        memset(ring + px * p->cpix + p->cexp, 0, sizeof(float) * (p->cpix - p->cexp));
    for (size_t n = 0; n < p->batch; n++) {
        const float *x = j->x + n * in_image;
        float *y = j->y + n * out_image;
        const float *res = j->residual ? j->residual + n * out_image : NULL;
        size_t have = 0; /* expanded rows below this are in the ring (or past use) */
        for (size_t oy = y0; oy < y1; oy += p->step_rows) {
            const size_t oy1 = oy + p->step_rows < y1 ? oy + p->step_rows : y1;
            if (p->expand) {
                /* The input rows of output rows [oy, oy1) that exist. */
                ptrdiff_t lo = (ptrdiff_t)(oy * sh) - (ptrdiff_t)pad_top;
                ptrdiff_t hi = (ptrdiff_t)((oy1 - 1) * sh + p->span) - (ptrdiff_t)pad_top;
                size_t a = lo < 0 ? 0 : (size_t)lo, b = hi < 0 ? 0 : (size_t)hi;
                if (b > ih)
                    b = ih;
                if (a < have)
                    a = have;
                while (a < b) {
                    size_t end = a - a % p->ring_rows + p->ring_rows; /* the ring's end */
                    if (end > b)
                        end = b;
                    expand_rows(j, x, ring, table, a, end);
                    a = end;
                }
                if (b > have)
                    have = b;
            }
            const size_t m = (oy1 - oy) * ow;
            float *d = p->project ? rowbuf : y + oy * ow * p->cout;
            s.out_row0 = oy;
            mbi_f32_dwconv_compute(j->kern->dwconv, &s, p->expand ? ring : x, p->packed_d, d, oy,
                                   oy1, &p->sd.mm);
            if (p->sd.tile_pass)
                mbi_f32_epilogue_tile(j->kern->act, &p->sd.ep, d, m, p->cexp, p->cexp,
                                      !p->project && res ? res + oy * ow * p->cout : NULL,
                                      p->cout);
            if (!p->project)
                continue;
            float *out = y + oy * ow * p->cout;
            mbi_f32_gemm_compute(j->kern->gemm, m, 0, p->cout, p->cexp, d, p->cpix, p->packed_p,
                                 out, p->cout, &last->mm);
            if (last->tile_pass)
                mbi_f32_epilogue_tile(j->kern->act, &last->ep, out, m, p->cout, p->cout,
                                      res ? res + oy * ow * p->cout : NULL, p->cout);
        }
    }
}

static void mbconv_task(void *arg, size_t task, int thread)
{
    const mbconv_job *j = arg;
    const size_t oh = (size_t)j->p->g.out[1];
    size_t y0 = oh * task / j->p->tasks, y1 = oh * (task + 1) / j->p->tasks;
    if (y0 < y1)
        mbconv_band(j, y0, y1, thread);
}

static mobinfer_status mbconv_run(mbi_op_ctx *ctx)
{
    const mbconv_params *p = ctx->params;
    const bool residual = (p->project ? p->sp : p->sd).ep.residual;
    mbconv_job j = {p, ctx->kernels, ctx->in[IN_X]->data,
                    residual ? ctx->in[IN_R]->data : NULL, ctx->out[0]->data, ctx->scratch};
    mbi_threadpool_run(ctx->threadpool, p->tasks, mbconv_task, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_MBConvNhwc = {"MBConvNhwc", "com.mobinfer", 0, mbconv_prepare, mbconv_run};
