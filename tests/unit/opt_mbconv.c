/* The inverted-residual fusion (src/opt/fuse_mbconv.c, src/ops/mbconv_nhwc.c)
 * against the reference path on seeded random blocks built from ONNX Conv +
 * BatchNormalization + activation nodes: expand + depthwise + project (with
 * and without the residual Add), expand + depthwise feeding a squeeze-excite
 * (the block stops at the depthwise output), depthwise + project without an
 * expand; odd channel counts, k 3/5/7, strides 1 and 2, dilation, random
 * pads, Relu / Clip(0, 6) / HardSwish / SiLU, batch 1 and 2, 1 and 2 threads
 * (oc_compare). Each case also checks that MBConvNhwc is in the optimized
 * graph exactly when the block is large enough for the pass to fuse it.
 * Padded cases are shaped for the op's padded-pixel path (stride 2, cexp
 * 64 / 96 / 128, mostly Relu / Clip: the ring and row buffer hold cexp + 16
 * floats per pixel). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "mobinfer.h"
#include "model_builder.h"
#include "opt_check.h"

/* The pass's FUSE_MIN_BYTES: the intermediate kept out of memory, per image. */
#define FUSE_MIN_BYTES ((int64_t)512 << 10)

typedef enum block_kind { FULL, EXPAND_DW_SE, DW_PROJECT } block_kind;

static const char *const acts[] = {"Relu", "Clip", "HardSwish", "SiLU"};

/* y = act(x), as the exporters write it. */
static void add_act(tb_model *m, const char *act, const char *x, const char *y)
{
    char a[64], b[64];
    if (strcmp(act, "Clip") == 0) {
        snprintf(a, sizeof a, "%s_lo", y);
        snprintf(b, sizeof b, "%s_hi", y);
        oc_add_scalar(m, a, 0.0f);
        oc_add_scalar(m, b, 6.0f);
        const char *ins[] = {x, a, b, NULL};
        const char *outs[] = {y, NULL};
        tb_node(m, "Clip", y, ins, outs, NULL);
    } else if (strcmp(act, "SiLU") == 0) {
        snprintf(a, sizeof a, "%s_sig", y);
        oc_add_node(m, "Sigmoid", x, NULL, a);
        oc_add_node(m, "Mul", x, a, y);
    } else {
        oc_add_node(m, act, x, NULL, y);
    }
}

/* Conv -> BatchNormalization (-> activation when act) named after y. */
static void add_conv_bn(tb_model *m, const char *x, const char *y, int64_t cin, int64_t cout,
                        int64_t k, int64_t stride, int64_t dil, const int64_t pads[4],
                        bool depthwise, const char *act)
{
    char c[64], bn[64];
    snprintf(c, sizeof c, "%s_conv", y);
    snprintf(bn, sizeof bn, "%s_bn", y);
    oc_add_conv(m, x, c, cin, cout, k, stride, dil, pads, depthwise, oc_irand(0, 3) != 0);
    oc_add_bn(m, c, act ? bn : y, cout);
    if (act)
        add_act(m, act, bn, y);
}

static int64_t out_size(int64_t in, int64_t pa, int64_t pb, int64_t k, int64_t dil, int64_t s)
{
    return (in + pa + pb - dil * (k - 1) - 1) / s + 1;
}

