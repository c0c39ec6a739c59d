/* Every field of mobinfer_limits, at its boundary: a model exactly at the
 * limit loads (or plans), one unit past it fails with MOBINFER_ERR_LIMIT and
 * a message naming the limit. Load-time checks name the field
 * (max_nodes, ...); session-time checks name the value of the limit. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"

enum { FLOAT = 1 };

#define FIELD(f) offsetof(mobinfer_limits, f)

static void set_field(mobinfer_limits *l, size_t offset, uint64_t v)
{
    memcpy((char *)l + offset, &v, sizeof v);
}

static mobinfer_status load_limited(const tb_buf *b, size_t field, uint64_t v, mobinfer_model **m)
{
    mobinfer_load_options lo;
    mobinfer_load_options_init(&lo);
    set_field(&lo.limits, field, v);
    *m = NULL;
    return mobinfer_model_load_memory(b->data, b->len, &lo, m);
}

/* Loads b with the field at `at` (must succeed) and at `at - 1` (must fail
 * with a message holding `want`, and `want2` if not NULL). */
static void expect_load_boundary(const char *what, const tb_buf *b, size_t field, uint64_t at,
                                 const char *want, const char *want2)
{
    mobinfer_model *m = NULL;
    mobinfer_status st = load_limited(b, field, at, &m);
    CHECK(st == MOBINFER_OK, "%s at the limit %llu: %s", what, (unsigned long long)at,
          mobinfer_last_error());
    mobinfer_model_free(m);
    st = load_limited(b, field, at - 1, &m);
    const char *msg = mobinfer_last_error();
    CHECK(st == MOBINFER_ERR_LIMIT, "%s past the limit %llu: %s (%s)", what,
          (unsigned long long)(at - 1), mobinfer_status_name(st), msg);
    CHECK(strstr(msg, want) != NULL, "%s: message lacks '%s': %s", what, want, msg);
    if (want2)
        CHECK(strstr(msg, want2) != NULL, "%s: message lacks '%s': %s", what, want2, msg);
    CHECK(m == NULL, "%s: no model on failure", what);
    if (st == MOBINFER_OK)
        mobinfer_model_free(m);
}

/* The same for a session option: the model loads with the defaults. */
static void expect_session_boundary(const char *what, const tb_buf *b, size_t field, uint64_t at)
{
    mobinfer_model *m = NULL;
    mobinfer_session *s = NULL;
    CHECK(mobinfer_model_load_memory(b->data, b->len, NULL, &m) == MOBINFER_OK, "%s: load: %s",
          what, mobinfer_last_error());
    mobinfer_session_options so;
    mobinfer_session_options_init(&so);
    set_field(&so.limits, field, at);
    mobinfer_status st = mobinfer_session_create(m, &so, &s);
    CHECK(st == MOBINFER_OK, "%s at the limit %llu: %s", what, (unsigned long long)at,
          mobinfer_last_error());
    mobinfer_session_free(s);
    s = NULL;
    set_field(&so.limits, field, at - 1);
    st = mobinfer_session_create(m, &so, &s);
    char want[64];
    snprintf(want, sizeof want, "limit of %llu", (unsigned long long)(at - 1));
    CHECK(st == MOBINFER_ERR_LIMIT, "%s past the limit: %s (%s)", what, mobinfer_status_name(st),
          mobinfer_last_error());
    CHECK(strstr(mobinfer_last_error(), want) != NULL, "%s: message lacks '%s': %s", what, want,
          mobinfer_last_error());
    CHECK(s == NULL, "%s: no session on failure", what);
    mobinfer_session_free(s);
    mobinfer_model_free(m);
}

/* x[1,4] → Relu × n (in a chain) → y */
static void relu_chain(tb_buf *out, int n)
{
    tb_model m;
    int64_t dims[] = {1, 4};
    char names[2][16], node[16];
    tb_model_init(&m, 13);
    tb_input(&m, "x", FLOAT, dims, 2);
    tb_output(&m, "y", FLOAT, dims, 2);
    for (int i = 0; i < n; i++) {
        snprintf(names[0], sizeof names[0], i == 0 ? "x" : "v%d", i - 1);
        snprintf(names[1], sizeof names[1], i == n - 1 ? "y" : "v%d", i);
        snprintf(node, sizeof node, "r%d", i);
        const char *in[] = {names[0], NULL}, *outs[] = {names[1], NULL};
        tb_node(&m, "Relu", node, in, outs, NULL);
    }
    tb_model_finish(&m, out);
}

