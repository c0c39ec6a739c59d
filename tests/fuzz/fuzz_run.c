/* fuzz_run: bytes -> load -> mobinfer_session_create with tight limits ->
 * every input set to zeros of its planned shape -> run -> outputs read ->
 * free everything.
 *
 * Covers shape inference, constant folding, memory planning and the
 * kernels. Extra oracles beyond the sanitizers:
 *  - every output's byte_size, dtype and dims agree with each other and with
 *    the session's description of that output;
 *  - a second run with the same inputs gives bit-identical outputs (catches
 *    kernels that read arena memory they never wrote, or that overwrite a
 *    constant in place);
 *  - MOBINFER_ERR_INTERNAL is a bug, and any failure needs a message.
 * Plans whose reported multiply-accumulates exceed FUZZ_MAX_MACS are created
 * but not run, so that a legitimately huge Conv/MatMul is not reported as a
 * timeout. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "mobinfer.h"

#define FUZZ_MAX_ELEMENTS ((uint64_t)1 << 20)
#define FUZZ_MAX_TENSOR_BYTES ((uint64_t)16 << 20)
#define FUZZ_MAX_ARENA_BYTES ((uint64_t)64 << 20)
#define FUZZ_MAX_MACS ((uint64_t)20 * 1000 * 1000)

/* FUZZ_VERBOSE=1 in the environment prints how far each input got (for
 * looking at a corpus or a regression; never set while fuzzing). */
static int verbose(void)
{
    static int v = -1;
    if (v < 0) {
        const char *e = getenv("FUZZ_VERBOSE");
        v = e != NULL && e[0] != '\0' && e[0] != '0';
    }
    return v;
}

static void tight_limits(mobinfer_limits *l)
{
    mobinfer_limits_default(l);
    l->max_tensor_elements = FUZZ_MAX_ELEMENTS;
    l->max_tensor_bytes = FUZZ_MAX_TENSOR_BYTES;
    l->max_arena_bytes = FUZZ_MAX_ARENA_BYTES;
    l->max_initializer_bytes = FUZZ_MAX_ARENA_BYTES;
    l->max_nodes = 4096;
    l->max_values = 16384;
    l->max_attribute_elements = 65536;
    l->max_graph_inputs = 256;
}

typedef struct saved_output {
    void *data;
    size_t byte_size;
} saved_output;

/* Reads every output of the last run and checks it against its description;
 * if save is not NULL, copies each output there (caller frees). */
static void check_outputs(mobinfer_session *s, saved_output *save, const saved_output *expect)
{
    size_t i, k, n = mobinfer_session_output_count(s);
    for (i = 0; i < n; i++) {
        mobinfer_value_info info;
        mobinfer_tensor t;
        mobinfer_status st = mobinfer_session_output(s, i, &info);
        size_t esize;
        int64_t count;
        FUZZ_CHECK(st == MOBINFER_OK, "mobinfer_session_output(%zu): %s", i,
                   mobinfer_status_name(st));
        st = mobinfer_session_get_output(s, info.name, &t);
        fuzz_check_status(st, "mobinfer_session_get_output", mobinfer_session_last_error(s));
        FUZZ_CHECK(st == MOBINFER_OK, "output '%s' of a successful run: %s: %s", info.name,
                   mobinfer_status_name(st), mobinfer_session_last_error(s));
        FUZZ_CHECK(t.dtype == info.dtype, "output '%s': dtype %d, described as %d", info.name,
                   (int)t.dtype, (int)info.dtype);
        FUZZ_CHECK(t.rank == info.rank, "output '%s': rank %zu, described as %zu", info.name,
                   t.rank, info.rank);
        for (k = 0; k < t.rank; k++)
            FUZZ_CHECK(t.dims[k] == info.dims[k], "output '%s': dim %zu is %lld, described as %lld",
                       info.name, k, (long long)t.dims[k], (long long)info.dims[k]);
        esize = mobinfer_dtype_size(t.dtype);
        count = fuzz_elements(t.dims, t.rank);
        FUZZ_CHECK(esize > 0 && count >= 0, "output '%s': bad dtype %d or shape", info.name,
                   (int)t.dtype);
        FUZZ_CHECK(t.byte_size == (size_t)count * esize,
                   "output '%s': byte_size %zu but %lld elements of %zu bytes", info.name,
                   t.byte_size, (long long)count, esize);
        FUZZ_CHECK(t.byte_size == 0 || t.data != NULL, "output '%s': no data", info.name);
        fuzz_touch(t.data, t.byte_size);
        if (t.dtype == MOBINFER_DTYPE_BOOL && !fuzz_ignored("bool01")) {
            const unsigned char *b = t.data;
            for (k = 0; k < t.byte_size; k++)
                FUZZ_CHECK(b[k] <= 1, "bool output '%s' holds %u at %zu", info.name, b[k], k);
        }
        if (save != NULL) {
            save[i].byte_size = t.byte_size;
            save[i].data = malloc(t.byte_size ? t.byte_size : 1);
            FUZZ_CHECK(save[i].data != NULL, "out of memory");
            if (t.byte_size)
                memcpy(save[i].data, t.data, t.byte_size);
        }
        if (expect != NULL) {
            FUZZ_CHECK(expect[i].byte_size == t.byte_size &&
                           (t.byte_size == 0 || memcmp(expect[i].data, t.data, t.byte_size) == 0),
                       "output '%s' differs between two runs with the same inputs", info.name);
        }
    }
}

