/* Inverted-residual blocks become one MBConvNhwc node (src/ops/mbconv_nhwc.c),
 * so the expanded tensor and the depthwise output stay in cache. Runs last,
 * on channels-last ConvNhwc nodes with their epilogues fused:
 *   e = ConvNhwc 1x1 (x) + act        expand     (optional)
 *   d = ConvNhwc depthwise (e) + act   k x k, any stride, pads, dilation
 *   y = ConvNhwc 1x1 (d) + epilogue    project    (optional; residual and post allowed)
 * e must be read by the depthwise node alone; d by the project node alone,
 * or else the block stops at d (EfficientNet's and MobileNetV3's squeeze-
 * excite read d). At least two stages, only when the tensor kept out of
 * memory is large enough for that to matter (FUSE_MIN_BYTES), and only when
 * the map is tall enough for the row bands of two threads to share few
 * expanded rows (each band computes its shared rows itself). */
#include <string.h>

#include "ir/attr.h"
#include "ops/epilogue_attrs.h"
#include "opt/passes.h"

/* Fused only when the largest intermediate the fusion keeps out of memory
 * (expanded or depthwise output, one image) is at least this large:
 * smaller ones mostly stay in L2 between the unfused nodes anyway. Measured
 * on MobileNetV2 and MnasNet: 300 and 512 KB tie at one thread, 512 KB is
 * ahead at two (the fused stages are no faster than ConvNhwc's, the gain is
 * the memory traffic). */
#define FUSE_MIN_BYTES ((int64_t)512 << 10)

/* A ConvNhwc writing a whole tensor of its own (not a channel slice of a
 * Concat's output: src/opt/concat_in_place.c). */
static bool whole_conv(const mbi_node *n)
{
    return mbi_og_is_internal(n, "ConvNhwc") && n->n_outputs == 1 &&
           !mbi_attr_find(n, "channels_total") && !mbi_attr_find(n, "channel_offset") &&
           !mbi_attr_find(n, "inplace_input");
}

/* A ConvNhwc node whose epilogue is an activation at most (no residual). */
static bool plain_conv(const mbi_node *n, mbi_act *act)
{
    if (!whole_conv(n) || n->n_inputs < 2 || n->n_inputs > 3)
        return false;
    mbi_epilogue ep;
    mbi_error e;
    mbi_error_clear(&e);
    if (mbi_epilogue_from_attrs(n, &ep, &e) || ep.residual || ep.post.kind != MBI_ACT_NONE)
        return false;
    *act = ep.act;
    return true;
}

static const mbi_value_decl *value(const mbi_opt_graph *og, int v)
{
    return &og->g.values[v];
}

static bool is_f32_4d(const mbi_opt_graph *og, int v)
{
    return v >= 0 && value(og, v)->rank == 4 && value(og, v)->dtype == MOBINFER_DTYPE_FLOAT32;
}

/* A 1x1 ConvNhwc, group 1, whose output has its input's height and width
 * (so no stride, no padding). */
static bool pointwise(const mbi_opt_graph *og, const mbi_node *n)
{
    if (!whole_conv(n) || n->n_inputs < 2 || !is_f32_4d(og, n->inputs[0]) ||
        !is_f32_4d(og, n->outputs[0]) || n->inputs[1] < 0)
        return false;
    const mbi_value_decl *x = value(og, n->inputs[0]), *y = value(og, n->outputs[0]);
    const mbi_value_decl *w = value(og, n->inputs[1]);
    int64_t group = 1;
    mbi_error e;
    mbi_error_clear(&e);
    return w->rank == 4 && w->dims[2] == 1 && w->dims[3] == 1 && w->dims[1] == x->dims[3] &&
           !mbi_attr_int(n, "group", 1, &group, &e) && group == 1 && x->dims[1] == y->dims[1] &&
           x->dims[2] == y->dims[2] && mbi_og_const_f32(og, n->inputs[1]) &&
           (n->n_inputs < 3 || n->inputs[2] < 0 || mbi_og_const_f32(og, n->inputs[2]));
}

static bool depthwise(const mbi_opt_graph *og, const mbi_node *n)
{
    if (!whole_conv(n) || n->n_inputs < 2 || !is_f32_4d(og, n->inputs[0]) ||
        !is_f32_4d(og, n->outputs[0]) || n->inputs[1] < 0)
        return false;
    const mbi_value_decl *x = value(og, n->inputs[0]), *w = value(og, n->inputs[1]);
    int64_t group = 1;
    mbi_error e;
    mbi_error_clear(&e);
    return w->rank == 4 && w->dims[1] == 1 && w->dims[0] == x->dims[3] &&
           value(og, n->outputs[0])->dims[3] == x->dims[3] &&
           !mbi_attr_int(n, "group", 1, &group, &e) && group == x->dims[3] &&
           mbi_og_const_f32(og, n->inputs[1]) &&
           (n->n_inputs < 3 || n->inputs[2] < 0 || mbi_og_const_f32(og, n->inputs[2]));
}

static int64_t image_bytes(const mbi_opt_graph *og, int v)
{
    const mbi_value_decl *d = value(og, v);
    return d->dims[1] * d->dims[2] * d->dims[3] * (int64_t)sizeof(float);
}

/* Expanded rows a band of output rows shares with the next band (each
 * thread computes them for its own band): the filter's span less the
 * stride, or 0 when unknown. */
