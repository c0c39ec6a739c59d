/* SqueezeExciteProject (com.mobinfer): a squeeze-and-excitation block and
 * the pointwise projection that is the only reader of its output, as one
 * operator, made by src/opt/fuse_squeeze_excite.c (EfficientNet, MnasNet,
 * MobileNetV3 blocks).
 *   X [N, H, W, C], W1 [R, C, 1, 1], B1 [R] (optional), W2 [C, R, 1, 1],
 *   B2 [C] (optional), Wp [M, C, 1, 1], Bp [M] (optional),
 *   R [N, H, W, M] when residual = 1  ->  Y [N, H, W, M]
 *   s = act2(W2 act1(W1 mean_hw(X) + B1) + B2)              per image
 *   Y = epilogue((X * s) Wp^T + Bp) = epilogue(X (Wp * s)^T + Bp)
 * Attributes: se_activation/se_alpha/se_beta (act1), gate_activation/
 * gate_alpha/gate_beta (act2), and the projection's epilogue
 * (ops/epilogue_attrs.h).
 *
 * Why: the gate scales input channels of the projection, so instead of
 * writing X * s (a pass over X and a write of a tensor of X's size) each run
 * scales a copy of the projection's packed weights (M*C floats per image;
 * the pass fuses only where that is smaller than X) and runs the GEMM on X
 * itself. The bias is not scaled: it is added after the product. */
#include <string.h>

#include "ir/attr.h"
#include "kernels/f32-chanwise/f32_chanwise.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-vact/f32_epilogue.h"
#include "ops/epilogue_attrs.h"
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "ops/squeeze_excite_gate.h"
#include "runtime/thread_pool.h"

/* As in ConvNhwc: a fork-join is worth ~100k MACs per task, and floats of X
 * per task of the mean. */
#define SEP_MACS_PER_TASK 100000
#define SEP_ELEMENTS_PER_TASK 32768
#define SEP_UNIT_MIN_MACS 2000000u

typedef struct sep_params {
    mbi_se_gate *gate;
    size_t m;              /* output channels */
    size_t packed_floats;  /* one copy of the packed weights */
    size_t copy_floats;    /* the same, rounded up to 64 bytes */
    const float *packed;   /* Wp and Bp, packed for the GEMM */
    mbi_epilogue ep;
    mbi_f32_minmax mm;
    bool tile_pass;
    size_t task_pixels, m_tasks, n_block, n_tasks;
    size_t wscale_tasks; /* input-channel ranges of the weight scaling */
} sep_params;

typedef struct sep_job {
    const sep_params *p;
    const mbi_kernels *kern;
    const float *x;
    const float *residual;
    float *y;
    const float *weights; /* N scaled copies of the packed weights */
} sep_job;

static size_t task_count(uint64_t work, uint64_t per_task, size_t threads)
{
    uint64_t by_work = work / per_task;
    if (threads < 2 || by_work < 2)
        return 1;
    return by_work < threads ? (size_t)by_work : threads;
}

