/* NumPy .npy reader and writer: round trips, the header variants NumPy and
 * other writers produce, and hostile headers and truncations, which must all
 * fail cleanly (run under ASan/UBSan). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "npy.h"

#define CAP ((size_t)1 << 20)

/* Builds a file: magic, version, header (padded as given), then data_len
 * bytes of data. */
static unsigned char *build(int major, const char *header, size_t data_len, size_t *size)
{
    size_t hlen = strlen(header), prefix = major == 1 ? 10 : 12, i;
    unsigned char *b = malloc(prefix + hlen + data_len + 1);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    b[8] = (unsigned char)(hlen & 0xff);
    b[9] = (unsigned char)((hlen >> 8) & 0xff);
    if (prefix == 12) {
        b[10] = (unsigned char)((hlen >> 16) & 0xff);
        b[11] = (unsigned char)((hlen >> 24) & 0xff);
    }
    memcpy(b + prefix, header, hlen);
    for (i = 0; i < data_len; i++)
        b[prefix + hlen + i] = (unsigned char)(i * 7 + 1);
    *size = prefix + hlen + data_len;
    return b;
}

static int parses(int major, const char *header, size_t data_len, npy_header *h, char *err,
                  size_t errlen)
{
    size_t size;
    unsigned char *b = build(major, header, data_len, &size);
    int rc = npy_parse_header(b, size, CAP, h, err, errlen);
    free(b);
    return rc;
}

static void test_accepts(test_counts *tc)
{
    npy_header h;
    char err[256];

    CHECK(tc, parses(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }      \n",
                     24, &h, err, sizeof err) == 0);
    CHECK(tc, h.dtype == MOBINFER_DTYPE_FLOAT32 && h.rank == 2 && h.dims[0] == 2 &&
                  h.dims[1] == 3 && h.count == 6 && h.byte_size == 24);
    /* Versions 2.0 and 3.0 differ only in the 4-byte length. */
    CHECK(tc, parses(2, "{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }\n", 32, &h,
                     err, sizeof err) == 0);
    CHECK(tc, h.dtype == MOBINFER_DTYPE_INT64 && h.rank == 1 && h.dims[0] == 4);
    CHECK(tc, parses(3, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2, 3), }\n", 6,
                     &h, err, sizeof err) == 0);
    CHECK(tc, h.dtype == MOBINFER_DTYPE_UINT8 && h.rank == 3);
    /* A scalar. */
    CHECK(tc, parses(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }\n", 4, &h, err,
                     sizeof err) == 0);
    CHECK(tc, h.rank == 0 && h.count == 1 && h.byte_size == 4);
    /* Zero elements. */
    CHECK(tc, parses(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }\n", 0, &h,
                     err, sizeof err) == 0);
    CHECK(tc, h.count == 0 && h.byte_size == 0);
    /* Keys in another order, double quotes, no trailing comma, no spaces,
     * Python 2's long suffix, '<' on a one-byte type, '=' byte order. */
    CHECK(tc, parses(1, "{\"shape\":(2L,3L),\"fortran_order\":False,\"descr\":\"<i1\"}", 6, &h,
                     err, sizeof err) == 0);
    CHECK(tc, h.dtype == MOBINFER_DTYPE_INT8 && h.count == 6);
    CHECK(tc, parses(1, "{'descr': '=f4', 'fortran_order': False, 'shape': (1,)}", 4, &h, err,
                     sizeof err) == 0);
    CHECK(tc, parses(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }\n", 3, &h,
                     err, sizeof err) == 0);
    CHECK(tc, h.dtype == MOBINFER_DTYPE_BOOL);
    /* Rank 8 is the most mobinfer takes. */
    CHECK(tc, parses(1,
                     "{'descr': '|u1', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,2), }\n",
                     2, &h, err, sizeof err) == 0);
    CHECK(tc, h.rank == 8);
}

typedef struct bad_case {
    int major;
    const char *header;
    size_t data_len;
    const char *expect; /* a word the message must contain */
} bad_case;

static void test_rejects(test_counts *tc)
{
    static const bad_case cases[] = {
        {1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8, "fortran"},
        {1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, "big-endian"},
        {1, "{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", 8, "big-endian"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16, "float64"},
        {1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported"},
        {1, "{'descr': '<U4', 'fortran_order': False, 'shape': (2,), }", 32, "unsupported"},
        {1, "{'descr': 'f4', 'fortran_order': False, 'shape': (2,), }", 8, "unsupported"},
        {1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8,
         "structured"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8, "negative"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20, "data"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 28, "data"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 0,
         "too large"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }",
         0, "overflow"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1048576, 2), }", 0, "limit"},
        {1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 1,
         "rank"},
        {1, "{'descr': '<f4', 'fortran_order': False}", 0, "shape"},
        {1, "{'descr': '<f4', 'shape': (1,)}", 4, "fortran_order"},
        {1, "{'fortran_order': False, 'shape': (1,)}", 4, "descr"},
        {1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4,
         "duplicate"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", 4,
         "unexpected key"},
        {1, "{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,)}", 4, "fortran_order"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", 4, "tuple"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}", 4, "shape"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,,)}", 4, "integer"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,", 4, "shape"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", 4, "after"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}}", 4, "after"},
        {1, "{'descr': '<f4", 4, "unterminated"},
        {1, "{'desc\\r': '<f4'}", 4, "character"},
        {1, "{'descr' '<f4'}", 4, "':'"},
        {1, "['descr']", 4, "dict"},
        {1, "", 4, "dict"},
        {1, "{'descrdescrdescrdescrdescrdescrdescrdescr': 1}", 4, "too long"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,) 'x'}", 4, "expected"},
    };
    size_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        npy_header h;
        char err[256] = "";
        int rc = parses(cases[k].major, cases[k].header, cases[k].data_len, &h, err, sizeof err);
        CHECKF(tc, rc == -1, "case %zu accepted: %s", k, cases[k].header);
        CHECKF(tc, strstr(err, cases[k].expect) != NULL, "case %zu: '%s' lacks '%s'", k, err,
               cases[k].expect);
    }
}

