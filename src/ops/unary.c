/* Elementwise operators with one input and one output of the same shape:
 * activations, transcendental functions, rounding, Not, and Clip (whose
 * bounds are attributes before opset 11 and optional scalar inputs after).
 * One prepare/run pair serves them all; the node's op_type selects the
 * entry of `unary_ops`. Float32 activations, Exp and Erf run on the session's
 * vectorized kernels (kernels/f32-vact), split over the threads when large;
 * everything else, and every other dtype, on the reference kernels. */
#include <float.h>
#include <string.h>

#include "ops/math_ops.h"
#include "ops/op.h"
#include "ops/ref/unary_ref.h"
#include "runtime/thread_pool.h"

typedef struct unary_info {
    const char *op_type;
    mbi_unop op;
} unary_info;

static const unary_info unary_ops[] = {
    {"Abs", MBI_UNOP_ABS},
    {"Acos", MBI_UNOP_ACOS},
    {"Acosh", MBI_UNOP_ACOSH},
    {"Asin", MBI_UNOP_ASIN},
    {"Asinh", MBI_UNOP_ASINH},
    {"Atan", MBI_UNOP_ATAN},
    {"Atanh", MBI_UNOP_ATANH},
    {"Ceil", MBI_UNOP_CEIL},
    {"Celu", MBI_UNOP_CELU},
    {"Clip", MBI_UNOP_CLIP},
    {"Cos", MBI_UNOP_COS},
    {"Cosh", MBI_UNOP_COSH},
    {"Elu", MBI_UNOP_ELU},
    {"Erf", MBI_UNOP_ERF},
    {"Exp", MBI_UNOP_EXP},
    {"Floor", MBI_UNOP_FLOOR},
    {"Gelu", MBI_UNOP_GELU},
    {"HardSigmoid", MBI_UNOP_HARD_SIGMOID},
    {"HardSwish", MBI_UNOP_HARD_SWISH},
    {"LeakyRelu", MBI_UNOP_LEAKY_RELU},
    {"Log", MBI_UNOP_LOG},
    {"Mish", MBI_UNOP_MISH},
    {"Neg", MBI_UNOP_NEG},
    {"Not", MBI_UNOP_NOT},
    {"Reciprocal", MBI_UNOP_RECIPROCAL},
    {"Relu", MBI_UNOP_RELU},
    {"Round", MBI_UNOP_ROUND},
    {"Selu", MBI_UNOP_SELU},
    {"Sigmoid", MBI_UNOP_SIGMOID},
    {"Sign", MBI_UNOP_SIGN},
    {"Sin", MBI_UNOP_SIN},
    {"Sinh", MBI_UNOP_SINH},
    {"Softplus", MBI_UNOP_SOFTPLUS},
    {"Softsign", MBI_UNOP_SOFTSIGN},
    {"Sqrt", MBI_UNOP_SQRT},
    {"Tan", MBI_UNOP_TAN},
    {"Tanh", MBI_UNOP_TANH},
    {"ThresholdedRelu", MBI_UNOP_THRESHOLDED_RELU},
};

typedef struct unary_params {
    mbi_unop op;
    mbi_unary_params p;
    bool clip_inputs; /* Clip bounds come from inputs 1 and 2 at run time */
    /* Float32 fast path: act_fn with act, or vunary_fn; both NULL if none. */
    mbi_f32_act_fn act_fn;
    mbi_act act;
    mbi_f32_vunary_fn vunary_fn;
} unary_params;

/* Picks the vectorized kernel for a float32 op, if there is one. */
static void choose_fast_path(const mbi_op_ctx *ctx, unary_params *up)
{
    const mbi_kernels *k = ctx->kernels;
    if (!k || ctx->in[0]->dtype != MOBINFER_DTYPE_FLOAT32)
        return;
    mbi_act act = {MBI_ACT_NONE, up->p.alpha, up->p.beta};
    switch (up->op) {
    case MBI_UNOP_EXP: up->vunary_fn = k->exp; return;
    case MBI_UNOP_ERF: up->vunary_fn = k->erf; return;
    case MBI_UNOP_RELU: act.kind = MBI_ACT_RELU; break;
    case MBI_UNOP_CLIP: /* bounds are set by run */ act.kind = MBI_ACT_CLAMP; break;
    case MBI_UNOP_LEAKY_RELU: act.kind = MBI_ACT_LEAKY_RELU; break;
    case MBI_UNOP_HARD_SIGMOID: act.kind = MBI_ACT_HARD_SIGMOID; break;
    case MBI_UNOP_HARD_SWISH: act.kind = MBI_ACT_HARD_SWISH; break;
    case MBI_UNOP_SIGMOID: act.kind = MBI_ACT_SIGMOID; break;
    case MBI_UNOP_TANH: act.kind = MBI_ACT_TANH; break;
    case MBI_UNOP_GELU: act.kind = MBI_ACT_GELU_ERF; break;
    case MBI_UNOP_GELU_TANH: act.kind = MBI_ACT_GELU_TANH; break;
    default: return;
    }
    up->act = act;
    up->act_fn = k->act;
}