/* x[2,3] + w1[2,3] + w2[2,3] → y: two 24-byte initializers. */
static void two_initializers(tb_buf *out)
{
    tb_model m;
    int64_t dims[] = {2, 3};
    float w[6] = {1, 2, 3, 4, 5, 6};
    tb_model_init(&m, 13);
    tb_input(&m, "x", FLOAT, dims, 2);
    tb_output(&m, "y", FLOAT, dims, 2);
    tb_initializer(&m, "w1", FLOAT, dims, 2, w, sizeof w);
    tb_initializer(&m, "w2", FLOAT, dims, 2, w, sizeof w);
    const char *a_in[] = {"x", "w1", NULL}, *a_out[] = {"a", NULL};
    const char *b_in[] = {"a", "w2", NULL}, *b_out[] = {"y", NULL};
    tb_node(&m, "Add", "add1", a_in, a_out, NULL);
    tb_node(&m, "Add", "add2", b_in, b_out, NULL);
    tb_model_finish(&m, out);
}

static void test_defaults(void)
{
    mobinfer_limits l;
    memset(&l, 0xff, sizeof l);
    mobinfer_limits_default(&l);
    CHECK(l.max_graph_depth == 65536, "default depth %llu", (unsigned long long)l.max_graph_depth);
    CHECK(l.max_nodes == 1u << 20 && l.max_graph_inputs == 4096, "defaults");
    mobinfer_session_options so;
    mobinfer_session_options_init(&so);
    CHECK(so.limits.max_graph_depth == 65536, "session options carry the defaults");
}

static void test_model_bytes(void)
{
    tb_buf b;
    relu_chain(&b, 1);
    expect_load_boundary("model bytes (memory)", &b, FIELD(max_model_bytes), b.len,
                         "max_model_bytes", NULL);

    char path[] = "/tmp/mobinfer_limits_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    CHECK(write(fd, b.data, b.len) == (ssize_t)b.len, "write");
    close(fd);
    mobinfer_load_options lo;
    mobinfer_load_options_init(&lo);
    lo.limits.max_model_bytes = b.len;
    mobinfer_model *m = NULL;
    CHECK(mobinfer_model_load(path, &lo, &m) == MOBINFER_OK, "file at the limit: %s",
          mobinfer_last_error());
    mobinfer_model_free(m);
    m = NULL;
    lo.limits.max_model_bytes = b.len - 1;
    mobinfer_status st = mobinfer_model_load(path, &lo, &m);
    CHECK(st == MOBINFER_ERR_LIMIT, "file past the limit: %s", mobinfer_status_name(st));
    CHECK(strstr(mobinfer_last_error(), "max_model_bytes") && strstr(mobinfer_last_error(), path),
          "file message: %s", mobinfer_last_error());
    unlink(path);
    tb_free(&b);
}

static void test_nodes_and_values(void)
{
    tb_buf b;
    relu_chain(&b, 3);
    expect_load_boundary("nodes", &b, FIELD(max_nodes), 3, "max_nodes", "3 nodes");
    /* x, v0, v1, y */
    expect_load_boundary("values", &b, FIELD(max_values), 4, "max_values", NULL);
    tb_free(&b);

    /* Initializers are counted before any is decoded. */
    two_initializers(&b);
    expect_load_boundary("values with initializers", &b, FIELD(max_values), 5, "max_values",
                         NULL);
    mobinfer_model *m = NULL;
    CHECK(load_limited(&b, FIELD(max_values), 1, &m) == MOBINFER_ERR_LIMIT &&
              strstr(mobinfer_last_error(), "max_values"),
          "more initializers than values: %s", mobinfer_last_error());
    tb_free(&b);
}

