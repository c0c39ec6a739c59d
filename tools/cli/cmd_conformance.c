/* `mobinfer conformance DIR`: runs every case of an ONNX backend node-test
 * directory (DIR/<case>/model.onnx with test_data_set_N/{input,output}_K.pb)
 * and compares with the stored outputs at the suite's tolerances. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The backend test runner's defaults (onnx/backend/test/runner). */
#define CONF_RTOL 1e-3
#define CONF_ATOL 1e-7
#define CONF_MAX_FILE (1u << 30)
#define CONF_MAX_TENSORS 64

typedef struct conf_options {
    const char *dir;
    const char *filter;
    const char *exceptions_path;
    long min_passed;
    bool quiet;
} conf_options;

typedef struct exception_list {
    char **names;
    char **reasons;
    size_t count;
} exception_list;

typedef struct case_result {
    enum { CASE_PASS, CASE_FAIL, CASE_SKIP } kind;
    char reason[600];
} case_result;

static int usage(void)
{
    printf("usage: mobinfer conformance DIR [--filter SUBSTRING] [--exceptions FILE]\n"
           "                                [--min-passed N] [--quiet]\n\n"
           "Runs every case of an ONNX backend node-test directory: DIR/<case>/model.onnx\n"
           "with DIR/<case>/test_data_set_N/input_K.pb and output_K.pb. Prints one line per\n"
           "case (PASS; FAIL with the largest error; SKIP with the reason, such as an\n"
           "unsupported operator or element type) and ends with 'N passed, N failed, N skipped'.\n"
           "Outputs match when |got - want| <= 1e-7 + 1e-3 * |want| (the suite's defaults).\n"
           "mobinfer plans shapes once, so integer inputs (axes, shapes, pads, indices) are\n"
           "frozen as constants when the session is created; when a float input decides a\n"
           "shape (Resize's scales), every input is frozen and the case runs while planning.\n\n"
           "  --filter S       only cases whose name contains S\n"
           "  --exceptions F   known failures: lines '<case> <reason>'; such a case counts as\n"
           "                   skipped ('known: <reason>') whatever its result\n"
           "  --min-passed N   fail (exit 1) when fewer than N cases pass\n"
           "  --quiet          print only FAIL lines and the summary\n\n"
           "Exit codes: 0 every case passed or was skipped; 1 a case failed or too few\n"
           "passed; 2 usage error; 3 DIR cannot be read.\n");
    return CLI_EXIT_OK;
}

/* dir + "/" + name into buf; false (and an empty buf) when it does not fit. */
static bool join_path(char *buf, size_t size, const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    if (a + 1 + b + 1 > size) {
        buf[0] = '\0';
        return false;
    }
    memcpy(buf, dir, a);
    buf[a] = '/';
    memcpy(buf + a + 1, name, b + 1);
    return true;
}

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            if (ncap > CONF_MAX_FILE) {
                free(buf);
                fclose(f);
                return NULL;
            }
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *size = len;
    return buf;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of dir whose names start with prefix; NULL-terminated. */
static char **list_dir(const char *dir, const char *prefix, size_t *count)
{
    DIR *d = opendir(dir);
    *count = 0;
    if (!d)
        return NULL;
    size_t cap = 64, n = 0;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d))) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if (n + 1 >= cap) {
            char **nn = realloc(names, cap * 2 * sizeof *names);
            if (!nn)
                break;
            names = nn;
            cap *= 2;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (!names)
        return NULL;
    qsort(names, n, sizeof *names, compare_names);
    names[n] = NULL;
    *count = n;
    return names;
}

static void free_list(char **names)
{
    if (!names)
        return;
    for (char **p = names; *p; p++)
        free(*p);
    free(names);
}

