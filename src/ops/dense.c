/* Dense (com.mobinfer): Y[..., N] = epilogue(A[..., K] x W + bias), the
 * fast form of MatMul and Gemm with constant weights, made by
 * src/opt/dense_from_matmul.c.
 *   inputs: A (float32, rank >= 1), W (constant), bias [N] (constant,
 *   optional), residual of Y's shape (when attribute residual = 1)
 *   attributes: transposed = 1 when W is [N, K] (Gemm's transB), else
 *   [K, N]; the epilogue attributes (ops/epilogue_attrs.h).
 * W is packed once for the GEMM kernel; rows of A are split over threads. */
#include <string.h>

#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-vact/f32_epilogue.h"
#include "ops/epilogue_attrs.h"
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "runtime/thread_pool.h"

#define ROWS_PER_TASK 96
/* A task streams its block of W: below ~64k multiply-adds (a few us) a
 * second thread costs more than it saves. */
#define TASK_MIN_MACS 65536u
#define TASKS_PER_THREAD 4
/* At most this many rows of A, a Dense reads ~4/M bytes of W per
 * multiply-add, more than memory delivers to one core at the FMA rate: it
 * lists W as its reads, for the node ahead to prefetch (op.h). */
#define STREAM_MAX_ROWS 8

typedef struct dense_params {
    size_t m, n, k;
    float *packed;
    mbi_epilogue ep;
    mbi_f32_minmax mm;
    bool tile_pass;
    bool serial; /* too little work to fork */
    size_t m_tasks, n_tasks, n_block;
} dense_params;

typedef struct dense_job {
    const dense_params *p;
    const mbi_kernels *kern;
    const float *a, *residual;
    float *y;
} dense_job;

/* Thread t's tasks, on time, are its share of the column blocks: the
 * packed blocks from its first column to its last. */
static mobinfer_status list_reads(mbi_op_ctx *ctx, const dense_params *p)
{
    const mbi_f32_gemm_kernel *gk = ctx->kernels->gemm;
    const size_t nr = gk->nr, bytes = mbi_f32_gemm_packed_floats(gk, nr, p->k) * sizeof(float);
    int n = p->serial ? 1 : ctx->num_threads;
    mbi_byte_span *reads = mbi_op_alloc(ctx, (size_t)n * sizeof *reads);
    if (!reads)
        return ctx->err->status;
    for (int t = 0; t < n; t++) {
        size_t b, e;
        mbi_threadpool_share(p->n_tasks, n, t, &b, &e);
        size_t n0 = b * p->n_block, n1 = e * p->n_block < p->n ? e * p->n_block : p->n;
        if (n0 < n1)
            reads[t] = (mbi_byte_span){(const char *)p->packed + n0 / nr * bytes,
                                       (n1 - n0 + nr - 1) / nr * bytes};
    }
    ctx->reads = reads;
    ctx->n_reads = n;
    return MOBINFER_OK;
}

