/* --dim and --shape parsing; see bindings.h. */
#include "bindings.h"

#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

const char shape_bindings_help[] =
    "  --dim NAME=V         bind symbolic dimension NAME to V (repeatable;\n"
    "                       unbound symbolic dimensions are 1)\n"
    "  --shape NAME=D0,D1,...  plan input NAME with this shape (repeatable)\n"
    "  --no-optimize        run the graph as written with the reference kernels (no\n"
    "                       graph passes, no SIMD kernels): for comparisons\n";

int shape_bindings_init(shape_bindings *b, int argc)
{
    size_t n = (size_t)(argc > 0 ? argc : 1);
    memset(b, 0, sizeof *b);
    b->dims = calloc(n, sizeof *b->dims);
    b->shapes = calloc(n, sizeof *b->shapes);
    if (b->dims == NULL || b->shapes == NULL) {
        shape_bindings_free(b);
        return -1;
    }
    return 0;
}

void shape_bindings_free(shape_bindings *b)
{
    size_t k;
    if (b->dims != NULL)
        for (k = 0; k < b->num_dims; k++)
            free((char *)b->dims[k].name);
    if (b->shapes != NULL)
        for (k = 0; k < b->num_shapes; k++)
            free(b->shapes[k].name);
    free(b->dims);
    free(b->shapes);
    memset(b, 0, sizeof *b);
}

int shape_bindings_parse(shape_bindings *b, const char *command, int allow_shape, int argc,
                         char **argv, int *i)
{
    const char *v = NULL, *value = NULL;
    char *name;
    size_t k;
    int r;

    if (strcmp(argv[*i], "--no-optimize") == 0) {
        b->no_optimize = 1;
        return 1;
    }
    if ((r = arg_value(argc, argv, i, "--dim", &v)) != 0) {
        int64_t x;
        if (r < 0 || (name = split_last_eq(v, &value)) == NULL)
            return cli_fail_usage(command, "--dim needs NAME=VALUE"), -1;
        if (parse_int64(value, 0, INT64_MAX, &x) != 0) {
            free(name);
            return cli_fail_usage(command, "--dim %s: '%s' is not a non-negative integer", v,
                                  value),
                   -1;
        }
        for (k = 0; k < b->num_dims; k++) {
            if (strcmp(b->dims[k].name, name) == 0) {
                free(name);
                return cli_fail_usage(command, "--dim %s is given more than once", b->dims[k].name),
                       -1;
            }
        }
        b->dims[b->num_dims].name = name;
        b->dims[b->num_dims].value = x;
        b->num_dims++;
        return 1;
    }
    if (allow_shape && (r = arg_value(argc, argv, i, "--shape", &v)) != 0) {
        shape_option *s = &b->shapes[b->num_shapes];
        if (r < 0 || (name = split_last_eq(v, &value)) == NULL)
            return cli_fail_usage(command, "--shape needs NAME=D0,D1,..."), -1;
        if (parse_dims(value, s->dims, MOBINFER_MAX_RANK, &s->rank) != 0) {
            free(name);
            return cli_fail_usage(command,
                                  "--shape %s: needs up to %d comma-separated non-negative "
                                  "integers",
                                  v, MOBINFER_MAX_RANK),
                   -1;
        }
        for (k = 0; k < b->num_shapes; k++) {
            if (strcmp(b->shapes[k].name, name) == 0) {
                free(name);
                return cli_fail_usage(command, "--shape for '%s' is given more than once",
                                      b->shapes[k].name),
                       -1;
            }
        }
        s->name = name;
        b->num_shapes++;
        return 1;
    }
    return 0;
}
