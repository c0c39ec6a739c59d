/* The GELU pass (src/opt/fuse_gelu.c) against the reference path, 1 and 2
 * threads: a convolution followed by GELU in each exported erf form (the
 * argument as v / sqrt 2 or v * 1/sqrt 2; the half applied last, to v
 * first, or to the gate), then a 1x1 unpadded convolution (which would
 * otherwise take the final half into its weights). The Erf must be gone
 * (fused into the first convolution). Not a GELU, and left as it is:
 * v * (erf(v / sqrt 2) + 1) without the half, and erf(v / 2). */
#include <stdio.h>

#include "check.h"
#include "opt_check.h"

enum { HALF_LAST, HALF_FIRST, HALF_ON_GATE, NO_HALF, WRONG_SCALE, FORMS };

static const char *const form_names[FORMS] = {"half last", "half first", "half on gate",
                                              "no half", "erf(v/2)"};

static void case_gelu(int iter, int form)
{
    const int64_t c = oc_irand(1, 24), m = oc_irand(1, 40), h = oc_irand(3, 12),
                  w = oc_irand(3, 12);
    const bool mul_form = iter % 2 == 1;
    tb_model md;
    tb_model_init(&md, 13);
    int64_t xd[4] = {1, c, h, w};
    tb_input(&md, "x", FLOAT, xd, 4);
    int64_t p1[4] = {1, 1, 1, 1}, p0[4] = {0, 0, 0, 0};
    oc_add_conv(&md, "x", "v", c, m, 3, 1, 1, p1, false, true);
    const float scale = form == WRONG_SCALE ? 2.0f : 1.41421356f;
    oc_add_scalar(&md, "k", mul_form ? 1.0f / scale : scale);
    oc_add_scalar(&md, "one", 1.0f);
    oc_add_scalar(&md, "half", 0.5f);
    oc_add_node(&md, mul_form ? "Mul" : "Div", "v", "k", "u");
    oc_add_node(&md, "Erf", "u", NULL, "e");
    oc_add_node(&md, "Add", iter % 3 ? "e" : "one", iter % 3 ? "one" : "e", "g");
    if (form == HALF_LAST || form == WRONG_SCALE) {
        oc_add_node(&md, "Mul", "v", "g", "vg");
        oc_add_node(&md, "Mul", "vg", "half", "gelu");
    } else if (form == HALF_FIRST) {
        oc_add_node(&md, "Mul", "half", "v", "hv");
        oc_add_node(&md, "Mul", "hv", "g", "gelu");
    } else if (form == HALF_ON_GATE) {
        oc_add_node(&md, "Mul", "g", "half", "gh");
        oc_add_node(&md, "Mul", "v", "gh", "gelu");
    } else {
        oc_add_node(&md, "Mul", "g", "v", "gelu");
    }
    oc_add_conv(&md, "gelu", "y", m, oc_irand(1, 30), 1, 1, 1, p0, false, true);
    oc_result r;
    oc_check_model(&r, &md, xd, "gelu %s, %s form, conv %lld -> %lld, %lldx%lld",
                   form_names[form], mul_form ? "Mul" : "Div", (long long)c, (long long)m,
                   (long long)h, (long long)w);
    const bool gelu = form != NO_HALF && form != WRONG_SCALE;
    CHECK(oc_has_op(r.ops, r.nodes, "Erf") != gelu && !oc_has_op(r.ops, r.nodes, "Gelu"),
          "%s: expected %s", r.what, gelu ? "GELU fused into the convolution" : "the Erf kept");
}

int main(void)
{
    for (int form = 0; form < FORMS; form++)
        for (int i = 0; i < 8; i++)
            case_gelu(i, form);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
