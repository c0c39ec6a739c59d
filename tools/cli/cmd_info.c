/* `mobinfer info`: what a model is (inputs, outputs, operators, parameters)
 * and what planning it costs (MACs, nodes after folding, arena memory). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings.h"
#include "cli.h"
#include "engine.h"
#include "format.h"
#include "limit_options.h"

static const char info_usage[] =
    "Usage: mobinfer info MODEL [--json] [--nodes] [--optimized] [--dim NAME=V]...\n"
    "                     [--shape NAME=D0,...]...\n"
    "                     [--limit NAME=VALUE]...\n"
    "\n"
    "Describes MODEL: opset, inputs and outputs (symbolic dimensions by name),\n"
    "operator histogram, parameter count and bytes. Then plans a session (symbolic\n"
    "dimensions bound to 1 unless --dim or --shape say otherwise) and reports the\n"
    "bound input shapes, node count after planning, total multiply-accumulates\n"
    "(MACs) and the planned peak activation memory (the arena).\n"
    "\n"
    "Options:\n"
    "  --json               print one JSON object instead of text\n"
    "  --nodes              also list every planned node with its output shape and MACs\n"
    "  --optimized          list the nodes of the optimized graph (as --nodes) and the\n"
    "                       node count before the graph passes (planned as written)\n"
    "                       and after them\n";

static const char info_usage_tail[] =
    "  -h, --help           show this help\n"
    "\n"
    "Exit codes: 0 success, 1 library error (the model part is still printed if\n"
    "only planning failed), 2 usage error.\n"
    "\n"
    "Examples:\n"
    "  mobinfer info mobilenetv2.onnx\n"
    "  mobinfer info bert.onnx --dim batch=1 --dim seq=128 --json\n";

typedef struct info_args {
    const char *model;
    int json;
    int nodes;
    int optimized;
    mobinfer_limits limits;
} info_args;

typedef struct op_count {
    const char *op; /* owned by the model */
    size_t count;
} op_count;

static int compare_op_count(const void *a, const void *b)
{
    const op_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->op, y->op);
}

/* Operator histogram of the stored graph, most frequent first. */
static op_count *op_histogram(const mobinfer_model *model, size_t num_nodes, size_t *num_ops)
{
    op_count *ops = calloc(num_nodes > 0 ? num_nodes : 1, sizeof *ops);
    size_t n = 0, i, k;
    if (ops == NULL)
        return NULL;
    for (i = 0; i < num_nodes; i++) {
        const char *op;
        if (mobinfer_model_node_op_type(model, i, &op) != MOBINFER_OK)
            continue;
        for (k = 0; k < n && strcmp(ops[k].op, op) != 0; k++)
            ;
        if (k == n)
            ops[n++].op = op;
        ops[k].count++;
    }
    qsort(ops, n, sizeof *ops, compare_op_count);
    *num_ops = n;
    return ops;
}

static void print_values_text(const char *title, size_t n, const void *owner, int is_session,
                              int is_output)
{
    /* Session values sit one level deeper, under "session". */
    const char *indent = is_session ? "    " : "  ";
    size_t i;
    printf("%s%s:\n", is_session ? "  " : "", title);
    for (i = 0; i < n; i++) {
        mobinfer_value_info v;
        char shape[512];
        mobinfer_status st;
        if (is_session)
            st = is_output ? mobinfer_session_output(owner, i, &v) : mobinfer_session_input(owner, i, &v);
        else
            st = is_output ? mobinfer_model_output(owner, i, &v) : mobinfer_model_input(owner, i, &v);
        if (st != MOBINFER_OK)
            continue;
        format_shape(v.dims, v.dim_names, v.rank, shape, sizeof shape);
        printf("%s%-24s %-8s %s\n", indent, v.name, mobinfer_dtype_name(v.dtype), shape);
    }
}

static void print_values_json(const char *key, size_t n, const void *owner, int is_session,
                              int is_output)
{
    size_t i;
    int first = 1;
    printf("\"%s\":[", key);
    for (i = 0; i < n; i++) {
        mobinfer_value_info v;
        mobinfer_status st;
        if (is_session)
            st = is_output ? mobinfer_session_output(owner, i, &v) : mobinfer_session_input(owner, i, &v);
        else
            st = is_output ? mobinfer_model_output(owner, i, &v) : mobinfer_model_input(owner, i, &v);
        if (st != MOBINFER_OK)
            continue;
        printf("%s{\"name\":", first ? "" : ",");
        json_string(stdout, v.name);
        printf(",\"dtype\":\"%s\",\"shape\":", mobinfer_dtype_name(v.dtype));
        json_shape(stdout, v.dims, v.dim_names, v.rank);
        printf("}");
        first = 0;
    }
    printf("]");
}

