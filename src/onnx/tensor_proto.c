#include "onnx/tensor_proto.h"

#include <stdio.h>
#include <string.h>

#include "onnx/wire.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mobinfer reads ONNX raw_data in place and assumes a little-endian host"
#endif

enum {
    TP_DIMS = 1,
    TP_DATA_TYPE = 2,
    TP_SEGMENT = 3,
    TP_FLOAT_DATA = 4,
    TP_INT32_DATA = 5,
    TP_STRING_DATA = 6,
    TP_INT64_DATA = 7,
    TP_NAME = 8,
    TP_RAW_DATA = 9,
    TP_DOUBLE_DATA = 10,
    TP_UINT64_DATA = 11,
    TP_EXTERNAL_DATA = 13,
    TP_DATA_LOCATION = 14
};

const char *mbi_onnx_dtype_name(int t)
{
    static const char *const names[] = {"undefined", "float32", "uint8",  "int8",      "uint16",
                                        "int16",     "int32",   "int64",  "string",    "bool",
                                        "float16",   "float64", "uint32", "uint64",    "complex64",
                                        "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
                                        "float8e5m2", "float8e5m2fnuz", "uint4", "int4"};
    if (t >= 0 && (size_t)t < sizeof names / sizeof names[0])
        return names[t];
    return "unknown";
}

/* The ONNX types mobinfer computes with map to themselves. */
static mobinfer_dtype supported_dtype(int onnx_dtype)
{
    switch (onnx_dtype) {
    case 1: return MOBINFER_DTYPE_FLOAT32;
    case 2: return MOBINFER_DTYPE_UINT8;
    case 3: return MOBINFER_DTYPE_INT8;
    case 6: return MOBINFER_DTYPE_INT32;
    case 7: return MOBINFER_DTYPE_INT64;
    case 9: return MOBINFER_DTYPE_BOOL;
    default: return MOBINFER_DTYPE_UNDEFINED;
    }
}

typedef struct tensor_fields {
    int64_t dims[MBI_MAX_RANK];
    int rank;
    int data_type;
    const uint8_t *name;
    size_t name_len;
    const uint8_t *raw;
    size_t raw_len;
    bool has_raw;
    int64_t n_float, n_int32, n_int64, n_other;
    bool external;
    const uint8_t *location;
    size_t location_len;
    uint64_t ext_offset, ext_length;
    bool has_ext_length;
} tensor_fields;

static mobinfer_status bad(const mbi_tensor_decoder *d, const char *what)
{
    return mbi_fail(d->err, MOBINFER_ERR_PARSE, "malformed TensorProto: %s", what);
}

