/* Command-line parsing and the small helpers around it: option forms,
 * strict numbers, input and preprocessing options with presets, --dim and
 * --shape, output file names, shape and number formatting, top-K, latency
 * statistics, tensor summaries, file reading and directory creation. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "bindings.h"
#include "check.h"
#include "classify.h"
#include "fileio.h"
#include "format.h"
#include "imagenet_labels.h"
#include "inputs.h"
#include "stats.h"
#include "summary.h"

/* report.c prints status names through the library; this test does not link
 * it, so it supplies the one function it needs. */
const char *mobinfer_status_name(mobinfer_status status)
{
    return status == MOBINFER_OK ? "MOBINFER_OK" : "MOBINFER_ERR";
}

static void test_arg_value(test_counts *tc)
{
    char a0[] = "run", a1[] = "--resize", a2[] = "256", a3[] = "--resize=128", a4[] = "--resizex",
         a5[] = "--resize";
    char *argv[] = {a0, a1, a2, a3, a4, a5};
    const char *v = NULL;
    int i = 1;
    CHECK(tc, arg_value(6, argv, &i, "--resize", &v) == 1 && i == 2 && strcmp(v, "256") == 0);
    i = 3;
    CHECK(tc, arg_value(6, argv, &i, "--resize", &v) == 1 && i == 3 && strcmp(v, "128") == 0);
    i = 4;
    CHECK(tc, arg_value(6, argv, &i, "--resize", &v) == 0);
    i = 5; /* last argument, value missing */
    CHECK(tc, arg_value(6, argv, &i, "--resize", &v) == -1);
    i = 2;
    CHECK(tc, arg_value(6, argv, &i, "--resize", &v) == 0);
}

static void test_numbers(test_counts *tc)
{
    int64_t v;
    int n;
    float f[3];
    int64_t dims[MOBINFER_MAX_RANK];
    size_t rank;
    int h, w;

    CHECK(tc, parse_int64("0", 0, 10, &v) == 0 && v == 0);
    CHECK(tc, parse_int64("-5", -10, 10, &v) == 0 && v == -5);
    CHECK(tc, parse_int64("9223372036854775807", 0, INT64_MAX, &v) == 0 && v == INT64_MAX);
    CHECK(tc, parse_int64("9223372036854775808", 0, INT64_MAX, &v) == -1);
    CHECK(tc, parse_int64("11", 0, 10, &v) == -1);
    CHECK(tc, parse_int64("4x", 0, 10, &v) == -1);
    CHECK(tc, parse_int64(" 4", 0, 10, &v) == -1);
    CHECK(tc, parse_int64("+4", 0, 10, &v) == -1);
    CHECK(tc, parse_int64("", 0, 10, &v) == -1);
    CHECK(tc, parse_int64("-", -10, 10, &v) == -1);
    CHECK(tc, parse_int64("0x10", 0, 100, &v) == -1);
    CHECK(tc, parse_int("1024", 1, 1024, &n) == 0 && n == 1024);
    CHECK(tc, parse_int("1025", 1, 1024, &n) == -1);

    CHECK(tc, parse_float_list("123.675,116.28,103.53", f, 3) == 0 && f[0] == 123.675f &&
                  f[2] == 103.53f);
    CHECK(tc, parse_float_list("-1,2e2,.5", f, 3) == 0 && f[0] == -1.0f && f[1] == 200.0f &&
                  f[2] == 0.5f);
    CHECK(tc, parse_float_list("1,2", f, 3) == -1);
    CHECK(tc, parse_float_list("1,2,3,4", f, 3) == -1);
    CHECK(tc, parse_float_list("1,,3", f, 3) == -1);
    CHECK(tc, parse_float_list("1, 2,3", f, 3) == -1);
    CHECK(tc, parse_float_list("1,2,nan", f, 3) == -1);
    CHECK(tc, parse_float_list("1,2,inf", f, 3) == -1);
    CHECK(tc, parse_float_list("1,2,1e39", f, 3) == -1);
    CHECK(tc, parse_float_list("1,2,3x", f, 3) == -1);

    CHECK(tc, parse_dims("1,3,224,224", dims, MOBINFER_MAX_RANK, &rank) == 0 && rank == 4 &&
                  dims[3] == 224);
    CHECK(tc, parse_dims("", dims, MOBINFER_MAX_RANK, &rank) == 0 && rank == 0);
    CHECK(tc, parse_dims("0", dims, MOBINFER_MAX_RANK, &rank) == 0 && rank == 1 && dims[0] == 0);
    CHECK(tc, parse_dims("1,2,3,4,5,6,7,8,9", dims, MOBINFER_MAX_RANK, &rank) == -1);
    CHECK(tc, parse_dims("1,-2", dims, MOBINFER_MAX_RANK, &rank) == -1);
    CHECK(tc, parse_dims("1,", dims, MOBINFER_MAX_RANK, &rank) == -1);
    CHECK(tc, parse_dims(",1", dims, MOBINFER_MAX_RANK, &rank) == -1);
    CHECK(tc, parse_dims("1,a", dims, MOBINFER_MAX_RANK, &rank) == -1);
    CHECK(tc, parse_dims("123456789012345678901234567890", dims, MOBINFER_MAX_RANK, &rank) == -1);

    CHECK(tc, parse_size2("224", &h, &w) == 0 && h == 224 && w == 224);
    CHECK(tc, parse_size2("300x200", &h, &w) == 0 && h == 300 && w == 200);
    CHECK(tc, parse_size2("300X200", &h, &w) == 0 && h == 300 && w == 200);
    CHECK(tc, parse_size2("0", &h, &w) == -1);
    CHECK(tc, parse_size2("x200", &h, &w) == -1);
    CHECK(tc, parse_size2("300x", &h, &w) == -1);
    CHECK(tc, parse_size2("300x200x3", &h, &w) == -1);
    CHECK(tc, parse_size2("65537", &h, &w) == -1);
}

