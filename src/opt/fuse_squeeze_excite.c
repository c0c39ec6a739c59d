/* Squeeze-and-excitation blocks become one SqueezeExcite node
 * (src/ops/squeeze_excite.c). Runs after the layout and epilogue passes, so
 * the block reads, on channels-last tensors:
 *   g = GlobalAveragePoolNhwc(x)               [N, 1, 1, C]
 *       (the layout pass makes every mean over H and W one)
 *   h = ConvNhwc 1x1 (g) with activation       [N, 1, 1, R]
 *   s = ConvNhwc 1x1 (h) with activation       [N, 1, 1, C]   (the gate)
 *   y = Mul(x, s)                               [N, H, W, C]
 * with g, h and s read only by the next step. */
#include <string.h>

#include "ir/attr.h"
#include "ops/epilogue_attrs.h"
#include "opt/passes.h"

/* A 1x1 ConvNhwc with a plain epilogue (an activation at most) reading v. */
static bool plain_pointwise(const mbi_opt_graph *og, const mbi_node *n, mbi_act *act)
{
    if (!mbi_og_is_internal(n, "ConvNhwc") || n->n_inputs < 2 || n->n_inputs > 3)
        return false;
    const mbi_value_decl *w = &og->g.values[n->inputs[1]];
    mbi_epilogue ep;
    mbi_error e;
    mbi_error_clear(&e);
    int64_t group;
    if (w->rank != 4 || w->dims[2] != 1 || w->dims[3] != 1 ||
        mbi_epilogue_from_attrs(n, &ep, &e) || ep.residual || ep.post.kind != MBI_ACT_NONE ||
        mbi_attr_int(n, "group", 1, &group, &e) || group != 1)
        return false;
    *act = ep.act;
    return true;
}

static mobinfer_status fuse_at(mbi_opt_graph *og, int gi)
{
    const mbi_node *g = &og->g.nodes[gi];
    if (!mbi_og_is_internal(g, "GlobalAveragePoolNhwc"))
        return MOBINFER_OK;
    int x = g->inputs[0];
    mbi_act a1, a2;
    int c1 = mbi_og_single_consumer(og, g->outputs[0], NULL);
    if (c1 < 0 || !plain_pointwise(og, &og->g.nodes[c1], &a1) ||
        og->g.nodes[c1].inputs[0] != g->outputs[0])
        return MOBINFER_OK;
    int c2 = mbi_og_single_consumer(og, og->g.nodes[c1].outputs[0], NULL);
    if (c2 < 0 || !plain_pointwise(og, &og->g.nodes[c2], &a2) ||
        og->g.nodes[c2].inputs[0] != og->g.nodes[c1].outputs[0])
        return MOBINFER_OK;
    int s = og->g.nodes[c2].outputs[0];
    int mul = mbi_og_single_consumer(og, s, NULL);
    if (mul < 0 || !mbi_og_is(&og->g.nodes[mul], "Mul") || og->g.nodes[mul].n_inputs != 2)
        return MOBINFER_OK;
    const mbi_node *m = &og->g.nodes[mul];
    int other = m->inputs[0] == s ? m->inputs[1] : m->inputs[0];
    const mbi_value_decl *xd = &og->g.values[x], *yd = &og->g.values[m->outputs[0]];
    if (other != x || xd->rank != 4 || yd->rank != 4 ||
        memcmp(xd->dims, yd->dims, 4 * sizeof(int64_t)) != 0)
        return MOBINFER_OK;
    const mbi_node *n1 = &og->g.nodes[c1], *n2 = &og->g.nodes[c2];
    int ins[5] = {x, n1->inputs[1], n1->n_inputs > 2 ? n1->inputs[2] : -1, n2->inputs[1],
                  n2->n_inputs > 2 ? n2->inputs[2] : -1};
    /* The Mul's node becomes the fused one: it is where y is written. */
    mbi_node *f = &og->g.nodes[mul];
    if (!mbi_og_set_inputs(og, f, ins, 5))
        return og->err->status;
    f->op_type = "SqueezeExcite";
    f->domain = MBI_INTERNAL_DOMAIN;
    f->n_attrs = 0;
    f->attrs = NULL;
    if (!mbi_og_set_attr_int(og, f, MBI_ATTR_ACT, a1.kind) ||
        !mbi_og_set_attr_float(og, f, MBI_ATTR_ACT_ALPHA, a1.alpha) ||
        !mbi_og_set_attr_float(og, f, MBI_ATTR_ACT_BETA, a1.beta) ||
        !mbi_og_set_attr_int(og, f, MBI_ATTR_POST, a2.kind) ||
        !mbi_og_set_attr_float(og, f, MBI_ATTR_POST_ALPHA, a2.alpha) ||
        !mbi_og_set_attr_float(og, f, MBI_ATTR_POST_BETA, a2.beta))
        return og->err->status;
    og->removed[gi] = og->removed[c1] = og->removed[c2] = true;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_fuse_squeeze_excite(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, fuse_at);
}
