/* Normalizations (float32): BatchNormalization (inference form),
 * InstanceNormalization, LayerNormalization, LpNormalization, LRN. */
#include <math.h>
#include <string.h>

#include "ops/nn_spatial.h"
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "runtime/thread_pool.h"
#include "ops/ref/norm_ref.h"

typedef struct norm_params {
    int64_t batch, channels, spatial; /* BatchNormalization, InstanceNormalization, LRN */
    int64_t outer, len, inner;        /* LayerNormalization (len unused), LpNormalization */
    float eps;
    int p;
    int64_t size;
    float alpha, beta, bias;
    /* LayerNormalization: Scale and B need expanding to the normalized
     * shape (they broadcast); their steps per normalized axis. */
    bool expand;
    int norm_rank;
    int64_t norm_dims[MBI_MAX_RANK];
    int64_t scale_step[MBI_MAX_RANK], bias_step[MBI_MAX_RANK];
} norm_params;

static mobinfer_status require_float_input(mbi_op_ctx *ctx, int index, int min_rank)
{
    mobinfer_status st = mbi_op_require_dtype(ctx, index, MOBINFER_DTYPE_FLOAT32);
    if (st)
        return st;
    if (ctx->in[index]->rank < min_rank)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input %d must have rank >= %d; it has %d",
                        index, min_rank, ctx->in[index]->rank);
    return MOBINFER_OK;
}

/* Fails unless input `index` is float32 with `count` elements. */
static mobinfer_status require_param(mbi_op_ctx *ctx, int index, const char *what, int64_t count)
{
    mobinfer_status st = mbi_op_require_dtype(ctx, index, MOBINFER_DTYPE_FLOAT32);
    if (st)
        return st;
    if (mbi_tensor_numel(ctx->in[index]) != count || ctx->in[index]->rank < 1) {
        char buf[128];
        const mbi_tensor *t = ctx->in[index];
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "input %d (%s) has shape %s; %lld elements (one per channel) expected",
                        index, what, mbi_shape_str(t->dims, t->rank, buf, sizeof buf),
                        (long long)count);
    }
    return MOBINFER_OK;
}

static mobinfer_status read_epsilon(mbi_op_ctx *ctx, float *eps)
{
    mobinfer_status st = mbi_attr_float(ctx->node, "epsilon", 1e-5f, eps, ctx->err);
    if (st)
        return st;
    if (!(*eps >= 0.0f) || isinf(*eps))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'epsilon' is %g; it must be finite and >= 0", (double)*eps);
    return MOBINFER_OK;
}

static void set_same_output(mbi_op_ctx *ctx)
{
    mbi_op_set_output(ctx, 0, ctx->in[0]->dtype, ctx->in[0]->dims, ctx->in[0]->rank);
}

/* ---- BatchNormalization ---------------------------------------------- */

static mobinfer_status batch_norm_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    int64_t training = 0, spatial = 1;
    if ((st = require_float_input(ctx, 0, 2)) ||
        (st = mbi_attr_int(ctx->node, "training_mode", 0, &training, ctx->err)) ||
        (st = mbi_attr_int(ctx->node, "spatial", 1, &spatial, ctx->err)))
        return st;
    if (training != 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "training mode (training_mode=1) is not supported");
    /* Before opset 14, asking for the statistics outputs meant training. */
    for (int i = 1; i < ctx->n_out; i++)
        if (ctx->out[i])
            return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                            "output %d (running or saved statistics) exists only in training "
                            "mode, which is not supported",
                            i);
    const mbi_tensor *x = ctx->in[0];
    norm_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if ((st = read_epsilon(ctx, &p->eps)))
        return st;
    p->batch = x->dims[0];
    p->channels = x->dims[1];
    p->spatial = 1;
    for (int i = 2; i < x->rank; i++)
        p->spatial *= x->dims[i];
    /* spatial=0 (opsets 7 and 8): statistics per element of [C, D1, ...]. */
    if (spatial == 0 && ctx->opset < 9) {
        p->channels *= p->spatial;
        p->spatial = 1;
    } else if (spatial != 1 && ctx->opset < 9) {
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'spatial' is %lld; it must be 0 or 1", (long long)spatial);
    }
    static const char *const names[] = {"scale", "B", "mean", "var"};
    for (int i = 1; i <= 4; i++)
        if ((st = require_param(ctx, i, names[i - 1], p->channels)))
            return st;
    set_same_output(ctx);
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status batch_norm_run(mbi_op_ctx *ctx)
{
    const norm_params *p = ctx->params;
    mbi_ref_batchnorm_f32(ctx->in[0]->data, ctx->out[0]->data, p->batch, p->channels, p->spatial,
                          ctx->in[1]->data, ctx->in[2]->data, ctx->in[3]->data, ctx->in[4]->data,
                          p->eps);
    return MOBINFER_OK;
}

