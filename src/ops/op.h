/* The operator interface. Each ONNX operator has one mbi_op_def: `prepare`
 * runs once at session creation (check attributes and input types, infer
 * output types and shapes, precompute parameters, ask for scratch memory) and
 * `run` executes the node on every session run, calling kernels.
 *
 * Shapes are concrete when prepare runs: the session binds every symbolic
 * dimension first. Values whose data is known at session creation
 * (initializers and everything computed only from them, such as
 * Shape→Gather→Concat chains) have tensor->data set during prepare; an
 * operator that needs an input's contents to decide its output shape (the
 * shape input of Reshape, the pads of Pad, ...) reads it there and fails with
 * MOBINFER_ERR_UNSUPPORTED if it is not a constant.
 *
 * Error messages need not name the node: the planner adds
 * "node 'name' (OpType)" in front of them. */
#ifndef MBI_OPS_OP_H
#define MBI_OPS_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/pool.h"
#include "core/tensor.h"
#include "dispatch/kernels.h"
#include "ir/attr.h"
#include "ir/graph.h"

/* Bytes in memory, for prefetch planning (runtime/plan_prefetch.c). */
typedef struct mbi_byte_span {
    const void *data;
    size_t bytes;
} mbi_byte_span;

typedef struct mbi_op_ctx {
    const mbi_node *node; /* attributes: see ir/attr.h */
    int opset;            /* opset version of the node's domain */
    int n_in;
    int n_out;
    mbi_tensor **in;      /* in[i] == NULL for an omitted optional input */
    mbi_tensor **out;     /* out[i] == NULL for an omitted optional output */

    /* Set by prepare (allocated with mbi_op_alloc), read by run. */
    void *params;
    /* prepare: bytes of scratch memory run will need (default 0).
     * run: the scratch buffer, 64-byte aligned, contents undefined. */
    size_t scratch_bytes;
    void *scratch;
    /* prepare may set the multiply-accumulate count of one run (for `info`). */
    uint64_t macs;

    /* The session's kernel table (valid in prepare and run) and its thread
     * pool (run only; NULL means one thread, see runtime/thread_pool.h). */
    const mbi_kernels *kernels;
    struct mbi_threadpool *threadpool;
    int num_threads; /* the pool's size, for per-thread scratch in prepare */

    /* Prefetch planning (runtime/plan_prefetch.c), all optional. prepare
     * of a node whose run is bound by reading constant bytes from memory
     * (little arithmetic per byte: SE gate FCs, Dense at M = 1) lists them
     * in reads[0..n_reads): reads[t] is what thread t reads when every
     * thread is on time, or n_reads = 1 when only the caller reads them.
     * prepare of a compute-bound node sets can_prefetch when its run
     * follows `prefetch`, which the planner sets after every prepare:
     * prefetch[t] is for thread t to bring into L2 while the node computes
     * (n_prefetch = 1: the caller only). Prefetching changes no result. */
    const mbi_byte_span *reads;
    int n_reads;
    bool can_prefetch;
    const mbi_byte_span *prefetch;
    int n_prefetch;

    mbi_error *err;
    mbi_pool *pool;                /* session lifetime; valid in prepare only */
    const mobinfer_limits *limits; /* effective limits of the session */
} mbi_op_ctx;

enum {
    /* Output 0 holds exactly input 0's bytes (Reshape, Flatten, Squeeze,
     * Unsqueeze, Identity, Dropout): the planner may give it input 0's
     * storage, and run must then do nothing; run copies when they differ. */
    MBI_OP_ALIAS_INPUT0 = 1u << 0,
    /* Output 0 may be written over input 0 when that input is not used
     * afterwards and has the same byte size: run must work when
     * out[0]->data == in[0]->data (element i read before element i written). */
    MBI_OP_INPLACE_INPUT0 = 1u << 1,
    /* The outputs depend only on the inputs' shapes (Shape, Size): the node
     * is folded at session creation even when its inputs are not constants,
     * and run must not read input data. */
    MBI_OP_SHAPE_ONLY = 1u << 2,
    /* Output 0 may be written over the input whose index the node's int
     * attribute MBI_ATTR_INPLACE_INPUT gives (no attribute: no such input),
     * under the conditions of MBI_OP_INPLACE_INPUT0. The output keeps that
     * input's contents where the node does not write (ConvNhwc filling its
     * channel slice of a Concat's output), so when the planner could not
     * share (out[0]->data differs) run copies that input to output 0 first. */
    MBI_OP_INPLACE_NAMED = 1u << 3
};

/* The attribute MBI_OP_INPLACE_NAMED reads. */
#define MBI_ATTR_INPLACE_INPUT "inplace_input"

typedef struct mbi_op_def {
    const char *op_type;
    const char *domain; /* "" for the default ONNX domain */
    unsigned flags;
    mobinfer_status (*prepare)(mbi_op_ctx *ctx);
    mobinfer_status (*run)(mbi_op_ctx *ctx);
} mbi_op_def;

/* Finds the definition of op_type in domain ("" and "ai.onnx" are the same);
 * NULL if mobinfer does not implement it. */
const mbi_op_def *mbi_op_find(const char *domain, const char *op_type);

/* Session-lifetime memory for prepare (zeroed); NULL and an error in ctx->err
 * when the allocator fails. */
void *mbi_op_alloc(mbi_op_ctx *ctx, size_t bytes);
/* `floats` floats from the same pool (64-byte aligned, as the SIMD kernels
 * load packed weights); fails on a count whose bytes overflow. */
float *mbi_op_alloc_floats(mbi_op_ctx *ctx, size_t floats);

/* Helpers shared by operators. */

/* Sets out[index] to dtype and shape. */
void mbi_op_set_output(mbi_op_ctx *ctx, int index, mobinfer_dtype dtype, const int64_t *dims,
                       int rank);

/* Fails unless input `index` exists (is not omitted). */
mobinfer_status mbi_op_require_input(mbi_op_ctx *ctx, int index);

/* Fails unless input `index` is present and of dtype `dtype`. */
mobinfer_status mbi_op_require_dtype(mbi_op_ctx *ctx, int index, mobinfer_dtype dtype);

/* Fails unless input `index` is a constant (data known in prepare). `what`
 * names the input in the message, e.g. "shape". */
mobinfer_status mbi_op_require_constant(mbi_op_ctx *ctx, int index, const char *what);

/* Fails unless input `index`, when present, is a float32 constant of shape
 * [m]: a convolution's or a GEMM's bias, one value per output channel. */
mobinfer_status mbi_op_require_bias(mbi_op_ctx *ctx, int index, int64_t m);

/* Fails unless the session has its kernel table: sessions created with
 * disable_optimizations run the reference kernels only, and the internal
 * operators (com.mobinfer) exist only in optimized sessions. */
mobinfer_status mbi_op_require_kernels(mbi_op_ctx *ctx);

/* Convenience: input or NULL if index >= n_in. */
static inline mbi_tensor *mbi_op_input(const mbi_op_ctx *ctx, int index)
{
    return index < ctx->n_in ? ctx->in[index] : NULL;
}

/* One table per family; each ends with a NULL entry. The registry searches
 * them all (src/ops/registry.c). */
extern const mbi_op_def *const mbi_op_table_math[];
extern const mbi_op_def *const mbi_op_table_nn[];
extern const mbi_op_def *const mbi_op_table_tensor[];

#endif
