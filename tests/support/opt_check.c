/* See opt_check.h. */
#include "opt_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mobinfer.h"


static unsigned rng = 12345; /* one seeded sequence per test program */
float oc_frand(void)
{
    rng = rng * 1103515245u + 12345u;
    return (float)((rng >> 8) & 0xffff) / 32768.0f - 1.0f;
}
int oc_irand(int lo, int hi)
{
    rng = rng * 1103515245u + 12345u;
    return lo + (int)((rng >> 8) % (unsigned)(hi - lo + 1));
}

void oc_add_random(tb_model *m, const char *name, const int64_t *dims, int rank, float lo,
                       float hi)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    float *v = malloc(n * sizeof *v + 1);
    for (size_t i = 0; i < n; i++)
        v[i] = lo + (hi - lo) * (oc_frand() + 1.0f) / 2.0f;
    tb_initializer(m, name, FLOAT, dims, rank, v, n * sizeof *v);
    free(v);
}

void oc_add_scalar(tb_model *m, const char *name, float v)
{
    tb_initializer(m, name, FLOAT, NULL, 0, &v, sizeof v);
}

/* Adds Conv(x -> y) with random W (and B); group 1 or depthwise. */
void oc_add_conv(tb_model *m, const char *x, const char *y, int64_t cin, int64_t cout,
                     int64_t k, int64_t stride, int64_t dil, const int64_t pads[4], bool depthwise,
                     bool bias)
{
    char wn[64], bn[64];
    snprintf(wn, sizeof wn, "%s_W", y);
    snprintf(bn, sizeof bn, "%s_B", y);
    int64_t wd[4] = {cout, depthwise ? 1 : cin, k, k};
    oc_add_random(m, wn, wd, 4, -0.5f, 0.5f);
    if (bias)
        oc_add_random(m, bn, &cout, 1, -0.5f, 0.5f);
    tb_buf a = {0};
    int64_t ks[2] = {k, k}, st[2] = {stride, stride}, dl[2] = {dil, dil};
    tb_attr_ints(&a, "kernel_shape", ks, 2);
    tb_attr_ints(&a, "strides", st, 2);
    tb_attr_ints(&a, "dilations", dl, 2);
    tb_attr_ints(&a, "pads", pads, 4);
    if (depthwise)
        tb_attr_int(&a, "group", cin);
    const char *ins[] = {x, wn, bias ? bn : NULL, NULL};
    const char *outs[] = {y, NULL};
    tb_node(m, "Conv", y, ins, outs, &a);
    tb_free(&a);
}

void oc_add_node(tb_model *m, const char *op, const char *in0, const char *in1,
                     const char *out)
{
    const char *ins[] = {in0, in1, NULL};
    const char *outs[] = {out, NULL};
    tb_node(m, op, out, ins, outs, NULL);
}

/* Output 0 of the model under the given options, or NULL (check failed);
 * the session's multiply-adds (every node's) in *macs when not NULL. */
static float *run_model(const tb_buf *bytes, const int64_t *xdims, const float *x, int threads,
                        int disable, size_t *n_out, size_t *nodes, char ops[][32], uint64_t *macs)
{
    mobinfer_model *model = NULL;
    mobinfer_session *s = NULL;
    float *result = NULL;
    mobinfer_status st = mobinfer_model_load_memory(bytes->data, bytes->len, NULL, &model);
    CHECK(st == MOBINFER_OK, "load: %s", mobinfer_last_error());
    if (st)
        return NULL;
    mobinfer_session_options o;
    mobinfer_session_options_init(&o);
    o.num_threads = threads;
    o.disable_optimizations = disable;
    st = mobinfer_session_create(model, &o, &s);
    CHECK(st == MOBINFER_OK, "session (threads %d, disable %d): %s", threads, disable,
          mobinfer_last_error());
    if (st)
        goto done;
    size_t xn = (size_t)(xdims[0] * xdims[1] * xdims[2] * xdims[3]);
    st = mobinfer_session_set_input(s, "x", MOBINFER_DTYPE_FLOAT32, xdims, 4, x, xn * 4);
    if (!st)
        st = mobinfer_session_run(s);
    CHECK(st == MOBINFER_OK, "run: %s", mobinfer_session_last_error(s));
    if (st)
        goto done;
    mobinfer_tensor t;
    mobinfer_session_get_output(s, "y", &t);
    *n_out = t.byte_size / 4;
    result = malloc(t.byte_size + 4);
    memcpy(result, t.data, t.byte_size);
    if (nodes) {
        *nodes = mobinfer_session_node_count(s);
        for (size_t i = 0; i < *nodes && i < 64; i++) {
            mobinfer_node_info info;
            mobinfer_session_node(s, i, &info);
            snprintf(ops[i], 32, "%s", info.op_type);
        }
    }
    if (macs) {
        *macs = 0;
        for (size_t i = 0; i < mobinfer_session_node_count(s); i++) {
            mobinfer_node_info info;
            if (mobinfer_session_node(s, i, &info) == MOBINFER_OK)
                *macs += info.macs;
        }
    }
done:
    mobinfer_session_free(s);
    mobinfer_model_free(model);
    return result;
}

