/* Structural reparameterization: branches that read one tensor x and are
 * summed merge into one convolution, as RepVGG, MobileOne, RepViT and
 * FastViT prescribe for inference. A branch is
 *   - a Conv of x with constant weights (BatchNorm already folded into it),
 *   - a BatchNormalization of x (a per-channel scale and shift), or
 *   - x itself;
 * convolutions may differ in kernel size if their windows share a centre
 * (pad - (k-1)/2 equal), and must agree on stride, group and dilation 1.
 * Summing kernels zero-padded to the largest size is exact algebra, so the
 * merged graph differs from the original by float rounding only. An Add
 * chain (MobileOne has k branches) merges one Add at a time. */
#include <math.h>
#include <string.h>

#include "ir/attr.h"
#include "opt/passes.h"

typedef enum branch_kind { BRANCH_CONV, BRANCH_BN, BRANCH_IDENTITY } branch_kind;

typedef struct branch {
    branch_kind kind;
    int node;  /* producing node (-1 for identity) */
    int src;   /* the tensor the branch reads */
    /* CONV */
    const float *w, *b;
    int64_t k, pad[4], stride[2], group;
    /* BN: y = x * scale + shift */
    const float *bn[4];
    float eps;
} branch;

static bool read_ints(const mbi_node *n, const char *name, int count, int64_t def, int64_t *out)
{
    const int64_t *v;
    size_t c;
    mbi_error e;
    mbi_error_clear(&e);
    if (mbi_attr_ints(n, name, &v, &c, &e))
        return false;
    for (int i = 0; i < count; i++)
        out[i] = v ? (c == (size_t)count ? v[i] : -1) : def;
    for (int i = 0; i < count; i++)
        if (out[i] < 0)
            return false;
    return true;
}

static bool conv_branch(const mbi_opt_graph *og, int ni, branch *b)
{
    const mbi_node *n = &og->g.nodes[ni];
    if (!mbi_og_is(n, "Conv") || n->n_inputs < 2 || n->n_outputs != 1 || n->inputs[0] < 0)
        return false;
    const mbi_value_decl *wd = &og->g.values[n->inputs[1]];
    b->w = mbi_og_const_f32(og, n->inputs[1]);
    b->b = n->n_inputs > 2 && n->inputs[2] >= 0 ? mbi_og_const_f32(og, n->inputs[2]) : NULL;
    if (!b->w || wd->rank != 4 || wd->dims[2] != wd->dims[3] || wd->dims[2] % 2 == 0 ||
        (n->n_inputs > 2 && n->inputs[2] >= 0 && !b->b))
        return false;
    mbi_error e;
    mbi_error_clear(&e);
    const char *auto_pad;
    int64_t dil[2];
    if (mbi_attr_string(n, "auto_pad", "NOTSET", &auto_pad, &e) || strcmp(auto_pad, "NOTSET") ||
        mbi_attr_int(n, "group", 1, &b->group, &e) || !read_ints(n, "pads", 4, 0, b->pad) ||
        !read_ints(n, "strides", 2, 1, b->stride) || !read_ints(n, "dilations", 2, 1, dil) ||
        dil[0] != 1 || dil[1] != 1)
        return false;
    b->k = wd->dims[2];
    /* A symmetric window around the centre. */
    int64_t half = (b->k - 1) / 2;
    for (int i = 0; i < 4; i++)
        if (b->pad[i] - half != b->pad[0] - half)
            return false;
    b->kind = BRANCH_CONV;
    b->node = ni;
    b->src = n->inputs[0];
    return true;
}

static bool bn_branch(const mbi_opt_graph *og, int ni, branch *b)
{
    const mbi_node *n = &og->g.nodes[ni];
    if (!mbi_og_is(n, "BatchNormalization") || n->n_inputs != 5)
        return false;
    for (int k = 1; k < n->n_outputs; k++)
        if (n->outputs[k] >= 0 && og->uses[n->outputs[k]] > 0)
            return false;
    for (int k = 0; k < 4; k++)
        if (!(b->bn[k] = mbi_og_const_f32(og, n->inputs[k + 1])))
            return false;
    mbi_error e;
    mbi_error_clear(&e);
    if (mbi_attr_float(n, "epsilon", 1e-5f, &b->eps, &e))
        return false;
    b->kind = BRANCH_BN;
    b->node = ni;
    b->src = n->inputs[0];
    return true;
}

/* What value v is, as a branch: its producer if only the Add reads it. */
static void classify(const mbi_opt_graph *og, int v, branch *b)
{
    memset(b, 0, sizeof *b);
    int p = og->uses[v] == 1 ? mbi_og_producer(og, v) : -1;
    if (p >= 0 && (conv_branch(og, p, b) || bn_branch(og, p, b)))
        return;
    b->kind = BRANCH_IDENTITY;
    b->node = -1;
    b->src = v;
}

