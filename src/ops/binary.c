/* Broadcasting elementwise operators: the two-input arithmetic operators,
 * Mod, Pow and PRelu, the comparisons and logic operators, the variadic
 * Min/Max/Sum/Mean, and Where. All of them describe their inputs with one
 * mbi_bcast geometry (ops/ref/broadcast_ref.h) built here at prepare time;
 * the node's op_type selects the entry of `binary_ops`. Float32 Add, Sub,
 * Mul, Div, Min, Max, Sum and Mean walk the same geometry with the session's
 * vectorized row kernels (kernels/f32-vbinary); the reference kernels do
 * everything else. */
#include <stdio.h>
#include <string.h>

#include "kernels/f32-vbinary/f32_vbinary.h"
#include "runtime/thread_pool.h"
#include "ops/math_ops.h"
#include "ops/op.h"
#include "ops/ref/binary_ref.h"

typedef enum binary_kind {
    KIND_ARITH,    /* out has the inputs' dtype */
    KIND_COMPARE,  /* out is bool */
    KIND_LOGIC,    /* bool in, bool out */
    KIND_MOD,      /* arithmetic, operation chosen by the fmod attribute */
    KIND_POW,      /* base and exponent may differ in type */
    KIND_PRELU,    /* slope broadcast to X only */
    KIND_VARIADIC, /* any number of inputs, folded left to right */
    KIND_WHERE
} binary_kind;

typedef struct binary_info {
    const char *op_type;
    binary_kind kind;
    mbi_binop op;
} binary_info;

static const binary_info binary_ops[] = {
    {"Add", KIND_ARITH, MBI_BINOP_ADD},
    {"And", KIND_LOGIC, MBI_BINOP_AND},
    {"Div", KIND_ARITH, MBI_BINOP_DIV},
    {"Equal", KIND_COMPARE, MBI_BINOP_EQUAL},
    {"Greater", KIND_COMPARE, MBI_BINOP_GREATER},
    {"GreaterOrEqual", KIND_COMPARE, MBI_BINOP_GREATER_EQUAL},
    {"Less", KIND_COMPARE, MBI_BINOP_LESS},
    {"LessOrEqual", KIND_COMPARE, MBI_BINOP_LESS_EQUAL},
    {"Max", KIND_VARIADIC, MBI_BINOP_MAX},
    {"Mean", KIND_VARIADIC, MBI_BINOP_ADD},
    {"Min", KIND_VARIADIC, MBI_BINOP_MIN},
    {"Mod", KIND_MOD, MBI_BINOP_MOD},
    {"Mul", KIND_ARITH, MBI_BINOP_MUL},
    {"Or", KIND_LOGIC, MBI_BINOP_OR},
    {"Pow", KIND_POW, MBI_BINOP_ADD /* unused */},
    {"PRelu", KIND_PRELU, MBI_BINOP_PRELU},
    {"Sub", KIND_ARITH, MBI_BINOP_SUB},
    {"Sum", KIND_VARIADIC, MBI_BINOP_ADD},
    {"Where", KIND_WHERE, MBI_BINOP_ADD /* unused */},
    {"Xor", KIND_LOGIC, MBI_BINOP_XOR},
};

typedef struct binary_params {
    binary_kind kind;
    mbi_binop op;
    bool mean;     /* Mean: divide the sum by the input count */
    int n_geom;
    /* One geometry per step: inputs (0, 1) for the first, then (output,
     * input k) for every further input of a variadic operator. */
    mbi_bcast *geom;
    /* Float32 fast path, or NULL. */
    const mbi_f32_vbinary_kernel *vk;
    mbi_f32_vbinop vop;
} binary_params;

/* The vectorized kernels take every geometry whose rows have unit or zero
 * strides with at least one operand running along the row, which
 * mbi_bcast_init produces for two inputs; checked rather than assumed. */
static bool rows_fit(const mbi_bcast *g)
{
    const int last = g->rank - 1;
    const int64_t sa = g->strides[0][last], sb = g->strides[1][last];
    return g->n_in == 2 && (sa == 0 || sa == 1) && (sb == 0 || sb == 1) && (sa || sb);
}

