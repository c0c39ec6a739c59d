/* Prefetch planning (src/runtime/plan_prefetch.c) on a MobileNetV3-like
 * tail: pointwise expand -> depthwise -> squeeze-excite -> projection ->
 * global mean -> Flatten -> Gemm. The plan must give the SE block's FC
 * weights to the expand GEMM two steps before it and the classifier's
 * weights to the projection before the mean (one span per thread when
 * the reader splits its weights over threads, the reader's own spans),
 * nothing to anything else, and nothing in reference sessions; the
 * outputs must be bit-identical with and without the plan (a prefetch
 * changes no arithmetic) and match the reference path. Also: the GEMM's
 * prefetching entry point against the plain one on every variant, and the
 * thread pool's shares as mbi_threadpool_run hands them out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "opt_check.h"
#include "runtime/session.h"
#include "runtime/thread_pool.h"
#include "test_rng.h"

/* x [1, c0, hw, hw] -> ... -> y [1, classes]; r: the SE's reduced width. */
static void build(tb_buf *out, int64_t c0, int64_t c, int64_t r, int64_t hw, int64_t m,
                  int64_t classes)
{
    tb_model md;
    tb_model_init(&md, 17);
    int64_t xd[4] = {1, c0, hw, hw}, p0[4] = {0, 0, 0, 0}, p1[4] = {1, 1, 1, 1};
    tb_input(&md, "x", FLOAT, xd, 4);
    oc_add_conv(&md, "x", "e", c0, c, 1, 1, 1, p0, false, true);
    oc_add_node(&md, "Relu", "e", NULL, "ea");
    oc_add_conv(&md, "ea", "d", c, c, 3, 1, 1, p1, true, true);
    oc_add_node(&md, "GlobalAveragePool", "d", NULL, "g");
    oc_add_conv(&md, "g", "s1", c, r, 1, 1, 1, p0, false, true);
    oc_add_node(&md, "Relu", "s1", NULL, "s1a");
    oc_add_conv(&md, "s1a", "s2", r, c, 1, 1, 1, p0, false, true);
    oc_add_node(&md, "HardSigmoid", "s2", NULL, "gate");
    oc_add_node(&md, "Mul", "d", "gate", "se");
    /* m > hw*hw: the projection stays a ConvNhwc (no SqueezeExciteProject) */
    oc_add_conv(&md, "se", "p", c, m, 1, 1, 1, p0, false, true);
    oc_add_node(&md, "GlobalAveragePool", "p", NULL, "pm");
    oc_add_node(&md, "Flatten", "pm", NULL, "f");
    int64_t wd[2] = {m, classes};
    oc_add_random(&md, "Wd", wd, 2, -1, 1);
    oc_add_node(&md, "Gemm", "f", "Wd", "y");
    tb_output(&md, "y", FLOAT, NULL, 0);
    tb_model_finish(&md, out);
}

static int find_step(const mobinfer_session *s, const char *op)
{
    for (int i = 0; i < s->n_steps; i++)
        if (strcmp(s->steps[i].node->op_type, op) == 0)
            return i;
    return -1;
}

/* The producer's plan is the reader's spans, cut to the same budget. */
static void check_plan(const mobinfer_session *s, int producer, int reader, int threads,
                       const char *what)
{
    CHECK(producer >= 0 && reader >= 0, "%s: steps not found", what);
    if (producer < 0 || reader < 0)
        return;
    const mbi_op_ctx *p = &s->steps[producer].ctx, *r = &s->steps[reader].ctx;
    CHECK(r->n_reads == 1 || r->n_reads == threads, "%s: %d reads at %d threads", what,
          r->n_reads, threads);
    CHECK(p->n_prefetch == r->n_reads, "%s: producer %s has %d spans for %d reads", what,
          s->steps[producer].node->op_type, p->n_prefetch, r->n_reads);
    for (int t = 0; t < p->n_prefetch && t < r->n_reads; t++)
        CHECK(p->prefetch[t].data == r->reads[t].data && p->prefetch[t].bytes > 0 &&
                  p->prefetch[t].bytes <= r->reads[t].bytes,
              "%s: span %d is not the reader's", what, t);
}