/* ---- InstanceNormalization ------------------------------------------- */

static mobinfer_status instance_norm_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = require_float_input(ctx, 0, 3)))
        return st;
    const mbi_tensor *x = ctx->in[0];
    norm_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if ((st = read_epsilon(ctx, &p->eps)))
        return st;
    p->batch = x->dims[0];
    p->channels = x->dims[1];
    p->spatial = 1;
    for (int i = 2; i < x->rank; i++)
        p->spatial *= x->dims[i];
    if ((st = require_param(ctx, 1, "scale", p->channels)) ||
        (st = require_param(ctx, 2, "B", p->channels)))
        return st;
    set_same_output(ctx);
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status instance_norm_run(mbi_op_ctx *ctx)
{
    const norm_params *p = ctx->params;
    mbi_ref_instancenorm_f32(ctx->in[0]->data, ctx->out[0]->data, p->batch, p->channels,
                             p->spatial, ctx->in[1]->data, ctx->in[2]->data, p->eps);
    return MOBINFER_OK;
}

/* ---- LayerNormalization ---------------------------------------------- */

/* Checks that input `index` broadcasts unidirectionally to the normalized
 * shape; sets *steps (per normalized axis) and whether it matches exactly. */
static mobinfer_status check_norm_param(mbi_op_ctx *ctx, int index, const char *what,
                                        norm_params *p, int64_t *steps, bool *exact)
{
    mobinfer_status st = mbi_op_require_dtype(ctx, index, MOBINFER_DTYPE_FLOAT32);
    if (st)
        return st;
    const mbi_tensor *t = ctx->in[index];
    /* Leading size-1 axes beyond the normalized rank change nothing. */
    int lead = t->rank > p->norm_rank ? t->rank - p->norm_rank : 0;
    bool ok = true;
    for (int i = 0; i < lead; i++)
        ok = ok && t->dims[i] == 1;
    for (int i = 0; ok && i < t->rank - lead; i++) {
        int64_t d = t->dims[t->rank - 1 - i], want = p->norm_dims[p->norm_rank - 1 - i];
        ok = d == want || d == 1;
    }
    if (!ok) {
        char a[128], b[128];
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "input %d (%s) of shape %s does not broadcast to the normalized shape %s",
                        index, what, mbi_shape_str(t->dims, t->rank, a, sizeof a),
                        mbi_shape_str(p->norm_dims, p->norm_rank, b, sizeof b));
    }
    *exact = mbi_tensor_numel(t) == p->inner;
    mbi_broadcast_strides(t->dims + lead, t->rank - lead, p->norm_dims, p->norm_rank, steps);
    return MOBINFER_OK;
}