static void choose_fast_path(const mbi_op_ctx *ctx, binary_params *bp)
{
    if (!ctx->kernels || !ctx->kernels->vbinary || ctx->in[0]->dtype != MOBINFER_DTYPE_FLOAT32 ||
        (bp->kind != KIND_ARITH && bp->kind != KIND_VARIADIC))
        return;
    switch (bp->op) {
    case MBI_BINOP_ADD: bp->vop = MBI_F32_VBINOP_ADD; break;
    case MBI_BINOP_SUB: bp->vop = MBI_F32_VBINOP_SUB; break;
    case MBI_BINOP_MUL: bp->vop = MBI_F32_VBINOP_MUL; break;
    case MBI_BINOP_DIV: bp->vop = MBI_F32_VBINOP_DIV; break;
    case MBI_BINOP_MIN: bp->vop = MBI_F32_VBINOP_MIN; break;
    case MBI_BINOP_MAX: bp->vop = MBI_F32_VBINOP_MAX; break;
    default: return;
    }
    for (int s = 0; s < bp->n_geom; s++)
        if (!rows_fit(&bp->geom[s]))
            return;
    bp->vk = ctx->kernels->vbinary;
}

/* One row kernel call per row of g; each row is read before it is written,
 * so out may be a (in place) when a is not broadcast. */
static void vbinary_rows(const mbi_f32_vbinary_kernel *k, mbi_f32_vbinop op, const mbi_bcast *g,
                         const float *a, const float *b, float *out)
{
    if (g->numel == 0)
        return;
    const int last = g->rank - 1;
    const size_t n = (size_t)g->dims[last];
    const int64_t sa = g->strides[0][last], sb = g->strides[1][last];
    const mbi_f32_vbinary_fn fn = sa && sb ? k->vv[op] : sa ? k->vs[op] : k->sv[op];
    if (g->rank == 1) {
        fn(a, b, out, n);
        return;
    }
    mbi_bcast_iter it;
    mbi_bcast_iter_begin(g, &it);
    do {
        fn(a + it.off[0], b + it.off[1], out, n);
        out += n;
    } while (mbi_bcast_iter_next(g, &it));
}

/* Elements [e0, e1) of vbinary_rows, for one thread: rows cut where the
 * range cuts them (each input has stride 1 or 0 along a row), the start
 * found by dividing the row index, then an odometer over the outer
 * dimensions. Elements rather than rows: a same-shape or scalar operand
 * collapses to a single row, which must still split. */
static void vbinary_elem_range(const mbi_f32_vbinary_kernel *k, mbi_f32_vbinop op,
                               const mbi_bcast *g, const float *a, const float *b, float *out,
                               int64_t e0, int64_t e1)
{
    const int last = g->rank - 1;
    const int64_t n = g->dims[last];
    const int64_t sa = g->strides[0][last], sb = g->strides[1][last];
    const mbi_f32_vbinary_fn fn = sa && sb ? k->vv[op] : sa ? k->vs[op] : k->sv[op];
    int64_t idx[MBI_MAX_RANK] = {0}, rest = e0 / n, oa = 0, ob = 0;
    for (int d = last - 1; d >= 0; d--) {
        idx[d] = rest % g->dims[d];
        rest /= g->dims[d];
        oa += idx[d] * g->strides[0][d];
        ob += idx[d] * g->strides[1][d];
    }
    int64_t col = e0 % n;
    for (int64_t e = e0; e < e1;) {
        int64_t len = n - col < e1 - e ? n - col : e1 - e;
        fn(a + oa + col * sa, b + ob + col * sb, out + e, (size_t)len);
        e += len;
        col = 0;
        for (int d = last - 1; d >= 0; d--) {
            oa += g->strides[0][d];
            ob += g->strides[1][d];
            if (++idx[d] < g->dims[d])
                break;
            oa -= g->strides[0][d] * g->dims[d];
            ob -= g->strides[1][d] * g->dims[d];
            idx[d] = 0;
        }
    }
}

typedef struct vbinary_job {
    const mbi_f32_vbinary_kernel *k;
    mbi_f32_vbinop op;
    const mbi_bcast *g;
    const float *a, *b;
    float *out;
} vbinary_job;