static void print_model(const info_args *a, const mobinfer_model *model,
                        const mobinfer_model_stats *stats, const op_count *ops, size_t num_ops)
{
    size_t i;
    char count[32], bytes[32];
    if (a->json) {
        printf("{\"model\":");
        json_string(stdout, a->model);
        printf(",\"opset\":%lld,", (long long)mobinfer_model_opset(model));
        print_values_json("inputs", mobinfer_model_input_count(model), model, 0, 0);
        printf(",");
        print_values_json("outputs", mobinfer_model_output_count(model), model, 0, 1);
        printf(",\"parameters\":{\"count\":%llu,\"bytes\":%llu,\"initializers\":%zu}",
               (unsigned long long)stats->parameter_count,
               (unsigned long long)stats->parameter_bytes, stats->num_initializers);
        printf(",\"stored_nodes\":%zu,\"operators\":{", stats->num_nodes);
        for (i = 0; i < num_ops; i++) {
            printf("%s", i > 0 ? "," : "");
            json_string(stdout, ops[i].op);
            printf(":%zu", ops[i].count);
        }
        printf("}");
        return;
    }
    printf("model: %s\n", a->model);
    printf("opset: %lld\n", (long long)mobinfer_model_opset(model));
    print_values_text("inputs", mobinfer_model_input_count(model), model, 0, 0);
    print_values_text("outputs", mobinfer_model_output_count(model), model, 0, 1);
    format_count(stats->parameter_count, count, sizeof count);
    format_count(stats->parameter_bytes, bytes, sizeof bytes);
    printf("parameters: %s in %zu initializers, %s bytes (%.2f MiB)\n", count,
           stats->num_initializers, bytes, (double)stats->parameter_bytes / (1024.0 * 1024.0));
    printf("operators (%zu nodes as stored):\n", stats->num_nodes);
    for (i = 0; i < num_ops; i++)
        printf("  %-24s %zu\n", ops[i].op, ops[i].count);
}

/* nodes_before: node count of the plan without graph passes, or 0 when not
 * computed. */
static void print_session(const info_args *a, const mobinfer_session *s, size_t nodes_before)
{
    size_t n = mobinfer_session_node_count(s), i;
    uint64_t total = 0, arena = mobinfer_session_arena_bytes(s);
    char text[32];

    for (i = 0; i < n; i++) {
        mobinfer_node_info node;
        if (mobinfer_session_node(s, i, &node) == MOBINFER_OK)
            total += node.macs;
    }
    if (a->json) {
        printf(",\"session\":{");
        print_values_json("inputs", mobinfer_session_input_count(s), s, 1, 0);
        printf(",");
        print_values_json("outputs", mobinfer_session_output_count(s), s, 1, 1);
        printf(",\"nodes\":%zu,\"macs\":%llu,\"gmacs\":%.6f,\"arena_bytes\":%llu,"
               "\"arena_mib\":%.6f",
               n, (unsigned long long)total, (double)total / 1e9, (unsigned long long)arena,
               (double)arena / (1024.0 * 1024.0));
        if (nodes_before)
            printf(",\"nodes_before\":%zu,\"nodes_after\":%zu", nodes_before, n);
        if (a->nodes) {
            printf(",\"node_list\":[");
            for (i = 0; i < n; i++) {
                mobinfer_node_info node;
                if (mobinfer_session_node(s, i, &node) != MOBINFER_OK)
                    continue;
                printf("%s{\"index\":%zu,\"name\":", i > 0 ? "," : "", i);
                json_string(stdout, node.name);
                printf(",\"op_type\":");
                json_string(stdout, node.op_type);
                printf(",\"macs\":%llu,\"output\":", (unsigned long long)node.macs);
                json_string(stdout, node.output.name);
                printf(",\"dtype\":\"%s\",\"shape\":", mobinfer_dtype_name(node.output.dtype));
                json_shape(stdout, node.output.dims, node.output.dim_names, node.output.rank);
                printf("}");
            }
            printf("]");
        }
        printf("}");
        return;
    }
    printf("session (symbolic dimensions bound):\n");
    print_values_text("inputs", mobinfer_session_input_count(s), s, 1, 0);
    print_values_text("outputs", mobinfer_session_output_count(s), s, 1, 1);
    if (nodes_before)
        printf("nodes: %zu planned as written, %zu after the graph passes\n", nodes_before, n);
    else
        printf("nodes after planning: %zu\n", n);
    format_count(total, text, sizeof text);
    printf("total MACs: %s (%.3f GMACs)\n", text, (double)total / 1e9);
    format_count(arena, text, sizeof text);
    printf("peak activation memory: %s bytes (%.2f MiB)\n", text,
           (double)arena / (1024.0 * 1024.0));
    if (!a->nodes)
        return;
    printf("nodes:\n  %5s  %-18s %-28s %-22s %15s  %s\n", "#", "op", "output", "shape", "MACs",
           "node name");
    for (i = 0; i < n; i++) {
        mobinfer_node_info node;
        char shape[256];
        if (mobinfer_session_node(s, i, &node) != MOBINFER_OK)
            continue;
        format_shape(node.output.dims, node.output.dim_names, node.output.rank, shape,
                     sizeof shape);
        format_count(node.macs, text, sizeof text);
        printf("  %5zu  %-18s %-28s %-22s %15s", i, node.op_type, node.output.name, shape, text);
        if (node.name != NULL && node.name[0] != '\0')
            printf("  %s", node.name);
        printf("\n");
    }
}

