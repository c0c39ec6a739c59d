/* f32-vact: every variant against double-precision libm (accuracy over a
 * dense sweep, across the +-87 switch between the short exp and the general
 * one, saturation, NaN and inf), against the scalar variant, on the
 * awkward lengths, unaligned and in place; the epilogue tile pass; and the
 * float32 unary operators that use these kernels, run through a session
 * against the reference kernel (ops/ref/unary_ref.c).
 *
 * `kernel_f32_vact --measure` sweeps every 16th float bit pattern instead of
 * every 1024th and prints the table in docs/OPERATORS.md. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-vact/f32_epilogue.h"
#include "kernels/f32-vact/f32_vact.h"
#include "mobinfer.h"
#include "model_builder.h"
#include "ops/ref/unary_ref.h"

/* ---- double-precision references --------------------------------------- */

static double ref_sigmoid(double x)
{
    return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

static double ref_gelu_erf(double x)
{
    return 0.5 * x * erfc(-x / sqrt(2.0));
}

static double ref_gelu_tanh(double x)
{
    const double u = 0.79788456080286535588 * (x + 0.044715 * x * x * x);
    return x / (1.0 + exp(-2.0 * u));
}

static double ref_act(const mbi_act *a, double x)
{
    switch (a->kind) {
    case MBI_ACT_NONE: return x;
    case MBI_ACT_RELU: return x > 0 ? x : 0;
    case MBI_ACT_CLAMP: return x < a->alpha ? a->alpha : x > a->beta ? a->beta : x;
    case MBI_ACT_LEAKY_RELU: return x < 0 ? a->alpha * x : x;
    case MBI_ACT_HARD_SIGMOID: return fmin(1.0, fmax(0.0, a->alpha * x + a->beta));
    case MBI_ACT_HARD_SWISH: return x * fmin(1.0, fmax(0.0, x / 6.0 + 0.5));
    case MBI_ACT_SIGMOID: return ref_sigmoid(x);
    case MBI_ACT_SILU: return x * ref_sigmoid(x);
    case MBI_ACT_TANH: return tanh(x);
    case MBI_ACT_GELU_ERF: return ref_gelu_erf(x);
    case MBI_ACT_GELU_TANH: return ref_gelu_tanh(x);
    }
    return NAN;
}

/* The functions under test, as one list: an act kind, or exp / erf. */
/* Error is measured in float ULPs of the true value for x >= tail_x. The
 * GELUs' negative tail is tiny and exp of a float argument of size |u| has a
 * relative error of about |u| 2^-24 whatever the method: there (far_x <=
 * x < tail_x) the relative error is bounded instead, and below far_x, where
 * |f(x)| < 1e-7, the absolute error. SiLU below -87 multiplies x by a
 * subnormal sigmoid, so only its absolute error (< 1e-36) is bounded there. */
typedef struct fn_case {
    const char *name;
    mbi_act act;
    int which;      /* 0: act, 1: exp, 2: erf */
    double max_ulp; /* allowed error for x >= tail_x */
    double tail_x, far_x, max_tail_rel;
} fn_case;

static const fn_case fn_cases[] = {
    {"exp", {MBI_ACT_NONE, 0, 0}, 1, 2.0, -INFINITY, -INFINITY, 0},
    {"erf", {MBI_ACT_NONE, 0, 0}, 2, 3.0, -INFINITY, -INFINITY, 0},
    {"sigmoid", {MBI_ACT_SIGMOID, 0, 0}, 0, 4.0, -INFINITY, -INFINITY, 0},
    {"silu", {MBI_ACT_SILU, 0, 0}, 0, 4.0, -87.0, -87.0, 0},
    {"tanh", {MBI_ACT_TANH, 0, 0}, 0, 4.0, -INFINITY, -INFINITY, 0},
    {"gelu_erf", {MBI_ACT_GELU_ERF, 0, 0}, 0, 9.0, -3.0, -5.5, 2e-6},
    {"gelu_tanh", {MBI_ACT_GELU_TANH, 0, 0}, 0, 16.0, -3.0, -5.5, 8e-6},
};
#define N_FN_CASES (sizeof fn_cases / sizeof fn_cases[0])

static double ref_fn(const fn_case *c, double x)
{
    if (c->which == 1)
        return exp(x);
    if (c->which == 2)
        return erf(x);
    return ref_act(&c->act, x);
}

static void run_fn(const mbi_f32_vact_variant *v, const fn_case *c, const float *x, float *y,
                   size_t n)
{
    if (c->which == 1)
        v->exp(x, y, n);
    else if (c->which == 2)
        v->erf(x, y, n);
    else
        v->act(&c->act, x, y, n);
}

/* Error in units of the float spacing at the true value (2^-149 below
 * FLT_MIN), so subnormal results count fairly. */
static double ulp_error(float got, double want)
{
    if (isinf((float)want) || isnan(want)) /* beyond FLT_MAX counts as inf */
        return (float)want == got || (isnan(want) && isnan(got)) ? 0.0 : INFINITY;
    if (isnan(got) || isinf(got))
        return INFINITY;
    int e;
    frexp(want, &e); /* want = m 2^e, 0.5 <= |m| < 1 */
    if (e < -125)
        e = -125;
    return fabs((double)got - want) / ldexp(1.0, e - 24);
}

typedef struct err_stats {
    double max_ulp, max_rel; /* x >= tail_x (relative: only where |f| >= FLT_MIN) */
    double max_tail_rel;     /* far_x <= x < tail_x */
    double max_abs_tail;     /* x < far_x */
    double max_abs_subnormal; /* where |f| < FLT_MIN */
    float worst_x;
} err_stats;

static void accumulate(err_stats *st, const fn_case *c, float x, float got)
{
    double want = ref_fn(c, x);
    if (isnan(want)) /* x * 0 at x = -inf: the limit is 0 */
        want = 0.0;
    if (x < c->far_x) {
        const double abs_err = fabs((double)got - want);
        if (!(abs_err <= st->max_abs_tail))
            st->max_abs_tail = abs_err;
        return;
    }
    if (fabs(want) < FLT_MIN) {
        /* A subnormal result (SiLU: x times a subnormal sigmoid) has fewer
         * bits than any error bound in ULPs assumes. */
        const double abs_err = fabs((double)got - want);
        if (!(abs_err <= st->max_abs_subnormal))
            st->max_abs_subnormal = abs_err;
        return;
    }
    if (x < c->tail_x) {
        const double rel = fabs((double)got - want) / fabs(want);
        if (!(rel <= st->max_tail_rel))
            st->max_tail_rel = rel;
        return;
    }
    const double u = ulp_error(got, want);
    if (!(u <= st->max_ulp)) {
        st->max_ulp = u;
        st->worst_x = x;
    }
    if (fabs(want) >= FLT_MIN && isfinite((float)want)) {
        const double rel = fabs((double)got - want) / fabs(want);
        if (rel > st->max_rel)
            st->max_rel = rel;
    }
}

/* Every `stride`-th float bit pattern (both signs, all exponents), then a
 * uniform grid over [-12, 12] where the functions bend. */
static void sweep(const mbi_f32_vact_variant *v, const fn_case *c, uint32_t stride, err_stats *st)
{
    enum { CHUNK = 4096 };
    static float x[CHUNK], y[CHUNK];
    memset(st, 0, sizeof *st);
    size_t k = 0;
    for (uint64_t bits = 0; bits < (1ull << 32); bits += stride) {
        uint32_t b = (uint32_t)bits;
        float f;
        memcpy(&f, &b, sizeof f);
        if (isnan(f))
            continue;
        x[k++] = f;
        if (k == CHUNK) {
            run_fn(v, c, x, y, k);
            for (size_t i = 0; i < k; i++)
                accumulate(st, c, x[i], y[i]);
            k = 0;
        }
    }
    for (int i = -120000; i <= 120000; i++) {
        x[k++] = (float)i * 1e-4f;
        if (k == CHUNK || i == 120000) {
            run_fn(v, c, x, y, k);
            for (size_t j = 0; j < k; j++)
                accumulate(st, c, x[j], y[j]);
            k = 0;
        }
    }
}

static void test_accuracy(const mbi_f32_vact_variant *v, uint32_t stride, int print)
{
    for (size_t i = 0; i < N_FN_CASES; i++) {
        const fn_case *c = &fn_cases[i];
        err_stats st;
        sweep(v, c, stride, &st);
        if (print) {
            printf("| %s | %s | %.2f | %.2e |", v->name, c->name, st.max_ulp, st.max_rel);
            if (c->far_x < c->tail_x)
                printf(" %g..%g: rel. %.1e; below %g: abs. %.1e |\n", c->far_x, c->tail_x,
                       st.max_tail_rel, c->far_x, st.max_abs_tail);
            else if (c->far_x > -INFINITY)
                printf(" below %g: abs. %.1e |\n", c->far_x, st.max_abs_tail);
            else
                printf(" |\n");
        }
        CHECK(st.max_ulp <= c->max_ulp, "%s %s: %.2f ulp at x=%.9g (allowed %.1f)", v->name, c->name,
              st.max_ulp, (double)st.worst_x, c->max_ulp);
        CHECK(st.max_tail_rel <= c->max_tail_rel, "%s %s: tail relative error %.3g", v->name,
              c->name, st.max_tail_rel);
        CHECK(st.max_abs_tail <= 1e-7, "%s %s: tail abs error %.3g", v->name, c->name,
              st.max_abs_tail);
        CHECK(st.max_abs_subnormal <= 1e-42, "%s %s: abs error %.3g on subnormal results", v->name,
              c->name, st.max_abs_subnormal);
    }
}

/* Sigmoid, SiLU and GELU-tanh take a short path unless a lane of the vector
 * needs the general one (|x| beyond 87): on a grid across that boundary,
 * with and without a far-out lane in every other vector, both paths must
 * meet the same bounds. */
static void test_mixed_paths(const mbi_f32_vact_variant *v)
{
    enum { N = 48000 };
    static float x[N], y[N];
    for (int far = 0; far < 2; far++)
        for (size_t i = 0; i < N_FN_CASES; i++) {
            const fn_case *c = &fn_cases[i];
            for (size_t j = 0; j < N; j++)
                x[j] = far && j % 32 == 3 ? -1000.0f : -120.0f + 240.0f * (float)j / N;
            run_fn(v, c, x, y, N);
            err_stats st;
            memset(&st, 0, sizeof st);
            for (size_t j = 0; j < N; j++)
                accumulate(&st, c, x[j], y[j]);
            CHECK(st.max_ulp <= c->max_ulp && st.max_tail_rel <= c->max_tail_rel &&
                      st.max_abs_tail <= 1e-7 && st.max_abs_subnormal <= 1e-42,
                  "%s %s (far lanes %d): %.2f ulp at x=%.9g", v->name, c->name, far, st.max_ulp,
                  (double)st.worst_x);
        }
}

/* Large |x| saturates, inf and NaN behave. */
static void test_special(const mbi_f32_vact_variant *v)
{
    static const float xs[] = {0.0f,   -0.0f,   1e-30f,  -1e-30f, 1e-45f,  -1e-45f,  20.0f,
                               -20.0f, 88.7f,   -88.7f,  89.0f,   -89.0f,  104.0f,   -104.0f,
                               200.0f, -200.0f, 1e4f,    -1e4f,   1e30f,   -1e30f,   FLT_MAX,
                               -FLT_MAX, INFINITY, -INFINITY};
    const size_t n = sizeof xs / sizeof xs[0];
    float y[sizeof xs / sizeof xs[0]];
    for (size_t i = 0; i < N_FN_CASES; i++) {
        const fn_case *c = &fn_cases[i];
        run_fn(v, c, xs, y, n);
        for (size_t j = 0; j < n; j++) {
            const double want = ref_fn(c, xs[j]);
            /* GELU, SiLU at -inf: the formula gives NaN, the limit is 0. */
            const double w = isnan(want) ? 0.0 : want;
            const float wf = (float)w;
            CHECK(!isnan(y[j]), "%s %s(%g) is NaN", v->name, c->name, (double)xs[j]);
            CHECK(fabs(y[j] - w) <= 2e-7 * fabs(w) + 1e-30 || (isinf(wf) && y[j] == wf),
                  "%s %s(%g) = %.9g, want %.9g", v->name, c->name, (double)xs[j], (double)y[j],
                  w);
        }
        float nan_in[9], nan_out[9];
        for (int j = 0; j < 9; j++)
            nan_in[j] = j == 4 ? NAN : 1.0f;
        run_fn(v, c, nan_in, nan_out, 9);
        CHECK(isnan(nan_out[4]), "%s %s(NaN) = %g", v->name, c->name, (double)nan_out[4]);
    }
    /* The sigmoid saturates to exactly 1 and 0, whichever path a lane takes. */
    const mbi_act sig = {MBI_ACT_SIGMOID, 0, 0};
    const float sat_in[4] = {17.0f, 50.0f, -110.0f, 30.0f};
    float sat_out[4];
    v->act(&sig, sat_in, sat_out, 2);
    v->act(&sig, sat_in + 2, sat_out + 2, 2);
    CHECK(sat_out[0] == 1.0f && sat_out[1] == 1.0f && sat_out[2] == 0.0f && sat_out[3] == 1.0f,
          "%s sigmoid saturation: %.9g %.9g %g %.9g", v->name, (double)sat_out[0],
          (double)sat_out[1], (double)sat_out[2], (double)sat_out[3]);
    /* The elementwise kinds keep the reference's NaN behaviour. */
    const mbi_act relu = {MBI_ACT_RELU, 0, 0}, clamp = {MBI_ACT_CLAMP, -1, 1};
    const mbi_act leaky = {MBI_ACT_LEAKY_RELU, 0.1f, 0};
    float nan_in[3] = {NAN, NAN, NAN}, out[3];
    v->act(&relu, nan_in, out, 3);
    CHECK(out[0] == 0.0f, "%s relu(NaN) = %g, reference gives 0", v->name, (double)out[0]);
    v->act(&clamp, nan_in, out, 3);
    CHECK(isnan(out[1]), "%s clamp(NaN) = %g", v->name, (double)out[1]);
    v->act(&leaky, nan_in, out, 3);
    CHECK(isnan(out[2]), "%s leaky(NaN) = %g", v->name, (double)out[2]);
    const float big[2] = {INFINITY, -INFINITY};
    v->act(&clamp, big, out, 2);
    CHECK(out[0] == 1.0f && out[1] == -1.0f, "%s clamp(+-inf)", v->name);
    /* x * gate(x) at -inf: 0 (up to a denormal-free tiny value), not NaN; +inf stays +inf. */
    const mbi_act gated[3] = {
        {MBI_ACT_SILU, 0, 0}, {MBI_ACT_GELU_ERF, 0, 0}, {MBI_ACT_GELU_TANH, 0, 0}};
    for (int g = 0; g < 3; g++) {
        v->act(&gated[g], big, out, 2);
        CHECK(out[0] == INFINITY && fabsf(out[1]) <= 1e-30f, "%s act %d at +-inf: %g, %g", v->name,
              (int)gated[g].kind, (double)out[0], (double)out[1]);
    }
    const mbi_act inverted = {MBI_ACT_CLAMP, 2.0f, 1.0f}; /* hi wins, as in the reference */
    v->act(&inverted, big, out, 2);
    CHECK(out[0] == 1.0f && out[1] == 1.0f, "%s clamp with lo > hi", v->name);
}

/* ---- every kind, lengths, alignment, in place --------------------------- */

static const mbi_act all_acts[] = {
    {MBI_ACT_NONE, 0, 0},
    {MBI_ACT_RELU, 0, 0},
    {MBI_ACT_CLAMP, -0.5f, 6.0f},
    {MBI_ACT_LEAKY_RELU, 0.01f, 0},
    {MBI_ACT_HARD_SIGMOID, 0.2f, 0.5f},
    {MBI_ACT_HARD_SWISH, 0, 0},
    {MBI_ACT_SIGMOID, 0, 0},
    {MBI_ACT_SILU, 0, 0},
    {MBI_ACT_TANH, 0, 0},
    {MBI_ACT_GELU_ERF, 0, 0},
    {MBI_ACT_GELU_TANH, 0, 0},
};
#define N_ACTS (sizeof all_acts / sizeof all_acts[0])

static uint32_t rng = 12345;
static float frand(float lo, float hi)
{
    rng = rng * 1664525u + 1013904223u;
    return lo + (hi - lo) * (float)(rng >> 8) / 16777216.0f;
}

static int close_to(float got, double want)
{
    return fabs((double)got - want) <= 1e-6 * fabs(want) + 1e-7;
}

static void test_lengths(const mbi_f32_vact_variant *v)
{
    static const size_t lengths[] = {0, 1, 7, 8, 15, 16, 17, 100, 1000};
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        const size_t n = lengths[li];
        for (size_t off = 0; off < 2; off++) {
            /* Exact-size heap blocks: the sanitizer build catches any access
             * past the end. Output gets a canary on each side. */
            float *x = malloc((n + off) * sizeof *x + 1);
            float *y = malloc((n + off + 2) * sizeof *y);
            float *xi = malloc((n + off) * sizeof *xi + 1);
            for (size_t i = 0; i < n; i++)
                x[off + i] = frand(-8.0f, 8.0f);
            for (size_t a = 0; a < N_ACTS; a++) {
                const mbi_act *act = &all_acts[a];
                y[off] = y[off + n + 1] = 1234.5f;
                v->act(act, x + off, y + off + 1, n);
                int ok = y[off] == 1234.5f && y[off + n + 1] == 1234.5f;
                for (size_t i = 0; i < n; i++)
                    ok &= close_to(y[off + 1 + i], ref_act(act, x[off + i]));
                CHECK(ok, "%s act kind %d, n=%zu off=%zu", v->name, (int)act->kind, n, off);
                if (n)
                    memcpy(xi + off, x + off, n * sizeof *x);
                v->act(act, xi + off, xi + off, n);
                ok = 1;
                for (size_t i = 0; i < n; i++)
                    ok &= xi[off + i] == y[off + 1 + i];
                CHECK(ok, "%s act kind %d in place, n=%zu off=%zu", v->name, (int)act->kind, n, off);
            }
            for (int which = 1; which <= 2; which++) {
                mbi_f32_vunary_fn fn = which == 1 ? v->exp : v->erf;
                y[off] = y[off + n + 1] = 1234.5f;
                fn(x + off, y + off + 1, n);
                int ok = y[off] == 1234.5f && y[off + n + 1] == 1234.5f;
                for (size_t i = 0; i < n; i++) {
                    const double want = which == 1 ? exp(x[off + i]) : erf(x[off + i]);
                    ok &= close_to(y[off + 1 + i], want);
                }
                if (n)
                    memcpy(xi + off, x + off, n * sizeof *x);
                fn(xi + off, xi + off, n);
                for (size_t i = 0; i < n; i++)
                    ok &= xi[off + i] == y[off + 1 + i];
                CHECK(ok, "%s %s n=%zu off=%zu", v->name, which == 1 ? "exp" : "erf", n, off);
            }
            free(x);
            free(y);
            free(xi);
        }
    }
}

