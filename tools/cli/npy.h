/*
 * NumPy .npy files: the exchange format between the CLI and Python.
 *
 * Supported: format versions 1.0, 2.0 and 3.0; little-endian (or
 * byte-order-free) dtypes f4, i8, i4, u1, i1, b1; C order. Everything else
 * is rejected with a message saying what was found.
 *
 * The parser works on bytes, not files, so that a fuzzer can drive it; it
 * trusts nothing in the header: every length is checked against the buffer,
 * the data size must equal what the header promises, and no allocation
 * exceeds the caller's cap.
 */
#ifndef MOBINFER_CLI_NPY_H
#define MOBINFER_CLI_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "mobinfer.h"

/* Headers longer than this are rejected before they are parsed. NumPy never
 * writes more than a few hundred bytes for the ranks mobinfer accepts. */
#define NPY_MAX_HEADER_BYTES 65536u

typedef struct npy_header {
    mobinfer_dtype dtype;
    size_t rank;                      /* 0 for a scalar */
    int64_t dims[MOBINFER_MAX_RANK];
    size_t count;                     /* elements: product of dims */
    size_t byte_size;                 /* count * element size */
    size_t data_offset;               /* where the data starts in the file */
} npy_header;

typedef struct npy_array {
    npy_header header;
    void *data; /* owned: free with npy_array_free; never NULL after success */
} npy_array;

/* Parses the header of the .npy bytes in (bytes, size) and checks that the
 * data that follows has exactly header.byte_size bytes, which must not exceed
 * max_bytes. Returns 0, or -1 with a message in err (errlen may be 0). */
int npy_parse_header(const void *bytes, size_t size, size_t max_bytes, npy_header *out,
                     char *err, size_t errlen);

/* npy_parse_header, then copies the data into an aligned buffer of its own
 * (bool elements are normalised to 0/1). On failure *out is zeroed. */
int npy_parse(const void *bytes, size_t size, size_t max_bytes, npy_array *out, char *err,
              size_t errlen);

void npy_array_free(npy_array *array);

/* Writes the header for an array into buf (capacity cap): version 1.0 when
 * it fits, else 2.0, padded to a multiple of 64 bytes as NumPy does.
 * Returns the header length, or 0 if the dtype is unsupported, the rank is
 * above MOBINFER_MAX_RANK, a dimension is negative or buf is too small. */
size_t npy_format_header(mobinfer_dtype dtype, const int64_t *dims, size_t rank, char *buf,
                         size_t cap);

/* Writes a whole .npy file. byte_size must equal the element count times the
 * element size. Returns 0, or -1 with a message in err (errno-based for I/O). */
int npy_write_file(const char *path, mobinfer_dtype dtype, const int64_t *dims, size_t rank,
                   const void *data, size_t byte_size, char *err, size_t errlen);

/* The .npy descr of a dtype ("<f4", "|u1", ...), or NULL if unsupported. */
const char *npy_descr(mobinfer_dtype dtype);

#endif
