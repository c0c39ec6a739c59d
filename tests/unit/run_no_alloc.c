/* After mobinfer_session_create, mobinfer_session_run performs no heap
 * allocation. The test replaces malloc and friends with counting wrappers
 * around glibc's own allocator and runs sessions: a small CNN built here,
 * and the model given as argv[1] (if any). Skipped under sanitizers, which
 * own malloc themselves. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"

#ifndef MOBINFER_SANITIZED
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static volatile int counting;
static volatile long allocations;

void *malloc(size_t n)
{
    if (counting)
        allocations++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
    if (counting)
        allocations++;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        allocations++;
    return __libc_realloc(p, n);
}
void *aligned_alloc(size_t a, size_t n)
{
    if (counting)
        allocations++;
    return __libc_memalign(a, n);
}
int posix_memalign(void **out, size_t a, size_t n)
{
    if (counting)
        allocations++;
    *out = __libc_memalign(a, n);
    return *out ? 0 : 12;
}
void free(void *p)
{
    __libc_free(p);
}

static void fill_inputs(mobinfer_session *s)
{
    for (size_t i = 0; i < mobinfer_session_input_count(s); i++) {
        mobinfer_value_info info;
        mobinfer_session_input(s, i, &info);
        size_t n = 1;
        for (size_t k = 0; k < info.rank; k++)
            n *= (size_t)info.dims[k];
        size_t bytes = n * mobinfer_dtype_size(info.dtype);
        unsigned char *data = calloc(1, bytes ? bytes : 1);
        for (size_t k = 0; info.dtype == MOBINFER_DTYPE_FLOAT32 && k < n; k++)
            ((float *)data)[k] = (float)((k * 7) % 13) / 13.0f - 0.5f;
        mobinfer_status st =
            mobinfer_session_set_input(s, info.name, info.dtype, info.dims, info.rank, data, bytes);
        CHECK(st == MOBINFER_OK, "set input %s: %s", info.name, mobinfer_session_last_error(s));
        free(data);
    }
}

static void check_model(mobinfer_model *m, const char *what)
{
    mobinfer_session *s = NULL;
    mobinfer_status st = mobinfer_session_create(m, NULL, &s);
    CHECK(st == MOBINFER_OK, "%s: session: %s", what, mobinfer_last_error());
    if (st)
        return;
    fill_inputs(s);
    CHECK(mobinfer_session_run(s) == MOBINFER_OK, "%s: first run: %s", what,
          mobinfer_session_last_error(s));
    /* Inputs are set once: later runs must see them unchanged. */
    mobinfer_value_info out_info;
    mobinfer_tensor first;
    mobinfer_session_output(s, 0, &out_info);
    mobinfer_session_get_output(s, out_info.name, &first);
    void *expected = malloc(first.byte_size ? first.byte_size : 1);
    memcpy(expected, first.data, first.byte_size);
    allocations = 0;
    counting = 1;
    for (int i = 0; i < 3; i++)
        st |= mobinfer_session_run(s);
    counting = 0;
    CHECK(st == MOBINFER_OK, "%s: runs: %s", what, mobinfer_session_last_error(s));
    CHECK(allocations == 0, "%s: %ld heap allocations during 3 runs", what, allocations);
    mobinfer_tensor last;
    mobinfer_session_get_output(s, out_info.name, &last);
    CHECK(last.byte_size == first.byte_size && memcmp(last.data, expected, last.byte_size) == 0,
          "%s: a later run without set_input gives another result", what);
    free(expected);
    printf("%s: %zu nodes, arena %llu bytes, %ld allocations in 3 runs\n", what,
           mobinfer_session_node_count(s), (unsigned long long)mobinfer_session_arena_bytes(s),
           allocations);
    mobinfer_session_free(s);
}

int main(int argc, char **argv)
{
    tb_buf b;
    tb_small_cnn(&b);
    mobinfer_model *m = NULL;
    mobinfer_status st = mobinfer_model_load_memory(b.data, b.len, NULL, &m);
    CHECK(st == MOBINFER_OK, "load small cnn: %s", mobinfer_last_error());
    if (!st)
        check_model(m, "small cnn");
    mobinfer_model_free(m);
    tb_free(&b);
    if (argc > 1) {
        st = mobinfer_model_load(argv[1], NULL, &m);
        CHECK(st == MOBINFER_OK, "load %s: %s", argv[1], mobinfer_last_error());
        if (!st)
            check_model(m, argv[1]);
        mobinfer_model_free(m);
    }
    return check_summary();
}
#else
int main(void)
{
    printf("run_no_alloc: skipped under sanitizers (they replace malloc)\n");
    printf("0 passed, 0 failed, 1 skipped\n");
    return 0;
}
#endif
