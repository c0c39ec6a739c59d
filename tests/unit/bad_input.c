/* Bad input never crashes the engine: each case gets a status and a message
 * that names the problem. Runs under ASan/UBSan in CI. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"

enum { FLOAT = 1, INT64 = 7 };

static const char *const no_names[] = {NULL};

static mobinfer_status load(const tb_buf *b, mobinfer_model **m)
{
    return mobinfer_model_load_memory(b->data, b->len, NULL, m);
}

/* x[1,4] → Relu → y */
static void relu_model(tb_buf *out, int64_t opset, const char *op)
{
    tb_model m;
    int64_t dims[] = {1, 4};
    tb_model_init(&m, opset);
    tb_input(&m, "x", FLOAT, dims, 2);
    tb_output(&m, "y", FLOAT, dims, 2);
    const char *in[] = {"x", NULL}, *outs[] = {"y", NULL};
    tb_node(&m, op, "the_node", in, outs, NULL);
    tb_model_finish(&m, out);
}

static void test_missing_and_empty_files(void)
{
    mobinfer_model *m = NULL;
    mobinfer_status st = mobinfer_model_load("/nonexistent/dir/model.onnx", NULL, &m);
    CHECK(st == MOBINFER_ERR_IO, "missing file: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_last_error(), "/nonexistent/dir/model.onnx") != NULL, "message: %s",
          mobinfer_last_error());
    CHECK(m == NULL, "no model on failure");

    char path[] = "/tmp/mobinfer_empty_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    close(fd);
    st = mobinfer_model_load(path, NULL, &m);
    CHECK(st == MOBINFER_ERR_PARSE, "empty file: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_last_error(), "empty") != NULL, "message: %s", mobinfer_last_error());
    unlink(path);

    st = mobinfer_model_load("/tmp", NULL, &m);
    CHECK(st == MOBINFER_ERR_IO, "directory: %s", mobinfer_status_name(st));
    CHECK(mobinfer_model_load(NULL, NULL, &m) == MOBINFER_ERR_INVALID_ARGUMENT, "NULL path");
}

static void test_truncated_and_random(void)
{
    tb_buf b;
    relu_model(&b, 13, "Relu");
    mobinfer_model *m = NULL;
    /* Every proper prefix must fail cleanly (or, rarely, parse as a smaller
     * valid message and then fail validation). */
    int crashed_or_loaded = 0;
    for (size_t len = 1; len < b.len; len++) {
        mobinfer_status st = mobinfer_model_load_memory(b.data, len, NULL, &m);
        if (st == MOBINFER_OK) {
            crashed_or_loaded++;
            mobinfer_model_free(m);
            m = NULL;
        } else {
            CHECK(mobinfer_last_error()[0] != '\0', "truncated at %zu: empty message", len);
        }
    }
    CHECK(crashed_or_loaded == 0, "%d truncated prefixes loaded", crashed_or_loaded);
    tb_free(&b);

    uint32_t seed = 12345;
    uint8_t bytes[512];
    for (int round = 0; round < 2000; round++) {
        size_t len = 1 + (size_t)(round % 511);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1664525u + 1013904223u;
            bytes[i] = (uint8_t)(seed >> 24);
        }
        mobinfer_status st = mobinfer_model_load_memory(bytes, len, NULL, &m);
        CHECK(st != MOBINFER_OK, "random bytes loaded (round %d)", round);
        if (st == MOBINFER_OK)
            mobinfer_model_free(m);
        m = NULL;
    }
}