static mobinfer_status sep_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_kernels(ctx)))
        return st;
    mbi_act act1, act2;
    if ((st = mbi_act_from_attrs(ctx->node, "se_activation", "se_alpha", "se_beta", &act1,
                                 ctx->err)) ||
        (st = mbi_act_from_attrs(ctx->node, "gate_activation", "gate_alpha", "gate_beta", &act2,
                                 ctx->err)))
        return st;
    sep_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if ((st = mbi_epilogue_from_attrs(ctx->node, &p->ep, ctx->err)))
        return st;
    p->gate = mbi_se_gate_prepare(ctx, act1, act2, SEP_ELEMENTS_PER_TASK);
    if (!p->gate)
        return ctx->err->status;
    const mbi_se_gate *g = p->gate;
    if ((st = mbi_op_require_dtype(ctx, 5, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_constant(ctx, 5, "Wp")))
        return st;
    const mbi_tensor *wp = ctx->in[5], *bp = mbi_op_input(ctx, 6);
    if (bp && ((st = mbi_op_require_dtype(ctx, 6, MOBINFER_DTYPE_FLOAT32)) ||
               (st = mbi_op_require_constant(ctx, 6, "Bp"))))
        return st;
    if (wp->rank != 4 || (size_t)wp->dims[1] != g->c || wp->dims[2] != 1 || wp->dims[3] != 1 ||
        (bp && (bp->rank != 1 || bp->dims[0] != wp->dims[0])))
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "SqueezeExciteProject needs Wp [M, %zu, 1, 1] and Bp [M]", g->c);
    p->m = (size_t)wp->dims[0];
    int64_t dims[4] = {(int64_t)g->n, (int64_t)g->h, (int64_t)g->w, (int64_t)p->m};
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, 4);
    if (p->ep.residual) {
        const mbi_tensor *res = ctx->n_in == 8 ? ctx->in[7] : NULL;
        if (!res || res->dtype != MOBINFER_DTYPE_FLOAT32 || res->rank != 4 ||
            memcmp(res->dims, dims, sizeof dims) != 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "the residual input must be float32 of the output's shape");
    }
    p->tile_pass = mbi_epilogue_split(&p->ep, &p->mm);

    const mbi_f32_gemm_kernel *gk = ctx->kernels->gemm;
    p->packed_floats = mbi_f32_gemm_packed_floats(gk, p->m, g->c);
    if (p->packed_floats >= SIZE_MAX / sizeof(float) / 2 / (g->n ? g->n : 1))
        return mbi_fail(ctx->err, MOBINFER_ERR_OUT_OF_MEMORY, "the projection is too large");
    p->copy_floats = (p->packed_floats + 15) / 16 * 16;
    float *packed = mbi_pool_alloc_aligned(ctx->pool, p->packed_floats * sizeof(float), 64);
    if (!packed)
        return mbi_fail(ctx->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    mbi_f32_gemm_pack(gk, p->m, g->c, wp->data, g->c, 1, bp ? bp->data : NULL, packed);
    p->packed = packed;

    /* GEMM tasks as in ConvNhwc's pointwise path: one contiguous share of
     * the pixels per thread (a multiple of mr); output-channel blocks too
     * when there are fewer shares than the work is worth. */
    const size_t pixels = g->n * g->h * g->w, mr = gk->mr, threads = (size_t)ctx->num_threads;
    const uint64_t macs = (uint64_t)pixels * p->m * g->c;
    size_t want = task_count(macs, SEP_MACS_PER_TASK, threads);
    /* Two units per thread when each stays large (ConvNhwc's rule): the
     * thread pool runs a thread's units in a row and lets the others take
     * the second one of a worker that starts late. */
    if (want == threads && want > 1 && macs / SEP_UNIT_MIN_MACS >= 2 * (uint64_t)threads)
        want *= 2;
    size_t share = (pixels + want - 1) / want;
    p->task_pixels = share ? (share + mr - 1) / mr * mr : mr;
    p->m_tasks = (pixels + p->task_pixels - 1) / p->task_pixels;
    size_t n_blocks = (p->m + gk->nr - 1) / gk->nr, split = 1;
    if (p->m_tasks && p->m_tasks < want)
        split = (want + p->m_tasks - 1) / p->m_tasks;
    if (split > n_blocks)
        split = n_blocks ? n_blocks : 1;
    p->n_block = n_blocks ? (n_blocks + split - 1) / split * gk->nr : gk->nr;
    p->n_tasks = (p->m + p->n_block - 1) / p->n_block;

    /* The weight copies are written serially unless each thread's share is
     * worth a fork-join (floats as for the mean). */
    p->wscale_tasks = task_count((uint64_t)g->n * p->packed_floats, SEP_ELEMENTS_PER_TASK,
                                 threads);
    if (p->wscale_tasks > g->c)
        p->wscale_tasks = g->c ? g->c : 1;

    /* N scaled weight copies (64-byte aligned: the scratch is), the gate's
     * scale [N][C], the gate's scratch. */
    ctx->scratch_bytes =
        sizeof(float) * (g->n * p->copy_floats + g->n * g->c + mbi_se_gate_scratch_floats(g) + 16);
    ctx->macs = (uint64_t)g->n * (g->h * g->w * g->c + 2 * g->c * g->r + p->m * g->c) + macs;
    ctx->params = p;
    return MOBINFER_OK;
}