/* One block; large: sized so the pass fuses it; padded: shaped for the padded-pixel path. */
static void case_block(int iter, block_kind kind, bool large, bool padded)
{
    static const int64_t ks[] = {3, 5, 7};
    const char *act_e = acts[oc_irand(0, 3)], *act_d = acts[oc_irand(0, 3)];
    int64_t k = ks[oc_irand(0, 2)], stride = oc_irand(1, 2), dil = oc_irand(0, 4) == 0 ? 2 : 1;
    int64_t batch = oc_irand(1, 2);
    int64_t cin = oc_irand(3, 29) | 1, cexp = cin * oc_irand(3, 6) + oc_irand(0, 5);
    int64_t cout = oc_irand(5, 41);
    if (kind == DW_PROJECT)
        cexp = cin = oc_irand(9, 45) | 1;
    if (padded && iter % 3 != 2) {
        /* Clamps: no tile pass over the rows (else the op does not pad). */
        act_e = acts[oc_irand(0, 1)];
        act_d = acts[oc_irand(0, 1)];
    }
    if (padded) {
        k = ks[oc_irand(0, 1)];
        stride = 2;
        dil = 1;
        cexp = 32 * oc_irand(2, 4);
        cin = cin < 8 ? cin + 8 : cin; /* 1-4 channels: a stem convolution */
    }
    bool residual = kind == FULL && iter % 2 == 0 && !padded;
    if (residual) {
        stride = 1;
        cout = cin;
    }
    int64_t h, w;
    if (large) {
        /* At least twice the threshold in the fused intermediate. */
        int64_t px = 2 * FUSE_MIN_BYTES / 4 / cexp + 1;
        if (kind == DW_PROJECT)
            px *= stride * stride;
        if (iter % 3 == 1) {
            /* Tall and narrow: several output rows per step of the op. */
            w = oc_irand(14, 30);
            h = px / w + oc_irand(1, 9);
        } else {
            /* Mostly tall enough for the pass's band-overlap rule, now and
             * then not (large, yet left unfused). */
            int64_t lo = iter % 4 == 2 ? 24 : 8 * (dil * (k - 1) + 1 - stride);
            h = oc_irand(lo > 24 ? (int)lo : 24, (lo > 24 ? (int)lo : 24) + 24);
            w = px / h + oc_irand(1, 9);
        }
    } else {
        /* Still wider than a dilated 7x7 window. */
        h = oc_irand(13, 19);
        w = oc_irand(13, 23);
    }
    int64_t pads[4];
    if (residual) {
        pads[0] = pads[2] = pads[1] = pads[3] = dil * (k - 1) / 2;
    } else {
        oc_random_pads(k, pads);
        for (int i = 0; i < 4; i++)
            pads[i] *= dil;
    }
    tb_model m;
    tb_model_init(&m, 17);
    int64_t xd[4] = {batch, cin, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    int64_t p0[4] = {0, 0, 0, 0};
    const char *dw_in = "x";
    if (kind != DW_PROJECT) {
        add_conv_bn(&m, "x", "e", cin, cexp, 1, 1, 1, p0, false, act_e);
        dw_in = "e";
    }
    add_conv_bn(&m, dw_in, "d", cexp, cexp, k, stride, dil, pads, true, act_d);
    const char *proj_in = "d";
    if (kind == EXPAND_DW_SE) {
        /* mean -> 1x1 -> Relu -> 1x1 -> HardSigmoid -> Mul: SqueezeExcite reads d. */
        int64_t r = cexp / 4 > 0 ? cexp / 4 : 1;
        oc_add_node(&m, "GlobalAveragePool", "d", NULL, "g");
        add_conv_bn(&m, "g", "s1", cexp, r, 1, 1, 1, p0, false, "Relu");
        oc_add_conv(&m, "s1", "s2", r, cexp, 1, 1, 1, p0, false, true);
        oc_add_node(&m, "HardSigmoid", "s2", NULL, "gate");
        oc_add_node(&m, "Mul", "d", "gate", "ds");
        proj_in = "ds";
    }
    add_conv_bn(&m, proj_in, residual ? "p" : "y", cexp, cout, 1, 1, 1, p0, false, NULL);
    if (residual)
        oc_add_node(&m, "Add", "p", "x", "y");
    tb_output(&m, "y", FLOAT, NULL, 0);

    int64_t oh = out_size(h, pads[0], pads[2], k, dil, stride);
    int64_t ow = out_size(w, pads[1], pads[3], k, dil, stride);
    int64_t kept = kind == DW_PROJECT ? 0 : h * w * cexp * 4;
    if (kind != EXPAND_DW_SE && oh * ow * cexp * 4 > kept)
        kept = oh * ow * cexp * 4;
    /* The pass's other rule: with an expand stage, the expanded rows two
     * bands of output rows share stay under an eighth of the map's rows. */
    int64_t overlap = dil * (k - 1) + 1 - stride;
    bool expect = kept >= FUSE_MIN_BYTES && (kind == DW_PROJECT || h >= 8 * overlap);
    static const char *const kinds[] = {"expand+dw+project", "expand+dw+SE", "dw+project"};
    char what[200];
    snprintf(what, sizeof what,
             "%s%s n%lld %lldx%lld cin %lld cexp %lld cout %lld k%lld s%lld d%lld pads %lld,%lld,"
             "%lld,%lld %s/%s",
             kinds[kind], residual ? "+residual" : "", (long long)batch, (long long)h,
             (long long)w, (long long)cin, (long long)cexp, (long long)cout, (long long)k,
             (long long)stride, (long long)dil, (long long)pads[0], (long long)pads[1],
             (long long)pads[2], (long long)pads[3], act_e, act_d);
    size_t nodes = 0;
    char ops[64][32];
    oc_compare(what, &m, xd, &nodes, ops);
    bool fused = oc_has_op(ops, nodes, "MBConvNhwc");
    printf("%s: %s\n", what, fused ? "fused" : "not fused");
    CHECK(fused == expect, "%s: MBConvNhwc %s, expected %s (%lld bytes kept)", what,
          fused ? "present" : "absent", expect ? "present" : "absent", (long long)kept);
    if (fused && kind == EXPAND_DW_SE)
        CHECK(oc_has_op(ops, nodes, "SqueezeExcite") || oc_has_op(ops, nodes, "SqueezeExciteProject"),
              "%s: the squeeze-excite should stay", what);
    if (fused && residual)
        CHECK(!oc_has_op(ops, nodes, "Add"), "%s: the residual Add should be fused", what);
}

int main(void)
{
    for (int i = 0; i < 24; i++)
        case_block(i, FULL, i % 4 != 3, false);
    for (int i = 0; i < 12; i++)
        case_block(i, EXPAND_DW_SE, i % 4 != 3, false);
    for (int i = 0; i < 8; i++)
        case_block(i, DW_PROJECT, i % 4 != 3, false);
    for (int i = 0; i < 12; i++)
        case_block(i, FULL, true, true);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
