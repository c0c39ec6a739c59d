#include "runtime/session.h"
#include "runtime/thread_pool.h"
#include "dispatch/denormals.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static mobinfer_status build_public_infos(mobinfer_session *s)
{
    const mbi_graph *g = s->graph;
    s->inputs = mbi_pool_alloc_array(&s->pool, (size_t)g->n_inputs + 1, sizeof *s->inputs);
    s->outputs = mbi_pool_alloc_array(&s->pool, (size_t)g->n_outputs + 1, sizeof *s->outputs);
    s->input_set = mbi_pool_alloc_array(&s->pool, (size_t)g->n_inputs + 1, sizeof(bool));
    s->node_infos = mbi_pool_alloc_array(&s->pool, (size_t)s->n_steps + 1, sizeof *s->node_infos);
    s->profile = mbi_pool_alloc_array(&s->pool, (size_t)s->n_steps + 1, sizeof *s->profile);
    if (!s->inputs || !s->outputs || !s->input_set || !s->node_infos || !s->profile)
        return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    for (int i = 0; i < g->n_inputs; i++)
        s->input_set[i] = s->values[g->inputs[i]].is_const;
    for (int pass = 0; pass < 2; pass++) {
        int n = pass ? g->n_outputs : g->n_inputs;
        const int *ids = pass ? g->outputs : g->inputs;
        mobinfer_value_info *dst = pass ? s->outputs : s->inputs;
        for (int i = 0; i < n; i++) {
            const mbi_svalue *v = &s->values[ids[i]];
            dst[i].name = g->values[ids[i]].name;
            dst[i].dtype = v->t.dtype;
            dst[i].rank = (size_t)v->t.rank;
            dst[i].dims = v->t.dims;
            dst[i].dim_names = mbi_pool_alloc_array(&s->pool, MBI_MAX_RANK, sizeof(char *));
            if (!dst[i].dim_names)
                return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        }
    }
    for (int i = 0; i < s->n_steps; i++) {
        const mbi_step *st = &s->steps[i];
        mobinfer_node_info *ni = &s->node_infos[i];
        ni->name = st->node->name;
        ni->op_type = st->node->op_type;
        ni->macs = st->ctx.macs;
        int out = st->node->n_outputs > 0 ? st->node->outputs[0] : -1;
        if (out >= 0) {
            const mbi_svalue *v = &s->values[out];
            ni->output.name = g->values[out].name;
            ni->output.dtype = v->t.dtype;
            ni->output.rank = (size_t)v->t.rank;
            ni->output.dims = v->t.dims;
            ni->output.dim_names = s->outputs[0].dim_names; /* all NULL */
        }
    }
    return MOBINFER_OK;
}

