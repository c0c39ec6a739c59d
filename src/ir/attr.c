#include "ir/attr.h"

#include <string.h>

const mbi_attr *mbi_attr_find(const mbi_node *node, const char *name)
{
    for (int i = 0; i < node->n_attrs; i++)
        if (strcmp(node->attrs[i].name, name) == 0)
            return &node->attrs[i];
    return NULL;
}

static mobinfer_status wrong_type(const char *name, const char *want, mbi_error *err)
{
    return mbi_fail(err, MOBINFER_ERR_INVALID_MODEL, "attribute '%s' must be %s", name, want);
}

mobinfer_status mbi_attr_int(const mbi_node *node, const char *name, int64_t def, int64_t *out,
                             mbi_error *err)
{
    const mbi_attr *a = mbi_attr_find(node, name);
    if (!a) {
        *out = def;
        return MOBINFER_OK;
    }
    if (a->type != MBI_ATTR_INT)
        return wrong_type(name, "an integer", err);
    *out = a->i;
    return MOBINFER_OK;
}

mobinfer_status mbi_attr_float(const mbi_node *node, const char *name, float def, float *out,
                               mbi_error *err)
{
    const mbi_attr *a = mbi_attr_find(node, name);
    if (!a) {
        *out = def;
        return MOBINFER_OK;
    }
    if (a->type != MBI_ATTR_FLOAT)
        return wrong_type(name, "a float", err);
    *out = a->f;
    return MOBINFER_OK;
}

mobinfer_status mbi_attr_string(const mbi_node *node, const char *name, const char *def,
                                const char **out, mbi_error *err)
{
    const mbi_attr *a = mbi_attr_find(node, name);
    if (!a) {
        *out = def;
        return MOBINFER_OK;
    }
    if (a->type != MBI_ATTR_STRING)
        return wrong_type(name, "a string", err);
    *out = a->s ? a->s : "";
    return MOBINFER_OK;
}

mobinfer_status mbi_attr_ints(const mbi_node *node, const char *name, const int64_t **out,
                              size_t *count, mbi_error *err)
{
    const mbi_attr *a = mbi_attr_find(node, name);
    if (!a) {
        *out = NULL;
        *count = 0;
        return MOBINFER_OK;
    }
    if (a->type != MBI_ATTR_INTS)
        return wrong_type(name, "a list of integers", err);
    *out = a->ints;
    *count = a->count;
    return MOBINFER_OK;
}

mobinfer_status mbi_attr_floats(const mbi_node *node, const char *name, const float **out,
                                size_t *count, mbi_error *err)
{
    const mbi_attr *a = mbi_attr_find(node, name);
    if (!a) {
        *out = NULL;
        *count = 0;
        return MOBINFER_OK;
    }
    if (a->type != MBI_ATTR_FLOATS)
        return wrong_type(name, "a list of floats", err);
    *out = a->floats;
    *count = a->count;
    return MOBINFER_OK;
}

mobinfer_status mbi_attr_tensor(const mbi_node *node, const char *name,
                                const mbi_const_tensor **out, mbi_error *err)
{
    const mbi_attr *a = mbi_attr_find(node, name);
    if (!a) {
        *out = NULL;
        return MOBINFER_OK;
    }
    if (a->type != MBI_ATTR_TENSOR)
        return wrong_type(name, "a tensor", err);
    *out = a->t;
    return MOBINFER_OK;
}
