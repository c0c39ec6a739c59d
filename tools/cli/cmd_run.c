/* `mobinfer run`: feed a model its inputs, run it once, and print or save
 * the outputs (with ImageNet top-K for classifier outputs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bindings.h"
#include "classify.h"
#include "cli.h"
#include "engine.h"
#include "fileio.h"
#include "format.h"
#include "imagenet_labels.h"
#include "inputs.h"
#include "limit_options.h"
#include "npy.h"
#include "summary.h"

#define RUN_MAX_TOP 100

static const char run_usage[] =
    "Usage: mobinfer run MODEL [--input [NAME=]FILE]... [options]\n"
    "\n"
    "Runs MODEL once. Each output is summarised on stdout (dtype, shape,\n"
    "min/max/mean); with --output-dir each is also written to DIR/<name>.npy,\n"
    "where characters of the name outside [A-Za-z0-9._-] become '_'. A float32\n"
    "output of one row of 1000 scores (or 1001, class 0 being background) gets\n"
    "the top-K ImageNet classes, with softmax applied unless the scores already\n"
    "are probabilities.\n"
    "\n"
    "Options:\n"
    "  --output-dir DIR     write outputs as .npy files into DIR (created if needed)\n"
    "  --threads N          worker threads (default 1)\n"
    "  --top K              classes to list for classifier outputs (default 5; 0: none)\n"
    "  --dim NAME=V         bind a symbolic dimension the inputs leave open\n"
    "  --no-optimize        run the graph as written with the reference kernels\n";

static const char run_usage_tail[] =
    "\n"
    "Exit codes: 0 success, 1 library error, 2 usage error, 3 file I/O error.\n"
    "\n"
    "Examples:\n"
    "  mobinfer run mobilenetv2.onnx --input cat.jpg --preset imagenet\n"
    "  mobinfer run model.onnx --input x=x.npy --input mask=mask.npy --output-dir out\n";

static void print_run_help(void)
{
    fputs(run_usage, stdout);
    fputs(limit_options_help, stdout);
    fputs("  -h, --help           show this help\n\n", stdout);
    fputs(input_options_help, stdout);
    fputs(run_usage_tail, stdout);
}

typedef struct run_args {
    const char *model;
    const char *output_dir;
    int threads;
    int top;
    mobinfer_limits limits;
} run_args;

/* Returns -1 to go on, else the exit code to return. */
static int parse_run_args(int argc, char **argv, run_args *a, input_options *io,
                          shape_bindings *b)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *v = NULL;
        int r;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_run_help();
            return CLI_EXIT_OK;
        }
        if ((r = engine_options_parse(io, b, &a->limits, &a->threads, "run", 0, argc, argv,
                                      &i)) != 0) {
            if (r < 0)
                return CLI_EXIT_USAGE;
            continue;
        }
        if ((r = arg_value(argc, argv, &i, "--output-dir", &v)) != 0) {
            if (r < 0 || v[0] == '\0')
                return cli_fail_usage("run", "--output-dir needs a directory");
            a->output_dir = v;
            continue;
        }
        if ((r = arg_value(argc, argv, &i, "--top", &v)) != 0) {
            if (r < 0 || parse_int(v, 0, RUN_MAX_TOP, &a->top) != 0)
                return cli_fail_usage("run", "--top needs a number from 0 to %d", RUN_MAX_TOP);
            continue;
        }
        if (arg[0] == '-' && arg[1] != '\0')
            return cli_fail_usage("run", "unknown option '%s'", arg);
        if (a->model != NULL)
            return cli_fail_usage("run", "unexpected argument '%s' (the model is '%s')", arg,
                                  a->model);
        a->model = arg;
    }
    if (a->model == NULL)
        return cli_fail_usage("run", "no model given");
    if (input_options_finish(io, "run") != 0)
        return CLI_EXIT_USAGE;
    return -1;
}

static size_t element_count(const mobinfer_tensor *t)
{
    size_t n = 1, i;
    for (i = 0; i < t->rank; i++)
        n *= (size_t)t->dims[i];
    return n;
}

static void print_summary(const char *name, const mobinfer_tensor *t)
{
    char shape[256];
    tensor_summary s;
    format_shape(t->dims, NULL, t->rank, shape, sizeof shape);
    printf("%s: %s %s", name, mobinfer_dtype_name(t->dtype), shape);
    if (tensor_summarise(t->dtype, t->data, element_count(t), t->byte_size, &s) != 0) {
        printf(" (unreadable)\n");
        return;
    }
    if (s.count == 0) {
        printf(" (empty)\n");
        return;
    }
    printf(" min=%.6g max=%.6g mean=%.6g", s.min, s.max, s.mean);
    if (s.nan_count > 0)
        printf(" nan=%zu", s.nan_count);
    printf("\n");
}

