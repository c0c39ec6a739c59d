/* The optimization passes and the fused kernels they select, checked
 * against the reference path (the same model with disable_optimizations) on
 * seeded random shapes: odd channel counts, strides, pads, dilations, 1 and
 * 2 threads. Each case also checks that the pass did rewrite the graph
 * (which operators are left). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"
#include "opt_check.h"

/* Conv -> BatchNormalization -> activation; dense or depthwise. */
static void case_conv_bn_act(int iter)
{
    static const char *const acts[] = {"Relu", "HardSwish", "Sigmoid",        "LeakyRelu",
                                       "Tanh", "Clip",      "SiLU",           "HardSigmoidMul",
                                       "HardSwishTorch", "HardSwishPaddle"};
    const char *act = acts[iter % 10];
    bool depthwise = iter % 3 == 1;
    int64_t cin = oc_irand(1, 37), cout = depthwise ? cin : oc_irand(1, 41);
    int64_t k = (int64_t[]){1, 3, 5, 7}[oc_irand(0, 3)], stride = oc_irand(1, 2), dil = oc_irand(1, 2);
    int64_t h = oc_irand(1, 17), w = oc_irand(1, 19);
    if ((h + 2 * k) < dil * (k - 1) + 1)
        dil = 1;
    int64_t pads[4];
    oc_random_pads(k, pads);
    if (h + pads[0] + pads[2] < dil * (k - 1) + 1 || w + pads[1] + pads[3] < dil * (k - 1) + 1) {
        pads[0] = pads[2] = pads[1] = pads[3] = k;
        dil = 1;
    }
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, cin, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "c", cin, cout, k, stride, dil, pads, depthwise, iter % 2 == 0);
    oc_add_random(&m, "bn_s", &cout, 1, 0.5f, 1.5f);
    oc_add_random(&m, "bn_b", &cout, 1, -0.5f, 0.5f);
    oc_add_random(&m, "bn_m", &cout, 1, -0.5f, 0.5f);
    oc_add_random(&m, "bn_v", &cout, 1, 0.2f, 2.0f);
    const char *bnin[] = {"c", "bn_s", "bn_b", "bn_m", "bn_v", NULL};
    const char *bnout[] = {"bn", NULL};
    tb_node(&m, "BatchNormalization", "bn", bnin, bnout, NULL);
    if (strcmp(act, "SiLU") == 0) {
        oc_add_node(&m, "Sigmoid", "bn", NULL, "sig");
        oc_add_node(&m, "Mul", "bn", "sig", "y");
    } else if (strcmp(act, "HardSigmoidMul") == 0) {
        tb_buf a = {0};
        tb_attr_float(&a, "alpha", 1.0f / 6.0f);
        const char *ins[] = {"bn", NULL};
        const char *outs[] = {"hs", NULL};
        tb_node(&m, "HardSigmoid", "hs", ins, outs, &a);
        tb_free(&a);
        oc_add_node(&m, "Mul", "hs", "bn", "y");
    } else if (strncmp(act, "HardSwish", 9) == 0 && act[9]) {
        /* x * relu6(x + 3) / 6, dividing before (PyTorch) or after (Paddle)
         * the product. */
        oc_add_scalar(&m, "three", 3.0f);
        oc_add_scalar(&m, "zero", 0.0f);
        oc_add_scalar(&m, "six", 6.0f);
        oc_add_node(&m, "Add", "bn", "three", "p3");
        const char *ins[] = {"p3", "zero", "six", NULL};
        const char *outs[] = {"r6", NULL};
        tb_node(&m, "Clip", "r6", ins, outs, NULL);
        if (strcmp(act, "HardSwishTorch") == 0) {
            oc_add_node(&m, "Div", "r6", "six", "gate");
            oc_add_node(&m, "Mul", "bn", "gate", "y");
        } else {
            oc_add_node(&m, "Mul", "bn", "r6", "prod");
            oc_add_node(&m, "Div", "prod", "six", "y");
        }
    } else if (strcmp(act, "Clip") == 0) {
        oc_add_scalar(&m, "lo", 0.0f);
        oc_add_scalar(&m, "hi", 6.0f);
        const char *ins[] = {"bn", "lo", "hi", NULL};
        const char *outs[] = {"y", NULL};
        tb_node(&m, "Clip", "y", ins, outs, NULL);
    } else {
        oc_add_node(&m, act, "bn", NULL, "y");
    }
    oc_result res;
    oc_check_model(&res, &m, xd, "conv%s %lldx%lld k%lld s%lld d%lld %lldx%lld + BN + %s",
                   depthwise ? "(dw)" : "", (long long)cin, (long long)cout, (long long)k,
                   (long long)stride, (long long)dil, (long long)h, (long long)w, act);
    CHECK(!oc_has_op(res.ops, res.nodes, "BatchNormalization") &&
              !oc_has_op(res.ops, res.nodes, act) && !oc_has_op(res.ops, res.nodes, "Mul") &&
              !oc_has_op(res.ops, res.nodes, "Div") && !oc_has_op(res.ops, res.nodes, "Clip") &&
              (oc_has_op(res.ops, res.nodes, "ConvNhwc") ||
               oc_has_op(res.ops, res.nodes, "ConvStemNhwc")),
          "%s: BatchNormalization and the activation should be folded into ConvNhwc", res.what);
}

