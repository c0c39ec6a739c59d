/* Library calls that every command makes the same way, with errors reported
 * in the CLI's format. Each returns a CLI exit code. */
#ifndef MOBINFER_CLI_ENGINE_H
#define MOBINFER_CLI_ENGINE_H

#include "bindings.h"
#include "inputs.h"
#include "mobinfer.h"

/* limits (from --limit; zero fields are the defaults) may be NULL, here
 * and below. */
int engine_load_model(const char *path, const mobinfer_limits *limits, mobinfer_model **out);

/* Plans a session. Input shapes come from the loaded files (in; may be
 * NULL) and from --shape options (b; may be NULL), symbolic dimensions
 * from --dim; a shape given both ways is a usage error. */
int engine_create_session(const mobinfer_model *model, int num_threads,
                          const mobinfer_limits *limits, const shape_bindings *b,
                          const loaded_inputs *in, const char *command,
                          mobinfer_session **out);

/* Copies every loaded input into the session. */
int engine_set_inputs(mobinfer_session *session, const loaded_inputs *in);

/* Reports a failed call on a session: its status and last error. */
int engine_fail(const mobinfer_session *session, mobinfer_status status);

/* The options `run` and `bench` share: --input and preprocessing, --dim
 * (and --shape when allow_shape), --no-optimize, --limit and --threads.
 * Consumes argv[*i] and returns 1, returns 0 when it is none of them, or -1
 * after reporting a usage error. */
int engine_options_parse(input_options *io, shape_bindings *b, mobinfer_limits *limits,
                         int *threads, const char *command, int allow_shape, int argc,
                         char **argv, int *i);

#endif
