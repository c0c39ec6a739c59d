/* Kernel rows and columns of a convolution that read only padding, for
 * every output position, are dropped: the weights lose them and the pads
 * shrink to match, so the output is the same to the bit (those taps only
 * ever added zeros). The case that matters is the atrous pyramid of
 * DeepLabV3: 3x3 convolutions with dilation 12, 24 and 36 on a 20x20 map,
 * where every tap but the centre one falls outside the map at 24 and 36,
 * so two of the three 960 -> 256 convolutions (a fifth of the model's
 * multiply-adds each) become 1x1 ones, nine times cheaper.
 *
 * Runs on ONNX Conv nodes after padding folding and reparameterization
 * (their kernels are final) and before the layout pass, which then sees the
 * smaller kernel (a 1x1 one becomes a plain GEMM). Needs static spatial
 * sizes; explicit pads only (auto_pad NOTSET). */
#include <string.h>

#include "ir/attr.h"
#include "opt/passes.h"

/* Spatial sizes up to which the taps are checked position by position. */
#define TRIM_MAX_EXTENT (1 << 16)

/* One spatial axis of a convolution. */
typedef struct conv_axis {
    int64_t in, out, k, stride, dil, pad_begin, pad_end;
} conv_axis;

/* Whether tap t of the axis reads inside the input for some output position. */
static bool tap_touches(const conv_axis *a, int64_t t)
{
    for (int64_t o = 0; o < a->out; o++) {
        const int64_t pos = o * a->stride - a->pad_begin + t * a->dil;
        if (pos >= 0 && pos < a->in)
            return true;
    }
    return false;
}

/* The taps [*lo, *hi] that touch the input, with the new pads; false when
 * nothing is to trim or the trimmed kernel would not give the same output
 * size (then the node is left alone). */
static bool trim_axis(const conv_axis *a, int64_t *lo, int64_t *hi, int64_t *pb, int64_t *pe)
{
    *lo = 0;
    *hi = a->k - 1;
    while (*lo <= *hi && !tap_touches(a, *lo))
        (*lo)++;
    while (*hi >= *lo && !tap_touches(a, *hi))
        (*hi)--;
    if (*lo > *hi) /* no tap ever reads the input: leave such a node as it is */
        return false;
    for (int64_t t = *lo; t <= *hi; t++)
        if (!tap_touches(a, t)) /* a gap (strides past the input): leave it */
            return false;
    if (*lo == 0 && *hi == a->k - 1)
        return false;
    const int64_t k = *hi - *lo + 1, span = (k - 1) * a->dil + 1;
    *pb = a->pad_begin - *lo * a->dil;
    /* The smallest end pad that keeps the output size. */
    *pe = (a->out - 1) * a->stride + span - a->in - *pb;
    if (*pe < 0)
        *pe = 0;
    return *pb >= 0 && (a->in + *pb + *pe - span) / a->stride + 1 == a->out;
}

static mobinfer_status trim_at(mbi_opt_graph *og, int ni)
{
    mbi_node *n = &og->g.nodes[ni];
    if (!mbi_og_is(n, "Conv") || n->n_inputs < 2 || n->n_outputs != 1 || n->inputs[0] < 0)
        return MOBINFER_OK;
    const mbi_value_decl *x = &og->g.values[n->inputs[0]], *w = &og->g.values[n->inputs[1]];
    const mbi_value_decl *y = &og->g.values[n->outputs[0]];
    const float *wd = mbi_og_const_f32(og, n->inputs[1]);
    if (!wd || x->rank != 4 || w->rank != 4 || y->rank != 4)
        return MOBINFER_OK;
    for (int i = 2; i < 4; i++)
        if (x->dims[i] < 1 || y->dims[i] < 1 || x->dims[i] > TRIM_MAX_EXTENT ||
            y->dims[i] > TRIM_MAX_EXTENT)
            return MOBINFER_OK;
    mbi_error e;
    mbi_error_clear(&e);
    const char *auto_pad;
    const int64_t *pads, *strides, *dils;
    size_t np, ns, nd;
    if (mbi_attr_string(n, "auto_pad", "NOTSET", &auto_pad, &e) ||
        strcmp(auto_pad, "NOTSET") != 0 || mbi_attr_ints(n, "pads", &pads, &np, &e) ||
        mbi_attr_ints(n, "strides", &strides, &ns, &e) ||
        mbi_attr_ints(n, "dilations", &dils, &nd, &e) || (pads && np != 4) ||
        (strides && ns != 2) || (dils && nd != 2))
        return MOBINFER_OK;
    conv_axis ax[2];
    int64_t lo[2], hi[2], pb[2], pe[2];
    bool trim = false;
    for (int i = 0; i < 2; i++) {
        ax[i] = (conv_axis){x->dims[2 + i], y->dims[2 + i], w->dims[2 + i],
                            strides ? strides[i] : 1, dils ? dils[i] : 1,
                            pads ? pads[i] : 0, pads ? pads[2 + i] : 0};
        if (ax[i].stride < 1 || ax[i].dil < 1 || ax[i].k < 1)
            return MOBINFER_OK;
        if (trim_axis(&ax[i], &lo[i], &hi[i], &pb[i], &pe[i])) {
            trim = true;
        } else {
            lo[i] = 0;
            hi[i] = ax[i].k - 1;
            pb[i] = ax[i].pad_begin;
            pe[i] = ax[i].pad_end;
        }
    }
    if (!trim)
        return MOBINFER_OK;
    const int64_t kh = hi[0] - lo[0] + 1, kw = hi[1] - lo[1] + 1;
    const int64_t dims[4] = {w->dims[0], w->dims[1], kh, kw};
    const size_t planes = (size_t)(w->dims[0] * w->dims[1]);
    float *w2 = mbi_og_alloc_floats(og, planes * (size_t)(kh * kw));
    if (!w2)
        return og->err->status;
    for (size_t p = 0; p < planes; p++)
        for (int64_t r = 0; r < kh; r++)
            memcpy(w2 + (p * (size_t)kh + (size_t)r) * (size_t)kw,
                   wd + (p * (size_t)w->dims[2] + (size_t)(lo[0] + r)) * (size_t)w->dims[3] +
                       (size_t)lo[1],
                   (size_t)kw * sizeof(float));
    const int wv = mbi_og_add_const(og, w->name, "#trimmed", MOBINFER_DTYPE_FLOAT32, 4, dims, w2);
    if (wv < 0)
        return og->err->status;
    n = &og->g.nodes[ni]; /* adding a value may have moved the arrays */
    const int64_t kernel[2] = {kh, kw}, new_pads[4] = {pb[0], pb[1], pe[0], pe[1]};
    /* A single tap reads no neighbours: dilation 1 lets the layout pass take it as 1x1. */
    const int64_t new_dils[2] = {kh == 1 ? 1 : ax[0].dil, kw == 1 ? 1 : ax[1].dil};
    mbi_og_inputs(n)[1] = wv;
    if (!mbi_og_set_attr_ints(og, n, "kernel_shape", kernel, 2) ||
        !mbi_og_set_attr_ints(og, n, "pads", new_pads, 4) ||
        !mbi_og_set_attr_ints(og, n, "dilations", new_dils, 2))
        return og->err->status;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_trim_padding_taps(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, trim_at);
}
