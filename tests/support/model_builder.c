#include "model_builder.h"

#include <stdlib.h>
#include <string.h>

static void put(tb_buf *b, const void *data, size_t len)
{
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len)
            cap *= 2;
        b->data = realloc(b->data, cap);
        if (!b->data)
            abort(); /* test helper: running out of memory ends the test */
        b->cap = cap;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
}

static void put_varint(tb_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    int n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    put(b, tmp, (size_t)n);
}

void tb_free(tb_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void tb_varint_field(tb_buf *b, uint32_t field, uint64_t v)
{
    put_varint(b, (uint64_t)field << 3 | 0);
    put_varint(b, v);
}

void tb_bytes_field(tb_buf *b, uint32_t field, const void *data, size_t len)
{
    put_varint(b, (uint64_t)field << 3 | 2);
    put_varint(b, len);
    put(b, data, len);
}

void tb_string_field(tb_buf *b, uint32_t field, const char *s)
{
    tb_bytes_field(b, field, s, strlen(s));
}

void tb_float_field(tb_buf *b, uint32_t field, float f)
{
    put_varint(b, (uint64_t)field << 3 | 5);
    put(b, &f, 4);
}

void tb_model_init(tb_model *m, int64_t opset)
{
    memset(m, 0, sizeof *m);
    m->opset = opset;
    m->ir_version = 8;
}

static void value_info(tb_buf *out, const char *name, int elem_type, const int64_t *dims, int rank)
{
    tb_buf shape = {0}, tensor = {0}, type = {0}, vi = {0};
    for (int i = 0; i < rank; i++) {
        tb_buf dim = {0};
        if (dims[i] >= 0)
            tb_varint_field(&dim, 1, (uint64_t)dims[i]);
        else
            tb_string_field(&dim, 2, "N");
        tb_bytes_field(&shape, 1, dim.data, dim.len);
        tb_free(&dim);
    }
    tb_varint_field(&tensor, 1, (uint64_t)elem_type);
    tb_bytes_field(&tensor, 2, shape.data, shape.len);
    tb_bytes_field(&type, 1, tensor.data, tensor.len);
    tb_string_field(&vi, 1, name);
    tb_bytes_field(&vi, 2, type.data, type.len);
    tb_free(&shape);
    tb_free(&tensor);
    tb_free(&type);
    put(out, vi.data, vi.len); /* the caller wraps it in its field */
    tb_free(&vi);
}

static void add_value_info(tb_model *m, uint32_t field, const char *name, int elem_type,
                           const int64_t *dims, int rank)
{
    tb_buf vi = {0};
    value_info(&vi, name, elem_type, dims, rank);
    tb_bytes_field(&m->graph, field, vi.data, vi.len);
    tb_free(&vi);
}

void tb_input(tb_model *m, const char *name, int elem_type, const int64_t *dims, int rank)
{
    add_value_info(m, 11, name, elem_type, dims, rank);
}

void tb_output(tb_model *m, const char *name, int elem_type, const int64_t *dims, int rank)
{
    add_value_info(m, 12, name, elem_type, dims, rank);
}

void tb_initializer(tb_model *m, const char *name, int elem_type, const int64_t *dims, int rank,
                    const void *raw, size_t raw_len)
{
    tb_buf t = {0};
    for (int i = 0; i < rank; i++)
        tb_varint_field(&t, 1, (uint64_t)dims[i]);
    tb_varint_field(&t, 2, (uint64_t)elem_type);
    tb_string_field(&t, 8, name);
    tb_bytes_field(&t, 9, raw, raw_len);
    tb_bytes_field(&m->graph, 5, t.data, t.len);
    tb_free(&t);
}

void tb_node(tb_model *m, const char *op_type, const char *name, const char *const *inputs,
             const char *const *outputs, const tb_buf *attrs)
{
    tb_buf n = {0};
    for (const char *const *p = inputs; p && *p; p++)
        tb_string_field(&n, 1, *p);
    for (const char *const *p = outputs; p && *p; p++)
        tb_string_field(&n, 2, *p);
    tb_string_field(&n, 3, name);
    tb_string_field(&n, 4, op_type);
    if (attrs)
        put(&n, attrs->data, attrs->len);
    tb_bytes_field(&m->graph, 1, n.data, n.len);
    tb_free(&n);
}

static void attr_message(tb_buf *attrs, tb_buf *a)
{
    tb_bytes_field(attrs, 5, a->data, a->len);
    tb_free(a);
}

void tb_attr_int(tb_buf *attrs, const char *name, int64_t v)
{
    tb_buf a = {0};
    tb_string_field(&a, 1, name);
    tb_varint_field(&a, 20, 2);
    tb_varint_field(&a, 3, (uint64_t)v);
    attr_message(attrs, &a);
}

void tb_attr_ints(tb_buf *attrs, const char *name, const int64_t *v, int n)
{
    tb_buf a = {0};
    tb_string_field(&a, 1, name);
    tb_varint_field(&a, 20, 7);
    for (int i = 0; i < n; i++)
        tb_varint_field(&a, 8, (uint64_t)v[i]);
    attr_message(attrs, &a);
}

void tb_attr_float(tb_buf *attrs, const char *name, float v)
{
    tb_buf a = {0};
    tb_string_field(&a, 1, name);
    tb_varint_field(&a, 20, 1);
    tb_float_field(&a, 2, v);
    attr_message(attrs, &a);
}

void tb_attr_string(tb_buf *attrs, const char *name, const char *v)
{
    tb_buf a = {0};
    tb_string_field(&a, 1, name);
    tb_varint_field(&a, 20, 3);
    tb_string_field(&a, 4, v);
    attr_message(attrs, &a);
}

void tb_model_finish(tb_model *m, tb_buf *out)
{
    tb_buf opset = {0};
    memset(out, 0, sizeof *out);
    tb_varint_field(out, 1, (uint64_t)m->ir_version);
    tb_string_field(&m->graph, 2, "test");
    tb_bytes_field(out, 7, m->graph.data, m->graph.len);
    tb_string_field(&opset, 1, "");
    tb_varint_field(&opset, 2, (uint64_t)m->opset);
    tb_bytes_field(out, 8, opset.data, opset.len);
    tb_free(&opset);
    tb_free(&m->graph);
}
