/* A zero Pad of the spatial axes in front of a convolution (TensorFlow's
 * "same" padding as exporters write it) becomes the convolution's own
 * padding: one node and one copy of the feature map fewer, and the layout
 * pass no longer meets an NCHW-only operator between two convolutions. */
#include <string.h>

#include "core/tensor.h"
#include "ir/attr.h"
#include "opt/passes.h"

static bool zero_pad_value(const mbi_opt_graph *og, const mbi_node *pad)
{
    if (pad->n_inputs < 3 || pad->inputs[2] < 0)
        return true;
    const float *v = mbi_og_const_f32(og, pad->inputs[2]);
    return v && og->g.values[pad->inputs[2]].init->bytes == sizeof(float) && v[0] == 0.0f;
}

static mobinfer_status fold_at(mbi_opt_graph *og, int pi)
{
    const mbi_node *pad = &og->g.nodes[pi];
    if (!mbi_og_is(pad, "Pad") || pad->opset < 11 || pad->n_inputs < 2 || pad->n_outputs != 1 ||
        pad->inputs[0] < 0 || og->g.values[pad->inputs[0]].rank != 4 ||
        og->g.values[pad->inputs[0]].dtype != MOBINFER_DTYPE_FLOAT32 || !zero_pad_value(og, pad))
        return MOBINFER_OK;
    mbi_error e;
    mbi_error_clear(&e);
    const char *mode;
    if (mbi_attr_string(pad, "mode", "constant", &mode, &e) || strcmp(mode, "constant") != 0)
        return MOBINFER_OK;
    if (pad->n_inputs > 3 && pad->inputs[3] >= 0) /* axes (opset 18) */
        return MOBINFER_OK;
    const mbi_const_tensor *pt = og->g.values[pad->inputs[1]].init;
    if (!pt || !pt->data || pt->rank != 1 || pt->dims[0] != 8)
        return MOBINFER_OK;
    mbi_tensor pads = {pt->dtype, 1, {8}, (void *)pt->data};
    int64_t p[8];
    for (int i = 0; i < 8; i++) {
        p[i] = mbi_tensor_get_int(&pads, i);
        if (p[i] < 0 || p[i] > (1 << 20))
            return MOBINFER_OK;
    }
    if (p[0] || p[1] || p[4] || p[5])
        return MOBINFER_OK;
    int slot;
    int ci = mbi_og_single_consumer(og, pad->outputs[0], &slot);
    if (ci < 0 || slot != 0 || !mbi_og_is(&og->g.nodes[ci], "Conv"))
        return MOBINFER_OK;
    mbi_node *conv = &og->g.nodes[ci];
    const char *auto_pad;
    const int64_t *cp;
    size_t count;
    if (mbi_attr_string(conv, "auto_pad", "NOTSET", &auto_pad, &e) ||
        strcmp(auto_pad, "NOTSET") != 0 || mbi_attr_ints(conv, "pads", &cp, &count, &e) ||
        (cp && count != 4))
        return MOBINFER_OK;
    /* Conv pads: h_begin, w_begin, h_end, w_end. */
    int64_t merged[4] = {p[2], p[3], p[6], p[7]};
    for (int i = 0; cp && i < 4; i++)
        merged[i] += cp[i];
    int in = pad->inputs[0];
    if (!mbi_og_set_attr_ints(og, conv, "pads", merged, 4))
        return og->err->status;
    mbi_og_inputs(conv)[0] = in;
    og->removed[pi] = true;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_fold_pad(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, fold_at);
}
