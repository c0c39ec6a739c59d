/* HardSwish and HardSigmoid fused into the producer's microkernel (applied
 * in registers, kernels/epilogue.h), checked against the reference path
 * (disable_optimizations) at 1 and 2 threads: every kernel family that
 * takes the epilogue (1x1 GEMM, igemm, Winograd, depthwise with its band
 * path, Dense, MBConvNhwc's three stages), each with the exporters' forms
 * of the two activations (HardSigmoid then Mul either way round, the
 * HardSwish operator, HardSigmoid alone with its own alpha and beta).
 * BatchNormalization with a wide scale and shift spreads the inputs of the
 * activation over all three pieces (below, inside and above the linear
 * part); the reference outputs show which pieces were reached, and the
 * test fails unless all were. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"
#include "opt_check.h"

typedef enum act_form { HSIG_MUL, MUL_HSIG, HARD_SWISH, HARD_SIGMOID, N_FORMS } act_form;
static const char *const form_names[N_FORMS] = {"HardSigmoid*x", "x*HardSigmoid", "HardSwish",
                                                "HardSigmoid(0.3,0.4)"};

/* Reference outputs per piece: [swish?][below, inside, above]. */
static long pieces[2][3];

/* BatchNormalization whose scale (2..4) and shift (-4..4) take the
 * convolution's outputs well past -3 and 3. */
static void add_wide_bn(tb_model *m, const char *x, const char *y, int64_t c)
{
    static const float lo[4] = {2.0f, -4.0f, -0.5f, 0.5f}, hi[4] = {4.0f, 4.0f, 0.5f, 1.5f};
    oc_add_bn_ranges(m, x, y, c, lo, hi);
}

static void add_hard_sigmoid(tb_model *m, const char *x, const char *y, float alpha, float beta)
{
    tb_buf a = {0};
    tb_attr_float(&a, "alpha", alpha);
    tb_attr_float(&a, "beta", beta);
    const char *ins[] = {x, NULL};
    const char *outs[] = {y, NULL};
    tb_node(m, "HardSigmoid", y, ins, outs, &a);
    tb_free(&a);
}

/* x -> act -> y in one of the exporters' forms; names made unique by tag. */
static void add_act(tb_model *m, act_form f, const char *x, const char *y, const char *tag)
{
    char hs[64];
    snprintf(hs, sizeof hs, "%s_hs", tag);
    switch (f) {
    case HSIG_MUL:
        add_hard_sigmoid(m, x, hs, 1.0f / 6.0f, 0.5f);
        oc_add_node(m, "Mul", hs, x, y);
        break;
    case MUL_HSIG:
        add_hard_sigmoid(m, x, hs, 1.0f / 6.0f, 0.5f);
        oc_add_node(m, "Mul", x, hs, y);
        break;
    case HARD_SWISH:
        oc_add_node(m, "HardSwish", x, NULL, y);
        break;
    default:
        add_hard_sigmoid(m, x, y, 0.3f, 0.4f);
        break;
    }
}

/* Counts the reference's outputs per piece of the final activation: for
 * HardSwish y = 0 below -3 and y > 3 above 3; for HardSigmoid exactly 0 and
 * 1 outside its linear part. */
static void count_pieces(act_form f, const float *y, size_t n)
{
    const bool swish = f != HARD_SIGMOID;
    for (size_t i = 0; i < n; i++) {
        int p;
        if (swish)
            p = y[i] == 0.0f ? 0 : y[i] > 3.0f ? 2 : 1;
        else
            p = y[i] == 0.0f ? 0 : y[i] == 1.0f ? 2 : 1;
        pieces[swish][p]++;
    }
}

/* Finishes m, runs it on the reference path and optimized (1 and 2
 * threads), compares as oc_compare does, counts the reference's pieces of
 * f (N_FORMS: y is not an activation's output) and checks that no
 * activation, Mul or BatchNormalization is left and must_have is there. */
