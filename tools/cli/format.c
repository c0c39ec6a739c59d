/* Text formatting; see format.h. */
#include "format.h"

#include <string.h>

void format_shape(const int64_t *dims, const char *const *dim_names, size_t rank, char *buf,
                  size_t cap)
{
    size_t len = 0, i;
    int n;
    if (cap < 8) {
        if (cap > 0)
            buf[0] = '\0';
        return;
    }
    buf[len++] = '[';
    for (i = 0; i < rank; i++) {
        const char *sep = i == 0 ? "" : ",";
        if (dims[i] >= 0)
            n = snprintf(buf + len, cap - len, "%s%lld", sep, (long long)dims[i]);
        else
            n = snprintf(buf + len, cap - len, "%s%s", sep,
                         dim_names != NULL && dim_names[i] != NULL ? dim_names[i] : "?");
        if (n < 0 || (size_t)n >= cap - len - 1) {
            memcpy(buf + cap - 5, "...]", 5);
            return;
        }
        len += (size_t)n;
    }
    buf[len++] = ']';
    buf[len] = '\0';
}

void format_count(uint64_t v, char *buf, size_t cap)
{
    char digits[24], out[32];
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v), i, o = 0;
    for (i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, cap, "%s", out);
}

void json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
    fputc('"', f);
    for (; *p != '\0'; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void json_shape(FILE *f, const int64_t *dims, const char *const *dim_names, size_t rank)
{
    size_t i;
    fputc('[', f);
    for (i = 0; i < rank; i++) {
        if (i > 0)
            fputc(',', f);
        if (dims[i] >= 0)
            fprintf(f, "%lld", (long long)dims[i]);
        else
            json_string(f, dim_names != NULL && dim_names[i] != NULL ? dim_names[i] : "?");
    }
    fputc(']', f);
}
