/* fuzz_tensor: bytes -> mobinfer_tensor_blob_decode (a serialized ONNX
 * TensorProto, as in the backend tests' input_0.pb) -> the tensor read back
 * -> free. Not in the original list of harnesses, but it is the library's
 * other entry point that takes untrusted bytes (the CLI's conformance
 * runner feeds it files from disk).
 *
 * Oracles: byte_size == elements * element size, the data is readable and,
 * since the bytes are documented as copied, owned by the blob (not pointing
 * into the input buffer). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "mobinfer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mobinfer_limits limits;
    mobinfer_tensor_blob *blob = NULL;
    const mobinfer_tensor *t;
    mobinfer_status st;
    int64_t count;
    size_t esize;

    mobinfer_limits_default(&limits);
    limits.max_tensor_elements = (uint64_t)1 << 20;
    limits.max_tensor_bytes = (uint64_t)16 << 20;
    st = mobinfer_tensor_blob_decode(data, size, &limits, &blob);
    fuzz_check_status(st, "mobinfer_tensor_blob_decode", st ? mobinfer_last_error() : NULL);
    if (st != MOBINFER_OK) {
        FUZZ_CHECK(blob == NULL, "failed decode left a blob");
        return 0;
    }
    FUZZ_CHECK(blob != NULL, "decode returned OK without a blob");
    t = mobinfer_tensor_blob_tensor(blob);
    FUZZ_CHECK(t != NULL, "blob without a tensor");
    fuzz_touch_string(mobinfer_tensor_blob_name(blob));
    FUZZ_CHECK(t->rank <= MOBINFER_MAX_RANK, "rank %zu", t->rank);
    if (t->rank > 0)
        fuzz_touch(t->dims, t->rank * sizeof t->dims[0]);
    esize = mobinfer_dtype_size(t->dtype);
    count = fuzz_elements(t->dims, t->rank);
    FUZZ_CHECK(esize > 0, "decoded dtype %d", (int)t->dtype);
    FUZZ_CHECK(count >= 0 && (uint64_t)count <= limits.max_tensor_elements,
               "decoded a tensor of %lld elements", (long long)count);
    FUZZ_CHECK(t->byte_size == (size_t)count * esize, "byte_size %zu for %lld x %zu",
               t->byte_size, (long long)count, esize);
    FUZZ_CHECK(t->byte_size == 0 || t->data != NULL, "no data");
    FUZZ_CHECK(t->byte_size == 0 || (uintptr_t)t->data + t->byte_size <= (uintptr_t)data ||
                   (uintptr_t)t->data >= (uintptr_t)data + size,
               "the blob's data points into the caller's buffer, which it should have copied");
    fuzz_touch(t->data, t->byte_size);
    if (t->dtype == MOBINFER_DTYPE_BOOL && !fuzz_ignored("bool01")) {
        const unsigned char *b = t->data;
        size_t i;
        for (i = 0; i < t->byte_size; i++)
            FUZZ_CHECK(b[i] <= 1, "bool element %zu holds %u", i, b[i]);
    }
    mobinfer_tensor_blob_free(blob);
    return 0;
}
