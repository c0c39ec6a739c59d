/* Small models shared by several tests. */
#include <stdint.h>

#include "model_builder.h"

enum { FLOAT = 1, INT64 = 7 };

/* x[1,3,8,8] → Conv 3x3 (4 out) → Relu → Add(residual of a 1x1 conv) →
 * GlobalAveragePool → Reshape via Shape/Gather/Concat (folded) → Gemm. */
void tb_small_cnn(tb_buf *out)
{
    tb_model m;
    tb_model_init(&m, 13);
    int64_t xd[] = {1, 3, 8, 8}, yd[] = {1, 5};
    tb_input(&m, "x", FLOAT, xd, 4);
    tb_output(&m, "y", FLOAT, yd, 2);
    float w1[4 * 3 * 3 * 3], w2[4 * 3], g[5 * 4], b[5];
    uint32_t seed = 7;
    float *all[] = {w1, w2, g, b};
    size_t counts[] = {sizeof w1 / 4, sizeof w2 / 4, sizeof g / 4, sizeof b / 4};
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < counts[k]; i++) {
            seed = seed * 1664525u + 1013904223u;
            all[k][i] = (float)((int)(seed >> 16) % 200 - 100) / 100.0f;
        }
    int64_t w1d[] = {4, 3, 3, 3}, w2d[] = {4, 3, 1, 1}, gd[] = {5, 4}, bd[] = {5};
    tb_initializer(&m, "w1", FLOAT, w1d, 4, w1, sizeof w1);
    tb_initializer(&m, "w2", FLOAT, w2d, 4, w2, sizeof w2);
    tb_initializer(&m, "g", FLOAT, gd, 2, g, sizeof g);
    tb_initializer(&m, "b", FLOAT, bd, 1, b, sizeof b);
    int64_t zero = 0, minus1 = -1, one_d[] = {1};
    tb_initializer(&m, "zero", INT64, NULL, 0, &zero, 8);
    tb_initializer(&m, "minus1", INT64, one_d, 1, &minus1, 8);
    tb_buf pads = {0};
    int64_t p[] = {1, 1, 1, 1};
    tb_attr_ints(&pads, "pads", p, 4);
    const char *c1i[] = {"x", "w1", NULL}, *c1o[] = {"c1", NULL};
    const char *r1i[] = {"c1", NULL}, *r1o[] = {"r1", NULL};
    const char *c2i[] = {"x", "w2", NULL}, *c2o[] = {"c2", NULL};
    const char *ai[] = {"r1", "c2", NULL}, *ao[] = {"a", NULL};
    const char *pi[] = {"a", NULL}, *po[] = {"p", NULL};
    const char *si[] = {"p", NULL}, *so[] = {"s", NULL};
    const char *gi[] = {"s", "zero", NULL}, *go[] = {"n", NULL};
    const char *ui[] = {"n", NULL}, *uo[] = {"n1", NULL};
    const char *cci[] = {"n1", "minus1", NULL}, *cco[] = {"shape", NULL};
    const char *rsi[] = {"p", "shape", NULL}, *rso[] = {"flat", NULL};
    const char *gmi[] = {"flat", "g", "b", NULL}, *gmo[] = {"y", NULL};
    tb_node(&m, "Conv", "conv1", c1i, c1o, &pads);
    tb_node(&m, "Relu", "relu1", r1i, r1o, NULL);
    tb_node(&m, "Conv", "conv2", c2i, c2o, NULL);
    tb_node(&m, "Add", "add", ai, ao, NULL);
    tb_node(&m, "GlobalAveragePool", "gap", pi, po, NULL);
    tb_node(&m, "Shape", "shape_of", si, so, NULL);
    tb_node(&m, "Gather", "batch", gi, go, NULL);
    tb_buf axes = {0};
    int64_t ax[] = {0};
    tb_attr_ints(&axes, "axes", ax, 1);
    tb_node(&m, "Unsqueeze", "unsq", ui, uo, &axes);
    tb_buf cat = {0};
    tb_attr_int(&cat, "axis", 0);
    tb_node(&m, "Concat", "cat", cci, cco, &cat);
    tb_node(&m, "Reshape", "flatten", rsi, rso, NULL);
    tb_buf tr = {0};
    tb_attr_int(&tr, "transB", 1);
    tb_node(&m, "Gemm", "fc", gmi, gmo, &tr);
    tb_free(&pads);
    tb_free(&axes);
    tb_free(&cat);
    tb_free(&tr);
    m.opset = 11; /* Unsqueeze with an axes attribute */
    tb_model_finish(&m, out);
}