static mobinfer_status clip_bound_input(mbi_op_ctx *ctx, int index, const char *what)
{
    const mbi_tensor *t = mbi_op_input(ctx, index);
    if (!t)
        return MOBINFER_OK;
    if (t->dtype != ctx->in[0]->dtype)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "input '%s' has type %s but the data is %s", what,
                        mbi_dtype_name(t->dtype), mbi_dtype_name(ctx->in[0]->dtype));
    if (mbi_tensor_numel(t) != 1) {
        char buf[96];
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input '%s' must be a scalar, got shape %s",
                        what, mbi_shape_str(t->dims, t->rank, buf, sizeof buf));
    }
    return MOBINFER_OK;
}

static mobinfer_status read_attrs(mbi_op_ctx *ctx, unary_params *up)
{
    const mbi_node *node = ctx->node;
    mbi_unary_params *p = &up->p;
    mobinfer_status st = MOBINFER_OK;
    switch (up->op) {
    case MBI_UNOP_ELU:
    case MBI_UNOP_CELU:
    case MBI_UNOP_THRESHOLDED_RELU:
        st = mbi_attr_float(node, "alpha", 1.0f, &p->alpha, ctx->err);
        if (!st && up->op == MBI_UNOP_CELU && p->alpha == 0.0f)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "attribute 'alpha' must not be 0");
        break;
    case MBI_UNOP_LEAKY_RELU:
        st = mbi_attr_float(node, "alpha", 0.01f, &p->alpha, ctx->err);
        break;
    case MBI_UNOP_SELU:
        st = mbi_attr_float(node, "alpha", 1.67326319217681884765625f, &p->alpha, ctx->err);
        if (!st)
            st = mbi_attr_float(node, "gamma", 1.05070102214813232421875f, &p->gamma, ctx->err);
        break;
    case MBI_UNOP_HARD_SIGMOID:
        st = mbi_attr_float(node, "alpha", 0.2f, &p->alpha, ctx->err);
        if (!st)
            st = mbi_attr_float(node, "beta", 0.5f, &p->beta, ctx->err);
        break;
    case MBI_UNOP_GELU: {
        const char *approx;
        st = mbi_attr_string(node, "approximate", "none", &approx, ctx->err);
        if (st)
            return st;
        if (strcmp(approx, "tanh") == 0)
            up->op = MBI_UNOP_GELU_TANH;
        else if (strcmp(approx, "none") != 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'approximate' must be 'none' or 'tanh', not '%s'", approx);
        break;
    }
    case MBI_UNOP_CLIP:
        p->lo = -FLT_MAX;
        p->hi = FLT_MAX;
        if (ctx->opset < 11) {
            st = mbi_attr_float(node, "min", -FLT_MAX, &p->lo, ctx->err);
            if (!st)
                st = mbi_attr_float(node, "max", FLT_MAX, &p->hi, ctx->err);
        } else {
            if (ctx->n_in > 3)
                return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                                "Clip takes at most 3 inputs, got %d", ctx->n_in);
            st = clip_bound_input(ctx, 1, "min");
            if (!st)
                st = clip_bound_input(ctx, 2, "max");
            up->clip_inputs = true;
        }
        break;
    default: break;
    }
    return st;
}

static mobinfer_status unary_prepare(mbi_op_ctx *ctx)
{
    const unary_info *info = NULL;
    for (size_t i = 0; i < sizeof unary_ops / sizeof unary_ops[0]; i++)
        if (strcmp(unary_ops[i].op_type, ctx->node->op_type) == 0)
            info = &unary_ops[i];
    if (!info)
        return mbi_fail(ctx->err, MOBINFER_ERR_INTERNAL, "no unary entry for %s",
                        ctx->node->op_type);
    mobinfer_status st = mbi_op_require_input(ctx, 0);
    if (st)
        return st;
    if (info->op != MBI_UNOP_CLIP && ctx->n_in != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "expected 1 input, got %d",
                        ctx->n_in);
    if (ctx->n_out < 1 || !ctx->out[0])
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "output 0 is required");
    const mbi_tensor *x = ctx->in[0];
    if (!mbi_ref_unary_supported(info->op, x->dtype))
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input type %s is not supported",
                        mbi_dtype_name(x->dtype));
    unary_params *up = mbi_op_alloc(ctx, sizeof *up);
    if (!up)
        return ctx->err->status;
    up->op = info->op;
    st = read_attrs(ctx, up);
    if (st)
        return st;
    choose_fast_path(ctx, up);
    ctx->params = up;
    mbi_op_set_output(ctx, 0, x->dtype, x->dims, x->rank);
    return MOBINFER_OK;
}