static void test_tensor_elements_and_bytes(void)
{
    tb_buf b;
    /* At load: the initializers, 6 float32 elements, 24 bytes each. */
    two_initializers(&b);
    expect_load_boundary("initializer elements", &b, FIELD(max_tensor_elements), 6,
                         "limit of 5", "'w1'");
    expect_load_boundary("initializer bytes per tensor", &b, FIELD(max_tensor_bytes), 24,
                         "limit of 23", "'w1'");
    tb_free(&b);

    /* At session creation: every planned value, x and y of 4 elements. */
    relu_chain(&b, 1);
    expect_session_boundary("planned elements", &b, FIELD(max_tensor_elements), 4);
    expect_session_boundary("planned bytes", &b, FIELD(max_tensor_bytes), 16);
    tb_free(&b);

    /* A shape product past int64 is a limit, never a wraparound. */
    tb_model tm;
    int64_t dims[] = {1, 4}, huge[] = {INT64_C(1) << 32, INT64_C(1) << 32, INT64_C(1) << 32};
    tb_model_init(&tm, 13);
    tb_input(&tm, "x", FLOAT, dims, 2);
    tb_output(&tm, "y", FLOAT, dims, 2);
    float one = 1;
    tb_initializer(&tm, "w", FLOAT, huge, 3, &one, sizeof one);
    const char *in[] = {"x", "w", NULL}, *out[] = {"y", NULL};
    tb_node(&tm, "Add", "add", in, out, NULL);
    tb_model_finish(&tm, &b);
    mobinfer_model *m = NULL;
    mobinfer_load_options lo;
    mobinfer_load_options_init(&lo);
    lo.limits.max_tensor_elements = UINT64_MAX; /* clamped, not wrapped to -1 */
    mobinfer_status st = mobinfer_model_load_memory(b.data, b.len, &lo, &m);
    CHECK(st == MOBINFER_ERR_LIMIT && strstr(mobinfer_last_error(), "'w'"),
          "overflowing initializer shape: %s %s", mobinfer_status_name(st), mobinfer_last_error());
    tb_free(&b);

    /* Huge limits are clamped, so a small model still plans. */
    relu_chain(&b, 1);
    CHECK(mobinfer_model_load_memory(b.data, b.len, &lo, &m) == MOBINFER_OK, "load");
    mobinfer_session_options so;
    mobinfer_session_options_init(&so);
    so.limits.max_tensor_elements = UINT64_MAX;
    so.limits.max_nodes = UINT64_MAX;
    mobinfer_session *s = NULL;
    st = mobinfer_session_create(m, &so, &s);
    CHECK(st == MOBINFER_OK, "huge limits: %s", mobinfer_last_error());
    mobinfer_session_free(s);
    mobinfer_model_free(m);
    tb_free(&b);
}

static void test_initializer_bytes(void)
{
    tb_buf b;
    two_initializers(&b);
    /* 24 + 24 bytes; the second initializer is refused before it is
     * decoded or copied, by name. */
    expect_load_boundary("initializer bytes", &b, FIELD(max_initializer_bytes), 48,
                         "max_initializer_bytes", "'w2'");
    mobinfer_model *m = NULL;
    CHECK(load_limited(&b, FIELD(max_initializer_bytes), 23, &m) == MOBINFER_ERR_LIMIT &&
              strstr(mobinfer_last_error(), "'w1'") &&
              strstr(mobinfer_last_error(), "max_initializer_bytes"),
          "first initializer: %s", mobinfer_last_error());
    /* The per-tensor limit still reports itself when it binds first. */
    mobinfer_load_options lo;
    mobinfer_load_options_init(&lo);
    lo.limits.max_tensor_bytes = 23;
    lo.limits.max_initializer_bytes = 1000;
    CHECK(mobinfer_model_load_memory(b.data, b.len, &lo, &m) == MOBINFER_ERR_LIMIT &&
              !strstr(mobinfer_last_error(), "max_initializer_bytes"),
          "tensor limit first: %s", mobinfer_last_error());
    tb_free(&b);
}