static float *run(mobinfer_session *s, const int64_t *xd, const float *x, size_t *n)
{
    size_t xn = (size_t)(xd[0] * xd[1] * xd[2] * xd[3]);
    mobinfer_status st = mobinfer_session_set_input(s, "x", MOBINFER_DTYPE_FLOAT32, xd, 4, x,
                                                    xn * sizeof(float));
    if (!st)
        st = mobinfer_session_run(s);
    CHECK(st == MOBINFER_OK, "run: %s", mobinfer_session_last_error(s));
    if (st)
        return NULL;
    mobinfer_tensor t;
    mobinfer_session_get_output(s, "y", &t);
    float *y = malloc(t.byte_size + 4);
    memcpy(y, t.data, t.byte_size);
    *n = t.byte_size / sizeof(float);
    return y;
}

/* split: the SE's FCs and the classifier are large enough to be split
 * over two threads (one span each) */
static void case_model(int64_t c0, int64_t c, int64_t r, int64_t hw, int64_t m, int64_t classes,
                       bool split)
{
    char what[96];
    tb_buf bytes = {0};
    build(&bytes, c0, c, r, hw, m, classes);
    mobinfer_model *model = NULL;
    CHECK(mobinfer_model_load_memory(bytes.data, bytes.len, NULL, &model) == MOBINFER_OK,
          "load: %s", mobinfer_last_error());
    int64_t xd[4] = {1, c0, hw, hw};
    size_t xn = (size_t)(c0 * hw * hw);
    float *x = malloc(xn * sizeof(float));
    for (size_t i = 0; i < xn; i++)
        x[i] = oc_frand();
    float *ref = NULL;
    size_t n_ref = 0;
    for (int threads = 0; threads <= 2 && model; threads++) {
        snprintf(what, sizeof what, "c%lld r%lld %lldx%lld m%lld classes %lld, %d threads",
                 (long long)c, (long long)r, (long long)hw, (long long)hw, (long long)m,
                 (long long)classes, threads);
        mobinfer_session_options o;
        mobinfer_session_options_init(&o);
        o.num_threads = threads ? threads : 1;
        o.disable_optimizations = threads == 0; /* the reference first */
        mobinfer_session *s = NULL;
        if (mobinfer_session_create(model, &o, &s) != MOBINFER_OK) {
            CHECK(0, "%s: session: %s", what, mobinfer_last_error());
            continue;
        }
        int planned = 0;
        for (int i = 0; i < s->n_steps; i++)
            planned += s->steps[i].ctx.n_prefetch > 0;
        if (threads == 0) {
            CHECK(planned == 0, "%s: the reference path got a prefetch plan", what);
            ref = run(s, xd, x, &n_ref);
            mobinfer_session_free(s);
            continue;
        }
        int se = find_step(s, "SqueezeExcite"), dense = find_step(s, "Dense");
        CHECK(planned == 2, "%s: %d nodes prefetch, expected 2", what, planned);
        if (se >= 0 && dense >= 0) {
            int want = split ? threads : 1;
            CHECK(s->steps[se].ctx.n_reads == want && s->steps[dense].ctx.n_reads == want,
                  "%s: SE and Dense read in %d and %d spans, expected %d", what,
                  s->steps[se].ctx.n_reads, s->steps[dense].ctx.n_reads, want);
        }
        check_plan(s, se - 2, se, threads, what);
        check_plan(s, dense - 3, dense, threads, what);
        CHECK(se >= 2 && strcmp(s->steps[se - 1].node->op_type, "ConvNhwc") == 0 &&
                  s->steps[se - 1].ctx.n_prefetch == 0,
              "%s: the depthwise convolution should prefetch nothing", what);
        size_t n1 = 0, n2 = 0;
        float *with = run(s, xd, x, &n1);
        for (int i = 0; i < s->n_steps; i++)
            s->steps[i].ctx.n_prefetch = 0;
        float *without = run(s, xd, x, &n2);
        CHECK(with && without && n1 == n2 && memcmp(with, without, n1 * sizeof(float)) == 0,
              "%s: results differ with and without prefetch", what);
        double max_ref = 1e-6, max_err = 0;
        for (size_t i = 0; with && ref && i < n1 && i < n_ref; i++) {
            max_ref = fmax(max_ref, fabs(ref[i]));
            max_err = fmax(max_err, fabs((double)ref[i] - with[i]));
        }
        CHECK(ref && n1 == n_ref && max_err <= 2e-5 * max_ref, "%s: max error %g of max %g",
              what, max_err, max_ref);
        free(with);
        free(without);
        mobinfer_session_free(s);
    }
    free(ref);
    free(x);
    mobinfer_model_free(model);
    tb_free(&bytes);
}

