/* A main for the fuzz harnesses without libFuzzer: runs the harness once on
 * each file named on the command line. With it, the regression inputs and
 * seeds of tests/fuzz run in every build (gcc, Release, ASan+UBSan) and so
 * in CI, while fuzzing itself needs clang (run_fuzz.sh). A harness reports a
 * bug by crashing or aborting, which fails the test. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap)
            break;
        unsigned char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    *size = len;
    return buf;
}

int main(int argc, char **argv)
{
    int ran = 0, unreadable = 0;
    for (int i = 1; i < argc; i++) {
        size_t size = 0;
        unsigned char *data = read_all(argv[i], &size);
        if (!data) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            unreadable++;
            continue;
        }
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        ran++;
    }
    printf("%d passed, %d failed\n", ran, unreadable);
    return unreadable ? 1 : 0;
}
