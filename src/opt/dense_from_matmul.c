/* MatMul and Gemm with constant weights become Dense (src/ops/dense.c),
 * whose weights are packed once for the GEMM kernel; a following Add of a
 * constant row vector becomes its bias.
 *   MatMul(A, W[K,N])                      -> Dense(A, W)
 *   Gemm(A, B, C) with transA = 0, alpha = 1, C broadcast along rows
 *                                          -> Dense(A, B, beta*C), transposed = transB */
#include <string.h>

#include "ir/attr.h"
#include "opt/passes.h"

static int64_t numel(const mbi_value_decl *d)
{
    int64_t n = 1;
    for (int k = 0; k < d->rank; k++)
        n *= d->dims[k];
    return n;
}

/* A constant that broadcasts as one row of n values: shape [n], [1, n]... */
static bool row_vector(const mbi_opt_graph *og, int v, int64_t n)
{
    const mbi_value_decl *d = &og->g.values[v];
    if (!mbi_og_const_f32(og, v) || d->rank < 1 || d->dims[d->rank - 1] != n)
        return false;
    return numel(d) == n;
}

static mobinfer_status to_dense(mbi_opt_graph *og, mbi_node *n)
{
    bool gemm = mbi_og_is(n, "Gemm");
    if (!(gemm || mbi_og_is(n, "MatMul")) || n->n_inputs < 2 || n->n_outputs != 1)
        return MOBINFER_OK;
    int a = n->inputs[0], w = n->inputs[1];
    if (a < 0 || og->g.values[a].dtype != MOBINFER_DTYPE_FLOAT32 || og->g.values[a].rank < 1 ||
        !mbi_og_const_f32(og, w) || og->g.values[w].rank != 2)
        return MOBINFER_OK;
    int64_t trans_b = 0;
    int bias = -1;
    if (gemm) {
        int64_t trans_a;
        float alpha, beta;
        mbi_error e;
        mbi_error_clear(&e);
        if (mbi_attr_int(n, "transA", 0, &trans_a, &e) || mbi_attr_int(n, "transB", 0, &trans_b, &e) ||
            mbi_attr_float(n, "alpha", 1.0f, &alpha, &e) ||
            mbi_attr_float(n, "beta", 1.0f, &beta, &e) || trans_a || alpha != 1.0f ||
            og->g.values[a].rank != 2)
            return MOBINFER_OK;
        int64_t cols = og->g.values[w].dims[trans_b ? 0 : 1];
        if (n->n_inputs > 2 && n->inputs[2] >= 0 && beta != 0.0f) {
            if (!row_vector(og, n->inputs[2], cols))
                return MOBINFER_OK;
            bias = n->inputs[2];
            if (beta != 1.0f) {
                const float *c = mbi_og_const_f32(og, bias);
                float *scaled = mbi_og_alloc_floats(og, (size_t)cols);
                if (!scaled)
                    return og->err->status;
                for (int64_t j = 0; j < cols; j++)
                    scaled[j] = beta * c[j];
                bias = mbi_og_add_const(og, og->g.values[bias].name, "#scaled",
                                        MOBINFER_DTYPE_FLOAT32, 1, &cols, scaled);
                if (bias < 0)
                    return og->err->status;
            }
        }
    }
    int ins[3] = {a, w, bias};
    if (!mbi_og_set_inputs(og, n, ins, bias >= 0 ? 3 : 2))
        return og->err->status;
    if (!mbi_og_remove_attr(og, n, "transA") || !mbi_og_remove_attr(og, n, "transB") ||
        !mbi_og_remove_attr(og, n, "alpha") || !mbi_og_remove_attr(og, n, "beta") ||
        !mbi_og_set_attr_int(og, n, "transposed", trans_b))
        return og->err->status;
    n->op_type = "Dense";
    n->domain = MBI_INTERNAL_DOMAIN;
    return MOBINFER_OK;
}

/* Dense without bias, then Add(y, constant row) -> Dense with that bias. */
static void absorb_bias(mbi_opt_graph *og, int i)
{
    mbi_node *d = &og->g.nodes[i];
    if (strcmp(d->op_type, "Dense") != 0 || strcmp(d->domain, MBI_INTERNAL_DOMAIN) != 0 ||
        d->n_inputs != 2)
        return;
    int slot;
    int j = mbi_og_single_consumer(og, d->outputs[0], &slot);
    if (j < 0 || !mbi_og_is(&og->g.nodes[j], "Add") || og->g.nodes[j].n_inputs != 2)
        return;
    const mbi_value_decl *y = &og->g.values[d->outputs[0]];
    int c = og->g.nodes[j].inputs[1 - slot];
    const mbi_value_decl *out = &og->g.values[og->g.nodes[j].outputs[0]];
    if (!row_vector(og, c, y->dims[y->rank - 1]) || og->g.values[c].rank > y->rank ||
        out->rank != y->rank || memcmp(out->dims, y->dims, sizeof(int64_t) * (size_t)y->rank))
        return;
    int ins[3] = {d->inputs[0], d->inputs[1], c};
    if (!mbi_og_set_inputs(og, d, ins, 3))
        return;
    mbi_og_outputs(d)[0] = og->g.nodes[j].outputs[0];
    og->removed[j] = true;
    mbi_og_count_uses(og);
}

mobinfer_status mbi_opt_dense_from_matmul(mbi_opt_graph *og)
{
    for (int i = 0; i < og->g.n_nodes; i++) {
        mobinfer_status st = to_dense(og, &og->g.nodes[i]);
        if (st)
            return st;
    }
    mbi_og_count_uses(og);
    for (int i = 0; i < og->g.n_nodes; i++)
        if (!og->removed[i])
            absorb_bias(og, i);
    mbi_og_compact(og);
    return og->err->status;
}