/* x -> Conv -> Conv(+x) -> Relu: a residual block (ResNet, MobileNetV2). */
static void case_residual(int iter)
{
    int64_t c = oc_irand(1, 40), h = oc_irand(2, 15), w = oc_irand(2, 15);
    int64_t p1[4] = {1, 1, 1, 1}, p0[4] = {0, 0, 0, 0};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c, 3, 1, 1, p1, iter % 2 == 0, true);
    oc_add_node(&m, "Relu", "a", NULL, "ar");
    oc_add_conv(&m, "ar", "b", c, c, 1, 1, 1, p0, false, true);
    oc_add_node(&m, "Add", iter % 2 ? "x" : "b", iter % 2 ? "b" : "x", "s");
    oc_add_node(&m, "Relu", "s", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "residual block c%lld %lldx%lld", (long long)c, (long long)h,
                   (long long)w);
    CHECK(!oc_has_op(res.ops, res.nodes, "Add") && !oc_has_op(res.ops, res.nodes, "Relu"),
          "%s: Add and Relu should be fused", res.what);
}

/* Per-channel Mul/Add after a conv, a squeeze-excitation style gate, and a
 * Concat on channels, ending with GlobalAveragePool (layout changes). */
static void case_layout(int iter)
{
    int64_t c = oc_irand(2, 33), h = oc_irand(2, 13), w = oc_irand(2, 13);
    int64_t p1[4] = {1, 1, 1, 1}, p0[4] = {0, 0, 0, 0};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c, 3, 1, 1, p1, false, false);
    int64_t cd[3] = {c, 1, 1};
    oc_add_random(&m, "scale", cd, 3, 0.5f, 1.5f);
    oc_add_random(&m, "shift", cd, 3, -1.0f, 1.0f);
    oc_add_node(&m, "Mul", "a", "scale", "am");
    oc_add_node(&m, "Add", "am", "shift", "aa");
    oc_add_node(&m, "GlobalAveragePool", "aa", NULL, "g");
    oc_add_conv(&m, "g", "g1", c, c, 1, 1, 1, p0, false, true);
    oc_add_node(&m, "Sigmoid", "g1", NULL, "gate");
    oc_add_node(&m, "Mul", "aa", "gate", "se");
    oc_add_conv(&m, "x", "b", c, c + 1, 1, 1, 1, p0, false, true);
    const char *cin[] = {"se", "b", NULL};
    const char *cout[] = {"cat", NULL};
    tb_buf a = {0};
    tb_attr_int(&a, "axis", 1);
    tb_node(&m, "Concat", "cat", cin, cout, &a);
    tb_free(&a);
    if (iter % 2)
        oc_add_node(&m, "GlobalAveragePool", "cat", NULL, "y");
    else
        oc_add_node(&m, "Relu", "cat", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "layout/SE/concat c%lld %lldx%lld", (long long)c, (long long)h,
                   (long long)w);
    int transposes = 0;
    for (size_t i = 0; i < res.nodes && i < 64; i++)
        transposes += strcmp(res.ops[i], "Transpose") == 0;
    CHECK(transposes <= 2, "%s: %d transposes (expected one in, at most one out)", res.what,
          transposes);
}