static void print_top_k(const char *name, const mobinfer_tensor *t, int offset, int k)
{
    size_t n = element_count(t);
    size_t index[RUN_MAX_TOP + 1];
    float prob[RUN_MAX_TOP + 1];
    const float *v = t->data;
    int softmax = !classify_is_distribution(v, n), shown = 0;
    size_t j;

    /* Rank all n (so softmax covers the background class too) and skip the
     * background entry if it makes the list. */
    classify_top_k(v, n, (size_t)k + (size_t)offset, softmax, index, prob);
    printf("top-%d of '%s'%s:\n", k, name, softmax ? " (softmax)" : "");
    for (j = 0; j < (size_t)k + (size_t)offset && shown < k; j++) {
        size_t cls;
        if (index[j] < (size_t)offset)
            continue;
        cls = index[j] - (size_t)offset;
        printf("  %2d  %4zu  %.5f  %s\n", ++shown, cls, prob[j], imagenet_label(cls));
    }
}

/* Writes every output; warns when two names map to the same file. */
static int write_output(const char *dir, const char *name, const mobinfer_tensor *t,
                        char **written, size_t num_written)
{
    char file[1024], path[4096], err[512];
    size_t k;
    if (output_file_name(name, file, sizeof file) == 0)
        return cli_fail_io("output name '%.40s...' is too long for a file name", name);
    for (k = 0; k < num_written; k++)
        if (strcmp(written[k], file) == 0)
            cli_note("outputs '%s' and an earlier one both map to '%s'; the later one wins",
                     name, file);
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path)
        return cli_fail_io("output path in '%s' is too long", dir);
    if (npy_write_file(path, t->dtype, t->dims, t->rank, t->data, t->byte_size, err,
                       sizeof err) != 0)
        return cli_fail_io("%s", err);
    written[num_written] = malloc(strlen(file) + 1);
    if (written[num_written] != NULL)
        memcpy(written[num_written], file, strlen(file) + 1);
    return CLI_EXIT_OK;
}

static int report_outputs(mobinfer_session *session, const run_args *a)
{
    size_t n = mobinfer_session_output_count(session), i, num_written = 0;
    char **written = calloc(n > 0 ? n : 1, sizeof *written);
    int rc = CLI_EXIT_OK;

    if (written == NULL)
        return cli_fail_io("out of memory");
    for (i = 0; i < n && rc == CLI_EXIT_OK; i++) {
        mobinfer_value_info info;
        mobinfer_tensor t;
        mobinfer_status st = mobinfer_session_output(session, i, &info);
        int offset;
        if (st == MOBINFER_OK)
            st = mobinfer_session_get_output(session, info.name, &t);
        if (st != MOBINFER_OK) {
            rc = engine_fail(session, st);
            break;
        }
        print_summary(info.name, &t);
        offset = classify_imagenet_offset(t.dtype, t.dims, t.rank);
        if (offset >= 0 && a->top > 0)
            print_top_k(info.name, &t, offset, a->top);
        if (a->output_dir != NULL) {
            rc = write_output(a->output_dir, info.name, &t, written, num_written);
            if (written[num_written] != NULL)
                num_written++;
        }
    }
    for (i = 0; i < num_written; i++)
        free(written[i]);
    free(written);
    return rc;
}

int cli_run(int argc, char **argv)
{
    run_args a = {NULL, NULL, 1, 5, {0}};
    input_options io;
    shape_bindings b;
    loaded_inputs in = {NULL, 0};
    mobinfer_model *model = NULL;
    mobinfer_session *session = NULL;
    int rc;

    if (input_options_init(&io, argc) != 0 || shape_bindings_init(&b, argc) != 0) {
        input_options_free(&io);
        return cli_fail_io("out of memory");
    }
    rc = parse_run_args(argc, argv, &a, &io, &b);
    if (rc >= 0)
        goto done;
    if (a.output_dir != NULL) {
        char err[512];
        /* Before the (possibly slow) run, so a bad path fails fast. */
        if (make_dirs(a.output_dir, err, sizeof err) != 0) {
            rc = cli_fail_io("%s", err);
            goto done;
        }
    }
    rc = engine_load_model(a.model, &a.limits, &model);
    if (rc == CLI_EXIT_OK)
        rc = inputs_load(model, &io, "run", &in);
    if (rc == CLI_EXIT_OK)
        rc = inputs_require_all(model, &in, "run");
    if (rc == CLI_EXIT_OK)
        rc = engine_create_session(model, a.threads, &a.limits, &b, &in, "run", &session);
    if (rc == CLI_EXIT_OK)
        rc = engine_set_inputs(session, &in);
    if (rc == CLI_EXIT_OK) {
        mobinfer_status st = mobinfer_session_run(session);
        rc = st == MOBINFER_OK ? CLI_EXIT_OK : engine_fail(session, st);
    }
    if (rc == CLI_EXIT_OK)
        rc = report_outputs(session, &a);
done:
    mobinfer_session_free(session);
    mobinfer_model_free(model);
    loaded_inputs_free(&in);
    shape_bindings_free(&b);
    input_options_free(&io);
    return rc;
}
