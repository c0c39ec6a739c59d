#include "runtime/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/import.h"

mobinfer_status mbi_value_info_from_decl(mbi_pool *pool, const mbi_value_decl *decl,
                                         mobinfer_value_info *out)
{
    int rank = decl->rank < 0 ? 0 : decl->rank;
    int64_t *dims = mbi_pool_alloc_array(pool, (size_t)rank + 1, sizeof(int64_t));
    const char **names = mbi_pool_alloc_array(pool, (size_t)rank + 1, sizeof(char *));
    if (!dims || !names)
        return MOBINFER_ERR_OUT_OF_MEMORY;
    for (int i = 0; i < rank; i++) {
        dims[i] = decl->dims[i];
        names[i] = decl->dims[i] < 0 ? (decl->dim_names[i] ? decl->dim_names[i] : "?") : NULL;
    }
    out->name = decl->name;
    out->dtype = decl->dtype;
    out->rank = (size_t)rank;
    out->dims = dims;
    out->dim_names = names;
    return MOBINFER_OK;
}

/* The mapped-file layer knows the size and the number but not which field
 * of mobinfer_limits it was given; the message should tell the user which
 * limit to raise. */
static mobinfer_status name_limit(mbi_error *err, mobinfer_status st, const char *field)
{
    if (st == MOBINFER_ERR_LIMIT) {
        char msg[MBI_ERROR_MESSAGE_BYTES];
        snprintf(msg, sizeof msg, "%s", err->message);
        mbi_fail(err, st, "%s (%s)", msg, field);
    }
    return st;
}

/* External data files are mapped once each and kept with the model. Their
 * locations are relative to the model's directory and may not leave it. */
