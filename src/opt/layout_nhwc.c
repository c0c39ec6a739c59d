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

static mobinfer_status emit_reshape(layout_state *ls, int from, int to)
{
    mbi_opt_graph *og = ls->og;
    int64_t rank = og->g.values[to].rank;
    int64_t *shape = mbi_pool_alloc_array(og->pool, (size_t)rank + 1, sizeof(int64_t));
    if (!shape)
        return mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    memcpy(shape, og->g.values[to].dims, sizeof(int64_t) * (size_t)rank);
    int ins[2] = {from, mbi_og_add_const(og, og->g.values[to].name, "#shape",
                                         MOBINFER_DTYPE_INT64, 1, &rank, shape)};
    if (ins[1] < 0)
        return og->err->status;
    mbi_node n;
    memset(&n, 0, sizeof n);
    n.name = og->g.values[to].name;
    n.op_type = "Reshape";
    n.domain = "";
    n.opset = 14;
    n.n_inputs = 2;
    n.inputs = ins;
    n.n_outputs = 1;
    n.outputs = &to;
    return mbi_og_append_node(og, &n) < 0 ? og->err->status : MOBINFER_OK;
}

static mobinfer_status emit_transpose(layout_state *ls, int from, int to, const int64_t *perm)
{
    mbi_opt_graph *og = ls->og;
    mbi_node n;
    memset(&n, 0, sizeof n);
    n.name = og->g.values[to].name;
    n.op_type = "Transpose";
    n.domain = "";
    n.opset = 13;
    n.n_inputs = 1;
    n.inputs = &from;
    n.n_outputs = 1;
    n.outputs = &to;
    int i = mbi_og_append_node(og, &n);
    if (i < 0 ||
        !mbi_og_set_attr_ints(og, &og->g.nodes[i], "perm", perm, (size_t)og->g.values[to].rank))
        return og->err->status;
    return MOBINFER_OK;
}

/* NCHW <-> NHWC; a Reshape (free: it aliases) when no data moves. */
static mobinfer_status emit_convert(layout_state *ls, int from, int to, bool to_nhwc)
{
    const mbi_value_decl *nchw = &ls->og->g.values[to_nhwc ? from : to];
    if (trivial_permute(nchw->dims))
        return emit_reshape(ls, from, to);
    return emit_transpose(ls, from, to, to_nhwc ? to_nhwc_perm : to_nchw_perm);
}

/* ShuffleNet's channel shuffle on x [N, C, H, W]:
 *   Reshape [N, g, C/g, H, W] -> Transpose (0,2,1,3,4) -> Reshape [N, C, H, W]
 * On the NHWC twin it is Reshape [N, H, W, g, C/g] -> Transpose (0,1,2,4,3)
 * -> Reshape [N, H, W, C]. Returns true (and the two later nodes, which the
 * caller skips) when old[i] starts such a triple on a tensor with a twin. */
static bool match_shuffle(const layout_state *ls, const mbi_node *old, int n_old, int i, int *t,
                          int *r2)
{
    const mbi_opt_graph *og = ls->og;
    const mbi_node *a = &old[i];
    if (!mbi_og_is(a, "Reshape") || a->n_outputs != 1 || a->inputs[0] < 0 ||
        a->inputs[0] >= ls->n_orig || ls->nhwc[a->inputs[0]] < 0)
        return false;
    const mbi_value_decl *x = &og->g.values[a->inputs[0]], *y = &og->g.values[a->outputs[0]];
    if (x->rank != 4 || y->rank != 5 || y->dims[0] != x->dims[0] ||
        y->dims[1] * y->dims[2] != x->dims[1] || y->dims[3] != x->dims[2] ||
        y->dims[4] != x->dims[3] || og->uses[a->outputs[0]] != 1)
        return false;
    *t = *r2 = -1;
    for (int j = i + 1; j < n_old; j++) {
        const mbi_node *n = &old[j];
        if (n->n_inputs >= 1 && n->inputs[0] == a->outputs[0])
            *t = j;
        if (*t >= 0 && j > *t && n->n_inputs >= 1 && n->inputs[0] == old[*t].outputs[0]) {
            *r2 = j;
            break;
        }
    }
    if (*t < 0 || *r2 < 0 || !mbi_og_is(&old[*t], "Transpose") ||
        !mbi_og_is(&old[*r2], "Reshape") || og->uses[old[*t].outputs[0]] != 1)
        return false;
    static const int64_t want[5] = {0, 2, 1, 3, 4};
    const int64_t *perm;
    size_t count;
    mbi_error e;
    mbi_error_clear(&e);
    if (mbi_attr_ints(&old[*t], "perm", &perm, &count, &e) || count != 5 ||
        memcmp(perm, want, sizeof want) != 0)
        return false;
    const mbi_value_decl *z = &og->g.values[old[*r2].outputs[0]];
    return z->rank == 4 && memcmp(z->dims, x->dims, 4 * sizeof(int64_t)) == 0;
}

