/* --dim NAME=V and --shape NAME=d0,d1,... options, which fix symbolic
 * dimensions when a session is planned without input files (info, bench),
 * and --no-optimize, which plans the model as written with the reference
 * kernels. */
#ifndef MOBINFER_CLI_BINDINGS_H
#define MOBINFER_CLI_BINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "mobinfer.h"

typedef struct shape_option {
    char *name; /* owned */
    size_t rank;
    int64_t dims[MOBINFER_MAX_RANK];
} shape_option;

typedef struct shape_bindings {
    mobinfer_dim_binding *dims; /* names owned */
    size_t num_dims;
    shape_option *shapes;
    size_t num_shapes;
    int no_optimize; /* --no-optimize: the reference path (disable_optimizations) */
} shape_bindings;

int shape_bindings_init(shape_bindings *b, int argc);
void shape_bindings_free(shape_bindings *b);

/* Consumes --dim, --no-optimize (and --shape if allow_shape) at argv[*i]: returns 1, 0 if
 * argv[*i] is neither, or -1 after reporting a usage error. */
int shape_bindings_parse(shape_bindings *b, const char *command, int allow_shape, int argc,
                         char **argv, int *i);

extern const char shape_bindings_help[];

#endif
