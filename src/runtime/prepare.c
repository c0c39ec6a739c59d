/* Session creation, first half: bind symbolic dimensions, then walk the
 * nodes in topological order, preparing each operator (shape inference) and
 * running at once the ones whose inputs are all constant (constant folding,
 * which also resolves the Shape→Gather→Concat→Reshape chains exporters emit). */
#include <string.h>

#include "runtime/session.h"

typedef struct dim_binder {
    const mobinfer_session_options *o;
    /* Bindings learned from input_shapes, by symbolic name. */
    const char *names[256];
    int64_t values[256];
    int n;
} dim_binder;

static bool lookup_binding(const dim_binder *b, const char *name, int64_t *out)
{
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->names[i], name) == 0) {
            *out = b->values[i];
            return true;
        }
    for (size_t i = 0; i < b->o->num_dim_bindings; i++)
        if (b->o->dim_bindings[i].name && strcmp(b->o->dim_bindings[i].name, name) == 0) {
            *out = b->o->dim_bindings[i].value;
            return true;
        }
    return false;
}

static const mobinfer_input_shape *given_shape(const mobinfer_session_options *o, const char *name)
{
    for (size_t i = 0; i < o->num_input_shapes; i++)
        if (o->input_shapes[i].name && strcmp(o->input_shapes[i].name, name) == 0)
            return &o->input_shapes[i];
    return NULL;
}

static const mobinfer_input_value *frozen_value(const mobinfer_session_options *o, const char *name)
{
    for (size_t i = 0; i < o->num_constant_inputs; i++)
        if (o->constant_inputs[i].name && strcmp(o->constant_inputs[i].name, name) == 0)
            return &o->constant_inputs[i];
    return NULL;
}

static mobinfer_status check_tensor_size(mobinfer_session *s, const mbi_tensor *t, const char *name)
{
    char buf[128];
    if (!mbi_dtype_supported(t->dtype))
        return mbi_fail(&s->err, MOBINFER_ERR_UNSUPPORTED, "value '%s' has an unsupported type",
                        name);
    if (t->rank < 0 || t->rank > MBI_MAX_RANK)
        return mbi_fail(&s->err, MOBINFER_ERR_SHAPE, "value '%s' has rank %d", name, t->rank);
    int64_t numel;
    if (!mbi_shape_numel_checked(t->dims, t->rank, (int64_t)s->limits.max_tensor_elements, &numel))
        return mbi_fail(&s->err, MOBINFER_ERR_LIMIT,
                        "value '%s' of shape %s has negative dimensions or more elements than the "
                        "limit of %llu (max_tensor_elements)",
                        name, mbi_shape_str(t->dims, t->rank, buf, sizeof buf),
                        (unsigned long long)s->limits.max_tensor_elements);
    if ((uint64_t)numel > s->limits.max_tensor_bytes / mbi_dtype_size(t->dtype))
        return mbi_fail(&s->err, MOBINFER_ERR_LIMIT,
                        "value '%s' of shape %s exceeds the limit of %llu bytes per tensor "
                        "(max_tensor_bytes)",
                        name,
                        mbi_shape_str(t->dims, t->rank, buf, sizeof buf),
                        (unsigned long long)s->limits.max_tensor_bytes);
    return MOBINFER_OK;
}

/* A frozen input becomes a constant of the session, checked against the
 * declaration like any input. */
