/* Reference softmax (float32). */
#ifndef MBI_OPS_REF_SOFTMAX_REF_H
#define MBI_OPS_REF_SOFTMAX_REF_H

#include <stdbool.h>
#include <stdint.h>

/* Softmax (or, with take_log, log-softmax) along the middle axis of
 * x: [outer][len][inner]:
 *   y[o][i][j] = exp(x[o][i][j] - max) / sum over i' of exp(x[o][i'][j] - max)
 * where max is the largest x[o][.][j] (subtracted so that exp cannot
 * overflow). x and y may be the same buffer. */
void mbi_ref_softmax_f32(const float *x, float *y, int64_t outer, int64_t len, int64_t inner,
                         bool take_log);

#endif