mobinfer_status mobinfer_session_create(const mobinfer_model *model,
                                        const mobinfer_session_options *options,
                                        mobinfer_session **out)
{
    mbi_error err;
    mbi_error_clear(&err);
    if (!model || !out) {
        mbi_fail(&err, MOBINFER_ERR_INVALID_ARGUMENT, "mobinfer_session_create: model and out are required");
        return mbi_set_thread_error(&err);
    }
    *out = NULL;
    mobinfer_session_options o;
    if (options)
        o = *options;
    else
        mobinfer_session_options_init(&o);
    if (o.num_threads < 1) {
        mbi_fail(&err, MOBINFER_ERR_INVALID_ARGUMENT, "num_threads must be at least 1 (got %d)",
                 o.num_threads);
        return mbi_set_thread_error(&err);
    }
    if (o.num_dim_bindings && !o.dim_bindings) {
        mbi_fail(&err, MOBINFER_ERR_INVALID_ARGUMENT, "dim_bindings is NULL");
        return mbi_set_thread_error(&err);
    }
    if (o.num_constant_inputs && !o.constant_inputs) {
        mbi_fail(&err, MOBINFER_ERR_INVALID_ARGUMENT, "constant_inputs is NULL");
        return mbi_set_thread_error(&err);
    }
    if (o.num_input_shapes && !o.input_shapes) {
        mbi_fail(&err, MOBINFER_ERR_INVALID_ARGUMENT, "input_shapes is NULL");
        return mbi_set_thread_error(&err);
    }
    mobinfer_session *s = calloc(1, sizeof *s);
    if (!s) {
        mbi_fail(&err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return mbi_set_thread_error(&err);
    }
    s->model = model;
    s->graph = &model->graph;
    s->num_threads = o.num_threads;
    s->limits = o.limits;
    mbi_limits_resolve(&s->limits);
    mbi_kernels_select(&s->kernels);
    mbi_pool_init(&s->pool);
    s->n_values = model->graph.n_values;
    s->values = mbi_pool_alloc_array(&s->pool, (size_t)s->n_values + 1, sizeof *s->values);
    mobinfer_status st = s->values ? MOBINFER_OK
                                   : mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    if (!st && s->num_threads > 1)
        st = mbi_threadpool_create(s->num_threads, &s->threadpool, &s->err);
    if (!st)
        st = mbi_session_prepare_nodes(s, &o);
    if (!st && !o.disable_optimizations)
        st = mbi_session_optimize(s, &o);
    if (!st)
        st = mbi_session_plan_memory(s);
    if (!st && !o.disable_optimizations)
        st = mbi_session_plan_prefetch(s);
    if (!st)
        st = build_public_infos(s);
    if (st) {
        mbi_set_thread_error(&s->err);
        mobinfer_session_free(s);
        return st;
    }
    mbi_clear_thread_error();
    *out = s;
    return MOBINFER_OK;
}

void mobinfer_session_free(mobinfer_session *session)
{
    if (!session)
        return;
    free(session->arena);
    free(session->scratch);
    mbi_threadpool_destroy(session->threadpool);
    mbi_pool_destroy(&session->pool);
    free(session);
}

size_t mobinfer_session_input_count(const mobinfer_session *s)
{
    return s ? (size_t)s->graph->n_inputs : 0;
}

size_t mobinfer_session_output_count(const mobinfer_session *s)
{
    return s ? (size_t)s->graph->n_outputs : 0;
}

mobinfer_status mobinfer_session_input(const mobinfer_session *s, size_t index,
                                       mobinfer_value_info *out)
{
    if (!s || !out || index >= (size_t)s->graph->n_inputs)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    *out = s->inputs[index];
    return MOBINFER_OK;
}

mobinfer_status mobinfer_session_output(const mobinfer_session *s, size_t index,
                                        mobinfer_value_info *out)
{
    if (!s || !out || index >= (size_t)s->graph->n_outputs)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    *out = s->outputs[index];
    return MOBINFER_OK;
}

mobinfer_status mobinfer_session_set_input(mobinfer_session *s, const char *name,
                                           mobinfer_dtype dtype, const int64_t *dims, size_t rank,
                                           const void *data, size_t byte_size)
{
    if (!s)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    mbi_error_clear(&s->err);
    if (!name || (rank && !dims) || (byte_size && !data))
        return mbi_fail(&s->err, MOBINFER_ERR_INVALID_ARGUMENT,
                        "mobinfer_session_set_input: name, dims and data are required");
    const mbi_graph *g = s->graph;
    for (int i = 0; i < g->n_inputs; i++) {
        if (strcmp(g->values[g->inputs[i]].name, name) != 0)
            continue;
        mbi_svalue *v = &s->values[g->inputs[i]];
        char want[160], got[160];
        if (v->is_const)
            return mbi_fail(&s->err, MOBINFER_ERR_INPUT,
                            "input '%s' was frozen to a constant when the session was created",
                            name);
        if (dtype != v->t.dtype)
            return mbi_fail(&s->err, MOBINFER_ERR_INPUT, "input '%s' must be %s, got %s", name,
                            mbi_dtype_name(v->t.dtype), mbi_dtype_name(dtype));
        bool same = rank == (size_t)v->t.rank;
        for (size_t k = 0; same && k < rank; k++)
            same = dims[k] == v->t.dims[k];
        if (!same)
            return mbi_fail(&s->err, MOBINFER_ERR_INPUT,
                            "input '%s' must have shape %s (planned when the session was created), "
                            "got %s",
                            name, mbi_shape_str(v->t.dims, v->t.rank, want, sizeof want),
                            mbi_shape_str(dims, rank <= MBI_MAX_RANK ? (int)rank : 0, got,
                                          sizeof got));
        size_t bytes = mbi_tensor_bytes(&v->t);
        if (byte_size != bytes)
            return mbi_fail(&s->err, MOBINFER_ERR_INPUT, "input '%s' needs %zu bytes, got %zu",
                            name, bytes, byte_size);
        if (bytes)
            memcpy(v->t.data, data, bytes);
        s->input_set[i] = true;
        return MOBINFER_OK;
    }
    return mbi_fail(&s->err, MOBINFER_ERR_INVALID_ARGUMENT, "the model has no input named '%s'",
                    name);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

mobinfer_status mobinfer_session_run(mobinfer_session *s)
{
    if (!s)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    mbi_error_clear(&s->err);
    const mbi_graph *g = s->graph;
    for (int i = 0; i < g->n_inputs; i++)
        if (!s->input_set[i])
            return mbi_fail(&s->err, MOBINFER_ERR_INPUT, "input '%s' has not been set",
                            g->values[g->inputs[i]].name);
    mbi_fp_mode mode;
    mbi_denormals_off(&mode);
    mobinfer_status rc = MOBINFER_OK;
    for (int i = 0; i < s->n_steps && !rc; i++) {
        mbi_step *st = &s->steps[i];
        uint64_t t0 = s->profiling ? now_ns() : 0;
        rc = st->def->run(&st->ctx);
        if (s->profiling) {
            s->profile[i].total_ns += now_ns() - t0;
            s->profile[i].runs++;
        }
        if (rc)
            mbi_error_prefix(&s->err, "node '%s' (%s)", st->node->name, st->node->op_type);
    }
    mbi_denormals_restore(&mode);
    return rc;
}

mobinfer_status mobinfer_session_get_output(const mobinfer_session *s, const char *name,
                                            mobinfer_tensor *out)
{
    if (!s || !name || !out)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    const mbi_graph *g = s->graph;
    for (int i = 0; i < g->n_outputs; i++) {
        if (strcmp(g->values[g->outputs[i]].name, name) != 0)
            continue;
        const mbi_svalue *v = &s->values[g->outputs[i]];
        out->dtype = v->t.dtype;
        out->rank = (size_t)v->t.rank;
        out->dims = v->t.dims;
        out->data = v->t.data;
        out->byte_size = mbi_tensor_bytes(&v->t);
        return MOBINFER_OK;
    }
    return MOBINFER_ERR_INVALID_ARGUMENT;
}

uint64_t mobinfer_session_arena_bytes(const mobinfer_session *s)
{
    return s ? s->arena_bytes + s->scratch_bytes : 0;
}

size_t mobinfer_session_node_count(const mobinfer_session *s)
{
    return s ? (size_t)s->n_steps : 0;
}

mobinfer_status mobinfer_session_node(const mobinfer_session *s, size_t index,
                                      mobinfer_node_info *out)
{
    if (!s || !out || index >= (size_t)s->n_steps)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    *out = s->node_infos[index];
    return MOBINFER_OK;
}

mobinfer_status mobinfer_session_set_profiling(mobinfer_session *s, int on)
{
    if (!s)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    s->profiling = on != 0;
    if (s->profiling)
        memset(s->profile, 0, sizeof *s->profile * (size_t)s->n_steps);
    return MOBINFER_OK;
}

mobinfer_status mobinfer_session_node_profile(const mobinfer_session *s, size_t index,
                                              mobinfer_node_profile *out)
{
    if (!s || !out || index >= (size_t)s->n_steps)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    *out = s->profile[index];
    return MOBINFER_OK;
}

const char *mobinfer_session_last_error(const mobinfer_session *s)
{
    return s ? s->err.message : "";
}
