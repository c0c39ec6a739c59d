#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format.h"

typedef struct node_row {
    mobinfer_node_info info;
    double ms; /* mean per run */
} node_row;

typedef struct op_row {
    const char *op;
    int count;
    double ms;
    double macs;
} op_row;

static double gflops(double macs, double ms)
{
    return ms > 0.0 ? 2.0 * macs / (ms * 1e6) : 0.0;
}

static void print_text(FILE *out, const node_row *rows, size_t n, double total)
{
    char shape[128];
    fprintf(out, "\nper-node profile (mean ms per run):\n");
    fprintf(out, "%4s  %-18s %-22s %12s %9s %8s %6s  %s\n", "#", "op", "output", "MACs", "ms",
            "GFLOP/s", "share", "name");
    for (size_t i = 0; i < n; i++) {
        const mobinfer_node_info *in = &rows[i].info;
        format_shape(in->output.dims, NULL, in->output.rank, shape, sizeof shape);
        fprintf(out, "%4zu  %-18s %-22s %12llu %9.4f %8.2f %5.1f%%  %s\n", i, in->op_type, shape,
                (unsigned long long)in->macs, rows[i].ms, gflops((double)in->macs, rows[i].ms),
                total > 0 ? 100.0 * rows[i].ms / total : 0.0, in->name);
    }
    /* The same time by operator, largest first. */
    op_row *ops = calloc(n + 1, sizeof *ops);
    size_t n_ops = 0;
    if (!ops)
        return;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < n_ops && strcmp(ops[k].op, rows[i].info.op_type) != 0)
            k++;
        if (k == n_ops)
            ops[n_ops++].op = rows[i].info.op_type;
        ops[k].count++;
        ops[k].ms += rows[i].ms;
        ops[k].macs += (double)rows[i].info.macs;
    }
    for (size_t a = 0; a < n_ops; a++)
        for (size_t b = a + 1; b < n_ops; b++)
            if (ops[b].ms > ops[a].ms) {
                op_row t = ops[a];
                ops[a] = ops[b];
                ops[b] = t;
            }
    fprintf(out, "\nby operator:\n%-18s %6s %10s %8s %6s\n", "op", "nodes", "ms", "GFLOP/s",
            "share");
    for (size_t k = 0; k < n_ops; k++)
        fprintf(out, "%-18s %6d %10.4f %8.2f %5.1f%%\n", ops[k].op, ops[k].count, ops[k].ms,
                gflops(ops[k].macs, ops[k].ms), total > 0 ? 100.0 * ops[k].ms / total : 0.0);
    fprintf(out, "%-18s %6zu %10.4f\n", "total", n, total);
    free(ops);
}

static int write_json(const char *path, const char *model, int threads, const node_row *rows,
                      size_t n, double total)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return cli_fail_io("cannot write '%s'", path);
    fprintf(f, "{\"model\":");
    json_string(f, model);
    fprintf(f, ",\"threads\":%d,\"total_ms\":%.6f,\"nodes\":[", threads, total);
    for (size_t i = 0; i < n; i++) {
        const mobinfer_node_info *in = &rows[i].info;
        fprintf(f, "%s\n{\"index\":%zu,\"name\":", i ? "," : "", i);
        json_string(f, in->name);
        fprintf(f, ",\"op\":");
        json_string(f, in->op_type);
        fprintf(f, ",\"output_shape\":");
        json_shape(f, in->output.dims, NULL, in->output.rank);
        fprintf(f, ",\"macs\":%llu,\"ms\":%.6f,\"gflops\":%.3f,\"share\":%.5f}",
                (unsigned long long)in->macs, rows[i].ms, gflops((double)in->macs, rows[i].ms),
                total > 0 ? rows[i].ms / total : 0.0);
    }
    fprintf(f, "\n]}\n");
    if (fclose(f) != 0)
        return cli_fail_io("cannot write '%s'", path);
    return CLI_EXIT_OK;
}

int profile_report(const mobinfer_session *session, const char *model, int threads, FILE *out,
                   const char *json_path)
{
    size_t n = mobinfer_session_node_count(session);
    node_row *rows = calloc(n + 1, sizeof *rows);
    double total = 0.0;
    int rc = CLI_EXIT_OK;
    if (!rows)
        return cli_fail_io("out of memory");
    for (size_t i = 0; i < n; i++) {
        mobinfer_node_profile p;
        if (mobinfer_session_node(session, i, &rows[i].info) != MOBINFER_OK ||
            mobinfer_session_node_profile(session, i, &p) != MOBINFER_OK) {
            free(rows);
            return cli_fail_io("cannot read the profile of node %zu", i);
        }
        rows[i].ms = p.runs ? (double)p.total_ns / 1e6 / (double)p.runs : 0.0;
        total += rows[i].ms;
    }
    if (out)
        print_text(out, rows, n, total);
    if (json_path)
        rc = write_json(json_path, model, threads, rows, n, total);
    free(rows);
    return rc;
}
