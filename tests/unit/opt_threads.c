/* The operators the thread pool splits outside ConvNhwc, at sizes large
 * enough to be split (and near the thresholds where they stop being), at 1
 * and 2 threads against the reference path: elementwise binary operators
 * whose operands collapse to one row (same shape, scalar), unary
 * activations, Resize (channels-last bilinear, and every mode on NCHW),
 * ConvTransposeNhwc, the pools, GlobalAveragePool into a Dense of one row,
 * Softmax. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"
#include "opt_check.h"

static const int64_t no_pads[4] = {0, 0, 0, 0};

/* Binary operators on one row (same-shape or scalar operand), which split
 * by elements rather than rows, around the size where they start to fork. */
static void case_binary(int iter)
{
    static const int64_t sizes[] = {60, 90, 128, 181, 256};
    int64_t c = oc_irand(1, 5), h = sizes[iter % 5], w = oc_irand(h / 2, h);
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_random(&m, "same", xd, 4, -1.0f, 1.0f);
    int64_t cd[3] = {c, 1, 1};
    oc_add_random(&m, "pc", cd, 3, -1.0f, 1.0f);
    oc_add_scalar(&m, "s", 1.5f);
    oc_add_node(&m, iter % 2 ? "Mul" : "Add", "x", "s", "a");
    oc_add_node(&m, "Sub", "same", "a", "b");
    oc_add_node(&m, "Mul", "b", "pc", "d");
    oc_add_node(&m, "Div", "d", "s", "e");
    oc_add_node(&m, "Add", "e", "x", "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "binary on one row c%lld %lldx%lld", (long long)c, (long long)h,
                   (long long)w);
}

/* Activations that stay separate nodes (on the graph input, so nothing
 * fuses them), cheap and transcendental. */
static void case_unary(int iter)
{
    static const char *const acts[] = {"Sigmoid", "Relu", "Tanh", "Exp", "HardSwish", "Erf"};
    const char *act = acts[iter % 6];
    int64_t c = oc_irand(1, 4), h = oc_irand(20, 200), w = oc_irand(20, 200);
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_node(&m, act, "x", NULL, "a");
    oc_add_scalar(&m, "half", 0.5f);
    oc_add_node(&m, "Mul", "a", "half", "b");
    oc_add_node(&m, "Sigmoid", "b", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "%s c%lld %lldx%lld", act, (long long)c, (long long)h,
                   (long long)w);
}

/* conv -> Resize 2x (nearest or bilinear, channels-last) -> ConvTranspose
 * with stride = kernel (ConvTransposeNhwc), Co = 1 as in detection heads
 * or wider. */
static void case_upsampling(int iter)
{
    int64_t c = oc_irand(4, 32), co = iter % 3 ? 1 : oc_irand(2, 24);
    int64_t h = oc_irand(10, 48), w = oc_irand(10, 48), k = iter % 2 ? 2 : 3;
    tb_model m;
    tb_model_init(&m, 13);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c, 1, 1, 1, no_pads, false, true);
    float scales[4] = {1.0f, 1.0f, 2.0f, 2.0f};
    int64_t four = 4, zero = 0;
    tb_initializer(&m, "scales", FLOAT, &four, 1, scales, sizeof scales);
    tb_initializer(&m, "roi", FLOAT, &zero, 1, NULL, 0);
    const char *ri[] = {"a", "roi", "scales", NULL}, *ro[] = {"up", NULL};
    tb_buf ra = {0};
    bool linear = iter % 4 >= 2;
    if (linear) {
        tb_attr_string(&ra, "mode", "linear");
        tb_attr_string(&ra, "coordinate_transformation_mode", "half_pixel");
    }
    tb_node(&m, "Resize", "up", ri, ro, linear ? &ra : NULL);
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
    oc_add_node(&m, "Sigmoid", "t", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "upsampling (%s) c%lld co%lld k%lld %lldx%lld",
                   linear ? "linear" : "nearest", (long long)c, (long long)co, (long long)k,
                   (long long)h, (long long)w);
    CHECK(oc_has_op(res.ops, res.nodes, "ConvTransposeNhwc"), "%s: expected ConvTransposeNhwc",
          res.what);
}

