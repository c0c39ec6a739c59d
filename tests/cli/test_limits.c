/* --limit NAME=VALUE: every mobinfer_limits field by name, the K/M/G
 * suffixes, and the values and names that must be refused. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "limit_options.h"

/* report.c prints status names through the library; this test does not link
 * it, so it supplies the one function it needs. */
const char *mobinfer_status_name(mobinfer_status status)
{
    return status == MOBINFER_OK ? "MOBINFER_OK" : "MOBINFER_ERR";
}

static void test_values(test_counts *tc)
{
    static const struct {
        const char *text;
        uint64_t want; /* 0: must be refused */
    } cases[] = {
        {"1", 1},
        {"1000000", 1000000},
        {"1K", 1024},
        {"3k", 3072},
        {"64M", 64ull << 20},
        {"2G", 2ull << 30},
        {"18446744073709551615", UINT64_MAX},
        {"17179869183G", 17179869183ull << 30},
        {"17179869184G", 0}, /* 2^64: overflows */
        {"18446744073709551616", 0},
        {"0", 0},
        {"0K", 0},
        {"", 0},
        {"-1", 0},
        {"+1", 0},
        {" 1", 0},
        {"1 ", 0},
        {"1KB", 0},
        {"1T", 0},
        {"K", 0},
        {"1.5M", 0},
        {"0x10", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = 0;
        int r = parse_limit_value(cases[i].text, &v);
        if (cases[i].want)
            CHECKF(tc, r == 0 && v == cases[i].want, "'%s' -> %d %llu", cases[i].text, r,
                   (unsigned long long)v);
        else
            CHECKF(tc, r != 0, "'%s' accepted as %llu", cases[i].text, (unsigned long long)v);
    }
    CHECK(tc, parse_limit_value(NULL, NULL) != 0);
}

static void test_names(test_counts *tc)
{
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
        {"model_bytes", offsetof(mobinfer_limits, max_model_bytes)},
        {"nodes", offsetof(mobinfer_limits, max_nodes)},
        {"values", offsetof(mobinfer_limits, max_values)},
        {"tensor_elements", offsetof(mobinfer_limits, max_tensor_elements)},
        {"tensor_bytes", offsetof(mobinfer_limits, max_tensor_bytes)},
        {"initializer_bytes", offsetof(mobinfer_limits, max_initializer_bytes)},
        {"arena_bytes", offsetof(mobinfer_limits, max_arena_bytes)},
        {"attribute_elements", offsetof(mobinfer_limits, max_attribute_elements)},
        {"graph_inputs", offsetof(mobinfer_limits, max_graph_inputs)},
        {"graph_depth", offsetof(mobinfer_limits, max_graph_depth)},
    };
    char err[512], spec[64];
    CHECK(tc, sizeof fields / sizeof fields[0] == sizeof(mobinfer_limits) / sizeof(uint64_t));
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        mobinfer_limits l;
        uint64_t got;
        memset(&l, 0, sizeof l);
        snprintf(spec, sizeof spec, "%s=%zuK", fields[i].name, i + 1);
        CHECKF(tc, limit_apply(&l, spec, err, sizeof err) == 0, "%s: %s", spec, err);
        memcpy(&got, (const char *)&l + fields[i].offset, sizeof got);
        CHECKF(tc, got == (uint64_t)(i + 1) * 1024, "%s set %llu", spec, (unsigned long long)got);
        /* Only that field: the others keep meaning "the default". */
        uint64_t sum = 0;
        for (size_t k = 0; k < sizeof l / sizeof(uint64_t); k++) {
            memcpy(&got, (const char *)&l + k * sizeof(uint64_t), sizeof got);
            sum += got;
        }
        CHECKF(tc, sum == (uint64_t)(i + 1) * 1024, "%s touched other fields", spec);
    }

    mobinfer_limits l;
    memset(&l, 0, sizeof l);
    CHECK(tc, limit_apply(&l, "frobs=1", err, sizeof err) != 0 && strstr(err, "'frobs'") &&
                  strstr(err, "graph_depth"));
    CHECK(tc, limit_apply(&l, "max_nodes=1", err, sizeof err) != 0 && strstr(err, "'max_nodes'"));
    CHECK(tc, limit_apply(&l, "node=1", err, sizeof err) != 0);
    CHECK(tc, limit_apply(&l, "nodesx=1", err, sizeof err) != 0);
    CHECK(tc, limit_apply(&l, "nodes", err, sizeof err) != 0 && strstr(err, "NAME=VALUE"));
    CHECK(tc, limit_apply(&l, "=5", err, sizeof err) != 0);
    CHECK(tc, limit_apply(&l, "nodes=0", err, sizeof err) != 0 && strstr(err, "nodes"));
    CHECK(tc, limit_apply(&l, "nodes=", err, sizeof err) != 0);
    CHECK(tc, limit_apply(&l, "nodes=1=2", err, sizeof err) != 0);
    CHECK(tc, l.max_nodes == 0);
}

static void test_option(test_counts *tc)
{
    char a0[] = "run", a1[] = "--limit", a2[] = "nodes=7", a3[] = "--limit=graph_depth=9",
         a4[] = "--limits=nodes=1", a5[] = "--limit", a6[] = "bogus=1", a7[] = "--limit";
    char *argv[] = {a0, a1, a2, a3, a4, a5, a6, a7};
    mobinfer_limits l;
    int i = 1;
    memset(&l, 0, sizeof l);
    CHECK(tc, limit_option_parse(&l, "run", 8, argv, &i) == 1 && i == 2 && l.max_nodes == 7);
    i = 3;
    CHECK(tc, limit_option_parse(&l, "run", 8, argv, &i) == 1 && l.max_graph_depth == 9);
    i = 4;
    CHECK(tc, limit_option_parse(&l, "run", 8, argv, &i) == 0);
    i = 5;
    CHECK(tc, limit_option_parse(&l, "run", 8, argv, &i) == -1);
    i = 7;
    CHECK(tc, limit_option_parse(&l, "run", 8, argv, &i) == -1);
    /* Repeating a name: the last one wins, as for most CLI flags. */
    i = 1;
    a2[6] = '3';
    CHECK(tc, limit_option_parse(&l, "run", 8, argv, &i) == 1 && l.max_nodes == 3);
    CHECK(tc, strstr(limit_options_help, "--limit NAME=VALUE") != NULL &&
                  strstr(limit_options_help, "graph_depth") != NULL);
}

int main(void)
{
    test_counts tc = {0, 0};
    /* The parser prints usage errors on purpose; keep the log quiet. */
    if (freopen("/dev/null", "w", stderr) == NULL)
        return 1;
    test_values(&tc);
    test_names(&tc);
    test_option(&tc);
    return test_finish(&tc);
}
