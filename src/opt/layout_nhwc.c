/* Channels-last layout. Every convolution the NHWC kernels handle (float32,
 * 2-D, constant weights, dense or depthwise) becomes a ConvNhwc node; the
 * operators after it that do not care about the layout (elementwise ones,
 * Concat on channels, global pooling) follow it into NHWC, so converting
 * back happens only where an operator needs NCHW or at a graph output.
 *
 * The rewritten graph keeps ONNX semantics: an NHWC tensor is a real tensor
 * of shape [N, H, W, C], and conversions are real Transpose nodes (or
 * Reshape, which costs nothing, when the permutation moves no data). Values
 * are converted lazily, right before their first reader that needs them. */
#include <stdlib.h>
#include <string.h>

#include "ir/attr.h"
#include "opt/passes.h"

static const int64_t to_nhwc_perm[4] = {0, 2, 3, 1};
static const int64_t to_nchw_perm[4] = {0, 3, 1, 2};

typedef struct layout_state {
    mbi_opt_graph *og;
    int *nhwc;     /* per original value: its NHWC twin, or -1 */
    bool *missing; /* per original value: not produced (only its twin is) */
    int n_orig;    /* values that existed before the pass */
} layout_state;

static const char *const elementwise_unary[] = {
    "Relu",  "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu", "Tanh", "Erf",
    "Exp",   "Abs",  "Neg",     "Sqrt",        "Softplus",  "Elu",       "Selu", "Celu",
    "Mish",  "Gelu", "Floor",   "Ceil",        "Round",     "Reciprocal", NULL};
static const char *const elementwise_binary[] = {"Add", "Sub", "Mul", "Div", "Max", "Min", NULL};

static bool in_list(const mbi_node *n, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (mbi_og_is(n, list[i]))
            return true;
    return false;
}

static bool is_4d_f32(const mbi_opt_graph *og, int v)
{
    return v >= 0 && og->g.values[v].rank == 4 &&
           og->g.values[v].dtype == MOBINFER_DTYPE_FLOAT32;
}

static void permute_dims(const int64_t *in, const int64_t *perm, int64_t *out)
{
    for (int k = 0; k < 4; k++)
        out[k] = in[perm[k]];
}

/* A layout change that moves no data: C == 1 or H*W == 1. */
static bool trivial_permute(const int64_t *nchw)
{
    return nchw[1] == 1 || nchw[2] * nchw[3] == 1;
}

static mobinfer_status emit_convert(layout_state *ls, int from, int to, bool to_nhwc)
{
    mbi_opt_graph *og = ls->og;
    const mbi_value_decl *d = &og->g.values[to_nhwc ? from : to];
    mbi_node n;
    memset(&n, 0, sizeof n);
    n.name = og->g.values[to].name;
    n.domain = "";
    n.n_outputs = 1;
    n.outputs = &to;
    int ins[2] = {from, -1};
    n.inputs = ins;
    if (trivial_permute(d->dims)) {
        n.op_type = "Reshape";
        n.opset = 14;
        int64_t four = 4;
        int64_t *shape = mbi_pool_alloc_array(og->pool, 4, sizeof(int64_t));
        if (!shape)
            return mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        memcpy(shape, og->g.values[to].dims, sizeof(int64_t) * 4);
        ins[1] = mbi_og_add_const(og, og->g.values[to].name, "#shape", MOBINFER_DTYPE_INT64, 1,
                                  &four, shape);
        if (ins[1] < 0)
            return og->err->status;
        n.n_inputs = 2;
    } else {
        n.op_type = "Transpose";
        n.opset = 13;
        n.n_inputs = 1;
    }
    int i = mbi_og_append_node(og, &n);
    if (i < 0)
        return og->err->status;
    if (n.n_inputs == 1 &&
        !mbi_og_set_attr_ints(og, &og->g.nodes[i], "perm", to_nhwc ? to_nhwc_perm : to_nchw_perm, 4))
        return og->err->status;
    return MOBINFER_OK;
}

/* A constant broadcast against an NCHW tensor, as the constant to broadcast
 * against the NHWC twin: padded to rank 4, then permuted (data too). */