static mobinfer_status freeze_input(mobinfer_session *s, const mbi_value_decl *d,
                                    const mobinfer_input_value *f, mbi_svalue *v)
{
    const mobinfer_tensor *t = &f->tensor;
    if (t->rank > MBI_MAX_RANK || (t->rank && !t->dims))
        return mbi_fail(&s->err, MOBINFER_ERR_INVALID_ARGUMENT, "constant input '%s': bad shape",
                        d->name);
    if (d->dtype != MOBINFER_DTYPE_UNDEFINED && t->dtype != d->dtype)
        return mbi_fail(&s->err, MOBINFER_ERR_INPUT, "constant input '%s' must be %s, got %s",
                        d->name, mbi_dtype_name(d->dtype), mbi_dtype_name(t->dtype));
    if (d->rank >= 0 && (size_t)d->rank != t->rank)
        return mbi_fail(&s->err, MOBINFER_ERR_INPUT, "constant input '%s' must have rank %d",
                        d->name, d->rank);
    v->t.dtype = t->dtype;
    v->t.rank = (int)t->rank;
    for (size_t k = 0; k < t->rank; k++) {
        if (d->rank >= 0 && d->dims[k] >= 0 && d->dims[k] != t->dims[k])
            return mbi_fail(&s->err, MOBINFER_ERR_INPUT,
                            "constant input '%s': dimension %zu must be %lld", d->name, k,
                            (long long)d->dims[k]);
        v->t.dims[k] = t->dims[k];
    }
    mobinfer_status st = check_tensor_size(s, &v->t, d->name);
    if (st)
        return st;
    size_t bytes = mbi_tensor_bytes(&v->t);
    if (bytes != t->byte_size || (bytes && !t->data))
        return mbi_fail(&s->err, MOBINFER_ERR_INPUT, "constant input '%s' needs %zu bytes, got %zu",
                        d->name, bytes, t->byte_size);
    v->t.data = mbi_pool_alloc_aligned(&s->pool, bytes, 64);
    if (!v->t.data)
        return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    if (bytes)
        memcpy(v->t.data, t->data, bytes);
    v->is_const = true;
    return MOBINFER_OK;
}

static mobinfer_status bind_input(mobinfer_session *s, dim_binder *b, const mbi_value_decl *d,
                                  mbi_svalue *v)
{
    const mobinfer_session_options *o = b->o;
    const mobinfer_input_value *frozen = frozen_value(o, d->name);
    if (frozen)
        return freeze_input(s, d, frozen, v);
    if (d->dtype == MOBINFER_DTYPE_UNDEFINED)
        return mbi_fail(&s->err, MOBINFER_ERR_UNSUPPORTED,
                        "graph input '%s' has an element type mobinfer does not support (%d)",
                        d->name, d->onnx_dtype);
    v->t.dtype = d->dtype;
    const mobinfer_input_shape *g = given_shape(o, d->name);
    if (g) {
        if (!g->dims && g->rank)
            return mbi_fail(&s->err, MOBINFER_ERR_INVALID_ARGUMENT, "input shape of '%s' has no dims",
                            d->name);
        if (g->rank > MBI_MAX_RANK || (d->rank >= 0 && (size_t)d->rank != g->rank))
            return mbi_fail(&s->err, MOBINFER_ERR_INPUT,
                            "input '%s' has rank %d in the model; a shape of rank %zu was given",
                            d->name, d->rank, g->rank);
        v->t.rank = (int)g->rank;
        for (size_t k = 0; k < g->rank; k++) {
            int64_t want = d->rank >= 0 ? d->dims[k] : -1;
            if (g->dims[k] < 0 || (want >= 0 && want != g->dims[k]))
                return mbi_fail(&s->err, MOBINFER_ERR_INPUT,
                                "input '%s': dimension %zu is %lld in the model, %lld was given",
                                d->name, k, (long long)want, (long long)g->dims[k]);
            v->t.dims[k] = g->dims[k];
            if (want < 0 && d->rank >= 0 && d->dim_names[k]) {
                int64_t prev;
                if (lookup_binding(b, d->dim_names[k], &prev) && prev != g->dims[k])
                    return mbi_fail(&s->err, MOBINFER_ERR_INPUT,
                                    "input '%s': dimension '%s' is %lld here but %lld elsewhere",
                                    d->name, d->dim_names[k], (long long)g->dims[k],
                                    (long long)prev);
                if (b->n < (int)(sizeof b->names / sizeof b->names[0])) {
                    b->names[b->n] = d->dim_names[k];
                    b->values[b->n++] = g->dims[k];
                }
            }
        }
        return MOBINFER_OK;
    }
    if (d->rank < 0)
        return mbi_fail(&s->err, MOBINFER_ERR_INPUT,
                        "input '%s' has no declared shape; give one in the session options",
                        d->name);
    v->t.rank = d->rank;
    for (int k = 0; k < d->rank; k++) {
        int64_t dim = d->dims[k];
        if (dim < 0 && !(d->dim_names[k] && lookup_binding(b, d->dim_names[k], &dim)))
            dim = o->default_dim_value;
        if (dim < 0)
            return mbi_fail(&s->err, MOBINFER_ERR_INPUT,
                            "input '%s': dimension %d ('%s') is not bound", d->name, k,
                            d->dim_names[k] ? d->dim_names[k] : "?");
        v->t.dims[k] = dim;
    }
    return MOBINFER_OK;
}