static void test_split(test_counts *tc)
{
    const char *value = NULL;
    char *name = split_last_eq("batch=4", &value);
    CHECK(tc, name != NULL && strcmp(name, "batch") == 0 && strcmp(value, "4") == 0);
    free(name);
    name = split_last_eq("a=b=3", &value);
    CHECK(tc, name != NULL && strcmp(name, "a=b") == 0 && strcmp(value, "3") == 0);
    free(name);
    CHECK(tc, split_last_eq("=3", &value) == NULL);
    CHECK(tc, split_last_eq("batch", &value) == NULL);
}

/* Builds argv from a space-separated string (tokens point into buf). */
static int make_argv(char *buf, char **argv, int max)
{
    int argc = 0;
    char *tok = strtok(buf, " ");
    while (tok != NULL && argc < max) {
        argv[argc++] = tok;
        tok = strtok(NULL, " ");
    }
    return argc;
}

/* Parses every argument as an input option; returns -1 on the first error,
 * 0 if one is not an input option, 1 if all were. */
static int parse_inputs(const char *line, input_options *o)
{
    char buf[512];
    char *argv[32];
    int argc, i;
    snprintf(buf, sizeof buf, "%s", line);
    argc = make_argv(buf, argv, 32);
    if (input_options_init(o, argc) != 0)
        return -1;
    for (i = 1; i < argc; i++) {
        int r = input_options_parse(o, "run", argc, argv, &i);
        if (r <= 0)
            return r;
    }
    return input_options_finish(o, "run") == 0 ? 1 : -1;
}

static void test_input_options(test_counts *tc)
{
    input_options o;

    CHECK(tc, parse_inputs("run --input a.npy --input x=b.png --bgr --nhwc", &o) == 1);
    CHECK(tc, o.num_specs == 2 && o.prep.bgr && o.prep.layout == PREP_LAYOUT_NHWC &&
                  o.layout_set);
    CHECK(tc, o.prep.mean[0] == 0.0f && o.prep.std[2] == 1.0f && o.prep.resize == 0);
    input_options_free(&o);

    /* The preset fills what was not given; explicit flags win whatever
     * their position. */
    CHECK(tc, parse_inputs("run --mean 1,2,3 --preset imagenet --resize 300", &o) == 1);
    CHECK(tc, o.prep.mean[0] == 1.0f && o.prep.mean[2] == 3.0f);
    CHECK(tc, o.prep.std[0] == 58.395f && o.prep.std[2] == 57.375f);
    CHECK(tc, o.prep.resize == 300 && o.prep.crop_h == 224 && o.prep.crop_w == 224);
    CHECK(tc, !o.crop_set); /* a fixed-size model input still takes precedence */
    input_options_free(&o);

    CHECK(tc, parse_inputs("run --preset efficientnet-lite --crop 200x100", &o) == 1);
    CHECK(tc, o.prep.mean[1] == 127.0f && o.prep.std[1] == 128.0f && o.prep.resize == 256);
    CHECK(tc, o.prep.crop_h == 200 && o.prep.crop_w == 100 && o.crop_set);
    input_options_free(&o);

    CHECK(tc, parse_inputs("run --preset nosuch", &o) == -1);
    input_options_free(&o);
    CHECK(tc, parse_inputs("run --std 1,0,1", &o) == -1);
    input_options_free(&o);
    CHECK(tc, parse_inputs("run --mean 1,2", &o) == -1);
    input_options_free(&o);
    CHECK(tc, parse_inputs("run --resize 0", &o) == -1);
    input_options_free(&o);
    CHECK(tc, parse_inputs("run --crop", &o) == -1);
    input_options_free(&o);
    CHECK(tc, parse_inputs("run --input=", &o) == -1);
    input_options_free(&o);
    CHECK(tc, parse_inputs("run --threads 4", &o) == 0);
    input_options_free(&o);
    CHECK(tc, strstr(input_options_help, "--preset") != NULL);
}