/* Every variant: a GEMM that also prefetches gives the plain GEMM's C. */
static void case_gemm(void)
{
    size_t count;
    const mbi_f32_gemm_kernel *const *v = mbi_f32_gemm_kernel_variants(&count);
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    const mbi_f32_minmax mm = {.min = -2.0f, .max = 3.0f};
    static float extra[4096];
    for (size_t i = 0; i < count; i++) {
        if (!v[i]->supported(&cpu))
            continue;
        for (int iter = 0; iter < 20; iter++) {
            size_t m = 1 + rnd_below(120), n = 1 + rnd_below(300);
            size_t k = 1 + rnd_below(200);
            float *a = malloc(sizeof(float) * m * k);
            float *w = malloc(sizeof(float) * n * k);
            float *packed = aligned_alloc(64, (mbi_f32_gemm_packed_floats(v[i], n, k) * 4 + 63) /
                                                  64 * 64);
            float *c1 = malloc(sizeof(float) * m * n), *c2 = malloc(sizeof(float) * m * n);
            for (size_t j = 0; j < m * k; j++)
                a[j] = rnd();
            for (size_t j = 0; j < n * k; j++)
                w[j] = rnd();
            mbi_f32_gemm_pack(v[i], n, k, w, k, 1, NULL, packed);
            mbi_f32_gemm_compute(v[i], m, 0, n, k, a, k, packed, c1, n, &mm);
            mbi_f32_gemm_compute_prefetch(v[i], m, 0, n, k, a, k, packed, c2, n, &mm, extra,
                                          sizeof extra * (size_t)(iter % 3));
            CHECK(memcmp(c1, c2, sizeof(float) * m * n) == 0, "%s %zux%zux%zu: C differs",
                  v[i]->name, m, n, k);
            free(a);
            free(w);
            free(packed);
            free(c1);
            free(c2);
        }
    }
}

/* mbi_threadpool_share: disjoint, in order, covering every task, and the
 * tasks each thread of a real pool runs when alone (one task, or the pool
 * of one thread) go to thread 0. */
static void case_shares(void)
{
    for (int threads = 1; threads <= 5; threads++)
        for (size_t n = 0; n <= 13; n++) {
            size_t next = 0;
            for (int t = 0; t < threads; t++) {
                size_t b, e;
                mbi_threadpool_share(n, threads, t, &b, &e);
                CHECK(b == next && e >= b, "share %d of %zu tasks over %d threads: [%zu, %zu)",
                      t, n, threads, b, e);
                next = e;
            }
            CHECK(next == n, "%zu tasks over %d threads: shares end at %zu", n, threads, next);
        }
    size_t b, e;
    mbi_threadpool_share(1, 4, 0, &b, &e);
    CHECK(b == 0 && e == 1, "one task belongs to the caller");
    mbi_threadpool_share(2, 2, 1, &b, &e);
    CHECK(b == 1 && e == 2, "two tasks over two threads: the second is the worker's");
}

int main(void)
{
    case_shares();
    case_gemm();
    /* FCs one task (small) and split over two threads (large); the
     * classifier serial and split. */
    case_model(24, 96, 24, 7, 80, 300, false);
    case_model(40, 480, 160, 7, 200, 1000, true);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
