/* Argument helpers shared by the tensor-family operators: integer lists that
 * are attributes in older opsets and constant inputs in newer ones (axes,
 * pads, starts/ends, split sizes, shapes), and axis lists. */
#ifndef MBI_OPS_TENSOR_ARGS_H
#define MBI_OPS_TENSOR_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"

typedef struct mbi_int_list {
    bool present;
    int64_t count;
    const int64_t *attr;     /* when read from an attribute */
    const mbi_tensor *input; /* when read from a constant input */
} mbi_int_list;

static inline int64_t mbi_int_list_get(const mbi_int_list *l, int64_t i)
{
    return l->attr ? l->attr[i] : mbi_tensor_get_int(l->input, i);
}

/* Attribute `name` (INTS); absent leaves present == false. */
mobinfer_status mbi_targ_attr_ints(mbi_op_ctx *ctx, const char *name, mbi_int_list *out);

/* Input `index` as a list: it must be a constant int64 or int32 tensor of
 * rank 0 or 1. An omitted input leaves present == false. `what` names the
 * input in messages. */
mobinfer_status mbi_targ_input_ints(mbi_op_ctx *ctx, int index, const char *what,
                                    mbi_int_list *out);

/* Normalizes the axes in `l` against `rank` into axes[] (at most
 * MBI_MAX_RANK of them): each in [-rank, rank), none repeated. */
mobinfer_status mbi_targ_axes(mbi_op_ctx *ctx, const mbi_int_list *l, int rank, const char *what,
                              int *axes);

/* Fails unless `t` is present and its dtype is one the library stores. */
mobinfer_status mbi_targ_known_dtype(mbi_op_ctx *ctx, int index);

/* Checked element count of a shape that an operator is about to produce, so
 * that sizes computed from hostile values fail cleanly before any use. */
mobinfer_status mbi_targ_check_numel(mbi_op_ctx *ctx, const int64_t *dims, int rank,
                                     const char *what, int64_t *numel);

/* Copies input 0 to output 0 unless the planner gave them one buffer (for
 * operators flagged MBI_OP_ALIAS_INPUT0). */
mobinfer_status mbi_targ_run_alias_copy(mbi_op_ctx *ctx);

#endif
