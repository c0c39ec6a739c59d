/*
 * mobinfer — inference engine for mobile and edge neural networks.
 *
 * The only public header. Conventions:
 *  - Every function that can fail returns mobinfer_status; results come
 *    through the last (pointer) arguments.
 *  - A message for the last failure is kept per session
 *    (mobinfer_session_last_error) and, for calls that have no session
 *    (loading, session creation), per thread (mobinfer_last_error).
 *  - Ownership is stated on every pointer: "borrowed" means the caller keeps
 *    ownership and the pointer must stay valid for the stated time; "copied"
 *    means the library copied what it needed; "owned by X" means the memory
 *    lives until X is freed.
 *  - The library never aborts or exits; free functions accept NULL.
 *  - A model is immutable once loaded and may be shared by any number of
 *    sessions on any threads. A session is used by one thread at a time.
 */
#ifndef MOBINFER_H
#define MOBINFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MOBINFER_BUILDING_SHARED) && defined(__GNUC__)
#define MOBINFER_API __attribute__((visibility("default")))
#else
#define MOBINFER_API
#endif

#define MOBINFER_VERSION_MAJOR 0
#define MOBINFER_VERSION_MINOR 1
#define MOBINFER_VERSION_PATCH 0

/* Highest ONNX opset of the default domain that this version understands.
 * Models that import a newer one are rejected with MOBINFER_ERR_UNSUPPORTED. */
#define MOBINFER_MAX_OPSET 21

/* Tensors have at most this many dimensions. */
#define MOBINFER_MAX_RANK 8

typedef enum mobinfer_status {
    MOBINFER_OK = 0,
    MOBINFER_ERR_INVALID_ARGUMENT = 1, /* NULL pointer, bad option, unknown name  */
    MOBINFER_ERR_IO = 2,               /* file missing, unreadable, not mappable  */
    MOBINFER_ERR_PARSE = 3,            /* malformed or truncated model bytes      */
    MOBINFER_ERR_UNSUPPORTED = 4,      /* operator, type, opset or feature        */
    MOBINFER_ERR_INVALID_MODEL = 5,    /* cycles, missing values, bad attributes  */
    MOBINFER_ERR_SHAPE = 6,            /* shapes that do not fit an operator      */
    MOBINFER_ERR_LIMIT = 7,            /* a resource limit would be exceeded      */
    MOBINFER_ERR_OUT_OF_MEMORY = 8,    /* the allocator failed                    */
    MOBINFER_ERR_INPUT = 9,            /* run-time input: wrong shape/type/unbound */
    MOBINFER_ERR_INTERNAL = 10         /* a bug in mobinfer: please report it     */
} mobinfer_status;

/* Element types; the numbers are ONNX's TensorProto.DataType values. */
typedef enum mobinfer_dtype {
    MOBINFER_DTYPE_UNDEFINED = 0,
    MOBINFER_DTYPE_FLOAT32 = 1,
    MOBINFER_DTYPE_UINT8 = 2,
    MOBINFER_DTYPE_INT8 = 3,
    MOBINFER_DTYPE_INT32 = 6,
    MOBINFER_DTYPE_INT64 = 7,
    MOBINFER_DTYPE_BOOL = 9 /* one byte per element, 0 or 1 */
} mobinfer_dtype;

/* Resource limits. Every limit is checked before the memory it guards is
 * allocated; a value equal to the limit is allowed, one more is
 * MOBINFER_ERR_LIMIT with a message naming the limit. Zero in a field means
 * "use the default" (see mobinfer_limits_default); the defaults admit every
 * model in docs/MODELS.md. All fields are uint64_t (and stay so): the library
 * fills defaults field by field. Counts above INT_MAX (nodes, values) and
 * element counts above INT64_MAX are treated as those maxima. */
