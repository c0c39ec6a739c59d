#include "opt/opt_graph.h"

#include "ir/attr.h"

#include <stdio.h>
#include <math.h>
#include <string.h>

static bool grow(mbi_opt_graph *og, void **array, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return true;
    int cap2 = *cap * 2 + 16;
    if (cap2 < need)
        cap2 = need;
    void *p = mbi_pool_alloc_array(og->pool, (size_t)cap2, elem);
    if (!p) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return false;
    }
    if (*array)
        memcpy(p, *array, (size_t)*cap * elem);
    *array = p;
    *cap = cap2;
    return true;
}

static const char *join_name(mbi_opt_graph *og, const char *base, const char *suffix)
{
    size_t n = strlen(base) + strlen(suffix) + 1;
    char *s = mbi_pool_alloc(og->pool, n);
    if (s)
        snprintf(s, n, "%s%s", base, suffix);
    return s;
}

int mbi_og_add_value(mbi_opt_graph *og, const char *base_name, const char *suffix,
                     mobinfer_dtype dtype, int rank, const int64_t *dims)
{
    int cap = og->cap_values;
    if (!grow(og, (void **)&og->g.values, &og->cap_values, og->g.n_values + 1,
              sizeof *og->g.values))
        return -1;
    if (og->uses && !grow(og, (void **)&og->uses, &cap, og->g.n_values + 1, sizeof(int)))
        return -1;
    const char *name = join_name(og, base_name, suffix);
    if (!name) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return -1;
    }
    int v = og->g.n_values++;
    mbi_value_decl *d = &og->g.values[v];
    memset(d, 0, sizeof *d);
    d->name = name;
    d->dtype = dtype;
    d->rank = rank;
    memcpy(d->dims, dims, sizeof(int64_t) * (size_t)rank);
    d->producer = -1;
    return v;
}

int mbi_og_add_const(mbi_opt_graph *og, const char *base_name, const char *suffix,
                     mobinfer_dtype dtype, int rank, const int64_t *dims, const void *data)
{
    int v = mbi_og_add_value(og, base_name, suffix, dtype, rank, dims);
    if (v < 0)
        return -1;
    mbi_const_tensor *t = mbi_pool_alloc(og->pool, sizeof *t);
    if (!t) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return -1;
    }
    mbi_value_decl *d = &og->g.values[v];
    t->name = d->name;
    t->dtype = dtype;
    t->onnx_dtype = 0;
    t->rank = rank;
    memcpy(t->dims, dims, sizeof(int64_t) * (size_t)rank);
    t->data = data;
    int64_t n = 1;
    for (int k = 0; k < rank; k++)
        n *= dims[k];
    t->bytes = (size_t)n * mbi_dtype_size(dtype);
    d->init = t;
    return v;
}

float *mbi_og_alloc_floats(mbi_opt_graph *og, size_t n)
{
    float *p = n <= SIZE_MAX / sizeof(float)
                   ? mbi_pool_alloc_aligned(og->pool, n * sizeof(float) + 1, 64)
                   : NULL;
    if (!p)
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    return p;
}

const float *mbi_og_const_f32(const mbi_opt_graph *og, int v)
{
    if (v < 0)
        return NULL;
    const mbi_const_tensor *t = og->g.values[v].init;
    if (!t || t->dtype != MOBINFER_DTYPE_FLOAT32 || !t->data)
        return NULL;
    return t->data;
}

bool mbi_og_per_channel(const mbi_opt_graph *og, int v, int r, int64_t c, size_t *stride)
{
    const mbi_value_decl *d = &og->g.values[v];
    if (!mbi_og_const_f32(og, v) || d->rank > r)
        return false;
    int64_t chan = 1;
    for (int k = 0; k < d->rank; k++) {
        int axis = r - d->rank + k;
        if (axis == 1)
            chan = d->dims[k];
        else if (d->dims[k] != 1)
            return false;
    }
    if (chan != 1 && chan != c)
        return false;
    *stride = chan == 1 ? 0 : 1;
    return true;
}

static int *copy_ints(mbi_pool *pool, const int *src, int n)
{
    int *p = mbi_pool_alloc_array(pool, (size_t)n + 1, sizeof(int));
    if (p && n)
        memcpy(p, src, sizeof(int) * (size_t)n);
    return p;
}

