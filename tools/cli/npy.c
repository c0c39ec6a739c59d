/* NumPy .npy reading and writing; see npy.h for what is accepted and why the
 * parser takes bytes. The header is a Python dict literal; rather than a
 * general Python parser this reads exactly the three keys NumPy writes and
 * rejects anything else, which keeps the attack surface tiny. */
#include "npy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

#if defined(__GNUC__)
static int npy_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif

static int npy_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Element sizes are needed without linking the library (unit tests, fuzzer),
 * so the CLI keeps its own small table of the dtypes .npy can carry. */
static size_t npy_elem_size(mobinfer_dtype dtype)
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

const char *npy_descr(mobinfer_dtype dtype)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: return "<f4";
    case MOBINFER_DTYPE_INT64: return "<i8";
    case MOBINFER_DTYPE_INT32: return "<i4";
    case MOBINFER_DTYPE_UINT8: return "|u1";
    case MOBINFER_DTYPE_INT8: return "|i1";
    case MOBINFER_DTYPE_BOOL: return "|b1";
    default: return NULL;
    }
}

/* Data is used as-is, so a big-endian host would silently read garbage. */
static int host_is_little_endian(void)
{
    const uint16_t probe = 1;
    unsigned char first;
    memcpy(&first, &probe, 1);
    return first == 1;
}

/* ---- header dict parsing ---------------------------------------------- */

typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

static void skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int peek(const cursor *c)
{
    return c->p < c->end ? (unsigned char)*c->p : -1;
}

/* A quoted string without escapes (NumPy's keys and descrs never need any). */
static int parse_string(cursor *c, char *out, size_t cap, char *err, size_t errlen)
{
    int quote = peek(c);
    size_t n = 0;
    if (quote != '\'' && quote != '"')
        return npy_fail(err, errlen, "npy header: expected a quoted string");
    c->p++;
    while (c->p < c->end && *c->p != quote) {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '\\' || ch < 0x20)
            return npy_fail(err, errlen, "npy header: unsupported character in string");
        if (n + 1 >= cap)
            return npy_fail(err, errlen, "npy header: string too long");
        out[n++] = (char)ch;
        c->p++;
    }
    if (c->p >= c->end)
        return npy_fail(err, errlen, "npy header: unterminated string");
    c->p++;
    out[n] = '\0';
    return 0;
}

static int match_word(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return 0;
    /* "Truex" is not "True". */
    if ((size_t)(c->end - c->p) > n) {
        char next = c->p[n];
        if ((next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z') ||
            (next >= '0' && next <= '9') || next == '_')
            return 0;
    }
    c->p += n;
    return 1;
}

/* A non-negative decimal integer; Python 2 era files may carry an 'L'. */
static int parse_dim(cursor *c, int64_t *out, char *err, size_t errlen)
{
    int64_t v = 0;
    int digits = 0;
    if (peek(c) == '-')
        return npy_fail(err, errlen, "npy header: negative dimension in shape");
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        int d = *c->p - '0';
        if (v > (INT64_MAX - d) / 10)
            return npy_fail(err, errlen, "npy header: dimension too large");
        v = v * 10 + d;
        digits++;
        c->p++;
    }
    if (digits == 0)
        return npy_fail(err, errlen, "npy header: expected an integer in shape");
    if (peek(c) == 'L' || peek(c) == 'l')
        c->p++;
    *out = v;
    return 0;
}

static int parse_shape(cursor *c, npy_header *h, char *err, size_t errlen)
{
    if (peek(c) != '(')
        return npy_fail(err, errlen, "npy header: shape is not a tuple");
    c->p++;
    h->rank = 0;
    for (;;) {
        skip_space(c);
        if (peek(c) == ')') {
            c->p++;
            return 0;
        }
        if (h->rank >= MOBINFER_MAX_RANK)
            return npy_fail(err, errlen, "npy header: rank above %d is not supported",
                            MOBINFER_MAX_RANK);
        if (parse_dim(c, &h->dims[h->rank], err, errlen) != 0)
            return -1;
        h->rank++;
        skip_space(c);
        if (peek(c) == ',') {
            c->p++;
        } else if (peek(c) != ')') {
            return npy_fail(err, errlen, "npy header: malformed shape tuple");
        }
    }
}

