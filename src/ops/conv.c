/* Conv and ConvTranspose (float32, 1 to 3 spatial axes). */
#include "ops/nn_spatial.h"
#include "ops/nn_ops.h"
#include "ops/op.h"
#include "ops/ref/conv_ref.h"

typedef struct conv_params {
    mbi_window3d g;
    int64_t batch, c, m, group;
} conv_params;

/* Checks what Conv and ConvTranspose share: X (input 0) is float32
 * [N, C, D1...], W (input 1) float32 of the same rank, and attribute
 * 'group' divides C. */
static mobinfer_status check_conv_inputs(mbi_op_ctx *ctx, int *n, int64_t *group)
{
    mobinfer_status st;
    if ((st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_dtype(ctx, 1, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_spatial_check_input(ctx, 0, n)))
        return st;
    const mbi_tensor *x = ctx->in[0], *w = ctx->in[1];
    if (w->rank != x->rank)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "the weight W has rank %d; the input X has rank %d (they must match)",
                        w->rank, x->rank);
    if ((st = mbi_attr_int(ctx->node, "group", 1, group, ctx->err)))
        return st;
    if (*group < 1 || *group > MBI_SPATIAL_ATTR_MAX)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'group' is %lld; it must be at least 1 and divide the input "
                        "channels",
                        (long long)*group);
    if (x->dims[1] % *group != 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "the input has %lld channels, which attribute 'group' (%lld) does not "
                        "divide",
                        (long long)x->dims[1], (long long)*group);
    return MOBINFER_OK;
}

static mobinfer_status check_bias(mbi_op_ctx *ctx, int64_t m)
{
    const mbi_tensor *b = mbi_op_input(ctx, 2);
    if (!b)
        return MOBINFER_OK;
    mobinfer_status st = mbi_op_require_dtype(ctx, 2, MOBINFER_DTYPE_FLOAT32);
    if (st)
        return st;
    if (b->rank != 1 || b->dims[0] != m)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "the bias B must have shape [%lld] (one value per output channel)",
                        (long long)m);
    return MOBINFER_OK;
}