/* The SIMD variants agree with the scalar one to within rounding. */
static void test_vs_scalar(const mbi_f32_vact_variant *v, const mbi_f32_vact_variant *scalar)
{
    enum { N = 2000 };
    static float x[N], ys[N], yv[N];
    for (size_t i = 0; i < N; i++)
        x[i] = frand(-30.0f, 30.0f) * (i % 3 == 0 ? 0.05f : 1.0f);
    for (size_t a = 0; a < N_ACTS; a++) {
        scalar->act(&all_acts[a], x, ys, N);
        v->act(&all_acts[a], x, yv, N);
        /* FMA against separate rounding: a few ULPs, or (where the result
         * cancels to near 0, or lies in a GELU tail) a few ULPs of x. */
        int ok = 1;
        for (size_t i = 0; i < N; i++)
            ok &= ulp_error(yv[i], ys[i]) <= 4.0 ||
                  fabs(yv[i] - ys[i]) <= 5e-7 * fmax(1.0, fabs(x[i]));
        CHECK(ok, "%s vs scalar, kind %d", v->name, (int)all_acts[a].kind);
    }
}

/* ---- the epilogue tile pass --------------------------------------------- */

static void test_epilogue(mbi_f32_act_fn act)
{
    static const mbi_act posts[] = {{MBI_ACT_NONE, 0, 0}, {MBI_ACT_RELU, 0, 0},
                                    {MBI_ACT_CLAMP, 0, 6}};
    static const size_t shapes[][4] = {/* rows, cols, ldc, ldr */
                                       {1, 1, 1, 1},   {6, 16, 16, 16}, {6, 17, 24, 20},
                                       {5, 7, 9, 7},   {3, 33, 40, 33}, {70, 100, 100, 100},
                                       {0, 5, 5, 5}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const size_t rows = shapes[s][0], cols = shapes[s][1], ldc = shapes[s][2], ldr = shapes[s][3];
        const size_t nc = rows ? (rows - 1) * ldc + cols : 0, nr = rows ? (rows - 1) * ldr + cols : 0;
        float *c0 = malloc((nc + 1) * sizeof *c0), *c = malloc((nc + 1) * sizeof *c);
        float *res = malloc((nr + 1) * sizeof *res);
        for (size_t i = 0; i < nc; i++)
            c0[i] = frand(-8, 8);
        for (size_t i = 0; i < nr; i++)
            res[i] = frand(-2, 2);
        for (size_t a = 0; a < N_ACTS; a++)
            for (int residual = 0; residual < 2; residual++)
                for (size_t p = 0; p < sizeof posts / sizeof posts[0]; p++) {
                    const mbi_epilogue ep = {all_acts[a], residual != 0, posts[p]};
                    memcpy(c, c0, nc * sizeof *c);
                    mbi_f32_epilogue_tile(act, &ep, c, rows, cols, ldc, residual ? res : NULL, ldr);
                    int ok = 1;
                    for (size_t r = 0; r < rows; r++)
                        for (size_t j = 0; j < ldc && r * ldc + j < nc; j++) {
                            const size_t at = r * ldc + j;
                            if (j >= cols) { /* padding between rows is untouched */
                                ok &= c[at] == c0[at];
                                continue;
                            }
                            double want = ref_act(&ep.act, c0[at]);
                            if (residual)
                                want += res[r * ldr + j];
                            want = ref_act(&ep.post, want);
                            ok &= fabs(c[at] - want) <= 2e-6 * fabs(want) + 2e-6;
                        }
                    CHECK(ok, "epilogue %zux%zu ldc=%zu ldr=%zu act %d residual %d post %d", rows,
                          cols, ldc, ldr, (int)all_acts[a].kind, residual, (int)posts[p].kind);
                }
        free(c0);
        free(c);
        free(res);
    }
}