/* Adds branch b into kernel w [cout][cin_g][K][K] and bias. */
static void accumulate(const branch *b, int64_t cout, int64_t cin_g, int64_t K, float *w,
                       float *bias)
{
    if (b->kind == BRANCH_CONV) {
        int64_t off = (K - b->k) / 2;
        for (int64_t o = 0; o < cout; o++) {
            for (int64_t c = 0; c < cin_g; c++)
                for (int64_t y = 0; y < b->k; y++)
                    for (int64_t x = 0; x < b->k; x++)
                        w[((o * cin_g + c) * K + y + off) * K + x + off] +=
                            b->w[((o * cin_g + c) * b->k + y) * b->k + x];
            bias[o] += b->b ? b->b[o] : 0.0f;
        }
        return;
    }
    int64_t mid = (K - 1) / 2;
    for (int64_t o = 0; o < cout; o++) {
        float scale = 1.0f, shift = 0.0f;
        if (b->kind == BRANCH_BN) {
            double s = (double)b->bn[0][o] / sqrt((double)b->bn[3][o] + (double)b->eps);
            scale = (float)s;
            shift = (float)((double)b->bn[1][o] - (double)b->bn[2][o] * s);
        }
        w[((o * cin_g + o % cin_g) * K + mid) * K + mid] += scale;
        bias[o] += shift;
    }
}

static bool compatible(const branch *a, const branch *c)
{
    if (a->kind != BRANCH_CONV || c->kind != BRANCH_CONV)
        return true;
    return a->group == c->group && a->stride[0] == c->stride[0] && a->stride[1] == c->stride[1] &&
           a->pad[0] - (a->k - 1) / 2 == c->pad[0] - (c->k - 1) / 2;
}

static mobinfer_status merge_add(mbi_opt_graph *og, int ai)
{
    const mbi_node *add = &og->g.nodes[ai];
    if (!mbi_og_is(add, "Add") || add->n_inputs != 2 || add->inputs[0] == add->inputs[1] ||
        add->inputs[0] < 0 || add->inputs[1] < 0)
        return MOBINFER_OK;
    branch br[2];
    classify(og, add->inputs[0], &br[0]);
    classify(og, add->inputs[1], &br[1]);
    int main = br[0].kind == BRANCH_CONV ? 0 : br[1].kind == BRANCH_CONV ? 1 : -1;
    if (main < 0 || br[0].src != br[1].src || !compatible(&br[0], &br[1]))
        return MOBINFER_OK;
    const branch *m = &br[main];
    const mbi_value_decl *wd = &og->g.values[og->g.nodes[m->node].inputs[1]];
    const mbi_value_decl *xd = &og->g.values[m->src], *yd = &og->g.values[add->outputs[0]];
    int64_t cout = wd->dims[0], cin_g = wd->dims[1];
    const branch *o = &br[1 - main];
    if (o->kind != BRANCH_CONV) {
        /* x + conv(x): the identity needs the same shape in and out. */
        if (xd->rank != 4 || yd->rank != 4 || memcmp(xd->dims, yd->dims, 4 * sizeof(int64_t)) ||
            xd->dims[1] != cout)
            return MOBINFER_OK;
        if (o->kind == BRANCH_BN && og->g.values[og->g.nodes[o->node].inputs[1]].dims[0] != cout)
            return MOBINFER_OK;
    } else {
        const mbi_value_decl *w2 = &og->g.values[og->g.nodes[o->node].inputs[1]];
        if (w2->dims[0] != cout || w2->dims[1] != cin_g)
            return MOBINFER_OK;
    }
    int64_t K = m->k;
    if (o->kind == BRANCH_CONV && o->k > K)
        K = o->k;
    const branch *big = (o->kind == BRANCH_CONV && o->k > m->k) ? o : m;
    size_t wn = (size_t)(cout * cin_g * K * K);
    float *w = mbi_og_alloc_floats(og, wn);
    float *bias = mbi_og_alloc_floats(og, (size_t)cout);
    if (!w || !bias)
        return og->err->status;
    memset(w, 0, wn * sizeof *w);
    memset(bias, 0, (size_t)cout * sizeof *bias);
    accumulate(&br[0], cout, cin_g, K, w, bias);
    accumulate(&br[1], cout, cin_g, K, w, bias);

    int64_t wdims[4] = {cout, cin_g, K, K};
    const char *base = og->g.values[add->outputs[0]].name;
    int wv = mbi_og_add_const(og, base, "#reparam_w", MOBINFER_DTYPE_FLOAT32, 4, wdims, w);
    int bv = mbi_og_add_const(og, base, "#reparam_b", MOBINFER_DTYPE_FLOAT32, 1, &cout, bias);
    if (wv < 0 || bv < 0)
        return og->err->status;
    mbi_node *keep = &og->g.nodes[m->node];
    int ins[3] = {m->src, wv, bv};
    int64_t ks[2] = {K, K};
    if (!mbi_og_set_inputs(og, keep, ins, 3) ||
        !mbi_og_set_attr_ints(og, keep, "pads", big->pad, 4) ||
        !mbi_og_set_attr_ints(og, keep, "kernel_shape", ks, 2))
        return og->err->status;
    mbi_og_outputs(keep)[0] = og->g.nodes[ai].outputs[0];
    og->removed[ai] = true;
    if (o->node >= 0)
        og->removed[o->node] = true;
    mbi_og_count_uses(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_reparameterize(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, merge_add);
}