static mobinfer_status conv_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    int n;
    int64_t group;
    if ((st = check_conv_inputs(ctx, &n, &group)))
        return st;
    const mbi_tensor *x = ctx->in[0], *w = ctx->in[1];
    const int64_t c = x->dims[1], m = w->dims[0];
    if (w->dims[1] != c / group)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "the weight W has %lld input channels per group; the input has %lld "
                        "channels in %lld groups, so %lld are expected",
                        (long long)w->dims[1], (long long)c, (long long)group,
                        (long long)(c / group));
    if (m % group != 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "the weight W has %lld output channels, which attribute 'group' (%lld) "
                        "does not divide",
                        (long long)m, (long long)group);
    if ((st = check_bias(ctx, m)))
        return st;

    mbi_spatial_attrs a;
    conv_params *p;
    if ((st = mbi_spatial_parse(ctx, n, w->dims + 2, true, &a)))
        return st;
    if (!(p = mbi_op_alloc(ctx, sizeof *p)))
        return ctx->err->status;
    if ((st = mbi_spatial_forward(ctx, &a, x->dims + 2, false, &p->g)))
        return st;
    p->batch = x->dims[0];
    p->c = c;
    p->m = m;
    p->group = group;

    int64_t dims[2 + MBI_WINDOW_AXES];
    dims[0] = p->batch;
    dims[1] = m;
    for (int i = 0; i < n; i++)
        dims[2 + i] = p->g.out[MBI_WINDOW_AXES - n + i];
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, n + 2);

    /* Output dims are not yet checked against the limits: multiply safely. */
    const uint64_t out_size = mbi_mul_sat(
        mbi_mul_sat((uint64_t)p->g.out[0], (uint64_t)p->g.out[1]), (uint64_t)p->g.out[2]);
    const uint64_t depth =
        mbi_mul_sat((uint64_t)(c / group), (uint64_t)mbi_window_kernel_size(&p->g));
    if (!mbi_ref_conv_is_pointwise(&p->g)) {
        uint64_t bytes = mbi_mul_sat(mbi_mul_sat(depth, out_size), sizeof(float));
        /* A saturated size fails the planner's arena limit check. */
        if (bytes > SIZE_MAX)
            bytes = SIZE_MAX;
        ctx->scratch_bytes = (size_t)bytes;
    }
    ctx->macs = mbi_mul_sat(mbi_mul_sat((uint64_t)p->batch, (uint64_t)m),
                            mbi_mul_sat(out_size, depth));
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status conv_run(mbi_op_ctx *ctx)
{
    const conv_params *p = ctx->params;
    const mbi_tensor *b = mbi_op_input(ctx, 2);
    mbi_ref_conv_f32(ctx->in[0]->data, ctx->in[1]->data, b ? b->data : NULL, ctx->out[0]->data,
                     p->batch, p->c, p->m, p->group, &p->g, ctx->scratch);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Conv = {"Conv", "", 0, conv_prepare, conv_run};

/* ConvTranspose: W is [C, M/group, k...]; the output size follows from
 * output_shape when given (pads then derived from it), else from pads or
 * auto_pad. */
static mobinfer_status conv_transpose_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    int n;
    int64_t group;
    if ((st = check_conv_inputs(ctx, &n, &group)))
        return st;
    const mbi_tensor *x = ctx->in[0], *w = ctx->in[1];
    const int64_t c = x->dims[1];
    if (w->dims[0] != c)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "the weight W has %lld input channels (dimension 0); the input has %lld",
                        (long long)w->dims[0], (long long)c);
    const int64_t m = w->dims[1] * group;
    if ((st = check_bias(ctx, m)))
        return st;

    mbi_spatial_attrs a;
    if ((st = mbi_spatial_parse(ctx, n, w->dims + 2, true, &a)))
        return st;
    const int64_t *out_pad, *out_shape;
    size_t n_out_pad, n_out_shape;
    if ((st = mbi_attr_ints(ctx->node, "output_padding", &out_pad, &n_out_pad, ctx->err)) ||
        (st = mbi_attr_ints(ctx->node, "output_shape", &out_shape, &n_out_shape, ctx->err)))
        return st;
    if (out_pad && n_out_pad != (size_t)n)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'output_padding' has %zu values; %d expected", n_out_pad, n);
    /* Some exporters write the full output shape, batch and channels included. */
    if (out_shape && n_out_shape == (size_t)n + 2)
        out_shape += 2;
    else if (out_shape && n_out_shape != (size_t)n)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'output_shape' has %zu values; %d expected", n_out_shape, n);

    conv_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    mbi_window3d *g = &p->g;
    for (int ax = 0; ax < MBI_WINDOW_AXES; ax++) {
        g->in[ax] = g->out[ax] = g->kernel[ax] = g->stride[ax] = g->dilation[ax] = 1;
        g->pad_begin[ax] = g->pad_end[ax] = 0;
    }
    int64_t dims[2 + MBI_WINDOW_AXES];
    for (int i = 0; i < n; i++) {
        const int ax = MBI_WINDOW_AXES - n + i;
        const int64_t in = x->dims[2 + i], s = a.strides[i];
        const int64_t op = out_pad ? out_pad[i] : 0;
        if (op < 0 || op > MBI_SPATIAL_ATTR_MAX)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'output_padding' value %lld is out of range",
                            (long long)op);
        /* Output length reached by the kernel before any cropping. */
        const int64_t full = s * (in - 1) + op + (a.kernel[i] - 1) * a.dilations[i] + 1;
        int64_t pb, pe, out;
        bool derive = out_shape || a.auto_pad == MBI_AUTO_PAD_SAME_UPPER ||
                      a.auto_pad == MBI_AUTO_PAD_SAME_LOWER;
        if (derive) {
            int64_t target = in * s;
            if (out_shape) {
                target = out_shape[i];
                if (target < 0 || target > MBI_SPATIAL_ATTR_MAX)
                    return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                                    "attribute 'output_shape' value %lld is out of range",
                                    (long long)target);
            }
            /* A target up to stride-1 longer than the kernel reaches
             * (an input length that rounds down) leaves trailing outputs
             * that receive only the bias; longer ones fit no input length. */
            int64_t total = full - target;
            if (total <= -s)
                return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                                "output size %lld on spatial axis %d is larger than an input "
                                "of size %lld can produce (at most %lld)",
                                (long long)target, i, (long long)in, (long long)(full + s - 1));
            if (total < 0)
                total = 0;
            if (a.auto_pad == MBI_AUTO_PAD_SAME_UPPER) {
                pb = total / 2;
                pe = total - pb;
            } else {
                pe = total / 2;
                pb = total - pe;
            }
            out = out_shape ? target : full - total;
        } else {
            pb = pe = 0;
            if (a.auto_pad == MBI_AUTO_PAD_NOTSET) {
                pb = a.pads[i];
                pe = a.pads[n + i];
            }
            out = full - pb - pe;
        }
        if (out < 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "the output size on spatial axis %d would be %lld (padding larger "
                            "than the output)",
                            i, (long long)out);
        g->in[ax] = in;
        g->out[ax] = out;
        g->kernel[ax] = a.kernel[i];
        g->stride[ax] = s;
        g->dilation[ax] = a.dilations[i];
        g->pad_begin[ax] = pb;
        g->pad_end[ax] = pe;
        dims[2 + i] = out;
    }
    p->batch = x->dims[0];
    p->c = c;
    p->m = m;
    p->group = group;
    dims[0] = p->batch;
    dims[1] = m;
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, n + 2);
    ctx->macs = mbi_mul_sat(mbi_mul_sat((uint64_t)p->batch, (uint64_t)c),
                            mbi_mul_sat((uint64_t)w->dims[1],
                                        mbi_mul_sat((uint64_t)mbi_window_kernel_size(g),
                                                    (uint64_t)mbi_window_in_size(g))));
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status conv_transpose_run(mbi_op_ctx *ctx)
{
    const conv_params *p = ctx->params;
    const mbi_tensor *b = mbi_op_input(ctx, 2);
    mbi_ref_conv_transpose_f32(ctx->in[0]->data, ctx->in[1]->data, b ? b->data : NULL,
                               ctx->out[0]->data, p->batch, p->c, p->m, p->group, &p->g);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_ConvTranspose = {"ConvTranspose", "", 0, conv_transpose_prepare,
                                         conv_transpose_run};