static mobinfer_status convert_shuffle(layout_state *ls, const mbi_node *a, const mbi_node *r2)
{
    mbi_opt_graph *og = ls->og;
    int x = a->inputs[0], z = r2->outputs[0];
    const int64_t *d = og->g.values[x].dims;
    int64_t g = og->g.values[a->outputs[0]].dims[1];
    int64_t split[5] = {d[0], d[2], d[3], g, d[1] / g};
    int64_t swapped[5] = {d[0], d[2], d[3], d[1] / g, g};
    int64_t out[4];
    permute_dims(d, to_nhwc_perm, out);
    static const int64_t perm[5] = {0, 1, 2, 4, 3};
    const char *name = og->g.values[z].name;
    int v1 = mbi_og_add_value(og, name, "#nhwc_split", MOBINFER_DTYPE_FLOAT32, 5, split);
    int v2 = v1 < 0 ? -1
                    : mbi_og_add_value(og, name, "#nhwc_shuffled", MOBINFER_DTYPE_FLOAT32, 5,
                                       swapped);
    int v3 = v2 < 0 ? -1 : mbi_og_add_value(og, name, "#nhwc", MOBINFER_DTYPE_FLOAT32, 4, out);
    mobinfer_status st;
    if (v3 < 0)
        return og->err->status;
    og->g.values[v1].dtype = og->g.values[v2].dtype = og->g.values[v3].dtype =
        og->g.values[x].dtype;
    if ((st = emit_reshape(ls, ls->nhwc[x], v1)) || (st = emit_transpose(ls, v1, v2, perm)) ||
        (st = emit_reshape(ls, v2, v3)))
        return st;
    ls->nhwc[z] = v3;
    ls->missing[z] = true;
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
    /* Dense, depthwise, or depthwise with a channel multiplier (ConvNhwc repeats X's channels). */
    return group == 1 || (group == cin && cout % cin == 0);
}

/* Where axis a of an NCHW tensor is in its NHWC twin. */
static int64_t nhwc_axis(int64_t a)
{
    static const int64_t map[4] = {0, 3, 1, 2};
    return map[a < 0 ? a + 4 : a];
}

static int64_t attr_axis(const mbi_node *n)
{
    int64_t axis = 0;
    mbi_error e;
    mbi_error_clear(&e);
    mbi_attr_int(n, "axis", mbi_og_is(n, "Concat") ? 1 : 0, &axis, &e);
    return axis;
}

/* A Slice (opset >= 10) whose starts, ends, axes and steps are constants. */
static bool slice_constant(const mbi_opt_graph *og, const mbi_node *n)
{
    if (!mbi_og_is(n, "Slice") || n->opset < 10 || n->n_inputs < 3)
        return false;
    for (int k = 1; k < n->n_inputs; k++) {
        int v = n->inputs[k];
        if (v >= 0 && (!og->g.values[v].init || !og->g.values[v].init->data))
            return false;
    }
    return true;
}

/* The Slice's axes as a constant for the NHWC twin (explicit even when the
 * node left them to their default). */