/* A network's first convolution: few input channels (a few floats per
 * tap), images of several hundred pixels, any window, batch 1 or 2, SiLU (a
 * tile-pass epilogue) or none. It becomes ConvStemNhwc, reading the NCHW
 * image (src/opt/stem_nchw_input.c; more cases in opt_stem.c). */
static void case_stem(int iter)
{
    int64_t cin = oc_irand(1, 4), cout = oc_irand(5, 40);
    int64_t k = (int64_t[]){3, 5, 7}[oc_irand(0, 2)], stride = oc_irand(1, 2);
    int64_t dil = iter % 4 == 3 ? 2 : 1;
    int64_t n = iter % 3 == 2 ? 2 : 1, h = oc_irand(20, 45), w = oc_irand(20, 47);
    int64_t pads[4];
    oc_random_pads(k, pads);
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {n, cin, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    bool silu = iter % 2 == 0;
    oc_add_conv(&m, "x", silu ? "c" : "y", cin, cout, k, stride, dil, pads, false, true);
    if (silu) {
        oc_add_node(&m, "Sigmoid", "c", NULL, "sig");
        oc_add_node(&m, "Mul", "c", "sig", "y");
    }
    tb_output(&m, "y", FLOAT, NULL, 0);
    char what[96], ops[64][32];
    snprintf(what, sizeof what, "stem conv %lld->%lld k%lld s%lld d%lld %lldx%lldx%lld%s",
             (long long)cin, (long long)cout, (long long)k, (long long)stride, (long long)dil,
             (long long)n, (long long)h, (long long)w, silu ? " silu" : "");
    size_t nodes = 0;
    oc_compare(what, &m, xd, &nodes, ops);
    CHECK(oc_has_op(ops, nodes, "ConvStemNhwc"), "%s: no ConvStemNhwc", what);
}

/* A MobileOne-style train-time block: k x k conv-BN branches, a 1x1
 * conv-BN branch and an identity BN, summed, then Relu. Must become one
 * convolution. */
static void case_reparam(int iter)
{
    bool depthwise = iter % 2 == 1;
    int64_t c = oc_irand(1, 24), h = oc_irand(3, 12), w = oc_irand(3, 12);
    int64_t k = iter % 3 == 2 ? 5 : 3, p = (k - 1) / 2;
    int64_t pk[4] = {p, p, p, p}, p0[4] = {0, 0, 0, 0};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "k1", c, c, k, 1, 1, pk, depthwise, false);
    oc_add_bn(&m, "k1", "k1n", c);
    oc_add_conv(&m, "x", "k2", c, c, k, 1, 1, pk, depthwise, false);
    oc_add_bn(&m, "k2", "k2n", c);
    oc_add_conv(&m, "x", "s1", c, c, 1, 1, 1, p0, depthwise, false);
    oc_add_bn(&m, "s1", "s1n", c);
    oc_add_bn(&m, "x", "idn", c);
    oc_add_node(&m, "Add", "k1n", "k2n", "a1");
    oc_add_node(&m, "Add", "a1", "s1n", "a2");
    oc_add_node(&m, "Add", iter % 2 ? "idn" : "a2", iter % 2 ? "a2" : "idn", "a3");
    oc_add_node(&m, "Relu", "a3", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "reparameterized block%s c%lld k%lld %lldx%lld",
                   depthwise ? " (dw)" : "", (long long)c, (long long)k, (long long)h,
                   (long long)w);
    int convs = 0;
    for (size_t i = 0; i < res.nodes && i < 64; i++)
        convs += strcmp(res.ops[i], "ConvNhwc") == 0 || strcmp(res.ops[i], "ConvStemNhwc") == 0;
    CHECK(convs == 1 && !oc_has_op(res.ops, res.nodes, "Add") &&
              !oc_has_op(res.ops, res.nodes, "BatchNormalization"),
          "%s: %d convolutions left (expected one, no Add, no BatchNormalization)", res.what,
          convs);
}

