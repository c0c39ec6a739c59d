/* Per-channel affine operations after a convolution (or a transposed one
 * with one group) fold into its constant weights and bias:
 * BatchNormalization (inference form), and Mul or Add by a constant that is
 * one value per output channel or a scalar.
 *   conv(x)*s + t = conv_{W*s}(x) + (B*s + t)
 * The convolution then writes the folded node's output. */
#include <math.h>
#include <string.h>

#include "ir/attr.h"
#include "opt/passes.h"

/* ConvTranspose keeps its output channels on axis 1 of W ([Ci, Co/g, ...]);
 * with one group they are all there. */
static bool is_transposed(const mbi_node *c)
{
    return mbi_og_is(c, "ConvTranspose");
}

/* The convolution a fold can change: float32 Conv (or ConvTranspose with
 * one group) with constant weights and (absent or) constant bias. */
static bool foldable_conv(const mbi_opt_graph *og, const mbi_node *c)
{
    if (!(mbi_og_is(c, "Conv") || is_transposed(c)) || c->n_inputs < 2 || c->n_outputs != 1)
        return false;
    if (is_transposed(c)) {
        int64_t group = 1;
        mbi_error e;
        mbi_error_clear(&e);
        if (mbi_attr_int(c, "group", 1, &group, &e) || group != 1)
            return false;
    }
    if (!mbi_og_const_f32(og, c->inputs[1]))
        return false;
    if (c->n_inputs > 2 && c->inputs[2] >= 0 && !mbi_og_const_f32(og, c->inputs[2]))
        return false;
    return true;
}

/* Writes new weight and bias constants for conv c: W[o] *= scale[o],
 * B[o] = B[o] * scale[o] + shift[o]. */
static mobinfer_status rewrite_conv(mbi_opt_graph *og, mbi_node *c, const float *scale,
                                    size_t scale_stride, const float *shift, size_t shift_stride)
{
    const mbi_value_decl *wd = &og->g.values[c->inputs[1]];
    const float *w = mbi_og_const_f32(og, c->inputs[1]);
    const float *b = c->n_inputs > 2 && c->inputs[2] >= 0 ? mbi_og_const_f32(og, c->inputs[2])
                                                          : NULL;
    /* W viewed as [outer][co][inner]: Conv has outer 1, ConvTranspose inner
     * = the kernel size and outer = Ci. */
    bool tr = is_transposed(c);
    int64_t co = wd->dims[tr ? 1 : 0];
    size_t total = (size_t)(wd->init->bytes / sizeof(float));
    size_t outer = tr ? (size_t)wd->dims[0] : 1, inner = total / outer / (size_t)co;
    float *w2 = mbi_og_alloc_floats(og, total);
    float *b2 = mbi_og_alloc_floats(og, (size_t)co);
    if (!w2 || !b2)
        return og->err->status;
    for (int64_t o = 0; o < co; o++) {
        float s = scale ? scale[(size_t)o * scale_stride] : 1.0f;
        float t = shift ? shift[(size_t)o * shift_stride] : 0.0f;
        for (size_t q = 0; q < outer; q++)
            for (size_t k = 0; k < inner; k++) {
                size_t i = (q * (size_t)co + (size_t)o) * inner + k;
                w2[i] = w[i] * s;
            }
        b2[o] = (b ? b[o] : 0.0f) * s + t;
    }
    int wv = mbi_og_add_const(og, wd->name, "#folded", MOBINFER_DTYPE_FLOAT32, wd->rank, wd->dims,
                              w2);
    int bv = mbi_og_add_const(og, wd->name, "#folded_bias", MOBINFER_DTYPE_FLOAT32, 1, &co, b2);
    if (wv < 0 || bv < 0)
        return og->err->status;
    int ins[3] = {c->inputs[0], wv, bv};
    return mbi_og_set_inputs(og, c, ins, 3) ? MOBINFER_OK : og->err->status;
}