static int parse_bindings(const char *line, shape_bindings *b, int allow_shape)
{
    char buf[512];
    char *argv[32];
    int argc, i;
    snprintf(buf, sizeof buf, "%s", line);
    argc = make_argv(buf, argv, 32);
    if (shape_bindings_init(b, argc) != 0)
        return -1;
    for (i = 1; i < argc; i++) {
        int r = shape_bindings_parse(b, "info", allow_shape, argc, argv, &i);
        if (r <= 0)
            return r;
    }
    return 1;
}

static void test_bindings(test_counts *tc)
{
    shape_bindings b;
    CHECK(tc, parse_bindings("info --dim batch=2 --dim=seq=128 --shape x=1,3,8,8 --shape=y=", &b,
                             1) == 1);
    CHECK(tc, b.num_dims == 2 && strcmp(b.dims[1].name, "seq") == 0 && b.dims[1].value == 128);
    CHECK(tc, b.num_shapes == 2 && b.shapes[0].rank == 4 && b.shapes[0].dims[1] == 3);
    CHECK(tc, strcmp(b.shapes[1].name, "y") == 0 && b.shapes[1].rank == 0);
    shape_bindings_free(&b);
    CHECK(tc, parse_bindings("info --dim batch=2 --dim batch=3", &b, 1) == -1);
    shape_bindings_free(&b);
    CHECK(tc, parse_bindings("info --dim batch=-1", &b, 1) == -1);
    shape_bindings_free(&b);
    CHECK(tc, parse_bindings("info --dim batch", &b, 1) == -1);
    shape_bindings_free(&b);
    CHECK(tc, parse_bindings("info --shape x=1,2 --shape x=3", &b, 1) == -1);
    shape_bindings_free(&b);
    CHECK(tc, parse_bindings("info --shape x=1,,2", &b, 1) == -1);
    shape_bindings_free(&b);
    /* run takes --dim but not --shape. */
    CHECK(tc, parse_bindings("run --shape x=1", &b, 0) == 0);
    shape_bindings_free(&b);
}

static void test_output_names(test_counts *tc)
{
    char buf[64];
    CHECK(tc, output_file_name("logits", buf, sizeof buf) == 10 && strcmp(buf, "logits.npy") == 0);
    output_file_name("logits/out:0", buf, sizeof buf);
    CHECK(tc, strcmp(buf, "logits_out_0.npy") == 0);
    output_file_name("a.b-c_D9 x", buf, sizeof buf);
    CHECK(tc, strcmp(buf, "a.b-c_D9_x.npy") == 0);
    output_file_name("caf\xc3\xa9", buf, sizeof buf); /* UTF-8: one '_' per byte */
    CHECK(tc, strcmp(buf, "caf__.npy") == 0);
    output_file_name("..", buf, sizeof buf);
    CHECK(tc, strcmp(buf, "...npy") == 0);
    CHECK(tc, output_file_name("abcdef", buf, 10) == 0);
    CHECK(tc, output_file_name("abcdef", buf, 11) == 10);
}