static int nhwc_axes(layout_state *ls, const mbi_node *n)
{
    mbi_opt_graph *og = ls->og;
    const mbi_const_tensor *starts = og->g.values[n->inputs[1]].init;
    int64_t count = starts->rank == 1 ? starts->dims[0] : 1;
    if (count > 4 || count < 0) {
        mbi_fail(og->err, MOBINFER_ERR_INVALID_MODEL, "Slice with %lld axes on a 4-D tensor",
                 (long long)count);
        return -1;
    }
    int64_t *axes = mbi_pool_alloc_array(og->pool, 4, sizeof(int64_t));
    if (!axes) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return -1;
    }
    int av = n->n_inputs > 3 ? n->inputs[3] : -1;
    for (int64_t i = 0; i < count; i++) {
        int64_t a = i;
        if (av >= 0) {
            mbi_tensor t = {og->g.values[av].init->dtype, og->g.values[av].init->rank, {0},
                            (void *)og->g.values[av].init->data};
            memcpy(t.dims, og->g.values[av].init->dims, sizeof t.dims);
            a = mbi_tensor_get_int(&t, i);
        }
        if (a < -4 || a > 3) {
            mbi_fail(og->err, MOBINFER_ERR_INVALID_MODEL, "Slice axis %lld on a 4-D tensor",
                     (long long)a);
            return -1;
        }
        axes[i] = nhwc_axis(a);
    }
    return mbi_og_add_const(og, og->g.values[n->outputs[0]].name, "#nhwc_axes",
                            MOBINFER_DTYPE_INT64, 1, &count, axes);
}

/* ReduceMean over H and W of a 4-D tensor: a global average pool,
 * whatever keepdims says. */
static bool spatial_mean(const mbi_opt_graph *og, const mbi_node *n)
{
    int64_t axes[MBI_MAX_RANK];
    int count;
    bool keep;
    if (!mbi_og_reduce_mean(og, n, axes, &count, &keep) || count != 2 ||
        og->g.values[n->inputs[0]].rank != 4)
        return false;
    return (axes[0] == 2 && axes[1] == 3) || (axes[0] == 3 && axes[1] == 2);
}

/* ConvTranspose whose windows tile the output exactly (strides = kernel,
 * no padding, dilation 1, group 1): src/ops/conv_transpose_nhwc.c. */
static bool upsampling_conv_transpose(const mbi_opt_graph *og, const mbi_node *n)
{
    if (!mbi_og_is(n, "ConvTranspose") || n->n_inputs < 2 || n->n_outputs != 1 ||
        !is_4d_f32(og, n->inputs[0]) || !mbi_og_const_f32(og, n->inputs[1]) ||
        og->g.values[n->inputs[1]].rank != 4 || !is_4d_f32(og, n->outputs[0]))
        return false;
    if (n->n_inputs > 2 && n->inputs[2] >= 0 && !mbi_og_const_f32(og, n->inputs[2]))
        return false;
    const mbi_value_decl *x = &og->g.values[n->inputs[0]], *w = &og->g.values[n->inputs[1]];
    const mbi_value_decl *y = &og->g.values[n->outputs[0]];
    int64_t group = 1;
    mbi_error e;
    mbi_error_clear(&e);
    if (mbi_attr_int(n, "group", 1, &group, &e) || group != 1 || w->dims[0] != x->dims[1])
        return false;
    /* The output size says it all: each input pixel fills exactly one
     * kh x kw block, so padding, output_padding and dilation are absent. */
    const int64_t *strides;
    size_t count;
    if (mbi_attr_ints(n, "strides", &strides, &count, &e) || count != 2 ||
        strides[0] != w->dims[2] || strides[1] != w->dims[3])
        return false;
    const int64_t *dil;
    if (mbi_attr_ints(n, "dilations", &dil, &count, &e) || (dil && (dil[0] != 1 || dil[1] != 1)))
        return false;
    return y->dims[0] == x->dims[0] && y->dims[1] == w->dims[1] &&
           y->dims[2] == x->dims[2] * w->dims[2] && y->dims[3] == x->dims[3] * w->dims[3];
}

/* Resize (opset 11-17: X, roi, scales, sizes) with constant parameters
 * works per axis, so on the NHWC twin it only needs them permuted. */