static void exercise_session(mobinfer_session *s)
{
    size_t i, n_in = mobinfer_session_input_count(s), n_out, n_nodes;
    uint64_t macs = 0;
    mobinfer_status st;
    saved_output *first;

    /* Describe the plan. */
    n_nodes = mobinfer_session_node_count(s);
    for (i = 0; i < n_nodes; i++) {
        mobinfer_node_info ni;
        st = mobinfer_session_node(s, i, &ni);
        FUZZ_CHECK(st == MOBINFER_OK, "mobinfer_session_node(%zu of %zu): %s", i, n_nodes,
                   mobinfer_status_name(st));
        fuzz_touch_string(ni.name);
        fuzz_touch_string(ni.op_type);
        if (ni.output.name != NULL)
            fuzz_touch_info(&ni.output, 1);
        macs = macs + ni.macs < macs ? UINT64_MAX : macs + ni.macs;
    }
    fuzz_sink += mobinfer_session_arena_bytes(s);

    /* Zero inputs of the planned shapes. */
    for (i = 0; i < n_in; i++) {
        mobinfer_value_info info;
        int64_t count;
        size_t bytes, esize;
        void *buf;
        st = mobinfer_session_input(s, i, &info);
        FUZZ_CHECK(st == MOBINFER_OK, "mobinfer_session_input(%zu): %s", i,
                   mobinfer_status_name(st));
        fuzz_touch_info(&info, 1);
        esize = mobinfer_dtype_size(info.dtype);
        count = fuzz_elements(info.dims, info.rank);
        FUZZ_CHECK(esize > 0, "input '%s' has dtype %d", info.name, (int)info.dtype);
        FUZZ_CHECK(count >= 0 && (uint64_t)count <= FUZZ_MAX_ELEMENTS,
                   "input '%s' was planned with %lld elements, above the limit", info.name,
                   (long long)count);
        bytes = (size_t)count * esize;
        buf = calloc(bytes ? bytes : 1, 1);
        FUZZ_CHECK(buf != NULL, "out of memory");
        st = mobinfer_session_set_input(s, info.name, info.dtype, info.dims, info.rank, buf, bytes);
        free(buf);
        fuzz_check_status(st, "mobinfer_session_set_input", mobinfer_session_last_error(s));
        /* Feeding exactly what the session describes must be accepted. */
        FUZZ_CHECK(st == MOBINFER_OK, "set_input('%s') with the planned shape failed: %s: %s",
                   info.name, mobinfer_status_name(st), mobinfer_session_last_error(s));
    }
    if (macs > FUZZ_MAX_MACS) {
        if (verbose())
            fprintf(stderr, "fuzz_run: %zu nodes, %llu MACs: not run\n", n_nodes,
                    (unsigned long long)macs);
        return;
    }

    st = mobinfer_session_run(s);
    fuzz_check_status(st, "mobinfer_session_run", mobinfer_session_last_error(s));
    if (verbose())
        fprintf(stderr, "fuzz_run: %zu nodes, %llu MACs: run: %s %s\n", n_nodes,
                (unsigned long long)macs, mobinfer_status_name(st),
                st ? mobinfer_session_last_error(s) : "");
    if (st != MOBINFER_OK)
        return;
    n_out = mobinfer_session_output_count(s);
    first = calloc(n_out + 1, sizeof *first);
    FUZZ_CHECK(first != NULL, "out of memory");
    check_outputs(s, first, NULL);

    st = mobinfer_session_run(s);
    fuzz_check_status(st, "mobinfer_session_run", mobinfer_session_last_error(s));
    FUZZ_CHECK(st == MOBINFER_OK, "second run failed after a successful one: %s: %s",
               mobinfer_status_name(st), mobinfer_session_last_error(s));
    check_outputs(s, NULL, first);
    for (i = 0; i < n_out; i++)
        free(first[i].data);
    free(first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mobinfer_load_options lo;
    mobinfer_session_options so;
    mobinfer_model *model = NULL;
    mobinfer_session *session = NULL;
    mobinfer_status st;

    mobinfer_load_options_init(&lo);
    tight_limits(&lo.limits);
    st = mobinfer_model_load_memory(data, size, &lo, &model);
    fuzz_check_status(st, "mobinfer_model_load_memory", st ? mobinfer_last_error() : NULL);
    if (verbose() && st != MOBINFER_OK)
        fprintf(stderr, "fuzz_run: load: %s %s\n", mobinfer_status_name(st), mobinfer_last_error());
    if (st != MOBINFER_OK)
        return 0;

    mobinfer_session_options_init(&so);
    tight_limits(&so.limits);
    st = mobinfer_session_create(model, &so, &session);
    fuzz_check_status(st, "mobinfer_session_create", st ? mobinfer_last_error() : NULL);
    if (verbose() && st != MOBINFER_OK)
        fprintf(stderr, "fuzz_run: create: %s %s\n", mobinfer_status_name(st),
                mobinfer_last_error());
    if (st == MOBINFER_OK) {
        FUZZ_CHECK(session != NULL, "session_create returned OK without a session");
        FUZZ_CHECK(mobinfer_session_arena_bytes(session) <= FUZZ_MAX_ARENA_BYTES,
                   "arena of %llu bytes above the limit of %llu",
                   (unsigned long long)mobinfer_session_arena_bytes(session),
                   (unsigned long long)FUZZ_MAX_ARENA_BYTES);
        exercise_session(session);
    }
    mobinfer_session_free(session);
    mobinfer_model_free(model);
    return 0;
}