static void test_arena_bytes(void)
{
    tb_buf b;
    mobinfer_model *m = NULL;
    mobinfer_session *s = NULL;
    relu_chain(&b, 2);
    CHECK(mobinfer_model_load_memory(b.data, b.len, NULL, &m) == MOBINFER_OK, "load");
    CHECK(mobinfer_session_create(m, NULL, &s) == MOBINFER_OK, "session: %s",
          mobinfer_last_error());
    uint64_t arena = mobinfer_session_arena_bytes(s);
    mobinfer_session_free(s);
    mobinfer_model_free(m);
    CHECK(arena > 0, "arena %llu", (unsigned long long)arena);
    if (arena > 0)
        expect_session_boundary("arena", &b, FIELD(max_arena_bytes), arena);
    tb_free(&b);
}

static void attr_string(tb_buf *attrs, const char *name, const char *v)
{
    tb_buf a = {0};
    tb_string_field(&a, 1, name);
    tb_varint_field(&a, 20, 3);
    tb_string_field(&a, 4, v);
    tb_bytes_field(attrs, 5, a.data, a.len);
    tb_free(&a);
}

static void attr_strings(tb_buf *attrs, const char *name, const char *const *v, int n)
{
    tb_buf a = {0};
    tb_string_field(&a, 1, name);
    tb_varint_field(&a, 20, 8);
    for (int i = 0; i < n; i++)
        tb_string_field(&a, 9, v[i]);
    tb_bytes_field(attrs, 5, a.data, a.len);
    tb_free(&a);
}

/* Packed, as exporters write them. */
static void attr_floats(tb_buf *attrs, const char *name, const float *v, int n)
{
    tb_buf a = {0};
    tb_string_field(&a, 1, name);
    tb_varint_field(&a, 20, 6);
    tb_bytes_field(&a, 7, v, (size_t)n * sizeof *v);
    tb_bytes_field(attrs, 5, a.data, a.len);
    tb_free(&a);
}

/* x → op (with attrs) → y; every name is short so that only the attribute
 * meets the limit. Attributes mobinfer does not use are kept at load. */
static void one_node(tb_buf *out, const char *op, const char *x, const tb_buf *attrs)
{
    tb_model m;
    int64_t dims[] = {1, 4};
    tb_model_init(&m, 13);
    tb_input(&m, x, FLOAT, dims, 2);
    tb_output(&m, "y", FLOAT, dims, 2);
    const char *in[] = {x, NULL}, *outs[] = {"y", NULL};
    tb_node(&m, op, "n", in, outs, attrs);
    tb_model_finish(&m, out);
}

static void test_attribute_elements(void)
{
    tb_buf b, attrs = {0};
    int64_t ints[6] = {1, 2, 3, 4, 5, 6};
    tb_attr_ints(&attrs, "k", ints, 6);
    one_node(&b, "Neg", "x", &attrs);
    expect_load_boundary("ints attribute", &b, FIELD(max_attribute_elements), 6,
                         "max_attribute_elements", "'k'");
    tb_free(&b);
    tb_free(&attrs);

    float floats[7] = {0};
    attr_floats(&attrs, "f", floats, 7);
    one_node(&b, "Neg", "x", &attrs);
    expect_load_boundary("packed floats attribute", &b, FIELD(max_attribute_elements), 7,
                         "max_attribute_elements", "7 elements");
    tb_free(&b);
    tb_free(&attrs);

    attr_string(&attrs, "s", "abcdefghij");
    one_node(&b, "Relu", "x", &attrs);
    expect_load_boundary("string attribute", &b, FIELD(max_attribute_elements), 10,
                         "max_attribute_elements", "10 bytes");
    tb_free(&b);
    tb_free(&attrs);

    const char *three[] = {"a", "b", "c"};
    attr_strings(&attrs, "s", three, 3);
    one_node(&b, "Neg", "x", &attrs);
    expect_load_boundary("strings attribute count", &b, FIELD(max_attribute_elements), 3,
                         "max_attribute_elements", NULL);
    tb_free(&b);
    tb_free(&attrs);

    const char *long_one[] = {"a", "abcdefghi"};
    attr_strings(&attrs, "s", long_one, 2);
    one_node(&b, "Relu", "x", &attrs);
    expect_load_boundary("strings attribute length", &b, FIELD(max_attribute_elements), 9,
                         "max_attribute_elements", "9 bytes");
    tb_free(&b);
    tb_free(&attrs);

    /* Names are strings too: too long is a limit, not a malformed file. */
    one_node(&b, "Relu", "a_long_input_name", NULL);
    expect_load_boundary("value name", &b, FIELD(max_attribute_elements), 17,
                         "max_attribute_elements", "name");
    tb_free(&b);
}

