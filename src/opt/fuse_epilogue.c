/* What follows a ConvNhwc joins its epilogue (src/kernels/epilogue.h):
 *   y = post( act(conv(x) + bias) + residual )
 * act: a Relu, Clip, LeakyRelu, HardSigmoid, HardSwish, Sigmoid, Tanh or
 * Gelu node, or the gated forms exporters write for SiLU and HardSwish
 * (y * sigmoid(y), y * hardsigmoid(y), y * relu6(y + 3) / 6);
 * residual: an Add of a tensor of the same shape that already exists when
 * the convolution runs; post: an activation after that Add (ResNet).
 * Each fused node disappears and the convolution writes its output. */
#include <math.h>
#include <string.h>

#include "ir/attr.h"
#include "ops/epilogue_attrs.h"
#include "opt/passes.h"

/* The nodes with an epilogue: ConvNhwc and Dense. */
static bool is_conv(const mbi_node *n)
{
    return mbi_og_is_internal(n, "ConvNhwc") || mbi_og_is_internal(n, "Dense");
}

/* The activation node n computes, if it is one the epilogue knows. */
static bool act_of(const mbi_opt_graph *og, const mbi_node *n, mbi_act *act)
{
    mbi_error e;
    mbi_error_clear(&e);
    memset(act, 0, sizeof *act);
    if (n->n_outputs != 1 || n->n_inputs < 1)
        return false;
    if (mbi_og_is(n, "Relu")) {
        act->kind = MBI_ACT_RELU;
    } else if (mbi_og_is(n, "Clip")) {
        float lo = -INFINITY, hi = INFINITY;
        if (n->opset < 11) {
            if (mbi_attr_float(n, "min", -INFINITY, &lo, &e) ||
                mbi_attr_float(n, "max", INFINITY, &hi, &e))
                return false;
        } else {
            if (n->n_inputs > 1 && n->inputs[1] >= 0 && !mbi_og_const_scalar(og, n->inputs[1], &lo))
                return false;
            if (n->n_inputs > 2 && n->inputs[2] >= 0 && !mbi_og_const_scalar(og, n->inputs[2], &hi))
                return false;
        }
        act->kind = MBI_ACT_CLAMP;
        act->alpha = lo;
        act->beta = hi;
    } else if (mbi_og_is(n, "LeakyRelu")) {
        act->kind = MBI_ACT_LEAKY_RELU;
        if (mbi_attr_float(n, "alpha", 0.01f, &act->alpha, &e))
            return false;
    } else if (mbi_og_is(n, "HardSigmoid")) {
        act->kind = MBI_ACT_HARD_SIGMOID;
        if (mbi_attr_float(n, "alpha", 0.2f, &act->alpha, &e) ||
            mbi_attr_float(n, "beta", 0.5f, &act->beta, &e))
            return false;
    } else if (mbi_og_is(n, "HardSwish")) {
        act->kind = MBI_ACT_HARD_SWISH;
    } else if (mbi_og_is(n, "Sigmoid")) {
        act->kind = MBI_ACT_SIGMOID;
    } else if (mbi_og_is(n, "Tanh")) {
        act->kind = MBI_ACT_TANH;
    } else if (mbi_og_is(n, "Gelu")) {
        const char *approx;
        if (mbi_attr_string(n, "approximate", "none", &approx, &e))
            return false;
        act->kind = strcmp(approx, "tanh") == 0 ? MBI_ACT_GELU_TANH : MBI_ACT_GELU_ERF;
    } else {
        return false;
    }
    return true;
}

/* Readers of v (at most two are looked at). */
static int readers(const mbi_opt_graph *og, int v, int *r)
{
    int count = 0;
    for (int i = 0; i < og->g.n_nodes; i++) {
        if (og->removed[i])
            continue;
        const mbi_node *n = &og->g.nodes[i];
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] == v) {
                if (count < 2)
                    r[count] = i;
                count++;
                break;
            }
    }
    return count;
}

/* The nodes of one recognised activation: the last one writes the result,
 * all of them go when it is fused. */
typedef struct act_match {
    int nodes[8];
    int count;
} act_match;