static bool load_exceptions(const char *path, exception_list *ex)
{
    memset(ex, 0, sizeof *ex);
    if (!path)
        return true;
    size_t size;
    unsigned char *text = read_file(path, &size);
    if (!text)
        return false;
    size_t cap = 0;
    char *s = (char *)text;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && text[i] != '\n')
            continue;
        char line[1024];
        size_t len = i - start < sizeof line - 1 ? i - start : sizeof line - 1;
        memcpy(line, s + start, len);
        line[len] = '\0';
        start = i + 1;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        char *end = p;
        while (*end && *end != ' ' && *end != '\t')
            end++;
        char *reason = *end ? end + 1 : end;
        *end = '\0';
        while (*reason == ' ' || *reason == '\t')
            reason++;
        if (ex->count == cap) {
            cap = cap ? cap * 2 : 64;
            ex->names = realloc(ex->names, cap * sizeof *ex->names);
            ex->reasons = realloc(ex->reasons, cap * sizeof *ex->reasons);
            if (!ex->names || !ex->reasons) {
                free(text);
                return false;
            }
        }
        ex->names[ex->count] = strdup(p);
        ex->reasons[ex->count] = strdup(*reason ? reason : "listed");
        ex->count++;
    }
    free(text);
    return true;
}

static void free_exceptions(exception_list *ex)
{
    for (size_t i = 0; i < ex->count; i++) {
        free(ex->names[i]);
        free(ex->reasons[i]);
    }
    free(ex->names);
    free(ex->reasons);
}

static const char *exception_reason(const exception_list *ex, const char *name)
{
    for (size_t i = 0; i < ex->count; i++)
        if (strcmp(ex->names[i], name) == 0)
            return ex->reasons[i];
    return NULL;
}

static void set_result(case_result *r, int kind, const char *fmt, ...) CLI_PRINTF(3, 4);

static void set_result(case_result *r, int kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->kind = kind;
}

/* Loads DIR/prefix_K.pb for K = 0, 1, ... */
static int load_tensors(const char *dir, const char *prefix, mobinfer_tensor_blob **blobs,
                        int max, case_result *r, bool *unsupported)
{
    int n = 0;
    *unsupported = false;
    for (; n < max; n++) {
        char path[4096], file[64];
        snprintf(file, sizeof file, "%s_%d.pb", prefix, n);
        if (!join_path(path, sizeof path, dir, file))
            break;
        size_t size;
        unsigned char *bytes = read_file(path, &size);
        if (!bytes)
            break;
        mobinfer_status st = mobinfer_tensor_blob_decode(bytes, size, NULL, &blobs[n]);
        free(bytes);
        if (st) {
            *unsupported = st == MOBINFER_ERR_UNSUPPORTED;
            set_result(r, *unsupported ? CASE_SKIP : CASE_FAIL, "%s_%d.pb: %s", prefix, n,
                       mobinfer_last_error());
            for (int k = 0; k < n; k++)
                mobinfer_tensor_blob_free(blobs[k]);
            return -1;
        }
    }
    return n;
}

static double element_as_double(const mobinfer_tensor *t, size_t i)
{
    switch (t->dtype) {
    case MOBINFER_DTYPE_FLOAT32: return ((const float *)t->data)[i];
    case MOBINFER_DTYPE_INT64: return (double)((const int64_t *)t->data)[i];
    case MOBINFER_DTYPE_INT32: return ((const int32_t *)t->data)[i];
    case MOBINFER_DTYPE_INT8: return ((const int8_t *)t->data)[i];
    case MOBINFER_DTYPE_UINT8:
    case MOBINFER_DTYPE_BOOL: return ((const uint8_t *)t->data)[i];
    default: return 0;
    }
}

