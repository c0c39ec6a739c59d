#include "onnx/wire.h"

bool mbi_wire_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    const uint8_t *q = *p;
    for (int shift = 0; shift < 70; shift += 7) {
        if (q >= end)
            return false;
        uint8_t b = *q++;
        if (shift == 63 && (b & 0x7e))
            return false; /* more than 64 bits */
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *p = q;
            *out = v;
            return true;
        }
    }
    return false;
}

static bool read_fixed(mbi_wire *w, int bytes, uint64_t *out)
{
    if (w->end - w->p < bytes)
        return false;
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)w->p[i] << (8 * i);
    w->p += bytes;
    *out = v;
    return true;
}

bool mbi_wire_next(mbi_wire *w, mbi_wire_field *f)
{
    if (w->bad || w->p >= w->end)
        return false;
    uint64_t key;
    if (!mbi_wire_read_varint(&w->p, w->end, &key))
        goto malformed;
    f->number = (uint32_t)(key >> 3);
    if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
        goto malformed;
    f->type = (mbi_wire_type)(key & 7);
    f->varint = 0;
    f->data = NULL;
    f->size = 0;
    switch (f->type) {
    case MBI_WIRE_VARINT:
        if (!mbi_wire_read_varint(&w->p, w->end, &f->varint))
            goto malformed;
        return true;
    case MBI_WIRE_FIXED64:
        if (!read_fixed(w, 8, &f->varint))
            goto malformed;
        return true;
    case MBI_WIRE_FIXED32:
        if (!read_fixed(w, 4, &f->varint))
            goto malformed;
        return true;
    case MBI_WIRE_LEN: {
        uint64_t len;
        if (!mbi_wire_read_varint(&w->p, w->end, &len))
            goto malformed;
        if (len > (uint64_t)(w->end - w->p))
            goto malformed;
        f->data = w->p;
        f->size = (size_t)len;
        w->p += len;
        return true;
    }
    default:
        goto malformed;
    }
malformed:
    w->bad = true;
    return false;
}

int64_t mbi_wire_count_varints(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    int64_t n = 0;
    while (p < end) {
        uint64_t v;
        if (!mbi_wire_read_varint(&p, end, &v))
            return -1;
        n++;
    }
    return n;
}
