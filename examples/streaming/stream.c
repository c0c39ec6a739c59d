/*
 * mobinfer-stream: runs a step model frame by frame with its state carried
 * between runs, on one session planned once (see docs/STREAMING.md).
 *
 *   mobinfer-stream MODEL FRAMES.npy [--out DIR] [--repeat N] [--threads N] [--quiet]
 *
 * FRAMES.npy holds T frames, [T, *frame shape]. Inputs `X` with an output
 * `new_X` are state (zero before the first frame); the remaining input is the
 * frame. Prints each frame's latency and the start of the first non-state
 * output; with --out writes every output stacked over the frames to
 * DIR/<output>.npy. --repeat streams the clip N times from a zero state
 * (same session) for steadier timings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"
#include "mobinfer.h"
#include "npy.h"
#include "stream_state.h"

#define MAX_FRAMES_BYTES (1ull << 32)

typedef struct options {
    const char *model;
    const char *frames;
    const char *out_dir;
    long repeat;
    long threads;
    int quiet;
} options;

/* Every output of every frame of the last pass, [T, *output shape]. */
typedef struct output_stack {
    mobinfer_value_info info;
    size_t frame_bytes;
    unsigned char *data;
    const void *first_address; /* where the session put it on the first run */
} output_stack;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Microseconds below 1 ms: a recurrent cell steps in about a microsecond. */
static void print_ms(double ms)
{
    if (ms < 1.0)
        printf("%7.1f us", ms * 1e3);
    else
        printf("%7.3f ms", ms);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_stats(const char *what, double *ms, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ms[i];
    qsort(ms, n, sizeof *ms, cmp_double);
    printf("%-5s per frame: median", what);
    print_ms(ms[n / 2]);
    printf(", mean");
    print_ms(sum / (double)n);
    printf(", min");
    print_ms(ms[0]);
    printf(", max");
    print_ms(ms[n - 1]);
    printf("\n");
}

static int usage(void)
{
    fprintf(stderr, "usage: mobinfer-stream MODEL FRAMES.npy [--out DIR] [--repeat N] "
                    "[--threads N] [--quiet]\n");
    return 2;
}

/* Whole-string decimal in [lo, hi]: "4x" is an error, not 4. */
static int parse_count(const char *text, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->repeat = 1;
    o->threads = 1;
    const char *positional[2];
    int n_positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--out") == 0 && value) {
            o->out_dir = value;
            i++;
        } else if (strcmp(a, "--repeat") == 0 && value) {
            if (parse_count(value, 1, 1000000, &o->repeat) != 0)
                return -1;
            i++;
        } else if (strcmp(a, "--threads") == 0 && value) {
            if (parse_count(value, 1, 1024, &o->threads) != 0)
                return -1;
            i++;
        } else if (a[0] == '-' || n_positional == 2) {
            return -1;
        } else {
            positional[n_positional++] = a;
        }
    }
    if (n_positional != 2)
        return -1;
    o->model = positional[0];
    o->frames = positional[1];
    return 0;
}

