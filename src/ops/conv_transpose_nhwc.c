/* ConvTransposeNhwc (com.mobinfer): a float32 2-D transposed convolution on
 * channels-last tensors whose windows do not overlap (strides equal to the
 * kernel, no padding, dilation 1, group 1) — the learned 2x upsampling of
 * segmentation and text-detection heads. Made by the layout pass.
 *   X [N, H, W, Ci], W [Ci, Co, kh, kw] (ONNX order), B [Co] optional
 *   -> Y [N, H*kh, W*kw, Co]
 * Output row y*kh + i, for the pixels of input row y, is one GEMM: its
 * pixels x (kw*Co contiguous outputs each: taps j, then channels) from
 * row y of X times the weights of kernel row i. */
#include <math.h>
#include <string.h>

#include "kernels/f32-gemm/f32_gemm.h"
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "runtime/thread_pool.h"

typedef struct convt_params {
    size_t n, h, w, ci, co, kh, kw;
    float *packed; /* kh GEMMs, each N = kw*Co, K = Ci */
    size_t packed_stride;
} convt_params;

typedef struct convt_job {
    const convt_params *p;
    const mbi_f32_gemm_kernel *gemm;
    const float *x;
    float *y;
} convt_job;

static mobinfer_status convt_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_kernels(ctx)))
        return st;
    if ((st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_dtype(ctx, 1, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_constant(ctx, 1, "W")))
        return st;
    const mbi_tensor *x = ctx->in[0], *w = ctx->in[1], *b = mbi_op_input(ctx, 2);
    if (b && ((st = mbi_op_require_dtype(ctx, 2, MOBINFER_DTYPE_FLOAT32)) ||
              (st = mbi_op_require_constant(ctx, 2, "B"))))
        return st;
    if (x->rank != 4 || w->rank != 4 || w->dims[0] != x->dims[3] ||
        (b && mbi_tensor_numel(b) != w->dims[1]))
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "ConvTransposeNhwc needs X [N,H,W,C], W [C,Co,kh,kw], B [Co]");
    convt_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    p->n = (size_t)x->dims[0];
    p->h = (size_t)x->dims[1];
    p->w = (size_t)x->dims[2];
    p->ci = (size_t)x->dims[3];
    p->co = (size_t)w->dims[1];
    p->kh = (size_t)w->dims[2];
    p->kw = (size_t)w->dims[3];
    int64_t dims[4] = {x->dims[0], x->dims[1] * w->dims[2], x->dims[2] * w->dims[3], w->dims[1]};
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, 4);

    const mbi_f32_gemm_kernel *gk = ctx->kernels->gemm;
    size_t n = p->kw * p->co;
    p->packed_stride = mbi_f32_gemm_packed_floats(gk, n, p->ci);
    float *wt = mbi_op_alloc(ctx, sizeof(float) * n * p->ci + 4);
    float *bias = mbi_op_alloc(ctx, sizeof(float) * n + 4);
    p->packed = p->packed_stride < SIZE_MAX / 4 / (p->kh ? p->kh : 1)
                    ? mbi_pool_alloc_aligned(ctx->pool, p->packed_stride * p->kh * 4, 64)
                    : NULL;
    if (!wt || !bias || !p->packed)
        return mbi_fail(ctx->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    const float *wd = w->data, *bd = b ? b->data : NULL;
    for (size_t i = 0; i < p->kh; i++) {
        /* Kernel row i as a GEMM: column (j, o), row c = W[c][o][i][j]. */
        for (size_t j = 0; j < p->kw; j++)
            for (size_t o = 0; o < p->co; o++) {
                bias[j * p->co + o] = bd ? bd[o] : 0.0f;
                for (size_t c = 0; c < p->ci; c++)
                    wt[(j * p->co + o) * p->ci + c] =
                        wd[((c * p->co + o) * p->kh + i) * p->kw + j];
            }
        mbi_f32_gemm_pack(gk, n, p->ci, wt, p->ci, 1, bias, p->packed + i * p->packed_stride);
    }
    ctx->macs = (uint64_t)p->n * p->h * p->w * p->ci * p->co * p->kh * p->kw;
    ctx->params = p;
    return MOBINFER_OK;
}

/* Tasks: (image, input row, kernel row), i.e. output rows in order. */
static void convt_range(void *arg, size_t begin, size_t end, int thread)
{
    (void)thread;
    const convt_job *j = arg;
    const convt_params *p = j->p;
    size_t row_out = p->w * p->kw * p->co; /* floats in one output row */
    mbi_f32_minmax mm = {.min = -INFINITY, .max = INFINITY};
    for (size_t task = begin; task < end; task++) {
        size_t i = task % p->kh, y = task / p->kh % p->h, img = task / p->kh / p->h;
        const float *a = j->x + (img * p->h + y) * p->w * p->ci;
        float *c = j->y + (img * p->h * p->kh + y * p->kh + i) * row_out;
        mbi_f32_gemm_compute(j->gemm, p->w, 0, p->kw * p->co, p->ci, a, p->ci,
                             p->packed + i * p->packed_stride, c, p->kw * p->co, &mm);
    }
}

/* The fewest multiply-adds worth a chunk of their own: a few microseconds
 * even at the low efficiency of the narrow GEMMs (Co = 1: N = kw) of
 * detection heads, whose output rows alone are under a microsecond. */
#define GRAIN_MACS 200000u

static mobinfer_status convt_run(mbi_op_ctx *ctx)
{
    const convt_params *p = ctx->params;
    convt_job j = {p, ctx->kernels->gemm, ctx->in[0]->data, ctx->out[0]->data};
    size_t rows = p->n * p->h * p->kh;
    uint64_t row_macs = (uint64_t)p->w * p->ci * p->co * p->kw;
    size_t grain = row_macs ? (size_t)((GRAIN_MACS + row_macs - 1) / row_macs) : 1;
    mbi_threadpool_run_chunks(ctx->threadpool, rows, grain, convt_range, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_ConvTransposeNhwc = {"ConvTransposeNhwc", "com.mobinfer", 0, convt_prepare,
                                             convt_run};
