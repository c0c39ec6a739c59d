#include "ops/nn_spatial.h"

#include <string.h>

mobinfer_status mbi_spatial_check_input(mbi_op_ctx *ctx, int index, int *n)
{
    const mbi_tensor *x = ctx->in[index];
    if (x->rank < 3)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "input %d must have shape [N, C, D1, ...] (rank >= 3); it has rank %d",
                        index, x->rank);
    if (x->rank - 2 > MBI_WINDOW_AXES)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "%d spatial dimensions are not supported (at most %d)", x->rank - 2,
                        MBI_WINDOW_AXES);
    *n = x->rank - 2;
    return MOBINFER_OK;
}

/* Reads an optional list attribute of exactly `count` values in [lo, hi]
 * into out; leaves out untouched when absent. */
static mobinfer_status read_list(mbi_op_ctx *ctx, const char *name, size_t count, int64_t lo,
                                 int64_t hi, int64_t *out, bool *present)
{
    const int64_t *v;
    size_t nv;
    mobinfer_status st = mbi_attr_ints(ctx->node, name, &v, &nv, ctx->err);
    if (st)
        return st;
    if (present)
        *present = v != NULL;
    if (!v)
        return MOBINFER_OK;
    if (nv != count)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute '%s' has %zu values; the input's spatial rank needs %zu",
                        name, nv, count);
    for (size_t i = 0; i < nv; i++)
        if (v[i] < lo || v[i] > hi)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute '%s' value %lld is out of range [%lld, %lld]", name,
                            (long long)v[i], (long long)lo, (long long)hi);
    memcpy(out, v, nv * sizeof v[0]);
    return MOBINFER_OK;
}

mobinfer_status mbi_spatial_parse(mbi_op_ctx *ctx, int n, const int64_t *w_kernel,
                                  bool with_dilations, mbi_spatial_attrs *a)
{
    mobinfer_status st;
    memset(a, 0, sizeof *a);
    a->n = n;
    for (int i = 0; i < n; i++)
        a->strides[i] = a->dilations[i] = 1;

    bool has_kernel;
    if ((st = read_list(ctx, "kernel_shape", (size_t)n, 1, MBI_SPATIAL_ATTR_MAX, a->kernel,
                        &has_kernel)))
        return st;
    if (!has_kernel && !w_kernel)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'kernel_shape' is required");
    if (w_kernel)
        for (int i = 0; i < n; i++) {
            if (w_kernel[i] < 1 || w_kernel[i] > MBI_SPATIAL_ATTR_MAX)
                return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                                "weight spatial dimension %d has size %lld; kernel sizes must be "
                                "at least 1",
                                i, (long long)w_kernel[i]);
            if (has_kernel && a->kernel[i] != w_kernel[i])
                return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                                "attribute 'kernel_shape' (%lld on spatial axis %d) does not "
                                "match the weight (%lld)",
                                (long long)a->kernel[i], i, (long long)w_kernel[i]);
            a->kernel[i] = w_kernel[i];
        }
    if ((st = read_list(ctx, "strides", (size_t)n, 1, MBI_SPATIAL_ATTR_MAX, a->strides, NULL)))
        return st;
    if (with_dilations &&
        (st = read_list(ctx, "dilations", (size_t)n, 1, MBI_SPATIAL_ATTR_MAX, a->dilations, NULL)))
        return st;
    if ((st = read_list(ctx, "pads", 2 * (size_t)n, 0, MBI_SPATIAL_ATTR_MAX, a->pads, NULL)))
        return st;

    const char *auto_pad;
    if ((st = mbi_attr_string(ctx->node, "auto_pad", "NOTSET", &auto_pad, ctx->err)))
        return st;
    if (strcmp(auto_pad, "NOTSET") == 0 || auto_pad[0] == '\0')
        a->auto_pad = MBI_AUTO_PAD_NOTSET;
    else if (strcmp(auto_pad, "SAME_UPPER") == 0)
        a->auto_pad = MBI_AUTO_PAD_SAME_UPPER;
    else if (strcmp(auto_pad, "SAME_LOWER") == 0)
        a->auto_pad = MBI_AUTO_PAD_SAME_LOWER;
    else if (strcmp(auto_pad, "VALID") == 0)
        a->auto_pad = MBI_AUTO_PAD_VALID;
    else
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'auto_pad' is '%s'; expected NOTSET, SAME_UPPER, SAME_LOWER "
                        "or VALID",
                        auto_pad);
    return MOBINFER_OK;
}

mobinfer_status mbi_spatial_forward(mbi_op_ctx *ctx, const mbi_spatial_attrs *a,
                                    const int64_t *in, bool ceil_mode, mbi_window3d *g)
{
    const int lead = MBI_WINDOW_AXES - a->n;
    for (int ax = 0; ax < MBI_WINDOW_AXES; ax++) {
        g->in[ax] = g->out[ax] = g->kernel[ax] = g->stride[ax] = g->dilation[ax] = 1;
        g->pad_begin[ax] = g->pad_end[ax] = 0;
    }
    for (int i = 0; i < a->n; i++) {
        const int ax = lead + i;
        const int64_t k = a->kernel[i], s = a->strides[i], d = a->dilations[i];
        const int64_t span = (k - 1) * d + 1; /* extent of the dilated kernel */
        int64_t pb = 0, pe = 0, out;
        if (a->auto_pad == MBI_AUTO_PAD_SAME_UPPER || a->auto_pad == MBI_AUTO_PAD_SAME_LOWER) {
            /* Pad so that out = ceil(in / stride); an odd total puts the
             * extra element at the end (UPPER) or the beginning (LOWER). */
            out = (in[i] + s - 1) / s;
            int64_t total = out > 0 ? (out - 1) * s + span - in[i] : 0;
            if (total < 0)
                total = 0;
            if (a->auto_pad == MBI_AUTO_PAD_SAME_UPPER) {
                pb = total / 2;
                pe = total - pb;
            } else {
                pe = total / 2;
                pb = total - pe;
            }
        } else {
            if (a->auto_pad == MBI_AUTO_PAD_NOTSET) {
                pb = a->pads[i];
                pe = a->pads[a->n + i];
            }
            const int64_t padded = in[i] + pb + pe;
            if (padded < span)
                return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                                "the kernel (%lld with dilation %lld) is larger than the padded "
                                "input (%lld) on spatial axis %d",
                                (long long)k, (long long)d, (long long)padded, i);
            out = (padded - span) / s + 1;
            if (ceil_mode && (padded - span) % s != 0) {
                out++;
                /* The last window must start inside the input or the
                 * leading padding, not in the trailing padding. */
                if ((out - 1) * s >= in[i] + pb)
                    out--;
            }
        }
        g->in[ax] = in[i];
        g->out[ax] = out;
        g->kernel[ax] = k;
        g->stride[ax] = s;
        g->dilation[ax] = d;
        g->pad_begin[ax] = pb;
        g->pad_end[ax] = pe;
    }
    return MOBINFER_OK;
}