/* Division by 6 written as Div(v, 6) or Mul(v, 1/6). */
static int div6(const mbi_opt_graph *og, int v)
{
    int i = mbi_og_single_consumer(og, v, NULL);
    if (i < 0)
        return -1;
    const mbi_node *n = &og->g.nodes[i];
    if (mbi_og_is(n, "Div") && n->n_inputs == 2 && n->inputs[0] == v &&
        mbi_og_other_is_scalar(og, n, v, 6.0f))
        return i;
    if (mbi_og_is(n, "Mul") && mbi_og_other_is_scalar(og, n, v, 1.0f / 6.0f))
        return i;
    return -1;
}

/* relu6(v + 3), as Add(v, 3) -> Clip(0, 6): returns the Clip, or -1. */
static int relu6_plus3(const mbi_opt_graph *og, int add_node, int v)
{
    const mbi_node *a = &og->g.nodes[add_node];
    if (!mbi_og_is(a, "Add") || !mbi_og_other_is_scalar(og, a, v, 3.0f))
        return -1;
    int c = mbi_og_only_reader(og, a->outputs[0], "Clip");
    mbi_act act;
    if (c < 0 || !act_of(og, &og->g.nodes[c], &act) || act.alpha != 0.0f || act.beta != 6.0f)
        return -1;
    return c;
}

/* v * gate(v), with v read by exactly the gate's first node and one Mul:
 *   Sigmoid                          -> SiLU
 *   HardSigmoid(1/6, 1/2)            -> HardSwish
 *   relu6(v + 3) / 6                 -> HardSwish, the division before or
 *                                       after the Mul (PyTorch, Paddle)
 * (GELU's erf form is a Gelu node by then: fuse_gelu.c.) */
static bool find_gated(mbi_opt_graph *og, int v, mbi_act *act, act_match *m)
{
    int r[2];
    if (og->uses[v] != 2 || readers(og, v, r) != 2)
        return false;
    for (int s = 0; s < 2; s++) {
        const mbi_node *g = &og->g.nodes[r[s]], *mul = &og->g.nodes[r[1 - s]];
        if (!mbi_og_is(mul, "Mul") || mul->n_inputs != 2 || g->n_outputs != 1)
            continue;
        int gate_in = mul->inputs[0] == v ? mul->inputs[1] : mul->inputs[0];
        memset(act, 0, sizeof *act);
        m->count = 0;
        m->nodes[m->count++] = r[s];
        if (mbi_og_is(g, "Sigmoid") && gate_in == g->outputs[0] && og->uses[gate_in] == 1) {
            act->kind = MBI_ACT_SILU;
        } else if (mbi_og_is(g, "HardSigmoid") && gate_in == g->outputs[0] &&
                   og->uses[gate_in] == 1 && act_of(og, g, act) &&
                   fabsf(act->alpha - 1.0f / 6.0f) < 1e-6f && act->beta == 0.5f) {
            act->kind = MBI_ACT_HARD_SWISH;
        } else {
            int clip = relu6_plus3(og, r[s], v);
            if (clip < 0)
                continue;
            m->nodes[m->count++] = clip;
            int clip_out = og->g.nodes[clip].outputs[0];
            int d = div6(og, clip_out);
            if (og->uses[gate_in] != 1)
                continue;
            if (d >= 0 && og->g.nodes[d].outputs[0] == gate_in) {
                m->nodes[m->count++] = d;
            } else if (gate_in == clip_out) {
                int after = div6(og, mul->outputs[0]);
                if (after < 0)
                    continue;
                m->nodes[m->count++] = r[1 - s];
                m->nodes[m->count++] = after;
                memset(act, 0, sizeof *act);
                act->kind = MBI_ACT_HARD_SWISH;
                return true;
            } else {
                continue;
            }
            memset(act, 0, sizeof *act);
            act->kind = MBI_ACT_HARD_SWISH;
        }
        m->nodes[m->count++] = r[1 - s];
        return true;
    }
    return false;
}

/* The activation applied to v: a single activation reader, or a gated form
 * (find_gated). */
