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
 *  - a third run feeds values that zeros never exercise (negative, huge and
 *    out-of-range integers for run-time indices; NaN, infinities, denormals
 *    and huge floats), picked from small tables by a hash of the input, so
 *    that run-time index checks and float-to-int conversions are reached;
 *  - MOBINFER_ERR_INTERNAL is a bug, and any failure needs a message.
 * The session options depend on a hash of the input: defaults (half of the
 * inputs), symbolic dimensions bound to 2 or 3, or every input frozen to
 * patterned values (constant_inputs), which makes constant folding run the
 * kernels at creation time.
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
#define FUZZ_MAX_MACS ((uint64_t)2 * 1000 * 1000)

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

/* Element tables for the third run. */
static const float fill_f32[] = {0.0f, 1.0f, -1.0f, 0.5f, -2.5f, 3.0f, 100.0f, -1e6f, 1e30f,
                                 -1e30f, 1e-40f, 7.0f, 1.0f / 0.0f, -1.0f / 0.0f, 0.0f / 0.0f};
static const int64_t fill_i64[] = {0, 1, -1, 2, 3, -2, 7, 100, -100, INT64_MAX, INT64_MIN,
                                   (int64_t)1 << 31, -((int64_t)1 << 31), 1 << 20};
static const int32_t fill_i32[] = {0, 1, -1, 2, 3, -2, 7, 100, -100, INT32_MAX, INT32_MIN};
static const uint8_t fill_u8[] = {0, 1, 2, 127, 128, 255};
static const int8_t fill_i8[] = {0, 1, -1, 2, 127, -128};

static void fill_pattern(mobinfer_dtype dtype, void *buf, size_t count, uint32_t seed)
{
    size_t i;
    for (i = 0; i < count; i++) {
        uint32_t h = (seed ^ (uint32_t)i) * 2654435761u;
        h ^= h >> 15;
        switch (dtype) {
        case MOBINFER_DTYPE_FLOAT32:
            ((float *)buf)[i] = fill_f32[h % (sizeof fill_f32 / sizeof fill_f32[0])];
            break;
        case MOBINFER_DTYPE_INT64:
            ((int64_t *)buf)[i] = fill_i64[h % (sizeof fill_i64 / sizeof fill_i64[0])];
            break;
        case MOBINFER_DTYPE_INT32:
            ((int32_t *)buf)[i] = fill_i32[h % (sizeof fill_i32 / sizeof fill_i32[0])];
            break;
        case MOBINFER_DTYPE_UINT8:
            ((uint8_t *)buf)[i] = fill_u8[h % sizeof fill_u8];
            break;
        case MOBINFER_DTYPE_INT8:
            ((int8_t *)buf)[i] = fill_i8[h % sizeof fill_i8];
            break;
        case MOBINFER_DTYPE_BOOL:
            ((uint8_t *)buf)[i] = (uint8_t)(h & 1);
            break;
        default:
            break;
        }
    }
}

/* Inputs frozen at creation (constant_inputs) are still listed by
 * mobinfer_session_input but refuse set_input; their names. */
static const char *frozen_names[16];
static size_t n_frozen_names;

static int is_frozen(const char *name)
{
    size_t i;
    for (i = 0; i < n_frozen_names; i++)
        if (strcmp(frozen_names[i], name) == 0)
            return 1;
    return 0;
}

/* Sets every input: zeros when pattern is 0, else values from the tables. */
static void set_inputs(mobinfer_session *s, uint32_t pattern)
{
    size_t i, n_in = mobinfer_session_input_count(s);
    mobinfer_status st;
    for (i = 0; i < n_in; i++) {
        mobinfer_value_info info;
        int64_t count;
        size_t bytes, esize;
        void *buf;
        st = mobinfer_session_input(s, i, &info);
        FUZZ_CHECK(st == MOBINFER_OK, "mobinfer_session_input(%zu): %s", i,
                   mobinfer_status_name(st));
        fuzz_touch_info(&info, 1);
        if (is_frozen(info.name))
            continue;
        esize = mobinfer_dtype_size(info.dtype);
        count = fuzz_elements(info.dims, info.rank);
        FUZZ_CHECK(esize > 0, "input '%s' has dtype %d", info.name, (int)info.dtype);
        FUZZ_CHECK(count >= 0 && (uint64_t)count <= FUZZ_MAX_ELEMENTS,
                   "input '%s' was planned with %lld elements, above the limit", info.name,
                   (long long)count);
        bytes = (size_t)count * esize;
        buf = calloc(bytes ? bytes : 1, 1);
        FUZZ_CHECK(buf != NULL, "out of memory");
        if (pattern != 0)
            fill_pattern(info.dtype, buf, (size_t)count, pattern + (uint32_t)i);
        st = mobinfer_session_set_input(s, info.name, info.dtype, info.dims, info.rank, buf, bytes);
        free(buf);
        fuzz_check_status(st, "mobinfer_session_set_input", mobinfer_session_last_error(s));
        /* Feeding exactly what the session describes must be accepted. */
        FUZZ_CHECK(st == MOBINFER_OK, "set_input('%s') with the planned shape failed: %s: %s",
                   info.name, mobinfer_status_name(st), mobinfer_session_last_error(s));
    }
}