/* Loads FRAMES.npy and checks it is [T, *frame shape] of the frame's type. */
static int load_frames(const char *path, const mobinfer_value_info *frame, npy_array *arr,
                       size_t *num_frames)
{
    char err[512];
    unsigned char *bytes;
    size_t size;
    if (read_file(path, MAX_FRAMES_BYTES, &bytes, &size, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    int rc = npy_parse(bytes, size, MAX_FRAMES_BYTES, arr, err, sizeof err);
    free(bytes);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        return -1;
    }
    const npy_header *h = &arr->header;
    int ok = h->dtype == frame->dtype && h->rank == frame->rank + 1 && h->dims[0] > 0;
    for (size_t i = 0; ok && i < frame->rank; i++)
        ok = h->dims[i + 1] == frame->dims[i];
    if (!ok) {
        fprintf(stderr, "%s: expected %s [T", path, mobinfer_dtype_name(frame->dtype));
        for (size_t i = 0; i < frame->rank; i++)
            fprintf(stderr, ",%lld", (long long)frame->dims[i]);
        fprintf(stderr, "] frames for input '%s'\n", frame->name);
        npy_array_free(arr);
        return -1;
    }
    *num_frames = (size_t)h->dims[0];
    return 0;
}

static int init_stacks(const mobinfer_session *session, size_t num_frames, output_stack **out,
                       size_t *count)
{
    size_t n = mobinfer_session_output_count(session);
    output_stack *st = calloc(n ? n : 1, sizeof *st);
    if (!st)
        return -1;
    *out = st;
    *count = n;
    for (size_t i = 0; i < n; i++) {
        if (mobinfer_session_output(session, i, &st[i].info) != MOBINFER_OK)
            return -1;
        size_t b = mobinfer_dtype_size(st[i].info.dtype);
        for (size_t d = 0; d < st[i].info.rank; d++)
            b *= (size_t)st[i].info.dims[d];
        st[i].frame_bytes = b;
        st[i].data = malloc(b * num_frames + 1);
        if (!st[i].data)
            return -1;
    }
    return 0;
}

static void free_stacks(output_stack *st, size_t n)
{
    for (size_t i = 0; st && i < n; i++)
        free(st[i].data);
    free(st);
}

/* Copies the run's outputs into frame t of the stacks; returns how many
 * outputs sit at another address than on the first run. */
static size_t stack_outputs(const mobinfer_session *session, output_stack *st, size_t n,
                            size_t t, int first_run)
{
    size_t moved = 0;
    for (size_t i = 0; i < n; i++) {
        mobinfer_tensor o;
        if (mobinfer_session_get_output(session, st[i].info.name, &o) != MOBINFER_OK)
            continue;
        memcpy(st[i].data + t * st[i].frame_bytes, o.data, st[i].frame_bytes);
        if (first_run)
            st[i].first_address = o.data;
        else if (o.data != st[i].first_address)
            moved++;
    }
    return moved;
}

static const output_stack *first_plain_output(const output_stack *st, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(st[i].info.name, "new_", 4) != 0)
            return &st[i];
    return n ? &st[0] : NULL;
}

static void print_frame(size_t t, double step, double run, const output_stack *shown)
{
    printf("frame %3zu  step ", t);
    print_ms(step);
    printf("  run ");
    print_ms(run);
    if (shown && shown->info.dtype == MOBINFER_DTYPE_FLOAT32) {
        const float *v = (const float *)(shown->data + t * shown->frame_bytes);
        size_t n = shown->frame_bytes / sizeof(float);
        printf("  %s:", shown->info.name);
        for (size_t i = 0; i < n && i < 4; i++)
            printf(" %9.5f", (double)v[i]);
        if (n > 4)
            printf(" ...");
    }
    printf("\n");
}

