/* Identity, and Dropout at inference, copy their input: readers are pointed
 * at the input instead and the node goes, unless its output is a graph
 * output (then the copy is the output and stays). */
#include "opt/passes.h"

static bool is_graph_output(const mbi_opt_graph *og, int v)
{
    for (int i = 0; i < og->g.n_outputs; i++)
        if (og->g.outputs[i] == v)
            return true;
    return false;
}

mobinfer_status mbi_opt_remove_identity(mbi_opt_graph *og)
{
    mbi_og_count_uses(og);
    for (int i = 0; i < og->g.n_nodes; i++) {
        mbi_node *n = &og->g.nodes[i];
        if (!(mbi_og_is(n, "Identity") || mbi_og_is(n, "Dropout")) || n->n_inputs < 1 ||
            n->n_outputs < 1 || n->inputs[0] < 0 || n->outputs[0] < 0)
            continue;
        int in = n->inputs[0], out = n->outputs[0];
        /* Dropout's mask output must be unused. */
        if (n->n_outputs > 1 && n->outputs[1] >= 0 && og->uses[n->outputs[1]] > 0)
            continue;
        if (is_graph_output(og, out))
            continue;
        for (int j = i + 1; j < og->g.n_nodes; j++) {
            int *ins = mbi_og_inputs(&og->g.nodes[j]);
            for (int k = 0; k < og->g.nodes[j].n_inputs; k++)
                if (ins[k] == out)
                    ins[k] = in;
        }
        og->removed[i] = true;
    }
    mbi_og_compact(og);
    return MOBINFER_OK;
}
