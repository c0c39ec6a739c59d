/* f32-vact softmax and log-softmax: every variant against the reference
 * kernel (ops/ref/softmax_ref.c) on every row length 1..300, several rows
 * per call, magnitudes up to 80, all-equal rows, rows with NaN / +inf /
 * -inf; columns (softmax along a non-last axis) on odd widths and strides;
 * in place (bitwise equal to out of place); canaries after the output catch
 * writes past the end; and the operators through sessions of 1 and 2
 * threads, on every axis (rows, and column blocks split over threads), in
 * the opset 11 2-D view and the opset 13 single axis. Prints the largest errors seen (docs/OPERATORS.md). */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-vact/f32_vact.h"
#include "mobinfer.h"
#include "model_builder.h"
#include "ops/ref/softmax_ref.h"
#include "test_rng.h"

#define CANARY 777.0f
#define GUARD 32

/* Softmax: relative error where the reference is a normal float, absolute
 * FLT_MIN below (subnormal results carry fewer bits). Log-softmax: error
 * relative to 1 + |y| (y = (x - max) - log(sum); the rounded log(sum) is
 * what differs, and |y| >= log(sum)). */
static double max_err[2];

static bool same_special(float got, float want)
{
    if (isnan(want))
        return isnan(got);
    if (isinf(want))
        return got == want;
    return !isnan(got) && !isinf(got);
}

static bool close_enough(float got, float want, bool take_log)
{
    if (!same_special(got, want))
        return false;
    if (isnan(want) || isinf(want))
        return true;
    const double d = fabs((double)got - (double)want);
    double e;
    if (take_log)
        e = d / (1.0 + fabs((double)want));
    else if (fabs((double)want) >= FLT_MIN)
        e = d / fabs((double)want);
    else
        return d <= FLT_MIN;
    if (e > max_err[take_log])
        max_err[take_log] = e;
    return e <= 1e-6;
}

/* fill kinds */
enum { FILL_RANDOM, FILL_EQUAL, FILL_NAN, FILL_PINF, FILL_NINF_ONE, FILL_NINF_ALL, FILL_KINDS };

static void fill_row(float *x, size_t n, int kind, float scale)
{
    for (size_t i = 0; i < n; i++)
        x[i] = kind == FILL_EQUAL ? scale * 0.37f : scale * rnd();
    const size_t at = rnd_below(n);
    switch (kind) {
    case FILL_NAN: x[at] = NAN; break;
    case FILL_PINF: x[at] = INFINITY; break;
    case FILL_NINF_ONE: x[at] = -INFINITY; break;
    case FILL_NINF_ALL:
        for (size_t i = 0; i < n; i++)
            x[i] = -INFINITY;
        break;
    default: break;
    }
}

static void check_rows(const mbi_f32_vact_variant *v, size_t rows, size_t len, int kind,
                       float scale, bool take_log)
{
    const size_t n = rows * len;
    float *x = malloc(n * sizeof *x);
    float *want = malloc(n * sizeof *want);
    float *got = malloc((n + GUARD) * sizeof *got);
    float *inplace = malloc(n * sizeof *inplace);
    for (size_t r = 0; r < rows; r++)
        fill_row(x + r * len, len, kind, scale);
    mbi_ref_softmax_f32(x, want, (int64_t)rows, (int64_t)len, 1, take_log);
    for (size_t i = 0; i < n + GUARD; i++)
        got[i] = CANARY;
    v->softmax_rows(x, got, rows, len, take_log);
    memcpy(inplace, x, n * sizeof *x);
    v->softmax_rows(inplace, inplace, rows, len, take_log);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if (!close_enough(got[i], want[i], take_log) && bad++ == 0)
            first = i;
    CHECK(bad == 0, "%s %s rows=%zu len=%zu kind=%d scale=%g: %zu wrong, [%zu] %.9g vs %.9g",
          v->name, take_log ? "log" : "softmax", rows, len, kind, (double)scale, bad, first,
          (double)got[first], (double)want[first]);
    bool guard_ok = true;
    for (size_t i = n; i < n + GUARD; i++)
        guard_ok = guard_ok && got[i] == CANARY;
    CHECK(guard_ok, "%s rows=%zu len=%zu: wrote past the end", v->name, rows, len);
    CHECK(memcmp(got, inplace, n * sizeof *got) == 0, "%s rows=%zu len=%zu: in place differs",
          v->name, rows, len);
    free(x);
    free(want);
    free(got);
    free(inplace);
}

/* cols adjacent columns of a [len][stride] block, stride >= cols */
static void check_cols(const mbi_f32_vact_variant *v, size_t len, size_t stride, size_t cols,
                       float scale, bool take_log)
{
    const size_t n = len * stride;
    float *x = malloc(n * sizeof *x);
    float *want = malloc(n * sizeof *want);
    float *got = malloc((n + GUARD) * sizeof *got);
    float *inplace = malloc(n * sizeof *inplace);
    for (size_t i = 0; i < n; i++)
        x[i] = scale * rnd();
    mbi_ref_softmax_f32(x, want, 1, (int64_t)len, (int64_t)stride, take_log);
    for (size_t i = 0; i < n + GUARD; i++)
        got[i] = CANARY;
    v->softmax_cols(x, got, len, stride, cols, take_log);
    memcpy(inplace, x, n * sizeof *x);
    v->softmax_cols(inplace, inplace, len, stride, cols, take_log);
    size_t bad = 0, untouched = 0, differs = 0;
    for (size_t i = 0; i < len; i++)
        for (size_t j = 0; j < stride; j++) {
            const size_t k = i * stride + j;
            if (j < cols) {
                bad += !close_enough(got[k], want[k], take_log);
                differs += memcmp(&got[k], &inplace[k], sizeof(float)) != 0;
            } else {
                untouched += got[k] != CANARY || inplace[k] != x[k];
            }
        }
    for (size_t i = n; i < n + GUARD; i++)
        untouched += got[i] != CANARY;
    CHECK(bad == 0 && untouched == 0 && differs == 0,
          "%s %s cols len=%zu stride=%zu cols=%zu: %zu wrong, %zu outside touched, %zu in place "
          "differ",
          v->name, take_log ? "log" : "softmax", len, stride, cols, bad, untouched, differs);
    free(x);
    free(want);
    free(got);
    free(inplace);
}