int mbi_og_append_node(mbi_opt_graph *og, const mbi_node *n)
{
    int cap = og->cap_nodes;
    if (!grow(og, (void **)&og->g.nodes, &og->cap_nodes, og->g.n_nodes + 1, sizeof *og->g.nodes))
        return -1;
    if (!grow(og, (void **)&og->removed, &cap, og->g.n_nodes + 1, sizeof(bool)))
        return -1;
    int *in = copy_ints(og->pool, n->inputs, n->n_inputs);
    int *out = copy_ints(og->pool, n->outputs, n->n_outputs);
    if (!in || !out) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return -1;
    }
    int i = og->g.n_nodes++;
    og->g.nodes[i] = *n;
    og->g.nodes[i].inputs = in;
    og->g.nodes[i].outputs = out;
    og->removed[i] = false;
    return i;
}

int *mbi_og_inputs(mbi_node *n)
{
    return (int *)n->inputs;
}

int *mbi_og_outputs(mbi_node *n)
{
    return (int *)n->outputs;
}

bool mbi_og_set_inputs(mbi_opt_graph *og, mbi_node *n, const int *inputs, int n_inputs)
{
    int *in = copy_ints(og->pool, inputs, n_inputs);
    if (!in) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return false;
    }
    n->inputs = in;
    n->n_inputs = n_inputs;
    return true;
}

/* A new attribute array with a slot for `name` (the existing one, or added). */
static mbi_attr *attr_slot(mbi_opt_graph *og, mbi_node *n, const char *name)
{
    mbi_attr *a = mbi_pool_alloc_array(og->pool, (size_t)n->n_attrs + 1, sizeof *a);
    if (!a) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    int slot = n->n_attrs;
    for (int i = 0; i < n->n_attrs; i++) {
        a[i] = n->attrs[i];
        if (strcmp(a[i].name, name) == 0)
            slot = i;
    }
    if (slot == n->n_attrs)
        n->n_attrs++;
    n->attrs = a;
    memset(&a[slot], 0, sizeof a[slot]);
    a[slot].name = name;
    return &a[slot];
}

bool mbi_og_set_attr_int(mbi_opt_graph *og, mbi_node *n, const char *name, int64_t v)
{
    mbi_attr *a = attr_slot(og, n, name);
    if (!a)
        return false;
    a->type = MBI_ATTR_INT;
    a->i = v;
    return true;
}

bool mbi_og_set_attr_float(mbi_opt_graph *og, mbi_node *n, const char *name, float v)
{
    mbi_attr *a = attr_slot(og, n, name);
    if (!a)
        return false;
    a->type = MBI_ATTR_FLOAT;
    a->f = v;
    return true;
}

bool mbi_og_set_attr_ints(mbi_opt_graph *og, mbi_node *n, const char *name, const int64_t *v,
                          size_t count)
{
    int64_t *copy = mbi_pool_alloc_array(og->pool, count + 1, sizeof(int64_t));
    mbi_attr *a = copy ? attr_slot(og, n, name) : NULL;
    if (!a) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return false;
    }
    memcpy(copy, v, count * sizeof *v);
    a->type = MBI_ATTR_INTS;
    a->ints = copy;
    a->count = count;
    return true;
}

bool mbi_og_remove_attr(mbi_opt_graph *og, mbi_node *n, const char *name)
{
    /* The attribute array may be the model's, shared by every session: copy. */
    mbi_attr *a = mbi_pool_alloc_array(og->pool, (size_t)n->n_attrs + 1, sizeof *a);
    if (!a) {
        mbi_fail(og->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
        return false;
    }
    int j = 0;
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) != 0)
            a[j++] = n->attrs[i];
    n->attrs = a;
    n->n_attrs = j;
    return true;
}

void mbi_og_count_uses(mbi_opt_graph *og)
{
    memset(og->uses, 0, sizeof(int) * (size_t)og->g.n_values);
    for (int i = 0; i < og->g.n_nodes; i++) {
        if (og->removed[i])
            continue;
        const mbi_node *n = &og->g.nodes[i];
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] >= 0)
                og->uses[n->inputs[k]]++;
    }
    for (int i = 0; i < og->g.n_outputs; i++)
        og->uses[og->g.outputs[i]]++;
}

