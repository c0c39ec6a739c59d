/* Core helpers: overflow-checked shape products, broadcasting, the protobuf
 * varint reader at its edges, the pool's alignment. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/pool.h"
#include "core/tensor.h"
#include "onnx/wire.h"

static void test_numel(void)
{
    int64_t out = -1;
    int64_t a[] = {2, 3, 4};
    CHECK(mbi_shape_numel_checked(a, 3, 24, &out) && out == 24, "24 at limit 24");
    CHECK(!mbi_shape_numel_checked(a, 3, 23, &out), "24 past limit 23");
    int64_t big[] = {INT64_C(1) << 32, INT64_C(1) << 32, 2};
    CHECK(!mbi_shape_numel_checked(big, 3, INT64_MAX, &out), "overflow detected");
    int64_t neg[] = {2, -1};
    CHECK(!mbi_shape_numel_checked(neg, 2, INT64_MAX, &out), "negative dim rejected");
    int64_t zero[] = {INT64_MAX, 0};
    CHECK(mbi_shape_numel_checked(zero, 2, 10, &out) && out == 0, "zero-sized");
    CHECK(mbi_shape_numel_checked(NULL, 0, 1, &out) && out == 1, "scalar");
}

static void test_broadcast(void)
{
    int64_t a[] = {8, 1, 6, 1}, b[] = {7, 1, 5}, out[8];
    int rank;
    CHECK(mbi_broadcast_shape(a, 4, b, 3, out, &rank), "compatible");
    CHECK(rank == 4 && out[0] == 8 && out[1] == 7 && out[2] == 6 && out[3] == 5, "shape");
    int64_t c[] = {3}, d[] = {4};
    CHECK(!mbi_broadcast_shape(c, 1, d, 1, out, &rank), "incompatible");
    int64_t strides[8];
    mbi_broadcast_strides(b, 3, out, 4, strides);
    CHECK(strides[0] == 0 && strides[1] == 5 && strides[2] == 0 && strides[3] == 1,
          "strides %lld %lld %lld %lld", (long long)strides[0], (long long)strides[1],
          (long long)strides[2], (long long)strides[3]);
}

static void test_varint(void)
{
    const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    const uint8_t *p = max;
    uint64_t v;
    CHECK(mbi_wire_read_varint(&p, max + sizeof max, &v) && v == UINT64_MAX, "10-byte max");
    const uint8_t too_long[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    p = too_long;
    CHECK(!mbi_wire_read_varint(&p, too_long + sizeof too_long, &v), "65+ bits rejected");
    const uint8_t truncated[] = {0x80, 0x80};
    p = truncated;
    CHECK(!mbi_wire_read_varint(&p, truncated + 2, &v), "truncated rejected");
    /* A LEN field claiming more bytes than remain. */
    const uint8_t len_field[] = {0x0a, 0x7f, 0x00};
    mbi_wire w = mbi_wire_make(len_field, sizeof len_field);
    mbi_wire_field f;
    CHECK(!mbi_wire_next(&w, &f) && w.bad, "overlong LEN rejected");
    const uint8_t group[] = {0x0b};
    w = mbi_wire_make(group, 1);
    CHECK(!mbi_wire_next(&w, &f) && w.bad, "group wire type rejected");
}

static void test_pool(void)
{
    mbi_pool pool;
    mbi_pool_init(&pool);
    for (int i = 1; i < 200; i++) {
        size_t align = (size_t)1 << (i % 7 + 4);
        unsigned char *p = mbi_pool_alloc_aligned(&pool, (size_t)i * 37, align);
        CHECK(p && ((uintptr_t)p % align) == 0, "alignment %zu", align);
        int zero = 1;
        for (int k = 0; k < i * 37; k++)
            zero &= p[k] == 0;
        CHECK(zero, "zeroed");
        memset(p, 0xab, (size_t)i * 37);
    }
    CHECK(mbi_pool_alloc_aligned(&pool, 16, 3) == NULL, "bad alignment refused");
    CHECK(mbi_pool_alloc_array(&pool, SIZE_MAX / 2, 16) == NULL, "overflow refused");
    char *s = mbi_pool_strndup(&pool, "abcdef", 3);
    CHECK(s && strcmp(s, "abc") == 0, "strndup");
    mbi_pool_destroy(&pool);
}

int main(void)
{
    test_numel();
    test_broadcast();
    test_varint();
    test_pool();
    return check_summary();
}