/* Backward from the graph outputs: nodes nothing depends on are dropped. */
static void mark_needed(mobinfer_session *s, bool *node_needed)
{
    const mbi_graph *g = s->graph;
    for (int i = 0; i < g->n_outputs; i++)
        s->values[g->outputs[i]].needed = true;
    for (int n = g->n_nodes - 1; n >= 0; n--) {
        const mbi_node *nd = &g->nodes[n];
        bool need = false;
        for (int k = 0; k < nd->n_outputs; k++)
            if (nd->outputs[k] >= 0 && s->values[nd->outputs[k]].needed)
                need = true;
        node_needed[n] = need;
        if (need)
            for (int k = 0; k < nd->n_inputs; k++)
                if (nd->inputs[k] >= 0)
                    s->values[nd->inputs[k]].needed = true;
    }
}

static mobinfer_status node_failed(mobinfer_session *s, const mbi_node *nd, mobinfer_status st)
{
    mbi_error_prefix(&s->err, "node '%s' (%s)", nd->name, nd->op_type);
    return st;
}

static mobinfer_status fold_node(mobinfer_session *s, const mbi_node *nd, mbi_op_ctx *ctx,
                                 const mbi_op_def *def, uint64_t *folded_bytes)
{
    for (int k = 0; k < ctx->n_out; k++) {
        if (!ctx->out[k])
            continue;
        size_t bytes = mbi_tensor_bytes(ctx->out[k]);
        *folded_bytes += bytes;
        if (*folded_bytes > s->limits.max_arena_bytes)
            return mbi_fail(&s->err, MOBINFER_ERR_LIMIT,
                            "constants folded at session creation exceed the limit of %llu bytes "
                            "(max_arena_bytes)",
                            (unsigned long long)s->limits.max_arena_bytes);
        ctx->out[k]->data = mbi_pool_alloc_aligned(&s->pool, bytes, 64);
        if (!ctx->out[k]->data)
            return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    }
    void *scratch = NULL;
    if (ctx->scratch_bytes) {
        if (ctx->scratch_bytes > s->limits.max_arena_bytes)
            return mbi_fail(&s->err, MOBINFER_ERR_LIMIT,
                            "scratch memory of %zu bytes exceeds the limit of %llu bytes "
                            "(max_arena_bytes)",
                            ctx->scratch_bytes, (unsigned long long)s->limits.max_arena_bytes);
        scratch = mbi_pool_alloc_aligned(&s->pool, ctx->scratch_bytes, 64);
        if (!scratch)
            return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    }
    ctx->scratch = scratch;
    mobinfer_status st = def->run(ctx);
    ctx->scratch = NULL;
    if (st)
        return node_failed(s, nd, st);
    return MOBINFER_OK;
}

