/* f32-vbinary: every variant's row kernels bit for bit against the reference
 * expressions (awkward lengths, unaligned, in place, NaN and signed zeros in
 * Min/Max); then the float32 Add/Sub/Mul/Div/Min/Max/Sum/Mean operators run
 * through a session on the broadcast patterns the fast path walks, against
 * the reference kernel (ops/ref/binary_ref.c) on the same data. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-vbinary/f32_vbinary.h"
#include "mobinfer.h"
#include "model_builder.h"
#include "ops/ref/binary_ref.h"

static uint32_t rng = 987654321u;
static float frand(float lo, float hi)
{
    rng = rng * 1664525u + 1013904223u;
    return lo + (hi - lo) * (float)(rng >> 8) / 16777216.0f;
}

/* Inputs with the values that tell Min/Max implementations apart. */
static float special_or_random(void)
{
    static const float specials[] = {0.0f, -0.0f, NAN, INFINITY, -INFINITY, 1.0f, -1.0f};
    rng = rng * 1664525u + 1013904223u;
    if ((rng >> 24) < 40)
        return specials[(rng >> 8) % (sizeof specials / sizeof specials[0])];
    return frand(-4.0f, 4.0f);
}

static float ref_op(mbi_f32_vbinop op, float x, float y)
{
    switch (op) {
    case MBI_F32_VBINOP_ADD: return x + y;
    case MBI_F32_VBINOP_SUB: return x - y;
    case MBI_F32_VBINOP_MUL: return x * y;
    case MBI_F32_VBINOP_DIV: return x / y;
    case MBI_F32_VBINOP_MIN: return isnan(x) || isnan(y) ? NAN : (y < x ? y : x);
    case MBI_F32_VBINOP_MAX: return isnan(x) || isnan(y) ? NAN : (y > x ? y : x);
    default: return NAN;
    }
}

static int same(float got, float want)
{
    if (isnan(want))
        return isnan(got);
    return memcmp(&got, &want, sizeof got) == 0; /* tells -0 from +0 */
}

static const char *const op_names[] = {"add", "sub", "mul", "div", "min", "max"};
static const char *const mode_names[] = {"vv", "vs", "sv"};

static void test_rows(const mbi_f32_vbinary_kernel *k)
{
    static const size_t lengths[] = {0, 1, 7, 8, 15, 16, 17, 31, 33, 100, 1000};
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        const size_t n = lengths[li];
        for (size_t off = 0; off < 2; off++) {
            /* Exact-size blocks (ASan sees any access past the end); the
             * output has a canary on each side. */
            float *a = malloc((n + off) * sizeof *a + 1), *b = malloc((n + off) * sizeof *b + 1);
            float *out = malloc((n + off + 2) * sizeof *out), *io = malloc((n + off) * sizeof *io + 1);
            for (size_t i = 0; i < n; i++) {
                a[off + i] = special_or_random();
                b[off + i] = special_or_random();
            }
            for (int op = 0; op < MBI_F32_VBINOP_COUNT; op++)
                for (int mode = 0; mode < 3; mode++) {
                    const mbi_f32_vbinary_fn fn =
                        mode == 0 ? k->vv[op] : mode == 1 ? k->vs[op] : k->sv[op];
                    const float *pa = a + off, *pb = b + off;
                    float *po = out + off + 1;
                    po[-1] = po[n] = 777.0f;
                    fn(pa, pb, po, n);
                    int ok = po[-1] == 777.0f && po[n] == 777.0f;
                    for (size_t i = 0; i < n; i++)
                        ok &= same(po[i], ref_op((mbi_f32_vbinop)op, mode == 2 ? pa[0] : pa[i],
                                                 mode == 1 ? pb[0] : pb[i]));
                    CHECK(ok, "%s %s_%s n=%zu off=%zu", k->name, op_names[op], mode_names[mode], n,
                          off);
                    /* In place over the operand that runs along the row. */
                    for (int over = 0; over < 2; over++) {
                        if ((mode == 1 && over == 1) || (mode == 2 && over == 0))
                            continue;
                        if (n)
                            memcpy(io + off, over == 0 ? pa : pb, n * sizeof *io);
                        fn(over == 0 ? io + off : pa, over == 1 ? io + off : pb, io + off, n);
                        int ok2 = 1;
                        for (size_t i = 0; i < n; i++)
                            ok2 &= same(io[off + i], po[i]);
                        CHECK(ok2, "%s %s_%s in place over %c, n=%zu", k->name, op_names[op],
                              mode_names[mode], over ? 'b' : 'a', n);
                    }
                }
            free(a);
            free(b);
            free(out);
            free(io);
        }
    }
}

