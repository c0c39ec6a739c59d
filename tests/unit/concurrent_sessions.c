/* Sessions of one shared model, run on several threads at once, give exactly
 * the single-threaded result: the library has no global mutable state and a
 * model is read-only after loading. Also built under ThreadSanitizer. Pass a
 * model path as argv[1] to use it instead of the built-in small CNN. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"

#define THREADS 4
#define RUNS 5

typedef struct worker {
    const mobinfer_model *model;
    const float *input;
    size_t input_bytes;
    float *output;
    size_t output_bytes;
    mobinfer_status status;
} worker;

static mobinfer_status run_once(const mobinfer_model *model, const float *input, size_t in_bytes,
                                float *output, size_t *out_bytes)
{
    mobinfer_session *s = NULL;
    mobinfer_status st = mobinfer_session_create(model, NULL, &s);
    if (st)
        return st;
    mobinfer_value_info in, out;
    mobinfer_session_input(s, 0, &in);
    mobinfer_session_output(s, 0, &out);
    for (int r = 0; r < RUNS && !st; r++) {
        st = mobinfer_session_set_input(s, in.name, in.dtype, in.dims, in.rank, input, in_bytes);
        if (!st)
            st = mobinfer_session_run(s);
    }
    mobinfer_tensor t;
    if (!st)
        st = mobinfer_session_get_output(s, out.name, &t);
    if (!st) {
        size_t n = t.byte_size < *out_bytes ? t.byte_size : *out_bytes;
        memcpy(output, t.data, n);
        *out_bytes = n;
    }
    mobinfer_session_free(s);
    return st;
}

static void *work(void *arg)
{
    worker *w = arg;
    w->status = run_once(w->model, w->input, w->input_bytes, w->output, &w->output_bytes);
    return NULL;
}

int main(int argc, char **argv)
{
    tb_buf b = {0};
    mobinfer_model *model = NULL;
    mobinfer_status st;
    if (argc > 1) {
        st = mobinfer_model_load(argv[1], NULL, &model);
    } else {
        tb_small_cnn(&b);
        st = mobinfer_model_load_memory(b.data, b.len, NULL, &model);
    }
    CHECK(st == MOBINFER_OK, "load: %s", mobinfer_last_error());
    if (st)
        return check_summary();
    mobinfer_session *probe = NULL;
    CHECK(mobinfer_session_create(model, NULL, &probe) == MOBINFER_OK, "probe session: %s",
          mobinfer_last_error());
    mobinfer_value_info in, out;
    mobinfer_session_input(probe, 0, &in);
    mobinfer_session_output(probe, 0, &out);
    size_t n_in = 1, n_out = 1;
    for (size_t k = 0; k < in.rank; k++)
        n_in *= (size_t)in.dims[k];
    for (size_t k = 0; k < out.rank; k++)
        n_out *= (size_t)out.dims[k];
    mobinfer_session_free(probe);

    float *input = malloc(n_in * sizeof *input);
    for (size_t i = 0; i < n_in; i++)
        input[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    float *reference = calloc(n_out, sizeof *reference);
    size_t ref_bytes = n_out * sizeof *reference;
    st = run_once(model, input, n_in * sizeof *input, reference, &ref_bytes);
    CHECK(st == MOBINFER_OK, "single-threaded run: %s", mobinfer_last_error());

    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (worker){model, input, n_in * sizeof *input,
                              calloc(n_out, sizeof(float)), n_out * sizeof(float), MOBINFER_OK};
        CHECK(pthread_create(&threads[t], NULL, work, &workers[t]) == 0, "pthread_create");
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        CHECK(workers[t].status == MOBINFER_OK, "thread %d: %s", t,
              mobinfer_status_name(workers[t].status));
        CHECK(workers[t].output_bytes == ref_bytes &&
                  memcmp(workers[t].output, reference, ref_bytes) == 0,
              "thread %d differs from the single-threaded result", t);
        free(workers[t].output);
    }
    free(input);
    free(reference);
    mobinfer_model_free(model);
    tb_free(&b);
    return check_summary();
}
