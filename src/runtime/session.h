/* A session: the plan made once from a model (bound shapes, folded
 * constants, prepared operators, one arena) and the state of its runs. */
#ifndef MBI_RUNTIME_SESSION_H
#define MBI_RUNTIME_SESSION_H

#include <stdbool.h>

#include "ops/op.h"
#include "runtime/model.h"

typedef struct mbi_svalue {
    mbi_tensor t;
    bool is_const;       /* data known at session creation (never in the arena) */
    bool is_input;       /* a graph input */
    bool is_output;      /* a graph output */
    bool needed;         /* some graph output depends on it */
    int storage;         /* value whose arena block this one uses (itself if none) */
    int first_step;      /* step that writes it; -1 for graph inputs */
    int last_step;       /* last step that reads it (of any value sharing storage) */
    uint64_t offset;     /* in the arena, for storage roots */
} mbi_svalue;

typedef struct mbi_step {
    const mbi_node *node;
    const mbi_op_def *def;
    mbi_op_ctx ctx;
} mbi_step;

struct mobinfer_session {
    const mobinfer_model *model;
    /* The graph the steps come from: the model's, or the optimized copy. */
    const mbi_graph *graph;
    mbi_pool pool;
    mbi_error err;
    mobinfer_limits limits;
    int num_threads;
    mbi_kernels kernels;
    struct mbi_threadpool *threadpool; /* NULL with one thread */

    int n_values;
    mbi_svalue *values;
    int n_steps;
    mbi_step *steps;

    void *arena;
    uint64_t arena_bytes;
    void *scratch;
    size_t scratch_bytes;

    mobinfer_value_info *inputs;  /* bound shapes */
    mobinfer_value_info *outputs;
    bool *input_set;
    mobinfer_node_info *node_infos;
    bool profiling;
    mobinfer_node_profile *profile; /* per step */
};

/* Binds shapes, prepares every node in order and folds constant ones. */
mobinfer_status mbi_session_prepare_nodes(mobinfer_session *s, const mobinfer_session_options *o);

/* Rewrites the prepared graph with the optimization passes (src/opt/) and
 * prepares the result in place of the first preparation. */
mobinfer_status mbi_session_optimize(mobinfer_session *s, const mobinfer_session_options *o);

/* Assigns arena offsets by liveness (with aliasing and in-place reuse),
 * checks the arena limit and allocates arena and scratch. */
mobinfer_status mbi_session_plan_memory(mobinfer_session *s);

/* Gives nodes bound by reading constant bytes from memory a compute-bound
 * node before them that prefetches those bytes into L2 (ctx->reads,
 * can_prefetch, prefetch in ops/op.h; runtime/plan_prefetch.c). */
mobinfer_status mbi_session_plan_prefetch(mobinfer_session *s);

#endif