static void gemm_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const sep_job *j = arg;
    const sep_params *p = j->p;
    const mbi_se_gate *g = p->gate;
    const size_t hw = g->h * g->w, pixels = g->n * hw, c = g->c, m = p->m;
    size_t mt = task / p->n_tasks, nt = task % p->n_tasks;
    size_t q = mt * p->task_pixels;
    size_t q1 = q + p->task_pixels < pixels ? q + p->task_pixels : pixels;
    size_t n0 = nt * p->n_block, n1 = n0 + p->n_block < m ? n0 + p->n_block : m;
    /* Images have their own weights: a share crossing images runs in parts. */
    while (q < q1) {
        size_t img = q / hw, end = (img + 1) * hw < q1 ? (img + 1) * hw : q1;
        float *out = j->y + q * m;
        mbi_f32_gemm_compute(j->kern->gemm, end - q, n0, n1, c, j->x + q * c, c,
                             j->weights + img * p->copy_floats, out, m, &p->mm);
        if (p->tile_pass)
            mbi_f32_epilogue_tile(j->kern->act, &p->ep, out + n0, end - q, n1 - n0, m,
                                  j->residual ? j->residual + q * m + n0 : NULL, m);
        q = end;
    }
}

/* Input channels [k0, k1) of every image's scaled weights: row k of each
 * packed block holds input channel k, so it is one row scale per block; the
 * bias row in front of each block is copied as is (by the task that owns
 * channel 0). */
typedef struct wscale_job {
    const sep_params *p;
    const mbi_kernels *kern;
    const float *scale; /* [N][C] */
    float *weights;
    size_t tasks;
} wscale_job;

static void wscale_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const wscale_job *j = arg;
    const sep_params *p = j->p;
    const size_t nr = j->kern->gemm->nr, k = p->gate->c;
    const size_t k0 = k * task / j->tasks, k1 = k * (task + 1) / j->tasks;
    for (size_t n = 0; n < p->gate->n; n++) {
        float *dst = j->weights + n * p->copy_floats;
        for (size_t b = 0; b < p->packed_floats; b += nr * (k + 1)) {
            if (k0 == 0)
                memcpy(dst + b, p->packed + b, nr * sizeof(float));
            j->kern->chanwise->scale_rows(k1 - k0, nr, p->packed + b + nr * (1 + k0), nr,
                                          j->scale + n * k + k0, dst + b + nr * (1 + k0), nr);
        }
    }
}

static mobinfer_status sep_run(mbi_op_ctx *ctx)
{
    const sep_params *p = ctx->params;
    const mbi_se_gate *g = p->gate;
    float *weights = ctx->scratch, *scale = weights + g->n * p->copy_floats;
    mbi_se_gate_run(g, ctx->kernels, ctx->threadpool, ctx->in[0]->data, scale + g->n * g->c,
                    scale);
    wscale_job w = {p, ctx->kernels, scale, weights, p->wscale_tasks};
    mbi_threadpool_run(ctx->threadpool, w.tasks, wscale_task, &w);
    sep_job j = {p,
                 ctx->kernels,
                 ctx->in[0]->data,
                 p->ep.residual ? ctx->in[7]->data : NULL,
                 ctx->out[0]->data,
                 weights};
    mbi_threadpool_run(ctx->threadpool, p->m_tasks * p->n_tasks, gemm_task, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_SqueezeExciteProject = {"SqueezeExciteProject", "com.mobinfer", 0,
                                                sep_prepare, sep_run};
