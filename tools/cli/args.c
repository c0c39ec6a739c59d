/* Command-line parsing helpers; see args.h. */
#include "args.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int arg_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *i += 1;
    *value = argv[*i];
    return 1;
}

int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;
    /* strtoll skips leading spaces and accepts '+'; neither is wanted. */
    if (s == NULL || !((s[0] >= '0' && s[0] <= '9') || (s[0] == '-' && s[1] >= '0' && s[1] <= '9')))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = (int64_t)v;
    return 0;
}

int parse_int(const char *s, int min, int max, int *out)
{
    int64_t v;
    if (parse_int64(s, min, max, &v) != 0)
        return -1;
    *out = (int)v;
    return 0;
}

int parse_float_list(const char *s, float *out, size_t n)
{
    size_t k;
    for (k = 0; k < n; k++) {
        char *end;
        double v;
        if (*s == '\0' || *s == ' ' || *s == '\t')
            return -1;
        errno = 0;
        v = strtod(s, &end);
        if (end == s || errno != 0 || !isfinite(v) || fabs(v) > 3.0e38)
            return -1;
        out[k] = (float)v;
        s = end;
        if (k + 1 < n) {
            if (*s != ',')
                return -1;
            s++;
        }
    }
    return *s == '\0' ? 0 : -1;
}

int parse_dims(const char *s, int64_t *dims, size_t max, size_t *rank)
{
    size_t r = 0;
    if (*s == '\0') {
        *rank = 0;
        return 0;
    }
    for (;;) {
        char buf[24];
        const char *comma = strchr(s, ',');
        size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
        if (r >= max || len == 0 || len >= sizeof buf)
            return -1;
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (parse_int64(buf, 0, INT64_MAX, &dims[r]) != 0)
            return -1;
        r++;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    *rank = r;
    return 0;
}

int parse_size2(const char *s, int *h, int *w)
{
    char buf[32];
    const char *x = strchr(s, 'x');
    size_t len;
    if (x == NULL)
        x = strchr(s, 'X');
    if (x == NULL) {
        if (parse_int(s, 1, 1 << 16, h) != 0)
            return -1;
        *w = *h;
        return 0;
    }
    len = (size_t)(x - s);
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (parse_int(buf, 1, 1 << 16, h) != 0 || parse_int(x + 1, 1, 1 << 16, w) != 0)
        return -1;
    return 0;
}

char *split_last_eq(const char *s, const char **value)
{
    const char *eq = strrchr(s, '=');
    char *name;
    if (eq == NULL || eq == s)
        return NULL;
    name = malloc((size_t)(eq - s) + 1);
    if (name == NULL)
        return NULL;
    memcpy(name, s, (size_t)(eq - s));
    name[eq - s] = '\0';
    *value = eq + 1;
    return name;
}