static mobinfer_status map_external(void *user, const char *location, const uint8_t **data,
                                    size_t *size, mbi_error *err)
{
    mobinfer_model *m = user;
    if (location[0] == '/' || strstr(location, ".."))
        return mbi_fail(err, MOBINFER_ERR_INVALID_MODEL,
                        "external data location '%s' must be a relative path inside the model's "
                        "directory",
                        location);
    for (int i = 0; i < m->n_external; i++)
        if (strcmp(m->external[i].location, location) == 0) {
            *data = m->external[i].map.data;
            *size = m->external[i].map.size;
            return MOBINFER_OK;
        }
    if (m->n_external >= MBI_MAX_EXTERNAL_FILES)
        return mbi_fail(err, MOBINFER_ERR_LIMIT, "the model names more than %d external files",
                        MBI_MAX_EXTERNAL_FILES);
    size_t need = strlen(m->dir) + strlen(location) + 2;
    char *path = mbi_pool_alloc(&m->pool, need);
    if (!path)
        return mbi_fail(err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    strcpy(path, m->dir);
    strcat(path, "/");
    strcat(path, location);
    mbi_external_file *e = &m->external[m->n_external];
    mobinfer_status st = mbi_mapped_file_open(&e->map, path, m->limits.max_initializer_bytes, err);
    if (st)
        return name_limit(err, st, "max_initializer_bytes");
    e->location = location;
    m->n_external++;
    *data = e->map.data;
    *size = e->map.size;
    return MOBINFER_OK;
}

static mobinfer_status finish_load(mobinfer_model *m, const uint8_t *data, size_t size,
                                   mbi_error *err)
{
    mbi_external_resolver resolver = {m, map_external};
    mobinfer_status st = mbi_onnx_import(data, size, &m->limits, m->dir ? &resolver : NULL,
                                         &m->pool, &m->graph, err);
    if (st)
        return st;
    const mbi_graph *g = &m->graph;
    m->inputs = mbi_pool_alloc_array(&m->pool, (size_t)g->n_inputs + 1, sizeof *m->inputs);
    m->outputs = mbi_pool_alloc_array(&m->pool, (size_t)g->n_outputs + 1, sizeof *m->outputs);
    if (!m->inputs || !m->outputs)
        return mbi_fail(err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    for (int i = 0; i < g->n_inputs; i++)
        if (mbi_value_info_from_decl(&m->pool, &g->values[g->inputs[i]], &m->inputs[i]))
            return mbi_fail(err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    for (int i = 0; i < g->n_outputs; i++)
        if (mbi_value_info_from_decl(&m->pool, &g->values[g->outputs[i]], &m->outputs[i]))
            return mbi_fail(err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    return MOBINFER_OK;
}

static mobinfer_model *model_new(const mobinfer_load_options *options)
{
    mobinfer_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    mbi_pool_init(&m->pool);
    if (options)
        m->limits = options->limits;
    mbi_limits_resolve(&m->limits);
    return m;
}

mobinfer_status mobinfer_model_load(const char *path, const mobinfer_load_options *options,
                                    mobinfer_model **out)
{
    mbi_error err;
    mbi_error_clear(&err);
    if (!out || !path) {
        mbi_fail(&err, MOBINFER_ERR_INVALID_ARGUMENT, "mobinfer_model_load: path and out are required");
        return mbi_set_thread_error(&err);
    }
    *out = NULL;
    mobinfer_model *m = model_new(options);
    if (!m) {
        mbi_fail(&err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return mbi_set_thread_error(&err);
    }
    m->external = mbi_pool_alloc_array(&m->pool, MBI_MAX_EXTERNAL_FILES, sizeof *m->external);
    const char *slash = strrchr(path, '/');
    m->dir = slash ? mbi_pool_strndup(&m->pool, path, (size_t)(slash - path))
                   : mbi_pool_strndup(&m->pool, ".", 1);
    if (!m->external || !m->dir) {
        mobinfer_model_free(m);
        mbi_fail(&err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return mbi_set_thread_error(&err);
    }
    if (slash == path)
        m->dir = "/";
    mobinfer_status st = name_limit(
        &err, mbi_mapped_file_open(&m->file, path, m->limits.max_model_bytes, &err),
        "max_model_bytes");
    if (!st && m->file.size == 0)
        st = mbi_fail(&err, MOBINFER_ERR_PARSE, "'%s' is empty (0 bytes)", path);
    if (!st)
        st = finish_load(m, m->file.data, m->file.size, &err);
    if (st) {
        if (st != MOBINFER_ERR_IO && !strstr(err.message, path))
            mbi_error_prefix(&err, "%s", path);
        mobinfer_model_free(m);
        return mbi_set_thread_error(&err);
    }
    *out = m;
    mbi_clear_thread_error();
    return MOBINFER_OK;
}

mobinfer_status mobinfer_model_load_memory(const void *data, size_t size,
                                           const mobinfer_load_options *options,
                                           mobinfer_model **out)
{
    mbi_error err;
    mbi_error_clear(&err);
    if (!out || (!data && size)) {
        mbi_fail(&err, MOBINFER_ERR_INVALID_ARGUMENT,
                 "mobinfer_model_load_memory: data and out are required");
        return mbi_set_thread_error(&err);
    }
    *out = NULL;
    mobinfer_model *m = model_new(options);
    if (!m) {
        mbi_fail(&err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return mbi_set_thread_error(&err);
    }
    mobinfer_status st = finish_load(m, data, size, &err);
    if (st) {
        mobinfer_model_free(m);
        return mbi_set_thread_error(&err);
    }
    *out = m;
    mbi_clear_thread_error();
    return MOBINFER_OK;
}

void mobinfer_model_free(mobinfer_model *model)
{
    if (!model)
        return;
    for (int i = 0; i < model->n_external; i++)
        mbi_mapped_file_close(&model->external[i].map);
    mbi_mapped_file_close(&model->file);
    mbi_pool_destroy(&model->pool);
    free(model);
}

size_t mobinfer_model_input_count(const mobinfer_model *model)
{
    return model ? (size_t)model->graph.n_inputs : 0;
}

size_t mobinfer_model_output_count(const mobinfer_model *model)
{
    return model ? (size_t)model->graph.n_outputs : 0;
}

mobinfer_status mobinfer_model_input(const mobinfer_model *model, size_t index,
                                     mobinfer_value_info *out)
{
    if (!model || !out || index >= (size_t)model->graph.n_inputs)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    *out = model->inputs[index];
    return MOBINFER_OK;
}

mobinfer_status mobinfer_model_output(const mobinfer_model *model, size_t index,
                                      mobinfer_value_info *out)
{
    if (!model || !out || index >= (size_t)model->graph.n_outputs)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    *out = model->outputs[index];
    return MOBINFER_OK;
}

int64_t mobinfer_model_opset(const mobinfer_model *model)
{
    return model ? model->graph.opset : 0;
}

mobinfer_status mobinfer_model_get_stats(const mobinfer_model *model, mobinfer_model_stats *out)
{
    if (!model || !out)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    out->num_nodes = (size_t)model->graph.n_nodes;
    out->num_initializers = model->graph.n_initializers;
    out->parameter_count = model->graph.initializer_elements;
    out->parameter_bytes = model->graph.initializer_bytes;
    return MOBINFER_OK;
}

mobinfer_status mobinfer_model_node_op_type(const mobinfer_model *model, size_t index,
                                            const char **out)
{
    if (!model || !out || index >= (size_t)model->graph.n_nodes)
        return MOBINFER_ERR_INVALID_ARGUMENT;
    *out = model->graph.nodes[index].op_type;
    return MOBINFER_OK;
}
