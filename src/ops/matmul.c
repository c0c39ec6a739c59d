/* MatMul (NumPy semantics: batched, broadcast batch dims, 1-D operands;
 * float32, int32, int64) and Gemm (float32). */
#include <math.h>
#include <string.h>

#include "kernels/f32-gemm/f32_gemm.h"
#include "ops/nn_spatial.h"
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "ops/ref/gemm_ref.h"
#include "runtime/thread_pool.h"

typedef struct matmul_params {
    int64_t m, n, k;
    int batch_rank;
    int64_t batch_dims[MBI_MAX_RANK];
    /* Per batch axis, the step in whole matrices of A and B (0 where that
     * operand is broadcast). */
    int64_t a_step[MBI_MAX_RANK], b_step[MBI_MAX_RANK];
    int64_t batch;
    /* One product covers every batch: B is shared and A's matrices are
     * stacked contiguously, so they form a single [batch*m][k] matrix. */
    bool fold;
    /* float32: B is packed at run time into the thread's scratch for the
     * GEMM kernel (attention's Q·Kᵀ and A·V have no constant operand). */
    bool packed;
    size_t pack_floats; /* per thread, rounded to 64 bytes */
} matmul_params;

static mobinfer_status matmul_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_input(ctx, 0)) || (st = mbi_op_require_input(ctx, 1)))
        return st;
    const mbi_tensor *a = ctx->in[0], *b = ctx->in[1];
    if (a->dtype != MOBINFER_DTYPE_FLOAT32 && a->dtype != MOBINFER_DTYPE_INT32 &&
        a->dtype != MOBINFER_DTYPE_INT64)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input type %s is not supported",
                        mbi_dtype_name(a->dtype));
    if (b->dtype != a->dtype)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "the inputs have different types (%s and %s)", mbi_dtype_name(a->dtype),
                        mbi_dtype_name(b->dtype));
    if (a->rank < 1 || b->rank < 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "MatMul inputs must have rank >= 1");

    matmul_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    /* A 1-D A is a row [1, K] and a 1-D B a column [K, 1]; the added axis is
     * dropped from the result. */
    const int ab = a->rank >= 2 ? a->rank - 2 : 0, bb = b->rank >= 2 ? b->rank - 2 : 0;
    p->m = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
    p->k = a->dims[a->rank - 1];
    const int64_t kb = b->rank >= 2 ? b->dims[b->rank - 2] : b->dims[0];
    p->n = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
    char sa[128], sb[128];
    if (kb != p->k)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "shapes %s and %s cannot be multiplied (inner dimensions %lld and %lld "
                        "differ)",
                        mbi_shape_str(a->dims, a->rank, sa, sizeof sa),
                        mbi_shape_str(b->dims, b->rank, sb, sizeof sb), (long long)p->k,
                        (long long)kb);
    if (!mbi_broadcast_shape(a->dims, ab, b->dims, bb, p->batch_dims, &p->batch_rank))
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "the batch dimensions of %s and %s do not broadcast",
                        mbi_shape_str(a->dims, a->rank, sa, sizeof sa),
                        mbi_shape_str(b->dims, b->rank, sb, sizeof sb));
    mbi_broadcast_strides(a->dims, ab, p->batch_dims, p->batch_rank, p->a_step);
    mbi_broadcast_strides(b->dims, bb, p->batch_dims, p->batch_rank, p->b_step);

    int64_t dims[MBI_MAX_RANK];
    int rank = p->batch_rank;
    memcpy(dims, p->batch_dims, (size_t)rank * sizeof dims[0]);
    p->batch = 1;
    bool b_shared = true, a_full = ab == p->batch_rank;
    for (int i = 0; i < p->batch_rank; i++) {
        p->batch *= p->batch_dims[i];
        if (p->b_step[i] != 0)
            b_shared = false;
        if (a_full && a->dims[i] != p->batch_dims[i])
            a_full = false;
    }
    p->fold = b_shared && a_full;
    if (rank + (a->rank >= 2) + (b->rank >= 2) > MBI_MAX_RANK)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "the result would have too many dimensions");
    if (a->rank >= 2)
        dims[rank++] = p->m;
    if (b->rank >= 2)
        dims[rank++] = p->n;
    mbi_op_set_output(ctx, 0, a->dtype, dims, rank);
    ctx->macs = mbi_mul_sat(mbi_mul_sat((uint64_t)p->batch, (uint64_t)p->m),
                            mbi_mul_sat((uint64_t)p->n, (uint64_t)p->k));
    if (a->dtype == MOBINFER_DTYPE_FLOAT32 && ctx->kernels && ctx->kernels->gemm && p->n > 0 &&
        p->k > 0) {
        size_t f = mbi_f32_gemm_packed_floats(ctx->kernels->gemm, (size_t)p->n, (size_t)p->k);
        p->pack_floats = (f + 15) / 16 * 16;
        uint64_t bytes = mbi_mul_sat(mbi_mul_sat(p->pack_floats, sizeof(float)),
                                     (uint64_t)ctx->num_threads);
        /* A saturated size fails the planner's arena limit. */
        ctx->scratch_bytes = bytes > SIZE_MAX ? SIZE_MAX : (size_t)bytes;
        p->packed = true;
    }
    ctx->params = p;
    return MOBINFER_OK;
}