static void test_prefix(test_counts *tc)
{
    static const unsigned char bad_magic[] = "\x93NUMPZ\x01\x00\x10\x00{}";
    static const unsigned char bad_version[] = "\x93NUMPY\x04\x00\x10\x00{}";
    static const unsigned char bad_minor[] = "\x93NUMPY\x01\x01\x10\x00{}";
    static const unsigned char long_v1[] = "\x93NUMPY\x01\x00\xff\xff{}";
    static const unsigned char long_v2[] = "\x93NUMPY\x02\x00\xff\xff\xff\xff{}";
    static const unsigned char short_v2[] = "\x93NUMPY\x02\x00\x01";
    npy_header h;
    char err[256];
    CHECK(tc, npy_parse_header(bad_magic, sizeof bad_magic - 1, CAP, &h, err, sizeof err) == -1);
    CHECK(tc, strstr(err, "magic") != NULL);
    CHECK(tc, npy_parse_header(bad_version, sizeof bad_version - 1, CAP, &h, err, sizeof err) ==
                  -1);
    CHECK(tc, strstr(err, "version") != NULL);
    CHECK(tc, npy_parse_header(bad_minor, sizeof bad_minor - 1, CAP, &h, err, sizeof err) == -1);
    CHECK(tc, npy_parse_header(long_v1, sizeof long_v1 - 1, CAP, &h, err, sizeof err) == -1);
    CHECK(tc, strstr(err, "truncated") != NULL);
    CHECK(tc, npy_parse_header(long_v2, sizeof long_v2 - 1, CAP, &h, err, sizeof err) == -1);
    CHECK(tc, strstr(err, "too long") != NULL);
    CHECK(tc, npy_parse_header(short_v2, sizeof short_v2 - 1, CAP, &h, err, sizeof err) == -1);
    CHECK(tc, npy_parse_header(NULL, 0, CAP, &h, err, sizeof err) == -1);
    CHECK(tc, npy_parse_header("", 0, CAP, &h, NULL, 0) == -1); /* no message buffer */
}

/* Every prefix of a valid file must fail without reading past its end. */
static void test_truncations(test_counts *tc)
{
    size_t size, n;
    unsigned char *b =
        build(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }        \n", 24,
              &size);
    int all_failed = 1;
    for (n = 0; n < size; n++) {
        unsigned char *copy = malloc(n > 0 ? n : 1); /* exact size, so ASan sees overreads */
        npy_array a;
        char err[256];
        memcpy(copy, b, n);
        if (npy_parse(copy, n, CAP, &a, err, sizeof err) != -1 || a.data != NULL)
            all_failed = 0;
        free(copy);
    }
    CHECK(tc, all_failed);
    free(b);
}