typedef struct mobinfer_limits {
    uint64_t max_model_bytes;       /* size of the model file/buffer          */
    uint64_t max_nodes;             /* nodes in the graph                      */
    uint64_t max_values;            /* named values (tensors) in the graph     */
    uint64_t max_tensor_elements;   /* elements of any one tensor              */
    uint64_t max_tensor_bytes;      /* bytes of any one tensor                 */
    uint64_t max_initializer_bytes; /* all initializers together               */
    uint64_t max_arena_bytes;       /* planned activation memory of a session  */
    uint64_t max_attribute_elements;/* elements of one attribute list/string   */
    uint64_t max_graph_inputs;      /* inputs or outputs of the graph          */
    uint64_t max_graph_depth;       /* nodes on the longest input-to-output path */
} mobinfer_limits;

/* Fills *limits with the defaults. */
MOBINFER_API void mobinfer_limits_default(mobinfer_limits *limits);

typedef struct mobinfer_load_options {
    mobinfer_limits limits;
} mobinfer_load_options;

/* Fills *options with defaults. */
MOBINFER_API void mobinfer_load_options_init(mobinfer_load_options *options);

/* A value for a symbolic dimension, e.g. {"batch", 1}. */
typedef struct mobinfer_dim_binding {
    const char *name; /* borrowed for the duration of mobinfer_session_create */
    int64_t value;
} mobinfer_dim_binding;

/* A concrete shape for an input, e.g. from the data about to be fed. Each
 * symbolic dimension of the input is bound to the given value (the same
 * name must get the same value everywhere); fixed dimensions must match. */
typedef struct mobinfer_input_shape {
    const char *name;     /* borrowed during create */
    size_t rank;
    const int64_t *dims;  /* borrowed during create */
} mobinfer_input_shape;

/* A tensor handed to or returned by a session. */
typedef struct mobinfer_tensor {
    mobinfer_dtype dtype;
    size_t rank;
    const int64_t *dims;
    void *data;        /* dense, row-major */
    size_t byte_size;
} mobinfer_tensor;

/* An input whose value is fixed when the session is created. */
typedef struct mobinfer_input_value {
    const char *name;             /* borrowed during create */
    mobinfer_tensor tensor;       /* data copied during create */
} mobinfer_input_value;

typedef struct mobinfer_session_options {
    int num_threads;                       /* >= 1; default 1 */
    mobinfer_limits limits;                /* zero fields: defaults */
    const mobinfer_dim_binding *dim_bindings; /* borrowed during create */
    size_t num_dim_bindings;
    const mobinfer_input_shape *input_shapes; /* borrowed during create */
    size_t num_input_shapes;
    /* Inputs frozen to a value: they become constants of the plan (folded
     * where possible) and are not set before runs (they are still listed by
     * mobinfer_session_input; mobinfer_session_set_input rejects them). mobinfer plans shapes
     * once, so inputs that decide shapes (a Reshape's shape, a Reduce's axes,
     * Resize's sizes) must be frozen when they are graph inputs. */
    const mobinfer_input_value *constant_inputs; /* borrowed during create */
    size_t num_constant_inputs;
    /* Symbolic dimensions bound by neither of the above take this value
     * (default 1). */
    int64_t default_dim_value;
    /* Nonzero: run the model's graph as written, with the reference kernels
     * (no graph rewriting, no fused or SIMD kernels). For comparisons and
     * for isolating a suspected optimizer problem; default 0. */
    int disable_optimizations;
} mobinfer_session_options;

/* Fills *options with defaults. */
MOBINFER_API void mobinfer_session_options_init(mobinfer_session_options *options);

typedef struct mobinfer_model mobinfer_model;
typedef struct mobinfer_session mobinfer_session;

/* Description of a model or session input/output. All pointers are owned by
 * the model (model_* functions) or the session (session_* functions) and stay
 * valid until it is freed. In a model, a symbolic dimension has
 * dims[i] == -1 and dim_names[i] set; otherwise dim_names[i] is NULL.
 * In a session every dimension is bound (dims[i] >= 0). */
