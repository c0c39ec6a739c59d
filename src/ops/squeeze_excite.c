/* SqueezeExcite (com.mobinfer): the squeeze-and-excitation block of
 * MobileNetV3, EfficientNet and MnasNet as one operator, made by
 * src/opt/fuse_squeeze_excite.c on channels-last tensors.
 *   X [N, H, W, C], W1 [R, C, 1, 1], B1 [R] (optional), W2 [C, R, 1, 1],
 *   B2 [C] (optional)  ->  Y [N, H, W, C]
 *   s = act2(W2 act1(W1 mean_hw(X) + B1) + B2);  Y = X * s (per channel)
 * Attributes: activation/activation_alpha/activation_beta (act1) and
 * post_activation/post_alpha/post_beta (act2), as in ops/epilogue_attrs.h.
 *
 * One node instead of five. Both passes over X (the mean, in
 * ops/squeeze_excite_gate.c, and Y = X * s) are split by rows of each image,
 * the split of the depthwise convolution before, so a thread reads the rows
 * it wrote; small blocks run on one thread. When the only reader of Y is a
 * pointwise projection whose weights are smaller than X, the pass makes
 * SqueezeExciteProject instead (ops/squeeze_excite_project.c), which scales
 * the weights rather than X. */
#include <string.h>

#include "kernels/f32-chanwise/f32_chanwise.h"
#include "ops/epilogue_attrs.h"
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "ops/squeeze_excite_gate.h"
#include "runtime/thread_pool.h"

/* Floats of X below which a share of the two passes is not worth a
 * fork-join (a few microseconds). */
#define SE_ELEMENTS_PER_TASK 32768

typedef struct se_job {
    const mbi_se_gate *g;
    const mbi_f32_chanwise_kernel *cw;
    const float *x;
    float *y;
    const float *scale; /* [N][C] */
} se_job;

static mobinfer_status se_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_kernels(ctx)))
        return st;
    mbi_epilogue ep;
    if ((st = mbi_epilogue_from_attrs(ctx->node, &ep, ctx->err)))
        return st;
    mbi_se_gate *g = mbi_se_gate_prepare(ctx, ep.act, ep.post, SE_ELEMENTS_PER_TASK);
    if (!g)
        return ctx->err->status;
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, ctx->in[0]->dims, 4);
    /* scale [N][C], then the gate's scratch */
    ctx->scratch_bytes = sizeof(float) * (g->n * g->c + mbi_se_gate_scratch_floats(g) + 16);
    ctx->macs = (uint64_t)g->n * (g->h * g->w * g->c * 2 + 2 * g->c * g->r);
    ctx->params = g;
    return MOBINFER_OK;
}

/* Rows of every image: Y = X * s. */
static void scale_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const se_job *j = arg;
    const mbi_se_gate *g = j->g;
    size_t y0, y1;
    mbi_se_gate_rows(g, task, &y0, &y1);
    for (size_t n = 0; n < g->n; n++) {
        size_t at = ((n * g->h + y0) * g->w) * g->c;
        j->cw->scale((y1 - y0) * g->w, g->c, j->x + at, g->c, j->scale + n * g->c, j->y + at,
                     g->c);
    }
}

static mobinfer_status se_run(mbi_op_ctx *ctx)
{
    const mbi_se_gate *g = ctx->params;
    float *scale = ctx->scratch;
    se_job j = {g, ctx->kernels->chanwise, ctx->in[0]->data, ctx->out[0]->data, scale};
    mbi_se_gate_run(g, ctx->kernels, ctx->threadpool, j.x, scale + g->n * g->c, scale);
    mbi_threadpool_run(ctx->threadpool, g->tasks, scale_task, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_SqueezeExcite = {"SqueezeExcite", "com.mobinfer", 0, se_prepare, se_run};
