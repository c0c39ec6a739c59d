/* Minimal test assertions: each CHECK counts one pass or one failure, and
 * check_summary prints 'N passed, N failed' and gives main's exit code. */
#ifndef MBI_TEST_CHECK_H
#define MBI_TEST_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                                 \
    do {                                                                                 \
        if (cond) {                                                                      \
            check_passed++;                                                              \
        } else {                                                                         \
            check_failed++;                                                              \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);     \
            fprintf(stderr, __VA_ARGS__);                                                \
            fputc('\n', stderr);                                                         \
        }                                                                                \
    } while (0)

/* Adds the checks another file counted (check_passed and check_failed are
 * per file): a support library's own CHECKs, before check_summary. */
static inline void check_add(int passed, int failed)
{
    check_passed += passed;
    check_failed += failed;
}

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
