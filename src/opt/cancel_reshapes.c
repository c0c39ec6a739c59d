/* Data-movement pairs that cancel or compose:
 *   Transpose(p) -> Transpose(q)   one Transpose with the composed
 *                                  permutation, or nothing when it is the
 *                                  identity;
 *   Reshape -> Reshape (or Flatten, Squeeze, Unsqueeze after a Reshape)
 *                                  one Reshape to the final shape (shapes
 *                                  are concrete after planning).
 * The first node must have no other reader. Exporters write such pairs
 * around attention blocks; the layout pass itself never does. */
#include <string.h>

#include "ir/attr.h"
#include "opt/passes.h"

static bool perm_of(const mbi_opt_graph *og, const mbi_node *n, int64_t *perm, int *rank)
{
    if (!mbi_og_is(n, "Transpose") || n->n_inputs != 1 || n->n_outputs != 1)
        return false;
    *rank = og->g.values[n->inputs[0]].rank;
    if (*rank < 1 || *rank > MBI_MAX_RANK)
        return false;
    const int64_t *p;
    size_t count;
    mbi_error e;
    mbi_error_clear(&e);
    if (mbi_attr_ints(n, "perm", &p, &count, &e))
        return false;
    for (int i = 0; i < *rank; i++) {
        if (p && (count != (size_t)*rank || p[i] < 0 || p[i] >= *rank))
            return false;
        perm[i] = p ? p[i] : *rank - 1 - i;
    }
    return true;
}

static bool is_reshape_like(const mbi_node *n)
{
    return (mbi_og_is(n, "Reshape") || mbi_og_is(n, "Flatten") || mbi_og_is(n, "Squeeze") ||
            mbi_og_is(n, "Unsqueeze")) &&
           n->n_outputs == 1 && n->n_inputs >= 1;
}

/* Rewires every reader of `from` (and graph outputs stay as they are). */
static void replace_uses(mbi_opt_graph *og, int from, int to)
{
    for (int i = 0; i < og->g.n_nodes; i++) {
        if (og->removed[i])
            continue;
        int *ins = mbi_og_inputs(&og->g.nodes[i]);
        for (int k = 0; k < og->g.nodes[i].n_inputs; k++)
            if (ins[k] == from)
                ins[k] = to;
    }
}

static bool is_graph_output(const mbi_opt_graph *og, int v)
{
    for (int i = 0; i < og->g.n_outputs; i++)
        if (og->g.outputs[i] == v)
            return true;
    return false;
}

static mobinfer_status merge_at(mbi_opt_graph *og, int i)
{
    mbi_node *a = &og->g.nodes[i];
    if (a->n_outputs != 1 || a->outputs[0] < 0)
        return MOBINFER_OK;
    int j = mbi_og_single_consumer(og, a->outputs[0], NULL);
    if (j < 0 || og->g.nodes[j].inputs[0] != a->outputs[0])
        return MOBINFER_OK;
    mbi_node *b = &og->g.nodes[j];
    int64_t p[MBI_MAX_RANK], q[MBI_MAX_RANK];
    int ra, rb;
    if (perm_of(og, a, p, &ra) && perm_of(og, b, q, &rb) && ra == rb) {
        /* out[k] = mid[q[k]] = in[p[q[k]]] */
        int64_t composed[MBI_MAX_RANK];
        bool identity = true;
        for (int k = 0; k < ra; k++) {
            composed[k] = p[q[k]];
            identity &= composed[k] == k;
        }
        if (identity && !is_graph_output(og, b->outputs[0])) {
            replace_uses(og, b->outputs[0], a->inputs[0]);
            og->removed[i] = og->removed[j] = true;
        } else {
            int in = a->inputs[0];
            if (!mbi_og_set_inputs(og, b, &in, 1) ||
                !mbi_og_set_attr_ints(og, b, "perm", composed, (size_t)ra))
                return og->err->status;
            og->removed[i] = true;
        }
        mbi_og_count_uses(og);
        return MOBINFER_OK;
    }
    if (mbi_og_is(a, "Reshape") && is_reshape_like(b) &&
        og->g.values[a->inputs[0]].dtype == og->g.values[b->outputs[0]].dtype) {
        /* b becomes a Reshape of a's input to b's (concrete) output shape. */
        const mbi_value_decl *out = &og->g.values[b->outputs[0]];
        int64_t rank = out->rank;
        int64_t *shape = mbi_pool_alloc_array(og->pool, (size_t)rank + 1, sizeof(int64_t));
        if (!shape)
            return mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        memcpy(shape, out->dims, sizeof(int64_t) * (size_t)rank);
        int ins[2] = {a->inputs[0], mbi_og_add_const(og, out->name, "#shape",
                                                     MOBINFER_DTYPE_INT64, 1, &rank, shape)};
        b = &og->g.nodes[j];
        if (ins[1] < 0 || !mbi_og_set_inputs(og, b, ins, 2))
            return og->err->status;
        b->op_type = "Reshape";
        b->domain = "";
        b->opset = 14;
        b->n_attrs = 0;
        b->attrs = NULL;
        og->removed[i] = true;
        mbi_og_count_uses(og);
    }
    return MOBINFER_OK;
}

mobinfer_status mbi_opt_cancel_reshapes(mbi_opt_graph *og)
{
    return mbi_og_visit_nodes(og, merge_at);
}