/* A squeeze-and-excitation block after a convolution: must become one
 * SqueezeExcite node. */
static void case_squeeze_excite(int iter)
{
    int64_t c = oc_irand(1, 40), r = oc_irand(1, 12), h = oc_irand(1, 12), w = oc_irand(1, 12);
    int64_t p1[4] = {1, 1, 1, 1}, p0[4] = {0, 0, 0, 0};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c, 3, 1, 1, p1, iter % 2 == 1, true);
    oc_add_node(&m, "GlobalAveragePool", "a", NULL, "g");
    oc_add_conv(&m, "g", "s1", c, r, 1, 1, 1, p0, false, iter % 3 != 0);
    oc_add_node(&m, iter % 2 ? "Relu" : "Sigmoid", "s1", NULL, "s1a");
    oc_add_conv(&m, "s1a", "s2", r, c, 1, 1, 1, p0, false, true);
    oc_add_node(&m, iter % 2 ? "HardSigmoid" : "Sigmoid", "s2", NULL, "gate");
    oc_add_node(&m, "Mul", iter % 2 ? "a" : "gate", iter % 2 ? "gate" : "a", "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "squeeze-excite c%lld r%lld %lldx%lld", (long long)c, (long long)r,
                   (long long)h, (long long)w);
    CHECK(oc_has_op(res.ops, res.nodes, "SqueezeExcite") &&
              !oc_has_op(res.ops, res.nodes, "ReduceMean") && !oc_has_op(res.ops, res.nodes, "Mul"),
          "%s: expected one SqueezeExcite node", res.what);
}

/* Pools between convolutions run in NHWC too. */
static void case_pools(int iter)
{
    int64_t c = oc_irand(1, 35), h = oc_irand(3, 17), w = oc_irand(3, 17);
    int64_t p0[4] = {0, 0, 0, 0};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c, 1, 1, 1, p0, false, true);
    tb_buf a = {0};
    int64_t k3[2] = {3, 3}, s2[2] = {2, 2}, pads[4] = {iter % 2, 1, 1, iter % 2};
    tb_attr_ints(&a, "kernel_shape", k3, 2);
    tb_attr_ints(&a, "strides", s2, 2);
    tb_attr_ints(&a, "pads", pads, 4);
    tb_attr_int(&a, "ceil_mode", iter % 3 == 0);
    const char *i1[] = {"a", NULL}, *o1[] = {"mp", NULL};
    tb_node(&m, "MaxPool", "mp", i1, o1, &a);
    tb_free(&a);
    tb_buf b = {0};
    int64_t k2[2] = {2, 2}, s1[2] = {1, 1}, pb[4] = {1, 0, 0, 1};
    tb_attr_ints(&b, "kernel_shape", k2, 2);
    tb_attr_ints(&b, "strides", s1, 2);
    tb_attr_ints(&b, "pads", pb, 4);
    tb_attr_int(&b, "count_include_pad", iter % 2);
    const char *i2[] = {"mp", NULL}, *o2[] = {"ap", NULL};
    tb_node(&m, "AveragePool", "ap", i2, o2, &b);
    tb_free(&b);
    oc_add_node(&m, "GlobalAveragePool", "ap", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "pools c%lld %lldx%lld", (long long)c, (long long)h, (long long)w);
    CHECK(oc_has_op(res.ops, res.nodes, "MaxPoolNhwc") &&
              oc_has_op(res.ops, res.nodes, "AveragePoolNhwc") &&
              oc_has_op(res.ops, res.nodes, "GlobalAveragePoolNhwc"),
          "%s: expected the NHWC pools", res.what);
}

