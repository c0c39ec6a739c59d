/* Operators that permute axes: Transpose, and DepthToSpace / SpaceToDepth,
 * which are transposes of a 6-D view of an NCHW tensor. prepare turns each
 * into dims and source strides for mbi_ref_strided_copy. */
#include <string.h>

#include "ops/op.h"
#include "ops/ref/copy_ref.h"
#include "ops/tensor_args.h"
#include "runtime/thread_pool.h"

typedef struct permute_params {
    int rank;
    size_t elem_size;
    int64_t dims[MBI_REF_COPY_MAX_RANK];    /* output view */
    int64_t strides[MBI_REF_COPY_MAX_RANK]; /* source strides per output axis */
    /* > 0: a large [batch][rows][cols] -> [batch][cols][rows] transpose of
     * 4-byte elements, run in parallel (see transpose_run). */
    int64_t batch, rows, cols;
} permute_params;

/* Below this many bytes a second thread costs more than it saves. */
#define TRANSPOSE_PARALLEL_BYTES (256 * 1024)
/* The fewest elements worth a chunk of their own (a few microseconds). */
#define TRANSPOSE_GRAIN_ELEMENTS 16384

/* Output axis k takes source view axis perm[k]. */
static void permute_setup(permute_params *p, int rank, const int64_t *view, const int *perm)
{
    int64_t in_strides[MBI_REF_COPY_MAX_RANK];
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        in_strides[i] = s;
        s *= view[i];
    }
    p->rank = rank;
    for (int k = 0; k < rank; k++) {
        p->dims[k] = view[perm[k]];
        p->strides[k] = in_strides[perm[k]];
    }
}

static mobinfer_status permute_run(mbi_op_ctx *ctx)
{
    const permute_params *p = ctx->params;
    mbi_ref_strided_copy(p->elem_size, p->rank, p->dims, p->strides, ctx->in[0]->data,
                         ctx->out[0]->data);
    return MOBINFER_OK;
}

/* Recognizes a batch of matrix transposes (NCHW <-> NHWC): the output view
 * without its size-1 axes is [batch][cols][rows] (or [cols][rows]) over a
 * dense [batch][rows][cols] source. */
static void find_matrix_transpose(permute_params *p)
{
    int64_t d[MBI_REF_COPY_MAX_RANK], st[MBI_REF_COPY_MAX_RANK];
    int m = 0;
    for (int i = 0; i < p->rank; i++) {
        if (p->dims[i] == 1)
            continue;
        if (m > 0 && st[m - 1] == p->strides[i] * p->dims[i]) {
            d[m - 1] *= p->dims[i];
            st[m - 1] = p->strides[i];
            continue;
        }
        d[m] = p->dims[i];
        st[m] = p->strides[i];
        m++;
    }
    if (p->elem_size != 4 || m < 2 || m > 3 || st[m - 2] != 1 || st[m - 1] != d[m - 2] ||
        (m == 3 && st[0] != d[1] * d[2]))
        return;
    p->batch = m == 3 ? d[0] : 1;
    p->rows = d[m - 1];
    p->cols = d[m - 2];
}

/* Output rows [c0, c1) of one matrix: out[c][r] = in[r][c]. */
static void transpose_cols(const uint32_t *in, uint32_t *out, int64_t rows, int64_t cols,
                           int64_t c0, int64_t c1)
{
    enum { TILE = 16 };
    if (rows <= 4) {
        /* NCHW -> NHWC of an RGB image: one pass, no tiles. */
        for (int64_t c = c0; c < c1; c++)
            for (int64_t r = 0; r < rows; r++)
                out[c * rows + r] = in[r * cols + c];
        return;
    }
    for (int64_t r0 = 0; r0 < rows; r0 += TILE) {
        int64_t r1 = r0 + TILE < rows ? r0 + TILE : rows;
        for (int64_t t0 = c0; t0 < c1; t0 += TILE) {
            int64_t t1 = t0 + TILE < c1 ? t0 + TILE : c1;
            for (int64_t c = t0; c < t1; c++)
                for (int64_t r = r0; r < r1; r++)
                    out[c * rows + r] = in[r * cols + c];
        }
    }
}

