#include "ocr_onnx_meta.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ModelProto.metadata_props and StringStringEntryProto's fields. */
enum { FIELD_METADATA_PROPS = 14, FIELD_KEY = 1, FIELD_VALUE = 2 };
enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

static int read_varint_file(FILE *f, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        int c = fgetc(f);
        if (c == EOF)
            return -1;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static int read_varint_mem(const unsigned char *p, size_t n, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *pos < n; shift += 7) {
        unsigned char c = p[(*pos)++];
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* Looks for `key` in one serialized StringStringEntryProto. */
static int entry_match(const unsigned char *p, size_t n, const char *key, const unsigned char **val,
                       size_t *val_len)
{
    size_t pos = 0, klen = strlen(key);
    int key_ok = 0, have_val = 0;
    while (pos < n) {
        uint64_t tag, len;
        if (read_varint_mem(p, n, &pos, &tag) != 0)
            return -1;
        if ((tag & 7) != WIRE_LEN) {
            if ((tag & 7) != WIRE_VARINT || read_varint_mem(p, n, &pos, &len) != 0)
                return -1;
            continue;
        }
        if (read_varint_mem(p, n, &pos, &len) != 0 || len > n - pos)
            return -1;
        if ((tag >> 3) == FIELD_KEY)
            key_ok = len == klen && memcmp(p + pos, key, klen) == 0;
        else if ((tag >> 3) == FIELD_VALUE) {
            *val = p + pos;
            *val_len = (size_t)len;
            have_val = 1;
        }
        pos += (size_t)len;
    }
    return key_ok && have_val;
}

int ocr_onnx_metadata(const char *path, const char *key, char **value, size_t *len, char *err,
                      size_t errlen)
{
    *value = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    /* Walk the top-level fields, skipping the large ones (the graph) by
     * seeking, and decode only metadata entries. */
    int rc = 1;
    for (;;) {
        uint64_t tag, n;
        int c = fgetc(f);
        if (c == EOF)
            break;
        ungetc(c, f);
        if (read_varint_file(f, &tag) != 0) {
            rc = -1;
            break;
        }
        int wire = (int)(tag & 7);
        if (wire == WIRE_VARINT) {
            if (read_varint_file(f, &n) != 0) {
                rc = -1;
                break;
            }
            continue;
        }
        if (wire == WIRE_I64 || wire == WIRE_I32) {
            if (fseek(f, wire == WIRE_I64 ? 8 : 4, SEEK_CUR) != 0) {
                rc = -1;
                break;
            }
            continue;
        }
        if (wire != WIRE_LEN || read_varint_file(f, &n) != 0 || n > (uint64_t)INT32_MAX) {
            rc = -1;
            break;
        }
        if ((tag >> 3) != FIELD_METADATA_PROPS) {
            if (fseek(f, (long)n, SEEK_CUR) != 0) {
                rc = -1;
                break;
            }
            continue;
        }
        unsigned char *buf = malloc(n ? (size_t)n : 1);
        if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            rc = -1;
            break;
        }
        const unsigned char *val = NULL;
        size_t vlen = 0;
        int m = entry_match(buf, (size_t)n, key, &val, &vlen);
        if (m == 1) {
            *value = malloc(vlen + 1);
            if (*value == NULL) {
                free(buf);
                rc = -1;
                break;
            }
            memcpy(*value, val, vlen);
            (*value)[vlen] = '\0';
            *len = vlen;
            rc = 0;
        }
        free(buf);
        if (m < 0)
            rc = -1;
        if (rc != 1)
            break;
    }
    fclose(f);
    if (rc < 0)
        snprintf(err, errlen, "%s: malformed ONNX file (metadata)", path);
    return rc;
}