static void test_unknown_operator_and_opset(void)
{
    tb_buf b;
    mobinfer_model *m = NULL;
    relu_model(&b, 13, "FancyNewOp");
    mobinfer_status st = load(&b, &m);
    CHECK(st == MOBINFER_ERR_UNSUPPORTED, "unknown op: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_last_error(), "FancyNewOp") && strstr(mobinfer_last_error(), "the_node"),
          "message names op and node: %s", mobinfer_last_error());
    tb_free(&b);

    relu_model(&b, MOBINFER_MAX_OPSET + 5, "Relu");
    st = load(&b, &m);
    CHECK(st == MOBINFER_ERR_UNSUPPORTED, "new opset: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_last_error(), "opset") != NULL, "message: %s", mobinfer_last_error());
    tb_free(&b);
}

static void test_cycle_and_missing_initializer(void)
{
    tb_model tm;
    tb_buf b;
    mobinfer_model *m = NULL;
    int64_t dims[] = {1, 4};
    tb_model_init(&tm, 13);
    tb_input(&tm, "x", FLOAT, dims, 2);
    tb_output(&tm, "y", FLOAT, dims, 2);
    const char *a_in[] = {"x", "c", NULL}, *a_out[] = {"a", NULL};
    const char *c_in[] = {"a", NULL}, *c_out[] = {"c", NULL};
    const char *y_in[] = {"a", NULL}, *y_out[] = {"y", NULL};
    tb_node(&tm, "Add", "add_node", a_in, a_out, NULL);
    tb_node(&tm, "Relu", "relu_node", c_in, c_out, NULL);
    tb_node(&tm, "Relu", "out_node", y_in, y_out, NULL);
    tb_model_finish(&tm, &b);
    mobinfer_status st = load(&b, &m);
    CHECK(st == MOBINFER_ERR_INVALID_MODEL, "cycle: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_last_error(), "cycle") != NULL, "message: %s", mobinfer_last_error());
    tb_free(&b);

    tb_model_init(&tm, 13);
    tb_input(&tm, "x", FLOAT, dims, 2);
    tb_output(&tm, "y", FLOAT, dims, 2);
    const char *in[] = {"x", "weights", NULL}, *out[] = {"y", NULL};
    tb_node(&tm, "Add", "add_node", in, out, NULL);
    tb_model_finish(&tm, &b);
    st = load(&b, &m);
    CHECK(st == MOBINFER_ERR_INVALID_MODEL, "missing initializer: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_last_error(), "weights") && strstr(mobinfer_last_error(), "add_node"),
          "message: %s", mobinfer_last_error());
    tb_free(&b);
}

static void test_overflowing_shapes(void)
{
    tb_model tm;
    tb_buf b;
    mobinfer_model *m = NULL;
    /* A declared input whose element count overflows int64. */
    int64_t huge[] = {INT64_C(1) << 40, INT64_C(1) << 40, 16};
    tb_model_init(&tm, 13);
    tb_input(&tm, "x", FLOAT, huge, 3);
    tb_output(&tm, "y", FLOAT, huge, 3);
    const char *in[] = {"x", NULL}, *out[] = {"y", NULL};
    tb_node(&tm, "Relu", "relu", in, out, NULL);
    tb_model_finish(&tm, &b);
    mobinfer_status st = load(&b, &m);
    CHECK(st == MOBINFER_OK, "load: %s", mobinfer_last_error());
    mobinfer_session *s = NULL;
    st = mobinfer_session_create(m, NULL, &s);
    CHECK(st == MOBINFER_ERR_LIMIT, "overflow: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_last_error(), "'x'") != NULL, "message names tensor: %s",
          mobinfer_last_error());
    CHECK(s == NULL, "no session");
    mobinfer_model_free(m);
    tb_free(&b);

    /* An initializer that claims more data than it has. */
    tb_model_init(&tm, 13);
    int64_t dims[] = {1, 4}, wdims[] = {1000000, 1000000};
    float four[4] = {0};
    tb_input(&tm, "x", FLOAT, dims, 2);
    tb_output(&tm, "y", FLOAT, dims, 2);
    tb_initializer(&tm, "w", FLOAT, wdims, 2, four, sizeof four);
    const char *ain[] = {"x", "w", NULL};
    tb_node(&tm, "Add", "add", ain, out, NULL);
    tb_model_finish(&tm, &b);
    st = load(&b, &m);
    CHECK(st == MOBINFER_ERR_PARSE || st == MOBINFER_ERR_LIMIT, "short initializer: %s",
          mobinfer_status_name(st));
    CHECK(strstr(mobinfer_last_error(), "'w'") != NULL, "message: %s", mobinfer_last_error());
    tb_free(&b);

    /* Limits apply at and just past their boundary. */
    mobinfer_load_options lo;
    mobinfer_load_options_init(&lo);
    lo.limits.max_tensor_elements = 3;
    relu_model(&b, 13, "Relu");
    st = mobinfer_model_load_memory(b.data, b.len, &lo, &m);
    CHECK(st == MOBINFER_OK, "load with small limits: %s", mobinfer_last_error());
    mobinfer_session_options so;
    mobinfer_session_options_init(&so);
    so.limits.max_tensor_elements = 3;
    st = mobinfer_session_create(m, &so, &s);
    CHECK(st == MOBINFER_ERR_LIMIT, "element limit: %s", mobinfer_status_name(st));
    so.limits.max_tensor_elements = 4;
    st = mobinfer_session_create(m, &so, &s);
    CHECK(st == MOBINFER_OK, "at the element limit: %s", mobinfer_last_error());
    mobinfer_session_free(s);
    s = NULL;
    so.limits.max_tensor_elements = 0;
    so.limits.max_arena_bytes = 16; /* x and y need 64-byte blocks each */
    st = mobinfer_session_create(m, &so, &s);
    CHECK(st == MOBINFER_ERR_LIMIT, "arena limit: %s", mobinfer_status_name(st));
    mobinfer_model_free(m);
    tb_free(&b);

    lo.limits.max_nodes = 0;
    lo.limits.max_model_bytes = 10;
    relu_model(&b, 13, "Relu");
    st = mobinfer_model_load_memory(b.data, b.len, &lo, &m);
    CHECK(st == MOBINFER_ERR_LIMIT, "model byte limit: %s", mobinfer_status_name(st));
    tb_free(&b);
}

static void test_wrong_inputs_at_run_time(void)
{
    tb_buf b;
    mobinfer_model *m = NULL;
    mobinfer_session *s = NULL;
    relu_model(&b, 13, "Relu");
    CHECK(load(&b, &m) == MOBINFER_OK, "load: %s", mobinfer_last_error());
    CHECK(mobinfer_session_create(m, NULL, &s) == MOBINFER_OK, "session: %s", mobinfer_last_error());
    float x[4] = {-1, 2, -3, 4};
    int64_t good[] = {1, 4}, bad[] = {2, 2};
    mobinfer_status st = mobinfer_session_run(s);
    CHECK(st == MOBINFER_ERR_INPUT, "run without inputs: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_session_last_error(s), "'x'") != NULL, "message: %s",
          mobinfer_session_last_error(s));
    st = mobinfer_session_set_input(s, "x", MOBINFER_DTYPE_FLOAT32, bad, 2, x, sizeof x);
    CHECK(st == MOBINFER_ERR_INPUT, "wrong shape: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_session_last_error(s), "[1,4]") != NULL, "message: %s",
          mobinfer_session_last_error(s));
    st = mobinfer_session_set_input(s, "x", MOBINFER_DTYPE_INT64, good, 2, x, sizeof x);
    CHECK(st == MOBINFER_ERR_INPUT, "wrong type: %s", mobinfer_status_name(st));
    st = mobinfer_session_set_input(s, "nope", MOBINFER_DTYPE_FLOAT32, good, 2, x, sizeof x);
    CHECK(st == MOBINFER_ERR_INVALID_ARGUMENT, "unknown name: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_session_last_error(s), "nope") != NULL, "message: %s",
          mobinfer_session_last_error(s));
    st = mobinfer_session_set_input(s, "x", MOBINFER_DTYPE_FLOAT32, good, 2, x, sizeof x);
    CHECK(st == MOBINFER_OK, "good input: %s", mobinfer_session_last_error(s));
    CHECK(mobinfer_session_run(s) == MOBINFER_OK, "run: %s", mobinfer_session_last_error(s));
    mobinfer_tensor y;
    CHECK(mobinfer_session_get_output(s, "y", &y) == MOBINFER_OK, "output");
    const float *yv = y.data;
    CHECK(yv[0] == 0 && yv[1] == 2 && yv[2] == 0 && yv[3] == 4, "relu values");
    mobinfer_session_free(s);
    mobinfer_model_free(m);
    tb_free(&b);
    mobinfer_session_free(NULL);
    mobinfer_model_free(NULL);
    (void)no_names;
}

int main(void)
{
    test_missing_and_empty_files();
    test_truncated_and_random();
    test_unknown_operator_and_opset();
    test_cycle_and_missing_initializer();
    test_overflowing_shapes();
    test_wrong_inputs_at_run_time();
    return check_summary();
}
