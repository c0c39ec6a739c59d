/* The gate of a squeeze-and-excitation block (see squeeze_excite_gate.h). */
#include "ops/squeeze_excite_gate.h"

#include <string.h>

#include "kernels/f32-chanwise/f32_chanwise.h"
#include "runtime/thread_pool.h"

#define FC_FLOATS_PER_TASK 32768
#define TASKS_PER_THREAD 4

mbi_se_gate *mbi_se_gate_prepare(mbi_op_ctx *ctx, mbi_act act1, mbi_act act2,
                                 size_t elements_per_task)
{
    if (mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32) ||
        mbi_op_require_dtype(ctx, 1, MOBINFER_DTYPE_FLOAT32) ||
        mbi_op_require_dtype(ctx, 3, MOBINFER_DTYPE_FLOAT32) ||
        mbi_op_require_constant(ctx, 1, "W1") || mbi_op_require_constant(ctx, 3, "W2"))
        return NULL;
    for (int k = 2; k <= 4; k += 2)
        if (mbi_op_input(ctx, k) && (mbi_op_require_dtype(ctx, k, MOBINFER_DTYPE_FLOAT32) ||
                                     mbi_op_require_constant(ctx, k, "bias")))
            return NULL;
    const mbi_tensor *x = ctx->in[0], *w1 = ctx->in[1], *w2 = ctx->in[3];
    const mbi_tensor *b1 = mbi_op_input(ctx, 2), *b2 = mbi_op_input(ctx, 4);
    if (x->rank != 4 || w1->rank != 4 || w2->rank != 4) {
        mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "%s needs 4-D X, W1 and W2", ctx->node->op_type);
        return NULL;
    }
    mbi_se_gate *g = mbi_op_alloc(ctx, sizeof *g);
    if (!g)
        return NULL;
    g->act1 = act1;
    g->act2 = act2;
    g->n = (size_t)x->dims[0];
    g->h = (size_t)x->dims[1];
    g->w = (size_t)x->dims[2];
    g->c = (size_t)x->dims[3];
    g->r = (size_t)w1->dims[0];
    if ((size_t)w1->dims[1] != g->c || (size_t)w2->dims[0] != g->c ||
        (size_t)w2->dims[1] != g->r || w1->dims[2] * w1->dims[3] != 1 ||
        w2->dims[2] * w2->dims[3] != 1 || (b1 && mbi_tensor_numel(b1) != (int64_t)g->r) ||
        (b2 && mbi_tensor_numel(b2) != (int64_t)g->c)) {
        mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "%s weights do not match %zu channels",
                 ctx->node->op_type, g->c);
        return NULL;
    }
    const size_t cr = g->c * g->r;
    g->fcw = mbi_op_alloc(ctx, sizeof(float) * (2 * cr + g->r + g->c) + 4);
    if (!g->fcw)
        return NULL;
    g->b1 = g->fcw + 2 * cr;
    g->b2 = g->b1 + g->r;
    if (b1)
        memcpy(g->b1, b1->data, sizeof(float) * g->r);
    if (b2)
        memcpy(g->b2, b2->data, sizeof(float) * g->c);
    /* A few row ranges per thread, none below elements_per_task (a
     * fork-join costs a few microseconds), none empty. The thread pool
     * gives each thread a contiguous share of them, so on time a thread
     * reads the rows the depthwise convolution before gave it; more than
     * one per thread so that a worker that starts late leaves ranges for
     * the others to take. */
    size_t threads = (size_t)(ctx->num_threads > 0 ? ctx->num_threads : 1);
    size_t by_work = g->n * g->h * g->w * g->c / (elements_per_task ? elements_per_task : 1);
    size_t want = threads < 2 ? 1 : threads * TASKS_PER_THREAD;
    g->tasks = want < by_work ? want : by_work;
    if (g->tasks > g->h)
        g->tasks = g->h;
    if (g->tasks < 2)
        g->tasks = 1;
    /* The FCs read C*R weights each, from memory when they are large
     * (MobileNetV3-Large's last blocks: 960x240, 0.9 MB): split by output
     * columns over threads when each share is at least FC_FLOATS_PER_TASK. */
    size_t fc_by_work = g->c * g->r / FC_FLOATS_PER_TASK;
    g->fc_tasks = threads < fc_by_work ? threads : fc_by_work;
    if (g->fc_tasks > g->r)
        g->fc_tasks = g->r;
    if (g->fc_tasks < 2)
        g->fc_tasks = 1;
    mbi_byte_span *reads = mbi_op_alloc(ctx, g->fc_tasks * sizeof *reads);
    if (!reads)
        return NULL;
    const float *w1d = w1->data, *w2d = w2->data;
    for (size_t t = 0; t < g->fc_tasks; t++) {
        size_t r0 = g->r * t / g->fc_tasks, r1 = g->r * (t + 1) / g->fc_tasks;
        size_t c0 = g->c * t / g->fc_tasks, c1 = g->c * (t + 1) / g->fc_tasks;
        float *w1t = g->fcw + g->c * r0 + g->r * c0, *w2t = w1t + g->c * (r1 - r0);
        for (size_t c = 0; c < g->c; c++)
            for (size_t r = r0; r < r1; r++)
                w1t[c * (r1 - r0) + r - r0] = w1d[r * g->c + c];
        for (size_t r = 0; r < g->r; r++)
            for (size_t c = c0; c < c1; c++)
                w2t[r * (c1 - c0) + c - c0] = w2d[c * g->r + r];
        reads[t].data = w1t;
        reads[t].bytes = sizeof(float) * (g->c * (r1 - r0) + g->r * (c1 - c0));
    }
    /* FC task t runs on thread t when every thread is on time (fc_tasks is
     * 1 or at most the threads, one task each), so reads[t] is its own. */
    if (g->fc_tasks == 1 || g->fc_tasks == threads) {
        ctx->reads = reads;
        ctx->n_reads = (int)g->fc_tasks;
    }
    return g;
}