/* y = op(x + x) (so the operator may run in place) on x [2, 5, 70, 30]:
 * along axis 1, 66 column blocks (the last 52 wide), more than one chunk. */
static void check_op(const char *op, int opset, int axis, int threads)
{
    enum { FLOAT = 1, RANK = 4, N = 2 * 5 * 70 * 30 };
    const int64_t dims[RANK] = {2, 5, 70, 30};
    static float x[N], xin[N], want[N];
    for (int i = 0; i < N; i++) {
        x[i] = 6.0f * rnd();
        xin[i] = x[i] + x[i];
    }
    const int a = axis < 0 ? axis + RANK : axis;
    int64_t outer = 1, len = 1, inner = 1;
    for (int i = 0; i < RANK; i++) {
        if (i < a)
            outer *= dims[i];
        else if (i == a || opset < 13)
            len *= dims[i];
        else
            inner *= dims[i];
    }
    const bool take_log = strcmp(op, "LogSoftmax") == 0;
    mbi_ref_softmax_f32(xin, want, outer, len, inner, take_log);

    tb_model m;
    tb_model_init(&m, opset);
    tb_input(&m, "x", FLOAT, dims, RANK);
    tb_output(&m, "y", FLOAT, dims, RANK);
    const char *a_in[] = {"x", "x", NULL}, *a_out[] = {"t", NULL};
    tb_node(&m, "Add", "pre", a_in, a_out, NULL);
    const char *in[] = {"t", NULL}, *out[] = {"y", NULL};
    tb_buf attrs = {0};
    tb_attr_int(&attrs, "axis", axis);
    tb_node(&m, op, "the_op", in, out, &attrs);
    tb_free(&attrs);
    tb_buf buf;
    tb_model_finish(&m, &buf);
    mobinfer_session_options opts;
    mobinfer_session_options_init(&opts);
    opts.num_threads = threads;
    mobinfer_model *model = NULL;
    mobinfer_session *s = NULL;
    mobinfer_tensor t;
    int ok = mobinfer_model_load_memory(buf.data, buf.len, NULL, &model) == MOBINFER_OK &&
             mobinfer_session_create(model, &opts, &s) == MOBINFER_OK &&
             mobinfer_session_set_input(s, "x", MOBINFER_DTYPE_FLOAT32, dims, RANK, x,
                                        sizeof x) == MOBINFER_OK &&
             mobinfer_session_run(s) == MOBINFER_OK &&
             mobinfer_session_get_output(s, "y", &t) == MOBINFER_OK;
    CHECK(ok, "%s: session failed: %s", op,
          s ? mobinfer_session_last_error(s) : mobinfer_last_error());
    if (ok) {
        const float *y = t.data;
        size_t bad = t.byte_size == sizeof want ? 0 : 1;
        for (int i = 0; !bad && i < N; i++)
            bad += !close_enough(y[i], want[i], take_log);
        CHECK(bad == 0, "%s opset %d axis %d threads %d differs from the reference", op, opset,
              axis, threads);
    }
    mobinfer_session_free(s);
    mobinfer_model_free(model);
    tb_free(&buf);
}

int main(void)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_vact_variant *const *vs = mbi_f32_vact_variants(&count);
    static const float scales[] = {1.0f, 10.0f, 80.0f};
    for (size_t vi = 0; vi < count; vi++) {
        const mbi_f32_vact_variant *v = vs[vi];
        if (!v->supported(&cpu)) {
            printf("%s: not supported by this CPU, skipped\n", v->name);
            continue;
        }
        max_err[0] = max_err[1] = 0.0;
        for (int take_log = 0; take_log < 2; take_log++) {
            for (size_t len = 1; len <= 300; len++)
                for (size_t s = 0; s < 3; s++)
                    check_rows(v, 1 + len % 3, len, FILL_RANDOM, scales[s], take_log);
            for (size_t len = 1; len <= 70; len++)
                for (int kind = FILL_EQUAL; kind < FILL_KINDS; kind++)
                    check_rows(v, 2, len, kind, 10.0f, take_log);
            check_rows(v, 5, 197, FILL_RANDOM, 80.0f, take_log);
            for (size_t len = 1; len <= 20; len += 3)
                for (size_t cols = 1; cols <= 70; cols++)
                    check_cols(v, len, cols + (cols % 3), cols, cols % 2 ? 80.0f : 1.0f,
                               take_log);
        }
        printf("%s: max relative error softmax %.3g, log-softmax %.3g (of 1 + |y|)\n", v->name,
               max_err[0], max_err[1]);
    }
    static const char *const ops[] = {"Softmax", "LogSoftmax"};
    for (int o = 0; o < 2; o++)
        for (int axis = -1; axis < 4; axis++)
            for (int threads = 1; threads <= 2; threads++) {
                check_op(ops[o], 13, axis, threads);
                check_op(ops[o], 11, axis, threads);
            }
    return check_summary();
}