static int64_t band_overlap(const mbi_opt_graph *og, const mbi_node *d)
{
    const int64_t *strides = NULL, *dils = NULL;
    size_t ns = 0, nd = 0;
    mbi_error e;
    mbi_error_clear(&e);
    if (mbi_attr_ints(d, "strides", &strides, &ns, &e) ||
        mbi_attr_ints(d, "dilations", &dils, &nd, &e))
        return 0;
    int64_t stride = ns ? strides[0] : 1, dil = nd ? dils[0] : 1;
    int64_t span = (value(og, d->inputs[1])->dims[2] - 1) * dil + 1;
    return span > stride ? span - stride : 0;
}

static int input_or_none(const mbi_node *n, int k)
{
    return k < n->n_inputs ? n->inputs[k] : -1;
}

static bool set_act(mbi_opt_graph *og, mbi_node *f, const char *kind, const char *alpha,
                    const char *beta, const mbi_act *act)
{
    return mbi_og_set_attr_int(og, f, kind, act->kind) &&
           mbi_og_set_attr_float(og, f, alpha, act->alpha) &&
           mbi_og_set_attr_float(og, f, beta, act->beta);
}

static mobinfer_status fuse_at(mbi_opt_graph *og, int di)
{
    const mbi_node *d = &og->g.nodes[di];
    mbi_act act_d, act_e = {0};
    if (!depthwise(og, d) || !plain_conv(d, &act_d))
        return MOBINFER_OK;
    /* The expand stage: the producer of d's input, read by d alone. */
    int ei = mbi_og_producer(og, d->inputs[0]);
    if (ei >= 0 && (og->removed[ei] || !pointwise(og, &og->g.nodes[ei]) ||
                    !plain_conv(&og->g.nodes[ei], &act_e) ||
                    mbi_og_single_consumer(og, d->inputs[0], NULL) != di))
        ei = -1;
    /* The project stage: the only reader of d's output, a 1x1 conv on it. */
    int pi = mbi_og_single_consumer(og, d->outputs[0], NULL);
    if (pi >= 0 && (!pointwise(og, &og->g.nodes[pi]) || og->g.nodes[pi].inputs[0] != d->outputs[0] ||
                    og->g.nodes[pi].n_inputs > 4))
        pi = -1;
    if (ei < 0 && pi < 0)
        return MOBINFER_OK;
    int64_t kept = 0;
    if (ei >= 0)
        kept = image_bytes(og, d->inputs[0]);
    if (pi >= 0 && image_bytes(og, d->outputs[0]) > kept)
        kept = image_bytes(og, d->outputs[0]);
    if (kept < FUSE_MIN_BYTES)
        return MOBINFER_OK;
    /* Split over threads, every band computes the expanded rows it shares
     * with the band before it again: keep that under a quarter of the
     * expand work at two threads (rules out 14x14 maps with 5x5 filters). */
    if (ei >= 0 && value(og, d->inputs[0])->dims[1] < 8 * band_overlap(og, d))
        return MOBINFER_OK;

    const mbi_node *e = ei >= 0 ? &og->g.nodes[ei] : NULL;
    const mbi_node *p = pi >= 0 ? &og->g.nodes[pi] : NULL;
    mbi_epilogue last;
    mbi_error err;
    mbi_error_clear(&err);
    if (p && mbi_epilogue_from_attrs(p, &last, &err))
        return MOBINFER_OK;
    if (!p)
        last = (mbi_epilogue){act_d, false, {MBI_ACT_NONE, 0.0f, 0.0f}};
    int ins[8] = {e ? e->inputs[0] : d->inputs[0],
                  e ? e->inputs[1] : -1,
                  e ? input_or_none(e, 2) : -1,
                  d->inputs[1],
                  input_or_none(d, 2),
                  p ? p->inputs[1] : -1,
                  p ? input_or_none(p, 2) : -1,
                  p && last.residual ? p->inputs[p->n_inputs - 1] : -1};
    int n_in = last.residual ? 8 : 7;
    /* The last node becomes the fused one (where y is written, after
     * everything it reads); it takes the depthwise node's window attributes. */
    int fi = p ? pi : di;
    mbi_node *f = &og->g.nodes[fi];
    const mbi_attr *attrs = og->g.nodes[di].attrs;
    int n_attrs = og->g.nodes[di].n_attrs;
    if (!mbi_og_set_inputs(og, f, ins, n_in))
        return og->err->status;
    f->op_type = "MBConvNhwc";
    f->domain = MBI_INTERNAL_DOMAIN;
    f->attrs = attrs;
    f->n_attrs = n_attrs;
    mbi_act none = {MBI_ACT_NONE, 0.0f, 0.0f};
    if (!mbi_og_remove_attr(og, f, MBI_ATTR_ACT) || !mbi_og_remove_attr(og, f, MBI_ATTR_ACT_ALPHA) ||
        !mbi_og_remove_attr(og, f, MBI_ATTR_ACT_BETA) ||
        !set_act(og, f, "expand_activation", "expand_alpha", "expand_beta", &act_e) ||
        !set_act(og, f, "dw_activation", "dw_alpha", "dw_beta", p ? &act_d : &none) ||
        !set_act(og, f, MBI_ATTR_ACT, MBI_ATTR_ACT_ALPHA, MBI_ATTR_ACT_BETA, &last.act) ||
        !set_act(og, f, MBI_ATTR_POST, MBI_ATTR_POST_ALPHA, MBI_ATTR_POST_BETA, &last.post) ||
        !mbi_og_set_attr_int(og, f, MBI_ATTR_RESIDUAL, last.residual))
        return og->err->status;
    if (ei >= 0)
        og->removed[ei] = true;
    if (fi != di)
        og->removed[di] = true;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_fuse_mbconv(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, fuse_at);
}
