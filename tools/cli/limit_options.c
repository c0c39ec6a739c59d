/* --limit parsing; see limit_options.h. */
#include "limit_options.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"

const char limit_options_help[] =
    "  --limit NAME=VALUE   set a resource limit (repeatable); NAME is model_bytes,\n"
    "                       nodes, values, tensor_elements, tensor_bytes,\n"
    "                       initializer_bytes, arena_bytes, attribute_elements,\n"
    "                       graph_inputs or graph_depth; VALUE may end in K, M or G\n"
    "                       (x1024, x1024^2, x1024^3); see docs/ERRORS.md\n";

typedef struct limit_field {
    const char *name;
    size_t offset;
} limit_field;

#define FIELD(f) {#f, offsetof(mobinfer_limits, max_##f)}
static const limit_field fields[] = {
    FIELD(model_bytes),       FIELD(nodes),        FIELD(values),
    FIELD(tensor_elements),   FIELD(tensor_bytes), FIELD(initializer_bytes),
    FIELD(arena_bytes),       FIELD(attribute_elements),
    FIELD(graph_inputs),      FIELD(graph_depth),
};
#undef FIELD

/* A new field in the library struct must get a NAME here and in the help. */
_Static_assert(sizeof fields / sizeof fields[0] == sizeof(mobinfer_limits) / sizeof(uint64_t),
               "every mobinfer_limits field needs a --limit name");

int parse_limit_value(const char *s, uint64_t *out)
{
    uint64_t v = 0, scale = 1;
    size_t n = 0;
    if (s == NULL)
        return -1;
    for (; s[n] >= '0' && s[n] <= '9'; n++) {
        unsigned d = (unsigned)(s[n] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (n == 0)
        return -1;
    switch (s[n]) {
    case '\0': break;
    case 'K': case 'k': scale = (uint64_t)1 << 10; n++; break;
    case 'M': case 'm': scale = (uint64_t)1 << 20; n++; break;
    case 'G': case 'g': scale = (uint64_t)1 << 30; n++; break;
    default: return -1;
    }
    /* Zero would mean "the default" to the library, which is not what
     * someone writing 0 asks for. */
    if (s[n] != '\0' || v == 0 || v > UINT64_MAX / scale)
        return -1;
    *out = v * scale;
    return 0;
}

int limit_apply(mobinfer_limits *limits, const char *spec, char *err, size_t err_size)
{
    const char *eq = strchr(spec, '=');
    size_t len = eq != NULL ? (size_t)(eq - spec) : 0, k;
    uint64_t v;
    if (eq == NULL || len == 0) {
        snprintf(err, err_size, "--limit needs NAME=VALUE, got '%s'", spec);
        return -1;
    }
    for (k = 0; k < sizeof fields / sizeof fields[0]; k++)
        if (strlen(fields[k].name) == len && strncmp(fields[k].name, spec, len) == 0)
            break;
    if (k == sizeof fields / sizeof fields[0]) {
        char known[256] = "";
        for (k = 0; k < sizeof fields / sizeof fields[0]; k++) {
            if (k > 0)
                strncat(known, ", ", sizeof known - strlen(known) - 1);
            strncat(known, fields[k].name, sizeof known - strlen(known) - 1);
        }
        snprintf(err, err_size, "--limit: unknown limit '%.*s' (known: %s)",
                 (int)(len > 64 ? 64 : len), spec, known);
        return -1;
    }
    if (parse_limit_value(eq + 1, &v) != 0) {
        snprintf(err, err_size,
                 "--limit %s: '%s' is not a positive integer (optionally with K, M or G)",
                 fields[k].name, eq + 1);
        return -1;
    }
    memcpy((char *)limits + fields[k].offset, &v, sizeof v);
    return 0;
}

int limit_option_parse(mobinfer_limits *limits, const char *command, int argc, char **argv,
                       int *i)
{
    const char *v = NULL;
    char err[512];
    int r = arg_value(argc, argv, i, "--limit", &v);
    if (r == 0)
        return 0;
    if (r < 0)
        return cli_fail_usage(command, "--limit needs NAME=VALUE"), -1;
    if (limit_apply(limits, v, err, sizeof err) != 0)
        return cli_fail_usage(command, "%s", err), -1;
    return 1;
}
