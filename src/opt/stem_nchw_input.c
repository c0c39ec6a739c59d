/* A dense ConvNhwc with few input channels whose input is a Transpose
 * NCHW -> NHWC read by it alone (the layout pass converting a network's
 * image for its first convolution), or the free Reshape that stands for
 * that Transpose when there is one channel, becomes ConvStemNhwc reading
 * the NCHW tensor itself: the image is never transposed (a strided copy,
 * slow), and the stem kernel (src/kernels/f32-stemconv) beats the indirect
 * GEMM, whose depth kh * kw * C is short for such a layer.
 *
 * Runs after fuse_epilogue (the convolution's activation is final) and
 * before concat_in_place (which only rewrites ConvNhwc). Convolutions with
 * a residual, a channel slice or groups stay as they are, as does a
 * Transpose with other readers (it must run anyway). */
#include <string.h>

#include "ir/attr.h"
#include "ops/epilogue_attrs.h"
#include "ops/op.h" /* MBI_ATTR_INPLACE_INPUT */
#include "opt/passes.h"

/* Input channels up to which the stem kernel is used: it broadcasts every
 * input float once per tap and channel vector, which pays while kh * kw * C
 * is too short for the GEMM's tiles (RGB, RGBA, grey images). */
#define STEM_MAX_CHANNELS 4

/* The NCHW tensor that node `t` turns into NHWC value v, or -1. */
static int nchw_source(const mbi_opt_graph *og, const mbi_node *t, int v)
{
    if (t->n_outputs != 1 || t->outputs[0] != v || t->n_inputs < 1 || t->inputs[0] < 0)
        return -1;
    const int src = t->inputs[0];
    const mbi_value_decl *in = &og->g.values[src], *out = &og->g.values[v];
    if (in->rank != 4 || out->rank != 4 || in->dtype != MOBINFER_DTYPE_FLOAT32 ||
        in->dims[0] != out->dims[0] || in->dims[1] != out->dims[3] ||
        in->dims[2] != out->dims[1] || in->dims[3] != out->dims[2])
        return -1;
    if (mbi_og_is(t, "Reshape"))
        return in->dims[1] == 1 ? src : -1; /* one channel: the same bytes */
    if (!mbi_og_is(t, "Transpose") || t->n_inputs != 1)
        return -1;
    mbi_error e;
    mbi_error_clear(&e);
    const int64_t *perm;
    size_t count;
    static const int64_t to_nhwc[4] = {0, 2, 3, 1};
    if (mbi_attr_ints(t, "perm", &perm, &count, &e) || !perm || count != 4 ||
        memcmp(perm, to_nhwc, sizeof to_nhwc) != 0)
        return -1;
    return src;
}

static mobinfer_status visit(mbi_opt_graph *og, int node)
{
    mbi_node *n = &og->g.nodes[node];
    if (!mbi_og_is_internal(n, "ConvNhwc") || n->n_inputs < 2 || n->n_inputs > 3 ||
        n->n_outputs != 1 || n->inputs[0] < 0 || !mbi_og_const_f32(og, n->inputs[1]))
        return MOBINFER_OK;
    mbi_error e;
    mbi_error_clear(&e);
    int64_t group, residual;
    if (mbi_attr_int(n, "group", 1, &group, &e) ||
        mbi_attr_int(n, MBI_ATTR_RESIDUAL, 0, &residual, &e) || group != 1 || residual != 0 ||
        mbi_attr_find(n, "channels_total") || mbi_attr_find(n, "channel_offset") ||
        mbi_attr_find(n, MBI_ATTR_INPLACE_INPUT))
        return MOBINFER_OK;
    const int v = n->inputs[0];
    const mbi_value_decl *x = &og->g.values[v], *w = &og->g.values[n->inputs[1]];
    if (x->rank != 4 || w->rank != 4 || w->dims[1] != x->dims[3] || x->dims[3] < 1 ||
        x->dims[3] > STEM_MAX_CHANNELS || og->uses[v] != 1)
        return MOBINFER_OK;
    const int t = mbi_og_producer(og, v);
    const int src = t >= 0 ? nchw_source(og, &og->g.nodes[t], v) : -1;
    if (src < 0)
        return MOBINFER_OK;
    mbi_og_inputs(n)[0] = src;
    n->op_type = "ConvStemNhwc";
    og->removed[t] = true;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_stem_nchw_input(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, visit);
}