static mobinfer_status fold_bn(mbi_opt_graph *og, mbi_node *c, const mbi_node *bn, bool *done)
{
    *done = false;
    if (bn->n_inputs != 5)
        return MOBINFER_OK;
    for (int k = 1; k < bn->n_outputs; k++)
        if (bn->outputs[k] >= 0 && og->uses[bn->outputs[k]] > 0)
            return MOBINFER_OK;
    int64_t co = og->g.values[c->inputs[1]].dims[is_transposed(c) ? 1 : 0];
    const float *p[4];
    for (int k = 0; k < 4; k++) {
        const mbi_value_decl *d = &og->g.values[bn->inputs[k + 1]];
        p[k] = mbi_og_const_f32(og, bn->inputs[k + 1]);
        if (!p[k] || d->rank != 1 || d->dims[0] != co)
            return MOBINFER_OK;
    }
    float eps = 1e-5f;
    mbi_error scratch;
    mbi_error_clear(&scratch);
    if (mbi_attr_float(bn, "epsilon", 1e-5f, &eps, &scratch))
        return MOBINFER_OK;
    float *scale = mbi_og_alloc_floats(og, (size_t)co);
    float *shift = mbi_og_alloc_floats(og, (size_t)co);
    if (!scale || !shift)
        return og->err->status;
    for (int64_t o = 0; o < co; o++) {
        /* Computed in double: the reference BatchNormalization divides by
         * sqrt(var + eps) per element, and the fold must not drift from it. */
        double s = (double)p[0][o] / sqrt((double)p[3][o] + (double)eps);
        scale[o] = (float)s;
        shift[o] = (float)((double)p[1][o] - (double)p[2][o] * s);
    }
    *done = true;
    return rewrite_conv(og, c, scale, 1, shift, 1);
}

static mobinfer_status fold_mul_add(mbi_opt_graph *og, mbi_node *c, const mbi_node *op, int slot,
                                    bool *done)
{
    *done = false;
    bool mul = mbi_og_is(op, "Mul");
    if (!(mul || mbi_og_is(op, "Add")) || op->n_inputs != 2)
        return MOBINFER_OK;
    int other = op->inputs[1 - slot];
    const mbi_value_decl *out = &og->g.values[c->outputs[0]];
    size_t stride;
    if (!mbi_og_per_channel(og, other, out->rank, out->dims[1], &stride))
        return MOBINFER_OK;
    /* The result must keep the convolution's shape. */
    const mbi_value_decl *res = &og->g.values[op->outputs[0]];
    if (res->rank != out->rank || memcmp(res->dims, out->dims, sizeof(int64_t) * (size_t)out->rank))
        return MOBINFER_OK;
    const float *k = mbi_og_const_f32(og, other);
    *done = true;
    return mul ? rewrite_conv(og, c, k, stride, NULL, 0) : rewrite_conv(og, c, NULL, 0, k, stride);
}

mobinfer_status mbi_opt_fold_batchnorm(mbi_opt_graph *og)
{
    mbi_og_count_uses(og);
    for (int i = 0; i < og->g.n_nodes; i++) {
        mbi_node *c = &og->g.nodes[i];
        /* Repeat: Conv → BN → Mul → Add folds all three. */
        while (!og->removed[i] && foldable_conv(og, c)) {
            int slot;
            int j = mbi_og_single_consumer(og, c->outputs[0], &slot);
            if (j < 0)
                break;
            mbi_node *next = &og->g.nodes[j];
            bool done = false;
            mobinfer_status st = mbi_og_is(next, "BatchNormalization") && slot == 0
                                     ? fold_bn(og, c, next, &done)
                                     : fold_mul_add(og, c, next, slot, &done);
            if (st)
                return st;
            if (!done)
                break;
            mbi_og_outputs(c)[0] = next->outputs[0];
            og->removed[j] = true;
            mbi_og_count_uses(og);
        }
    }
    mbi_og_compact(og);
    return MOBINFER_OK;
}
