#include <limits.h>
#include <string.h>

#include "runtime/model.h"

/* Defaults sized so that every model of docs/MODELS.md loads while a hostile
 * file cannot make the engine reserve unbounded memory. */
static const mobinfer_limits defaults = {
    .max_model_bytes = 4ull << 30,
    .max_nodes = 1u << 20,
    .max_values = 4u << 20,
    .max_tensor_elements = 1ull << 31,
    .max_tensor_bytes = 4ull << 30,
    .max_initializer_bytes = 8ull << 30,
    .max_arena_bytes = 8ull << 30,
    .max_attribute_elements = 1u << 20,
    .max_graph_inputs = 4096,
    /* Nothing recurses over the graph, so depth costs no stack; the limit
     * only rejects pathological chains before planning walks them. The
     * deepest model of docs/MODELS.md (deit_tiny) is 535 nodes deep. */
    .max_graph_depth = 1u << 16,
};

/* The resolver walks the struct as an array, which only works while every
 * field is a uint64_t. */
_Static_assert(sizeof(mobinfer_limits) % sizeof(uint64_t) == 0 &&
                   sizeof(mobinfer_limits) / sizeof(uint64_t) == 10,
               "mobinfer_limits must stay all-uint64_t; update the defaults and docs/ERRORS.md");

void mobinfer_limits_default(mobinfer_limits *limits)
{
    if (limits)
        *limits = defaults;
}

void mbi_limits_resolve(mobinfer_limits *l)
{
    uint64_t *f = (uint64_t *)l;
    const uint64_t *d = (const uint64_t *)&defaults;
    for (size_t i = 0; i < sizeof *l / sizeof(uint64_t); i++)
        if (f[i] == 0)
            f[i] = d[i];
    /* Counts are stored in int and element counts checked in int64_t, so a
     * larger limit would wrap into a tiny or negative one. */
    if (l->max_nodes > INT_MAX)
        l->max_nodes = INT_MAX;
    if (l->max_values > INT_MAX)
        l->max_values = INT_MAX;
    if (l->max_graph_depth > INT_MAX)
        l->max_graph_depth = INT_MAX;
    if (l->max_tensor_elements > INT64_MAX)
        l->max_tensor_elements = INT64_MAX;
}

void mobinfer_load_options_init(mobinfer_load_options *options)
{
    if (options) {
        memset(options, 0, sizeof *options);
        options->limits = defaults;
    }
}

void mobinfer_session_options_init(mobinfer_session_options *options)
{
    if (options) {
        memset(options, 0, sizeof *options);
        options->num_threads = 1;
        options->limits = defaults;
        options->default_dim_value = 1;
    }
}