static mobinfer_status dense_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_kernels(ctx)))
        return st;
    if ((st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_dtype(ctx, 1, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_constant(ctx, 1, "W")))
        return st;
    const mbi_tensor *a = ctx->in[0], *w = ctx->in[1], *b = mbi_op_input(ctx, 2);
    int64_t transposed;
    if ((st = mbi_attr_int(ctx->node, "transposed", 0, &transposed, ctx->err)))
        return st;
    if (a->rank < 1 || w->rank != 2)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "Dense needs A of rank >= 1 and a 2-D W");
    dense_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if ((st = mbi_epilogue_from_attrs(ctx->node, &p->ep, ctx->err)))
        return st;
    p->k = (size_t)a->dims[a->rank - 1];
    p->n = (size_t)w->dims[transposed ? 0 : 1];
    if ((size_t)w->dims[transposed ? 1 : 0] != p->k)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "A has %zu columns but W has %lld rows",
                        p->k, (long long)w->dims[transposed ? 1 : 0]);
    if (b && ((st = mbi_op_require_constant(ctx, 2, "bias")) ||
              (st = mbi_op_require_dtype(ctx, 2, MOBINFER_DTYPE_FLOAT32))))
        return st;
    if (b && mbi_tensor_numel(b) != (int64_t)p->n)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "the bias must have %zu values", p->n);
    int64_t dims[MBI_MAX_RANK];
    memcpy(dims, a->dims, sizeof(int64_t) * (size_t)a->rank);
    dims[a->rank - 1] = (int64_t)p->n;
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, a->rank);
    p->m = p->k ? (size_t)(mbi_tensor_numel(a) / (int64_t)p->k) : 0;
    if (p->ep.residual) {
        const mbi_tensor *r = ctx->in[ctx->n_in - 1];
        if (ctx->n_in < 4 || !r || r->dtype != MOBINFER_DTYPE_FLOAT32 || r->rank != a->rank ||
            memcmp(r->dims, dims, sizeof(int64_t) * (size_t)a->rank) != 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "the residual input must be float32 of the output's shape");
    }
    p->tile_pass = mbi_epilogue_split(&p->ep, &p->mm);

    const mbi_f32_gemm_kernel *gk = ctx->kernels->gemm;
    size_t floats = mbi_f32_gemm_packed_floats(gk, p->n, p->k);
    p->packed = floats < SIZE_MAX / 4 ? mbi_pool_alloc_aligned(ctx->pool, floats * 4, 64) : NULL;
    if (!p->packed)
        return mbi_fail(ctx->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    if (transposed)
        mbi_f32_gemm_pack(gk, p->n, p->k, w->data, p->k, 1, b ? b->data : NULL, p->packed);
    else
        mbi_f32_gemm_pack(gk, p->n, p->k, w->data, 1, p->n, b ? b->data : NULL, p->packed);

    p->m_tasks = (p->m + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
    size_t n_blocks = (p->n + gk->nr - 1) / gk->nr;
    /* Few rows (M = 1 in classifier heads): column blocks, a few per thread
     * so that a thread that starts late leaves blocks to steal (the rows of
     * A are tiny, every block streams its own part of W); none below
     * TASK_MIN_MACS. The thread pool gives each thread a contiguous share
     * of the tasks, rows first, as ConvNhwc does (cache locality). */
    const uint64_t macs = (uint64_t)p->m * p->n * p->k;
    size_t threads = (size_t)(ctx->num_threads > 0 ? ctx->num_threads : 1);
    size_t want = threads * TASKS_PER_THREAD, split = 1;
    if (macs / TASK_MIN_MACS < want)
        want = macs / TASK_MIN_MACS > 1 ? (size_t)(macs / TASK_MIN_MACS) : 1;
    p->serial = threads < 2 || want < 2;
    if (p->m_tasks < want)
        split = (want + p->m_tasks - 1) / (p->m_tasks ? p->m_tasks : 1);
    if (split > n_blocks)
        split = n_blocks ? n_blocks : 1;
    p->n_block = (n_blocks + split - 1) / split * gk->nr;
    p->n_tasks = p->n_block ? (p->n + p->n_block - 1) / p->n_block : 0;
    if (p->m <= STREAM_MAX_ROWS && p->m_tasks == 1 && p->n_tasks && (st = list_reads(ctx, p)))
        return st;
    ctx->macs = macs;
    ctx->params = p;
    return MOBINFER_OK;
}

static void dense_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const dense_job *j = arg;
    const dense_params *p = j->p;
    size_t mt = task / p->n_tasks, nt = task % p->n_tasks;
    size_t m0 = mt * ROWS_PER_TASK;
    size_t rows = p->m - m0 < ROWS_PER_TASK ? p->m - m0 : ROWS_PER_TASK;
    size_t n0 = nt * p->n_block;
    size_t n1 = n0 + p->n_block < p->n ? n0 + p->n_block : p->n;
    float *c = j->y + m0 * p->n;
    mbi_f32_gemm_compute(j->kern->gemm, rows, n0, n1, p->k, j->a + m0 * p->k, p->k, p->packed, c,
                         p->n, &p->mm);
    if (p->tile_pass)
        mbi_f32_epilogue_tile(j->kern->act, &p->ep, c + n0, rows, n1 - n0, p->n,
                              j->residual ? j->residual + m0 * p->n + n0 : NULL, p->n);
}

static mobinfer_status dense_run(mbi_op_ctx *ctx)
{
    const dense_params *p = ctx->params;
    dense_job j = {p, ctx->kernels, ctx->in[0]->data,
                   p->ep.residual ? ctx->in[ctx->n_in - 1]->data : NULL, ctx->out[0]->data};
    if (p->m && p->n)
        mbi_threadpool_run(p->serial ? NULL : ctx->threadpool, p->m_tasks * p->n_tasks,
                           dense_task, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Dense = {"Dense", "com.mobinfer", 0, dense_prepare, dense_run};