/* Transpose pairs that cancel, and Reshape chains. */
static void case_cancel(int iter)
{
    int64_t c = oc_irand(1, 9), h = oc_irand(1, 9), w = oc_irand(1, 9);
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    tb_buf a = {0}, b = {0};
    int64_t p1[4] = {0, 2, 3, 1}, p2[4] = {0, 3, 1, 2}, p3[4] = {0, 1, 3, 2};
    tb_attr_ints(&a, "perm", p1, 4);
    tb_attr_ints(&b, "perm", iter % 2 ? p2 : p3, 4);
    const char *i1[] = {"x", NULL}, *o1[] = {"t1", NULL}, *i2[] = {"t1", NULL}, *o2[] = {"t2", NULL};
    tb_node(&m, "Transpose", "t1", i1, o1, &a);
    tb_node(&m, "Transpose", "t2", i2, o2, &b);
    tb_free(&a);
    tb_free(&b);
    oc_add_node(&m, "Relu", "t2", NULL, "r");
    int64_t s1[2] = {1, c * h * w}, s2[3] = {c, h, w}, two = 2, three = 3;
    tb_initializer(&m, "s1", 7, &two, 1, s1, sizeof s1);
    tb_initializer(&m, "s2", 7, &three, 1, s2, sizeof s2);
    oc_add_node(&m, "Reshape", "r", "s1", "f1");
    oc_add_node(&m, "Reshape", "f1", "s2", "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "transpose pair %s, reshape chain c%lld %lldx%lld",
                   iter % 2 ? "cancelling" : "composing", (long long)c, (long long)h, (long long)w);
    int transposes = 0, reshapes = 0;
    for (size_t i = 0; i < res.nodes && i < 64; i++) {
        transposes += strcmp(res.ops[i], "Transpose") == 0;
        reshapes += strcmp(res.ops[i], "Reshape") == 0;
    }
    CHECK(transposes == (iter % 2 ? 0 : 1) && reshapes == 1, "%s: %d transposes, %d reshapes left",
          res.what, transposes, reshapes);
}

/* A segmentation/text-detection head: conv, nearest 2x Resize, learned 2x
 * upsampling (ConvTranspose with stride = kernel), all channels-last. */