static void test_format(test_counts *tc)
{
    static const int64_t dims[] = {-1, 3, 224, -1};
    static const char *const names[] = {"batch", NULL, NULL, NULL};
    char buf[64], small[10];
    format_shape(dims, names, 4, buf, sizeof buf);
    CHECK(tc, strcmp(buf, "[batch,3,224,?]") == 0);
    format_shape(dims, NULL, 0, buf, sizeof buf);
    CHECK(tc, strcmp(buf, "[]") == 0);
    format_shape(dims, names, 4, small, sizeof small);
    CHECK(tc, strlen(small) < sizeof small && strstr(small, "...]") != NULL);
    format_count(0, buf, sizeof buf);
    CHECK(tc, strcmp(buf, "0") == 0);
    format_count(999, buf, sizeof buf);
    CHECK(tc, strcmp(buf, "999") == 0);
    format_count(1000, buf, sizeof buf);
    CHECK(tc, strcmp(buf, "1,000") == 0);
    format_count(3504872, buf, sizeof buf);
    CHECK(tc, strcmp(buf, "3,504,872") == 0);
    format_count(UINT64_MAX, buf, sizeof buf);
    CHECK(tc, strcmp(buf, "18,446,744,073,709,551,615") == 0);
}

static void test_json(test_counts *tc)
{
    static const int64_t dims[] = {-1, 3};
    static const char *const names[] = {"n\"x", NULL};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    json_string(f, "a\"b\\c\n\x01");
    fputc(' ', f);
    json_shape(f, dims, names, 2);
    fclose(f);
    CHECK(tc, text != NULL && strcmp(text, "\"a\\\"b\\\\c\\n\\u0001\" [\"n\\\"x\",3]") == 0);
    free(text);
}

static void test_classify(test_counts *tc)
{
    static const int64_t d1000[] = {1, 1000}, d1001[] = {1001}, d2[] = {2, 1000},
                         d4[] = {1, 1, 1, 1000};
    float v[1001];
    size_t idx[5], i;
    float p[5];

    CHECK(tc, classify_imagenet_offset(MOBINFER_DTYPE_FLOAT32, d1000, 2) == 0);
    CHECK(tc, classify_imagenet_offset(MOBINFER_DTYPE_FLOAT32, d1001, 1) == 1);
    CHECK(tc, classify_imagenet_offset(MOBINFER_DTYPE_FLOAT32, d4, 4) == 0);
    CHECK(tc, classify_imagenet_offset(MOBINFER_DTYPE_FLOAT32, d2, 2) == -1);
    CHECK(tc, classify_imagenet_offset(MOBINFER_DTYPE_UINT8, d1000, 2) == -1);
    CHECK(tc, classify_imagenet_offset(MOBINFER_DTYPE_FLOAT32, d1000, 0) == -1);

    for (i = 0; i < 1000; i++)
        v[i] = (float)((i * 37) % 1000) / 100.0f; /* a permutation of 0..9.99 */
    classify_top_k(v, 1000, 5, 1, idx, p);
    CHECK(tc, v[idx[0]] == 9.99f && v[idx[1]] == 9.98f && v[idx[4]] == 9.95f);
    CHECK(tc, p[0] > p[1] && p[1] > p[4] && p[0] < 1.0f);
    {
        /* softmax(9.99) over the whole vector, in double. */
        double total = 0.0;
        for (i = 0; i < 1000; i++)
            total += exp((double)v[i] - 9.99);
        CHECK(tc, fabs(p[0] - 1.0 / total) < 1e-6);
    }
    classify_top_k(v, 1000, 5, 0, idx, p);
    CHECK(tc, p[0] == 9.99f);

    /* Ties keep the lower index first; NaN never ranks. */
    {
        float t[6] = {NAN, 1.0f, 3.0f, 3.0f, NAN, 2.0f};
        classify_top_k(t, 6, 3, 0, idx, p);
        CHECK(tc, idx[0] == 2 && idx[1] == 3 && idx[2] == 5);
        classify_top_k(t, 6, 0, 0, idx, p); /* k == 0: nothing, no crash */
        classify_top_k(t, 2, 5, 0, idx, p); /* k > n: capped */
        CHECK(tc, idx[0] == 1);
    }

    for (i = 0; i < 1000; i++)
        v[i] = 0.001f;
    CHECK(tc, classify_is_distribution(v, 1000));
    v[3] = 1.5f;
    CHECK(tc, !classify_is_distribution(v, 1000));
    v[3] = -0.001f;
    CHECK(tc, !classify_is_distribution(v, 1000));
    v[3] = NAN;
    CHECK(tc, !classify_is_distribution(v, 1000));

    CHECK(tc, strcmp(imagenet_label(0), "tench") == 0);
    CHECK(tc, strcmp(imagenet_label(281), "tabby") == 0);
    CHECK(tc, strcmp(imagenet_label(999), "toilet tissue") == 0);
    CHECK(tc, strcmp(imagenet_label(1000), "") == 0);
}

