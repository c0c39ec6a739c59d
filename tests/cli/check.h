/* Minimal checking for the CLI unit tests: each test program counts its
 * checks and ends with the "N passed, N failed" line CI reads. Failures go
 * to stdout, so a test may silence stderr (where the CLI code under test
 * prints its own, expected, error messages). */
#ifndef MOBINFER_CLI_TEST_CHECK_H
#define MOBINFER_CLI_TEST_CHECK_H

#include <stdio.h>

typedef struct test_counts {
    int passed;
    int failed;
} test_counts;

#define CHECK(tc, cond)                                                                  \
    do {                                                                                 \
        if (cond) {                                                                      \
            (tc)->passed++;                                                              \
        } else {                                                                         \
            (tc)->failed++;                                                              \
            fprintf(stdout, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
        }                                                                                \
    } while (0)

/* CHECK with a printf-style note, for checks inside loops over cases. */
#define CHECKF(tc, cond, ...)                                                            \
    do {                                                                                 \
        if (cond) {                                                                      \
            (tc)->passed++;                                                              \
        } else {                                                                         \
            (tc)->failed++;                                                              \
            fprintf(stdout, "%s:%d: check failed: %s [", __FILE__, __LINE__, #cond);     \
            fprintf(stdout, __VA_ARGS__);                                                \
            fprintf(stdout, "]\n");                                                      \
        }                                                                                \
    } while (0)

/* Prints the closing line and gives main's return value. */
static inline int test_finish(const test_counts *tc)
{
    printf("%d passed, %d failed\n", tc->passed, tc->failed);
    return tc->failed == 0 ? 0 : 1;
}

#endif
