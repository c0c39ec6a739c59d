/* fuzz_npy: bytes -> the CLI's .npy parser (tools/cli/npy.c).
 *
 * Oracles beyond the sanitizers: on success the header's numbers must agree
 * (dims multiply to count, count * element size = byte_size, the data fills
 * the rest of the buffer exactly), bools are normalised to 0/1, and the
 * array survives a round trip through npy_format_header + npy_parse. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "npy.h"

/* The CLI passes the session's max_tensor_bytes; a small cap here keeps the
 * copies cheap while still exercising the check. */
#define FUZZ_NPY_MAX_BYTES ((size_t)1 << 20)

static size_t elem_size(mobinfer_dtype dtype)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: return 4;
    case MOBINFER_DTYPE_INT64: return 8;
    case MOBINFER_DTYPE_INT32: return 4;
    case MOBINFER_DTYPE_UINT8: return 1;
    case MOBINFER_DTYPE_INT8: return 1;
    case MOBINFER_DTYPE_BOOL: return 1;
    default: return 0;
    }
}

static void check_header(const npy_header *h, size_t size)
{
    size_t i, count = 1, esize = elem_size(h->dtype);
    FUZZ_CHECK(esize > 0, "accepted dtype %d", (int)h->dtype);
    FUZZ_CHECK(h->rank <= MOBINFER_MAX_RANK, "accepted rank %zu", h->rank);
    for (i = 0; i < h->rank; i++) {
        FUZZ_CHECK(h->dims[i] >= 0, "accepted dim %lld", (long long)h->dims[i]);
        count *= (size_t)h->dims[i];
    }
    FUZZ_CHECK(count == h->count, "dims multiply to %zu, header says %zu", count, h->count);
    FUZZ_CHECK(h->byte_size == h->count * esize, "byte_size %zu for %zu x %zu", h->byte_size,
               h->count, esize);
    FUZZ_CHECK(h->byte_size <= FUZZ_NPY_MAX_BYTES, "byte_size %zu above the cap", h->byte_size);
    FUZZ_CHECK(h->data_offset <= size && size - h->data_offset == h->byte_size,
               "data_offset %zu + byte_size %zu != file size %zu", h->data_offset, h->byte_size,
               size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    npy_header h;
    npy_array arr, again;
    int rc_header, rc;
    size_t i;

    err[0] = '\0';
    /* Without an error buffer: the parser must not write a message. */
    rc_header = npy_parse_header(data, size, FUZZ_NPY_MAX_BYTES, &h, NULL, 0);
    rc = npy_parse(data, size, FUZZ_NPY_MAX_BYTES, &arr, err, sizeof err);
    FUZZ_CHECK(rc == rc_header, "npy_parse %d but npy_parse_header %d", rc, rc_header);
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL, "unterminated message");
    if (rc != 0) {
        FUZZ_CHECK(err[0] != '\0', "failure without a message");
        FUZZ_CHECK(arr.data == NULL, "failure left data allocated");
        return 0;
    }
    FUZZ_CHECK(arr.data != NULL, "success without data");
    FUZZ_CHECK(memcmp(&h, &arr.header, sizeof h) == 0, "the two parsers disagree");
    check_header(&arr.header, size);
    fuzz_touch(arr.data, arr.header.byte_size);
    if (arr.header.dtype == MOBINFER_DTYPE_BOOL)
        for (i = 0; i < arr.header.byte_size; i++)
            FUZZ_CHECK(((unsigned char *)arr.data)[i] <= 1, "bool not normalised");
    else if (arr.header.byte_size > 0)
        FUZZ_CHECK(memcmp(arr.data, data + arr.header.data_offset, arr.header.byte_size) == 0,
                   "data not copied verbatim");

    /* Round trip: write a header for what was read, parse it back. */
    {
        char header[512];
        size_t hlen = npy_format_header(arr.header.dtype, arr.header.dims, arr.header.rank, header,
                                        sizeof header);
        unsigned char *file;
        FUZZ_CHECK(hlen > 0 && hlen % 64 == 0, "npy_format_header gave %zu", hlen);
        file = malloc(hlen + arr.header.byte_size);
        FUZZ_CHECK(file != NULL, "out of memory");
        memcpy(file, header, hlen);
        if (arr.header.byte_size > 0)
            memcpy(file + hlen, arr.data, arr.header.byte_size);
        rc = npy_parse(file, hlen + arr.header.byte_size, FUZZ_NPY_MAX_BYTES, &again, err,
                       sizeof err);
        FUZZ_CHECK(rc == 0, "re-reading a written header failed: %s", err);
        FUZZ_CHECK(again.header.dtype == arr.header.dtype && again.header.rank == arr.header.rank &&
                       memcmp(again.header.dims, arr.header.dims,
                              arr.header.rank * sizeof arr.header.dims[0]) == 0 &&
                       again.header.byte_size == arr.header.byte_size,
                   "round trip changed the header");
        FUZZ_CHECK(arr.header.byte_size == 0 ||
                       memcmp(again.data, arr.data, arr.header.byte_size) == 0,
                   "round trip changed the data");
        npy_array_free(&again);
        free(file);
    }
    npy_array_free(&arr);
    FUZZ_CHECK(arr.data == NULL, "npy_array_free left a pointer");
    return 0;
}
