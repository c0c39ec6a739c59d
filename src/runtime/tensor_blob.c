#include <stdlib.h>
#include <string.h>

#include "onnx/tensor_proto.h"
#include "runtime/model.h"

struct mobinfer_tensor_blob {
    mbi_pool pool;
    mobinfer_tensor tensor;
    int64_t dims[MBI_MAX_RANK];
    const char *name;
};

mobinfer_status mobinfer_tensor_blob_decode(const void *bytes, size_t size,
                                            const mobinfer_limits *limits,
                                            mobinfer_tensor_blob **out)
{
    mbi_error err;
    mbi_error_clear(&err);
    if (!out || (!bytes && size)) {
        mbi_fail(&err, MOBINFER_ERR_INVALID_ARGUMENT, "mobinfer_tensor_blob_decode: bad arguments");
        return mbi_set_thread_error(&err);
    }
    *out = NULL;
    mobinfer_limits lim;
    if (limits)
        lim = *limits;
    else
        memset(&lim, 0, sizeof lim);
    mbi_limits_resolve(&lim);
    mobinfer_tensor_blob *b = calloc(1, sizeof *b);
    if (!b) {
        mbi_fail(&err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return mbi_set_thread_error(&err);
    }
    mbi_pool_init(&b->pool);
    mbi_tensor_decoder d = {&b->pool, &lim, NULL, true, &err};
    mbi_const_tensor t;
    mobinfer_status st = mbi_onnx_decode_tensor(&d, bytes, size, &t);
    if (!st && t.dtype == MOBINFER_DTYPE_UNDEFINED)
        st = mbi_fail(&err, MOBINFER_ERR_UNSUPPORTED, "tensor '%s' has element type %s, which "
                      "mobinfer does not support", t.name, mbi_onnx_dtype_name(t.onnx_dtype));
    if (st) {
        mobinfer_tensor_blob_free(b);
        return mbi_set_thread_error(&err);
    }
    memcpy(b->dims, t.dims, sizeof b->dims);
    b->name = t.name;
    b->tensor.dtype = t.dtype;
    b->tensor.rank = (size_t)t.rank;
    b->tensor.dims = b->dims;
    b->tensor.data = (void *)t.data;
    b->tensor.byte_size = t.bytes;
    *out = b;
    return MOBINFER_OK;
}

const mobinfer_tensor *mobinfer_tensor_blob_tensor(const mobinfer_tensor_blob *blob)
{
    return blob ? &blob->tensor : NULL;
}

const char *mobinfer_tensor_blob_name(const mobinfer_tensor_blob *blob)
{
    return blob ? blob->name : "";
}

void mobinfer_tensor_blob_free(mobinfer_tensor_blob *blob)
{
    if (!blob)
        return;
    mbi_pool_destroy(&blob->pool);
    free(blob);
}