/* The fewest elements worth a chunk of their own (about 3 us, the cost of
 * a fork-join with spinning workers): a multiple of every vector width.
 * Exp, Sigmoid, Tanh, GELU and Erf cost several times a Relu per element. */
#define GRAIN_CHEAP 8192
#define GRAIN_TRANSCENDENTAL 2048

static size_t grain_of(const unary_params *up)
{
    if (up->vunary_fn)
        return GRAIN_TRANSCENDENTAL;
    switch (up->act.kind) {
    case MBI_ACT_SIGMOID:
    case MBI_ACT_TANH:
    case MBI_ACT_GELU_ERF:
    case MBI_ACT_GELU_TANH: return GRAIN_TRANSCENDENTAL;
    default: return GRAIN_CHEAP;
    }
}

typedef struct unary_job {
    const unary_params *up;
    mbi_act act;
    const float *x;
    float *y;
} unary_job;

/* Elementwise, so in place (y == x) splits like any other range. */
static void unary_range(void *arg, size_t begin, size_t end, int thread)
{
    (void)thread;
    const unary_job *j = arg;
    if (j->up->vunary_fn)
        j->up->vunary_fn(j->x + begin, j->y + begin, end - begin);
    else
        j->up->act_fn(&j->act, j->x + begin, j->y + begin, end - begin);
}

static mobinfer_status unary_run(mbi_op_ctx *ctx)
{
    const unary_params *up = ctx->params;
    const mbi_tensor *x = ctx->in[0];
    const int64_t n = mbi_tensor_numel(x);
    if (up->vunary_fn) {
        unary_job j = {up, up->act, x->data, ctx->out[0]->data};
        mbi_threadpool_run_chunks(ctx->threadpool, (size_t)n, grain_of(up), unary_range, &j);
        return MOBINFER_OK;
    }
    mbi_unary_params p = up->p;
    if (up->clip_inputs) {
        const mbi_tensor *lo = mbi_op_input(ctx, 1), *hi = mbi_op_input(ctx, 2);
        if (x->dtype == MOBINFER_DTYPE_FLOAT32) {
            if (lo)
                p.lo = ((const float *)lo->data)[0];
            if (hi)
                p.hi = ((const float *)hi->data)[0];
        } else {
            p.ilo = lo ? mbi_tensor_get_int(lo, 0) : INT64_MIN;
            p.ihi = hi ? mbi_tensor_get_int(hi, 0) : INT64_MAX;
        }
    } else if (up->op == MBI_UNOP_CLIP) {
        /* Attribute bounds (opset < 11) only apply to float data. */
        p.ilo = INT64_MIN;
        p.ihi = INT64_MAX;
    }
    if (up->act_fn) {
        mbi_act act = up->act;
        if (act.kind == MBI_ACT_CLAMP) {
            act.alpha = p.lo;
            act.beta = p.hi;
        }
        unary_job j = {up, act, x->data, ctx->out[0]->data};
        mbi_threadpool_run_chunks(ctx->threadpool, (size_t)n, grain_of(up), unary_range, &j);
        return MOBINFER_OK;
    }
    mbi_ref_unary(up->op, x->dtype, &p, x->data, ctx->out[0]->data, n);
    return MOBINFER_OK;
}

#define UNARY_DEF(NAME) \
    const mbi_op_def mbi_op_##NAME = {#NAME, "", MBI_OP_INPLACE_INPUT0, unary_prepare, unary_run};

UNARY_DEF(Abs)
UNARY_DEF(Acos)
UNARY_DEF(Acosh)
UNARY_DEF(Asin)
UNARY_DEF(Asinh)
UNARY_DEF(Atan)
UNARY_DEF(Atanh)
UNARY_DEF(Ceil)
UNARY_DEF(Celu)
UNARY_DEF(Clip)
UNARY_DEF(Cos)
UNARY_DEF(Cosh)
UNARY_DEF(Elu)
UNARY_DEF(Erf)
UNARY_DEF(Exp)
UNARY_DEF(Floor)
UNARY_DEF(Gelu)
UNARY_DEF(HardSigmoid)
UNARY_DEF(HardSwish)
UNARY_DEF(LeakyRelu)
UNARY_DEF(Log)
UNARY_DEF(Mish)
UNARY_DEF(Neg)
UNARY_DEF(Not)
UNARY_DEF(Reciprocal)
UNARY_DEF(Relu)
UNARY_DEF(Round)
UNARY_DEF(Selu)
UNARY_DEF(Sigmoid)
UNARY_DEF(Sign)
UNARY_DEF(Sin)
UNARY_DEF(Sinh)
UNARY_DEF(Softplus)
UNARY_DEF(Softsign)
UNARY_DEF(Sqrt)
UNARY_DEF(Tan)
UNARY_DEF(Tanh)
UNARY_DEF(ThresholdedRelu)
