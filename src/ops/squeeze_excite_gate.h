/* The gate of a squeeze-and-excitation block, shared by SqueezeExcite
 * (ops/squeeze_excite.c) and SqueezeExciteProject
 * (ops/squeeze_excite_project.c): from inputs 0..4 of either node,
 *   X [N, H, W, C], W1 [R, C, 1, 1], B1 [R] (optional), W2 [C, R, 1, 1],
 *   B2 [C] (optional),
 * it computes per image s = act2(W2 act1(W1 mean_hw(X) + B1) + B2), [N][C].
 *
 * The mean is split over threads by rows of each image, the split the
 * depthwise convolution that produced X used, so each thread reads what it
 * wrote from its own cache; each thread sums into its own partial [N][C],
 * and the partials are added in task order, so the result does not depend
 * on which thread ran which task. The two FCs are split by output columns
 * when their weights are large enough for that to pay. */
#ifndef MBI_OPS_SQUEEZE_EXCITE_GATE_H
#define MBI_OPS_SQUEEZE_EXCITE_GATE_H

#include <stddef.h>

#include "ops/op.h"

typedef struct mbi_se_gate {
    size_t n, h, w, c, r;
    mbi_act act1, act2;
    /* The FCs' weights, transposed (W1 as [C][R], W2 as [R][C]: each FC is
     * then a weighted sum of rows, the chanwise axpy kernel) and cut by the
     * columns of each FC task: task t's FC1 columns [r0, r1) of R as
     * [C][r1 - r0], then its FC2 columns [c0, c1) of C as [R][c1 - c0],
     * from fcw + C*r0 + R*c0. So what a task reads is one contiguous span,
     * which the node ahead can prefetch into that thread's L2 (ctx->reads). */
    float *fcw;
    float *b1, *b2; /* zeros when absent */
    size_t tasks;    /* row ranges of each image, for the mean and the scale */
    size_t fc_tasks; /* column ranges of the two FCs */
} mbi_se_gate;

/* Checks inputs 0..4 and prepares the gate (session pool memory), listing
 * the FC weights as the node's reads; NULL with ctx->err set on failure. elements_per_task: the work (floats of X) below
 * which a task is not worth a fork-join. */
mbi_se_gate *mbi_se_gate_prepare(mbi_op_ctx *ctx, mbi_act act1, mbi_act act2,
                                 size_t elements_per_task);

/* Floats of scratch mbi_se_gate_run needs. */
size_t mbi_se_gate_scratch_floats(const mbi_se_gate *g);

/* Rows [begin, end) of each image that task t of g->tasks covers. */
static inline void mbi_se_gate_rows(const mbi_se_gate *g, size_t t, size_t *begin, size_t *end)
{
    *begin = g->h * t / g->tasks;
    *end = g->h * (t + 1) / g->tasks;
}

/* scale [N][C] = the gate of x; scratch: mbi_se_gate_scratch_floats floats. */
void mbi_se_gate_run(const mbi_se_gate *g, const mbi_kernels *k, struct mbi_threadpool *pool,
                     const float *x, float *scratch, float *scale);

#endif