static void run_and_check(tb_model *m, const int64_t *xd, act_form f, const char *what,
                          const char *must_have)
{
    tb_output(m, "y", FLOAT, NULL, 0);
    tb_buf bytes = {0};
    tb_model_finish(m, &bytes);
    const size_t xn = (size_t)(xd[0] * xd[1] * xd[2] * xd[3]);
    float *x = malloc(xn * sizeof *x);
    for (size_t i = 0; i < xn; i++)
        x[i] = oc_frand() * 2.0f;
    size_t n_ref = 0, n_opt = 0, nodes = 0;
    char ops[64][32];
    float *ref = oc_run_model(&bytes, xd, x, 1, 1, &n_ref, NULL, NULL);
    if (ref && f < N_FORMS)
        count_pieces(f, ref, n_ref);
    for (int threads = 1; threads <= 2 && ref; threads++) {
        float *opt = oc_run_model(&bytes, xd, x, threads, 0, &n_opt, &nodes, ops);
        if (!opt)
            continue;
        CHECK(n_opt == n_ref, "%s: %zu vs %zu outputs", what, n_opt, n_ref);
        double max_ref = 1e-6, max_err = 0;
        for (size_t i = 0; i < n_ref && i < n_opt; i++) {
            max_ref = fmax(max_ref, fabs(ref[i]));
            max_err = fmax(max_err, fabs((double)ref[i] - opt[i]));
        }
        /* HardSigmoid's outputs stay within [0, 1] while the error of the sum it reads grows with
         * the sum: Winograd F(4,3) on these wide sums reaches 5e-5 after the slope of 0.3. */
        const double tol = f == HARD_SIGMOID ? 1e-4 : 2e-5 * max_ref;
        CHECK(max_err <= tol, "%s (threads %d): max error %g of max %g", what, threads, max_err,
              max_ref);
        free(opt);
    }
    CHECK(!oc_has_op(ops, nodes, "HardSigmoid") && !oc_has_op(ops, nodes, "HardSwish") &&
              !oc_has_op(ops, nodes, "Mul") && !oc_has_op(ops, nodes, "BatchNormalization") &&
              (!must_have || oc_has_op(ops, nodes, must_have)),
          "%s: the activation should be fused into %s", what, must_have ? must_have : "its producer");
    free(ref);
    free(x);
    tb_free(&bytes);
}

typedef enum conv_kind { POINTWISE, DENSE_3X3, WINOGRAD_3X3, DEPTHWISE, N_CONV_KINDS } conv_kind;
static const char *const conv_names[N_CONV_KINDS] = {"1x1", "3x3", "3x3 (Winograd-sized)", "depthwise"};

/* Conv -> wide BN -> act, the convolution of one of the kinds that reach a
 * different microkernel family. */
static void case_conv(int iter)
{
    const conv_kind kind = (conv_kind)(iter % N_CONV_KINDS);
    const act_form f = (act_form)(iter / N_CONV_KINDS % N_FORMS);
    int64_t cin = oc_irand(1, 37), cout = oc_irand(1, 41), k = 1, stride = 1;
    int64_t h = oc_irand(3, 17), w = oc_irand(3, 19);
    int64_t pads[4] = {0, 0, 0, 0};
    if (kind == DENSE_3X3) {
        k = 3;
        stride = oc_irand(1, 2);
        oc_random_pads(k, pads);
    } else if (kind == WINOGRAD_3X3) {
        /* Enough channels and tiles for conv_nhwc's Winograd rule. */
        k = 3;
        cin = oc_irand(16, 40);
        cout = oc_irand(16, 72);
        h = oc_irand(12, 20);
        w = oc_irand(12, 20);
        pads[0] = pads[1] = pads[2] = pads[3] = 1;
    } else if (kind == DEPTHWISE) {
        /* Rows of 7+ pixels and square 3x3/5x5: the band path too. */
        k = oc_irand(0, 1) ? 3 : 5;
        stride = oc_irand(1, 2);
        cin = cout = oc_irand(1, 40);
        w = oc_irand(14, 30);
        pads[0] = pads[1] = pads[2] = pads[3] = k / 2;
    }
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, cin, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "c", cin, cout, k, stride, 1, pads, kind == DEPTHWISE, iter % 2 == 0);
    add_wide_bn(&m, "c", "bn", cout);
    add_act(&m, f, "bn", "y", "a");
    char what[160];
    snprintf(what, sizeof what, "conv %s %lldx%lld k%lld s%lld %lldx%lld + BN + %s",
             conv_names[kind], (long long)cin, (long long)cout, (long long)k, (long long)stride,
             (long long)h, (long long)w, form_names[f]);
    /* A dense convolution of 1-4 channels on the graph's input is a stem (opt/stem_nchw_input.c). */
    const bool stem = cin <= 4 && (kind != DEPTHWISE || cin == 1);
    run_and_check(&m, xd, f, what, stem ? "ConvStemNhwc" : "ConvNhwc");
}

