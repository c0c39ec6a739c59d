/* A channel Concat of NHWC convolution outputs (SqueezeNet's fire modules,
 * Inception-style blocks) costs a copy of every input; instead each
 * convolution writes its channel slice of the Concat's output directly
 * (ConvNhwc's channels_total / channel_offset / inplace_input attributes,
 * src/ops/conv_nhwc.c):
 *
 *   a = ConvNhwc(x1)  b = ConvNhwc(x2)  y = Concat(a, b, axis 3)
 * becomes
 *   t = ConvNhwc(x1) -> channels [0, Ma) of [N, H, W, Ma + Mb]
 *   y = ConvNhwc(x2, Into = t) -> channels [Ma, Ma + Mb), the rest kept from t
 *
 * The chain follows the convolutions' order in the graph (each one runs
 * after the previous one it takes as Into); the last one writes y. The
 * memory planner gives every link of the chain one block, so nothing is
 * copied. Only when every input is a dense ConvNhwc read by this Concat
 * alone, without a residual (its tile would have the slice's row stride,
 * which the residual does not). Concats with other inputs keep their copy:
 * the convolutions could still write in place, but the other inputs would
 * need a copy node of their own, and the models measured do not have them
 * (DenseNet and GhostNet concatenate a tensor other nodes read too). */
#include <stdio.h>
#include <string.h>

#include "ir/attr.h"
#include "ops/epilogue_attrs.h"
#include "ops/op.h"
#include "opt/passes.h"

/* The most inputs one Concat rewrite handles (Inception blocks have 4). */
#define MAX_PARTS 16

/* The ConvNhwc writing v, when it may write a slice instead: dense, no
 * residual, not a slice already, and v read by the Concat alone. */
static int slice_conv(const mbi_opt_graph *og, int v)
{
    if (v < 0 || og->uses[v] != 1)
        return -1;
    int i = mbi_og_producer(og, v);
    if (i < 0)
        return -1;
    const mbi_node *n = &og->g.nodes[i];
    if (!mbi_og_is_internal(n, "ConvNhwc") || n->n_outputs != 1 || n->n_inputs < 2 ||
        n->n_inputs > 3 || n->outputs[0] != v)
        return -1;
    mbi_error e;
    mbi_error_clear(&e);
    int64_t group, residual;
    if (mbi_attr_int(n, "group", 1, &group, &e) ||
        mbi_attr_int(n, MBI_ATTR_RESIDUAL, 0, &residual, &e) || group != 1 || residual != 0 ||
        mbi_attr_find(n, "channels_total") || mbi_attr_find(n, "channel_offset") ||
        mbi_attr_find(n, MBI_ATTR_INPLACE_INPUT))
        return -1;
    /* One input and one output channel with group 1 is also what ConvNhwc
     * takes for a depthwise convolution, which writes no slices. */
    const mbi_value_decl *w = &og->g.values[n->inputs[1]];
    const mbi_value_decl *x = &og->g.values[n->inputs[0]];
    if (w->rank != 4 || x->rank != 4 || w->dims[1] != x->dims[3] ||
        (w->dims[0] == 1 && x->dims[3] == 1))
        return -1;
    return i;
}

static bool channel_concat(const mbi_opt_graph *og, const mbi_node *n)
{
    if (!mbi_og_is(n, "Concat") || n->n_outputs != 1 || n->n_inputs < 2 ||
        n->n_inputs > MAX_PARTS || n->outputs[0] < 0)
        return false;
    int64_t axis;
    mbi_error e;
    mbi_error_clear(&e);
    const mbi_value_decl *y = &og->g.values[n->outputs[0]];
    if (y->rank != 4 || y->dtype != MOBINFER_DTYPE_FLOAT32 ||
        mbi_attr_int(n, "axis", 0, &axis, &e))
        return false;
    return axis == 3 || axis == -1;
}

static mobinfer_status visit(mbi_opt_graph *og, int node)
{
    const mbi_node *cat = &og->g.nodes[node];
    if (!channel_concat(og, cat))
        return MOBINFER_OK;
    int parts = cat->n_inputs;
    int conv[MAX_PARTS];
    int64_t offset[MAX_PARTS];
    int64_t total = 0;
    for (int k = 0; k < parts; k++) {
        conv[k] = slice_conv(og, cat->inputs[k]);
        if (conv[k] < 0)
            return MOBINFER_OK;
        offset[k] = total;
        total += og->g.values[cat->inputs[k]].dims[3];
    }
    /* Chain order: the order the convolutions run in. */
    int order[MAX_PARTS];
    for (int k = 0; k < parts; k++) {
        int at = k;
        while (at > 0 && conv[order[at - 1]] > conv[k]) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = k;
    }
    const int y = cat->outputs[0];
    const mbi_value_decl *yd = &og->g.values[y];
    int64_t dims[4] = {yd->dims[0], yd->dims[1], yd->dims[2], yd->dims[3]};
    const char *base = yd->name;
    int prev = -1;
    for (int r = 0; r < parts; r++) {
        int k = order[r];
        mbi_node *n = &og->g.nodes[conv[k]];
        int out = y;
        if (r + 1 < parts) {
            char suffix[32];
            snprintf(suffix, sizeof suffix, "#slice%d", r);
            out = mbi_og_add_value(og, base, suffix, MOBINFER_DTYPE_FLOAT32, 4, dims);
            if (out < 0)
                return og->err->status;
        }
        mbi_og_outputs(n)[0] = out;
        if (!mbi_og_set_attr_int(og, n, "channels_total", total) ||
            !mbi_og_set_attr_int(og, n, "channel_offset", offset[k]))
            return og->err->status;
        if (prev >= 0) {
            int in[4] = {n->inputs[0], n->inputs[1], n->n_inputs > 2 ? n->inputs[2] : -1, prev};
            if (!mbi_og_set_inputs(og, n, in, 4) ||
                !mbi_og_set_attr_int(og, n, MBI_ATTR_INPLACE_INPUT, 3))
                return og->err->status;
        }
        prev = out;
    }
    og->removed[node] = true;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_concat_in_place(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, visit);
}
