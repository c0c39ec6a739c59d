/* Typed access to node attributes, with defaults and type checks. Getters
 * that can fail take an mbi_error and name the attribute in the message. */
#ifndef MBI_IR_ATTR_H
#define MBI_IR_ATTR_H

#include <stdbool.h>

#include "core/error.h"
#include "ir/graph.h"

const mbi_attr *mbi_attr_find(const mbi_node *node, const char *name);

/* These return the default when the attribute is absent, and fail (status
 * returned, *out untouched) when it is present with another type. */
mobinfer_status mbi_attr_int(const mbi_node *node, const char *name, int64_t def, int64_t *out,
                             mbi_error *err);
mobinfer_status mbi_attr_float(const mbi_node *node, const char *name, float def, float *out,
                               mbi_error *err);
/* *out points at the model-owned string (or def). */
mobinfer_status mbi_attr_string(const mbi_node *node, const char *name, const char *def,
                                const char **out, mbi_error *err);
/* *out and *count: the list, or NULL/0 when absent. */
mobinfer_status mbi_attr_ints(const mbi_node *node, const char *name, const int64_t **out,
                              size_t *count, mbi_error *err);
mobinfer_status mbi_attr_floats(const mbi_node *node, const char *name, const float **out,
                                size_t *count, mbi_error *err);
/* *out: the tensor, or NULL when absent. */
mobinfer_status mbi_attr_tensor(const mbi_node *node, const char *name,
                                const mbi_const_tensor **out, mbi_error *err);

#endif