static void exercise_session(mobinfer_session *s, uint32_t pattern)
{
    size_t i, n_out, n_nodes;
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
    set_inputs(s, 0);
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

    /* Unusual values: a run-time error is fine, a crash or INTERNAL is not. */
    set_inputs(s, pattern | 1u);
    st = mobinfer_session_run(s);
    fuzz_check_status(st, "mobinfer_session_run", mobinfer_session_last_error(s));
    if (verbose())
        fprintf(stderr, "fuzz_run: run with patterned inputs: %s %s\n", mobinfer_status_name(st),
                st ? mobinfer_session_last_error(s) : "");
    if (st == MOBINFER_OK)
        check_outputs(s, NULL, NULL);
}

/* FNV-1a of the input: the same file always gets the same patterned values. */
static uint32_t pattern_seed(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

/* Freezes every model input that has a shape (symbolic dims taken as
 * default_dim) and at most FUZZ_MAX_ELEMENTS elements to patterned values,
 * as the CLI's conformance runner does for shape-deciding inputs: constant
 * folding then runs the kernels on those values at session creation.
 * Returns the number of entries filled in values (the caller frees data). */
static size_t freeze_inputs(const mobinfer_model *model, int64_t default_dim, uint32_t seed,
                            mobinfer_input_value *values, int64_t (*dims)[MOBINFER_MAX_RANK],
                            size_t cap)
{
    size_t i, k, n = 0, n_in = mobinfer_model_input_count(model);
    for (i = 0; i < n_in && n < cap; i++) {
        mobinfer_value_info info;
        size_t esize;
        int64_t count;
        if (mobinfer_model_input(model, i, &info) != MOBINFER_OK)
            continue;
        esize = mobinfer_dtype_size(info.dtype);
        if (esize == 0 || info.rank > MOBINFER_MAX_RANK)
            continue;
        for (k = 0; k < info.rank; k++)
            dims[n][k] = info.dims[k] < 0 ? default_dim : info.dims[k];
        count = fuzz_elements(dims[n], info.rank);
        if (count < 0 || (uint64_t)count > FUZZ_MAX_ELEMENTS)
            continue;
        values[n].name = info.name;
        values[n].tensor.dtype = info.dtype;
        values[n].tensor.rank = info.rank;
        values[n].tensor.dims = dims[n];
        values[n].tensor.byte_size = (size_t)count * esize;
        values[n].tensor.data = calloc((size_t)count * esize + 1, 1);
        FUZZ_CHECK(values[n].tensor.data != NULL, "out of memory");
        fill_pattern(info.dtype, values[n].tensor.data, (size_t)count, seed + (uint32_t)i);
        n++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The session options vary with a hash of the input (so the same file is
 * always treated the same way): half of the inputs get the defaults, a
 * quarter bind symbolic dimensions to 2 or 3 instead of 1, and a quarter
 * freeze every input to patterned values (constant_inputs). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAX_FROZEN = sizeof frozen_names / sizeof frozen_names[0] };
    mobinfer_load_options lo;
    mobinfer_session_options so;
    mobinfer_model *model = NULL;
    mobinfer_session *session = NULL;
    mobinfer_input_value frozen[MAX_FROZEN];
    int64_t frozen_dims[MAX_FROZEN][MOBINFER_MAX_RANK];
    size_t n_frozen = 0, i;
    uint32_t seed = pattern_seed(data, size);
    unsigned mode = seed >> 30;
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
    if (mode == 2)
        so.default_dim_value = 2 + (seed & 1);
    if (mode == 3) {
        n_frozen = freeze_inputs(model, so.default_dim_value > 0 ? so.default_dim_value : 1,
                                 seed, frozen, frozen_dims, MAX_FROZEN);
        so.constant_inputs = frozen;
        so.num_constant_inputs = n_frozen;
    }
    if (verbose())
        fprintf(stderr, "fuzz_run: options: default_dim_value %lld, %zu inputs frozen\n",
                (long long)so.default_dim_value, n_frozen);
    st = mobinfer_session_create(model, &so, &session);
    for (i = 0; i < n_frozen; i++) {
        free(frozen[i].tensor.data); /* copied by create */
        frozen_names[i] = frozen[i].name;
    }
    n_frozen_names = n_frozen;
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
        exercise_session(session, seed);
    }
    mobinfer_session_free(session);
    mobinfer_model_free(model);
    return 0;
}
