/* The in-place channel Concat (src/opt/concat_in_place.c): random
 * fire-module-like graphs (squeeze conv, 2 or 3 expand convs with random
 * pads, odd channel counts and activations, concatenated on channels)
 * against the reference path at 1 and 2 threads, with the Concat gone when
 * every input is a convolution read by it alone and kept otherwise; and
 * ConvNhwc's channel-slice attributes on hand-made graphs where the planner
 * cannot give the output its Into's storage, so the copy runs. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"
#include "opt_check.h"

static size_t count_op(char ops[][32], size_t n, const char *op)
{
    size_t c = 0;
    for (size_t i = 0; i < n && i < 64; i++)
        c += strcmp(ops[i], op) == 0;
    return c;
}

/* An activation of in -> out, or a plain rename through Identity (which the
 * first pass removes). */
static void add_act(tb_model *m, int kind, const char *in, const char *out)
{
    static const char *const ops[] = {"Identity", "Relu", "Sigmoid", "HardSwish", "Tanh"};
    oc_add_node(m, ops[kind % 5], in, NULL, out);
}

/* A k x k convolution of s [.., c, h, w] whose output is h' x w' with
 * h' = h + extra_h, w' = w + extra_w (extra >= 1 - k): the padding is split
 * at random between the two sides. */
static void add_branch(tb_model *m, const char *s, const char *name, int64_t c, int64_t out_c,
                       int64_t k, int64_t extra_h, int64_t extra_w, int act)
{
    int64_t ph = extra_h + k - 1, pw = extra_w + k - 1;
    int64_t top = oc_irand(0, (int)ph), left = oc_irand(0, (int)pw);
    int64_t pads[4] = {top, left, ph - top, pw - left};
    char conv[32];
    snprintf(conv, sizeof conv, "%s_c", name);
    oc_add_conv(m, s, conv, c, out_c, k, 1, 1, pads, false, oc_irand(0, 3) != 0);
    add_act(m, act, conv, name);
}

static void concat_node(tb_model *m, const char *const *ins, const char *out)
{
    tb_buf a = {0};
    tb_attr_int(&a, "axis", 1);
    const char *outs[] = {out, NULL};
    tb_node(m, "Concat", out, ins, outs, &a);
    tb_free(&a);
}

/* squeeze -> 2 or 3 expand branches -> Concat, the Concat's inputs in a
 * random order; the Concat output is the graph output or feeds a Relu or a
 * 1x1 convolution. Every Concat input qualifies: the Concat must go. */
static void case_fire(int iter)
{
    int64_t batch = iter % 4 == 3 ? 2 : 1;
    int64_t cin = oc_irand(1, 24), sq = oc_irand(1, 19);
    int64_t h = oc_irand(2, 15), w = oc_irand(2, 15);
    /* Large enough that the Concat's convolutions split into many work
     * units, and that the layout Transposes at the edges run in parallel
     * (an RGB input, a wide output). */
    if (iter >= 36) {
        cin = 3;
        h = oc_irand(150, 170);
        w = oc_irand(150, 170);
    }
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {batch, cin, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    int64_t p0[4] = {0, 0, 0, 0};
    oc_add_conv(&m, "x", "sq_c", cin, sq, 1, 1, 1, p0, false, true);
    oc_add_node(&m, "Relu", "sq_c", NULL, "s");
    /* The branches pad the 1x1 (then run as an indirect GEMM) or not. */
    int64_t eh = oc_irand(0, 2) == 0 ? oc_irand(0, 2) : 0, ew = eh ? oc_irand(0, 2) : 0;
    int parts = 2 + iter % 2;
    const char *names[3] = {"e1", "e3", "e5"};
    int64_t ks[3] = {1, 3, oc_irand(0, 1) ? 5 : 1};
    int64_t total = 0;
    for (int b = 0; b < parts; b++) {
        int64_t mc = oc_irand(1, 37);
        total += mc;
        /* A third branch of Inception blocks reads another tensor. */
        bool from_x = b == 2 && eh == 0 && ew == 0 && iter % 4 == 1;
        add_branch(&m, from_x ? "x" : "s", names[b], from_x ? cin : sq, mc, ks[b], eh, ew,
                   oc_irand(0, 4));
    }
    const char *ins[4] = {NULL, NULL, NULL, NULL};
    int first = oc_irand(0, parts - 1);
    for (int b = 0; b < parts; b++)
        ins[b] = names[(first + b) % parts];
    int tail = iter % 3;
    concat_node(&m, ins, tail == 0 ? "y" : "cat");
    if (tail == 1) {
        oc_add_node(&m, "Relu", "cat", NULL, "y");
    } else if (tail == 2) {
        oc_add_conv(&m, "cat", "y", total, oc_irand(1, 9), 1, 1, 1, p0, false, true);
    }
    oc_result res;
    oc_check_model(&res, &m, xd, "fire %d: n%lld c%lld sq%lld %lldx%lld +%lld,%lld parts %d", iter,
                   (long long)batch, (long long)cin, (long long)sq, (long long)h, (long long)w,
                   (long long)eh, (long long)ew, parts);
    CHECK(!oc_has_op(res.ops, res.nodes, "Concat"), "%s: the Concat was not rewritten", res.what);
}

/* A 3x3 convolution too large to keep its indirection buffer (tasks build
 * theirs in per-thread scratch, after the work-sharing words) beside a 1x1
 * one. */
static void case_big_igemm(void)
{
    int64_t c = 48, h = 243, w = 242;
    int64_t p0[4] = {0, 0, 0, 0}, p1[4] = {1, 1, 1, 1};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "e3", c, 49, 3, 1, 1, p1, false, true);
    oc_add_conv(&m, "x", "e1", c, 5, 1, 1, 1, p0, false, true);
    concat_node(&m, (const char *[]){"e3", "e1", NULL}, "y");
    tb_output(&m, "y", FLOAT, NULL, 0);
    size_t nodes = 0;
    char ops[64][32];
    oc_compare("big igemm", &m, xd, &nodes, ops);
    CHECK(!oc_has_op(ops, nodes, "Concat"), "big igemm: the Concat was not rewritten");
}

