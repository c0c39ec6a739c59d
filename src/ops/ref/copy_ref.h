/* Reference data-movement kernels shared by the layout operators
 * (Transpose, Slice, Expand, Tile, DepthToSpace, SpaceToDepth, Concat,
 * Split). They move whole elements of elem_size bytes (1, 2, 4 or 8) and so
 * serve every dtype. */
#ifndef MBI_OPS_REF_COPY_REF_H
#define MBI_OPS_REF_COPY_REF_H

#include <stddef.h>
#include <stdint.h>

/* Tile views each axis as two (repeat, size), so up to twice the tensor rank. */
#define MBI_REF_COPY_MAX_RANK 16

/* dst (dense, shape dims[0..rank)) receives
 *   dst[i0, ..., i{rank-1}] = src[i0*strides[0] + ... + i{rank-1}*strides[rank-1]]
 * where src points at the source element of index 0 and strides are in
 * elements (negative for reversed axes, 0 for broadcast ones). rank 0 copies
 * one element; any zero dim copies nothing. rank <= MBI_REF_COPY_MAX_RANK. */
void mbi_ref_strided_copy(size_t elem_size, int rank, const int64_t *dims,
                          const int64_t *strides, const void *src, void *dst);

/* rows x row_elems elements: row r of dst (at dst + r*dst_stride elements)
 * receives row r of src (at src + r*src_stride elements). Concat and Split
 * are this with one call per input or output. */
void mbi_ref_copy_rows(size_t elem_size, int64_t rows, int64_t row_elems, const void *src,
                       int64_t src_stride, void *dst, int64_t dst_stride);

/* Sets n elements of dst to the element at value. */
void mbi_ref_fill(size_t elem_size, int64_t n, const void *value, void *dst);

#endif