typedef struct mobinfer_value_info {
    const char *name;
    mobinfer_dtype dtype;
    size_t rank;
    const int64_t *dims;
    const char *const *dim_names;
} mobinfer_value_info;


/* ---- models ---------------------------------------------------------- */

/* Loads an ONNX model from a file. The file is memory-mapped and weights are
 * used in place where alignment allows; external data files named by the
 * model are resolved relative to the model's directory and mapped too.
 * options may be NULL (defaults). *out is owned by the caller: free it with
 * mobinfer_model_free after every session made from it is freed. */
MOBINFER_API mobinfer_status mobinfer_model_load(const char *path,
                                                 const mobinfer_load_options *options,
                                                 mobinfer_model **out);

/* Loads an ONNX model from memory. data is borrowed: it must stay valid and
 * unchanged until the model is freed (weights are used in place).
 * External data is not supported from memory. */
MOBINFER_API mobinfer_status mobinfer_model_load_memory(const void *data, size_t size,
                                                        const mobinfer_load_options *options,
                                                        mobinfer_model **out);

MOBINFER_API void mobinfer_model_free(mobinfer_model *model);

MOBINFER_API size_t mobinfer_model_input_count(const mobinfer_model *model);
MOBINFER_API size_t mobinfer_model_output_count(const mobinfer_model *model);
MOBINFER_API mobinfer_status mobinfer_model_input(const mobinfer_model *model, size_t index,
                                                  mobinfer_value_info *out);
MOBINFER_API mobinfer_status mobinfer_model_output(const mobinfer_model *model, size_t index,
                                                   mobinfer_value_info *out);
/* Opset of the default ONNX domain that the model imports. */
MOBINFER_API int64_t mobinfer_model_opset(const mobinfer_model *model);

/* ---- sessions ---------------------------------------------------------- */

/* Plans the model for execution: binds symbolic dimensions, infers shapes,
 * folds constants, chooses kernels, plans and allocates the activation
 * arena. model is borrowed and must outlive the session. options may be NULL.
 * After this returns, mobinfer_session_run performs no heap allocation. */
MOBINFER_API mobinfer_status mobinfer_session_create(const mobinfer_model *model,
                                                     const mobinfer_session_options *options,
                                                     mobinfer_session **out);

MOBINFER_API void mobinfer_session_free(mobinfer_session *session);

MOBINFER_API size_t mobinfer_session_input_count(const mobinfer_session *session);
MOBINFER_API size_t mobinfer_session_output_count(const mobinfer_session *session);
MOBINFER_API mobinfer_status mobinfer_session_input(const mobinfer_session *session, size_t index,
                                                    mobinfer_value_info *out);
MOBINFER_API mobinfer_status mobinfer_session_output(const mobinfer_session *session, size_t index,
                                                     mobinfer_value_info *out);

/* Copies an input into the session. dtype and dims must equal the planned
 * ones (mobinfer_session_input); byte_size must match. data is copied. */
MOBINFER_API mobinfer_status mobinfer_session_set_input(mobinfer_session *session, const char *name,
                                                        mobinfer_dtype dtype, const int64_t *dims,
                                                        size_t rank, const void *data,
                                                        size_t byte_size);

/* Runs the plan. Every input must have been set at least once. */
MOBINFER_API mobinfer_status mobinfer_session_run(mobinfer_session *session);

/* Returns an output of the last run. *out's pointers are owned by the session
 * and valid until the next run or until the session is freed. */
MOBINFER_API mobinfer_status mobinfer_session_get_output(const mobinfer_session *session,
                                                         const char *name, mobinfer_tensor *out);

/* Planned activation memory in bytes (the arena), and the number of nodes
 * left after planning (constants folded away). */
MOBINFER_API uint64_t mobinfer_session_arena_bytes(const mobinfer_session *session);
MOBINFER_API size_t mobinfer_session_node_count(const mobinfer_session *session);

