/* Helpers of the optimization-pass tests (tests/unit/opt_*.c): random
 * initializers and Conv/BatchNormalization nodes for tests/support/model_builder.h
 * models, and the check that runs a model optimized (1 and 2 threads) against
 * the reference path (disable_optimizations) and reports which operators the
 * optimized session kept. The model's input is "x" (float32, 4-D), its
 * output "y". */
#ifndef MOBINFER_TEST_OPT_CHECK_H
#define MOBINFER_TEST_OPT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_builder.h"

enum { FLOAT = 1 };

/* Seeded uniform numbers: [-1, 1) and [lo, hi]. */
float oc_frand(void);
int oc_irand(int lo, int hi);

void oc_add_random(tb_model *m, const char *name, const int64_t *dims, int rank, float lo, float hi);
void oc_add_scalar(tb_model *m, const char *name, float v);
/* Conv(x -> y) with random W (and B) named y_W, y_B; group 1 or depthwise. */
void oc_add_conv(tb_model *m, const char *x, const char *y, int64_t cin, int64_t cout, int64_t k,
                 int64_t stride, int64_t dil, const int64_t pads[4], bool depthwise, bool bias);
/* A node of one or two inputs and one output, no attributes. */
void oc_add_node(tb_model *m, const char *op, const char *in0, const char *in1, const char *out);
/* BatchNormalization(x -> y) with random statistics. */
void oc_add_bn(tb_model *m, const char *x, const char *y, int64_t c);
/* The same with scale, bias, mean and variance drawn from [lo[i], hi[i]]. */
void oc_add_bn_ranges(tb_model *m, const char *x, const char *y, int64_t c, const float lo[4],
                      const float hi[4]);

/* Output "y" of the model under the given options (malloc'd), or NULL after a failed CHECK;
 * nodes/ops (up to 64 operator names) when not NULL. */
float *oc_run_model(const tb_buf *bytes, const int64_t *xdims, const float *x, int threads,
                    int disable, size_t *n_out, size_t *nodes, char ops[][32]);
bool oc_has_op(char ops[][32], size_t n, const char *op);
/* Finishes m, runs it optimized at 1 and 2 threads and CHECKs the outputs against the
 * reference within 2e-5 of the largest magnitude; nodes/ops receive the optimized graph's. */
void oc_compare(const char *what, tb_model *m, const int64_t *xdims, size_t *nodes, char ops[][32]);
/* The CHECKs made inside these helpers so far; pass them to check_add before check_summary. */
void oc_check_counts(int *passed, int *failed);
/* What oc_check_model ran: the case's name and the optimized graph's operators. */
typedef struct oc_result {
    char what[160];
    size_t nodes;
    char ops[64][32];
    uint64_t macs; /* the optimized session's multiply-adds (every node's) */
} oc_result;

/* Declares the output "y", names the case with the printf-style fmt and runs oc_compare. */
void oc_check_model(oc_result *res, tb_model *m, const int64_t *xdims, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Random pads in [0, k-1] for a k x k window. */
void oc_random_pads(int64_t k, int64_t pads[4]);

#endif