static mobinfer_status layer_norm_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    int64_t axis_attr, stash;
    if ((st = require_float_input(ctx, 0, 1)) || (st = mbi_op_require_input(ctx, 1)) ||
        (st = mbi_attr_int(ctx->node, "axis", -1, &axis_attr, ctx->err)) ||
        (st = mbi_attr_int(ctx->node, "stash_type", 1, &stash, ctx->err)))
        return st;
    const mbi_tensor *x = ctx->in[0];
    int axis;
    if (!mbi_axis_normalize(axis_attr, x->rank, &axis))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' (%lld) is out of range for rank %d",
                        (long long)axis_attr, x->rank);
    /* Statistics are always kept in double precision, which serves every
     * stash_type (a floating-point type). */
    if (stash != 1 && stash != 10 && stash != 11 && stash != 16)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'stash_type' (%lld) is not a floating-point type",
                        (long long)stash);
    norm_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if ((st = read_epsilon(ctx, &p->eps)))
        return st;
    p->outer = p->inner = 1;
    for (int i = 0; i < x->rank; i++)
        *(i < axis ? &p->outer : &p->inner) *= x->dims[i];
    p->norm_rank = x->rank - axis;
    memcpy(p->norm_dims, x->dims + axis, (size_t)p->norm_rank * sizeof p->norm_dims[0]);
    bool exact_scale, exact_bias = true;
    if ((st = check_norm_param(ctx, 1, "Scale", p, p->scale_step, &exact_scale)))
        return st;
    if (mbi_op_input(ctx, 2) &&
        (st = check_norm_param(ctx, 2, "B", p, p->bias_step, &exact_bias)))
        return st;
    p->expand = !exact_scale || !exact_bias;
    if (p->expand)
        ctx->scratch_bytes = 2 * (size_t)p->inner * sizeof(float);

    set_same_output(ctx);
    int64_t dims[MBI_MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        dims[i] = i < axis ? x->dims[i] : 1;
    for (int i = 1; i < ctx->n_out && i < 3; i++)
        mbi_op_set_output(ctx, i, MOBINFER_DTYPE_FLOAT32, dims, x->rank);
    ctx->params = p;
    return MOBINFER_OK;
}

/* dst[inner] = src broadcast to the normalized shape. */
static void expand_param(const norm_params *p, const float *src, const int64_t *steps, float *dst)
{
    for (int64_t i = 0; i < p->inner; i++) {
        int64_t rest = i, at = 0;
        for (int d = p->norm_rank - 1; d >= 0; d--) {
            at += (rest % p->norm_dims[d]) * steps[d];
            rest /= p->norm_dims[d];
        }
        dst[i] = src[at];
    }
}

/* Rows of LayerNormalization in float, for optimized sessions: eight
 * partial sums per pass (so the loops vectorize without reassociation
 * flags), rows split over threads. The reference kernel accumulates in
 * double; over a row of up to thousands of values the float sums differ by
 * about 1e-7 relative. */
typedef struct layer_norm_job {
    const norm_params *p;
    const float *x, *scale, *bias;
    float *y;
} layer_norm_job;

static float sum8(const float *x, size_t n, float shift, bool square)
{
    float acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) {
            float d = x[i + (size_t)k] - shift;
            acc[k] += square ? d * d : d;
        }
    float total = 0.0f;
    for (; i < n; i++) {
        float d = x[i] - shift;
        total += square ? d * d : d;
    }
    for (int k = 0; k < 8; k++)
        total += acc[k];
    return total;
}

/* The fewest elements worth a chunk of their own (three passes over them
 * take about as long as a fork-join, a few microseconds). */
#define LAYER_NORM_GRAIN 8192

static void layer_norm_rows(void *arg, size_t r0, size_t r1, int thread)
{
    (void)thread;
    const layer_norm_job *j = arg;
    const norm_params *p = j->p;
    const size_t n = (size_t)p->inner;
    for (size_t r = r0; r < r1; r++) {
        const float *x = j->x + (size_t)r * n;
        float *y = j->y + (size_t)r * n;
        /* Centred second pass: no cancellation from E[x^2] - E[x]^2. */
        float mean = sum8(x, n, 0.0f, false) / (float)n;
        float var = sum8(x, n, mean, true) / (float)n;
        float inv = 1.0f / sqrtf(var + p->eps);
        for (size_t i = 0; i < n; i++) {
            float v = (x[i] - mean) * inv * j->scale[i];
            y[i] = j->bias ? v + j->bias[i] : v;
        }
    }
}

static mobinfer_status layer_norm_run(mbi_op_ctx *ctx)
{
    const norm_params *p = ctx->params;
    const mbi_tensor *b = mbi_op_input(ctx, 2);
    const float *scale = ctx->in[1]->data, *bias = b ? b->data : NULL;
    if (p->expand) {
        float *s = ctx->scratch, *bb = s + p->inner;
        expand_param(p, scale, p->scale_step, s);
        scale = s;
        if (bias) {
            expand_param(p, bias, p->bias_step, bb);
            bias = bb;
        }
    }
    float *mean = ctx->n_out > 1 && ctx->out[1] ? ctx->out[1]->data : NULL;
    float *inv_std = ctx->n_out > 2 && ctx->out[2] ? ctx->out[2]->data : NULL;
    if (ctx->kernels && !mean && !inv_std && p->inner > 0 && p->outer > 0) {
        layer_norm_job j = {p, ctx->in[0]->data, scale, bias, ctx->out[0]->data};
        size_t inner = (size_t)p->inner;
        mbi_threadpool_run_chunks(ctx->threadpool, (size_t)p->outer,
                                  (LAYER_NORM_GRAIN + inner - 1) / inner, layer_norm_rows, &j);
        return MOBINFER_OK;
    }
    mbi_ref_layernorm_f32(ctx->in[0]->data, ctx->out[0]->data, p->outer, p->inner, scale, bias,
                          p->eps, mean, inv_std);
    return MOBINFER_OK;
}