static void vbinary_range(void *arg, size_t e0, size_t e1, int thread)
{
    (void)thread;
    const vbinary_job *j = arg;
    vbinary_elem_range(j->k, j->op, j->g, j->a, j->b, j->out, (int64_t)e0, (int64_t)e1);
}

/* The fewest elements worth a chunk of their own: about 3 us of a
 * streaming binary op, as much as a fork-join with spinning workers costs
 * (bench_fork_join). Smaller tensors (a few thousand floats) stay on the
 * caller. A multiple of every vector width, so chunks end on whole vectors. */
#define PARALLEL_GRAIN_ELEMENTS 8192

/* vbinary_rows split over the session's threads when the tensor is large. */
static void vbinary_parallel(const mbi_op_ctx *ctx, const mbi_f32_vbinary_kernel *k,
                             mbi_f32_vbinop op, const mbi_bcast *g, const float *a,
                             const float *b, float *out)
{
    if (ctx->num_threads < 2 || g->numel < 2 * PARALLEL_GRAIN_ELEMENTS) {
        vbinary_rows(k, op, g, a, b, out);
        return;
    }
    vbinary_job j = {k, op, g, a, b, out};
    mbi_threadpool_run_chunks(ctx->threadpool, (size_t)g->numel, PARALLEL_GRAIN_ELEMENTS,
                              vbinary_range, &j);
}

static const binary_info *find_info(const char *op_type)
{
    for (size_t i = 0; i < sizeof binary_ops / sizeof binary_ops[0]; i++)
        if (strcmp(binary_ops[i].op_type, op_type) == 0)
            return &binary_ops[i];
    return NULL;
}

static mobinfer_status shape_error(mbi_op_ctx *ctx, const char *what)
{
    char msg[MBI_ERROR_MESSAGE_BYTES] = "";
    size_t at = 0;
    for (int i = 0; i < ctx->n_in && at < sizeof msg; i++) {
        char buf[96];
        const mbi_tensor *t = ctx->in[i];
        at += (size_t)snprintf(msg + at, sizeof msg - at, "%s%s", i ? ", " : "",
                               t ? mbi_shape_str(t->dims, t->rank, buf, sizeof buf) : "none");
    }
    return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "%s: input shapes %s", what, msg);
}

/* Geometry of n inputs (their shapes only) onto the output shape. */
static mobinfer_status make_geom(mbi_op_ctx *ctx, mbi_bcast *g, const int64_t *out_dims,
                                 int out_rank, int n, const mbi_tensor *const *in)
{
    const int64_t *dims[MBI_BCAST_MAX_IN];
    int ranks[MBI_BCAST_MAX_IN];
    for (int k = 0; k < n; k++) {
        dims[k] = in[k]->dims;
        ranks[k] = in[k]->rank;
    }
    if (!mbi_bcast_init(g, out_dims, out_rank, n, dims, ranks))
        return shape_error(ctx, "shapes cannot be broadcast together");
    return MOBINFER_OK;
}

static mobinfer_status check_inputs(mbi_op_ctx *ctx, int min_in, int max_in)
{
    if (ctx->n_in < min_in || ctx->n_in > max_in) {
        if (min_in == max_in)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "expected %d inputs, got %d",
                            min_in, ctx->n_in);
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "expected at least %d inputs, got %d",
                        min_in, ctx->n_in);
    }
    for (int i = 0; i < ctx->n_in; i++) {
        mobinfer_status st = mbi_op_require_input(ctx, i);
        if (st)
            return st;
    }
    if (ctx->n_out < 1 || !ctx->out[0])
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "output 0 is required");
    return MOBINFER_OK;
}

static mobinfer_status same_dtype(mbi_op_ctx *ctx, int first, int last)
{
    for (int i = first + 1; i <= last; i++)
        if (ctx->in[i]->dtype != ctx->in[first]->dtype)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "input %d has type %s but input %d has type %s", i,
                            mbi_dtype_name(ctx->in[i]->dtype), first,
                            mbi_dtype_name(ctx->in[first]->dtype));
    return MOBINFER_OK;
}

