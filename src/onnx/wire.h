/* A reader for the protobuf wire format, over a borrowed byte range. It never
 * reads outside [begin, end): every length is checked against what remains. */
#ifndef MBI_ONNX_WIRE_H
#define MBI_ONNX_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mbi_wire_type {
    MBI_WIRE_VARINT = 0,
    MBI_WIRE_FIXED64 = 1,
    MBI_WIRE_LEN = 2,
    MBI_WIRE_FIXED32 = 5
} mbi_wire_type;

typedef struct mbi_wire {
    const uint8_t *p;
    const uint8_t *end;
    bool bad; /* set on the first malformed read; later reads return nothing */
} mbi_wire;

/* One field as read by mbi_wire_next. */
typedef struct mbi_wire_field {
    uint32_t number;
    mbi_wire_type type;
    uint64_t varint;        /* VARINT, FIXED64, FIXED32 (zero-extended) */
    const uint8_t *data;    /* LEN: the bytes */
    size_t size;            /* LEN: their count */
} mbi_wire_field;

static inline mbi_wire mbi_wire_make(const void *data, size_t size)
{
    mbi_wire w;
    w.p = (const uint8_t *)data;
    w.end = w.p + size;
    w.bad = false;
    return w;
}

/* Reads the next field. Returns false at the end of the range or on
 * malformed input (then w->bad is set). Groups (wire types 3/4) are
 * malformed for ONNX. */
bool mbi_wire_next(mbi_wire *w, mbi_wire_field *f);

/* Packed or unpacked repeated scalars: the number of elements in a LEN
 * field of varints, or -1 if malformed. */
int64_t mbi_wire_count_varints(const uint8_t *data, size_t size);

/* Reads one varint from [*p, end); false if malformed or truncated. */
bool mbi_wire_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out);

static inline float mbi_wire_as_float(uint64_t bits32)
{
    union { uint32_t u; float f; } v;
    v.u = (uint32_t)bits32;
    return v.f;
}

#endif