static int parse_descr(const char *descr, mobinfer_dtype *out, char *err, size_t errlen)
{
    static const struct {
        const char *code;
        mobinfer_dtype dtype;
        int multibyte;
    } table[] = {
        {"f4", MOBINFER_DTYPE_FLOAT32, 1}, {"i8", MOBINFER_DTYPE_INT64, 1},
        {"i4", MOBINFER_DTYPE_INT32, 1},   {"u1", MOBINFER_DTYPE_UINT8, 0},
        {"i1", MOBINFER_DTYPE_INT8, 0},    {"b1", MOBINFER_DTYPE_BOOL, 0},
    };
    char order = descr[0];
    const char *code = descr + 1;
    size_t i;
    if (order != '<' && order != '>' && order != '|' && order != '=')
        return npy_fail(err, errlen, "npy: unsupported dtype '%s'", descr);
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(code, table[i].code) != 0)
            continue;
        /* Byte order only matters for multi-byte types. '=' is native, which
         * is little-endian on every host this tool accepts. */
        if (table[i].multibyte && (order == '>' || order == '|'))
            return npy_fail(err, errlen,
                            "npy: big-endian dtype '%s' is not supported; "
                            "save with arr.astype(arr.dtype.newbyteorder('<'))",
                            descr);
        *out = table[i].dtype;
        return 0;
    }
    if (strcmp(code, "f8") == 0)
        return npy_fail(err, errlen,
                        "npy: float64 data is not supported; save with arr.astype(np.float32)");
    return npy_fail(err, errlen,
                    "npy: unsupported dtype '%s' (supported: f4, i8, i4, u1, i1, b1)", descr);
}