float *oc_run_model(const tb_buf *bytes, const int64_t *xdims, const float *x, int threads,
                   int disable, size_t *n_out, size_t *nodes, char ops[][32])
{
    return run_model(bytes, xdims, x, threads, disable, n_out, nodes, ops, NULL);
}

bool oc_has_op(char ops[][32], size_t n, const char *op)
{
    for (size_t i = 0; i < n && i < 64; i++)
        if (strcmp(ops[i], op) == 0)
            return true;
    return false;
}

/* Compares optimized (1 and 2 threads) with the reference; returns the
 * optimized graph's operators for the caller's structural checks. */
static void compare(const char *what, tb_model *m, const int64_t *xdims, size_t *nodes,
                    char ops[][32], uint64_t *macs)
{
    tb_buf bytes = {0};
    tb_model_finish(m, &bytes);
    size_t xn = (size_t)(xdims[0] * xdims[1] * xdims[2] * xdims[3]);
    float *x = malloc(xn * sizeof *x);
    for (size_t i = 0; i < xn; i++)
        x[i] = oc_frand() * 2.0f;
    size_t n_ref = 0, n_opt = 0;
    float *ref = oc_run_model(&bytes, xdims, x, 1, 1, &n_ref, NULL, NULL);
    for (int threads = 1; threads <= 2 && ref; threads++) {
        float *opt = run_model(&bytes, xdims, x, threads, 0, &n_opt, nodes, ops, macs);
        if (!opt)
            continue;
        CHECK(n_opt == n_ref, "%s: %zu vs %zu outputs", what, n_opt, n_ref);
        double max_ref = 1e-6, max_err = 0;
        for (size_t i = 0; i < n_ref && i < n_opt; i++) {
            max_ref = fmax(max_ref, fabs(ref[i]));
            max_err = fmax(max_err, fabs((double)ref[i] - opt[i]));
        }
        CHECK(max_err <= 2e-5 * max_ref, "%s (threads %d): max error %g of max %g", what, threads,
              max_err, max_ref);
        free(opt);
    }
    free(ref);
    free(x);
    tb_free(&bytes);
}

void oc_compare(const char *what, tb_model *m, const int64_t *xdims, size_t *nodes,
                char ops[][32])
{
    compare(what, m, xdims, nodes, ops, NULL);
}

void oc_random_pads(int64_t k, int64_t pads[4])
{
    for (int i = 0; i < 4; i++)
        pads[i] = oc_irand(0, (int)k - 1 < 0 ? 0 : (int)k - 1);
}

void oc_add_bn(tb_model *m, const char *x, const char *y, int64_t c)
{
    static const float lo[4] = {0.5f, -0.5f, -0.5f, 0.2f}, hi[4] = {1.5f, 0.5f, 0.5f, 2.0f};
    oc_add_bn_ranges(m, x, y, c, lo, hi);
}

void oc_add_bn_ranges(tb_model *m, const char *x, const char *y, int64_t c, const float lo[4],
                      const float hi[4])
{
    char n[4][64];
    const char *suffix[4] = {"s", "b", "m", "v"};
    for (int i = 0; i < 4; i++) {
        snprintf(n[i], sizeof n[i], "%s_%s", y, suffix[i]);
        oc_add_random(m, n[i], &c, 1, lo[i], hi[i]);
    }
    const char *ins[] = {x, n[0], n[1], n[2], n[3], NULL};
    const char *outs[] = {y, NULL};
    tb_node(m, "BatchNormalization", y, ins, outs, NULL);
}


void oc_check_counts(int *passed, int *failed)
{
    *passed = check_passed;
    *failed = check_failed;
}

void oc_check_model(oc_result *res, tb_model *m, const int64_t *xdims, const char *fmt, ...)
{
    tb_output(m, "y", FLOAT, NULL, 0);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->what, sizeof res->what, fmt, ap);
    va_end(ap);
    res->nodes = 0;
    res->macs = 0;
    compare(res->what, m, xdims, &res->nodes, res->ops, &res->macs);
}
