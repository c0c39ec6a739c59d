/* Operators that permute axes: Transpose, and DepthToSpace / SpaceToDepth,
 * which are transposes of a 6-D view of an NCHW tensor. prepare turns each
 * into dims and source strides for mbi_ref_strided_copy. */
#include <string.h>

#include "ops/op.h"
#include "ops/ref/copy_ref.h"
#include "ops/tensor_args.h"

typedef struct permute_params {
    int rank;
    size_t elem_size;
    int64_t dims[MBI_REF_COPY_MAX_RANK];    /* output view */
    int64_t strides[MBI_REF_COPY_MAX_RANK]; /* source strides per output axis */
} permute_params;

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
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Transpose = {"Transpose", "", 0, transpose_prepare, permute_run};

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