/* Output rows [u0, u1) of all batch * cols. */
static void transpose_range(void *arg, size_t u0, size_t u1, int thread)
{
    (void)thread;
    const mbi_op_ctx *ctx = arg;
    const permute_params *p = ctx->params;
    const uint32_t *in = ctx->in[0]->data;
    uint32_t *out = ctx->out[0]->data;
    int64_t matrix = p->rows * p->cols;
    for (int64_t u = (int64_t)u0; u < (int64_t)u1;) {
        int64_t b = u / p->cols, c0 = u % p->cols;
        int64_t c1 = p->cols - c0 < (int64_t)u1 - u ? p->cols : c0 + ((int64_t)u1 - u);
        transpose_cols(in + b * matrix, out + b * matrix, p->rows, p->cols, c0, c1);
        u += c1 - c0;
    }
}

/* The graph's input conversion (NCHW -> NHWC) runs first, while the
 * workers may still be asleep from the previous run: split over threads,
 * the worker wakes here and is ready for the first convolution (MnasNet's
 * stem at 2 threads: 1 in 10 of its tasks ran on the worker before). Each
 * thread writes a contiguous share of the output pixels, the share it
 * reads in the convolution after. */
static mobinfer_status transpose_run(mbi_op_ctx *ctx)
{
    const permute_params *p = ctx->params;
    if (p->batch > 0)
        mbi_threadpool_run_chunks(ctx->threadpool, (size_t)(p->batch * p->cols),
                                  (TRANSPOSE_GRAIN_ELEMENTS + (size_t)p->rows - 1) /
                                      (size_t)p->rows,
                                  transpose_range, ctx);
    else
        permute_run(ctx);
    return MOBINFER_OK;
}

static mobinfer_status transpose_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    permute_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    p->elem_size = mbi_dtype_size(x->dtype);

    mbi_int_list list;
    if ((st = mbi_targ_attr_ints(ctx, "perm", &list)))
        return st;
    int perm[MBI_MAX_RANK];
    if (list.present) {
        if (list.count != x->rank)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'perm' has %lld entries for a tensor of rank %d",
                            (long long)list.count, x->rank);
        bool seen[MBI_MAX_RANK] = {false};
        for (int i = 0; i < x->rank; i++) {
            int64_t v = list.attr[i];
            /* Negative entries are not in the spec but are accepted by
             * ONNX Runtime, so models may carry them. */
            if (v < 0)
                v += x->rank;
            if (v < 0 || v >= x->rank || seen[v])
                return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                                "attribute 'perm' is not a permutation of 0..%d", x->rank - 1);
            seen[v] = true;
            perm[i] = (int)v;
        }
    } else {
        for (int i = 0; i < x->rank; i++)
            perm[i] = x->rank - 1 - i;
    }
    permute_setup(p, x->rank, x->dims, perm);
    mbi_op_set_output(ctx, 0, x->dtype, p->dims, x->rank);
    /* The reference path (no kernel table) stays one plain copy. */
    if (ctx->kernels && ctx->num_threads > 1 &&
        mbi_tensor_bytes(ctx->out[0]) >= TRANSPOSE_PARALLEL_BYTES)
        find_matrix_transpose(p);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Transpose = {"Transpose", "", 0, transpose_prepare, transpose_run};

/* ---- DepthToSpace / SpaceToDepth ------------------------------------------ */

