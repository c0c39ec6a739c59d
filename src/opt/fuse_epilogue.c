/* What follows a ConvNhwc joins its epilogue (src/kernels/epilogue.h):
 *   y = post( act(conv(x) + bias) + residual )
 * act: a Relu, Clip, LeakyRelu, HardSigmoid, HardSwish, Sigmoid, Tanh or
 * Gelu node, or the SiLU pair Sigmoid(y) -> Mul(y, .) as exporters write it;
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
    return n->op_type && strcmp(n->domain, MBI_INTERNAL_DOMAIN) == 0 &&
           (strcmp(n->op_type, "ConvNhwc") == 0 || strcmp(n->op_type, "Dense") == 0);
}

static bool const_scalar(const mbi_opt_graph *og, int v, float *out)
{
    const float *d = mbi_og_const_f32(og, v);
    if (!d || og->g.values[v].init->bytes != sizeof(float))
        return false;
    *out = d[0];
    return true;
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
            if (n->n_inputs > 1 && n->inputs[1] >= 0 && !const_scalar(og, n->inputs[1], &lo))
                return false;
            if (n->n_inputs > 2 && n->inputs[2] >= 0 && !const_scalar(og, n->inputs[2], &hi))
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

/* The activation applied to v and the node writing its result: a single
 * activation reader, or the SiLU pair. Sets *extra to the Sigmoid of the
 * pair (-1 otherwise). */
static int find_act(mbi_opt_graph *og, int v, mbi_act *act, int *extra)
{
    *extra = -1;
    if (og->uses[v] == 1) {
        int i = mbi_og_single_consumer(og, v, NULL);
        if (i >= 0 && og->g.nodes[i].inputs[0] == v && act_of(og, &og->g.nodes[i], act))
            return i;
        return -1;
    }
    int r[2];
    if (og->uses[v] != 2 || readers(og, v, r) != 2)
        return -1;
    for (int s = 0; s < 2; s++) {
        const mbi_node *sig = &og->g.nodes[r[s]], *mul = &og->g.nodes[r[1 - s]];
        if (!mbi_og_is(sig, "Sigmoid") || !mbi_og_is(mul, "Mul") || mul->n_inputs != 2)
            continue;
        int so = sig->outputs[0];
        if (og->uses[so] != 1)
            continue;
        if ((mul->inputs[0] == v && mul->inputs[1] == so) ||
            (mul->inputs[1] == v && mul->inputs[0] == so)) {
            memset(act, 0, sizeof *act);
            act->kind = MBI_ACT_SILU;
            *extra = r[s];
            return r[1 - s];
        }
    }
    return -1;
}

static bool set_act(mbi_opt_graph *og, mbi_node *c, const char *kind, const char *alpha,
                    const char *beta, const mbi_act *act)
{
    return mbi_og_set_attr_int(og, c, kind, act->kind) &&
           mbi_og_set_attr_float(og, c, alpha, act->alpha) &&
           mbi_og_set_attr_float(og, c, beta, act->beta);
}

/* Moves the output of node `by` to c and drops `by` (and `extra`). */
static void absorb(mbi_opt_graph *og, mbi_node *c, int by, int extra)
{
    mbi_og_outputs(c)[0] = og->g.nodes[by].outputs[0];
    og->removed[by] = true;
    if (extra >= 0)
        og->removed[extra] = true;
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
    mbi_act act;
    int extra;
    int a = find_act(og, c->outputs[0], &act, &extra);
    if (a >= 0) {
        if (!set_act(og, c, MBI_ATTR_ACT, MBI_ATTR_ACT_ALPHA, MBI_ATTR_ACT_BETA, &act))
            return og->err->status;
        absorb(og, c, a, extra);
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
    absorb(og, c, add, -1);
    a = find_act(og, c->outputs[0], &act, &extra);
    if (a >= 0) {
        if (!set_act(og, c, MBI_ATTR_POST, MBI_ATTR_POST_ALPHA, MBI_ATTR_POST_BETA, &act))
            return og->err->status;
        absorb(og, c, a, extra);
    }
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_fuse_epilogue(mbi_opt_graph *og)
{
    mbi_og_count_uses(og);
    for (int i = 0; i < og->g.n_nodes; i++) {
        if (og->removed[i] || !is_conv(&og->g.nodes[i]))
            continue;
        mobinfer_status st = fuse_one(og, i);
        if (st)
            return st;
    }
    mbi_og_compact(og);
    return MOBINFER_OK;
}