static bool parse_u64_decimal(const uint8_t *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

static mobinfer_status read_external_entry(const mbi_tensor_decoder *d, const uint8_t *data,
                                           size_t size, tensor_fields *tf)
{
    mbi_wire w = mbi_wire_make(data, size);
    mbi_wire_field f;
    const uint8_t *key = NULL, *val = NULL;
    size_t key_len = 0, val_len = 0;
    while (mbi_wire_next(&w, &f)) {
        if (f.type != MBI_WIRE_LEN)
            continue;
        if (f.number == 1) {
            key = f.data;
            key_len = f.size;
        } else if (f.number == 2) {
            val = f.data;
            val_len = f.size;
        }
    }
    if (w.bad)
        return bad(d, "external_data entry");
    if (!key || !val)
        return MOBINFER_OK;
    if (key_len == 8 && memcmp(key, "location", 8) == 0) {
        tf->location = val;
        tf->location_len = val_len;
    } else if (key_len == 6 && memcmp(key, "offset", 6) == 0) {
        if (!parse_u64_decimal(val, val_len, &tf->ext_offset))
            return bad(d, "external_data offset is not a number");
    } else if (key_len == 6 && memcmp(key, "length", 6) == 0) {
        if (!parse_u64_decimal(val, val_len, &tf->ext_length))
            return bad(d, "external_data length is not a number");
        tf->has_ext_length = true;
    }
    return MOBINFER_OK;
}

/* Counts the elements of a repeated scalar field occurrence (packed or not). */
static mobinfer_status count_repeated(const mbi_tensor_decoder *d, const mbi_wire_field *f,
                                      int elem_fixed_bytes, int64_t *count)
{
    if (f->type == MBI_WIRE_LEN) {
        if (elem_fixed_bytes) {
            if (f->size % (size_t)elem_fixed_bytes)
                return bad(d, "packed fixed-size field has a partial element");
            *count += (int64_t)(f->size / (size_t)elem_fixed_bytes);
        } else {
            int64_t n = mbi_wire_count_varints(f->data, f->size);
            if (n < 0)
                return bad(d, "packed varint field");
            *count += n;
        }
    } else {
        *count += 1;
    }
    return MOBINFER_OK;
}

static mobinfer_status scan_fields(const mbi_tensor_decoder *d, const uint8_t *bytes, size_t size,
                                   tensor_fields *tf)
{
    mbi_wire w = mbi_wire_make(bytes, size);
    mbi_wire_field f;
    mobinfer_status st;
    while (mbi_wire_next(&w, &f)) {
        switch (f.number) {
        case TP_DIMS:
            if (f.type == MBI_WIRE_LEN) {
                const uint8_t *p = f.data, *end = f.data + f.size;
                while (p < end) {
                    uint64_t v;
                    if (!mbi_wire_read_varint(&p, end, &v))
                        return bad(d, "dims");
                    if (tf->rank >= MBI_MAX_RANK)
                        return mbi_fail(d->err, MOBINFER_ERR_UNSUPPORTED,
                                        "tensor has more than %d dimensions", MBI_MAX_RANK);
                    tf->dims[tf->rank++] = (int64_t)v;
                }
            } else if (f.type == MBI_WIRE_VARINT) {
                if (tf->rank >= MBI_MAX_RANK)
                    return mbi_fail(d->err, MOBINFER_ERR_UNSUPPORTED,
                                    "tensor has more than %d dimensions", MBI_MAX_RANK);
                tf->dims[tf->rank++] = (int64_t)f.varint;
            } else {
                return bad(d, "dims has the wrong wire type");
            }
            break;
        case TP_DATA_TYPE:
            if (f.type != MBI_WIRE_VARINT)
                return bad(d, "data_type");
            tf->data_type = (int)(int32_t)f.varint;
            break;
        case TP_SEGMENT:
            return mbi_fail(d->err, MOBINFER_ERR_UNSUPPORTED, "segmented tensors are not supported");
        case TP_FLOAT_DATA:
            if ((st = count_repeated(d, &f, 4, &tf->n_float)))
                return st;
            if (f.type != MBI_WIRE_LEN && f.type != MBI_WIRE_FIXED32)
                return bad(d, "float_data wire type");
            break;
        case TP_INT32_DATA:
            if ((st = count_repeated(d, &f, 0, &tf->n_int32)))
                return st;
            break;
        case TP_INT64_DATA:
            if ((st = count_repeated(d, &f, 0, &tf->n_int64)))
                return st;
            break;
        case TP_STRING_DATA:
        case TP_DOUBLE_DATA:
        case TP_UINT64_DATA:
            tf->n_other++;
            break;
        case TP_NAME:
            if (f.type != MBI_WIRE_LEN)
                return bad(d, "name");
            tf->name = f.data;
            tf->name_len = f.size;
            break;
        case TP_RAW_DATA:
            if (f.type != MBI_WIRE_LEN)
                return bad(d, "raw_data");
            tf->raw = f.data;
            tf->raw_len = f.size;
            tf->has_raw = true;
            break;
        case TP_EXTERNAL_DATA:
            if (f.type != MBI_WIRE_LEN)
                return bad(d, "external_data");
            if ((st = read_external_entry(d, f.data, f.size, tf)))
                return st;
            break;
        case TP_DATA_LOCATION:
            tf->external = f.varint == 1;
            break;
        default:
            break;
        }
    }
    if (w.bad)
        return bad(d, "truncated or invalid field");
    return MOBINFER_OK;
}

static void fill_typed(const uint8_t *bytes, size_t size, mobinfer_dtype dtype, void *dst)
{
    /* Sizes were validated by scan_fields; this pass only copies. */
    mbi_wire w = mbi_wire_make(bytes, size);
    mbi_wire_field f;
    size_t esz = mbi_dtype_size(dtype);
    uint8_t *out = dst;
    size_t at = 0;
    uint32_t want = dtype == MOBINFER_DTYPE_FLOAT32 ? TP_FLOAT_DATA
                    : dtype == MOBINFER_DTYPE_INT64 ? TP_INT64_DATA
                                                    : TP_INT32_DATA;
    while (mbi_wire_next(&w, &f)) {
        if (f.number != want)
            continue;
        if (want == TP_FLOAT_DATA) {
            if (f.type == MBI_WIRE_LEN) {
                memcpy(out + at, f.data, f.size);
                at += f.size;
            } else {
                uint32_t v = (uint32_t)f.varint;
                memcpy(out + at, &v, 4);
                at += 4;
            }
            continue;
        }
        const uint8_t *p, *end;
        uint64_t single[1] = {0};
        if (f.type == MBI_WIRE_LEN) {
            p = f.data;
            end = f.data + f.size;
        } else {
            single[0] = f.varint;
            p = end = NULL;
        }
        for (;;) {
            uint64_t v;
            if (p) {
                if (p >= end || !mbi_wire_read_varint(&p, end, &v))
                    break;
            } else {
                v = single[0];
            }
            switch (dtype) {
            case MOBINFER_DTYPE_INT64: { int64_t x = (int64_t)v; memcpy(out + at, &x, 8); break; }
            case MOBINFER_DTYPE_INT32: { int32_t x = (int32_t)v; memcpy(out + at, &x, 4); break; }
            case MOBINFER_DTYPE_INT8: { int8_t x = (int8_t)v; memcpy(out + at, &x, 1); break; }
            case MOBINFER_DTYPE_UINT8: { uint8_t x = (uint8_t)v; memcpy(out + at, &x, 1); break; }
            case MOBINFER_DTYPE_BOOL: { uint8_t x = v != 0; memcpy(out + at, &x, 1); break; }
            default: break;
            }
            at += esz;
            if (!p)
                break;
        }
    }
}

mobinfer_status mbi_onnx_decode_tensor(const mbi_tensor_decoder *d, const uint8_t *bytes,
                                       size_t size, mbi_const_tensor *out)
{
    tensor_fields tf;
    memset(&tf, 0, sizeof tf);
    memset(out, 0, sizeof *out);
    mobinfer_status st = scan_fields(d, bytes, size, &tf);
    if (st)
        return st;
    out->name = mbi_pool_strndup(d->pool, tf.name ? (const char *)tf.name : "", tf.name_len);
    if (!out->name)
        return mbi_fail(d->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    if (memchr(out->name, '\0', tf.name_len))
        return bad(d, "name contains a NUL byte");
    out->onnx_dtype = tf.data_type;
    out->rank = tf.rank;
    memcpy(out->dims, tf.dims, sizeof tf.dims);
    for (int i = 0; i < tf.rank; i++)
        if (tf.dims[i] < 0)
            return mbi_fail(d->err, MOBINFER_ERR_PARSE, "tensor '%s' has a negative dimension",
                            out->name);
    int64_t numel;
    if (!mbi_shape_numel_checked(tf.dims, tf.rank, (int64_t)d->limits->max_tensor_elements, &numel))
        return mbi_fail(d->err, MOBINFER_ERR_LIMIT,
                        "tensor '%s' has more elements than the limit of %llu (max_tensor_elements)",
                        out->name,
                        (unsigned long long)d->limits->max_tensor_elements);
    mobinfer_dtype dtype = supported_dtype(tf.data_type);
    out->dtype = dtype;
    if (dtype == MOBINFER_DTYPE_UNDEFINED)
        return MOBINFER_OK; /* the session reports it if the tensor is used */
    size_t esz = mbi_dtype_size(dtype);
    if ((uint64_t)numel > d->limits->max_tensor_bytes / esz)
        return mbi_fail(d->err, MOBINFER_ERR_LIMIT,
                        "tensor '%s' has more bytes than the limit of %llu (max_tensor_bytes)",
                        out->name,
                        (unsigned long long)d->limits->max_tensor_bytes);
    size_t nbytes = (size_t)numel * esz;
    out->bytes = nbytes;

    const uint8_t *src = NULL;
    if (tf.external) {
        if (!d->external)
            return mbi_fail(d->err, MOBINFER_ERR_UNSUPPORTED,
                            "tensor '%s' uses external data, which needs a model loaded from a file",
                            out->name);
        if (!tf.location || tf.location_len == 0)
            return mbi_fail(d->err, MOBINFER_ERR_PARSE,
                            "tensor '%s': external data without a location", out->name);
        char *loc = mbi_pool_strndup(d->pool, (const char *)tf.location, tf.location_len);
        if (!loc)
            return mbi_fail(d->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        const uint8_t *file;
        size_t file_size;
        if ((st = d->external->map(d->external->user, loc, &file, &file_size, d->err))) {
            mbi_error_prefix(d->err, "tensor '%s'", out->name);
            return st;
        }
        uint64_t length = tf.has_ext_length ? tf.ext_length : (uint64_t)file_size - tf.ext_offset;
        if (tf.ext_offset > file_size || length > file_size - tf.ext_offset || length != nbytes)
            return mbi_fail(d->err, MOBINFER_ERR_PARSE,
                            "tensor '%s': external data (offset %llu, length %llu) does not fit "
                            "file '%s' of %zu bytes or the tensor's %zu bytes",
                            out->name, (unsigned long long)tf.ext_offset,
                            (unsigned long long)length, loc, file_size, nbytes);
        src = file + tf.ext_offset;
    } else if (tf.has_raw) {
        if (tf.raw_len != nbytes)
            return mbi_fail(d->err, MOBINFER_ERR_PARSE,
                            "tensor '%s': raw_data has %zu bytes, the shape needs %zu", out->name,
                            tf.raw_len, nbytes);
        src = tf.raw;
    }
    if (src) {
        if (dtype == MOBINFER_DTYPE_BOOL) {
            /* Bools are 0 or 1 everywhere in mobinfer; a file may hold any byte. */
            uint8_t *copy = mbi_pool_alloc_aligned(d->pool, nbytes, 64);
            if (!copy)
                return mbi_fail(d->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
            for (size_t i = 0; i < nbytes; i++)
                copy[i] = src[i] != 0;
            out->data = copy;
        } else if (!d->copy_data && ((uintptr_t)src % esz) == 0) {
            out->data = src; /* in place, in the mapping */
        } else {
            void *copy = mbi_pool_alloc_aligned(d->pool, nbytes, 64);
            if (!copy)
                return mbi_fail(d->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
            if (nbytes)
                memcpy(copy, src, nbytes);
            out->data = copy;
        }
        return MOBINFER_OK;
    }
    int64_t have = dtype == MOBINFER_DTYPE_FLOAT32 ? tf.n_float
                   : dtype == MOBINFER_DTYPE_INT64 ? tf.n_int64
                                                   : tf.n_int32;
    if (have != numel)
        return mbi_fail(d->err, MOBINFER_ERR_PARSE,
                        "tensor '%s' holds %lld values, its shape needs %lld", out->name,
                        (long long)have, (long long)numel);
    void *buf = mbi_pool_alloc_aligned(d->pool, nbytes, 64);
    if (!buf)
        return mbi_fail(d->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    fill_typed(bytes, size, dtype, buf);
    out->data = buf;
    return MOBINFER_OK;
}