static void test_round_trip(test_counts *tc)
{
    static const mobinfer_dtype types[] = {MOBINFER_DTYPE_FLOAT32, MOBINFER_DTYPE_INT64,
                                           MOBINFER_DTYPE_INT32,   MOBINFER_DTYPE_UINT8,
                                           MOBINFER_DTYPE_INT8,    MOBINFER_DTYPE_BOOL};
    static const int64_t shapes[][MOBINFER_MAX_RANK] = {{0}, {5}, {2, 3}, {1, 1, 1, 1, 1, 1, 2, 3}, {0, 4}};
    static const size_t ranks[] = {0, 1, 2, 8, 2};
    char path[] = "/tmp/mobinfer_test_npy_XXXXXX";
    size_t t, s;
    int fd = mkstemp(path);
    CHECK(tc, fd >= 0);
    if (fd < 0)
        return;
    fclose(fdopen(fd, "w"));
    for (t = 0; t < sizeof types / sizeof types[0]; t++) {
        for (s = 0; s < sizeof ranks / sizeof ranks[0]; s++) {
            size_t esize = types[t] == MOBINFER_DTYPE_INT64 ? 8
                           : types[t] == MOBINFER_DTYPE_FLOAT32 || types[t] == MOBINFER_DTYPE_INT32
                               ? 4
                               : 1;
            size_t count = 1, i, fsize = 0;
            unsigned char *data, *file = NULL;
            FILE *f;
            npy_array a;
            char err[256];
            for (i = 0; i < ranks[s]; i++)
                count *= (size_t)shapes[s][i];
            data = malloc(count * esize + 1);
            for (i = 0; i < count * esize; i++)
                data[i] = types[t] == MOBINFER_DTYPE_BOOL ? (unsigned char)(i % 2)
                                                          : (unsigned char)(i * 13 + 5);
            CHECKF(tc, npy_write_file(path, types[t], shapes[s], ranks[s], data, count * esize,
                                      err, sizeof err) == 0,
                   "write: %s", err);
            f = fopen(path, "rb");
            if (f != NULL) {
                file = malloc(4096 + count * esize);
                fsize = fread(file, 1, 4096 + count * esize, f);
                fclose(f);
            }
            /* NumPy's layout: data starts on a 64-byte boundary after '\n'. */
            CHECKF(tc, file != NULL && (fsize - count * esize) % 64 == 0 &&
                           file[fsize - count * esize - 1] == '\n',
                   "type %zu shape %zu", t, s);
            CHECKF(tc, file != NULL && npy_parse(file, fsize, CAP, &a, err, sizeof err) == 0,
                   "reparse: %s", err);
            if (a.data != NULL) {
                CHECK(tc, a.header.dtype == types[t] && a.header.rank == ranks[s]);
                CHECK(tc, memcmp(a.header.dims, shapes[s], sizeof(int64_t) * ranks[s]) == 0);
                CHECK(tc, a.header.byte_size == count * esize);
                CHECK(tc, memcmp(a.data, data, count * esize) == 0);
            }
            npy_array_free(&a);
            free(file);
            free(data);
        }
    }
    {
        /* Mismatched size and unsupported dtype are refused. */
        int64_t dims[1] = {4};
        float v[4] = {0};
        char err[256];
        CHECK(tc, npy_write_file(path, MOBINFER_DTYPE_FLOAT32, dims, 1, v, 12, err, sizeof err) ==
                      -1);
        CHECK(tc, npy_write_file(path, MOBINFER_DTYPE_UNDEFINED, dims, 1, v, 16, err,
                                 sizeof err) == -1);
        CHECK(tc, npy_write_file("/nonexistent-dir/x.npy", MOBINFER_DTYPE_FLOAT32, dims, 1, v,
                                 16, err, sizeof err) == -1);
        CHECK(tc, strstr(err, "nonexistent-dir") != NULL);
    }
    remove(path);
}

static void test_bool_normalised(test_counts *tc)
{
    size_t size;
    unsigned char *b =
        build(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }\n", 4, &size);
    npy_array a;
    char err[256];
    b[size - 4] = 0;
    b[size - 3] = 1;
    b[size - 2] = 2;
    b[size - 1] = 255;
    CHECK(tc, npy_parse(b, size, CAP, &a, err, sizeof err) == 0);
    if (a.data != NULL) {
        const unsigned char *d = a.data;
        CHECK(tc, d[0] == 0 && d[1] == 1 && d[2] == 1 && d[3] == 1);
    }
    npy_array_free(&a);
    npy_array_free(NULL);
    free(b);
}

/* Random corruption of a valid file: whatever the result, no crash, and a
 * success must describe exactly the bytes present. */
static void test_mutations(test_counts *tc)
{
    size_t size, iter;
    unsigned char *base =
        build(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }           \n", 16,
              &size);
    uint64_t rng = 12345;
    int consistent = 1;
    for (iter = 0; iter < 20000; iter++) {
        unsigned char *m = malloc(size);
        size_t n = size, flips, f;
        npy_array a;
        char err[256];
        memcpy(m, base, size);
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        flips = 1 + (rng >> 60) % 4;
        for (f = 0; f < flips; f++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            m[(rng >> 33) % size] = (unsigned char)(rng >> 17);
        }
        if (rng & 1)
            n = (size_t)((rng >> 40) % (size + 1));
        if (npy_parse(m, n, CAP, &a, err, sizeof err) == 0) {
            if (a.header.data_offset + a.header.byte_size != n || a.data == NULL)
                consistent = 0;
            npy_array_free(&a);
        }
        free(m);
    }
    CHECK(tc, consistent);
    free(base);
}

static void test_descr_names(test_counts *tc)
{
    CHECK(tc, strcmp(npy_descr(MOBINFER_DTYPE_FLOAT32), "<f4") == 0);
    CHECK(tc, strcmp(npy_descr(MOBINFER_DTYPE_BOOL), "|b1") == 0);
    CHECK(tc, npy_descr(MOBINFER_DTYPE_UNDEFINED) == NULL);
}

int main(void)
{
    test_counts tc = {0, 0};
    test_accepts(&tc);
    test_rejects(&tc);
    test_prefix(&tc);
    test_truncations(&tc);
    test_round_trip(&tc);
    test_bool_normalised(&tc);
    test_mutations(&tc);
    test_descr_names(&tc);
    return test_finish(&tc);
}