static bool compare_output(const char *name, const mobinfer_tensor *got,
                           const mobinfer_tensor *want, case_result *r)
{
    if (got->dtype != want->dtype) {
        set_result(r, CASE_FAIL, "output '%s': type %s, expected %s", name,
                   mobinfer_dtype_name(got->dtype), mobinfer_dtype_name(want->dtype));
        return false;
    }
    bool same_shape = got->rank == want->rank;
    for (size_t k = 0; same_shape && k < got->rank; k++)
        same_shape = got->dims[k] == want->dims[k];
    if (!same_shape) {
        char a[256] = "", b[256] = "";
        for (size_t k = 0; k < got->rank; k++)
            snprintf(a + strlen(a), sizeof a - strlen(a), "%s%lld", k ? "," : "",
                     (long long)got->dims[k]);
        for (size_t k = 0; k < want->rank; k++)
            snprintf(b + strlen(b), sizeof b - strlen(b), "%s%lld", k ? "," : "",
                     (long long)want->dims[k]);
        set_result(r, CASE_FAIL, "output '%s': shape [%s], expected [%s]", name, a, b);
        return false;
    }
    size_t n = want->byte_size / mobinfer_dtype_size(want->dtype);
    bool is_float = want->dtype == MOBINFER_DTYPE_FLOAT32;
    double worst = 0;
    size_t worst_at = 0;
    bool bad = false;
    for (size_t i = 0; i < n; i++) {
        double g = element_as_double(got, i), w = element_as_double(want, i);
        if (is_float) {
            if (isnan(w) || isnan(g)) {
                if (isnan(w) != isnan(g)) {
                    bad = true;
                    worst_at = i;
                    worst = INFINITY;
                    break;
                }
                continue;
            }
            if (isinf(w) || isinf(g)) {
                if (g != w) {
                    bad = true;
                    worst_at = i;
                    worst = INFINITY;
                    break;
                }
                continue;
            }
        }
        double err = fabs(g - w);
        double tol = is_float ? CONF_ATOL + CONF_RTOL * fabs(w) : 0;
        if (err > tol && (!bad || err > worst)) {
            bad = true;
            worst = err;
            worst_at = i;
        }
    }
    if (bad) {
        set_result(r, CASE_FAIL, "output '%s': max error %.3g at element %zu (got %.9g, want %.9g)",
                   name, worst, worst_at, element_as_double(got, worst_at),
                   element_as_double(want, worst_at));
        return false;
    }
    return true;
}

/* Fills frozen[] with the inputs to freeze (all of them, or the non-float
 * ones), marks them in is_frozen[], and returns how many. */
static size_t freeze_inputs(mobinfer_tensor_blob *const *inputs, const char *const *names,
                            int n_in, bool all, mobinfer_input_value *frozen, bool *is_frozen)
{
    size_t n = 0;
    for (int k = 0; k < n_in; k++) {
        const mobinfer_tensor *t = mobinfer_tensor_blob_tensor(inputs[k]);
        is_frozen[k] = all || t->dtype != MOBINFER_DTYPE_FLOAT32;
        if (is_frozen[k]) {
            frozen[n].name = names[k];
            frozen[n].tensor = *t;
            n++;
        }
    }
    return n;
}

