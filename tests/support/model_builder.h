/* Builds small ONNX models in memory for tests, by writing the protobuf wire
 * format directly: tests need malformed and hostile models that no exporter
 * would produce (cycles, missing initializers, huge shapes). */
#ifndef MBI_TEST_MODEL_BUILDER_H
#define MBI_TEST_MODEL_BUILDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct tb_buf {
    uint8_t *data;
    size_t len, cap;
} tb_buf;

void tb_free(tb_buf *b);

/* Low-level field writers. */
void tb_varint_field(tb_buf *b, uint32_t field, uint64_t v);
void tb_bytes_field(tb_buf *b, uint32_t field, const void *data, size_t len);
void tb_string_field(tb_buf *b, uint32_t field, const char *s);
void tb_float_field(tb_buf *b, uint32_t field, float f);

/* Messages. */
typedef struct tb_model {
    tb_buf graph;    /* GraphProto fields written so far */
    int64_t opset;
    int64_t ir_version;
} tb_model;

void tb_model_init(tb_model *m, int64_t opset);
/* Adds a float32 graph input/output; dims < 0 write a symbolic dim named
 * "N". */
void tb_input(tb_model *m, const char *name, int elem_type, const int64_t *dims, int rank);
void tb_output(tb_model *m, const char *name, int elem_type, const int64_t *dims, int rank);
/* Adds an initializer with raw data. */
void tb_initializer(tb_model *m, const char *name, int elem_type, const int64_t *dims, int rank,
                    const void *raw, size_t raw_len);
/* Adds a node; inputs/outputs are NULL-terminated name lists; attrs is a
 * pre-encoded list of AttributeProto messages (may be NULL). */
void tb_node(tb_model *m, const char *op_type, const char *name, const char *const *inputs,
             const char *const *outputs, const tb_buf *attrs);
/* AttributeProto writers appending to attrs. */
void tb_attr_int(tb_buf *attrs, const char *name, int64_t v);
void tb_attr_ints(tb_buf *attrs, const char *name, const int64_t *v, int n);
void tb_attr_float(tb_buf *attrs, const char *name, float v);
void tb_attr_string(tb_buf *attrs, const char *name, const char *v);
/* Serializes the ModelProto into out (caller frees with tb_free). */
void tb_model_finish(tb_model *m, tb_buf *out);

/* x[1,3,8,8] → Conv 3x3 → Relu, + Conv 1x1 → Add → GlobalAveragePool →
 * Reshape (shape computed by Shape/Gather/Unsqueeze/Concat, folded) → Gemm →
 * y[1,5]. Seeded weights. */
void tb_small_cnn(tb_buf *out);

#endif
