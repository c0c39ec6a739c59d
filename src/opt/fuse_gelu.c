/* GELU as exporters write it before opset 20 becomes one Gelu node:
 *   v * (erf(v / sqrt 2) + 1) * 1/2
 * with the erf argument as Div(v, sqrt 2) or Mul(v, 1/sqrt 2), and the
 * half applied last, first (to v) or to the gate. Runs early, before the
 * folding passes: fold_input_affine would otherwise take the final Mul by
 * 1/2 into the next unpadded convolution's weights (RepViT's channel mixer,
 * FastViT's MLP), and what remained, v * (erf(...) + 1), would match no
 * activation; as one Gelu node it joins the producing convolution's or
 * Dense's epilogue (fuse_epilogue.c) and runs as one vector pass. */
#include "opt/passes.h"

#define SQRT2 1.41421356f

/* The only node reading v when it is `op`, else -1. */
static int sole_reader(const mbi_opt_graph *og, int v, const char *op)
{
    if (og->uses[v] != 1)
        return -1;
    const int i = mbi_og_single_consumer(og, v, NULL);
    return i >= 0 && mbi_og_is(&og->g.nodes[i], op) ? i : -1;
}

/* The input of Mul node n that is not `other`. */
static int mul_operand(const mbi_node *n, int other)
{
    return n->inputs[0] == other ? n->inputs[1] : n->inputs[0];
}

static mobinfer_status fuse_at(mbi_opt_graph *og, int ei)
{
    mbi_node *e = &og->g.nodes[ei];
    if (!mbi_og_is(e, "Erf") || e->n_inputs != 1 || e->n_outputs != 1 || e->inputs[0] < 0 ||
        og->uses[e->inputs[0]] != 1)
        return MOBINFER_OK;
    /* erf's argument: v / sqrt 2 or v * (1 / sqrt 2). */
    const int di = mbi_og_producer(og, e->inputs[0]);
    if (di < 0)
        return MOBINFER_OK;
    const mbi_node *d = &og->g.nodes[di];
    int v;
    if (mbi_og_is(d, "Div") && d->n_inputs == 2 && mbi_og_other_is_scalar(og, d, d->inputs[0], SQRT2))
        v = d->inputs[0];
    else if (mbi_og_is(d, "Mul") && d->n_inputs == 2 &&
             mbi_og_other_is_scalar(og, d, d->inputs[0], 1.0f / SQRT2))
        v = d->inputs[0];
    else if (mbi_og_is(d, "Mul") && d->n_inputs == 2 &&
             mbi_og_other_is_scalar(og, d, d->inputs[1], 1.0f / SQRT2))
        v = d->inputs[1];
    else
        return MOBINFER_OK;
    /* + 1 */
    const int pi = sole_reader(og, e->outputs[0], "Add");
    if (pi < 0 || !mbi_og_other_is_scalar(og, &og->g.nodes[pi], e->outputs[0], 1.0f))
        return MOBINFER_OK;
    const int gate = og->g.nodes[pi].outputs[0];
    const int m1 = sole_reader(og, gate, "Mul");
    if (m1 < 0 || og->g.nodes[m1].n_inputs != 2)
        return MOBINFER_OK;
    const int a = mul_operand(&og->g.nodes[m1], gate);
    int last, extra;
    if (a == v) {
        /* (v * gate) * 1/2 */
        last = sole_reader(og, og->g.nodes[m1].outputs[0], "Mul");
        if (last < 0 || !mbi_og_other_is_scalar(og, &og->g.nodes[last], og->g.nodes[m1].outputs[0], 0.5f))
            return MOBINFER_OK;
        extra = m1;
    } else if (mbi_og_other_is_scalar(og, &og->g.nodes[m1], gate, 0.5f)) {
        /* v * (gate * 1/2) */
        last = sole_reader(og, og->g.nodes[m1].outputs[0], "Mul");
        if (last < 0 || mul_operand(&og->g.nodes[last], og->g.nodes[m1].outputs[0]) != v)
            return MOBINFER_OK;
        extra = m1;
    } else {
        /* (v * 1/2) * gate */
        const int hi = mbi_og_producer(og, a);
        if (hi < 0 || og->uses[a] != 1 || !mbi_og_is(&og->g.nodes[hi], "Mul") ||
            og->g.nodes[hi].n_inputs != 2 || mul_operand(&og->g.nodes[hi], v) == v ||
            !mbi_og_other_is_scalar(og, &og->g.nodes[hi], v, 0.5f) ||
            (og->g.nodes[hi].inputs[0] != v && og->g.nodes[hi].inputs[1] != v))
            return MOBINFER_OK;
        last = m1;
        extra = hi;
    }
    /* The Erf node becomes Gelu(v) writing the last Mul's output; it runs
     * where the Erf did, after v and before every reader of that output. */
    e->op_type = "Gelu";
    e->opset = 20;
    mbi_og_inputs(e)[0] = v;
    mbi_og_outputs(e)[0] = og->g.nodes[last].outputs[0];
    og->removed[di] = og->removed[pi] = og->removed[extra] = og->removed[last] = true;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_fuse_gelu(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, fuse_at);
}