mobinfer_status mbi_session_prepare_nodes(mobinfer_session *s, const mobinfer_session_options *o)
{
    const mbi_graph *g = s->graph;
    dim_binder binder;
    memset(&binder, 0, sizeof binder);
    binder.o = o;
    mobinfer_status st;

    for (int v = 0; v < g->n_values; v++) {
        mbi_svalue *sv = &s->values[v];
        const mbi_value_decl *d = &g->values[v];
        sv->storage = v;
        sv->first_step = -1;
        sv->last_step = -1;
        if (d->init) {
            sv->is_const = true;
            sv->t.dtype = d->init->dtype;
            sv->t.rank = d->init->rank;
            memcpy(sv->t.dims, d->init->dims, sizeof sv->t.dims);
            sv->t.data = (void *)d->init->data;
        }
    }
    for (int i = 0; i < g->n_inputs; i++) {
        mbi_svalue *sv = &s->values[g->inputs[i]];
        sv->is_input = true;
        if ((st = bind_input(s, &binder, &g->values[g->inputs[i]], sv)))
            return st;
        if ((st = check_tensor_size(s, &sv->t, g->values[g->inputs[i]].name)))
            return st;
    }
    for (int i = 0; i < g->n_outputs; i++)
        s->values[g->outputs[i]].is_output = true;

    bool *node_needed = mbi_pool_alloc_array(&s->pool, (size_t)g->n_nodes + 1, sizeof(bool));
    s->steps = mbi_pool_alloc_array(&s->pool, (size_t)g->n_nodes + 1, sizeof(mbi_step));
    if (!node_needed || !s->steps)
        return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    mark_needed(s, node_needed);

    uint64_t folded_bytes = 0;
    for (int n = 0; n < g->n_nodes; n++) {
        if (!node_needed[n])
            continue;
        const mbi_node *nd = &g->nodes[n];
        const mbi_op_def *def = mbi_op_find(nd->domain, nd->op_type);
        if (!def)
            return mbi_fail(&s->err, MOBINFER_ERR_UNSUPPORTED,
                            "node '%s': operator %s is not supported", nd->name, nd->op_type);
        mbi_op_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.node = nd;
        ctx.opset = nd->opset;
        ctx.n_in = nd->n_inputs;
        ctx.n_out = nd->n_outputs;
        ctx.in = mbi_pool_alloc_array(&s->pool, (size_t)nd->n_inputs + 1, sizeof(mbi_tensor *));
        ctx.out = mbi_pool_alloc_array(&s->pool, (size_t)nd->n_outputs + 1, sizeof(mbi_tensor *));
        if (!ctx.in || !ctx.out)
            return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        ctx.err = &s->err;
        ctx.pool = &s->pool;
        ctx.kernels = o->disable_optimizations ? NULL : &s->kernels;
        ctx.num_threads = s->num_threads;
        ctx.threadpool = s->threadpool;
        ctx.limits = &s->limits;
        bool all_const = true;
        for (int k = 0; k < nd->n_inputs; k++) {
            int v = nd->inputs[k];
            if (v < 0)
                continue;
            mbi_svalue *sv = &s->values[v];
            if (!mbi_dtype_supported(sv->t.dtype)) {
                const mbi_value_decl *d = &g->values[v];
                int t = d->init ? d->init->onnx_dtype : d->onnx_dtype;
                return mbi_fail(&s->err, MOBINFER_ERR_UNSUPPORTED,
                                "node '%s' (%s): input '%s' has element type %d, which mobinfer "
                                "does not support",
                                nd->name, nd->op_type, d->name, t);
            }
            ctx.in[k] = &sv->t;
            all_const &= sv->is_const;
        }
        for (int k = 0; k < nd->n_outputs; k++)
            ctx.out[k] = nd->outputs[k] >= 0 ? &s->values[nd->outputs[k]].t : NULL;

        if ((st = def->prepare(&ctx)))
            return node_failed(s, nd, st);
        for (int k = 0; k < nd->n_outputs; k++) {
            if (!ctx.out[k])
                continue;
            if ((st = check_tensor_size(s, ctx.out[k], g->values[nd->outputs[k]].name)))
                return node_failed(s, nd, st);
        }
        if (all_const || (def->flags & MBI_OP_SHAPE_ONLY)) {
            if ((st = fold_node(s, nd, &ctx, def, &folded_bytes)))
                return st;
            for (int k = 0; k < nd->n_outputs; k++)
                if (nd->outputs[k] >= 0)
                    s->values[nd->outputs[k]].is_const = true;
            continue;
        }
        mbi_step *step = &s->steps[s->n_steps];
        step->node = nd;
        step->def = def;
        step->ctx = ctx;
        for (int k = 0; k < nd->n_outputs; k++)
            if (nd->outputs[k] >= 0)
                s->values[nd->outputs[k]].first_step = s->n_steps;
        s->n_steps++;
    }
    return MOBINFER_OK;
}