/* ---- the operators through a session ------------------------------------ */

enum { FLOAT = 1 };

typedef struct shape {
    int rank;
    int64_t dims[4];
} shape;

static int64_t numel(const shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->dims[i];
    return n;
}

static mbi_binop ref_binop(const char *op)
{
    if (!strcmp(op, "Sub"))
        return MBI_BINOP_SUB;
    if (!strcmp(op, "Mul"))
        return MBI_BINOP_MUL;
    if (!strcmp(op, "Div"))
        return MBI_BINOP_DIV;
    if (!strcmp(op, "Min"))
        return MBI_BINOP_MIN;
    if (!strcmp(op, "Max"))
        return MBI_BINOP_MAX;
    return MBI_BINOP_ADD; /* Add, Sum, Mean */
}

/* y = op(x0, x1, ...) with graph inputs of the given shapes; when `chain`,
 * y = Relu(op(...)) is preceded by an Add of x0 and itself, so op can run in
 * place over a temporary. */
static void check_op(const char *op, int n_in, const shape *in, int chain)
{
    /* Expected: fold left with the reference kernel. */
    shape out = in[0];
    for (int k = 1; k < n_in; k++) {
        int64_t d[MBI_MAX_RANK];
        int r;
        if (!mbi_broadcast_shape(out.dims, out.rank, in[k].dims, in[k].rank, d, &r)) {
            CHECK(0, "bad test shapes");
            return;
        }
        out.rank = r;
        memcpy(out.dims, d, sizeof out.dims);
    }
    float *data[4];
    for (int k = 0; k < n_in; k++) {
        const int64_t m = numel(&in[k]);
        data[k] = malloc((size_t)(m ? m : 1) * sizeof(float));
        for (int64_t i = 0; i < m; i++) {
            float v = frand(-3.0f, 3.0f);
            data[k][i] = fabsf(v) < 0.1f ? 0.5f : v; /* no division by ~0 */
        }
    }
    const int64_t total = numel(&out);
    float *want = malloc((size_t)(total ? total : 1) * sizeof(float));
    const mbi_binop bop = ref_binop(op);
    for (int k = 1; k < n_in; k++) {
        shape left = k == 1 ? in[0] : out;
        const float *lp = k == 1 ? data[0] : want;
        float *tmp = NULL;
        if (k == 1 && chain) { /* x0 + x0 first */
            tmp = malloc((size_t)(numel(&in[0]) ? numel(&in[0]) : 1) * sizeof(float));
            for (int64_t i = 0; i < numel(&in[0]); i++)
                tmp[i] = data[0][i] + data[0][i];
            lp = tmp;
        }
        const int64_t *dims[2] = {left.dims, in[k].dims};
        const int ranks[2] = {left.rank, in[k].rank};
        mbi_bcast g;
        CHECK(mbi_bcast_init(&g, out.dims, out.rank, 2, dims, ranks), "geometry");
        mbi_ref_binary(bop, MOBINFER_DTYPE_FLOAT32, &g, lp, data[k], want);
        free(tmp);
    }
    if (!strcmp(op, "Mean"))
        for (int64_t i = 0; i < total; i++)
            want[i] /= (float)n_in;
    if (chain)
        for (int64_t i = 0; i < total; i++)
            want[i] = want[i] > 0 ? want[i] : 0.0f;

    tb_model m;
    tb_model_init(&m, 13);
    char names[4][8];
    const char *node_in[5] = {NULL};
    for (int k = 0; k < n_in; k++) {
        snprintf(names[k], sizeof names[k], "x%d", k);
        tb_input(&m, names[k], FLOAT, in[k].dims, in[k].rank);
        node_in[k] = names[k];
    }
    tb_output(&m, "y", FLOAT, out.dims, out.rank);
    const char *y_out[] = {chain ? "t1" : "y", NULL};
    if (chain) {
        const char *add_in[] = {"x0", "x0", NULL}, *add_out[] = {"t0", NULL};
        tb_node(&m, "Add", "pre", add_in, add_out, NULL);
        node_in[0] = "t0";
    }
    tb_node(&m, op, "the_op", node_in, y_out, NULL);
    if (chain) {
        const char *r_in[] = {"t1", NULL}, *r_out[] = {"y", NULL};
        tb_node(&m, "Relu", "post", r_in, r_out, NULL);
    }
    tb_buf buf;
    tb_model_finish(&m, &buf);

    mobinfer_model *model = NULL;
    mobinfer_session *s = NULL;
    int ok = mobinfer_model_load_memory(buf.data, buf.len, NULL, &model) == MOBINFER_OK &&
             mobinfer_session_create(model, NULL, &s) == MOBINFER_OK;
    for (int k = 0; ok && k < n_in; k++)
        ok = mobinfer_session_set_input(s, names[k], MOBINFER_DTYPE_FLOAT32, in[k].dims,
                                        (size_t)in[k].rank, data[k],
                                        (size_t)numel(&in[k]) * sizeof(float)) == MOBINFER_OK;
    mobinfer_tensor t;
    ok = ok && mobinfer_session_run(s) == MOBINFER_OK &&
         mobinfer_session_get_output(s, "y", &t) == MOBINFER_OK;
    CHECK(ok, "%s: session failed: %s", op, s ? mobinfer_session_last_error(s) : mobinfer_last_error());
    if (ok) {
        int match = t.byte_size / sizeof(float) == (size_t)total;
        const float *y = t.data;
        for (int64_t i = 0; match && i < total; i++)
            match = same(y[i], want[i]);
        char desc[160] = "";
        size_t at = 0;
        for (int k = 0; k < n_in && at < sizeof desc; k++) {
            at += (size_t)snprintf(desc + at, sizeof desc - at, "%s[", k ? " " : "");
            for (int d = 0; d < in[k].rank && at < sizeof desc; d++)
                at += (size_t)snprintf(desc + at, sizeof desc - at, "%s%lld", d ? "," : "",
                                       (long long)in[k].dims[d]);
            if (at < sizeof desc)
                at += (size_t)snprintf(desc + at, sizeof desc - at, "]");
        }
        CHECK(match, "%s%s %s: differs from the reference", op, chain ? " (in place)" : "", desc);
    }
    mobinfer_session_free(s);
    mobinfer_model_free(model);
    tb_free(&buf);
    free(want);
    for (int k = 0; k < n_in; k++)
        free(data[k]);
}