static mobinfer_status unsupported_type(mbi_op_ctx *ctx, mobinfer_dtype dtype)
{
    return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input type %s is not supported",
                    mbi_dtype_name(dtype));
}

static mobinfer_status binary_prepare(mbi_op_ctx *ctx)
{
    const binary_info *info = find_info(ctx->node->op_type);
    if (!info)
        return mbi_fail(ctx->err, MOBINFER_ERR_INTERNAL, "no binary entry for %s",
                        ctx->node->op_type);
    /* Before opset 7, arithmetic took `broadcast`/`axis` attributes with
     * different alignment rules. */
    if (ctx->opset < 7 && mbi_attr_find(ctx->node, "broadcast"))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "the legacy 'broadcast' attribute (opset < 7) is not supported");

    int min_in = 2, max_in = 2;
    if (info->kind == KIND_VARIADIC) {
        min_in = 1;
        max_in = 1 << 20;
    } else if (info->kind == KIND_WHERE) {
        min_in = max_in = 3;
    }
    mobinfer_status st = check_inputs(ctx, min_in, max_in);
    if (st)
        return st;

    binary_params *bp = mbi_op_alloc(ctx, sizeof *bp);
    if (!bp)
        return ctx->err->status;
    bp->kind = info->kind;
    bp->op = info->op;
    bp->mean = strcmp(info->op_type, "Mean") == 0;

    const mbi_tensor *a = ctx->in[0];
    mobinfer_dtype out_dtype = a->dtype;
    switch (info->kind) {
    case KIND_POW:
        if (!mbi_ref_pow_supported(a->dtype, ctx->in[1]->dtype))
            return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                            "Pow of %s by %s is not supported", mbi_dtype_name(a->dtype),
                            mbi_dtype_name(ctx->in[1]->dtype));
        break;
    case KIND_WHERE:
        if (a->dtype != MOBINFER_DTYPE_BOOL)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "input 'condition' must be bool, got %s", mbi_dtype_name(a->dtype));
        if ((st = same_dtype(ctx, 1, 2)))
            return st;
        out_dtype = ctx->in[1]->dtype;
        break;
    case KIND_MOD: {
        int64_t fmod;
        if ((st = mbi_attr_int(ctx->node, "fmod", 0, &fmod, ctx->err)))
            return st;
        if (fmod != 0 && fmod != 1)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'fmod' must be 0 or 1, got %lld", (long long)fmod);
        if (fmod == 0 && a->dtype == MOBINFER_DTYPE_FLOAT32)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'fmod' must be 1 for floating-point inputs");
        bp->op = fmod ? MBI_BINOP_FMOD : MBI_BINOP_MOD;
    }
        /* fall through */
    default:
        if ((st = same_dtype(ctx, 0, ctx->n_in - 1)))
            return st;
        if (!mbi_ref_binary_supported(bp->op, a->dtype) ||
            (bp->mean && a->dtype != MOBINFER_DTYPE_FLOAT32))
            return unsupported_type(ctx, a->dtype);
        if (info->kind == KIND_COMPARE || info->kind == KIND_LOGIC)
            out_dtype = MOBINFER_DTYPE_BOOL;
        break;
    }

    /* Output shape. */
    int64_t out_dims[MBI_MAX_RANK] = {0};
    int out_rank = a->rank;
    if (a->rank > 0)
        memcpy(out_dims, a->dims, (size_t)a->rank * sizeof out_dims[0]);
    if (info->kind != KIND_PRELU) {
        for (int i = 1; i < ctx->n_in; i++) {
            const mbi_tensor *t = ctx->in[i];
            int64_t prev[MBI_MAX_RANK];
            memcpy(prev, out_dims, sizeof prev);
            if (!mbi_broadcast_shape(prev, out_rank, t->dims, t->rank, out_dims, &out_rank))
                return shape_error(ctx, "shapes cannot be broadcast together");
        }
    }

    /* Geometries. */
    bp->n_geom = info->kind == KIND_VARIADIC ? ctx->n_in - 1 : 1;
    if (bp->n_geom > 0) {
        bp->geom = mbi_op_alloc(ctx, (size_t)bp->n_geom * sizeof *bp->geom);
        if (!bp->geom)
            return ctx->err->status;
    }
    if (info->kind == KIND_WHERE) {
        const mbi_tensor *in3[3] = {ctx->in[0], ctx->in[1], ctx->in[2]};
        st = make_geom(ctx, &bp->geom[0], out_dims, out_rank, 3, in3);
    } else if (info->kind == KIND_PRELU) {
        const mbi_tensor *in2[2] = {ctx->in[0], ctx->in[1]};
        st = make_geom(ctx, &bp->geom[0], out_dims, out_rank, 2, in2);
        if (st)
            return shape_error(ctx, "slope cannot be broadcast to the shape of X");
    } else {
        /* The output stands in for the accumulated left operand from the
         * second step on. */
        mbi_tensor acc = {0};
        acc.rank = out_rank;
        memcpy(acc.dims, out_dims, sizeof acc.dims);
        for (int s = 0; s < bp->n_geom && !st; s++) {
            const mbi_tensor *in2[2] = {s == 0 ? ctx->in[0] : &acc, ctx->in[s + 1]};
            st = make_geom(ctx, &bp->geom[s], out_dims, out_rank, 2, in2);
        }
    }
    if (st)
        return st;
    choose_fast_path(ctx, bp);
    ctx->params = bp;
    mbi_op_set_output(ctx, 0, out_dtype, out_dims, out_rank);
    return MOBINFER_OK;
}

