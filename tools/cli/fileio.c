/* File helpers; see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

int read_file(const char *path, uint64_t max_bytes, unsigned char **data, size_t *size,
              char *err, size_t errlen)
{
    FILE *f;
    struct stat st;
    unsigned char *buf;
    size_t n, got = 0;

    *data = NULL;
    *size = 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    /* fstat on the open file: the size cannot change between check and read
     * through a swapped path, and directories are refused. */
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot read '%s': not a regular file", path);
        fclose(f);
        return -1;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max_bytes || (uint64_t)st.st_size >= SIZE_MAX) {
        snprintf(err, errlen, "cannot read '%s': file of %lld bytes exceeds the limit of %llu",
                 path, (long long)st.st_size, (unsigned long long)max_bytes);
        fclose(f);
        return -1;
    }
    n = (size_t)st.st_size;
    buf = malloc(n + 1);
    if (buf == NULL) {
        snprintf(err, errlen, "cannot read '%s': out of memory", path);
        fclose(f);
        return -1;
    }
    while (got < n) {
        size_t r = fread(buf + got, 1, n - got, f);
        if (r == 0)
            break;
        got += r;
    }
    if (got != n || ferror(f)) {
        snprintf(err, errlen, "cannot read '%s': %s", path,
                 ferror(f) ? strerror(errno) : "file shrank while reading");
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    buf[n] = '\0';
    *data = buf;
    *size = n;
    return 0;
}

int make_dirs(const char *path, char *err, size_t errlen)
{
    size_t len = strlen(path), i;
    char *copy;
    struct stat st;

    if (len == 0) {
        snprintf(err, errlen, "empty directory name");
        return -1;
    }
    copy = malloc(len + 1);
    if (copy == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(copy, path, len + 1);
    /* Create each prefix ending before a '/', then the whole path. */
    for (i = 1; i <= len; i++) {
        if (copy[i] != '/' && copy[i] != '\0')
            continue;
        copy[i] = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create directory '%s': %s", copy, strerror(errno));
            free(copy);
            return -1;
        }
        copy[i] = path[i];
    }
    free(copy);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot create directory '%s': a file is in the way", path);
        return -1;
    }
    return 0;
}

size_t output_file_name(const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name), i;
    if (cap < n + 5)
        return 0;
    for (i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        buf[i] = ok ? c : '_';
    }
    memcpy(buf + n, ".npy", 5);
    return n + 4;
}
