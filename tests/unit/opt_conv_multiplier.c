/* Depthwise convolutions with a channel multiplier (group == C, M = r * C:
 * FastViT's downsampling convolutions) on the channels-last path: ConvNhwc
 * repeats X's channels into its scratch and runs the depthwise kernel on
 * M channels. Random kernels 1-7, strides 1-2, dilations 1-2, pads, r 2-4,
 * channel counts around the vector widths, batch 1 and 2, with and without
 * bias, then nothing, Relu or SiLU, against the reference path at 1 and 2
 * threads (tests/support/opt_check.h); the NCHW Conv must be gone. */
#include <stdio.h>

#include "check.h"
#include "opt_check.h"

static void case_multiplier(int iter)
{
    static const int64_t ks[] = {1, 3, 5, 7};
    const int64_t c = oc_irand(1, 40), r = oc_irand(2, 4), m = c * r;
    const int64_t k = ks[oc_irand(0, 3)], stride = oc_irand(1, 2), dil = iter % 5 == 4 ? 2 : 1;
    const int64_t n = iter % 4 == 3 ? 2 : 1;
    const int64_t h = oc_irand((int)((k - 1) * dil + 1), 30), w = oc_irand((int)((k - 1) * dil + 1), 30);
    tb_model md;
    tb_model_init(&md, 13);
    int64_t xd[4] = {n, c, h, w};
    tb_input(&md, "x", FLOAT, xd, 4);
    const int64_t wd[4] = {m, 1, k, k};
    oc_add_random(&md, "w", wd, 4, -1.0f, 1.0f);
    const bool bias = iter % 3 != 0;
    if (bias)
        oc_add_random(&md, "b", &m, 1, -1.0f, 1.0f);
    int64_t pads[4];
    oc_random_pads(k, pads);
    const int64_t kernel[2] = {k, k}, strides[2] = {stride, stride}, dils[2] = {dil, dil};
    tb_buf a = {0};
    tb_attr_int(&a, "group", c);
    tb_attr_ints(&a, "kernel_shape", kernel, 2);
    tb_attr_ints(&a, "strides", strides, 2);
    tb_attr_ints(&a, "dilations", dils, 2);
    tb_attr_ints(&a, "pads", pads, 4);
    const char *ins[] = {"x", "w", bias ? "b" : NULL, NULL}, *outs[] = {"conv", NULL};
    tb_node(&md, "Conv", "conv", ins, outs, &a);
    tb_free(&a);
    const int act = iter % 3;
    if (act == 0) {
        oc_add_node(&md, "Relu", "conv", NULL, "y");
    } else if (act == 1) {
        oc_add_node(&md, "Sigmoid", "conv", NULL, "sg");
        oc_add_node(&md, "Mul", "conv", "sg", "y");
    } else {
        oc_add_node(&md, "Identity", "conv", NULL, "y");
    }
    oc_result res;
    oc_check_model(&res, &md, xd, "multiplier n%lld c%lld r%lld %lldx%lld k%lld s%lld d%lld act %d",
                   (long long)n, (long long)c, (long long)r, (long long)h, (long long)w,
                   (long long)k, (long long)stride, (long long)dil, act);
    CHECK(oc_has_op(res.ops, res.nodes, "ConvNhwc") && !oc_has_op(res.ops, res.nodes, "Conv"),
          "%s: expected the channels-last depthwise path", res.what);
}

int main(void)
{
    for (int i = 0; i < 40; i++)
        case_multiplier(i);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