static bool resize_movable(const mbi_opt_graph *og, const mbi_node *n)
{
    if (!mbi_og_is(n, "Resize") || n->opset < 11 || n->opset >= 18 || n->n_outputs != 1)
        return false;
    for (int k = 1; k < n->n_inputs; k++) {
        int v = n->inputs[k];
        if (v < 0)
            continue;
        const mbi_value_decl *d = &og->g.values[v];
        int64_t per_axis = k == 1 ? 2 : 1;
        if (!d->init || !d->init->data || d->rank != 1 ||
            (d->dims[0] != 0 && d->dims[0] != 4 * per_axis))
            return false;
    }
    return true;
}

/* A constant of 4 (or 8: roi's starts then ends) values per axis, permuted
 * like the axes of the NHWC twin. */
static int permute_axis_values(layout_state *ls, int v)
{
    mbi_opt_graph *og = ls->og;
    const mbi_const_tensor *t = og->g.values[v].init;
    if (t->dims[0] == 0)
        return v;
    size_t esize = mbi_dtype_size(t->dtype);
    unsigned char *dst = mbi_pool_alloc_aligned(og->pool, t->bytes + 1, 16);
    if (!dst) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return -1;
    }
    const unsigned char *src = t->data;
    for (int64_t half = 0; half < t->dims[0] / 4; half++)
        for (int k = 0; k < 4; k++)
            memcpy(dst + (size_t)(half * 4 + k) * esize,
                   src + (size_t)(half * 4 + to_nhwc_perm[k]) * esize, esize);
    return mbi_og_add_const(og, og->g.values[v].name, "#nhwc", t->dtype, 1, t->dims, dst);
}