static void case_upsampling(int iter)
{
    int64_t c = oc_irand(1, 24), co = oc_irand(1, 20), h = oc_irand(1, 9), w = oc_irand(1, 9);
    int64_t p0[4] = {0, 0, 0, 0};
    int64_t k = iter % 2 ? 2 : 3;
    tb_model m;
    tb_model_init(&m, 13);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c, 1, 1, 1, p0, false, true);
    float scales[4] = {1.0f, 1.0f, 2.0f, 2.0f};
    int64_t four = 4, zero = 0;
    tb_initializer(&m, "scales", FLOAT, &four, 1, scales, sizeof scales);
    tb_initializer(&m, "roi", FLOAT, &zero, 1, NULL, 0);
    const char *ri[] = {"a", "roi", "scales", NULL}, *ro[] = {"up", NULL};
    /* Odd cases resize bilinearly (the channels-last two-tap path). */
    tb_buf ra = {0};
    if (iter % 2) {
        tb_attr_string(&ra, "mode", "linear");
        tb_attr_string(&ra, "coordinate_transformation_mode",
                       iter % 4 == 1 ? "half_pixel" : "align_corners");
    }
    tb_node(&m, "Resize", "up", ri, ro, iter % 2 ? &ra : NULL);
    tb_free(&ra);
    int64_t wd[4] = {c, co, k, k};
    oc_add_random(&m, "tw", wd, 4, -0.5f, 0.5f);
    oc_add_random(&m, "tb", &co, 1, -0.5f, 0.5f);
    tb_buf a = {0};
    int64_t ks[2] = {k, k};
    tb_attr_ints(&a, "kernel_shape", ks, 2);
    tb_attr_ints(&a, "strides", ks, 2);
    const char *ti[] = {"up", "tw", "tb", NULL}, *to[] = {"t", NULL};
    tb_node(&m, "ConvTranspose", "t", ti, to, &a);
    tb_free(&a);
    oc_add_node(&m, "Relu", "t", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "upsampling head c%lld co%lld k%lld %lldx%lld", (long long)c,
                   (long long)co, (long long)k, (long long)h, (long long)w);
    CHECK(oc_has_op(res.ops, res.nodes, "ConvTransposeNhwc") &&
              !oc_has_op(res.ops, res.nodes, "ConvTranspose"),
          "%s: expected ConvTransposeNhwc", res.what);
}

/* PP-LCNet's learnable affine after an activation, before an unpadded
 * convolution: folded into that convolution's weights. */
static void case_input_affine(int iter)
{
    int64_t c = oc_irand(1, 30), co = oc_irand(1, 30), h = oc_irand(1, 9), w = oc_irand(1, 9);
    int64_t p1[4] = {1, 1, 1, 1}, p0[4] = {0, 0, 0, 0};
    bool depthwise = iter % 3 == 2;
    if (depthwise && (h < 3 || w < 3))
        h = w = 3;
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c, 3, 1, 1, p1, false, true);
    oc_add_node(&m, "HardSwish", "a", NULL, "hs");
    int64_t cd[3] = {c, 1, 1}, one = 1;
    if (iter % 2) {
        oc_add_random(&m, "sa", cd, 3, 0.5f, 1.5f);
        oc_add_random(&m, "sb", cd, 3, -1.0f, 1.0f);
    } else {
        oc_add_random(&m, "sa", &one, 1, 0.5f, 1.5f);
        oc_add_random(&m, "sb", &one, 1, -1.0f, 1.0f);
    }
    oc_add_node(&m, "Mul", "sa", "hs", "am");
    oc_add_node(&m, "Add", "am", "sb", "aa");
    oc_add_conv(&m, "aa", "y", c, depthwise ? c : co, depthwise ? 3 : 1, 1, 1, p0, depthwise, true);
    oc_result res;
    oc_check_model(&res, &m, xd, "input affine%s c%lld %lldx%lld", depthwise ? " (dw)" : "",
                   (long long)c, (long long)h, (long long)w);
    CHECK(!oc_has_op(res.ops, res.nodes, "Mul") && !oc_has_op(res.ops, res.nodes, "Add"),
          "%s: the affine should fold into the convolution", res.what);
}

/* Elementwise operators large enough to be split over threads, with
 * broadcasting (per channel, per row, scalar) and in place. */
static void case_big_elementwise(int iter)
{
    int64_t c = oc_irand(3, 9), h = oc_irand(90, 110), w = oc_irand(90, 110);
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    int64_t cd[3] = {c, 1, 1}, wd[1] = {w};
    oc_add_random(&m, "pc", cd, 3, -1.0f, 1.0f);
    oc_add_random(&m, "pw", wd, 1, -1.0f, 1.0f);
    oc_add_scalar(&m, "s", 0.5f);
    oc_add_node(&m, iter % 2 ? "Add" : "Sub", "x", "pc", "a");
    oc_add_node(&m, "Mul", "a", "pw", "b");
    oc_add_node(&m, "Div", "b", "s", "d");
    oc_add_node(&m, "Max", "d", "x", "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "big elementwise c%lld %lldx%lld", (long long)c, (long long)h,
                   (long long)w);
}

