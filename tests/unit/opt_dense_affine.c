/* The Dense affine fold (src/opt/fold_dense_affine.c) against the
 * reference path, 1 and 2 threads (tests/support/opt_check.h). Random
 * MatMul or Gemm (transB 0 and 1, with and without bias) layers followed by:
 * LeViT's Flatten -> BatchNormalization -> Reshape back (then HardSwish and a
 * residual Add, which must join the Dense once the reshapes are gone); a
 * BatchNormalization on the 2-D output directly; Mul and Add by a constant
 * row or a scalar, chained. Checks that the BatchNormalization / Mul / Add
 * disappeared, and that they stay where they do not act on the columns: a
 * BatchNormalization whose channel axis is not the last one, a Mul by a
 * per-row constant. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "opt_check.h"

enum {
    FORM_LEVIT,     /* MatMul -> Flatten -> BN -> Reshape -> HardSwish -> + x */
    FORM_GEMM_BN,   /* Reshape to 2-D -> Gemm -> BN -> Reshape back */
    FORM_MUL_ADD,   /* MatMul -> Mul(row) -> Add(scalar or row) */
    FORM_BN_ROWS,   /* MatMul [1, T, N] -> BN over axis 1 = T: must stay */
    FORM_MUL_PER_ROW, /* MatMul -> Mul by a [T, 1] constant: must stay */
    FORM_COUNT
};

static const char *const form_names[FORM_COUNT] = {"levit", "gemm+bn", "mul+add", "bn-rows",
                                                   "mul-per-row"};

static void add_shape(tb_model *m, const char *name, const int64_t *dims, int rank)
{
    const int64_t r = rank;
    tb_initializer(m, name, 7 /* INT64 */, &r, 1, dims, sizeof(int64_t) * (size_t)rank);
}

static void case_dense(int iter, int form)
{
    const int64_t t = oc_irand(1, 40), k = oc_irand(1, 70);
    const int64_t n = form == FORM_LEVIT ? k : form == FORM_BN_ROWS ? t + 1 + oc_irand(0, 20)
                                                                     : oc_irand(1, 70);
    tb_model m;
    tb_model_init(&m, 14);
    int64_t xd[4] = {1, 1, t, k};
    tb_input(&m, "x", FLOAT, xd, 4);
    const int64_t wkn[2] = {k, n}, wnk[2] = {n, k};
    const bool trans_b = iter % 2 == 1;
    oc_add_random(&m, "w", form == FORM_GEMM_BN && trans_b ? wnk : wkn, 2, -1.0f, 1.0f);
    if (form == FORM_GEMM_BN) {
        const int64_t d2[2] = {t, k}, d4[4] = {1, 1, t, n};
        add_shape(&m, "s2", d2, 2);
        add_shape(&m, "s4", d4, 4);
        const char *r1[] = {"x", "s2", NULL}, *r1o[] = {"x2", NULL};
        tb_node(&m, "Reshape", "r1", r1, r1o, NULL);
        tb_buf a = {0};
        tb_attr_int(&a, "transB", trans_b);
        const bool bias = iter % 3 != 0;
        if (bias)
            oc_add_random(&m, "b", &n, 1, -1.0f, 1.0f);
        const char *g[] = {"x2", "w", bias ? "b" : NULL, NULL}, *go[] = {"g", NULL};
        tb_node(&m, "Gemm", "gemm", g, go, &a);
        tb_free(&a);
        oc_add_bn(&m, "g", "bn", n);
        const char *r2[] = {"bn", "s4", NULL}, *r2o[] = {"y", NULL};
        tb_node(&m, "Reshape", "r2", r2, r2o, NULL);
    } else {
        oc_add_node(&m, "MatMul", "x", "w", "mm");
        if (form == FORM_LEVIT) {
            tb_buf a = {0};
            tb_attr_int(&a, "axis", 3);
            const char *f[] = {"mm", NULL}, *fo[] = {"flat", NULL};
            tb_node(&m, "Flatten", "flatten", f, fo, &a);
            tb_free(&a);
            oc_add_bn(&m, "flat", "bn", n);
            const int64_t d4[4] = {1, 1, t, n};
            add_shape(&m, "s4", d4, 4);
            const char *r[] = {"bn", "s4", NULL}, *ro[] = {"back", NULL};
            tb_node(&m, "Reshape", "back", r, ro, NULL);
            oc_add_node(&m, "HardSwish", "back", NULL, "act");
            oc_add_node(&m, "Add", "act", "x", "y");
        } else if (form == FORM_MUL_ADD) {
            oc_add_random(&m, "sc", &n, 1, 0.5f, 1.5f);
            oc_add_node(&m, "Mul", iter % 2 ? "mm" : "sc", iter % 2 ? "sc" : "mm", "ms");
            const int64_t one = 1;
            oc_add_random(&m, "sh", iter % 3 ? &n : &one, 1, -1.0f, 1.0f);
            oc_add_node(&m, "Add", "ms", "sh", "y");
        } else if (form == FORM_BN_ROWS) {
            /* [1, 1, T, N] squeezed to [1, T, N]: BN's channels are the T rows. */
            const int64_t d3[3] = {1, t, n};
            add_shape(&m, "s3", d3, 3);
            const char *r[] = {"mm", "s3", NULL}, *ro[] = {"m3", NULL};
            tb_node(&m, "Reshape", "to3", r, ro, NULL);
            oc_add_bn(&m, "m3", "bn", t);
            const int64_t d4[4] = {1, 1, t, n};
            add_shape(&m, "s4", d4, 4);
            const char *r2[] = {"bn", "s4", NULL}, *r2o[] = {"y", NULL};
            tb_node(&m, "Reshape", "back", r2, r2o, NULL);
        } else {
            const int64_t tc[2] = {t, 1};
            oc_add_random(&m, "rows", tc, 2, 0.5f, 1.5f);
            oc_add_node(&m, "Mul", "mm", "rows", "y");
        }
    }
    oc_result r;
    oc_check_model(&r, &m, xd, "%s t%lld k%lld n%lld transB %d", form_names[form], (long long)t,
                   (long long)k, (long long)n, trans_b);
    const bool folds = form != FORM_BN_ROWS && form != FORM_MUL_PER_ROW;
    CHECK(oc_has_op(r.ops, r.nodes, "Dense"), "%s: no Dense", r.what);
    if (folds) {
        CHECK(!oc_has_op(r.ops, r.nodes, "BatchNormalization") &&
                  !oc_has_op(r.ops, r.nodes, "Mul") && !oc_has_op(r.ops, r.nodes, "Add"),
              "%s: the affine operation was not folded", r.what);
    } else {
        CHECK(oc_has_op(r.ops, r.nodes, form == FORM_BN_ROWS ? "BatchNormalization" : "Mul"),
              "%s: folded an operation that is not per column", r.what);
    }
    if (form == FORM_LEVIT)
        CHECK(!oc_has_op(r.ops, r.nodes, "HardSwish") && !oc_has_op(r.ops, r.nodes, "Flatten") &&
                  !oc_has_op(r.ops, r.nodes, "Reshape"),
              "%s: the reshapes and the activation should be gone (%zu nodes)", r.what, r.nodes);
}

int main(void)
{
    for (int form = 0; form < FORM_COUNT; form++)
        for (int i = 0; i < 12; i++)
            case_dense(i, form);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