static void run_data_set(const mobinfer_model *model, const char *set_dir, case_result *r)
{
    mobinfer_tensor_blob *inputs[CONF_MAX_TENSORS] = {0}, *outputs[CONF_MAX_TENSORS] = {0};
    bool unsupported;
    int n_in = load_tensors(set_dir, "input", inputs, CONF_MAX_TENSORS, r, &unsupported);
    if (n_in < 0)
        return;
    int n_out = load_tensors(set_dir, "output", outputs, CONF_MAX_TENSORS, r, &unsupported);
    if (n_out < 0) {
        for (int k = 0; k < n_in; k++)
            mobinfer_tensor_blob_free(inputs[k]);
        return;
    }
    size_t model_inputs = mobinfer_model_input_count(model);
    mobinfer_input_shape shapes[CONF_MAX_TENSORS];
    const char *names[CONF_MAX_TENSORS];
    mobinfer_session *s = NULL;
    if ((size_t)n_in != model_inputs) {
        set_result(r, CASE_SKIP, "%d input files for %zu model inputs (optional inputs)", n_in,
                   model_inputs);
        goto done;
    }
    for (int k = 0; k < n_in; k++) {
        mobinfer_value_info info;
        mobinfer_model_input(model, (size_t)k, &info);
        const mobinfer_tensor *t = mobinfer_tensor_blob_tensor(inputs[k]);
        names[k] = info.name;
        shapes[k].name = info.name;
        shapes[k].rank = t->rank;
        shapes[k].dims = t->dims;
    }
    /* mobinfer plans shapes once, so integer inputs (axes, shapes, pads, k,
     * indices) are frozen at session creation; float inputs stay inputs. */
    mobinfer_input_value frozen[CONF_MAX_TENSORS];
    bool is_frozen[CONF_MAX_TENSORS] = {false};
    size_t n_frozen = freeze_inputs(inputs, names, n_in, false, frozen, is_frozen);
    mobinfer_session_options opts;
    mobinfer_session_options_init(&opts);
    opts.input_shapes = shapes;
    opts.num_input_shapes = (size_t)n_in;
    opts.constant_inputs = frozen;
    opts.num_constant_inputs = n_frozen;
    mobinfer_status st = mobinfer_session_create(model, &opts, &s);
    if (st == MOBINFER_ERR_UNSUPPORTED && strstr(mobinfer_last_error(), "must be known")) {
        /* A float input decides a shape (Resize's scales, Range's limits):
         * freeze every input, so the case runs while the plan is made. */
        opts.num_constant_inputs = freeze_inputs(inputs, names, n_in, true, frozen, is_frozen);
        st = mobinfer_session_create(model, &opts, &s);
    }
    if (st) {
        set_result(r, st == MOBINFER_ERR_UNSUPPORTED ? CASE_SKIP : CASE_FAIL, "%s: %s",
                   mobinfer_status_name(st), mobinfer_last_error());
        goto done;
    }
    for (int k = 0; k < n_in; k++) {
        const mobinfer_tensor *t = mobinfer_tensor_blob_tensor(inputs[k]);
        if (is_frozen[k])
            continue;
        st = mobinfer_session_set_input(s, names[k], t->dtype, t->dims, t->rank, t->data,
                                        t->byte_size);
        if (st) {
            set_result(r, CASE_FAIL, "set input: %s", mobinfer_session_last_error(s));
            goto done;
        }
    }
    if ((st = mobinfer_session_run(s))) {
        set_result(r, st == MOBINFER_ERR_UNSUPPORTED ? CASE_SKIP : CASE_FAIL, "run: %s: %s", mobinfer_status_name(st),
                   mobinfer_session_last_error(s));
        goto done;
    }
    if ((size_t)n_out != mobinfer_session_output_count(s)) {
        set_result(r, CASE_FAIL, "%d expected outputs for %zu model outputs", n_out,
                   mobinfer_session_output_count(s));
        goto done;
    }
    for (int k = 0; k < n_out; k++) {
        mobinfer_value_info info;
        mobinfer_tensor got;
        mobinfer_session_output(s, (size_t)k, &info);
        if (mobinfer_session_get_output(s, info.name, &got)) {
            set_result(r, CASE_FAIL, "output '%s' missing", info.name);
            goto done;
        }
        if (!compare_output(info.name, &got, mobinfer_tensor_blob_tensor(outputs[k]), r))
            goto done;
    }
done:
    mobinfer_session_free(s);
    for (int k = 0; k < n_in; k++)
        mobinfer_tensor_blob_free(inputs[k]);
    for (int k = 0; k < n_out; k++)
        mobinfer_tensor_blob_free(outputs[k]);
}

