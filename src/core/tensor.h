/* The tensor as operators see it, plus shape arithmetic helpers. */
#ifndef MBI_CORE_TENSOR_H
#define MBI_CORE_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mobinfer.h"

#define MBI_MAX_RANK MOBINFER_MAX_RANK

typedef struct mbi_tensor {
    mobinfer_dtype dtype;
    int rank;
    int64_t dims[MBI_MAX_RANK];
    /* During prepare: non-NULL only when the value is a constant (an
     * initializer or folded). During run: always valid. Dense, row-major. */
    void *data;
} mbi_tensor;

size_t mbi_dtype_size(mobinfer_dtype dtype);
const char *mbi_dtype_name(mobinfer_dtype dtype);
bool mbi_dtype_supported(mobinfer_dtype dtype);

/* Element count; dims are assumed validated (non-negative, product within
 * limits) — the planner checks every shape that an operator produces. */
int64_t mbi_tensor_numel(const mbi_tensor *t);
size_t mbi_tensor_bytes(const mbi_tensor *t);

/* Product of dims with overflow detection: false if any dim is negative or
 * the product exceeds `limit`. */
bool mbi_shape_numel_checked(const int64_t *dims, int rank, int64_t limit, int64_t *out);

bool mbi_shape_equal(const mbi_tensor *a, const mbi_tensor *b);

/* Multidirectional (NumPy) broadcasting of a and b into out_dims/out_rank.
 * false if the shapes are incompatible. */
bool mbi_broadcast_shape(const int64_t *a, int rank_a, const int64_t *b, int rank_b,
                         int64_t *out_dims, int *out_rank);

/* Row-major strides of `dims` aligned to an output of rank `out_rank`, with
 * stride 0 on broadcast (size-1 or missing) dimensions. */
void mbi_broadcast_strides(const int64_t *dims, int rank, const int64_t *out_dims, int out_rank,
                           int64_t *strides);

/* Formats a shape as "[1,3,224,224]" into buf; returns buf. */
const char *mbi_shape_str(const int64_t *dims, int rank, char *buf, size_t size);

/* Normalizes a possibly negative axis into [0, rank); false if out of range. */
bool mbi_axis_normalize(int64_t axis, int rank, int *out);

/* Reads element i of an integer tensor (int64, int32, uint8, int8, bool) as
 * int64; used for shape-like inputs. */
int64_t mbi_tensor_get_int(const mbi_tensor *t, int64_t i);

/* Reads element i of any numeric tensor as double (for scalar parameters). */
double mbi_tensor_get_double(const mbi_tensor *t, int64_t i);

#endif