/* Multiply-adds below which a second thread costs more than it saves. */
#define TASK_MIN_MACS 50000u

typedef struct matmul_job {
    const matmul_params *p;
    const mbi_f32_gemm_kernel *gemm;
    const float *a, *b;
    float *y, *scratch;
} matmul_job;

/* Batch `task`: pack its B, then one GEMM over its rows. */
static void matmul_packed_task(void *arg, size_t task, int thread)
{
    const matmul_job *j = arg;
    const matmul_params *p = j->p;
    int64_t rest = (int64_t)task, a_mat = 0, b_mat = 0, rows = p->m;
    if (p->fold) {
        rows = p->batch * p->m;
    } else {
        for (int i = p->batch_rank - 1; i >= 0; i--) {
            int64_t idx = rest % p->batch_dims[i];
            rest /= p->batch_dims[i];
            a_mat += idx * p->a_step[i];
            b_mat += idx * p->b_step[i];
        }
    }
    float *packed = j->scratch + (size_t)thread * p->pack_floats;
    mbi_f32_gemm_pack(j->gemm, (size_t)p->n, (size_t)p->k, j->b + b_mat * p->k * p->n, 1,
                      (size_t)p->n, NULL, packed);
    mbi_f32_minmax mm = {.min = -INFINITY, .max = INFINITY};
    mbi_f32_gemm_compute(j->gemm, (size_t)rows, 0, (size_t)p->n, (size_t)p->k,
                         j->a + a_mat * p->m * p->k, (size_t)p->k, packed,
                         j->y + (int64_t)task * p->m * p->n, (size_t)p->n, &mm);
}

static void matmul_one(mobinfer_dtype dtype, int64_t m, int64_t n, int64_t k, const void *a,
                       const void *b, void *y)
{
    switch (dtype) {
    case MOBINFER_DTYPE_INT32: mbi_ref_matmul_i32(m, n, k, a, b, y); break;
    case MOBINFER_DTYPE_INT64: mbi_ref_matmul_i64(m, n, k, a, b, y); break;
    default: mbi_ref_gemm_f32(m, n, k, 1.0f, a, k, false, b, n, false, y, n); break;
    }
}