/* Resize on the NCHW graph input (the general kernels, split along the
 * first output axis longer than 1: channels, or rows when C = 1), nearest,
 * linear and cubic, up and down. */
static void case_resize_nchw(int iter)
{
    static const char *const modes[] = {"nearest", "linear", "cubic"};
    const char *mode = modes[iter % 3];
    int64_t c = iter % 2 ? 1 : oc_irand(2, 6), h = oc_irand(20, 90), w = oc_irand(20, 90);
    tb_model m;
    tb_model_init(&m, 13);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    float scales[4] = {1.0f, 1.0f, iter % 4 < 2 ? 2.0f : 0.5f, iter % 4 < 2 ? 1.5f : 0.75f};
    int64_t four = 4, zero = 0;
    tb_initializer(&m, "scales", FLOAT, &four, 1, scales, sizeof scales);
    tb_initializer(&m, "roi", FLOAT, &zero, 1, NULL, 0);
    const char *ri[] = {"x", "roi", "scales", NULL}, *ro[] = {"y", NULL};
    tb_buf ra = {0};
    tb_attr_string(&ra, "mode", mode);
    tb_node(&m, "Resize", "up", ri, ro, &ra);
    tb_free(&ra);
    oc_result res;
    oc_check_model(&res, &m, xd, "resize (%s) x%.2fx%.2f c%lld %lldx%lld", mode, scales[2],
                   scales[3], (long long)c, (long long)h, (long long)w);
}

/* conv -> MaxPool or AveragePool (channels-last) -> conv -> GlobalAveragePool
 * -> Flatten -> MatMul with many columns: a Dense of one row. */
static void case_pool_head(int iter)
{
    int64_t c = oc_irand(8, 48), h = oc_irand(16, 64), w = oc_irand(16, 64);
    int64_t n_out = oc_irand(100, 1100);
    tb_model m;
    tb_model_init(&m, 13);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "a", c, c, 1, 1, 1, no_pads, false, true);
    tb_buf pa = {0};
    int64_t ks[2] = {3, 3}, st[2] = {2, 2}, pads[4] = {1, 1, 1, 1};
    tb_attr_ints(&pa, "kernel_shape", ks, 2);
    tb_attr_ints(&pa, "strides", st, 2);
    tb_attr_ints(&pa, "pads", pads, 4);
    const char *pi[] = {"a", NULL}, *po[] = {"p", NULL};
    tb_node(&m, iter % 2 ? "MaxPool" : "AveragePool", "p", pi, po, &pa);
    tb_free(&pa);
    int64_t c2 = oc_irand(64, 400);
    oc_add_conv(&m, "p", "b", c, c2, 1, 1, 1, no_pads, false, true);
    oc_add_node(&m, "GlobalAveragePool", "b", NULL, "g");
    oc_add_node(&m, "Flatten", "g", NULL, "f");
    int64_t wd[2] = {c2, n_out};
    oc_add_random(&m, "fw", wd, 2, -0.1f, 0.1f);
    oc_add_node(&m, "MatMul", "f", "fw", "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "%s c%lld %lldx%lld, GAP c%lld, dense %lld",
                   iter % 2 ? "MaxPool" : "AveragePool", (long long)c, (long long)h, (long long)w,
                   (long long)c2, (long long)n_out);
}

/* Softmax over the last axis, many rows or a few long ones. */
static void case_softmax(int iter)
{
    int64_t c = oc_irand(1, 8), h = oc_irand(1, 64), w = iter % 2 ? oc_irand(2, 40)
                                                                : oc_irand(500, 3000);
    tb_model m;
    tb_model_init(&m, 13);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_node(&m, "Softmax", "x", NULL, "y");
    oc_result res;
    oc_check_model(&res, &m, xd, "softmax c%lld %lldx%lld", (long long)c, (long long)h,
                   (long long)w);
}

int main(void)
{
    for (int i = 0; i < 10; i++)
        case_binary(i);
    for (int i = 0; i < 12; i++)
        case_unary(i);
    for (int i = 0; i < 12; i++)
        case_upsampling(i);
    for (int i = 0; i < 12; i++)
        case_resize_nchw(i);
    for (int i = 0; i < 8; i++)
        case_pool_head(i);
    for (int i = 0; i < 8; i++)
        case_softmax(i);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
