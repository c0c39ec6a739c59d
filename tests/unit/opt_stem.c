/* The stem convolution pass (src/opt/stem_nchw_input.c) against the
 * reference path (1 and 2 threads, tests/support/opt_check.h): random
 * first convolutions on 1 to 4 input channels (kernels 1, 3, 5, 7, strides
 * 1 and 2, dilation 1 and 2, random pads, output channels around the
 * vector widths, with or without bias, batch 1 and 2, images small and
 * large enough to be split over threads), followed by BatchNormalization
 * and nothing, Relu, Clip (Relu6), HardSwish or SiLU, then a second
 * convolution that keeps the tensor channels-last. Checks that the
 * image's Transpose is gone and ConvStemNhwc took the convolution; and
 * that it stays when the Transpose has a second reader, or the image has
 * more than 4 channels. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "opt_check.h"

enum { STEM_ALONE, STEM_SHARED_INPUT, STEM_WIDE_INPUT, STEM_MODES };

static size_t count_op(char ops[][32], size_t n, const char *op)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += strcmp(ops[i], op) == 0;
    return k;
}

static void case_stem(int iter, int mode)
{
    static const int64_t ks[] = {1, 3, 5, 7}, ms[] = {8, 13, 16, 24, 32, 40};
    const bool big = iter % 4 == 0;
    const int64_t n = iter % 5 == 2 ? 2 : 1;
    const int64_t c = mode == STEM_WIDE_INPUT ? 5 : oc_irand(1, 4);
    const int64_t k = ks[oc_irand(0, 3)], m = ms[oc_irand(0, 5)];
    const int64_t stride = oc_irand(1, 2), dil = iter % 6 == 5 ? 2 : 1;
    const int64_t h = big ? oc_irand(60, 90) : oc_irand(k * dil, k * dil + 12);
    const int64_t w = big ? oc_irand(60, 90) : oc_irand(k * dil, k * dil + 12);
    int64_t pads[4];
    oc_random_pads(k, pads);
    tb_model m_;
    tb_model *md = &m_;
    tb_model_init(md, 13);
    int64_t xd[4] = {n, c, h, w};
    tb_input(md, "x", FLOAT, xd, 4);
    oc_add_conv(md, "x", "s", c, m, k, stride, dil, pads, false, iter % 3 != 1);
    oc_add_bn(md, "s", "sb", m);
    const int act = iter % 5;
    const char *stem_out = act == 0 ? "sb" : "sa";
    if (act == 1) {
        oc_add_node(md, "Relu", "sb", NULL, "sa");
    } else if (act == 2) {
        oc_add_scalar(md, "lo", 0.0f);
        oc_add_scalar(md, "hi", 6.0f);
        const char *ins[] = {"sb", "lo", "hi", NULL}, *outs[] = {"sa", NULL};
        tb_node(md, "Clip", "clip", ins, outs, NULL);
    } else if (act == 3) {
        oc_add_node(md, "HardSwish", "sb", NULL, "sa");
    } else if (act == 4) {
        oc_add_node(md, "Sigmoid", "sb", NULL, "sg");
        oc_add_node(md, "Mul", "sb", "sg", "sa");
    }
    int64_t p1[4] = {1, 1, 1, 1};
    oc_add_conv(md, stem_out, mode == STEM_SHARED_INPUT ? "t" : "y", m, m, 3, 1, 1, p1, true,
                true);
    if (mode == STEM_SHARED_INPUT) {
        /* A second convolution of the image: both read its NHWC Transpose. */
        int64_t p0[4] = {0, 0, 0, 0};
        oc_add_conv(md, "x", "u", c, m, 1, 1, 1, p0, false, true);
        oc_add_conv(md, "u", "u2", m, m, 3, 1, 1, p1, true, true);
        /* u2 and t differ in size unless the stem keeps it: pool both. */
        oc_add_node(md, "GlobalAveragePool", "t", NULL, "tp");
        oc_add_node(md, "GlobalAveragePool", "u2", NULL, "up");
        oc_add_node(md, "Add", "tp", "up", "y");
    }
    oc_result r;
    oc_check_model(&r, md, xd, "stem mode %d n%lld c%lld m%lld %lldx%lld k%lld s%lld d%lld act %d",
                   mode, (long long)n, (long long)c, (long long)m, (long long)h, (long long)w,
                   (long long)k, (long long)stride, (long long)dil, act);
    const bool stem = mode == STEM_ALONE;
    CHECK(oc_has_op(r.ops, r.nodes, "ConvStemNhwc") == stem, "%s: expected %s", r.what,
          stem ? "ConvStemNhwc" : "no ConvStemNhwc");
    /* The image's Transpose goes with it; the output's (NHWC -> NCHW) stays
     * (a Reshape when it moves no data). */
    const size_t transposes = count_op(r.ops, r.nodes, "Transpose");
    if (stem)
        CHECK(transposes <= 1 && r.nodes <= 4, "%s: %zu Transposes in %zu nodes", r.what,
              transposes, r.nodes);
    else /* one channel: the conversion is a free Reshape */
        CHECK(transposes + (c == 1 ? count_op(r.ops, r.nodes, "Reshape") : 0) >= 1,
              "%s: the image's Transpose is gone", r.what);
}

int main(void)
{
    for (int mode = 0; mode < STEM_MODES; mode++)
        for (int i = 0; i < (mode == STEM_ALONE ? 40 : 8); i++)
            case_stem(i, mode);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
