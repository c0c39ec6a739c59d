/* SqueezeExcite (com.mobinfer): the squeeze-and-excitation block of
 * MobileNetV3, EfficientNet and MnasNet as one operator, made by
 * src/opt/fuse_squeeze_excite.c on channels-last tensors.
 *   X [N, H, W, C], W1 [R, C, 1, 1], B1 [R] (optional), W2 [C, R, 1, 1],
 *   B2 [C] (optional)  ->  Y [N, H, W, C]
 *   s = act2(W2 act1(W1 mean_hw(X) + B1) + B2);  Y = X * s (per channel)
 * Attributes: activation/activation_alpha/activation_beta (act1) and
 * post_activation/post_alpha/post_beta (act2), as in ops/epilogue_attrs.h.
 * One node instead of five; the two passes over X (mean, scale) are split
 * over threads. */
#include <string.h>

#include "ops/epilogue_attrs.h"
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "runtime/thread_pool.h"

typedef struct se_params {
    size_t n, hw, c, r;
    mbi_act act1, act2;
    /* W1 as [C][R] and W2 as [R][C]: the products become row updates
     * (y += w_row * x_i), which vectorize without reassociating sums. */
    float *w1t, *w2t;
} se_params;

typedef struct se_job {
    const se_params *p;
    const float *x;
    float *y;
    float *scale; /* [N][C] */
    size_t tasks;
} se_job;

static mobinfer_status se_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_kernels(ctx)))
        return st;
    if ((st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_dtype(ctx, 1, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_dtype(ctx, 3, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_constant(ctx, 1, "W1")) ||
        (st = mbi_op_require_constant(ctx, 3, "W2")))
        return st;
    for (int k = 2; k <= 4; k += 2)
        if (mbi_op_input(ctx, k) && ((st = mbi_op_require_dtype(ctx, k, MOBINFER_DTYPE_FLOAT32)) ||
                                     (st = mbi_op_require_constant(ctx, k, "bias"))))
            return st;
    const mbi_tensor *x = ctx->in[0], *w1 = ctx->in[1], *w2 = ctx->in[3];
    const mbi_tensor *b1 = mbi_op_input(ctx, 2), *b2 = mbi_op_input(ctx, 4);
    if (x->rank != 4 || w1->rank != 4 || w2->rank != 4)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "SqueezeExcite needs 4-D X, W1 and W2");
    se_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    mbi_epilogue ep;
    if ((st = mbi_epilogue_from_attrs(ctx->node, &ep, ctx->err)))
        return st;
    p->act1 = ep.act;
    p->act2 = ep.post;
    p->n = (size_t)x->dims[0];
    p->hw = (size_t)(x->dims[1] * x->dims[2]);
    p->c = (size_t)x->dims[3];
    p->r = (size_t)w1->dims[0];
    if ((size_t)w1->dims[1] != p->c || (size_t)w2->dims[0] != p->c ||
        (size_t)w2->dims[1] != p->r || w1->dims[2] * w1->dims[3] != 1 ||
        w2->dims[2] * w2->dims[3] != 1 || (b1 && mbi_tensor_numel(b1) != (int64_t)p->r) ||
        (b2 && mbi_tensor_numel(b2) != (int64_t)p->c))
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "SqueezeExcite weights do not match %zu channels", p->c);
    p->w1t = mbi_op_alloc(ctx, sizeof(float) * p->c * p->r + 4);
    p->w2t = mbi_op_alloc(ctx, sizeof(float) * p->c * p->r + 4);
    if (!p->w1t || !p->w2t)
        return ctx->err->status;
    const float *w1d = w1->data, *w2d = w2->data;
    for (size_t r = 0; r < p->r; r++)
        for (size_t c = 0; c < p->c; c++) {
            p->w1t[c * p->r + r] = w1d[r * p->c + c];
            p->w2t[r * p->c + c] = w2d[c * p->r + r];
        }
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, x->dims, 4);
    /* scale [N][C] + hidden [R] */
    ctx->scratch_bytes = sizeof(float) * (p->n * p->c + p->r + 16);
    ctx->macs = (uint64_t)p->n * (p->hw * p->c * 2 + 2 * p->c * p->r);
    ctx->params = p;
    return MOBINFER_OK;
}

/* Channel block `task` of every image: the means. */
static void mean_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const se_job *j = arg;
    const se_params *p = j->p;
    size_t c0 = p->c * task / j->tasks, c1 = p->c * (task + 1) / j->tasks;
    float inv = 1.0f / (float)(p->hw ? p->hw : 1);
    for (size_t n = 0; n < p->n; n++) {
        float *m = j->scale + n * p->c;
        const float *x = j->x + n * p->hw * p->c;
        for (size_t c = c0; c < c1; c++)
            m[c] = 0.0f;
        for (size_t i = 0; i < p->hw; i++)
            for (size_t c = c0; c < c1; c++)
                m[c] += x[i * p->c + c];
        for (size_t c = c0; c < c1; c++)
            m[c] *= inv;
    }
}

/* Pixel block `task` (over all images): Y = X * s. */
static void scale_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const se_job *j = arg;
    const se_params *p = j->p;
    size_t pixels = p->n * p->hw;
    size_t q0 = pixels * task / j->tasks, q1 = pixels * (task + 1) / j->tasks;
    for (size_t q = q0; q < q1; q++) {
        const float *s = j->scale + q / (p->hw ? p->hw : 1) * p->c;
        const float *x = j->x + q * p->c;
        float *y = j->y + q * p->c;
        for (size_t c = 0; c < p->c; c++)
            y[c] = x[c] * s[c];
    }
}

static mobinfer_status se_run(mbi_op_ctx *ctx)
{
    const se_params *p = ctx->params;
    const mbi_tensor *tb1 = mbi_op_input(ctx, 2), *tb2 = mbi_op_input(ctx, 4);
    const float *b1 = tb1 ? tb1->data : NULL, *b2 = tb2 ? tb2->data : NULL;
    float *scale = ctx->scratch, *hidden = scale + p->n * p->c;
    size_t threads = (size_t)(ctx->num_threads > 0 ? ctx->num_threads : 1);
    se_job j = {p, ctx->in[0]->data, ctx->out[0]->data, scale, threads};
    mbi_threadpool_run(ctx->threadpool, threads, mean_task, &j);
    for (size_t n = 0; n < p->n; n++) {
        float *s = scale + n * p->c;
        for (size_t r = 0; r < p->r; r++)
            hidden[r] = b1 ? b1[r] : 0.0f;
        for (size_t c = 0; c < p->c; c++) {
            const float *w = p->w1t + c * p->r;
            float m = s[c];
            for (size_t r = 0; r < p->r; r++)
                hidden[r] += w[r] * m;
        }
        ctx->kernels->act(&p->act1, hidden, hidden, p->r);
        for (size_t c = 0; c < p->c; c++)
            s[c] = b2 ? b2[c] : 0.0f;
        for (size_t r = 0; r < p->r; r++) {
            const float *w = p->w2t + r * p->c;
            float h = hidden[r];
            for (size_t c = 0; c < p->c; c++)
                s[c] += w[c] * h;
        }
        ctx->kernels->act(&p->act2, s, s, p->c);
    }
    j.tasks = threads;
    mbi_threadpool_run(ctx->threadpool, j.tasks, scale_task, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_SqueezeExcite = {"SqueezeExcite", "com.mobinfer", 0, se_prepare, se_run};