static bool find_act(mbi_opt_graph *og, int v, mbi_act *act, act_match *m)
{
    m->count = 0;
    if (og->uses[v] == 1) {
        int i = mbi_og_single_consumer(og, v, NULL);
        if (i >= 0 && og->g.nodes[i].inputs[0] == v && act_of(og, &og->g.nodes[i], act)) {
            m->nodes[m->count++] = i;
            return true;
        }
        return false;
    }
    return find_gated(og, v, act, m);
}

static bool set_act(mbi_opt_graph *og, mbi_node *c, const char *kind, const char *alpha,
                    const char *beta, const mbi_act *act)
{
    return mbi_og_set_attr_int(og, c, kind, act->kind) &&
           mbi_og_set_attr_float(og, c, alpha, act->alpha) &&
           mbi_og_set_attr_float(og, c, beta, act->beta);
}

/* c takes over the output of the match's last node; the match goes. */
static void absorb(mbi_opt_graph *og, mbi_node *c, const act_match *m)
{
    mbi_og_outputs(c)[0] = og->g.nodes[m->nodes[m->count - 1]].outputs[0];
    for (int k = 0; k < m->count; k++)
        og->removed[m->nodes[k]] = true;
    mbi_og_count_uses(og);
}

static bool same_shape(const mbi_opt_graph *og, int a, int b)
{
    const mbi_value_decl *x = &og->g.values[a], *y = &og->g.values[b];
    return x->rank == y->rank && x->dtype == y->dtype &&
           memcmp(x->dims, y->dims, sizeof(int64_t) * (size_t)x->rank) == 0;
}

/* A value the convolution at index ci can read: made before it. */
static bool available_before(const mbi_opt_graph *og, int v, int ci)
{
    if (og->g.values[v].init)
        return true;
    for (int i = ci; i < og->g.n_nodes; i++) {
        if (og->removed[i])
            continue;
        for (int k = 0; k < og->g.nodes[i].n_outputs; k++)
            if (og->g.nodes[i].outputs[k] == v)
                return false;
    }
    return true;
}

static mobinfer_status fuse_one(mbi_opt_graph *og, int ci)
{
    mbi_node *c = &og->g.nodes[ci];
    if (!is_conv(c))
        return MOBINFER_OK;
    mbi_act act;
    act_match m;
    if (find_act(og, c->outputs[0], &act, &m)) {
        if (!set_act(og, c, MBI_ATTR_ACT, MBI_ATTR_ACT_ALPHA, MBI_ATTR_ACT_BETA, &act))
            return og->err->status;
        absorb(og, c, &m);
    }
    int slot;
    int add = mbi_og_single_consumer(og, c->outputs[0], &slot);
    if (add < 0 || !mbi_og_is(&og->g.nodes[add], "Add") || og->g.nodes[add].n_inputs != 2)
        return MOBINFER_OK;
    int other = og->g.nodes[add].inputs[1 - slot];
    if (other == c->outputs[0] || !same_shape(og, other, c->outputs[0]) ||
        !same_shape(og, other, og->g.nodes[add].outputs[0]) || !available_before(og, other, ci))
        return MOBINFER_OK;
    int ins[8];
    if (c->n_inputs > 6)
        return MOBINFER_OK;
    for (int k = 0; k < c->n_inputs; k++)
        ins[k] = c->inputs[k];
    int n_in = c->n_inputs;
    while (n_in < 3)
        ins[n_in++] = -1;
    ins[n_in++] = other;
    if (!mbi_og_set_inputs(og, c, ins, n_in) || !mbi_og_set_attr_int(og, c, MBI_ATTR_RESIDUAL, 1))
        return og->err->status;
    act_match add_m = {{add}, 1};
    absorb(og, c, &add_m);
    if (find_act(og, c->outputs[0], &act, &m)) {
        if (!set_act(og, c, MBI_ATTR_POST, MBI_ATTR_POST_ALPHA, MBI_ATTR_POST_BETA, &act))
            return og->err->status;
        absorb(og, c, &m);
    }
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_fuse_epilogue(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, fuse_one);
}
