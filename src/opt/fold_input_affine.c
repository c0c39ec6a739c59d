/* A per-channel affine map a*x + b (Mul and/or Add by constants, as
 * PP-LCNet's learnable affine blocks write after an activation) feeding a
 * convolution without padding folds into that convolution:
 *   conv_W(a*x + b) = conv_{W*a}(x) + sum over inputs and taps of W*b
 * Exact only without padding (a padded border would see b where it now sees
 * 0), so the convolution must have zero pads; dense or depthwise. */
#include <string.h>

#include "ir/attr.h"
#include "opt/passes.h"

static bool unpadded_conv(const mbi_opt_graph *og, const mbi_node *c, int64_t *group)
{
    if (!mbi_og_is(c, "Conv") || c->n_inputs < 2 || c->n_outputs != 1 ||
        !mbi_og_const_f32(og, c->inputs[1]) || og->g.values[c->inputs[1]].rank != 4 ||
        (c->n_inputs > 2 && c->inputs[2] >= 0 && !mbi_og_const_f32(og, c->inputs[2])))
        return false;
    mbi_error e;
    mbi_error_clear(&e);
    const char *auto_pad;
    const int64_t *pads;
    size_t count;
    if (mbi_attr_string(c, "auto_pad", "NOTSET", &auto_pad, &e) ||
        (strcmp(auto_pad, "NOTSET") && strcmp(auto_pad, "VALID")) ||
        mbi_attr_ints(c, "pads", &pads, &count, &e) || mbi_attr_int(c, "group", 1, group, &e))
        return false;
    for (size_t i = 0; pads && i < count; i++)
        if (pads[i] != 0)
            return false;
    const mbi_value_decl *x = &og->g.values[c->inputs[0]], *w = &og->g.values[c->inputs[1]];
    return x->rank == 4 && (*group == 1 || (*group == x->dims[1] && w->dims[0] == x->dims[1]));
}

/* The constant operand of a binary node that reads v, if per-channel. */
static const float *affine_operand(const mbi_opt_graph *og, const mbi_node *n, int v,
                                   int64_t c, size_t *stride)
{
    if (n->n_inputs != 2 || n->n_outputs != 1)
        return NULL;
    int k = n->inputs[0] == v ? 1 : 0;
    if (n->inputs[1 - k] != v || !mbi_og_per_channel(og, n->inputs[k], 4, c, stride))
        return NULL;
    /* The affine must keep x's shape. */
    const mbi_value_decl *x = &og->g.values[v], *y = &og->g.values[n->outputs[0]];
    if (y->rank != 4 || memcmp(x->dims, y->dims, 4 * sizeof(int64_t)) != 0)
        return NULL;
    return mbi_og_const_f32(og, n->inputs[k]);
}

static mobinfer_status fold_into(mbi_opt_graph *og, int ci)
{
    mbi_node *c = &og->g.nodes[ci];
    int64_t group;
    if (!unpadded_conv(og, c, &group))
        return MOBINFER_OK;
    int u = c->inputs[0];
    int64_t chans = og->g.values[u].dims[1];
    const float *a = NULL, *b = NULL;
    size_t as = 0, bs = 0;
    int drop[2] = {-1, -1}, src = u;
    /* Walk back: Add (b), then Mul (a), each read only by the next step. */
    int p = og->uses[src] == 1 ? mbi_og_producer(og, src) : -1;
    if (p >= 0 && mbi_og_is(&og->g.nodes[p], "Add")) {
        const mbi_node *n = &og->g.nodes[p];
        int x = n->inputs[0], y = n->inputs[1];
        int in = mbi_og_const_f32(og, y) ? x : y;
        if ((b = affine_operand(og, n, in, chans, &bs))) {
            drop[0] = p;
            src = in;
            p = og->uses[src] == 1 ? mbi_og_producer(og, src) : -1;
        }
    }
    if (p >= 0 && mbi_og_is(&og->g.nodes[p], "Mul")) {
        const mbi_node *n = &og->g.nodes[p];
        int x = n->inputs[0], y = n->inputs[1];
        int in = mbi_og_const_f32(og, y) ? x : y;
        if ((a = affine_operand(og, n, in, chans, &as))) {
            drop[1] = p;
            src = in;
        }
    }
    if (!a && !b)
        return MOBINFER_OK;
    const mbi_value_decl *wd = &og->g.values[c->inputs[1]];
    const float *w = mbi_og_const_f32(og, c->inputs[1]);
    const float *bias = c->n_inputs > 2 && c->inputs[2] >= 0 ? mbi_og_const_f32(og, c->inputs[2])
                                                             : NULL;
    int64_t co = wd->dims[0], cig = wd->dims[1], taps = wd->dims[2] * wd->dims[3];
    float *w2 = mbi_og_alloc_floats(og, (size_t)(co * cig * taps));
    float *b2 = mbi_og_alloc_floats(og, (size_t)co);
    if (!w2 || !b2)
        return og->err->status;
    for (int64_t o = 0; o < co; o++) {
        double acc = bias ? bias[o] : 0.0;
        for (int64_t i = 0; i < cig; i++) {
            /* The input channel this weight reads. */
            int64_t ch = group == 1 ? i : o;
            float sa = a ? a[(size_t)ch * as] : 1.0f, sb = b ? b[(size_t)ch * bs] : 0.0f;
            for (int64_t t = 0; t < taps; t++) {
                size_t k = (size_t)((o * cig + i) * taps + t);
                w2[k] = w[k] * sa;
                acc += (double)w[k] * sb;
            }
        }
        b2[o] = (float)acc;
    }
    int wv = mbi_og_add_const(og, wd->name, "#affine", MOBINFER_DTYPE_FLOAT32, 4, wd->dims, w2);
    int bv = mbi_og_add_const(og, wd->name, "#affine_bias", MOBINFER_DTYPE_FLOAT32, 1, &co, b2);
    if (wv < 0 || bv < 0)
        return og->err->status;
    int ins[3] = {src, wv, bv};
    if (!mbi_og_set_inputs(og, &og->g.nodes[ci], ins, 3))
        return og->err->status;
    for (int k = 0; k < 2; k++)
        if (drop[k] >= 0)
            og->removed[drop[k]] = true;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_fold_input_affine(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, fold_into);
}