static int write_stacks(const char *dir, const output_stack *st, size_t n, size_t num_frames)
{
    char err[512], file[512], path[4096];
    if (make_dirs(dir, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t dims[MOBINFER_MAX_RANK + 1];
        dims[0] = (int64_t)num_frames;
        for (size_t d = 0; d < st[i].info.rank; d++)
            dims[d + 1] = st[i].info.dims[d];
        if (output_file_name(st[i].info.name, file, sizeof file) == 0 ||
            snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
            fprintf(stderr, "output path too long for '%s'\n", st[i].info.name);
            return -1;
        }
        if (npy_write_file(path, st[i].info.dtype, dims, st[i].info.rank + 1, st[i].data,
                           st[i].frame_bytes * num_frames, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    }
    return 0;
}

static int stream(const options *o, mobinfer_session *session, stream_states *ss,
                  const npy_array *frames, size_t num_frames, output_stack *st, size_t n_out)
{
    const mobinfer_value_info *fr = &ss->frame;
    size_t frame_bytes = frames->header.byte_size / num_frames;
    size_t total = num_frames * (size_t)o->repeat;
    double *step_ms = malloc(total * sizeof *step_ms), *run_ms = malloc(total * sizeof *run_ms);
    if (!step_ms || !run_ms) {
        free(step_ms);
        free(run_ms);
        return -1;
    }
    const output_stack *shown = first_plain_output(st, n_out);
    uint64_t arena = mobinfer_session_arena_bytes(session);
    size_t nodes = mobinfer_session_node_count(session);
    size_t moved = 0, k = 0;
    int rc = 0;
    for (long pass = 0; pass < o->repeat && rc == 0; pass++) {
        stream_states_reset(ss);
        for (size_t t = 0; t < num_frames; t++, k++) {
            const unsigned char *frame = (const unsigned char *)frames->data + t * frame_bytes;
            double t0 = now_ms();
            mobinfer_status s = mobinfer_session_set_input(session, fr->name, fr->dtype, fr->dims,
                                                           fr->rank, frame, frame_bytes);
            if (s == MOBINFER_OK)
                s = stream_states_feed(ss, session);
            double t1 = now_ms();
            if (s == MOBINFER_OK)
                s = mobinfer_session_run(session);
            double t2 = now_ms();
            if (s == MOBINFER_OK)
                s = stream_states_carry(ss, session);
            double t3 = now_ms();
            if (s != MOBINFER_OK) {
                fprintf(stderr, "frame %zu: %s: %s\n", t, mobinfer_status_name(s),
                        mobinfer_session_last_error(session));
                rc = -1;
                break;
            }
            step_ms[k] = t3 - t0;
            run_ms[k] = t2 - t1;
            moved += stack_outputs(session, st, n_out, t, k == 0);
            if (pass == 0 && !o->quiet)
                print_frame(t, step_ms[k], run_ms[k], shown);
        }
    }
    if (rc == 0) {
        int unchanged = mobinfer_session_arena_bytes(session) == arena &&
                        mobinfer_session_node_count(session) == nodes && moved == 0;
        printf("frames: %zu x %ld passes on one session; plan %s (%zu nodes, arena %llu bytes, "
               "output addresses %s)\n",
               num_frames, o->repeat, unchanged ? "unchanged" : "CHANGED", nodes,
               (unsigned long long)arena, moved ? "moved" : "fixed");
        printf("state: %zu tensors, %zu bytes carried per frame\n", ss->count, ss->total_bytes);
        print_stats("step", step_ms, k);
        print_stats("run", run_ms, k);
        if (!unchanged)
            rc = -1;
    }
    free(step_ms);
    free(run_ms);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_args(argc, argv, &o) != 0)
        return usage();

    mobinfer_model *model = NULL;
    mobinfer_session *session = NULL;
    stream_states ss = {0};
    npy_array frames = {0};
    output_stack *stacks = NULL;
    size_t n_out = 0, num_frames = 0;
    char err[512];
    int rc = 1;

    if (mobinfer_model_load(o.model, NULL, &model) != MOBINFER_OK) {
        fprintf(stderr, "%s\n", mobinfer_last_error());
        goto done;
    }
    mobinfer_session_options so;
    mobinfer_session_options_init(&so);
    so.num_threads = (int)o.threads;
    double c0 = now_ms();
    if (mobinfer_session_create(model, &so, &session) != MOBINFER_OK) {
        fprintf(stderr, "%s\n", mobinfer_last_error());
        goto done;
    }
    double create_ms = now_ms() - c0;
    if (stream_states_init(&ss, session, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", o.model, err);
        goto done;
    }
    if (load_frames(o.frames, &ss.frame, &frames, &num_frames) != 0)
        goto done;
    if (init_stacks(session, num_frames, &stacks, &n_out) != 0) {
        fprintf(stderr, "out of memory\n");
        goto done;
    }
    printf("sessions created: 1 (%.3f ms); frame input '%s'; state:", create_ms, ss.frame.name);
    for (size_t i = 0; i < ss.count; i++)
        printf(" %s<-%s", ss.states[i].input.name, ss.states[i].output_name);
    printf("\n");
    if (stream(&o, session, &ss, &frames, num_frames, stacks, n_out) != 0)
        goto done;
    if (o.out_dir && write_stacks(o.out_dir, stacks, n_out, num_frames) != 0)
        goto done;
    rc = 0;
done:
    free_stacks(stacks, n_out);
    npy_array_free(&frames);
    stream_states_free(&ss);
    mobinfer_session_free(session);
    mobinfer_model_free(model);
    return rc;
}
