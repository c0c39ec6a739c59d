/* LayerNorm as exporters decompose it (opset < 17) becomes one
 * LayerNormalization over the last axis:
 *   m = ReduceMean(x, [-1]);  d = x - m;  v = ReduceMean(d*d, [-1])
 *   y = d / Sqrt(v + eps) * gamma + beta        (gamma, beta optional)
 * The square is Mul(d, d) here: strength_reduce.c already rewrote Pow. */
#include <string.h>

#include "ir/attr.h"
#include "opt/passes.h"

/* ReduceMean over the last axis with keepdims. */
static bool last_axis_mean(const mbi_opt_graph *og, const mbi_node *n)
{
    int64_t axes[MBI_MAX_RANK];
    int count;
    bool keep;
    return mbi_og_reduce_mean(og, n, axes, &count, &keep) && keep && count == 1 &&
           axes[0] == og->g.values[n->inputs[0]].rank - 1;
}

/* The other operand of binary node n besides v. */
static int other(const mbi_node *n, int v)
{
    return n->inputs[0] == v ? n->inputs[1] : n->inputs[0];
}

/* A constant of the normalized axis' length (shape [..., 1, C] or [C]). */
static bool row_const(const mbi_opt_graph *og, int v, int64_t c)
{
    const mbi_value_decl *d = &og->g.values[v];
    if (!mbi_og_const_f32(og, v) || d->rank < 1 || d->dims[d->rank - 1] != c)
        return false;
    for (int k = 0; k < d->rank - 1; k++)
        if (d->dims[k] != 1)
            return false;
    return true;
}

static mobinfer_status fuse_at(mbi_opt_graph *og, int mi)
{
    const mbi_node *m = &og->g.nodes[mi];
    if (!last_axis_mean(og, m))
        return MOBINFER_OK;
    int x = m->inputs[0];
    const mbi_value_decl *xd = &og->g.values[x];
    if (xd->dtype != MOBINFER_DTYPE_FLOAT32)
        return MOBINFER_OK;
    int64_t c = xd->dims[xd->rank - 1];
    int sub = mbi_og_only_reader(og, m->outputs[0], "Sub");
    if (sub < 0 || og->g.nodes[sub].inputs[0] != x || og->g.nodes[sub].inputs[1] != m->outputs[0])
        return MOBINFER_OK;
    int d = og->g.nodes[sub].outputs[0];
    /* Three reads: Mul(d, d) twice, Div(d, s) once. */
    if (og->uses[d] != 3)
        return MOBINFER_OK;
    /* d is read by Mul(d, d) and Div(d, s). */
    int sq = -1, div = -1;
    for (int i = 0; i < og->g.n_nodes; i++) {
        const mbi_node *n = &og->g.nodes[i];
        if (og->removed[i] || n->n_inputs != 2)
            continue;
        if (mbi_og_is(n, "Mul") && n->inputs[0] == d && n->inputs[1] == d)
            sq = i;
        else if (mbi_og_is(n, "Div") && n->inputs[0] == d)
            div = i;
    }
    if (sq < 0 || div < 0)
        return MOBINFER_OK;
    int var = mbi_og_only_reader(og, og->g.nodes[sq].outputs[0], "ReduceMean");
    if (var < 0 || !last_axis_mean(og, &og->g.nodes[var]))
        return MOBINFER_OK;
    int add = mbi_og_only_reader(og, og->g.nodes[var].outputs[0], "Add");
    if (add < 0)
        return MOBINFER_OK;
    int eps_v = other(&og->g.nodes[add], og->g.nodes[var].outputs[0]);
    const float *eps = mbi_og_const_f32(og, eps_v);
    if (!eps || og->g.values[eps_v].init->bytes != sizeof(float))
        return MOBINFER_OK;
    int sqrt_i = mbi_og_only_reader(og, og->g.nodes[add].outputs[0], "Sqrt");
    if (sqrt_i < 0 || og->g.nodes[div].inputs[1] != og->g.nodes[sqrt_i].outputs[0] ||
        og->uses[og->g.nodes[sqrt_i].outputs[0]] != 1)
        return MOBINFER_OK;
    /* Optional scale and shift. */
    int last = div, gamma = -1, beta = -1;
    int mul = mbi_og_only_reader(og, og->g.nodes[div].outputs[0], "Mul");
    if (mul >= 0 && row_const(og, other(&og->g.nodes[mul], og->g.nodes[div].outputs[0]), c)) {
        gamma = other(&og->g.nodes[mul], og->g.nodes[div].outputs[0]);
        last = mul;
        int shift = mbi_og_only_reader(og, og->g.nodes[mul].outputs[0], "Add");
        if (shift >= 0 &&
            row_const(og, other(&og->g.nodes[shift], og->g.nodes[mul].outputs[0]), c)) {
            beta = other(&og->g.nodes[shift], og->g.nodes[mul].outputs[0]);
            last = shift;
        }
    }
    /* The result must keep x's shape (no broadcasting by gamma or beta). */
    const mbi_value_decl *yd = &og->g.values[og->g.nodes[last].outputs[0]];
    if (yd->rank != xd->rank || memcmp(yd->dims, xd->dims, sizeof(int64_t) * (size_t)xd->rank))
        return MOBINFER_OK;
    if (gamma < 0) {
        float *ones = mbi_og_alloc_floats(og, (size_t)c);
        if (!ones)
            return og->err->status;
        for (int64_t k = 0; k < c; k++)
            ones[k] = 1.0f;
        gamma = mbi_og_add_const(og, og->g.values[x].name, "#ln_scale", MOBINFER_DTYPE_FLOAT32, 1,
                                 &c, ones);
        if (gamma < 0)
            return og->err->status;
    }
    mbi_node *f = &og->g.nodes[last];
    int ins[3] = {x, gamma, beta};
    if (!mbi_og_set_inputs(og, f, ins, beta >= 0 ? 3 : 2))
        return og->err->status;
    f->op_type = "LayerNormalization";
    f->domain = "";
    f->opset = 17;
    f->n_attrs = 0;
    f->attrs = NULL;
    if (!mbi_og_set_attr_int(og, f, "axis", -1) || !mbi_og_set_attr_float(og, f, "epsilon", eps[0]))
        return og->err->status;
    int drop[] = {mi, sub, sq, var, add, sqrt_i, div, last != div ? mul : -1};
    for (size_t k = 0; k < sizeof drop / sizeof drop[0]; k++)
        if (drop[k] >= 0 && drop[k] != last)
            og->removed[drop[k]] = true;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_fuse_layer_norm(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, fuse_at);
}