static void test_operators(void)
{
    static const shape pairs[][2] = {
        {{4, {2, 3, 4, 5}}, {4, {2, 3, 4, 5}}},    /* same shape */
        {{1, {37}}, {1, {37}}},
        {{4, {1, 3, 5, 7}}, {0, {0}}},             /* scalar */
        {{0, {0}}, {4, {1, 3, 5, 7}}},
        {{3, {2, 9, 17}}, {1, {1}}},
        {{4, {1, 7, 7, 24}}, {4, {1, 1, 1, 24}}},  /* innermost: NHWC * C */
        {{3, {5, 6, 19}}, {1, {19}}},
        {{1, {19}}, {3, {5, 6, 19}}},              /* input 0 broadcast */
        {{4, {1, 24, 7, 7}}, {4, {1, 24, 1, 1}}},  /* outer: NCHW * [C,1,1] */
        {{4, {1, 24, 1, 1}}, {4, {1, 24, 7, 7}}},
        {{4, {2, 5, 3, 3}}, {3, {5, 1, 1}}},
        {{3, {3, 1, 5}}, {3, {1, 4, 1}}},          /* both broadcast */
        {{3, {2, 3, 1}}, {3, {1, 1, 4}}},
        {{2, {0, 5}}, {1, {5}}},                   /* empty */
    };
    static const char *const ops[] = {"Add", "Sub", "Mul", "Div", "Min", "Max", "Sum", "Mean"};
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
        for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++)
            for (int chain = 0; chain < 2; chain++)
                check_op(ops[o], 2, pairs[p], chain);
    /* Variadic with three inputs. */
    static const shape three[][3] = {
        {{3, {2, 3, 8}}, {1, {8}}, {3, {2, 1, 1}}},
        {{1, {1}}, {2, {4, 9}}, {2, {4, 9}}},
    };
    for (size_t o = 4; o < sizeof ops / sizeof ops[0]; o++)
        for (size_t p = 0; p < sizeof three / sizeof three[0]; p++)
            check_op(ops[o], 3, three[p], 0);
}

int main(void)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_vbinary_kernel *const *variants = mbi_f32_vbinary_variants(&count);
    CHECK(variants[count - 1] == &mbi_f32_vbinary_scalar, "the last variant is the scalar one");
    CHECK(mbi_f32_vbinary_select(&cpu)->supported(&cpu), "select");
    for (size_t i = 0; i < count; i++) {
        if (!variants[i]->supported(&cpu)) {
            printf("skipped %s: not supported by this CPU\n", variants[i]->name);
            continue;
        }
        test_rows(variants[i]);
    }
    test_operators();
    return check_summary();
}
