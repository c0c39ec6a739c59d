/* Shared library calls; see engine.h. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "limit_options.h"
#include "args.h"

int engine_load_model(const char *path, const mobinfer_limits *limits, mobinfer_model **out)
{
    mobinfer_load_options opts;
    mobinfer_status st;
    mobinfer_load_options_init(&opts);
    if (limits != NULL)
        opts.limits = *limits;
    st = mobinfer_model_load(path, &opts, out);
    if (st != MOBINFER_OK) {
        *out = NULL;
        return cli_fail_status(st, mobinfer_last_error());
    }
    return CLI_EXIT_OK;
}

int engine_create_session(const mobinfer_model *model, int num_threads,
                          const mobinfer_limits *limits, const shape_bindings *b,
                          const loaded_inputs *in, const char *command,
                          mobinfer_session **out)
{
    mobinfer_session_options opts;
    mobinfer_input_shape *shapes;
    size_t n = 0, cap = (in != NULL ? in->count : 0) + (b != NULL ? b->num_shapes : 0), k;
    mobinfer_status st;

    *out = NULL;
    shapes = calloc(cap > 0 ? cap : 1, sizeof *shapes);
    if (shapes == NULL)
        return cli_fail_status(MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    for (k = 0; in != NULL && k < in->count; k++) {
        shapes[n].name = in->items[k].name;
        shapes[n].rank = in->items[k].tensor.rank;
        shapes[n].dims = in->items[k].tensor.dims;
        n++;
    }
    for (k = 0; b != NULL && k < b->num_shapes; k++) {
        if (in != NULL && inputs_find(in, b->shapes[k].name) != NULL) {
            free(shapes);
            return cli_fail_usage(command, "input '%s' has both --shape and --input",
                                  b->shapes[k].name);
        }
        shapes[n].name = b->shapes[k].name;
        shapes[n].rank = b->shapes[k].rank;
        shapes[n].dims = b->shapes[k].dims;
        n++;
    }

    mobinfer_session_options_init(&opts);
    if (num_threads > 0)
        opts.num_threads = num_threads;
    if (limits != NULL)
        opts.limits = *limits;
    opts.input_shapes = shapes;
    opts.num_input_shapes = n;
    if (b != NULL) {
        opts.dim_bindings = b->dims;
        opts.num_dim_bindings = b->num_dims;
        opts.disable_optimizations = b->no_optimize;
    }
    st = mobinfer_session_create(model, &opts, out);
    free(shapes);
    if (st != MOBINFER_OK) {
        *out = NULL;
        return cli_fail_status(st, mobinfer_last_error());
    }
    return CLI_EXIT_OK;
}

int engine_set_inputs(mobinfer_session *session, const loaded_inputs *in)
{
    size_t k;
    for (k = 0; k < in->count; k++) {
        const cli_tensor *t = &in->items[k].tensor;
        mobinfer_status st = mobinfer_session_set_input(session, in->items[k].name, t->dtype,
                                                        t->dims, t->rank, t->data, t->byte_size);
        if (st != MOBINFER_OK)
            return engine_fail(session, st);
    }
    return CLI_EXIT_OK;
}

int engine_fail(const mobinfer_session *session, mobinfer_status status)
{
    return cli_fail_status(status, mobinfer_session_last_error(session));
}

int engine_options_parse(input_options *io, shape_bindings *b, mobinfer_limits *limits,
                         int *threads, const char *command, int allow_shape, int argc,
                         char **argv, int *i)
{
    const char *v = NULL;
    int r;
    if ((r = input_options_parse(io, command, argc, argv, i)) != 0 ||
        (r = shape_bindings_parse(b, command, allow_shape, argc, argv, i)) != 0 ||
        (r = limit_option_parse(limits, command, argc, argv, i)) != 0)
        return r < 0 ? -1 : 1;
    if ((r = arg_value(argc, argv, i, "--threads", &v)) != 0) {
        if (r < 0 || parse_int(v, 1, 1024, threads) != 0)
            return cli_fail_usage(command, "--threads needs a number from 1 to 1024"), -1;
        return 1;
    }
    return 0;
}