static void test_graph_inputs_and_outputs(void)
{
    tb_model tm;
    tb_buf b;
    int64_t dims[] = {1, 4};
    tb_model_init(&tm, 13);
    tb_input(&tm, "a", FLOAT, dims, 2);
    tb_input(&tm, "b", FLOAT, dims, 2);
    tb_input(&tm, "c", FLOAT, dims, 2);
    tb_output(&tm, "y", FLOAT, dims, 2);
    const char *in[] = {"a", "b", "c", NULL}, *out[] = {"y", NULL};
    tb_node(&tm, "Sum", "sum", in, out, NULL);
    tb_model_finish(&tm, &b);
    expect_load_boundary("graph inputs", &b, FIELD(max_graph_inputs), 3, "max_graph_inputs",
                         "3 inputs");
    tb_free(&b);

    tb_model_init(&tm, 13);
    tb_input(&tm, "x", FLOAT, dims, 2);
    tb_output(&tm, "y1", FLOAT, dims, 2);
    tb_output(&tm, "y2", FLOAT, dims, 2);
    const char *x[] = {"x", NULL}, *y1[] = {"y1", NULL}, *y2[] = {"y2", NULL};
    tb_node(&tm, "Relu", "r1", x, y1, NULL);
    tb_node(&tm, "Neg", "r2", x, y2, NULL);
    tb_model_finish(&tm, &b);
    expect_load_boundary("graph outputs", &b, FIELD(max_graph_inputs), 2, "max_graph_inputs",
                         "2 outputs");
    tb_free(&b);
}

static void test_graph_depth(void)
{
    /* x → r0 → r1 → r2 → r3 → r4 ─┐
     * x → side ──────────────────── Add → y: 7 nodes, 6 deep. Written in
     * reverse so the depth is measured on the sorted graph. */
    tb_model tm;
    tb_buf b;
    int64_t dims[] = {1, 4};
    tb_model_init(&tm, 13);
    tb_input(&tm, "x", FLOAT, dims, 2);
    tb_output(&tm, "y", FLOAT, dims, 2);
    const char *add_in[] = {"v4", "s", NULL}, *add_out[] = {"y", NULL};
    tb_node(&tm, "Add", "join", add_in, add_out, NULL);
    for (int i = 4; i >= 0; i--) {
        char a[8], c[8], name[8];
        snprintf(a, sizeof a, i == 0 ? "x" : "v%d", i - 1);
        snprintf(c, sizeof c, "v%d", i);
        snprintf(name, sizeof name, "r%d", i);
        const char *in[] = {a, NULL}, *out[] = {c, NULL};
        tb_node(&tm, "Relu", name, in, out, NULL);
    }
    const char *s_in[] = {"x", NULL}, *s_out[] = {"s", NULL};
    tb_node(&tm, "Neg", "side", s_in, s_out, NULL);
    tb_model_finish(&tm, &b);
    expect_load_boundary("graph depth", &b, FIELD(max_graph_depth), 6, "max_graph_depth",
                         "'join' (Add, output 'y') is 6 nodes deep");
    tb_free(&b);

    /* A long chain under the default limit loads (and is cheap to measure);
     * the same chain with a lower limit names the first node past it. */
    relu_chain(&b, 3000);
    expect_load_boundary("long chain", &b, FIELD(max_graph_depth), 3000, "max_graph_depth",
                         "'r2999'");
    mobinfer_model *m = NULL;
    CHECK(load_limited(&b, FIELD(max_graph_depth), 0, &m) == MOBINFER_OK,
          "zero means the default: %s", mobinfer_last_error());
    mobinfer_model_free(m);
    tb_free(&b);
}

int main(void)
{
    test_defaults();
    test_model_bytes();
    test_nodes_and_values();
    test_tensor_elements_and_bytes();
    test_initializer_bytes();
    test_arena_bytes();
    test_attribute_elements();
    test_graph_inputs_and_outputs();
    test_graph_depth();
    return check_summary();
}