/* ---- introspection (for tools such as `mobinfer info`) ------------------ */

typedef struct mobinfer_model_stats {
    size_t num_nodes;          /* nodes as stored in the file              */
    size_t num_initializers;
    uint64_t parameter_count;  /* elements of all initializers             */
    uint64_t parameter_bytes;  /* bytes of all initializers                */
} mobinfer_model_stats;

MOBINFER_API mobinfer_status mobinfer_model_get_stats(const mobinfer_model *model,
                                                      mobinfer_model_stats *out);

/* Operator type of node `index` of the model as stored (0 <= index <
 * num_nodes). The string is owned by the model. */
MOBINFER_API mobinfer_status mobinfer_model_node_op_type(const mobinfer_model *model, size_t index,
                                                         const char **out);

/* One node of a session's plan, in execution order. Pointers are owned by the
 * session. output is the node's first output with its bound shape. */
typedef struct mobinfer_node_info {
    const char *name;
    const char *op_type;
    uint64_t macs;      /* multiply-accumulates per run; 0 where not meaningful */
    mobinfer_value_info output;
} mobinfer_node_info;

MOBINFER_API mobinfer_status mobinfer_session_node(const mobinfer_session *session, size_t index,
                                                   mobinfer_node_info *out);

/* Per-node timing, for the latency tables hardware-aware architecture search
 * consumes (`mobinfer bench --profile`). While profiling is on, each run
 * reads a monotonic clock around every node (no allocation); off by default.
 * Turning it on resets the counters. */
typedef struct mobinfer_node_profile {
    uint64_t runs;     /* runs timed since profiling was turned on */
    uint64_t total_ns; /* time spent in the node over those runs */
} mobinfer_node_profile;

MOBINFER_API mobinfer_status mobinfer_session_set_profiling(mobinfer_session *session, int on);
MOBINFER_API mobinfer_status mobinfer_session_node_profile(const mobinfer_session *session,
                                                           size_t index,
                                                           mobinfer_node_profile *out);

/* ---- ONNX tensors (TensorProto files such as the backend tests' input_0.pb) */

typedef struct mobinfer_tensor_blob mobinfer_tensor_blob;

/* Decodes a serialized ONNX TensorProto. bytes are copied. limits may be
 * NULL (defaults). *out is owned by the caller; free with
 * mobinfer_tensor_blob_free. */
MOBINFER_API mobinfer_status mobinfer_tensor_blob_decode(const void *bytes, size_t size,
                                                         const mobinfer_limits *limits,
                                                         mobinfer_tensor_blob **out);
/* The tensor; its pointers are owned by the blob. */
MOBINFER_API const mobinfer_tensor *mobinfer_tensor_blob_tensor(const mobinfer_tensor_blob *blob);
/* The TensorProto's name ("" if none); owned by the blob. */
MOBINFER_API const char *mobinfer_tensor_blob_name(const mobinfer_tensor_blob *blob);
MOBINFER_API void mobinfer_tensor_blob_free(mobinfer_tensor_blob *blob);

/* ---- errors ------------------------------------------------------------ */

/* Message of the last failure of a call on this session; "" if none. Owned by
 * the session, valid until its next call. */
MOBINFER_API const char *mobinfer_session_last_error(const mobinfer_session *session);

/* Message of the last failure of a call without a session, on this thread;
 * "" if none. Valid until the next failing call on this thread. */
MOBINFER_API const char *mobinfer_last_error(void);

/* Short constant name of a status, e.g. "MOBINFER_ERR_PARSE". */
MOBINFER_API const char *mobinfer_status_name(mobinfer_status status);

/* Element size in bytes; 0 for an unknown type. */
MOBINFER_API size_t mobinfer_dtype_size(mobinfer_dtype dtype);
/* Lower-case name, e.g. "float32"; "undefined" for unknown. */
MOBINFER_API const char *mobinfer_dtype_name(mobinfer_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* MOBINFER_H */
