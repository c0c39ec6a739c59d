/* The squeeze-and-excitation fast path against the reference path (1 and 2
 * threads, tests/support/opt_check.h): random SE blocks (odd channel
 * counts, reduced widths, ReLU or SiLU inside, sigmoid or hard-sigmoid
 * gates, batch 1 and 2, sizes on both sides of the thread splits of the
 * passes over X, of the FCs and of the weight scaling), alone or
 * followed by a pointwise projection, with or without bias, an activation,
 * a residual Add; and a projection that is not the only reader of the SE
 * output (a Concat reads it too). Checks that the block becomes SqueezeExcite, and
 * SqueezeExciteProject exactly when the projection may be folded in. */
#include <stdio.h>

#include "check.h"
#include "opt_check.h"

enum { SE_ALONE, SE_PROJECT, SE_PROJECT_RESIDUAL, SE_TWO_READERS, SE_MODES };

/* wide: {n, c, r, h, w, m} instead of random sizes, or NULL. */
static void case_se(int iter, int mode, const int64_t *wide)
{
    const bool big = iter % 3 == 0;
    int64_t n = iter % 4 == 1 ? 2 : 1;
    int64_t c = oc_irand(1, 35) * 2 - 1, r = oc_irand(1, 12);
    int64_t h = big ? oc_irand(30, 60) : oc_irand(1, 14);
    int64_t w = big ? oc_irand(30, 60) : oc_irand(1, 14);
    int64_t m = iter % 5 == 4 ? oc_irand(40, 90) : oc_irand(1, 40);
    if (wide) {
        n = wide[0], c = wide[1], r = wide[2], h = wide[3], w = wide[4], m = wide[5];
        iter &= ~1; /* a depthwise first convolution: the reference is slow otherwise */
    }
    int64_t p1[4] = {1, 1, 1, 1}, p0[4] = {0, 0, 0, 0};
    tb_model m_;
    tb_model *md = &m_;
    tb_model_init(md, 17);
    int64_t xd[4] = {n, c, h, w};
    tb_input(md, "x", FLOAT, xd, 4);
    oc_add_conv(md, "x", "a", c, c, 3, 1, 1, p1, iter % 2 == 0, true);
    oc_add_node(md, "GlobalAveragePool", "a", NULL, "g");
    oc_add_conv(md, "g", "s1", c, r, 1, 1, 1, p0, false, iter % 3 != 1);
    if (iter % 2) {
        oc_add_node(md, "Relu", "s1", NULL, "s1a");
    } else { /* SiLU as exporters write it */
        oc_add_node(md, "Sigmoid", "s1", NULL, "s1s");
        oc_add_node(md, "Mul", "s1", "s1s", "s1a");
    }
    oc_add_conv(md, "s1a", "s2", r, c, 1, 1, 1, p0, false, iter % 4 != 2);
    oc_add_node(md, iter % 3 ? "Sigmoid" : "HardSigmoid", "s2", NULL, "gate");
    const char *se_out = mode == SE_ALONE ? "y" : "se";
    oc_add_node(md, "Mul", iter % 2 ? "a" : "gate", iter % 2 ? "gate" : "a", se_out);
    const bool proj_act = iter % 3 == 2;
    if (mode != SE_ALONE) {
        const char *pout = mode == SE_PROJECT && !proj_act ? "y" : "p";
        oc_add_conv(md, "se", pout, c, m, 1, 1, 1, p0, false, iter % 2 == 1);
        const char *last = pout;
        if (mode == SE_PROJECT_RESIDUAL) {
            oc_add_conv(md, "x", "res", c, m, 1, 1, 1, p0, false, true);
            last = proj_act ? "sum" : "y";
            oc_add_node(md, "Add", iter % 2 ? "p" : "res", iter % 2 ? "res" : "p", last);
        } else if (mode == SE_TWO_READERS) {
            /* Not a second projection: summed 1x1 branches of one input
             * merge into one convolution (src/opt/reparameterize.c). */
            last = proj_act ? "cat" : "y";
            tb_buf a = {0};
            tb_attr_int(&a, "axis", 1);
            const char *ins[] = {"p", "se", NULL}, *outs[] = {last, NULL};
            tb_node(md, "Concat", last, ins, outs, &a);
            tb_free(&a);
        }
        if (proj_act) /* Relu: a clamp in the GEMM; HardSwish: the tile pass */
            oc_add_node(md, iter % 2 ? "Relu" : "HardSwish", last, NULL, "y");
    }
    tb_output(md, "y", FLOAT, NULL, 0);
    char what[128];
    snprintf(what, sizeof what, "se mode %d n%lld c%lld r%lld m%lld %lldx%lld", mode, (long long)n,
             (long long)c, (long long)r, (long long)m, (long long)h, (long long)w);
    size_t nodes = 0;
    char ops[64][32];
    oc_compare(what, md, xd, &nodes, ops);
    /* The rule of src/opt/fuse_squeeze_excite.c (PROJECT_RATIO 1). */
    const bool fused = (mode == SE_PROJECT || mode == SE_PROJECT_RESIDUAL) && m <= h * w;
    CHECK(!oc_has_op(ops, nodes, "GlobalAveragePoolNhwc") && !oc_has_op(ops, nodes, "Mul") &&
              oc_has_op(ops, nodes, "SqueezeExciteProject") == fused &&
              oc_has_op(ops, nodes, "SqueezeExcite") == !fused,
          "%s: expected %s", what, fused ? "SqueezeExciteProject" : "SqueezeExcite");
}

int main(void)
{
    for (int mode = 0; mode < SE_MODES; mode++)
        for (int i = 0; i < 15; i++)
            case_se(i, mode, NULL);
    /* FCs and weight copies large enough to be split over threads. */
    const int64_t wide[][6] = {{1, 401, 221, 12, 12, 100}, {2, 401, 100, 13, 11, 120}};
    for (int mode = 0; mode < SE_MODES; mode++)
        for (int i = 0; i < 2; i++)
            case_se(mode * 2 + i, mode, wide[i]);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
