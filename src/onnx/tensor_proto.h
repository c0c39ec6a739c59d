/* Decoding of ONNX TensorProto messages (initializers, Constant values,
 * tensor attributes, and the backend tests' .pb files). */
#ifndef MBI_ONNX_TENSOR_PROTO_H
#define MBI_ONNX_TENSOR_PROTO_H

#include "core/error.h"
#include "core/pool.h"
#include "ir/graph.h"

/* Maps an external data file named by a tensor (the `location` entry,
 * relative to the model's directory). */
typedef struct mbi_external_resolver {
    void *user;
    mobinfer_status (*map)(void *user, const char *location, const uint8_t **data, size_t *size,
                           mbi_error *err);
} mbi_external_resolver;

typedef struct mbi_tensor_decoder {
    mbi_pool *pool;
    const mobinfer_limits *limits;
    const mbi_external_resolver *external; /* NULL: external data is an error */
    /* When true the data is always copied into the pool (the bytes are not
     * kept alive by the caller). */
    bool copy_data;
    mbi_error *err;
} mbi_tensor_decoder;

/* Decodes one TensorProto. For element types mobinfer does not compute with,
 * out->dtype is UNDEFINED, out->onnx_dtype tells which, and out->data is
 * NULL; shapes are still validated. */
mobinfer_status mbi_onnx_decode_tensor(const mbi_tensor_decoder *d, const uint8_t *bytes,
                                       size_t size, mbi_const_tensor *out);

/* Name of an ONNX TensorProto.DataType for messages ("float16", ...). */
const char *mbi_onnx_dtype_name(int onnx_dtype);

#endif
