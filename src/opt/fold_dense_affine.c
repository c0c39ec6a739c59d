/* A per-column affine operation after a Dense (MatMul/Gemm with constant
 * weights) folds into its weights and bias, as fold_batchnorm.c does for
 * convolutions: BatchNormalization over the Dense's output columns, and Mul
 * or Add by a constant row (one value per column) or a scalar.
 *   (A W + b) * s + t = A (W * s) + (b * s + t)
 * Reshapes that keep the last axis may lie between: LeViT's "Linear + BN"
 * blocks are MatMul -> Flatten to [B*N, C] -> BatchNormalization (channels
 * on axis 1 = the columns) -> Reshape back. When the reshapes then lead
 * back to the Dense's own shape they go too, so the activation and residual
 * Add after them can join the Dense's epilogue (fuse_epilogue runs next). */
#include <math.h>
#include <string.h>

#include "ir/attr.h"
#include "opt/passes.h"

/* Reshapes walked between the Dense and the affine node. */
#define MAX_RESHAPES 4

static bool same_shape(const mbi_value_decl *a, const mbi_value_decl *b)
{
    return a->rank == b->rank && memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank) == 0;
}

static int64_t numel(const mbi_value_decl *d)
{
    int64_t n = 1;
    for (int k = 0; k < d->rank; k++)
        n *= d->dims[k];
    return n;
}

/* Column scale and shift of affine node `op` reading the Dense's columns
 * (n of them) at input slot `slot`; false when it is not such a node. The
 * arrays are pool memory (NULL scale or shift: 1 or 0). */
static bool affine_of(mbi_opt_graph *og, const mbi_node *op, int slot, int64_t n, float **scale,
                      float **shift)
{
    *scale = *shift = NULL;
    if (op->n_inputs < 1 || op->inputs[slot] < 0)
        return false;
    const mbi_value_decl *x = &og->g.values[op->inputs[slot]];
    if (x->rank < 1 || x->dims[x->rank - 1] != n)
        return false;
    if (mbi_og_is(op, "BatchNormalization")) {
        /* Channels are axis 1: the columns only when that is the last axis. */
        if (slot != 0 || op->n_inputs != 5 || x->rank != 2)
            return false;
        for (int k = 1; k < op->n_outputs; k++)
            if (op->outputs[k] >= 0 && og->uses[op->outputs[k]] > 0)
                return false;
        const float *p[4];
        for (int k = 0; k < 4; k++) {
            const mbi_value_decl *d = &og->g.values[op->inputs[k + 1]];
            p[k] = mbi_og_const_f32(og, op->inputs[k + 1]);
            if (!p[k] || d->rank != 1 || d->dims[0] != n)
                return false;
        }
        float eps;
        mbi_error e;
        mbi_error_clear(&e);
        if (mbi_attr_float(op, "epsilon", 1e-5f, &eps, &e))
            return false;
        *scale = mbi_og_alloc_floats(og, (size_t)n);
        *shift = mbi_og_alloc_floats(og, (size_t)n);
        if (!*scale || !*shift)
            return false;
        for (int64_t j = 0; j < n; j++) {
            /* In double, as fold_batchnorm.c: the reference divides by sqrt(var + eps). */
            const double s = (double)p[0][j] / sqrt((double)p[3][j] + (double)eps);
            (*scale)[j] = (float)s;
            (*shift)[j] = (float)((double)p[1][j] - (double)p[2][j] * s);
        }
        return true;
    }
    const bool mul = mbi_og_is(op, "Mul");
    if (!(mul || mbi_og_is(op, "Add")) || op->n_inputs != 2 || op->n_outputs != 1)
        return false;
    const int c = op->inputs[1 - slot];
    const float *k = mbi_og_const_f32(og, c);
    const mbi_value_decl *cd = &og->g.values[c];
    /* A scalar or one row of n, broadcasting without changing the shape. */
    if (!k || cd->rank > x->rank || !(numel(cd) == 1 || (numel(cd) == n && cd->rank >= 1 &&
                                                         cd->dims[cd->rank - 1] == n)) ||
        !same_shape(&og->g.values[op->outputs[0]], x))
        return false;
    float *v = mbi_og_alloc_floats(og, (size_t)n);
    if (!v)
        return false;
    for (int64_t j = 0; j < n; j++)
        v[j] = k[numel(cd) == 1 ? 0 : j];
    *(mul ? scale : shift) = v;
    return true;
}

/* New weights and bias for Dense d: column j scaled by scale[j], bias
 * b[j] * scale[j] + shift[j]. */