static mobinfer_status blocksize_of(mbi_op_ctx *ctx, int64_t *b)
{
    const mbi_attr *a = mbi_attr_find(ctx->node, "blocksize");
    if (!a)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "attribute 'blocksize' is required");
    mobinfer_status st = mbi_attr_int(ctx->node, "blocksize", 0, b, ctx->err);
    if (st)
        return st;
    /* Bounded so that b*b cannot overflow. */
    if (*b < 1 || *b > (1 << 20))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'blocksize' %lld must be positive", (long long)*b);
    return MOBINFER_OK;
}

static mobinfer_status depth_space_common(mbi_op_ctx *ctx, permute_params **pp, int64_t *b)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    if (ctx->in[0]->rank != 4)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input must be 4-D (NCHW), not of rank %d",
                        ctx->in[0]->rank);
    if ((st = blocksize_of(ctx, b)))
        return st;
    permute_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    p->elem_size = mbi_dtype_size(ctx->in[0]->dtype);
    *pp = p;
    return MOBINFER_OK;
}

static mobinfer_status depth_to_space_prepare(mbi_op_ctx *ctx)
{
    permute_params *p = NULL;
    int64_t b = 1;
    mobinfer_status st = depth_space_common(ctx, &p, &b);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    int64_t n = x->dims[0], c = x->dims[1], h = x->dims[2], w = x->dims[3];
    if (c % (b * b) != 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "channels %lld are not divisible by blocksize^2 = %lld", (long long)c,
                        (long long)(b * b));
    const char *mode;
    if ((st = mbi_attr_string(ctx->node, "mode", "DCR", &mode, ctx->err)))
        return st;
    if (h > INT64_MAX / b || w > INT64_MAX / b)
        return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT, "output dimensions overflow");
    int64_t cb = c / (b * b);
    if (strcmp(mode, "DCR") == 0) {
        /* [N, b, b, C', H, W] -> [N, C', H, b, W, b] */
        int64_t view[6] = {n, b, b, cb, h, w};
        static const int perm[6] = {0, 3, 4, 1, 5, 2};
        permute_setup(p, 6, view, perm);
    } else if (strcmp(mode, "CRD") == 0) {
        /* [N, C', b, b, H, W] -> [N, C', H, b, W, b] */
        int64_t view[6] = {n, cb, b, b, h, w};
        static const int perm[6] = {0, 1, 4, 2, 5, 3};
        permute_setup(p, 6, view, perm);
    } else {
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'mode' must be DCR or CRD, not '%s'", mode);
    }
    int64_t dims[4] = {n, cb, h * b, w * b};
    if ((st = mbi_targ_check_numel(ctx, dims, 4, "output shape", NULL)))
        return st;
    mbi_op_set_output(ctx, 0, x->dtype, dims, 4);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_DepthToSpace = {"DepthToSpace", "", 0, depth_to_space_prepare,
                                        permute_run};

static mobinfer_status space_to_depth_prepare(mbi_op_ctx *ctx)
{
    permute_params *p = NULL;
    int64_t b = 1;
    mobinfer_status st = depth_space_common(ctx, &p, &b);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    int64_t n = x->dims[0], c = x->dims[1], h = x->dims[2], w = x->dims[3];
    if (h % b != 0 || w % b != 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "height %lld and width %lld must be divisible by blocksize %lld",
                        (long long)h, (long long)w, (long long)b);
    if (c > INT64_MAX / (b * b))
        return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT, "output channels overflow");
    /* [N, C, H', b, W', b] -> [N, b, b, C, H', W'] */
    int64_t view[6] = {n, c, h / b, b, w / b, b};
    static const int perm[6] = {0, 3, 5, 1, 2, 4};
    permute_setup(p, 6, view, perm);
    int64_t dims[4] = {n, c * b * b, h / b, w / b};
    if ((st = mbi_targ_check_numel(ctx, dims, 4, "output shape", NULL)))
        return st;
    mbi_op_set_output(ctx, 0, x->dtype, dims, 4);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_SpaceToDepth = {"SpaceToDepth", "", 0, space_to_depth_prepare,
                                        permute_run};