/* ---- the operators through a session ------------------------------------ */

typedef struct op_case {
    const char *op;
    int opset;
    mbi_unop ref;
    float alpha, beta; /* attributes (Clip: min, max) */
    int clip;          /* 1: min/max attributes (opset 6), 2: min/max inputs */
    const char *approximate;
} op_case;

static void attr_string(tb_buf *attrs, const char *name, const char *v)
{
    tb_buf a = {0};
    tb_string_field(&a, 1, name);
    tb_varint_field(&a, 20, 3);
    tb_bytes_field(&a, 4, v, strlen(v));
    tb_bytes_field(attrs, 5, a.data, a.len);
    tb_free(&a);
}

/* y = op(x), or with `chain` y = op(x + x) so op may run in place. */
static void check_unary_op(const op_case *c, int chain)
{
    enum { FLOAT = 1 };
    const int64_t dims[2] = {3, 37}, n = 3 * 37;
    float x[3 * 37], want[3 * 37];
    for (int64_t i = 0; i < n; i++)
        x[i] = i == 5 ? 0.0f : frand(-7.0f, 7.0f);
    mbi_unary_params p;
    memset(&p, 0, sizeof p);
    p.alpha = c->alpha;
    p.beta = c->beta;
    p.lo = c->alpha;
    p.hi = c->beta;
    float xin[3 * 37];
    for (int64_t i = 0; i < n; i++)
        xin[i] = chain ? x[i] + x[i] : x[i];
    mbi_ref_unary_f32(c->ref, &p, xin, want, n);

    tb_model m;
    tb_model_init(&m, c->opset);
    tb_input(&m, "x", FLOAT, dims, 2);
    tb_output(&m, "y", FLOAT, dims, 2);
    const char *in[4] = {chain ? "t" : "x", NULL, NULL, NULL}, *out[] = {"y", NULL};
    if (chain) {
        const char *a_in[] = {"x", "x", NULL}, *a_out[] = {"t", NULL};
        tb_node(&m, "Add", "pre", a_in, a_out, NULL);
    }
    tb_buf attrs = {0};
    if (c->clip == 1) {
        tb_attr_float(&attrs, "min", c->alpha);
        tb_attr_float(&attrs, "max", c->beta);
    } else if (c->clip == 2) {
        tb_initializer(&m, "lo", FLOAT, NULL, 0, &c->alpha, sizeof c->alpha);
        tb_initializer(&m, "hi", FLOAT, NULL, 0, &c->beta, sizeof c->beta);
        in[1] = "lo";
        in[2] = "hi";
    } else if (c->approximate) {
        attr_string(&attrs, "approximate", c->approximate);
    } else if (c->ref == MBI_UNOP_LEAKY_RELU) {
        tb_attr_float(&attrs, "alpha", c->alpha);
    } else if (c->ref == MBI_UNOP_HARD_SIGMOID) {
        tb_attr_float(&attrs, "alpha", c->alpha);
        tb_attr_float(&attrs, "beta", c->beta);
    }
    tb_node(&m, c->op, "the_op", in, out, attrs.len ? &attrs : NULL);
    tb_free(&attrs);
    tb_buf buf;
    tb_model_finish(&m, &buf);
    mobinfer_model *model = NULL;
    mobinfer_session *s = NULL;
    mobinfer_tensor t;
    int ok = mobinfer_model_load_memory(buf.data, buf.len, NULL, &model) == MOBINFER_OK &&
             mobinfer_session_create(model, NULL, &s) == MOBINFER_OK &&
             mobinfer_session_set_input(s, "x", MOBINFER_DTYPE_FLOAT32, dims, 2, x, sizeof x) ==
                 MOBINFER_OK &&
             mobinfer_session_run(s) == MOBINFER_OK &&
             mobinfer_session_get_output(s, "y", &t) == MOBINFER_OK;
    CHECK(ok, "%s: session failed: %s", c->op,
          s ? mobinfer_session_last_error(s) : mobinfer_last_error());
    if (ok) {
        const float *y = t.data;
        int match = t.byte_size == sizeof want;
        for (int64_t i = 0; match && i < n; i++)
            match = fabsf(y[i] - want[i]) <= 2e-6f * fabsf(want[i]) + 1e-6f;
        CHECK(match, "%s (opset %d)%s differs from the reference", c->op, c->opset,
              chain ? " in place" : "");
    }
    mobinfer_session_free(s);
    mobinfer_model_free(model);
    tb_free(&buf);
}