int mbi_og_single_consumer(const mbi_opt_graph *og, int v, int *slot)
{
    if (v < 0 || og->uses[v] != 1)
        return -1;
    for (int i = 0; i < og->g.n_outputs; i++)
        if (og->g.outputs[i] == v)
            return -1;
    for (int i = 0; i < og->g.n_nodes; i++) {
        if (og->removed[i])
            continue;
        const mbi_node *n = &og->g.nodes[i];
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] == v) {
                if (slot)
                    *slot = k;
                return i;
            }
    }
    return -1;
}

int mbi_og_only_reader(const mbi_opt_graph *og, int v, const char *op_type)
{
    int i = mbi_og_single_consumer(og, v, NULL);
    return i >= 0 && mbi_og_is(&og->g.nodes[i], op_type) ? i : -1;
}

bool mbi_og_is_internal(const mbi_node *n, const char *op_type)
{
    return n->op_type && strcmp(n->op_type, op_type) == 0 &&
           strcmp(n->domain, MBI_INTERNAL_DOMAIN) == 0;
}

bool mbi_og_reduce_mean(const mbi_opt_graph *og, const mbi_node *n, int64_t *axes, int *count,
                        bool *keepdims)
{
    if (!mbi_og_is(n, "ReduceMean") || n->n_inputs != 1 || n->n_outputs != 1 || n->opset >= 18 ||
        n->inputs[0] < 0)
        return false;
    const int64_t *a;
    size_t c;
    int64_t keep;
    mbi_error e;
    mbi_error_clear(&e);
    int rank = og->g.values[n->inputs[0]].rank;
    if (mbi_attr_ints(n, "axes", &a, &c, &e) || !a || c > MBI_MAX_RANK ||
        mbi_attr_int(n, "keepdims", 1, &keep, &e))
        return false;
    for (size_t i = 0; i < c; i++) {
        axes[i] = a[i] < 0 ? a[i] + rank : a[i];
        if (axes[i] < 0 || axes[i] >= rank)
            return false;
    }
    *count = (int)c;
    *keepdims = keep != 0;
    return true;
}

int mbi_og_producer(const mbi_opt_graph *og, int v)
{
    for (int i = 0; i < og->g.n_nodes; i++) {
        if (og->removed[i])
            continue;
        const mbi_node *n = &og->g.nodes[i];
        for (int k = 0; k < n->n_outputs; k++)
            if (n->outputs[k] == v)
                return i;
    }
    return -1;
}

mobinfer_status mbi_og_visit_nodes(mbi_opt_graph *og,
                                   mobinfer_status (*visit)(mbi_opt_graph *og, int node))
{
    mbi_og_count_uses(og);
    for (int i = 0; i < og->g.n_nodes; i++) {
        if (og->removed[i])
            continue;
        mobinfer_status st = visit(og, i);
        if (st)
            return st;
    }
    mbi_og_compact(og);
    return MOBINFER_OK;
}

void mbi_og_compact(mbi_opt_graph *og)
{
    int j = 0;
    for (int i = 0; i < og->g.n_nodes; i++)
        if (!og->removed[i]) {
            og->g.nodes[j] = og->g.nodes[i];
            og->removed[j] = false;
            j++;
        }
    og->g.n_nodes = j;
    for (int v = 0; v < og->g.n_values; v++)
        og->g.values[v].producer = -1;
    for (int i = 0; i < og->g.n_nodes; i++)
        for (int k = 0; k < og->g.nodes[i].n_outputs; k++)
            if (og->g.nodes[i].outputs[k] >= 0)
                og->g.values[og->g.nodes[i].outputs[k]].producer = i;
}

bool mbi_og_is(const mbi_node *n, const char *op_type)
{
    return n->op_type && strcmp(n->op_type, op_type) == 0 &&
           (n->domain[0] == 0 || strcmp(n->domain, "ai.onnx") == 0);
}

bool mbi_og_const_scalar(const mbi_opt_graph *og, int v, float *out)
{
    const float *d = mbi_og_const_f32(og, v);
    if (!d || og->g.values[v].init->bytes != sizeof(float))
        return false;
    *out = d[0];
    return true;
}

bool mbi_og_other_is_scalar(const mbi_opt_graph *og, const mbi_node *n, int v, float want)
{
    if (n->n_inputs != 2)
        return false;
    const int o = n->inputs[0] == v ? n->inputs[1] : n->inputs[0];
    float f;
    return mbi_og_const_scalar(og, o, &f) && fabsf(f - want) <= 1e-6f * fabsf(want);
}
