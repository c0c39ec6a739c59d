/* `mobinfer bench`: load time, run latency statistics and peak memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "args.h"
#include "bindings.h"
#include "cli.h"
#include "engine.h"
#include "format.h"
#include "inputs.h"
#include "limit_options.h"
#include "profile.h"
#include "stats.h"

#define BENCH_MAX_RUNS 1000000

static const char bench_usage[] =
    "Usage: mobinfer bench MODEL [options]\n"
    "\n"
    "Measures the load time (model load plus session planning), then runs the\n"
    "session W times to warm up and R times timed, each run alone\n"
    "(mobinfer_session_run, inputs set once beforehand), with a monotonic\n"
    "clock. Reports min, median, p90, mean and max latency in milliseconds and\n"
    "the process's peak resident memory (getrusage ru_maxrss) in MiB.\n"
    "Inputs not given with --input are filled with uniform random numbers in\n"
    "[0,1) (float32) or zeros (other types), in the planned shapes.\n"
    "\n"
    "Options:\n"
    "  --threads N          worker threads (default 1)\n"
    "  --runs R             timed runs (default 50)\n"
    "  --warmup W           untimed runs first (default 10)\n"
    "  --json               print one JSON object instead of text\n"
    "  --profile            also time every node and print a per-node table (op,\n"
    "                       output shape, MACs, ms, GFLOP/s, share of the total)\n"
    "                       and the same time summed by operator\n"
    "  --profile-json FILE  write that per-node table to FILE as JSON\n";

static const char bench_usage_help[] = "  -h, --help           show this help\n\n";

static const char bench_usage_tail[] =
    "\n"
    "Exit codes: 0 success, 1 library error, 2 usage error, 3 file I/O error.\n"
    "\n"
    "Examples:\n"
    "  mobinfer bench mobilenetv2.onnx --threads 2 --runs 100\n"
    "  mobinfer bench model.onnx --dim batch=8 --json\n";

typedef struct bench_args {
    const char *model;
    int threads;
    int runs;
    int warmup;
    int json;
    int profile;
    const char *profile_json;
    mobinfer_limits limits;
} bench_args;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* xorshift64*: deterministic, so runs are comparable across invocations. */
static float next_uniform(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (float)((x * 0x2545F4914F6CDD1DULL) >> 40) / (float)(1 << 24);
}

/* Tensors for the session inputs that no --input covered. */
static int synthesize_inputs(const mobinfer_session *session, const loaded_inputs *given,
                             loaded_inputs *out)
{
    size_t n = mobinfer_session_input_count(session), k;
    uint64_t rng = 0x9E3779B97F4A7C15ULL;

    out->count = 0;
    out->items = calloc(n > 0 ? n : 1, sizeof *out->items);
    if (out->items == NULL)
        return cli_fail_io("out of memory");
    for (k = 0; k < n; k++) {
        mobinfer_value_info vi;
        cli_tensor *t;
        size_t count = 1, esize, i;
        mobinfer_status st = mobinfer_session_input(session, k, &vi);
        if (st != MOBINFER_OK)
            return engine_fail(session, st);
        if (inputs_find(given, vi.name) != NULL)
            continue;
        esize = mobinfer_dtype_size(vi.dtype);
        for (i = 0; i < vi.rank; i++)
            count *= (size_t)vi.dims[i];
        t = &out->items[out->count].tensor;
        out->items[out->count].name = vi.name;
        out->items[out->count].path = NULL;
        t->dtype = vi.dtype;
        t->rank = vi.rank;
        memcpy(t->dims, vi.dims, sizeof(int64_t) * vi.rank);
        t->byte_size = count * esize;
        /* The session already planned memory for this shape, so its size
         * passed the library's limits. */
        t->data = calloc(count > 0 ? count : 1, esize > 0 ? esize : 1);
        if (t->data == NULL)
            return cli_fail_io("out of memory for input '%s'", vi.name);
        out->count++;
        if (vi.dtype == MOBINFER_DTYPE_FLOAT32)
            for (i = 0; i < count; i++)
                ((float *)t->data)[i] = next_uniform(&rng);
    }
    return CLI_EXIT_OK;
}