/* ---- LpNormalization ------------------------------------------------- */

static mobinfer_status lp_norm_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    int64_t axis_attr, pv;
    if ((st = require_float_input(ctx, 0, 1)) ||
        (st = mbi_attr_int(ctx->node, "axis", -1, &axis_attr, ctx->err)) ||
        (st = mbi_attr_int(ctx->node, "p", 2, &pv, ctx->err)))
        return st;
    const mbi_tensor *x = ctx->in[0];
    int axis;
    if (!mbi_axis_normalize(axis_attr, x->rank, &axis))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'axis' (%lld) is out of range for rank %d",
                        (long long)axis_attr, x->rank);
    if (pv != 1 && pv != 2)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'p' is %lld; it must be 1 or 2", (long long)pv);
    norm_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    p->p = (int)pv;
    p->outer = p->inner = 1;
    p->len = x->dims[axis];
    for (int i = 0; i < x->rank; i++) {
        if (i < axis)
            p->outer *= x->dims[i];
        else if (i > axis)
            p->inner *= x->dims[i];
    }
    set_same_output(ctx);
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status lp_norm_run(mbi_op_ctx *ctx)
{
    const norm_params *p = ctx->params;
    mbi_ref_lpnorm_f32(ctx->in[0]->data, ctx->out[0]->data, p->outer, p->len, p->inner, p->p);
    return MOBINFER_OK;
}

/* ---- LRN -------------------------------------------------------------- */

static mobinfer_status lrn_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = require_float_input(ctx, 0, 3)))
        return st;
    const mbi_tensor *x = ctx->in[0];
    norm_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if (!mbi_attr_find(ctx->node, "size"))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "attribute 'size' is required");
    if ((st = mbi_attr_int(ctx->node, "size", 1, &p->size, ctx->err)) ||
        (st = mbi_attr_float(ctx->node, "alpha", 1e-4f, &p->alpha, ctx->err)) ||
        (st = mbi_attr_float(ctx->node, "beta", 0.75f, &p->beta, ctx->err)) ||
        (st = mbi_attr_float(ctx->node, "bias", 1.0f, &p->bias, ctx->err)))
        return st;
    if (p->size < 1 || p->size > MBI_SPATIAL_ATTR_MAX)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'size' is %lld; it must be at least 1", (long long)p->size);
    p->batch = x->dims[0];
    p->channels = x->dims[1];
    p->spatial = 1;
    for (int i = 2; i < x->rank; i++)
        p->spatial *= x->dims[i];
    set_same_output(ctx);
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status lrn_run(mbi_op_ctx *ctx)
{
    const norm_params *p = ctx->params;
    mbi_ref_lrn_f32(ctx->in[0]->data, ctx->out[0]->data, p->batch, p->channels, p->spatial,
                    p->size, p->alpha, p->beta, p->bias);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_BatchNormalization = {"BatchNormalization", "", MBI_OP_INPLACE_INPUT0,
                                              batch_norm_prepare, batch_norm_run};
const mbi_op_def mbi_op_InstanceNormalization = {"InstanceNormalization", "",
                                                 MBI_OP_INPLACE_INPUT0, instance_norm_prepare,
                                                 instance_norm_run};
const mbi_op_def mbi_op_LayerNormalization = {"LayerNormalization", "", MBI_OP_INPLACE_INPUT0,
                                              layer_norm_prepare, layer_norm_run};
const mbi_op_def mbi_op_LpNormalization = {"LpNormalization", "", MBI_OP_INPLACE_INPUT0,
                                           lp_norm_prepare, lp_norm_run};
const mbi_op_def mbi_op_LRN = {"LRN", "", 0, lrn_prepare, lrn_run};
