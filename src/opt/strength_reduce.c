/* Cheaper equivalents of single operators: Pow(x, 2) is x*x and
 * Pow(x, 0.5) is Sqrt(x) (the decomposed LayerNorm of exported
 * transformers squares with Pow, which costs a libm powf per element). */
#include "opt/passes.h"

mobinfer_status mbi_opt_strength_reduce(mbi_opt_graph *og)
{
    for (int i = 0; i < og->g.n_nodes; i++) {
        mbi_node *n = &og->g.nodes[i];
        if (!mbi_og_is(n, "Pow") || n->n_inputs != 2 || n->n_outputs != 1 ||
            og->g.values[n->inputs[0]].dtype != MOBINFER_DTYPE_FLOAT32)
            continue;
        const float *e = mbi_og_const_f32(og, n->inputs[1]);
        if (!e || og->g.values[n->inputs[1]].init->bytes != sizeof(float))
            continue;
        int x = n->inputs[0];
        if (e[0] == 2.0f) {
            int ins[2] = {x, x};
            if (!mbi_og_set_inputs(og, n, ins, 2))
                return og->err->status;
            n->op_type = "Mul";
            n->opset = 14;
        } else if (e[0] == 0.5f) {
            if (!mbi_og_set_inputs(og, n, &x, 1))
                return og->err->status;
            n->op_type = "Sqrt";
            n->opset = 13;
        }
    }
    return MOBINFER_OK;
}