static mobinfer_status binary_run(mbi_op_ctx *ctx)
{
    const binary_params *bp = ctx->params;
    const mbi_tensor *a = ctx->in[0];
    mbi_tensor *out = ctx->out[0];
    switch (bp->kind) {
    case KIND_POW:
        mbi_ref_pow(&bp->geom[0], a->dtype, a->data, ctx->in[1]->dtype, ctx->in[1]->data,
                    out->data);
        break;
    case KIND_WHERE:
        mbi_ref_where(&bp->geom[0], mbi_dtype_size(out->dtype), a->data, ctx->in[1]->data,
                      ctx->in[2]->data, out->data);
        break;
    case KIND_VARIADIC:
        if (bp->n_geom == 0) {
            if (out->data != a->data)
                memcpy(out->data, a->data, mbi_tensor_bytes(a));
            break;
        }
        for (int s = 0; s < bp->n_geom; s++) {
            const void *left = s == 0 ? a->data : out->data;
            if (bp->vk)
                vbinary_rows(bp->vk, bp->vop, &bp->geom[s], left, ctx->in[s + 1]->data, out->data);
            else
                mbi_ref_binary(bp->op, a->dtype, &bp->geom[s], left, ctx->in[s + 1]->data,
                               out->data);
        }
        if (bp->mean) {
            float *o = out->data;
            const float n = (float)ctx->n_in;
            const int64_t count = mbi_tensor_numel(out);
            for (int64_t i = 0; i < count; i++)
                o[i] /= n;
        }
        break;
    default:
        if (bp->vk)
            vbinary_parallel(ctx, bp->vk, bp->vop, &bp->geom[0], a->data, ctx->in[1]->data,
                             out->data);
        else
            mbi_ref_binary(bp->op, a->dtype, &bp->geom[0], a->data, ctx->in[1]->data, out->data);
        break;
    }
    return MOBINFER_OK;
}

#define BINARY_DEF(NAME, FLAGS) \
    const mbi_op_def mbi_op_##NAME = {#NAME, "", FLAGS, binary_prepare, binary_run};

BINARY_DEF(Add, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(And, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Div, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Equal, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Greater, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(GreaterOrEqual, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Less, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(LessOrEqual, MBI_OP_INPLACE_INPUT0)
/* Variadic operators are not in-place: a later input may be the same value
 * as input 0, which the first step would already have overwritten. */
BINARY_DEF(Max, 0)
BINARY_DEF(Mean, 0)
BINARY_DEF(Min, 0)
BINARY_DEF(Mod, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Mul, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Or, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Pow, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(PRelu, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Sub, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Sum, 0)
BINARY_DEF(Where, MBI_OP_INPLACE_INPUT0)
BINARY_DEF(Xor, MBI_OP_INPLACE_INPUT0)