static void test_stats(test_counts *tc)
{
    double a[] = {5, 1, 4, 2, 3};
    double b[] = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
    double c[] = {7};
    latency_stats s;
    latency_summarise(a, 5, &s);
    CHECK(tc, s.min == 1 && s.max == 5 && s.median == 3 && s.mean == 3 && s.p90 == 5);
    latency_summarise(b, 10, &s);
    CHECK(tc, s.median == 5.5 && s.p90 == 9 && s.mean == 5.5);
    latency_summarise(c, 1, &s);
    CHECK(tc, s.min == 7 && s.median == 7 && s.p90 == 7);
}

static void test_summary(test_counts *tc)
{
    float f[4] = {1.0f, -2.0f, NAN, 4.0f};
    int64_t i64[3] = {-5, 10, INT64_C(1) << 40};
    unsigned char b[3] = {0, 1, 1};
    tensor_summary s;
    CHECK(tc, tensor_summarise(MOBINFER_DTYPE_FLOAT32, f, 4, 16, &s) == 0);
    CHECK(tc, s.min == -2.0 && s.max == 4.0 && s.mean == 1.0 && s.nan_count == 1);
    CHECK(tc, tensor_summarise(MOBINFER_DTYPE_INT64, i64, 3, 24, &s) == 0);
    CHECK(tc, s.min == -5.0 && s.max == 1099511627776.0);
    CHECK(tc, tensor_summarise(MOBINFER_DTYPE_BOOL, b, 3, 3, &s) == 0 && s.max == 1.0);
    CHECK(tc, tensor_summarise(MOBINFER_DTYPE_FLOAT32, f, 4, 12, &s) == -1);
    CHECK(tc, tensor_summarise(MOBINFER_DTYPE_UNDEFINED, f, 4, 16, &s) == -1);
    CHECK(tc, tensor_summarise(MOBINFER_DTYPE_FLOAT32, f, 0, 0, &s) == 0 && s.count == 0);
}

static void test_files(test_counts *tc)
{
    char dir[] = "/tmp/mobinfer_test_args_XXXXXX";
    char path[256], err[256];
    unsigned char *data;
    size_t size;
    FILE *f;
    struct stat st;

    CHECK(tc, mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    CHECK(tc, make_dirs(path, err, sizeof err) == 0);
    CHECK(tc, stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(tc, make_dirs(path, err, sizeof err) == 0); /* already there */
    snprintf(path, sizeof path, "%s/a/b/c/", dir);
    CHECK(tc, make_dirs(path, err, sizeof err) == 0);

    snprintf(path, sizeof path, "%s/file", dir);
    f = fopen(path, "wb");
    fputs("hello", f);
    fclose(f);
    CHECK(tc, read_file(path, 100, &data, &size, err, sizeof err) == 0 && size == 5 &&
                  memcmp(data, "hello", 6) == 0);
    free(data);
    CHECK(tc, read_file(path, 4, &data, &size, err, sizeof err) == -1 && data == NULL);
    CHECK(tc, strstr(err, "limit") != NULL);
    CHECK(tc, make_dirs(path, err, sizeof err) == -1); /* a file is in the way */
    snprintf(path, sizeof path, "%s/file/sub", dir);
    CHECK(tc, make_dirs(path, err, sizeof err) == -1);
    CHECK(tc, read_file(dir, 100, &data, &size, err, sizeof err) == -1); /* a directory */
    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK(tc, read_file(path, 100, &data, &size, err, sizeof err) == -1);
    CHECK(tc, strstr(err, "missing") != NULL);
    CHECK(tc, make_dirs("", err, sizeof err) == -1);

    snprintf(path, sizeof path, "%s/file", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a/b", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a", dir);
    rmdir(path);
    rmdir(dir);
}

int main(void)
{
    test_counts tc = {0, 0};
    /* The option parsers print usage errors on purpose; keep the log quiet. */
    if (freopen("/dev/null", "w", stderr) == NULL)
        return 1;
    test_arg_value(&tc);
    test_numbers(&tc);
    test_split(&tc);
    test_input_options(&tc);
    test_bindings(&tc);
    test_output_names(&tc);
    test_format(&tc);
    test_json(&tc);
    test_classify(&tc);
    test_stats(&tc);
    test_summary(&tc);
    test_files(&tc);
    return test_finish(&tc);
}