/* A transformer block as exporters write it (opset 13): decomposed
 * LayerNorm with Pow, MatMul + bias, GELU in its erf form, attention-style
 * MatMul between activations, Softmax. */
static void case_transformer(int iter)
{
    int64_t t = oc_irand(1, 20), c = oc_irand(2, 40), hid = oc_irand(1, 50);
    tb_model m;
    tb_model_init(&m, 13);
    int64_t xd[4] = {1, 1, t, c};
    tb_input(&m, "x", FLOAT, xd, 4);
    tb_buf a = {0};
    int64_t last[1] = {-1};
    tb_attr_ints(&a, "axes", last, 1);
    const char *i1[] = {"x", NULL}, *o1[] = {"mean", NULL};
    tb_node(&m, "ReduceMean", "mean", i1, o1, &a);
    oc_add_node(&m, "Sub", "x", "mean", "d");
    oc_add_scalar(&m, "two", 2.0f);
    oc_add_node(&m, "Pow", "d", "two", "sq");
    const char *i2[] = {"sq", NULL}, *o2[] = {"var", NULL};
    tb_node(&m, "ReduceMean", "var", i2, o2, &a);
    tb_free(&a);
    oc_add_scalar(&m, "eps", 1e-5f);
    oc_add_node(&m, "Add", "var", "eps", "ve");
    oc_add_node(&m, "Sqrt", "ve", NULL, "sd");
    oc_add_node(&m, "Div", "d", "sd", "nrm");
    oc_add_random(&m, "gamma", &c, 1, 0.5f, 1.5f);
    oc_add_random(&m, "beta", &c, 1, -0.5f, 0.5f);
    oc_add_node(&m, "Mul", "nrm", "gamma", "ng");
    oc_add_node(&m, "Add", "ng", "beta", "ln");
    int64_t w1d[2] = {c, hid}, w2d[2] = {hid, c};
    oc_add_random(&m, "w1", w1d, 2, -0.5f, 0.5f);
    oc_add_random(&m, "b1", &hid, 1, -0.5f, 0.5f);
    oc_add_random(&m, "w2", w2d, 2, -0.5f, 0.5f);
    oc_add_node(&m, "MatMul", "ln", "w1", "h0");
    oc_add_node(&m, "Add", "h0", "b1", "h");
    oc_add_scalar(&m, "sqrt2", 1.41421356f);
    oc_add_scalar(&m, "one", 1.0f);
    oc_add_scalar(&m, "half", 0.5f);
    oc_add_node(&m, "Div", "h", "sqrt2", "hs");
    oc_add_node(&m, "Erf", "hs", NULL, "he");
    oc_add_node(&m, "Add", "he", "one", "h1");
    oc_add_node(&m, "Mul", "h", "h1", "hm");
    oc_add_node(&m, "Mul", "hm", "half", "g");
    oc_add_node(&m, "MatMul", "g", "w2", "o");
    oc_add_node(&m, "Add", "o", "x", "r");
    /* attention-like: r · rᵀ, softmax over the last axis */
    tb_buf p = {0};
    int64_t perm[4] = {0, 1, 3, 2};
    tb_attr_ints(&p, "perm", perm, 4);
    const char *i3[] = {"r", NULL}, *o3[] = {"rt", NULL};
    tb_node(&m, "Transpose", "rt", i3, o3, &p);
    tb_free(&p);
    oc_add_node(&m, "MatMul", "r", "rt", "att");
    oc_add_node(&m, "Softmax", "att", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "transformer block t%lld c%lld hidden %lld (%d)", (long long)t,
                   (long long)c, (long long)hid, iter);
    CHECK(oc_has_op(res.ops, res.nodes, "LayerNormalization") &&
              oc_has_op(res.ops, res.nodes, "Dense") && !oc_has_op(res.ops, res.nodes, "Pow") &&
              !oc_has_op(res.ops, res.nodes, "Erf") && !oc_has_op(res.ops, res.nodes, "ReduceMean"),
          "%s: LayerNorm, Dense with GELU expected", res.what);
}