/* Returns -1 to go on, else the exit code to return. */
static int parse_info_args(int argc, char **argv, info_args *a, shape_bindings *b)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int r;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(info_usage, stdout);
            fputs(shape_bindings_help, stdout);
            fputs(limit_options_help, stdout);
            fputs(info_usage_tail, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(arg, "--json") == 0) {
            a->json = 1;
            continue;
        }
        if (strcmp(arg, "--optimized") == 0) {
            a->optimized = 1;
            a->nodes = 1;
            continue;
        }
        if (strcmp(arg, "--nodes") == 0) {
            a->nodes = 1;
            continue;
        }
        if ((r = shape_bindings_parse(b, "info", 1, argc, argv, &i)) != 0) {
            if (r < 0)
                return CLI_EXIT_USAGE;
            continue;
        }
        if ((r = limit_option_parse(&a->limits, "info", argc, argv, &i)) != 0) {
            if (r < 0)
                return CLI_EXIT_USAGE;
            continue;
        }
        if (arg[0] == '-' && arg[1] != '\0')
            return cli_fail_usage("info", "unknown option '%s'", arg);
        if (a->model != NULL)
            return cli_fail_usage("info", "unexpected argument '%s' (the model is '%s')", arg,
                                  a->model);
        a->model = arg;
    }
    if (a->model == NULL)
        return cli_fail_usage("info", "no model given");
    return -1;
}

int cli_info(int argc, char **argv)
{
    info_args a = {NULL, 0, 0, 0, {0}};
    shape_bindings b;
    mobinfer_model *model = NULL;
    mobinfer_session *session = NULL;
    mobinfer_model_stats stats;
    mobinfer_status st;
    op_count *ops = NULL;
    size_t num_ops = 0;
    int rc;

    if (shape_bindings_init(&b, argc) != 0)
        return cli_fail_io("out of memory");
    rc = parse_info_args(argc, argv, &a, &b);
    if (rc >= 0)
        goto done;
    rc = engine_load_model(a.model, &a.limits, &model);
    if (rc != CLI_EXIT_OK)
        goto done;
    st = mobinfer_model_get_stats(model, &stats);
    if (st != MOBINFER_OK) {
        rc = cli_fail_status(st, mobinfer_last_error());
        goto done;
    }
    ops = op_histogram(model, stats.num_nodes, &num_ops);
    if (ops == NULL) {
        rc = cli_fail_status(MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        goto done;
    }
    print_model(&a, model, &stats, ops, num_ops);
    fflush(stdout);
    /* The model part stays useful when planning fails (say, an unsupported
     * operator), so it is printed first and the failure after it. */
    size_t nodes_before = 0;
    if (a.optimized) {
        /* The same plan without the graph passes, for the node count. */
        mobinfer_session *plain = NULL;
        int keep = b.no_optimize;
        b.no_optimize = 1;
        if (engine_create_session(model, 1, &a.limits, &b, NULL, "info", &plain) == CLI_EXIT_OK)
            nodes_before = mobinfer_session_node_count(plain);
        mobinfer_session_free(plain);
        b.no_optimize = keep;
    }
    rc = engine_create_session(model, 1, &a.limits, &b, NULL, "info", &session);
    if (rc == CLI_EXIT_OK) {
        print_session(&a, session, nodes_before);
    } else if (a.json) {
        printf(",\"session\":null");
    }
    if (a.json)
        printf("}\n");
done:
    free(ops);
    mobinfer_session_free(session);
    mobinfer_model_free(model);
    shape_bindings_free(&b);
    return rc;
}