static int permute_const(layout_state *ls, int v)
{
    mbi_opt_graph *og = ls->og;
    const mbi_value_decl *d = &og->g.values[v];
    int64_t dims[4] = {1, 1, 1, 1};
    for (int k = 0; k < d->rank; k++)
        dims[4 - d->rank + k] = d->dims[k];
    int64_t out[4];
    permute_dims(dims, to_nhwc_perm, out);
    size_t esize = mbi_dtype_size(d->dtype);
    const unsigned char *src = d->init->data;
    unsigned char *dst = mbi_pool_alloc_aligned(og->pool, d->init->bytes + 1, 64);
    if (!dst) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return -1;
    }
    /* dst[n][h][w][c] = src[n][c][h][w] */
    size_t i = 0;
    for (int64_t n = 0; n < dims[0]; n++)
        for (int64_t h = 0; h < dims[2]; h++)
            for (int64_t w = 0; w < dims[3]; w++)
                for (int64_t c = 0; c < dims[1]; c++, i++) {
                    size_t s = (size_t)(((n * dims[1] + c) * dims[2] + h) * dims[3] + w);
                    memcpy(dst + i * esize, src + s * esize, esize);
                }
    return mbi_og_add_const(og, d->name, "#nhwc", d->dtype, 4, out, dst);
}

/* The NHWC twin of v, converting (or permuting a constant) on first use. */
static int get_nhwc(layout_state *ls, int v)
{
    mbi_opt_graph *og = ls->og;
    if (ls->nhwc[v] >= 0)
        return ls->nhwc[v];
    if (og->g.values[v].init)
        return ls->nhwc[v] = permute_const(ls, v);
    int64_t dims[4];
    permute_dims(og->g.values[v].dims, to_nhwc_perm, dims);
    int t = mbi_og_add_value(og, og->g.values[v].name, "#nhwc", og->g.values[v].dtype, 4, dims);
    if (t < 0 || emit_convert(ls, v, t, true))
        return -1;
    return ls->nhwc[v] = t;
}

/* Makes sure original value v exists (converting its twin back). */
static mobinfer_status need_nchw(layout_state *ls, int v)
{
    if (v < 0 || v >= ls->n_orig || !ls->missing[v])
        return MOBINFER_OK;
    ls->missing[v] = false;
    return emit_convert(ls, ls->nhwc[v], v, false);
}

static bool conv_eligible(const mbi_opt_graph *og, const mbi_node *n)
{
    if (!mbi_og_is(n, "Conv") || n->n_inputs < 2 || n->n_outputs != 1 ||
        !is_4d_f32(og, n->inputs[0]) || !mbi_og_const_f32(og, n->inputs[1]) ||
        og->g.values[n->inputs[1]].rank != 4)
        return false;
    if (n->n_inputs > 2 && n->inputs[2] >= 0 && !mbi_og_const_f32(og, n->inputs[2]))
        return false;
    int64_t group = 1;
    mbi_error e;
    mbi_error_clear(&e);
    if (mbi_attr_int(n, "group", 1, &group, &e))
        return false;
    int64_t cin = og->g.values[n->inputs[0]].dims[1];
    int64_t cout = og->g.values[n->inputs[1]].dims[0];
    return group == 1 || (group == cin && cout == cin);
}

/* 1x1 convolutions and depthwise ones read NHWC rows directly, so they are
 * better served by converting their input; others gather (im2col) anyway. */
static bool conv_is_pointwise_or_depthwise(const mbi_opt_graph *og, const mbi_node *n)
{
    const mbi_value_decl *w = &og->g.values[n->inputs[1]];
    int64_t group = 1;
    mbi_error e;
    mbi_error_clear(&e);
    mbi_attr_int(n, "group", 1, &group, &e);
    return (w->dims[2] == 1 && w->dims[3] == 1) || group != 1;
}

/* Whether n should run on NHWC twins, given what is available now. */
static bool wants_nhwc(const layout_state *ls, const mbi_node *n)
{
    const mbi_opt_graph *og = ls->og;
    if (conv_eligible(og, n))
        return true;
    if (n->n_outputs != 1 || n->n_inputs < 1 || n->inputs[0] < 0 || n->inputs[0] >= ls->n_orig)
        return false;
    int x = n->inputs[0];
    if (in_list(n, elementwise_unary))
        return ls->nhwc[x] >= 0 && !og->g.values[x].init;
    if (mbi_og_is(n, "GlobalAveragePool"))
        return ls->nhwc[x] >= 0 && is_4d_f32(og, x);
    if (in_list(n, elementwise_binary)) {
        if (n->n_inputs != 2 || og->g.values[n->outputs[0]].rank != 4)
            return false;
        bool any = false;
        for (int k = 0; k < 2; k++) {
            int v = n->inputs[k];
            if (v < 0 || v >= ls->n_orig)
                return false;
            const mbi_value_decl *d = &og->g.values[v];
            if (d->init) {
                if (d->rank > 4 || !d->init->data)
                    return false;
            } else if (ls->nhwc[v] >= 0) {
                any = true;
            } else if (d->rank != 4) {
                return false;
            }
        }
        return any;
    }
    if (mbi_og_is(n, "Concat")) {
        int64_t axis = 0;
        mbi_error e;
        mbi_error_clear(&e);
        if (mbi_attr_int(n, "axis", 0, &axis, &e) || (axis != 1 && axis != -3))
            return false;
        for (int k = 0; k < n->n_inputs; k++) {
            int v = n->inputs[k];
            if (v < 0 || v >= ls->n_orig || ls->nhwc[v] < 0)
                return false;
        }
        return true;
    }
    return false;
}

