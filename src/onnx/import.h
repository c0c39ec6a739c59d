/* ONNX ModelProto → mbi_graph. */
#ifndef MBI_ONNX_IMPORT_H
#define MBI_ONNX_IMPORT_H

#include "onnx/tensor_proto.h"

/* Parses the model in [data, data+size) into *graph, allocating from pool.
 * Initializer data points into `data` (or into external files) where
 * alignment allows, so those bytes must outlive the graph. Nodes come out in
 * topological order. Every operator must be known to mobinfer. */
mobinfer_status mbi_onnx_import(const uint8_t *data, size_t size, const mobinfer_limits *limits,
                                const mbi_external_resolver *external, mbi_pool *pool,
                                mbi_graph *graph, mbi_error *err);

#endif
