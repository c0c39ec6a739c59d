/* The graph the optimization passes rewrite, one per session.
 *
 * It is made from a first, plain preparation of the model: every shape is
 * concrete, every value known at session creation is an initializer (folded
 * chains included), and only the nodes that really run remain. Passes then
 * replace, remove and insert nodes; the session prepares the result a second
 * time, so each rewritten node is checked and planned like any other.
 *
 * Values keep their model indices (graph inputs and outputs included); new
 * values are appended. Everything lives in the session's pool. */
#ifndef MBI_OPT_OPT_GRAPH_H
#define MBI_OPT_OPT_GRAPH_H

#include <stdbool.h>

#include "core/error.h"
#include "core/pool.h"
#include "ir/graph.h"

/* The domain of operators that exist only inside optimized graphs. */
#define MBI_INTERNAL_DOMAIN "com.mobinfer"

typedef struct mbi_opt_graph {
    mbi_graph g;      /* nodes in topological order */
    int cap_values;
    int cap_nodes;
    mbi_pool *pool;
    mbi_error *err;
    bool *removed;    /* per node: dropped by a pass, compacted by mbi_og_compact */
    int *uses;        /* per value: reading node inputs + graph outputs (mbi_og_count_uses) */
} mbi_opt_graph;

/* Appends a value (no initializer) and returns its index, or -1 (error set). */
int mbi_og_add_value(mbi_opt_graph *og, const char *base_name, const char *suffix,
                     mobinfer_dtype dtype, int rank, const int64_t *dims);

/* Appends a constant whose data (bytes of dtype x dims, owned by the pool or
 * the model) becomes its initializer; -1 on failure. */
int mbi_og_add_const(mbi_opt_graph *og, const char *base_name, const char *suffix,
                     mobinfer_dtype dtype, int rank, const int64_t *dims, const void *data);

/* Pool memory for n floats (64-byte aligned), NULL with an error set. */
float *mbi_og_alloc_floats(mbi_opt_graph *og, size_t n);

/* The constant data of value v as float32, or NULL when v is not a float32
 * initializer. */
const float *mbi_og_const_f32(const mbi_opt_graph *og, int v);

/* Whether constant float32 v, broadcast against an [N, C, ...] tensor of
 * rank r with c channels, is one value per channel (*stride 1) or a scalar
 * (*stride 0). */
bool mbi_og_per_channel(const mbi_opt_graph *og, int v, int r, int64_t c, size_t *stride);

/* Appends node n (copied; its input/output arrays are copied too) and
 * returns its index, or -1. */
int mbi_og_append_node(mbi_opt_graph *og, const mbi_node *n);

/* Copies of the node's input and output arrays that passes may write. */
int *mbi_og_inputs(mbi_node *n);
int *mbi_og_outputs(mbi_node *n);

/* Replaces the node's input array with one of n_inputs entries (copied). */
bool mbi_og_set_inputs(mbi_opt_graph *og, mbi_node *n, const int *inputs, int n_inputs);

/* Attribute helpers for rewritten nodes: the result keeps the node's other
 * attributes and replaces (or adds) the named one. */
bool mbi_og_set_attr_int(mbi_opt_graph *og, mbi_node *n, const char *name, int64_t v);
bool mbi_og_set_attr_float(mbi_opt_graph *og, mbi_node *n, const char *name, float v);
bool mbi_og_set_attr_ints(mbi_opt_graph *og, mbi_node *n, const char *name, const int64_t *v,
                          size_t count);
bool mbi_og_remove_attr(mbi_opt_graph *og, mbi_node *n, const char *name);

/* Recounts og->uses. */
void mbi_og_count_uses(mbi_opt_graph *og);

/* The only node reading value v (index, and the input slot), or -1 when v
 * has zero or several readers or is a graph output. Needs current uses. */
int mbi_og_single_consumer(const mbi_opt_graph *og, int v, int *slot);

/* The single reader of v when it is the ONNX operator op_type, or -1. */
int mbi_og_only_reader(const mbi_opt_graph *og, int v, const char *op_type);

/* True when node n is internal operator op_type (MBI_INTERNAL_DOMAIN). */
bool mbi_og_is_internal(const mbi_node *n, const char *op_type);

/* A ReduceMean with its axes as an attribute (opset < 18), one input and
 * one output: its axes normalized to [0, rank) in *axes (at most
 * MBI_MAX_RANK, in attribute order), their count and keepdims. */
bool mbi_og_reduce_mean(const mbi_opt_graph *og, const mbi_node *n, int64_t *axes, int *count,
                        bool *keepdims);

/* Index of the node producing v, or -1. O(nodes). */
int mbi_og_producer(const mbi_opt_graph *og, int v);

/* The common walk of a rewriting pass: counts uses, calls visit for every
 * node not removed, in order (visit may remove nodes; it recounts uses
 * after changing the graph), then compacts. Stops at the first error. */
mobinfer_status mbi_og_visit_nodes(mbi_opt_graph *og,
                                   mobinfer_status (*visit)(mbi_opt_graph *og, int node));

/* Drops removed nodes and recomputes producers. */
void mbi_og_compact(mbi_opt_graph *og);

/* The value of v when it is a constant float32 scalar (one element). */
bool mbi_og_const_scalar(const mbi_opt_graph *og, int v, float *out);

/* Whether the other input of binary node n (one input is v) is the constant
 * scalar `want` (within a float rounding). */
bool mbi_og_other_is_scalar(const mbi_opt_graph *og, const mbi_node *n, int v, float want);

/* True when node n is the ONNX operator op_type (default domain). */
bool mbi_og_is(const mbi_node *n, const char *op_type);

#endif