static void test_unary_operators(void)
{
    static const op_case cases[] = {
        {"Relu", 14, MBI_UNOP_RELU, 0, 0, 0, NULL},
        {"Clip", 6, MBI_UNOP_CLIP, -1.5f, 2.5f, 1, NULL},
        {"Clip", 13, MBI_UNOP_CLIP, 0.0f, 6.0f, 2, NULL},
        {"LeakyRelu", 16, MBI_UNOP_LEAKY_RELU, 0.1f, 0, 0, NULL},
        {"HardSigmoid", 6, MBI_UNOP_HARD_SIGMOID, 0.3f, 0.4f, 0, NULL},
        {"HardSwish", 14, MBI_UNOP_HARD_SWISH, 0, 0, 0, NULL},
        {"Sigmoid", 13, MBI_UNOP_SIGMOID, 0, 0, 0, NULL},
        {"Tanh", 13, MBI_UNOP_TANH, 0, 0, 0, NULL},
        {"Erf", 13, MBI_UNOP_ERF, 0, 0, 0, NULL},
        {"Exp", 13, MBI_UNOP_EXP, 0, 0, 0, NULL},
        {"Gelu", 20, MBI_UNOP_GELU, 0, 0, 0, "none"},
        {"Gelu", 20, MBI_UNOP_GELU_TANH, 0, 0, 0, "tanh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int chain = 0; chain < 2; chain++)
            check_unary_op(&cases[i], chain);
}

int main(int argc, char **argv)
{
    const int measure = argc > 1 && strcmp(argv[1], "--measure") == 0;
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_vact_variant *const *variants = mbi_f32_vact_variants(&count);
    const mbi_f32_vact_variant *scalar = variants[count - 1];
    CHECK(strcmp(scalar->name, "scalar") == 0, "the last variant is the scalar one");
    CHECK(mbi_f32_act_select(&cpu) == mbi_f32_vact_variant_select(&cpu)->act, "select");
    if (measure)
        printf("| variant | function | max ULP | max rel. error | negative tail |\n"
               "|---|---|---|---|---|\n");
    for (size_t i = 0; i < count; i++) {
        const mbi_f32_vact_variant *v = variants[i];
        if (!v->supported(&cpu)) {
            printf("skipped %s: not supported by this CPU\n", v->name);
            continue;
        }
        test_accuracy(v, measure ? 16 : 1024, measure);
        if (measure)
            continue;
        test_special(v);
        test_mixed_paths(v);
        test_lengths(v);
        if (v != scalar)
            test_vs_scalar(v, scalar);
        test_epilogue(v->act);
    }
    if (!measure)
        test_unary_operators();
    return check_summary();
}