static mobinfer_status matmul_run(mbi_op_ctx *ctx)
{
    const matmul_params *p = ctx->params;
    const mobinfer_dtype dtype = ctx->in[0]->dtype;
    const size_t es = mbi_dtype_size(dtype);
    const char *a = ctx->in[0]->data, *b = ctx->in[1]->data;
    char *y = ctx->out[0]->data;
    if (p->packed) {
        if (p->m > 0 && p->batch > 0) {
            matmul_job j = {p, ctx->kernels->gemm, (const float *)a, (const float *)b,
                            (float *)y, ctx->scratch};
            /* Small products (attention heads of a few tokens) stay on the
             * caller: a fork-join costs a few microseconds. */
            uint64_t macs = mbi_mul_sat(mbi_mul_sat((uint64_t)p->batch, (uint64_t)p->m),
                                        mbi_mul_sat((uint64_t)p->n, (uint64_t)p->k));
            mbi_threadpool_run(macs >= 2 * TASK_MIN_MACS ? ctx->threadpool : NULL,
                               p->fold ? 1 : (size_t)p->batch, matmul_packed_task, &j);
        }
        return MOBINFER_OK;
    }
    if (p->fold) {
        matmul_one(dtype, p->batch * p->m, p->n, p->k, a, b, y);
        return MOBINFER_OK;
    }
    for (int64_t bi = 0; bi < p->batch; bi++) {
        int64_t rest = bi, a_mat = 0, b_mat = 0;
        for (int i = p->batch_rank - 1; i >= 0; i--) {
            int64_t idx = rest % p->batch_dims[i];
            rest /= p->batch_dims[i];
            a_mat += idx * p->a_step[i];
            b_mat += idx * p->b_step[i];
        }
        matmul_one(dtype, p->m, p->n, p->k, a + (size_t)(a_mat * p->m * p->k) * es,
                   b + (size_t)(b_mat * p->k * p->n) * es, y + (size_t)(bi * p->m * p->n) * es);
    }
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_MatMul = {"MatMul", "", 0, matmul_prepare, matmul_run};

typedef struct gemm_params {
    int64_t m, n, k;
    bool trans_a, trans_b;
    float alpha, beta;
    /* C[i][j] is c[i * c_row_step + j * c_col_step] (steps 0 on broadcast axes). */
    int64_t c_row_step, c_col_step;
} gemm_params;

static mobinfer_status gemm_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_dtype(ctx, 1, MOBINFER_DTYPE_FLOAT32)))
        return st;
    const mbi_tensor *a = ctx->in[0], *b = ctx->in[1], *c = mbi_op_input(ctx, 2);
    if (a->rank != 2 || b->rank != 2)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "inputs A and B must be matrices; they have ranks %d and %d", a->rank,
                        b->rank);
    gemm_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    int64_t ta, tb;
    if ((st = mbi_attr_int(ctx->node, "transA", 0, &ta, ctx->err)) ||
        (st = mbi_attr_int(ctx->node, "transB", 0, &tb, ctx->err)) ||
        (st = mbi_attr_float(ctx->node, "alpha", 1.0f, &p->alpha, ctx->err)) ||
        (st = mbi_attr_float(ctx->node, "beta", 1.0f, &p->beta, ctx->err)))
        return st;
    p->trans_a = ta != 0;
    p->trans_b = tb != 0;
    p->m = a->dims[p->trans_a ? 1 : 0];
    p->k = a->dims[p->trans_a ? 0 : 1];
    const int64_t kb = b->dims[p->trans_b ? 1 : 0];
    p->n = b->dims[p->trans_b ? 0 : 1];
    if (kb != p->k)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "A' is [%lld, %lld] and B' is [%lld, %lld] (after transA=%d, "
                        "transB=%d): the inner dimensions differ",
                        (long long)p->m, (long long)p->k, (long long)kb, (long long)p->n,
                        (int)p->trans_a, (int)p->trans_b);
    if (c) {
        if ((st = mbi_op_require_dtype(ctx, 2, MOBINFER_DTYPE_FLOAT32)))
            return st;
        /* C broadcasts unidirectionally to [M, N]. */
        int64_t rows = c->rank == 2 ? c->dims[0] : 1;
        int64_t cols = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
        if (c->rank > 2 || (rows != 1 && rows != p->m) || (cols != 1 && cols != p->n)) {
            char sc[128];
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "C of shape %s does not broadcast to the result [%lld, %lld]",
                            mbi_shape_str(c->dims, c->rank, sc, sizeof sc), (long long)p->m,
                            (long long)p->n);
        }
        p->c_row_step = rows == 1 ? 0 : cols;
        p->c_col_step = cols == 1 ? 0 : 1;
    }
    int64_t dims[2] = {p->m, p->n};
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, 2);
    ctx->macs = mbi_mul_sat((uint64_t)p->m, mbi_mul_sat((uint64_t)p->n, (uint64_t)p->k));
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status gemm_run(mbi_op_ctx *ctx)
{
    const gemm_params *p = ctx->params;
    const mbi_tensor *a = ctx->in[0], *b = ctx->in[1], *c = mbi_op_input(ctx, 2);
    float *y = ctx->out[0]->data;
    mbi_ref_gemm_f32(p->m, p->n, p->k, p->alpha, a->data, a->dims[1], p->trans_a, b->data,
                     b->dims[1], p->trans_b, y, p->n);
    /* beta == 0 ignores C entirely (even infinities), like ONNX Runtime. */
    if (c && p->beta != 0.0f) {
        const float *cd = c->data;
        for (int64_t i = 0; i < p->m; i++)
            for (int64_t j = 0; j < p->n; j++)
                y[i * p->n + j] += p->beta * cd[i * p->c_row_step + j * p->c_col_step];
    }
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Gemm = {"Gemm", "", 0, gemm_prepare, gemm_run};