/* Flatten -> Gemm -> act: Dense. */
static void case_dense(int iter)
{
    const act_form f = (act_form)(iter % N_FORMS);
    const int64_t c = oc_irand(1, 9), h = oc_irand(1, 5), w = oc_irand(1, 5), n = oc_irand(1, 70);
    const int64_t k = c * h * w;
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {oc_irand(1, 3), c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_node(&m, "Flatten", "x", NULL, "flat");
    const int64_t wd[2] = {k, n};
    oc_add_random(&m, "W", wd, 2, -1.0f, 1.0f);
    /* A wide bias reaches every piece. */
    oc_add_random(&m, "B", &n, 1, -6.0f, 6.0f);
    const char *ins[] = {"flat", "W", "B", NULL};
    const char *outs[] = {"g", NULL};
    tb_node(&m, "Gemm", "g", ins, outs, NULL);
    add_act(&m, f, "g", "y", "a");
    char what[160];
    snprintf(what, sizeof what, "Gemm %lld -> %lld + %s", (long long)k, (long long)n, form_names[f]);
    run_and_check(&m, xd, f, what, "Dense");
}

/* 1x1 expand + act -> depthwise + act -> 1x1 project: an intermediate of
 * 48x48x64 floats (576 KB) is large enough for MBConvNhwc. */
static void case_mbconv(int iter)
{
    const act_form f = (act_form)(iter % N_FORMS);
    const int64_t cin = 16, cexp = 64, cout = oc_irand(8, 24), k = iter % 2 ? 5 : 3;
    const int64_t pads[4] = {k / 2, k / 2, k / 2, k / 2}, none[4] = {0, 0, 0, 0};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, cin, 48, 48};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "e", cin, cexp, 1, 1, 1, none, false, true);
    add_wide_bn(&m, "e", "ebn", cexp);
    add_act(&m, f, "ebn", "ea", "a1");
    oc_add_conv(&m, "ea", "d", cexp, cexp, k, 1, 1, pads, true, true);
    add_wide_bn(&m, "d", "dbn", cexp);
    add_act(&m, f, "dbn", "da", "a2");
    oc_add_conv(&m, "da", "p", cexp, cout, 1, 1, 1, none, false, true);
    add_wide_bn(&m, "p", "y", cout);
    char what[160];
    snprintf(what, sizeof what, "MBConv 16 -> 64 (dw %lldx%lld) -> %lld, expand and dw + %s", (long long)k,
             (long long)k, (long long)cout, form_names[f]);
    run_and_check(&m, xd, N_FORMS, what, "MBConvNhwc");
}

int main(void)
{
    for (int i = 0; i < 2 * N_CONV_KINDS * N_FORMS; i++)
        case_conv(i);
    for (int i = 0; i < 2 * N_FORMS; i++)
        case_dense(i);
    for (int i = 0; i < N_FORMS; i++)
        case_mbconv(i);
    for (int s = 0; s < 2; s++)
        CHECK(pieces[s][0] > 0 && pieces[s][1] > 0 && pieces[s][2] > 0,
              "%s: the reference outputs missed a piece (below %ld, inside %ld, above %ld)",
              s ? "HardSwish" : "HardSigmoid", pieces[s][0], pieces[s][1], pieces[s][2]);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