static mobinfer_status rewrite_dense(mbi_opt_graph *og, mbi_node *d, int64_t n,
                                     const float *scale, const float *shift)
{
    const mbi_value_decl *wd = &og->g.values[d->inputs[1]];
    const float *w = mbi_og_const_f32(og, d->inputs[1]);
    const float *b = d->n_inputs > 2 && d->inputs[2] >= 0 ? mbi_og_const_f32(og, d->inputs[2])
                                                          : NULL;
    int64_t transposed = 0;
    mbi_error e;
    mbi_error_clear(&e);
    if (mbi_attr_int(d, "transposed", 0, &transposed, &e))
        return MOBINFER_OK;
    const size_t total = (size_t)numel(wd);
    float *w2 = mbi_og_alloc_floats(og, total);
    float *b2 = mbi_og_alloc_floats(og, (size_t)n);
    if (!w2 || !b2)
        return og->err->status;
    /* W is [K][N], or [N][K] when transposed. */
    for (size_t i = 0; i < total; i++) {
        const size_t col = transposed ? i / (total / (size_t)n) : i % (size_t)n;
        w2[i] = scale ? w[i] * scale[col] : w[i];
    }
    for (int64_t j = 0; j < n; j++)
        b2[j] = (b ? b[j] : 0.0f) * (scale ? scale[j] : 1.0f) + (shift ? shift[j] : 0.0f);
    const char *name = wd->name;
    const int64_t wdims[2] = {wd->dims[0], wd->dims[1]};
    const int wv = mbi_og_add_const(og, name, "#folded", MOBINFER_DTYPE_FLOAT32, 2, wdims, w2);
    const int bv = mbi_og_add_const(og, name, "#folded_bias", MOBINFER_DTYPE_FLOAT32, 1, &n, b2);
    if (wv < 0 || bv < 0)
        return og->err->status;
    const int ins[3] = {d->inputs[0], wv, bv};
    return mbi_og_set_inputs(og, d, ins, 3) ? MOBINFER_OK : og->err->status;
}

/* The reshapes that follow value v, each read by the next alone and keeping
 * the last axis at n; returns their count (nodes in chain[]). */
static int reshape_chain(const mbi_opt_graph *og, int v, int64_t n, int chain[MAX_RESHAPES])
{
    int count = 0;
    while (count < MAX_RESHAPES) {
        int slot;
        const int j = mbi_og_single_consumer(og, v, &slot);
        if (j < 0 || slot != 0)
            break;
        const mbi_node *r = &og->g.nodes[j];
        if (!(mbi_og_is(r, "Reshape") || mbi_og_is(r, "Flatten")) || r->n_outputs != 1)
            break;
        const mbi_value_decl *o = &og->g.values[r->outputs[0]];
        if (o->rank < 1 || o->dims[o->rank - 1] != n)
            break;
        chain[count++] = j;
        v = r->outputs[0];
    }
    return count;
}

static mobinfer_status fold_at(mbi_opt_graph *og, int di)
{
    if (!mbi_og_is_internal(&og->g.nodes[di], "Dense"))
        return MOBINFER_OK;
    for (;;) {
        mbi_node *d = &og->g.nodes[di];
        if (d->n_inputs < 2 || d->n_outputs != 1 || !mbi_og_const_f32(og, d->inputs[1]) ||
            og->g.values[d->inputs[1]].rank != 2 ||
            (d->n_inputs > 2 && d->inputs[2] >= 0 && !mbi_og_const_f32(og, d->inputs[2])))
            return MOBINFER_OK;
        const mbi_value_decl *y = &og->g.values[d->outputs[0]];
        if (y->rank < 1)
            return MOBINFER_OK;
        const int64_t n = y->dims[y->rank - 1];
        int chain[MAX_RESHAPES];
        const int len = reshape_chain(og, d->outputs[0], n, chain);
        const int last_v = len ? og->g.nodes[chain[len - 1]].outputs[0] : d->outputs[0];
        int slot;
        const int j = mbi_og_single_consumer(og, last_v, &slot);
        float *scale, *shift;
        if (j < 0 || !affine_of(og, &og->g.nodes[j], slot, n, &scale, &shift)) {
            if (og->err->status)
                return og->err->status;
            break;
        }
        mobinfer_status st = rewrite_dense(og, &og->g.nodes[di], n, scale, shift);
        if (st)
            return st;
        /* The node before the affine one now writes its output. */
        mbi_node *before = len ? &og->g.nodes[chain[len - 1]] : &og->g.nodes[di];
        mbi_og_outputs(before)[0] = og->g.nodes[j].outputs[0];
        og->removed[j] = true;
        mbi_og_count_uses(og);
    }
    /* Reshapes back to the Dense's own shape: gone. */
    int chain[MAX_RESHAPES];
    mbi_node *d = &og->g.nodes[di];
    const mbi_value_decl *y = &og->g.values[d->outputs[0]];
    const int len = reshape_chain(og, d->outputs[0], y->dims[y->rank - 1], chain);
    if (len && same_shape(&og->g.values[og->g.nodes[chain[len - 1]].outputs[0]], y)) {
        mbi_og_outputs(d)[0] = og->g.nodes[chain[len - 1]].outputs[0];
        for (int k = 0; k < len; k++)
            og->removed[chain[k]] = true;
        mbi_og_count_uses(og);
    }
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_fold_dense_affine(mbi_opt_graph *og)
{
    mbi_og_count_uses(og);
    return mbi_og_visit_nodes(og, fold_at);
}
