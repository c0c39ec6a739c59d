/* Session creation, optional middle part: after a first, plain preparation
 * of the model (shapes bound, constants folded), build the graph the
 * optimization passes rewrite (src/opt/), run them, and prepare the
 * rewritten graph for real. */
#include <string.h>

#include "opt/opt_graph.h"
#include "opt/passes.h"
#include "runtime/session.h"

static mobinfer_status build_opt_graph(mobinfer_session *s, mbi_opt_graph *og)
{
    const mbi_graph *src = s->graph;
    og->pool = &s->pool;
    og->err = &s->err;
    og->g = *src;
    og->g.values = NULL;
    og->g.nodes = NULL;
    og->g.n_values = 0;
    og->g.n_nodes = 0;
    og->cap_values = 0;
    og->cap_nodes = 0;
    /* Room for what the passes add, so that most runs never regrow. */
    int cap = src->n_values + 2 * s->n_steps + 16;
    og->g.values = mbi_pool_alloc_array(&s->pool, (size_t)cap, sizeof *og->g.values);
    og->uses = mbi_pool_alloc_array(&s->pool, (size_t)cap, sizeof(int));
    if (!og->g.values || !og->uses)
        return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    og->cap_values = cap;
    og->g.n_values = src->n_values;
    for (int v = 0; v < src->n_values; v++) {
        mbi_value_decl *d = &og->g.values[v];
        const mbi_svalue *sv = &s->values[v];
        *d = src->values[v];
        d->producer = -1;
        memset(d->dim_names, 0, sizeof d->dim_names);
        if (sv->t.dtype == MOBINFER_DTYPE_UNDEFINED)
            continue;
        d->dtype = sv->t.dtype;
        d->rank = sv->t.rank;
        memcpy(d->dims, sv->t.dims, sizeof d->dims);
        if (sv->is_const && !sv->is_input && !d->init) {
            mbi_const_tensor *t = mbi_pool_alloc(&s->pool, sizeof *t);
            if (!t)
                return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
            t->name = d->name;
            t->dtype = sv->t.dtype;
            t->rank = sv->t.rank;
            memcpy(t->dims, sv->t.dims, sizeof t->dims);
            t->data = sv->t.data;
            t->bytes = mbi_tensor_bytes(&sv->t);
            d->init = t;
        }
    }
    for (int i = 0; i < s->n_steps; i++)
        if (mbi_og_append_node(og, s->steps[i].node) < 0)
            return s->err.status;
    mbi_og_compact(og);
    return MOBINFER_OK;
}

mobinfer_status mbi_session_optimize(mobinfer_session *s, const mobinfer_session_options *o)
{
    mbi_opt_graph *og = mbi_pool_alloc(&s->pool, sizeof *og);
    if (!og)
        return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    mobinfer_status st = build_opt_graph(s, og);
    if (st)
        return st;
    if ((st = mbi_opt_run_passes(og, &s->kernels)))
        return st;
    mbi_og_compact(og);

    /* Prepare the rewritten graph from scratch; constants of the first
     * preparation stay in the pool, where the new initializers point. */
    s->graph = &og->g;
    s->n_values = og->g.n_values;
    s->values = mbi_pool_alloc_array(&s->pool, (size_t)s->n_values + 1, sizeof *s->values);
    if (!s->values)
        return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    s->n_steps = 0;
    return mbi_session_prepare_nodes(s, o);
}