static void run_case(const char *case_dir, case_result *r)
{
    char path[4096];
    if (!join_path(path, sizeof path, case_dir, "model.onnx")) {
        set_result(r, CASE_FAIL, "path too long");
        return;
    }
    mobinfer_model *model = NULL;
    r->kind = CASE_PASS;
    r->reason[0] = '\0';
    mobinfer_status st = mobinfer_model_load(path, NULL, &model);
    if (st) {
        set_result(r, st == MOBINFER_ERR_UNSUPPORTED ? CASE_SKIP : CASE_FAIL, "%s: %s",
                   mobinfer_status_name(st), mobinfer_last_error());
        return;
    }
    for (size_t i = 0; i < mobinfer_model_input_count(model); i++) {
        mobinfer_value_info info;
        mobinfer_model_input(model, i, &info);
        if (info.dtype == MOBINFER_DTYPE_UNDEFINED) {
            set_result(r, CASE_SKIP, "input '%s' is not a tensor of a supported element type",
                       info.name);
            mobinfer_model_free(model);
            return;
        }
    }
    size_t n_sets;
    char **sets = list_dir(case_dir, "test_data_set_", &n_sets);
    if (!sets || n_sets == 0)
        set_result(r, CASE_SKIP, "no test_data_set_* directory");
    for (size_t i = 0; i < n_sets && r->kind == CASE_PASS; i++) {
        char set_dir[4096];
        if (!join_path(set_dir, sizeof set_dir, case_dir, sets[i]))
            break;
        run_data_set(model, set_dir, r);
    }
    free_list(sets);
    mobinfer_model_free(model);
}

int cli_conformance(int argc, char **argv)
{
    conf_options o = {NULL, NULL, NULL, -1, false};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return usage();
        if (!strcmp(a, "--quiet"))
            o.quiet = true;
        else if (!strcmp(a, "--filter") && i + 1 < argc)
            o.filter = argv[++i];
        else if (!strcmp(a, "--exceptions") && i + 1 < argc)
            o.exceptions_path = argv[++i];
        else if (!strcmp(a, "--min-passed") && i + 1 < argc)
            o.min_passed = strtol(argv[++i], NULL, 10);
        else if (a[0] == '-')
            return cli_fail_usage("conformance", "unknown option '%s'", a);
        else if (!o.dir)
            o.dir = a;
        else
            return cli_fail_usage("conformance", "more than one directory given");
    }
    if (!o.dir)
        return cli_fail_usage("conformance", "a test directory is required");
    exception_list ex;
    if (!load_exceptions(o.exceptions_path, &ex))
        return cli_fail_io("cannot read exceptions file '%s'", o.exceptions_path);
    size_t n_cases;
    char **cases = list_dir(o.dir, "", &n_cases);
    if (!cases) {
        free_exceptions(&ex);
        return cli_fail_io("cannot read directory '%s': %s", o.dir, strerror(errno));
    }
    long passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < n_cases; i++) {
        if (o.filter && !strstr(cases[i], o.filter))
            continue;
        char case_dir[4096];
        if (!join_path(case_dir, sizeof case_dir, o.dir, cases[i]))
            continue;
        case_result r;
        run_case(case_dir, &r);
        const char *known = exception_reason(&ex, cases[i]);
        if (known) {
            skipped++;
            if (!o.quiet)
                printf("SKIP %s: known: %s%s%s\n", cases[i], known,
                       r.kind == CASE_PASS ? " (now passes: remove it from the list)" : "",
                       "");
            continue;
        }
        switch (r.kind) {
        case CASE_PASS:
            passed++;
            if (!o.quiet)
                printf("PASS %s\n", cases[i]);
            break;
        case CASE_FAIL:
            failed++;
            printf("FAIL %s: %s\n", cases[i], r.reason);
            break;
        case CASE_SKIP:
            skipped++;
            if (!o.quiet)
                printf("SKIP %s: %s\n", cases[i], r.reason);
            break;
        }
        fflush(stdout);
    }
    free_list(cases);
    free_exceptions(&ex);
    printf("%ld passed, %ld failed, %ld skipped\n", passed, failed, skipped);
    if (o.min_passed >= 0 && passed < o.min_passed) {
        fprintf(stderr, "mobinfer conformance: %ld cases passed, fewer than the recorded %ld\n",
                passed, o.min_passed);
        return CLI_EXIT_RUNTIME;
    }
    return failed ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
}
