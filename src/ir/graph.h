/* The model's graph after import: immutable, shared by every session.
 * Strings and arrays live in the model's pool; initializer data points into
 * the mapped file where alignment allows. */
#ifndef MBI_IR_GRAPH_H
#define MBI_IR_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "core/tensor.h"

typedef enum mbi_attr_type {
    MBI_ATTR_UNDEFINED = 0,
    MBI_ATTR_FLOAT = 1,
    MBI_ATTR_INT = 2,
    MBI_ATTR_STRING = 3,
    MBI_ATTR_TENSOR = 4,
    MBI_ATTR_GRAPH = 5,
    MBI_ATTR_FLOATS = 6,
    MBI_ATTR_INTS = 7,
    MBI_ATTR_STRINGS = 8,
    MBI_ATTR_TENSORS = 9,
    MBI_ATTR_GRAPHS = 10,
    MBI_ATTR_SPARSE_TENSOR = 11,
    MBI_ATTR_SPARSE_TENSORS = 12,
    MBI_ATTR_TYPE_PROTO = 13,
    MBI_ATTR_TYPE_PROTOS = 14
} mbi_attr_type;

/* A tensor stored in the model (initializer, Constant value, attribute). */
typedef struct mbi_const_tensor {
    const char *name;
    mobinfer_dtype dtype; /* UNDEFINED if the file's type is unsupported */
    int onnx_dtype;       /* the raw TensorProto data_type, for messages */
    int rank;
    int64_t dims[MBI_MAX_RANK];
    const void *data; /* NULL for an unsupported dtype */
    size_t bytes;
} mbi_const_tensor;

typedef struct mbi_attr {
    const char *name;
    mbi_attr_type type;
    float f;
    int64_t i;
    const char *s; /* NUL-terminated copy; s_len excludes the NUL */
    size_t s_len;
    const float *floats;  /* FLOATS */
    const int64_t *ints;  /* INTS */
    const char *const *strings; /* STRINGS */
    size_t count;         /* elements of floats/ints/strings */
    const mbi_const_tensor *t; /* TENSOR */
} mbi_attr;

typedef struct mbi_node {
    const char *name;    /* never NULL; "" if the file gives none */
    const char *op_type;
    const char *domain;  /* "" for the default ONNX domain */
    int opset;           /* opset imported for the node's domain */
    int n_inputs;
    const int *inputs;   /* value indices; -1 for an omitted optional input */
    int n_outputs;
    const int *outputs;  /* value indices; -1 for an omitted optional output */
    int n_attrs;
    const mbi_attr *attrs;
} mbi_node;

typedef struct mbi_value_decl {
    const char *name;
    mobinfer_dtype dtype;  /* UNDEFINED when not declared */
    int onnx_dtype;        /* declared TensorProto type, for messages */
    int rank;              /* -1 when not declared */
    int64_t dims[MBI_MAX_RANK];      /* -1 for a symbolic/unknown dimension */
    const char *dim_names[MBI_MAX_RANK]; /* name of a symbolic dimension */
    const mbi_const_tensor *init;    /* initializer, or NULL */
    int producer;          /* node index, -1 for inputs and initializers */
} mbi_value_decl;

typedef struct mbi_graph {
    int n_values;
    mbi_value_decl *values;
    int n_nodes;
    mbi_node *nodes;
    int n_inputs;   /* graph inputs that are not initializers */
    int *inputs;
    int n_outputs;
    int *outputs;
    int64_t opset;  /* of the default domain */
    int64_t ir_version;
    size_t n_initializers;
    uint64_t initializer_elements;
    uint64_t initializer_bytes;
} mbi_graph;

#endif