size_t mbi_se_gate_scratch_floats(const mbi_se_gate *g)
{
    /* One partial [N][C] per task (the first becomes the means), then the
     * hidden layer [N][R]. */
    return g->tasks * g->n * g->c + g->n * g->r;
}

typedef struct mean_job {
    const mbi_se_gate *g;
    const mbi_f32_chanwise_kernel *cw;
    const float *x;
    float *partial;
} mean_job;

static void mean_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const mean_job *j = arg;
    const mbi_se_gate *g = j->g;
    size_t y0, y1;
    mbi_se_gate_rows(g, task, &y0, &y1);
    float *acc = j->partial + task * g->n * g->c;
    memset(acc, 0, sizeof(float) * g->n * g->c);
    for (size_t n = 0; n < g->n; n++)
        j->cw->sum((y1 - y0) * g->w, g->c, j->x + ((n * g->h + y0) * g->w) * g->c, g->c,
                   acc + n * g->c);
}

/* One FC of every image: out[n][j] = act(b[j] + sum_i in[n][i] * wt[i][j])
 * for the columns j of task `task` (second: FC2, else FC1). */
typedef struct fc_job {
    const mbi_se_gate *g;
    const mbi_kernels *k;
    bool second;
    size_t rows, cols; /* W^T is [rows][cols] */
    const float *bias, *in;
    float *out;
    const mbi_act *act;
} fc_job;

static void fc_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const fc_job *j = arg;
    const mbi_se_gate *g = j->g;
    size_t r0 = g->r * task / g->fc_tasks, r1 = g->r * (task + 1) / g->fc_tasks;
    size_t c0 = j->cols * task / g->fc_tasks, c1 = j->cols * (task + 1) / g->fc_tasks;
    const float *wt = g->fcw + g->c * r0 + g->r * (g->c * task / g->fc_tasks);
    if (j->second)
        wt += g->c * (r1 - r0);
    for (size_t n = 0; n < g->n; n++) {
        float *o = j->out + n * j->cols + c0;
        memcpy(o, j->bias + c0, sizeof(float) * (c1 - c0));
        j->k->chanwise->axpy(j->rows, c1 - c0, j->in + n * j->rows, wt, c1 - c0, o);
        j->k->act(j->act, o, o, c1 - c0);
    }
}

void mbi_se_gate_run(const mbi_se_gate *g, const mbi_kernels *k, struct mbi_threadpool *pool,
                     const float *x, float *scratch, float *scale)
{
    const size_t nc = g->n * g->c;
    float *partial = scratch, *hidden = scratch + g->tasks * nc;
    mean_job j = {g, k->chanwise, x, partial};
    mbi_threadpool_run(pool, g->tasks, mean_task, &j);
    const size_t hw = g->h * g->w;
    const float inv = 1.0f / (float)(hw ? hw : 1);
    for (size_t i = 0; i < nc; i++) {
        float s = partial[i];
        for (size_t t = 1; t < g->tasks; t++)
            s += partial[t * nc + i];
        partial[i] = s * inv;
    }
    fc_job f1 = {g, k, false, g->c, g->r, g->b1, partial, hidden, &g->act1};
    mbi_threadpool_run(pool, g->fc_tasks, fc_task, &f1);
    fc_job f2 = {g, k, true, g->r, g->c, g->b2, hidden, scale, &g->act2};
    mbi_threadpool_run(pool, g->fc_tasks, fc_task, &f2);
}
