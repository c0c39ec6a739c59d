/* Helpers shared by the fuzz harnesses: invariant checks that turn a silent
 * contract violation into a crash libFuzzer can report, and "touch" helpers
 * that read every byte of a buffer the library hands back, so that
 * AddressSanitizer sees an out-of-bounds size or a dangling pointer. */
#ifndef MOBINFER_FUZZ_COMMON_H
#define MOBINFER_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mobinfer.h"

/* A broken invariant: print what and where, then abort (libFuzzer saves the
 * input as a crash). */
#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                              \
            fprintf(stderr, "\n");                                                     \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* Known, reported bugs can be skipped while fuzzing so that the fuzzer gets
 * past them: FUZZ_IGNORE=name1,name2 in the environment turns off the
 * checks of those names (listed in README.md). Regression tests never set
 * it, so they keep failing until the bug is fixed. */
static inline int fuzz_ignored(const char *name)
{
    const char *list = getenv("FUZZ_IGNORE");
    size_t n = strlen(name);
    while (list != NULL && *list != '\0') {
        const char *end = strchr(list, ',');
        size_t len = end ? (size_t)(end - list) : strlen(list);
        if (len == n && memcmp(list, name, n) == 0)
            return 1;
        list = end ? end + 1 : NULL;
    }
    return 0;
}

/* Keeps the compiler from dropping reads whose result is otherwise unused. */
static volatile uint64_t fuzz_sink;

static inline void fuzz_touch(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t acc = 0;
    size_t i;
    for (i = 0; i < n; i++)
        acc += b[i];
    fuzz_sink += acc;
}

static inline void fuzz_touch_string(const char *s)
{
    if (s != NULL)
        fuzz_touch(s, strlen(s) + 1);
}

/* Every status the library returns must be a known one; MOBINFER_ERR_INTERNAL
 * is by definition a bug. A failure must come with a message. */
static inline void fuzz_check_status(mobinfer_status st, const char *call, const char *message)
{
    FUZZ_CHECK(st >= MOBINFER_OK && st <= MOBINFER_ERR_INTERNAL, "%s returned unknown status %d",
               call, (int)st);
    FUZZ_CHECK(st != MOBINFER_ERR_INTERNAL, "%s returned MOBINFER_ERR_INTERNAL: %s", call,
               message ? message : "(no message)");
    if (st != MOBINFER_OK) {
        FUZZ_CHECK(message != NULL && message[0] != '\0', "%s failed with %s but no message",
                   call, mobinfer_status_name(st));
        fuzz_touch_string(message);
    }
}

/* Reads a value description completely. */
static inline void fuzz_touch_info(const mobinfer_value_info *info, int bound)
{
    size_t i;
    FUZZ_CHECK(info->name != NULL, "value info without a name");
    fuzz_touch_string(info->name);
    FUZZ_CHECK(info->rank <= MOBINFER_MAX_RANK, "value '%s' has rank %zu", info->name, info->rank);
    if (info->rank > 0) {
        FUZZ_CHECK(info->dims != NULL, "value '%s' of rank %zu has no dims", info->name,
                   info->rank);
        fuzz_touch(info->dims, info->rank * sizeof *info->dims);
    }
    for (i = 0; i < info->rank; i++) {
        if (bound)
            FUZZ_CHECK(info->dims[i] >= 0, "bound value '%s' has dim %zu = %lld", info->name, i,
                       (long long)info->dims[i]);
        if (info->dim_names != NULL)
            fuzz_touch_string(info->dim_names[i]);
    }
    fuzz_touch_string(mobinfer_dtype_name(info->dtype));
}

/* Element count of a shape, or -1 if a dim is negative or it overflows. */
static inline int64_t fuzz_elements(const int64_t *dims, size_t rank)
{
    int64_t n = 1;
    size_t i;
    for (i = 0; i < rank; i++)
        if (dims[i] < 0)
            return -1;
    for (i = 0; i < rank; i++)
        if (dims[i] == 0)
            return 0; /* [huge, huge, 0] is empty, not an overflow */
    for (i = 0; i < rank; i++) {
        if (n > INT64_MAX / dims[i])
            return -1;
        n *= dims[i];
    }
    return n;
}

#endif