/* Concats that must stay: an input that is not a convolution (a pool, the
 * squeeze output itself), a convolution output read twice (by a second
 * node, or twice by the Concat), a depthwise convolution, a convolution
 * with a fused residual. */
static void case_keep(int iter)
{
    int64_t batch = iter % 5 == 4 ? 2 : 1;
    int64_t sq = oc_irand(2, 17), h = oc_irand(3, 12), w = oc_irand(3, 12);
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {batch, 5, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    int64_t p0[4] = {0, 0, 0, 0}, p1[4] = {1, 1, 1, 1};
    oc_add_conv(&m, "x", "sq_c", 5, sq, 1, 1, 1, p0, false, true);
    oc_add_node(&m, "Relu", "sq_c", NULL, "s");
    add_branch(&m, "s", "e1", sq, oc_irand(1, 21), 1, 0, 0, oc_irand(0, 4));
    add_branch(&m, "s", "e3", sq, oc_irand(1, 21), 3, 0, 0, oc_irand(0, 4));
    int kind = iter % 6;
    size_t want_concats = 1;
    const char *what_kind = "";
    if (kind == 0) {
        what_kind = "pool input";
        tb_buf a = {0};
        int64_t k[2] = {3, 3};
        tb_attr_ints(&a, "kernel_shape", k, 2);
        tb_attr_ints(&a, "pads", p1, 4);
        const char *pi[] = {"s", NULL}, *po[] = {"pool", NULL};
        tb_node(&m, "MaxPool", "pool", pi, po, &a);
        tb_free(&a);
        concat_node(&m, (const char *[]){"e1", "pool", "e3", NULL}, "y");
    } else if (kind == 1) {
        what_kind = "squeeze output as input";
        concat_node(&m, (const char *[]){"e1", "e3", "s", NULL}, "y");
    } else if (kind == 2) {
        what_kind = "second reader";
        concat_node(&m, (const char *[]){"e1", "e3", NULL}, "cat");
        oc_add_node(&m, "Sigmoid", "e1", NULL, "g");
        concat_node(&m, (const char *[]){"cat", "g", NULL}, "y");
        want_concats = 2;
    } else if (kind == 3) {
        what_kind = "repeated input";
        concat_node(&m, (const char *[]){"e1", "e3", "e1", NULL}, "y");
    } else if (kind == 4) {
        what_kind = "depthwise input";
        oc_add_conv(&m, "s", "dw", sq, sq, 3, 1, 1, p1, true, true);
        concat_node(&m, (const char *[]){"dw", "e3", NULL}, "y");
    } else {
        what_kind = "residual input";
        /* Not of the conv's own input, which reparameterization would
         * merge into the weights. */
        oc_add_node(&m, "Sigmoid", "s", NULL, "g");
        oc_add_conv(&m, "s", "r_c", sq, sq, 3, 1, 1, p1, false, true);
        oc_add_node(&m, "Add", "r_c", "g", "r");
        concat_node(&m, (const char *[]){"e1", "r", NULL}, "y");
    }
    oc_result res;
    oc_check_model(&res, &m, xd, "keep %d (%s): n%lld sq%lld %lldx%lld", iter, what_kind,
                   (long long)batch, (long long)sq, (long long)h, (long long)w);
    CHECK(count_op(res.ops, res.nodes, "Concat") == want_concats, "%s: %zu Concat nodes, want %zu",
          res.what, count_op(res.ops, res.nodes, "Concat"), want_concats);
}

/* ---- ConvNhwc channel slices on hand-made graphs --------------------------- */

typedef struct conv_w {
    int64_t m, c, k, pad;
    float *w, *b; /* W [m][c][k][k] (ONNX order), B [m] */
} conv_w;

static void make_weights(tb_model *m, const char *name, conv_w *cw)
{
    size_t nw = (size_t)(cw->m * cw->c * cw->k * cw->k);
    cw->w = malloc(nw * sizeof(float));
    cw->b = malloc((size_t)cw->m * sizeof(float));
    for (size_t i = 0; i < nw; i++)
        cw->w[i] = oc_frand() * 0.5f;
    for (int64_t i = 0; i < cw->m; i++)
        cw->b[i] = oc_frand() * 0.5f;
    char wn[32], bn[32];
    snprintf(wn, sizeof wn, "%s_W", name);
    snprintf(bn, sizeof bn, "%s_B", name);
    int64_t wd[4] = {cw->m, cw->c, cw->k, cw->k};
    tb_initializer(m, wn, FLOAT, wd, 4, cw->w, nw * sizeof(float));
    tb_initializer(m, bn, FLOAT, &cw->m, 1, cw->b, (size_t)cw->m * sizeof(float));
}

/* A ConvNhwc node (stride 1, same padding) named out; into NULL or the
 * tensor whose other channels it keeps; total 0: a whole output. */
static void conv_nhwc_node(tb_model *m, const char *x, const char *out, const conv_w *cw,
                           const char *into, int64_t total, int64_t offset)
{
    char wn[32], bn[32];
    snprintf(wn, sizeof wn, "%s_W", out);
    snprintf(bn, sizeof bn, "%s_B", out);
    tb_buf a = {0};
    int64_t ks[2] = {cw->k, cw->k}, pads[4] = {cw->pad, cw->pad, cw->pad, cw->pad};
    tb_attr_ints(&a, "kernel_shape", ks, 2);
    tb_attr_ints(&a, "pads", pads, 4);
    if (total) {
        tb_attr_int(&a, "channels_total", total);
        tb_attr_int(&a, "channel_offset", offset);
    }
    if (into)
        tb_attr_int(&a, "inplace_input", 3);
    /* NodeProto's domain (field 7), written with the attributes. */
    tb_string_field(&a, 7, "com.mobinfer");
    const char *ins[] = {x, wn, bn, into, NULL}, *outs[] = {out, NULL};
    tb_node(m, "ConvNhwc", out, ins, outs, &a);
    tb_free(&a);
}

/* y[.., offset + o] = conv(x) for an NHWC x [n, h, w, c] and y [n, h, w, total]. */
static void ref_conv(const float *x, int64_t n, int64_t h, int64_t w, const conv_w *cw, float *y,
                     int64_t total, int64_t offset)
{
    for (int64_t i = 0; i < n; i++)
        for (int64_t oy = 0; oy < h; oy++)
            for (int64_t ox = 0; ox < w; ox++)
                for (int64_t o = 0; o < cw->m; o++) {
                    double acc = cw->b[o];
                    for (int64_t ky = 0; ky < cw->k; ky++)
                        for (int64_t kx = 0; kx < cw->k; kx++) {
                            int64_t iy = oy + ky - cw->pad, ix = ox + kx - cw->pad;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                continue;
                            const float *px = x + ((i * h + iy) * w + ix) * cw->c;
                            for (int64_t c = 0; c < cw->c; c++)
                                acc += (double)px[c] *
                                       cw->w[((o * cw->c + c) * cw->k + ky) * cw->k + kx];
                        }
                    y[((i * h + oy) * w + ox) * total + offset + o] = (float)acc;
                }
}

static void finish_with_domain(tb_model *m, tb_buf *bytes)
{
    tb_model_finish(m, bytes);
    tb_buf opset = {0};
    tb_string_field(&opset, 1, "com.mobinfer");
    tb_varint_field(&opset, 2, 1);
    tb_bytes_field(bytes, 8, opset.data, opset.len);
    tb_free(&opset);
}

static void expect(const char *what, const tb_buf *bytes, const int64_t *xd, const float *x,
                   const float *want, size_t n)
{
    for (int threads = 1; threads <= 2; threads++) {
        size_t n_out = 0;
        float *got = oc_run_model(bytes, xd, x, threads, 0, &n_out, NULL, NULL);
        if (!got)
            continue;
        CHECK(n_out == n, "%s: %zu outputs, want %zu", what, n_out, n);
        double max_ref = 1e-6, max_err = 0;
        for (size_t i = 0; i < n && i < n_out; i++) {
            max_ref = fmax(max_ref, fabs(want[i]));
            max_err = fmax(max_err, fabs((double)want[i] - got[i]));
        }
        CHECK(max_err <= 1e-5 * max_ref, "%s (threads %d): max error %g of max %g", what, threads,
              max_err, max_ref);
        free(got);
    }
}

/* shape 0: t = conv(x) whole, y = slice conv over t (t dies: shared);
 * 1: the same, then y - t (t read later: copied);
 * 2: y = slice conv of x over x itself (a graph input, read by the node:
 * copied). 1x1 and 3x3 slices, odd sizes, batch 1 and 2. */
static void case_slice(int iter)
{
    int shape = iter % 3;
    int64_t n = iter % 2 ? 2 : 1, h = oc_irand(1, 13), w = oc_irand(1, 17);
    int64_t c = oc_irand(3, 21), total = shape == 2 ? c : c + oc_irand(1, 23);
    conv_w cs = {oc_irand(1, (int)total - 1), c, iter % 4 < 2 ? 3 : 1, 0, NULL, NULL};
    cs.pad = cs.k / 2;
    int64_t offset = oc_irand(0, (int)(total - cs.m));
    conv_w ct = {total, c, 1, 0, NULL, NULL};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {n, h, w, c};
    tb_input(&m, "x", FLOAT, xd, 4);
    size_t xn = (size_t)(n * h * w * c), yn = (size_t)(n * h * w * total);
    float *x = malloc(xn * sizeof *x), *t = calloc(yn, sizeof *t), *want = calloc(yn, sizeof *want);
    for (size_t i = 0; i < xn; i++)
        x[i] = oc_frand();
    if (shape < 2) {
        make_weights(&m, "t", &ct);
        conv_nhwc_node(&m, "x", "t", &ct, NULL, 0, 0);
        ref_conv(x, n, h, w, &ct, t, total, 0);
    } else {
        memcpy(t, x, xn * sizeof *x);
    }
    make_weights(&m, shape == 1 ? "u" : "y", &cs);
    conv_nhwc_node(&m, "x", shape == 1 ? "u" : "y", &cs, shape < 2 ? "t" : "x", total, offset);
    memcpy(want, t, yn * sizeof *t);
    ref_conv(x, n, h, w, &cs, want, total, offset);
    if (shape == 1) {
        oc_add_node(&m, "Sub", "u", "t", "y");
        for (size_t i = 0; i < yn; i++)
            want[i] -= t[i];
    }
    tb_output(&m, "y", FLOAT, NULL, 0);
    tb_buf bytes = {0};
    finish_with_domain(&m, &bytes);
    char what[128];
    static const char *const shapes[] = {"into dies", "into read later", "into is x"};
    snprintf(what, sizeof what, "slice %d (%s): n%lld %lldx%lld c%lld -> %lld of %lld at %lld, %lldx%lld",
             iter, shapes[shape], (long long)n, (long long)h, (long long)w, (long long)c,
             (long long)cs.m, (long long)total, (long long)offset, (long long)cs.k,
             (long long)cs.k);
    expect(what, &bytes, xd, x, want, yn);
    tb_free(&bytes);
    free(cs.w);
    free(cs.b);
    free(ct.w);
    free(ct.b);
    free(x);
    free(t);
    free(want);
}

int main(void)
{
    for (int i = 0; i < 40; i++)
        case_fire(i);
    case_big_igemm();
    for (int i = 0; i < 18; i++)
        case_keep(i);
    for (int i = 0; i < 18; i++)
        case_slice(i);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