/* Whether n should run on NHWC twins, given what is available now. */
static bool wants_nhwc(const layout_state *ls, const mbi_node *n)
{
    const mbi_opt_graph *og = ls->og;
    if (conv_eligible(og, n))
        return true;
    if ((n->n_outputs != 1 && !mbi_og_is(n, "Split")) || n->n_inputs < 1 || n->inputs[0] < 0 ||
        n->inputs[0] >= ls->n_orig)
        return false;
    int x = n->inputs[0];
    if (in_list(n, elementwise_unary))
        return ls->nhwc[x] >= 0 && !og->g.values[x].init;
    if (mbi_og_is(n, "GlobalAveragePool") || mbi_og_is(n, "MaxPool") ||
        mbi_og_is(n, "AveragePool"))
        return ls->nhwc[x] >= 0 && is_4d_f32(og, x);
    if (spatial_mean(og, n))
        return ls->nhwc[x] >= 0 && is_4d_f32(og, x);
    if (resize_movable(og, n))
        return ls->nhwc[x] >= 0 && is_4d_f32(og, x);
    if (upsampling_conv_transpose(og, n))
        return true;
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
    if (slice_constant(og, n) || (mbi_og_is(n, "Split") && n->n_inputs == 1))
        return ls->nhwc[x] >= 0 && og->g.values[x].rank == 4;
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

/* ReduceMean over H, W of a tensor with a twin: GlobalAveragePoolNhwc, then
 * a free Reshape to the original output ([N, C, 1, 1] or [N, C]). */
static mobinfer_status convert_spatial_mean(layout_state *ls, const mbi_node *orig)
{
    mbi_opt_graph *og = ls->og;
    int x = orig->inputs[0], y = orig->outputs[0];
    const int64_t *d = og->g.values[x].dims;
    int64_t pooled[4] = {d[0], 1, 1, d[1]};
    int t = mbi_og_add_value(og, og->g.values[y].name, "#nhwc", og->g.values[y].dtype, 4, pooled);
    if (t < 0)
        return og->err->status;
    int in = ls->nhwc[x];
    mbi_node n;
    memset(&n, 0, sizeof n);
    n.name = orig->name;
    n.op_type = "GlobalAveragePoolNhwc";
    n.domain = MBI_INTERNAL_DOMAIN;
    n.opset = orig->opset;
    n.n_inputs = 1;
    n.inputs = &in;
    n.n_outputs = 1;
    n.outputs = &t;
    if (mbi_og_append_node(og, &n) < 0)
        return og->err->status;
    if (og->g.values[y].rank == 4) {
        /* keepdims: the pooled tensor is y's twin (converted back lazily). */
        ls->nhwc[y] = t;
        ls->missing[y] = true;
        return MOBINFER_OK;
    }
    return emit_reshape(ls, t, y);
}

static mobinfer_status convert_node(layout_state *ls, const mbi_node *orig)
{
    mbi_opt_graph *og = ls->og;
    if (spatial_mean(og, orig))
        return convert_spatial_mean(ls, orig);
    mbi_node n = *orig;
    int ins[16];
    if (n.n_inputs > 16)
        return MOBINFER_OK;
    bool conv = conv_eligible(og, orig) || upsampling_conv_transpose(og, orig);
    for (int k = 0; k < n.n_inputs; k++) {
        int v = orig->inputs[k];
        /* Only the tensor operands change layout; Clip's bounds, a Conv's
         * weights and bias stay as they are. */
        bool operand = in_list(orig, elementwise_binary) || mbi_og_is(orig, "Concat") || k == 0;
        if (conv && k > 0)
            operand = false;
        ins[k] = v;
        if (v >= 0 && operand && (ins[k] = get_nhwc(ls, v)) < 0)
            return og->err->status;
    }
    n.inputs = ins;
    if (resize_movable(og, orig))
        for (int k = 1; k < n.n_inputs; k++)
            if (ins[k] >= 0 && (ins[k] = permute_axis_values(ls, ins[k])) < 0)
                return og->err->status;
    if (mbi_og_is(orig, "Slice") && (ins[3] = nhwc_axes(ls, orig)) < 0)
        return og->err->status;
    if (mbi_og_is(orig, "Slice"))
        n.n_inputs = n.n_inputs > 4 ? n.n_inputs : 4;
    int outs[16];
    if (n.n_outputs > 16)
        return MOBINFER_OK;
    for (int k = 0; k < n.n_outputs; k++) {
        int v = orig->outputs[k];
        int64_t dims[4];
        permute_dims(og->g.values[v].dims, to_nhwc_perm, dims);
        outs[k] = mbi_og_add_value(og, og->g.values[v].name, "#nhwc", og->g.values[v].dtype, 4,
                                   dims);
        if (outs[k] < 0)
            return og->err->status;
    }
    n.outputs = outs;
    if (conv) {
        n.op_type = mbi_og_is(orig, "ConvTranspose") ? "ConvTransposeNhwc" : "ConvNhwc";
        n.domain = MBI_INTERNAL_DOMAIN;
    }
    int i = mbi_og_append_node(og, &n);
    if (i < 0)
        return og->err->status;
    mbi_node *added = &og->g.nodes[i];
    if ((mbi_og_is(orig, "Concat") || mbi_og_is(orig, "Split")) &&
        !mbi_og_set_attr_int(og, added, "axis", nhwc_axis(attr_axis(orig))))
        return og->err->status;
    if (mbi_og_is(orig, "GlobalAveragePool") || mbi_og_is(orig, "MaxPool") ||
        mbi_og_is(orig, "AveragePool")) {
        added->op_type = mbi_og_is(orig, "MaxPool")       ? "MaxPoolNhwc"
                         : mbi_og_is(orig, "AveragePool") ? "AveragePoolNhwc"
                                                          : "GlobalAveragePoolNhwc";
        added->domain = MBI_INTERNAL_DOMAIN;
    }
    for (int k = 0; k < n.n_outputs; k++) {
        ls->nhwc[orig->outputs[k]] = outs[k];
        ls->missing[orig->outputs[k]] = true;
    }
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
    bool *skip = mbi_pool_alloc_array(og->pool, (size_t)n_old + 1, sizeof(bool));
    if (!skip)
        return mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    mobinfer_status st;
    for (int i = 0; i < n_old; i++) {
        const mbi_node *n = &old[i];
        int t, r2;
        if (skip[i])
            continue;
        if (match_shuffle(&ls, old, n_old, i, &t, &r2)) {
            if ((st = convert_shuffle(&ls, n, &old[r2])))
                return st;
            skip[t] = skip[r2] = true;
            continue;
        }
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