/* Returns -1 to go on, else the exit code to return. */
static int parse_bench_args(int argc, char **argv, bench_args *a, input_options *io,
                            shape_bindings *b)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *v = NULL;
        int r;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(bench_usage, stdout);
            fputs(shape_bindings_help, stdout);
            fputs(limit_options_help, stdout);
            fputs(bench_usage_help, stdout);
            fputs(input_options_help, stdout);
            fputs(bench_usage_tail, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(arg, "--json") == 0) {
            a->json = 1;
            continue;
        }
        if (strcmp(arg, "--profile") == 0) {
            a->profile = 1;
            continue;
        }
        if ((r = arg_value(argc, argv, &i, "--profile-json", &v)) != 0) {
            if (r < 0)
                return cli_fail_usage("bench", "--profile-json needs a file name");
            a->profile_json = v;
            continue;
        }
        if ((r = engine_options_parse(io, b, &a->limits, &a->threads, "bench", 1, argc, argv,
                                      &i)) != 0) {
            if (r < 0)
                return CLI_EXIT_USAGE;
            continue;
        }
        if ((r = arg_value(argc, argv, &i, "--runs", &v)) != 0) {
            if (r < 0 || parse_int(v, 1, BENCH_MAX_RUNS, &a->runs) != 0)
                return cli_fail_usage("bench", "--runs needs a number from 1 to %d",
                                      BENCH_MAX_RUNS);
            continue;
        }
        if ((r = arg_value(argc, argv, &i, "--warmup", &v)) != 0) {
            if (r < 0 || parse_int(v, 0, BENCH_MAX_RUNS, &a->warmup) != 0)
                return cli_fail_usage("bench", "--warmup needs a number from 0 to %d",
                                      BENCH_MAX_RUNS);
            continue;
        }
        if (arg[0] == '-' && arg[1] != '\0')
            return cli_fail_usage("bench", "unknown option '%s'", arg);
        if (a->model != NULL)
            return cli_fail_usage("bench", "unexpected argument '%s' (the model is '%s')", arg,
                                  a->model);
        a->model = arg;
    }
    if (a->model == NULL)
        return cli_fail_usage("bench", "no model given");
    if (input_options_finish(io, "bench") != 0)
        return CLI_EXIT_USAGE;
    return -1;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1.0;
    return (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

static void print_report(const bench_args *a, double model_ms, double session_ms,
                         const latency_stats *s, double rss)
{
    if (a->json) {
        printf("{\"model\":");
        json_string(stdout, a->model);
        printf(",\"threads\":%d,\"runs\":%d,\"warmup\":%d,\"load_ms\":%.4f,"
               "\"model_load_ms\":%.4f,\"session_create_ms\":%.4f,\"min_ms\":%.4f,"
               "\"median_ms\":%.4f,\"p90_ms\":%.4f,\"mean_ms\":%.4f,\"max_ms\":%.4f,"
               "\"peak_rss_mib\":%.2f}\n",
               a->threads, a->runs, a->warmup, model_ms + session_ms, model_ms, session_ms,
               s->min, s->median, s->p90, s->mean, s->max, rss);
        return;
    }
    printf("model: %s\n", a->model);
    printf("threads: %d\n", a->threads);
    printf("load: %.3f ms (model %.3f ms + session %.3f ms)\n", model_ms + session_ms, model_ms,
           session_ms);
    printf("runs: %d timed after %d warm-up\n", a->runs, a->warmup);
    printf("latency (ms): min %.3f  median %.3f  p90 %.3f  mean %.3f  max %.3f\n", s->min,
           s->median, s->p90, s->mean, s->max);
    printf("peak RSS: %.2f MiB\n", rss);
}

int cli_bench(int argc, char **argv)
{
    bench_args a = {NULL, 1, 50, 10, 0, 0, NULL, {0}};
    input_options io;
    shape_bindings b;
    loaded_inputs given = {NULL, 0}, synth = {NULL, 0};
    mobinfer_model *model = NULL;
    mobinfer_session *session = NULL;
    double *samples = NULL, t0, model_ms = 0.0, session_ms = 0.0;
    latency_stats s;
    int rc, r;

    if (input_options_init(&io, argc) != 0 || shape_bindings_init(&b, argc) != 0) {
        input_options_free(&io);
        return cli_fail_io("out of memory");
    }
    rc = parse_bench_args(argc, argv, &a, &io, &b);
    if (rc >= 0)
        goto done;
    samples = malloc(sizeof *samples * (size_t)a.runs);
    if (samples == NULL) {
        rc = cli_fail_io("out of memory");
        goto done;
    }
    t0 = now_ms();
    rc = engine_load_model(a.model, &a.limits, &model);
    model_ms = now_ms() - t0;
    /* Input files are read between the two timed steps, outside both. */
    if (rc == CLI_EXIT_OK)
        rc = inputs_load(model, &io, "bench", &given);
    if (rc == CLI_EXIT_OK) {
        t0 = now_ms();
        rc = engine_create_session(model, a.threads, &a.limits, &b, &given, "bench", &session);
        session_ms = now_ms() - t0;
    }
    if (rc == CLI_EXIT_OK)
        rc = synthesize_inputs(session, &given, &synth);
    if (rc == CLI_EXIT_OK)
        rc = engine_set_inputs(session, &given);
    if (rc == CLI_EXIT_OK)
        rc = engine_set_inputs(session, &synth);
    if (rc == CLI_EXIT_OK && a.warmup == 0)
        mobinfer_session_set_profiling(session, a.profile || a.profile_json);
    for (r = 0; rc == CLI_EXIT_OK && r < a.warmup + a.runs; r++) {
        mobinfer_status st;
        t0 = now_ms();
        st = mobinfer_session_run(session);
        if (r >= a.warmup)
            samples[r - a.warmup] = now_ms() - t0;
        /* Node timing starts with the timed runs. */
        if (r + 1 == a.warmup)
            mobinfer_session_set_profiling(session, a.profile || a.profile_json);
        if (st != MOBINFER_OK)
            rc = engine_fail(session, st);
    }
    if (rc == CLI_EXIT_OK) {
        latency_summarise(samples, (size_t)a.runs, &s);
        print_report(&a, model_ms, session_ms, &s, peak_rss_mib());
        if (a.profile || a.profile_json)
            rc = profile_report(session, a.model, a.threads, a.profile && !a.json ? stdout : NULL,
                                a.profile_json);
    }
done:
    free(samples);
    mobinfer_session_free(session);
    mobinfer_model_free(model);
    loaded_inputs_free(&synth);
    loaded_inputs_free(&given);
    shape_bindings_free(&b);
    input_options_free(&io);
    return rc;
}
