/* Dense 3x3 stride-1 convolutions on the Winograd path (ConvNhwc picks
 * F(4,3) for maps of at least 9x9 outputs and F(2,3) for 5x5..8x8 ones
 * with enough channels: src/ops/conv_nhwc.c, winograd_tile), checked
 * against the reference path at 1 and 2 threads: odd sizes (partial
 * tiles), pads 0..2 on each side, batches of 1 and 2, fused activations,
 * a residual Add with a Relu after it, and two convolutions writing their
 * channel slices of a Concat (concat in place). */
#include <stdbool.h>
#include <stdio.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"
#include "opt_check.h"

static const char *const acts[] = {"Relu", "HardSwish", "Sigmoid", "Clip", NULL};

/* Conv3x3 -> activation, F(4,3) (big maps) or F(2,3) (small maps). */
static void case_conv_act(int iter, bool small)
{
    int64_t cin = oc_irand(small ? 32 : 8, small ? 45 : 41);
    int64_t cout = oc_irand(small ? 32 : 16, small ? 47 : 43);
    int64_t pads[4];
    for (int i = 0; i < 4; i++)
        pads[i] = small ? 1 : oc_irand(0, 2);
    int64_t h = small ? oc_irand(5, 8) : oc_irand(9, 23), w = small ? oc_irand(5, 8) : oc_irand(9, 21);
    int64_t n = iter % 3 == 2 ? 2 : 1;
    const char *act = acts[iter % 5];
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {n, cin, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", act ? "c" : "y", cin, cout, 3, 1, 1, pads, false, iter % 2 == 0);
    if (act && act[1] == 'l') { /* Clip */
        oc_add_scalar(&m, "lo", -1.0f);
        oc_add_scalar(&m, "hi", 6.0f);
        const char *in[] = {"c", "lo", "hi", NULL}, *out[] = {"y", NULL};
        tb_node(&m, "Clip", "clip", in, out, NULL);
    } else if (act) {
        oc_add_node(&m, act, "c", NULL, "y");
    }
    oc_result res;
    oc_check_model(&res, &m, xd,
                   "winograd %s %lldx%lldx%lldx%lld -> %lld pads %lld %lld %lld %lld %s",
                   small ? "F(2,3)" : "F(4,3)", (long long)n, (long long)cin, (long long)h,
                   (long long)w, (long long)cout, (long long)pads[0], (long long)pads[1],
                   (long long)pads[2], (long long)pads[3], act ? act : "none");
    CHECK(oc_has_op(res.ops, res.nodes, "ConvNhwc"), "%s: no ConvNhwc", res.what);
}

/* x -> Conv3x3 -> Relu -> Conv3x3 (+x) -> Relu: a ResNet basic block. */
static void case_residual(int iter, bool small)
{
    int64_t c = oc_irand(small ? 32 : 16, 40);
    int64_t h = small ? oc_irand(5, 8) : oc_irand(9, 19), w = small ? oc_irand(5, 8) : oc_irand(9, 19);
    int64_t p1[4] = {1, 1, 1, 1};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c, 3, 1, 1, p1, false, true);
    oc_add_node(&m, "Relu", "a", NULL, "ar");
    oc_add_conv(&m, "ar", "b", c, c, 3, 1, 1, p1, false, iter % 2 == 0);
    oc_add_node(&m, "Add", iter % 2 ? "x" : "b", iter % 2 ? "b" : "x", "s");
    oc_add_node(&m, "Relu", "s", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "winograd residual block c%lld %lldx%lld", (long long)c,
                   (long long)h, (long long)w);
    CHECK(!oc_has_op(res.ops, res.nodes, "Add") && !oc_has_op(res.ops, res.nodes, "Relu"),
          "%s: Add and Relu should be fused", res.what);
}

/* SqueezeNet's fire module: a 1x1 and a 3x3 expand concatenated on
 * channels, each writing its slice of the Concat's output. */
static void case_concat(int iter)
{
    int64_t c = oc_irand(8, 24), e1 = oc_irand(8, 40), e3 = oc_irand(16, 40);
    int64_t h = oc_irand(9, 20), w = oc_irand(9, 20);
    int64_t p1[4] = {1, 1, 1, 1}, p0[4] = {0, 0, 0, 0};
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "e1", c, e1, 1, 1, 1, p0, false, true);
    oc_add_node(&m, "Relu", "e1", NULL, "r1");
    oc_add_conv(&m, "x", "e3", c, e3, 3, 1, 1, p1, false, true);
    oc_add_node(&m, "Relu", "e3", NULL, "r3");
    tb_buf attrs = {0};
    tb_attr_int(&attrs, "axis", 1);
    const char *in[] = {iter % 2 ? "r3" : "r1", iter % 2 ? "r1" : "r3", NULL}, *out[] = {"y", NULL};
    tb_node(&m, "Concat", "cat", in, out, &attrs);
    tb_free(&attrs);
    oc_result res;
    oc_check_model(&res, &m, xd, "winograd fire c%lld -> %lld + %lld %lldx%lld", (long long)c,
                   (long long)e1, (long long)e3, (long long)h, (long long)w);

}

int main(void)
{
    for (int i = 0; i < 20; i++)
        case_conv_act(i, false);
    for (int i = 0; i < 10; i++)
        case_conv_act(i, true);
    for (int i = 0; i < 6; i++)
        case_residual(i, i % 2 == 1);
    for (int i = 0; i < 6; i++)
        case_concat(i);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