/* TensorFlow-style explicit Pad before a convolution: folded when it pads
 * H and W with zeros, kept otherwise (a non-zero value). */
static void case_pad(int iter)
{
    int64_t c = oc_irand(1, 16), h = oc_irand(2, 12), w = oc_irand(2, 12);
    int64_t p1[4] = {iter % 2, 0, 1, iter % 3};
    tb_model m;
    tb_model_init(&m, 13);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    int64_t pads[8] = {0, 0, oc_irand(0, 2), oc_irand(0, 2), 0, 0, oc_irand(0, 2), oc_irand(0, 2)};
    int64_t eight = 8;
    tb_initializer(&m, "pads", 7, &eight, 1, pads, sizeof pads);
    bool zero = iter % 4 != 3;
    oc_add_scalar(&m, "pv", zero ? 0.0f : 0.5f);
    const char *pi[] = {"x", "pads", "pv", NULL}, *po[] = {"xp", NULL};
    tb_node(&m, "Pad", "xp", pi, po, NULL);
    oc_add_conv(&m, "xp", "y", c, c + 2, 3, 1 + iter % 2, 1, p1, false, true);
    oc_result res;
    oc_check_model(&res, &m, xd, "pad %s then conv c%lld %lldx%lld", zero ? "zeros" : "0.5",
                   (long long)c, (long long)h, (long long)w);
    CHECK(oc_has_op(res.ops, res.nodes, "Pad") == !zero, "%s: Pad %s", res.what,
          zero ? "should be folded" : "must stay");
}

/* A channel Concat of two NHWC feature maps large enough to be split over
 * threads (squeezenet's fire modules). */
static void case_big_concat(int iter)
{
    int64_t c = oc_irand(8, 12), h = oc_irand(80, 90), w = oc_irand(80, 90);
    int64_t p0[4] = {0, 0, 0, 0}, p1[4] = {1, 1, 1, 1};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c + iter, 1, 1, 1, p0, false, true);
    oc_add_conv(&m, "x", "b", c, c + 1, 3, 1, 1, p1, false, true);
    tb_buf at = {0};
    tb_attr_int(&at, "axis", 1);
    const char *ci[] = {"a", "b", NULL}, *co[] = {"y", NULL};
    tb_node(&m, "Concat", "y", ci, co, &at);
    tb_free(&at);
    oc_result res;
    oc_check_model(&res, &m, xd, "big channel concat c%lld %lldx%lld", (long long)c, (long long)h,
                   (long long)w);
}

int main(void)
{
    for (int i = 0; i < 60; i++)
        case_conv_bn_act(i);
    for (int i = 0; i < 12; i++)
        case_residual(i);
    for (int i = 0; i < 12; i++)
        case_stem(i);
    for (int i = 0; i < 12; i++)
        case_layout(i);
    for (int i = 0; i < 12; i++)
        case_reparam(i);
    for (int i = 0; i < 12; i++)
        case_squeeze_excite(i);
    for (int i = 0; i < 12; i++)
        case_pools(i);
    for (int i = 0; i < 8; i++)
        case_cancel(i);
    for (int i = 0; i < 10; i++)
        case_upsampling(i);
    for (int i = 0; i < 12; i++)
        case_input_affine(i);
    for (int i = 0; i < 4; i++)
        case_big_elementwise(i);
    for (int i = 0; i < 10; i++)
        case_transformer(i);
    for (int i = 0; i < 12; i++)
        case_pad(i);
    for (int i = 0; i < 3; i++)
        case_big_concat(i);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