static mobinfer_status convert_node(layout_state *ls, const mbi_node *orig)
{
    mbi_opt_graph *og = ls->og;
    mbi_node n = *orig;
    int ins[16];
    if (n.n_inputs > 16)
        return MOBINFER_OK;
    bool conv = conv_eligible(og, orig), nchw_input = false;
    for (int k = 0; k < n.n_inputs; k++) {
        int v = orig->inputs[k];
        /* Only the tensor operands change layout; Clip's bounds, a Conv's
         * weights and bias stay as they are. */
        bool operand = in_list(orig, elementwise_binary) || mbi_og_is(orig, "Concat") || k == 0;
        if (conv && k > 0)
            operand = false;
        ins[k] = v;
        /* A first convolution reads an NCHW tensor no one converted yet:
         * it gathers from NCHW itself rather than wait for a Transpose
         * (when it is the only reader: others would need the Transpose). */
        if (conv && k == 0 && v >= 0 && ls->nhwc[v] < 0 && !og->g.values[v].init &&
            og->uses[v] == 1 &&
            !conv_is_pointwise_or_depthwise(og, orig)) {
            nchw_input = true;
            continue;
        }
        if (v >= 0 && operand && (ins[k] = get_nhwc(ls, v)) < 0)
            return og->err->status;
    }
    n.inputs = ins;
    int v = orig->outputs[0];
    int64_t dims[4];
    permute_dims(og->g.values[v].dims, to_nhwc_perm, dims);
    int t = mbi_og_add_value(og, og->g.values[v].name, "#nhwc", og->g.values[v].dtype, 4, dims);
    if (t < 0)
        return og->err->status;
    n.outputs = &t;
    if (conv) {
        n.op_type = "ConvNhwc";
        n.domain = MBI_INTERNAL_DOMAIN;
    }
    int i = mbi_og_append_node(og, &n);
    if (i < 0)
        return og->err->status;
    mbi_node *added = &og->g.nodes[i];
    if (nchw_input && !mbi_og_set_attr_int(og, added, "input_nchw", 1))
        return og->err->status;
    if (mbi_og_is(orig, "Concat") && !mbi_og_set_attr_int(og, added, "axis", 3))
        return og->err->status;
    if (mbi_og_is(orig, "GlobalAveragePool")) {
        static const int64_t axes[2] = {1, 2};
        added->op_type = "ReduceMean";
        added->opset = 13;
        if (!mbi_og_set_attr_ints(og, added, "axes", axes, 2) ||
            !mbi_og_set_attr_int(og, added, "keepdims", 1))
            return og->err->status;
    }
    ls->nhwc[v] = t;
    ls->missing[v] = true;
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_layout_nhwc(mbi_opt_graph *og)
{
    bool any = false;
    for (int i = 0; i < og->g.n_nodes; i++)
        any |= conv_eligible(og, &og->g.nodes[i]);
    if (!any)
        return MOBINFER_OK;
    mbi_og_count_uses(og);
    layout_state ls = {og, NULL, NULL, og->g.n_values};
    ls.nhwc = mbi_pool_alloc_array(og->pool, (size_t)og->g.n_values + 1, sizeof(int));
    ls.missing = mbi_pool_alloc_array(og->pool, (size_t)og->g.n_values + 1, sizeof(bool));
    if (!ls.nhwc || !ls.missing)
        return mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    for (int v = 0; v < og->g.n_values; v++)
        ls.nhwc[v] = -1;

    /* Re-emit every node into a fresh list, in order. */
    mbi_node *old = og->g.nodes;
    int n_old = og->g.n_nodes;
    og->g.nodes = NULL;
    og->g.n_nodes = 0;
    og->cap_nodes = 0;
    og->removed = NULL;
    mobinfer_status st;
    for (int i = 0; i < n_old; i++) {
        const mbi_node *n = &old[i];
        if (wants_nhwc(&ls, n)) {
            if ((st = convert_node(&ls, n)))
                return st;
            continue;
        }
        for (int k = 0; k < n->n_inputs; k++)
            if ((st = need_nchw(&ls, n->inputs[k])))
                return st;
        if (mbi_og_append_node(og, n) < 0)
            return og->err->status;
    }
    for (int i = 0; i < og->g.n_outputs; i++)
        if ((st = need_nchw(&ls, og->g.outputs[i])))
            return st;
    mbi_og_compact(og);
    return MOBINFER_OK;
}