static int parse_dict(cursor *c, npy_header *h, char *err, size_t errlen)
{
    int have_descr = 0, have_order = 0, have_shape = 0;
    skip_space(c);
    if (peek(c) != '{')
        return npy_fail(err, errlen, "npy header: not a dict");
    c->p++;
    for (;;) {
        char key[32];
        skip_space(c);
        if (peek(c) == '}') {
            c->p++;
            break;
        }
        if (parse_string(c, key, sizeof key, err, errlen) != 0)
            return -1;
        skip_space(c);
        if (peek(c) != ':')
            return npy_fail(err, errlen, "npy header: expected ':' after key");
        c->p++;
        skip_space(c);
        if (strcmp(key, "descr") == 0) {
            char descr[32];
            if (have_descr)
                return npy_fail(err, errlen, "npy header: duplicate key 'descr'");
            if (peek(c) == '[')
                return npy_fail(err, errlen, "npy: structured dtypes are not supported");
            if (parse_string(c, descr, sizeof descr, err, errlen) != 0)
                return -1;
            if (parse_descr(descr, &h->dtype, err, errlen) != 0)
                return -1;
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (have_order)
                return npy_fail(err, errlen, "npy header: duplicate key 'fortran_order'");
            if (match_word(c, "True"))
                return npy_fail(err, errlen,
                                "npy: fortran_order arrays are not supported; "
                                "save with np.ascontiguousarray(arr)");
            if (!match_word(c, "False"))
                return npy_fail(err, errlen, "npy header: fortran_order must be True or False");
            have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            if (have_shape)
                return npy_fail(err, errlen, "npy header: duplicate key 'shape'");
            if (parse_shape(c, h, err, errlen) != 0)
                return -1;
            have_shape = 1;
        } else {
            return npy_fail(err, errlen, "npy header: unexpected key '%s'", key);
        }
        skip_space(c);
        if (peek(c) == ',') {
            c->p++;
        } else if (peek(c) != '}') {
            return npy_fail(err, errlen, "npy header: expected ',' or '}'");
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return npy_fail(err, errlen, "npy header: missing key '%s'",
                        !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    /* Only padding may follow the dict. */
    skip_space(c);
    if (c->p != c->end)
        return npy_fail(err, errlen, "npy header: unexpected bytes after the dict");
    return 0;
}

/* ---- public entry points ---------------------------------------------- */

int npy_parse_header(const void *bytes, size_t size, size_t max_bytes, npy_header *out,
                     char *err, size_t errlen)
{
    const unsigned char *b = bytes;
    npy_header h;
    size_t prefix, header_len, esize, i;
    cursor c;

    memset(out, 0, sizeof *out);
    memset(&h, 0, sizeof h);
    if (!host_is_little_endian())
        return npy_fail(err, errlen, "npy: big-endian hosts are not supported");
    if (b == NULL || size < 10 || memcmp(b, npy_magic, sizeof npy_magic) != 0)
        return npy_fail(err, errlen, "npy: not a .npy file (bad magic)");
    if (b[7] != 0 || b[6] < 1 || b[6] > 3)
        return npy_fail(err, errlen, "npy: unsupported format version %u.%u", b[6], b[7]);
    if (b[6] == 1) {
        prefix = 10;
        header_len = (size_t)b[8] | (size_t)b[9] << 8;
    } else {
        if (size < 12)
            return npy_fail(err, errlen, "npy: truncated header");
        prefix = 12;
        header_len = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 |
                     (size_t)b[11] << 24;
    }
    if (header_len > NPY_MAX_HEADER_BYTES)
        return npy_fail(err, errlen, "npy: header of %zu bytes is too long", header_len);
    if (header_len > size - prefix)
        return npy_fail(err, errlen, "npy: truncated header");

    c.p = (const char *)b + prefix;
    c.end = c.p + header_len;
    if (parse_dict(&c, &h, err, errlen) != 0)
        return -1;

    h.count = 1;
    for (i = 0; i < h.rank; i++) {
        uint64_t d = (uint64_t)h.dims[i];
        if (d != 0 && h.count > SIZE_MAX / d)
            return npy_fail(err, errlen, "npy: element count overflows");
        h.count *= (size_t)d;
    }
    esize = npy_elem_size(h.dtype);
    if (h.count > SIZE_MAX / esize)
        return npy_fail(err, errlen, "npy: byte size overflows");
    h.byte_size = h.count * esize;
    if (h.byte_size > max_bytes)
        return npy_fail(err, errlen, "npy: data of %zu bytes exceeds the limit of %zu bytes",
                        h.byte_size, max_bytes);
    h.data_offset = prefix + header_len;
    if (size - h.data_offset != h.byte_size)
        return npy_fail(err, errlen,
                        "npy: data is %zu bytes but the header's shape and dtype need %zu",
                        size - h.data_offset, h.byte_size);
    *out = h;
    return 0;
}

int npy_parse(const void *bytes, size_t size, size_t max_bytes, npy_array *out, char *err,
              size_t errlen)
{
    npy_header h;
    unsigned char *data;
    memset(out, 0, sizeof *out);
    if (npy_parse_header(bytes, size, max_bytes, &h, err, errlen) != 0)
        return -1;
    /* malloc(0) may return NULL; keep "data != NULL" as the success signal. */
    data = malloc(h.byte_size > 0 ? h.byte_size : 1);
    if (data == NULL)
        return npy_fail(err, errlen, "npy: out of memory for %zu bytes", h.byte_size);
    if (h.byte_size > 0)
        memcpy(data, (const unsigned char *)bytes + h.data_offset, h.byte_size);
    if (h.dtype == MOBINFER_DTYPE_BOOL) {
        size_t i;
        for (i = 0; i < h.byte_size; i++)
            data[i] = data[i] != 0;
    }
    out->header = h;
    out->data = data;
    return 0;
}

void npy_array_free(npy_array *array)
{
    if (array == NULL)
        return;
    free(array->data);
    array->data = NULL;
}

size_t npy_format_header(mobinfer_dtype dtype, const int64_t *dims, size_t rank, char *buf,
                         size_t cap)
{
    char dict[64 + MOBINFER_MAX_RANK * 24];
    const char *descr = npy_descr(dtype);
    size_t len, prefix, total, i;
    int n;

    if (descr == NULL || rank > MOBINFER_MAX_RANK)
        return 0;
    n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    len = (size_t)n;
    for (i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return 0;
        n = snprintf(dict + len, sizeof dict - len, i == 0 ? "%lld" : ", %lld",
                     (long long)dims[i]);
        len += (size_t)n;
    }
    /* A one-element tuple needs its trailing comma to stay a tuple. */
    n = snprintf(dict + len, sizeof dict - len, rank == 1 ? ",), }" : "), }");
    len += (size_t)n;

    prefix = len + 1 + 10 <= 65535 ? 10 : 12;
    /* Pad with spaces so the data starts on a 64-byte boundary; '\n' ends it. */
    total = (prefix + len + 1 + 63) / 64 * 64;
    if (total > cap)
        return 0;
    memcpy(buf, npy_magic, sizeof npy_magic);
    buf[6] = prefix == 10 ? 1 : 2;
    buf[7] = 0;
    {
        size_t hl = total - prefix;
        buf[8] = (char)(hl & 0xff);
        buf[9] = (char)((hl >> 8) & 0xff);
        if (prefix == 12) {
            buf[10] = (char)((hl >> 16) & 0xff);
            buf[11] = (char)((hl >> 24) & 0xff);
        }
    }
    memcpy(buf + prefix, dict, len);
    memset(buf + prefix + len, ' ', total - prefix - len - 1);
    buf[total - 1] = '\n';
    return total;
}

int npy_write_file(const char *path, mobinfer_dtype dtype, const int64_t *dims, size_t rank,
                   const void *data, size_t byte_size, char *err, size_t errlen)
{
    char header[256 + MOBINFER_MAX_RANK * 24];
    size_t hlen, count = 1, i, esize = npy_elem_size(dtype);
    FILE *f;
    int failed;

    hlen = npy_format_header(dtype, dims, rank, header, sizeof header);
    if (hlen == 0)
        return npy_fail(err, errlen, "cannot write '%s': unsupported dtype or shape", path);
    for (i = 0; i < rank; i++) {
        if (dims[i] != 0 && count > SIZE_MAX / (size_t)dims[i]) {
            count = SIZE_MAX;
            break;
        }
        count *= (size_t)dims[i];
    }
    if (count > SIZE_MAX / esize || count * esize != byte_size)
        return npy_fail(err, errlen, "cannot write '%s': data size does not match its shape",
                        path);
    f = fopen(path, "wb");
    if (f == NULL)
        return npy_fail(err, errlen, "cannot write '%s': %s", path, strerror(errno));
    failed = fwrite(header, 1, hlen, f) != hlen;
    if (!failed && byte_size > 0)
        failed = fwrite(data, 1, byte_size, f) != byte_size;
    if (fclose(f) != 0)
        failed = 1;
    if (failed)
        return npy_fail(err, errlen, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}
