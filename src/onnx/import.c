#include "onnx/import.h"

#include <string.h>

#include "core/strmap.h"
#include "onnx/wire.h"
#include "ops/op.h"

/* Field numbers of onnx.proto (ModelProto and the messages under it). */
enum { MP_IR_VERSION = 1, MP_GRAPH = 7, MP_OPSET_IMPORT = 8, MP_FUNCTIONS = 25 };
enum { OS_DOMAIN = 1, OS_VERSION = 2 };
enum {
    GP_NODE = 1,
    GP_INITIALIZER = 5,
    GP_INPUT = 11,
    GP_OUTPUT = 12,
    GP_VALUE_INFO = 13,
    GP_SPARSE_INITIALIZER = 15
};
enum { NP_INPUT = 1, NP_OUTPUT = 2, NP_NAME = 3, NP_OP_TYPE = 4, NP_ATTRIBUTE = 5, NP_DOMAIN = 7 };
enum {
    AP_NAME = 1,
    AP_F = 2,
    AP_I = 3,
    AP_S = 4,
    AP_T = 5,
    AP_G = 6,
    AP_FLOATS = 7,
    AP_INTS = 8,
    AP_STRINGS = 9,
    AP_TENSORS = 10,
    AP_GRAPHS = 11,
    AP_TP = 14,
    AP_TYPE_PROTOS = 15,
    AP_TYPE = 20,
    AP_SPARSE_TENSOR = 22,
    AP_SPARSE_TENSORS = 23
};
enum { VI_NAME = 1, VI_TYPE = 2 };
enum { TY_TENSOR = 1 };
enum { TT_ELEM_TYPE = 1, TT_SHAPE = 2 };
enum { SH_DIM = 1 };
enum { DIM_VALUE = 1, DIM_PARAM = 2 };

#define MAX_OPSET_IMPORTS 64

typedef struct span {
    const uint8_t *data;
    size_t size;
} span;

typedef struct opset_entry {
    const char *domain;
    int64_t version;
} opset_entry;

typedef struct importer {
    mbi_pool *pool;
    const mobinfer_limits *limits;
    mbi_error *err;
    mbi_tensor_decoder decoder;
    opset_entry opsets[MAX_OPSET_IMPORTS];
    int n_opsets;
    mbi_graph *g;
    mbi_strmap names;
    int max_values;
    /* Per node, the input names until they are resolved. */
    const char ***node_input_names;
} importer;

static mobinfer_status parse_error(importer *im, const char *what)
{
    return mbi_fail(im->err, MOBINFER_ERR_PARSE, "malformed model: %s", what);
}

static mobinfer_status oom(importer *im)
{
    return mbi_fail(im->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory while importing");
}

static mobinfer_status string_too_long(importer *im, const char *what, size_t size)
{
    return mbi_fail(im->err, MOBINFER_ERR_LIMIT,
                    "%s of %zu bytes is longer than the limit of %llu (max_attribute_elements)",
                    what, size, (unsigned long long)im->limits->max_attribute_elements);
}

/* Names and other strings are bounded like attribute strings, so a hostile
 * name cannot make the pool copy gigabytes; an over-long one is a limit, not
 * a malformed file. */
static mobinfer_status read_string(importer *im, const mbi_wire_field *f, const char *what,
                                   const char **out)
{
    if (f->type != MBI_WIRE_LEN)
        return parse_error(im, what);
    if (f->size > im->limits->max_attribute_elements)
        return string_too_long(im, what, f->size);
    if (memchr(f->data, '\0', f->size))
        return parse_error(im, what);
    if (!(*out = mbi_pool_strndup(im->pool, (const char *)f->data, f->size)))
        return oom(im);
    return MOBINFER_OK;
}

static bool is_default_domain(const char *d)
{
    return d[0] == '\0' || strcmp(d, "ai.onnx") == 0;
}

/* ---- opsets -------------------------------------------------------------- */

static mobinfer_status read_opset(importer *im, const uint8_t *data, size_t size)
{
    if (im->n_opsets >= MAX_OPSET_IMPORTS)
        return mbi_fail(im->err, MOBINFER_ERR_LIMIT, "model imports more than %d opsets",
                        MAX_OPSET_IMPORTS);
    mbi_wire w = mbi_wire_make(data, size);
    mbi_wire_field f;
    opset_entry e = {"", 0};
    mobinfer_status st;
    while (mbi_wire_next(&w, &f)) {
        if (f.number == OS_DOMAIN) {
            if ((st = read_string(im, &f, "opset_import domain", &e.domain)))
                return st;
        } else if (f.number == OS_VERSION && f.type == MBI_WIRE_VARINT) {
            e.version = (int64_t)f.varint;
        }
    }
    if (w.bad)
        return parse_error(im, "opset_import");
    im->opsets[im->n_opsets++] = e;
    return MOBINFER_OK;
}

static int64_t opset_of(const importer *im, const char *domain)
{
    bool def = is_default_domain(domain);
    for (int i = 0; i < im->n_opsets; i++) {
        if (def ? is_default_domain(im->opsets[i].domain)
                : strcmp(im->opsets[i].domain, domain) == 0)
            return im->opsets[i].version;
    }
    return -1;
}

/* ---- value infos ----------------------------------------------------------- */

static mobinfer_status read_shape(importer *im, const uint8_t *data, size_t size,
                                  mbi_value_decl *v)
{
    mbi_wire w = mbi_wire_make(data, size);
    mbi_wire_field f;
    v->rank = 0;
    while (mbi_wire_next(&w, &f)) {
        if (f.number != SH_DIM || f.type != MBI_WIRE_LEN)
            continue;
        if (v->rank >= MBI_MAX_RANK)
            return mbi_fail(im->err, MOBINFER_ERR_UNSUPPORTED,
                            "value '%s' has more than %d dimensions", v->name, MBI_MAX_RANK);
        int k = v->rank++;
        v->dims[k] = -1;
        v->dim_names[k] = NULL;
        mbi_wire dw = mbi_wire_make(f.data, f.size);
        mbi_wire_field df;
        while (mbi_wire_next(&dw, &df)) {
            if (df.number == DIM_VALUE && df.type == MBI_WIRE_VARINT) {
                int64_t d = (int64_t)df.varint;
                v->dims[k] = d >= 0 ? d : -1;
            } else if (df.number == DIM_PARAM) {
                const char *s;
                mobinfer_status st = read_string(im, &df, "dim_param", &s);
                if (st)
                    return st;
                /* "?" is how some exporters (paddle2onnx) write "unknown":
                 * each such dimension is its own free dimension. */
                if (s[0] && strcmp(s, "?") != 0)
                    v->dim_names[k] = s;
            }
        }
        if (dw.bad)
            return parse_error(im, "tensor shape dimension");
    }
    if (w.bad)
        return parse_error(im, "tensor shape");
    return MOBINFER_OK;
}

/* Reads name and (tensor) type of a ValueInfoProto into v. */
static mobinfer_status read_value_info(importer *im, const uint8_t *data, size_t size,
                                       mbi_value_decl *v)
{
    mbi_wire w = mbi_wire_make(data, size);
    mbi_wire_field f;
    v->name = NULL;
    v->dtype = MOBINFER_DTYPE_UNDEFINED;
    v->onnx_dtype = 0;
    v->rank = -1;
    v->producer = -1;
    span type = {NULL, 0};
    mobinfer_status st;
    while (mbi_wire_next(&w, &f)) {
        if (f.number == VI_NAME) {
            if ((st = read_string(im, &f, "value name", &v->name)))
                return st;
        } else if (f.number == VI_TYPE && f.type == MBI_WIRE_LEN) {
            type.data = f.data;
            type.size = f.size;
        }
    }
    if (w.bad)
        return parse_error(im, "ValueInfoProto");
    if (!v->name || !v->name[0])
        return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL, "a graph input or output has no name");
    if (!type.data)
        return MOBINFER_OK;
    mbi_wire tw = mbi_wire_make(type.data, type.size);
    while (mbi_wire_next(&tw, &f)) {
        if (f.number != TY_TENSOR || f.type != MBI_WIRE_LEN)
            continue; /* sequence, map, optional: left undeclared */
        mbi_wire tt = mbi_wire_make(f.data, f.size);
        mbi_wire_field g;
        while (mbi_wire_next(&tt, &g)) {
            if (g.number == TT_ELEM_TYPE && g.type == MBI_WIRE_VARINT) {
                v->onnx_dtype = (int)(int32_t)g.varint;
                switch (v->onnx_dtype) {
                case 1: case 2: case 3: case 6: case 7: case 9:
                    v->dtype = (mobinfer_dtype)v->onnx_dtype;
                    break;
                default:
                    v->dtype = MOBINFER_DTYPE_UNDEFINED;
                }
            } else if (g.number == TT_SHAPE && g.type == MBI_WIRE_LEN) {
                if ((st = read_shape(im, g.data, g.size, v)))
                    return st;
            }
        }
        if (tt.bad)
            return parse_error(im, "tensor type");
    }
    if (tw.bad)
        return parse_error(im, "TypeProto");
    return MOBINFER_OK;
}

/* ---- values -------------------------------------------------------------------- */

static int add_value(importer *im, const char *name)
{
    mbi_graph *g = im->g;
    if (g->n_values >= im->max_values)
        return -1;
    int idx = g->n_values++;
    mbi_value_decl *v = &g->values[idx];
    memset(v, 0, sizeof *v);
    v->name = name;
    v->rank = -1;
    v->producer = -1;
    if (!mbi_strmap_put(&im->names, name, idx))
        return -1;
    return idx;
}

static mobinfer_status too_many_values(importer *im)
{
    return mbi_fail(im->err, MOBINFER_ERR_LIMIT,
                    "the graph has more named values than the limit of %llu (max_values)",
                    (unsigned long long)im->limits->max_values);
}

/* ---- attributes ---------------------------------------------------------------- */

static mobinfer_status count_elems(importer *im, const mbi_wire_field *f, int fixed, size_t *n)
{
    if (f->type == MBI_WIRE_LEN) {
        if (fixed) {
            if (f->size % 4)
                return parse_error(im, "packed floats");
            *n += f->size / 4;
        } else {
            int64_t c = mbi_wire_count_varints(f->data, f->size);
            if (c < 0)
                return parse_error(im, "packed ints");
            *n += (size_t)c;
        }
    } else {
        *n += 1;
    }
    return MOBINFER_OK;
}

static mobinfer_status read_attribute(importer *im, const uint8_t *data, size_t size,
                                      mbi_attr *a)
{
    memset(a, 0, sizeof *a);
    mbi_wire w = mbi_wire_make(data, size);
    mbi_wire_field f;
    size_t n_floats = 0, n_ints = 0, n_strings = 0;
    bool has[32] = {false};
    mobinfer_status st;
    /* First pass: scalars and counts. */
    while (mbi_wire_next(&w, &f)) {
        if (f.number < 32)
            has[f.number] = true;
        switch (f.number) {
        case AP_NAME:
            if ((st = read_string(im, &f, "attribute name", &a->name)))
                return st;
            break;
        case AP_TYPE:
            a->type = (mbi_attr_type)(int)f.varint;
            break;
        case AP_F:
            if (f.type != MBI_WIRE_FIXED32)
                return parse_error(im, "attribute f");
            a->f = mbi_wire_as_float(f.varint);
            break;
        case AP_I:
            if (f.type != MBI_WIRE_VARINT)
                return parse_error(im, "attribute i");
            a->i = (int64_t)f.varint;
            break;
        case AP_S:
            if (f.type != MBI_WIRE_LEN)
                return parse_error(im, "attribute s");
            if (f.size > im->limits->max_attribute_elements)
                return string_too_long(im, "a string attribute", f.size);
            /* Strings may hold bytes; keep a NUL-terminated copy. */
            if (!(a->s = mbi_pool_strndup(im->pool, (const char *)f.data, f.size)))
                return oom(im);
            a->s_len = f.size;
            break;
        case AP_T: {
            if (f.type != MBI_WIRE_LEN)
                return parse_error(im, "attribute t");
            mbi_const_tensor *t = mbi_pool_alloc(im->pool, sizeof *t);
            if (!t)
                return oom(im);
            if ((st = mbi_onnx_decode_tensor(&im->decoder, f.data, f.size, t)))
                return st;
            a->t = t;
            break;
        }
        case AP_FLOATS:
            if (f.type != MBI_WIRE_LEN && f.type != MBI_WIRE_FIXED32)
                return parse_error(im, "attribute floats");
            if ((st = count_elems(im, &f, 1, &n_floats)))
                return st;
            break;
        case AP_INTS:
            if (f.type != MBI_WIRE_LEN && f.type != MBI_WIRE_VARINT)
                return parse_error(im, "attribute ints");
            if ((st = count_elems(im, &f, 0, &n_ints)))
                return st;
            break;
        case AP_STRINGS:
            n_strings++;
            break;
        default:
            break;
        }
    }
    if (w.bad)
        return parse_error(im, "AttributeProto");
    if (!a->name || !a->name[0])
        return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL, "an attribute has no name");
    if (a->type == MBI_ATTR_UNDEFINED) {
        /* Files from before IR version 2 have no type field. */
        if (has[AP_FLOATS]) a->type = MBI_ATTR_FLOATS;
        else if (has[AP_INTS]) a->type = MBI_ATTR_INTS;
        else if (has[AP_STRINGS]) a->type = MBI_ATTR_STRINGS;
        else if (has[AP_F]) a->type = MBI_ATTR_FLOAT;
        else if (has[AP_I]) a->type = MBI_ATTR_INT;
        else if (has[AP_S]) a->type = MBI_ATTR_STRING;
        else if (has[AP_T]) a->type = MBI_ATTR_TENSOR;
        else if (has[AP_G]) a->type = MBI_ATTR_GRAPH;
    }
    if (a->type == MBI_ATTR_STRING && !a->s) {
        a->s = ""; /* a string attribute with no value is the empty string */
        a->s_len = 0;
    }
    size_t lim = im->limits->max_attribute_elements;
    if (n_floats > lim || n_ints > lim || n_strings > lim) {
        size_t n = n_floats > n_ints ? n_floats : n_ints;
        if (n_strings > n)
            n = n_strings;
        return mbi_fail(im->err, MOBINFER_ERR_LIMIT,
                        "attribute '%s' has %zu elements, more than the limit of %llu "
                        "(max_attribute_elements)",
                        a->name, n, (unsigned long long)lim);
    }
    if (a->type == MBI_ATTR_FLOATS || a->type == MBI_ATTR_INTS || a->type == MBI_ATTR_STRINGS) {
        float *fl = NULL;
        int64_t *in = NULL;
        const char **ss = NULL;
        if (a->type == MBI_ATTR_FLOATS && !(fl = mbi_pool_alloc_array(im->pool, n_floats, 4)))
            return oom(im);
        if (a->type == MBI_ATTR_INTS && !(in = mbi_pool_alloc_array(im->pool, n_ints, 8)))
            return oom(im);
        if (a->type == MBI_ATTR_STRINGS &&
            !(ss = mbi_pool_alloc_array(im->pool, n_strings, sizeof *ss)))
            return oom(im);
        size_t k = 0;
        w = mbi_wire_make(data, size);
        while (mbi_wire_next(&w, &f)) {
            if (a->type == MBI_ATTR_FLOATS && f.number == AP_FLOATS) {
                if (f.type == MBI_WIRE_LEN) {
                    memcpy(fl + k, f.data, f.size);
                    k += f.size / 4;
                } else {
                    fl[k++] = mbi_wire_as_float(f.varint);
                }
            } else if (a->type == MBI_ATTR_INTS && f.number == AP_INTS) {
                if (f.type == MBI_WIRE_LEN) {
                    const uint8_t *p = f.data, *end = f.data + f.size;
                    uint64_t v;
                    while (p < end && mbi_wire_read_varint(&p, end, &v))
                        in[k++] = (int64_t)v;
                } else {
                    in[k++] = (int64_t)f.varint;
                }
            } else if (a->type == MBI_ATTR_STRINGS && f.number == AP_STRINGS) {
                if (f.type != MBI_WIRE_LEN)
                    return parse_error(im, "attribute strings");
                if (f.size > lim)
                    return string_too_long(im, "a string of a strings attribute", f.size);
                if (!(ss[k++] = mbi_pool_strndup(im->pool, (const char *)f.data, f.size)))
                    return oom(im);
            }
        }
        a->floats = fl;
        a->ints = in;
        a->strings = ss;
        a->count = a->type == MBI_ATTR_FLOATS ? n_floats
                   : a->type == MBI_ATTR_INTS ? n_ints
                                              : n_strings;
    }
    if (a->type == MBI_ATTR_TENSOR && !a->t)
        return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL, "attribute '%s' has no tensor",
                        a->name);
    return MOBINFER_OK;
}

/* ---- nodes --------------------------------------------------------------------- */

typedef struct node_counts {
    int inputs, outputs, attrs;
} node_counts;

static mobinfer_status count_node(importer *im, span s, node_counts *c)
{
    mbi_wire w = mbi_wire_make(s.data, s.size);
    mbi_wire_field f;
    memset(c, 0, sizeof *c);
    while (mbi_wire_next(&w, &f)) {
        if (f.number == NP_INPUT)
            c->inputs++;
        else if (f.number == NP_OUTPUT)
            c->outputs++;
        else if (f.number == NP_ATTRIBUTE)
            c->attrs++;
        if (c->inputs > 65536 || c->outputs > 65536 || c->attrs > 65536)
            return mbi_fail(im->err, MOBINFER_ERR_LIMIT, "a node has more than 65536 inputs, "
                                                         "outputs or attributes");
    }
    if (w.bad)
        return parse_error(im, "NodeProto");
    return MOBINFER_OK;
}

static mobinfer_status read_node(importer *im, int index, span s)
{
    mbi_node *n = &im->g->nodes[index];
    node_counts c;
    mobinfer_status st = count_node(im, s, &c);
    if (st)
        return st;
    int *outputs = mbi_pool_alloc_array(im->pool, (size_t)c.outputs, sizeof(int));
    mbi_attr *attrs = mbi_pool_alloc_array(im->pool, (size_t)c.attrs, sizeof(mbi_attr));
    const char **in_names = mbi_pool_alloc_array(im->pool, (size_t)c.inputs, sizeof(char *));
    if (!outputs || !attrs || !in_names)
        return oom(im);
    n->name = "";
    n->op_type = NULL;
    n->domain = "";
    const char **out_names = mbi_pool_alloc_array(im->pool, (size_t)c.outputs, sizeof(char *));
    if (!out_names)
        return oom(im);
    int ni = 0, no = 0, na = 0;
    mbi_wire w = mbi_wire_make(s.data, s.size);
    mbi_wire_field f;
    while (mbi_wire_next(&w, &f)) {
        switch (f.number) {
        case NP_INPUT:
            if ((st = read_string(im, &f, "node input name", &in_names[ni++])))
                return st;
            break;
        case NP_OUTPUT:
            if ((st = read_string(im, &f, "node output name", &out_names[no++])))
                return st;
            break;
        case NP_NAME:
            if ((st = read_string(im, &f, "node name", &n->name)))
                return st;
            break;
        case NP_OP_TYPE:
            if ((st = read_string(im, &f, "node op_type", &n->op_type)))
                return st;
            break;
        case NP_DOMAIN:
            if ((st = read_string(im, &f, "node domain", &n->domain)))
                return st;
            break;
        case NP_ATTRIBUTE:
            if (f.type != MBI_WIRE_LEN)
                return parse_error(im, "node attribute");
            if ((st = read_attribute(im, f.data, f.size, &attrs[na]))) {
                mbi_error_prefix(im->err, "node '%s'", n->name);
                return st;
            }
            na++;
            break;
        default:
            break;
        }
    }
    if (!n->op_type || !n->op_type[0])
        return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL, "node %d ('%s') has no op_type",
                        index, n->name);
    n->n_inputs = ni;
    n->n_outputs = no;
    n->n_attrs = na;
    n->attrs = attrs;
    n->outputs = outputs;
    im->node_input_names[index] = in_names;

    int64_t opset = opset_of(im, n->domain);
    if (opset < 0)
        return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL,
                        "node '%s' (%s) uses domain '%s', which the model does not import",
                        n->name, n->op_type, n->domain);
    n->opset = (int)(opset > 100000 ? 100000 : opset);
    if (!mbi_op_find(n->domain, n->op_type))
        return mbi_fail(im->err, MOBINFER_ERR_UNSUPPORTED,
                        "node '%s': operator %s%s%s is not supported by mobinfer", n->name,
                        n->domain[0] ? n->domain : "", n->domain[0] ? "." : "", n->op_type);

    for (int k = 0; k < no; k++) {
        if (!out_names[k][0]) {
            outputs[k] = -1;
            continue;
        }
        if (mbi_strmap_get(&im->names, out_names[k]) >= 0)
            return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL,
                            "node '%s' (%s): output '%s' is already defined elsewhere in the graph",
                            n->name, n->op_type, out_names[k]);
        int v = add_value(im, out_names[k]);
        if (v < 0)
            return too_many_values(im);
        im->g->values[v].producer = index;
        outputs[k] = v;
    }
    return MOBINFER_OK;
}

static mobinfer_status resolve_node_inputs(importer *im)
{
    mbi_graph *g = im->g;
    for (int i = 0; i < g->n_nodes; i++) {
        mbi_node *n = &g->nodes[i];
        int *inputs = mbi_pool_alloc_array(im->pool, (size_t)n->n_inputs, sizeof(int));
        if (!inputs)
            return oom(im);
        for (int k = 0; k < n->n_inputs; k++) {
            const char *name = im->node_input_names[i][k];
            if (!name[0]) {
                inputs[k] = -1;
                continue;
            }
            int v = mbi_strmap_get(&im->names, name);
            if (v < 0)
                return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL,
                                "node '%s' (%s): input '%s' is not a graph input, an initializer "
                                "or the output of any node",
                                n->name, n->op_type, name);
            inputs[k] = v;
        }
        n->inputs = inputs;
    }
    return MOBINFER_OK;
}

/* Kahn's algorithm; a leftover node lies on a cycle. */
static mobinfer_status sort_topologically(importer *im)
{
    mbi_graph *g = im->g;
    int n = g->n_nodes;
    int *pending = mbi_pool_alloc_array(im->pool, (size_t)n + 1, sizeof(int));
    int *order = mbi_pool_alloc_array(im->pool, (size_t)n + 1, sizeof(int));
    int *consumers_start = mbi_pool_alloc_array(im->pool, (size_t)g->n_values + 1, sizeof(int));
    if (!pending || !order || !consumers_start)
        return oom(im);
    size_t edges = 0;
    for (int i = 0; i < n; i++)
        edges += (size_t)g->nodes[i].n_inputs;
    int *consumers = mbi_pool_alloc_array(im->pool, edges + 1, sizeof(int));
    int *fill = mbi_pool_alloc_array(im->pool, (size_t)g->n_values + 1, sizeof(int));
    if (!consumers || !fill)
        return oom(im);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int v = g->nodes[i].inputs[k];
            if (v >= 0 && g->values[v].producer >= 0) {
                pending[i]++;
                consumers_start[v + 1]++;
            }
        }
    for (int v = 0; v < g->n_values; v++)
        consumers_start[v + 1] += consumers_start[v];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int v = g->nodes[i].inputs[k];
            if (v >= 0 && g->values[v].producer >= 0)
                consumers[consumers_start[v] + fill[v]++] = i;
        }
    int head = 0, tail = 0;
    for (int i = 0; i < n; i++)
        if (pending[i] == 0)
            order[tail++] = i;
    while (head < tail) {
        int i = order[head++];
        const mbi_node *nd = &g->nodes[i];
        for (int k = 0; k < nd->n_outputs; k++) {
            int v = nd->outputs[k];
            if (v < 0)
                continue;
            for (int c = consumers_start[v]; c < consumers_start[v + 1]; c++)
                if (--pending[consumers[c]] == 0)
                    order[tail++] = consumers[c];
        }
    }
    if (tail < n) {
        for (int i = 0; i < n; i++)
            if (pending[i] > 0)
                return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL,
                                "the graph has a cycle through node '%s' (%s)", g->nodes[i].name,
                                g->nodes[i].op_type);
    }
    mbi_node *sorted = mbi_pool_alloc_array(im->pool, (size_t)n + 1, sizeof(mbi_node));
    int *new_index = pending; /* reuse: old index → new index */
    if (!sorted)
        return oom(im);
    for (int i = 0; i < n; i++) {
        sorted[i] = g->nodes[order[i]];
        new_index[order[i]] = i;
    }
    for (int v = 0; v < g->n_values; v++)
        if (g->values[v].producer >= 0)
            g->values[v].producer = new_index[g->values[v].producer];
    g->nodes = sorted;
    return MOBINFER_OK;
}

/* Longest chain of nodes, in the sorted order (producers come first). */
static mobinfer_status check_depth(importer *im)
{
    const mbi_graph *g = im->g;
    int *depth = mbi_pool_alloc_array(im->pool, (size_t)g->n_nodes + 1, sizeof(int));
    if (!depth)
        return oom(im);
    for (int i = 0; i < g->n_nodes; i++) {
        const mbi_node *n = &g->nodes[i];
        int d = 0;
        for (int k = 0; k < n->n_inputs; k++) {
            int v = n->inputs[k];
            int p = v >= 0 ? g->values[v].producer : -1;
            if (p >= 0 && depth[p] > d)
                d = depth[p];
        }
        depth[i] = d + 1;
        if ((uint64_t)depth[i] > im->limits->max_graph_depth) {
            /* Exporters often leave nodes unnamed; the output names them. */
            int out = n->n_outputs > 0 ? n->outputs[0] : -1;
            return mbi_fail(im->err, MOBINFER_ERR_LIMIT,
                            "node '%s' (%s, output '%s') is %d nodes deep, more than the graph "
                            "depth limit of %llu (max_graph_depth)",
                            n->name, n->op_type, out >= 0 ? g->values[out].name : "", depth[i],
                            (unsigned long long)im->limits->max_graph_depth);
        }
    }
    return MOBINFER_OK;
}

/* ---- graph ---------------------------------------------------------------------- */

typedef struct graph_spans {
    span *nodes, *inits, *inputs, *outputs, *infos;
    size_t n_nodes, n_inits, n_inputs, n_outputs, n_infos;
} graph_spans;

static mobinfer_status collect_graph(importer *im, const uint8_t *data, size_t size,
                                     graph_spans *gs)
{
    memset(gs, 0, sizeof *gs);
    mbi_wire w = mbi_wire_make(data, size);
    mbi_wire_field f;
    while (mbi_wire_next(&w, &f)) {
        if (f.type != MBI_WIRE_LEN)
            continue;
        switch (f.number) {
        case GP_NODE: gs->n_nodes++; break;
        case GP_INITIALIZER: gs->n_inits++; break;
        case GP_INPUT: gs->n_inputs++; break;
        case GP_OUTPUT: gs->n_outputs++; break;
        case GP_VALUE_INFO: gs->n_infos++; break;
        case GP_SPARSE_INITIALIZER:
            return mbi_fail(im->err, MOBINFER_ERR_UNSUPPORTED,
                            "sparse initializers are not supported");
        default: break;
        }
    }
    if (w.bad)
        return parse_error(im, "GraphProto");
    const mobinfer_limits *L = im->limits;
    if (gs->n_nodes > L->max_nodes)
        return mbi_fail(im->err, MOBINFER_ERR_LIMIT,
                        "the graph has %zu nodes, more than the limit of %llu (max_nodes)",
                        gs->n_nodes, (unsigned long long)L->max_nodes);
    /* Initializers that old exporters also list as inputs count here: the
     * check has to come before the names are read. */
    if (gs->n_inputs > L->max_graph_inputs || gs->n_outputs > L->max_graph_inputs)
        return mbi_fail(im->err, MOBINFER_ERR_LIMIT,
                        "the graph has %zu %s, more than the limit of %llu (max_graph_inputs)",
                        gs->n_inputs > L->max_graph_inputs ? gs->n_inputs : gs->n_outputs,
                        gs->n_inputs > L->max_graph_inputs ? "inputs" : "outputs",
                        (unsigned long long)L->max_graph_inputs);
    if (gs->n_inits > L->max_values)
        return too_many_values(im);
    gs->nodes = mbi_pool_alloc_array(im->pool, gs->n_nodes + 1, sizeof(span));
    gs->inits = mbi_pool_alloc_array(im->pool, gs->n_inits + 1, sizeof(span));
    gs->inputs = mbi_pool_alloc_array(im->pool, gs->n_inputs + 1, sizeof(span));
    gs->outputs = mbi_pool_alloc_array(im->pool, gs->n_outputs + 1, sizeof(span));
    gs->infos = mbi_pool_alloc_array(im->pool, gs->n_infos + 1, sizeof(span));
    if (!gs->nodes || !gs->inits || !gs->inputs || !gs->outputs || !gs->infos)
        return oom(im);
    size_t a = 0, b = 0, c = 0, d = 0, e = 0;
    w = mbi_wire_make(data, size);
    while (mbi_wire_next(&w, &f)) {
        if (f.type != MBI_WIRE_LEN)
            continue;
        span s = {f.data, f.size};
        switch (f.number) {
        case GP_NODE: gs->nodes[a++] = s; break;
        case GP_INITIALIZER: gs->inits[b++] = s; break;
        case GP_INPUT: gs->inputs[c++] = s; break;
        case GP_OUTPUT: gs->outputs[d++] = s; break;
        case GP_VALUE_INFO: gs->infos[e++] = s; break;
        default: break;
        }
    }
    return MOBINFER_OK;
}

/* The decoder copies an initializer's data into the pool when it is
 * misaligned or stored in typed fields, so the running total is enforced by
 * capping the decoder's per-tensor byte limit at what the total has left:
 * an initializer that would overflow it fails before its copy is made. */
static mobinfer_status decode_initializer(importer *im, span s, mbi_const_tensor *t)
{
    const mobinfer_limits *L = im->limits;
    uint64_t left = L->max_initializer_bytes - im->g->initializer_bytes;
    mbi_tensor_decoder d = im->decoder;
    mobinfer_limits capped = *L;
    bool budget_binds = left < L->max_tensor_bytes;
    if (budget_binds) {
        capped.max_tensor_bytes = left;
        d.limits = &capped;
    }
    mobinfer_status st = mbi_onnx_decode_tensor(&d, s.data, s.size, t);
    /* The decoder sets dtype just before its byte check and bytes just after
     * it, so a LIMIT with a dtype and no bytes is that check failing. */
    if (st == MOBINFER_ERR_LIMIT && budget_binds && t->dtype != MOBINFER_DTYPE_UNDEFINED &&
        t->bytes == 0)
        return mbi_fail(im->err, MOBINFER_ERR_LIMIT,
                        "tensor '%s' brings the initializers past the limit of %llu bytes "
                        "(max_initializer_bytes)",
                        t->name ? t->name : "", (unsigned long long)L->max_initializer_bytes);
    return st;
}

static void copy_declared_type(mbi_value_decl *dst, const mbi_value_decl *src)
{
    dst->dtype = src->dtype;
    dst->onnx_dtype = src->onnx_dtype;
    dst->rank = src->rank;
    memcpy(dst->dims, src->dims, sizeof dst->dims);
    memcpy(dst->dim_names, src->dim_names, sizeof dst->dim_names);
}

static mobinfer_status import_graph(importer *im, const uint8_t *data, size_t size)
{
    mbi_graph *g = im->g;
    graph_spans gs;
    mobinfer_status st = collect_graph(im, data, size, &gs);
    if (st)
        return st;

    /* Upper bound of distinct names: every initializer, input and node output. */
    size_t bound = gs.n_inits + gs.n_inputs + 1;
    for (size_t i = 0; i < gs.n_nodes; i++) {
        node_counts c;
        if ((st = count_node(im, gs.nodes[i], &c)))
            return st;
        bound += (size_t)c.outputs;
    }
    if (bound > im->limits->max_values)
        bound = im->limits->max_values;
    im->max_values = (int)bound;
    g->values = mbi_pool_alloc_array(im->pool, bound + 1, sizeof(mbi_value_decl));
    g->nodes = mbi_pool_alloc_array(im->pool, gs.n_nodes + 1, sizeof(mbi_node));
    im->node_input_names = mbi_pool_alloc_array(im->pool, gs.n_nodes + 1, sizeof(char **));
    g->inputs = mbi_pool_alloc_array(im->pool, gs.n_inputs + 1, sizeof(int));
    g->outputs = mbi_pool_alloc_array(im->pool, gs.n_outputs + 1, sizeof(int));
    if (!g->values || !g->nodes || !im->node_input_names || !g->inputs || !g->outputs ||
        !mbi_strmap_init(&im->names, im->pool, bound + 1))
        return oom(im);

    for (size_t i = 0; i < gs.n_inits; i++) {
        mbi_const_tensor *t = mbi_pool_alloc(im->pool, sizeof *t);
        if (!t)
            return oom(im);
        if ((st = decode_initializer(im, gs.inits[i], t))) {
            mbi_error_prefix(im->err, "initializer %zu", i);
            return st;
        }
        if (!t->name[0])
            return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL, "initializer %zu has no name", i);
        if (mbi_strmap_get(&im->names, t->name) >= 0)
            return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL,
                            "initializer '%s' is defined twice", t->name);
        g->initializer_bytes += t->bytes;
        int64_t numel = 1;
        for (int k = 0; k < t->rank; k++)
            numel *= t->dims[k];
        g->initializer_elements += (uint64_t)numel;
        int v = add_value(im, t->name);
        if (v < 0)
            return too_many_values(im);
        mbi_value_decl *vd = &g->values[v];
        vd->init = t;
        vd->dtype = t->dtype;
        vd->onnx_dtype = t->onnx_dtype;
        vd->rank = t->rank;
        memcpy(vd->dims, t->dims, sizeof vd->dims);
    }
    g->n_initializers = gs.n_inits;

    for (size_t i = 0; i < gs.n_inputs; i++) {
        mbi_value_decl decl;
        memset(&decl, 0, sizeof decl);
        if ((st = read_value_info(im, gs.inputs[i].data, gs.inputs[i].size, &decl)))
            return st;
        int v = mbi_strmap_get(&im->names, decl.name);
        if (v >= 0) {
            if (g->values[v].init)
                continue; /* an initializer listed as input (IR < 4): a constant */
            return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL, "graph input '%s' is listed twice",
                            decl.name);
        }
        if ((v = add_value(im, decl.name)) < 0)
            return too_many_values(im);
        copy_declared_type(&g->values[v], &decl);
        g->inputs[g->n_inputs++] = v;
    }

    for (size_t i = 0; i < gs.n_nodes; i++) {
        g->n_nodes = (int)i + 1;
        if ((st = read_node(im, (int)i, gs.nodes[i])))
            return st;
    }
    g->n_nodes = (int)gs.n_nodes;
    if ((st = resolve_node_inputs(im)))
        return st;

    for (size_t i = 0; i < gs.n_infos; i++) {
        mbi_value_decl decl;
        memset(&decl, 0, sizeof decl);
        if ((st = read_value_info(im, gs.infos[i].data, gs.infos[i].size, &decl)))
            return st;
        int v = mbi_strmap_get(&im->names, decl.name);
        if (v >= 0 && !g->values[v].init && g->values[v].producer >= 0)
            copy_declared_type(&g->values[v], &decl);
    }

    for (size_t i = 0; i < gs.n_outputs; i++) {
        mbi_value_decl decl;
        memset(&decl, 0, sizeof decl);
        if ((st = read_value_info(im, gs.outputs[i].data, gs.outputs[i].size, &decl)))
            return st;
        int v = mbi_strmap_get(&im->names, decl.name);
        if (v < 0)
            return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL,
                            "graph output '%s' is not produced by any node, input or initializer",
                            decl.name);
        if (!g->values[v].init && g->values[v].producer >= 0)
            copy_declared_type(&g->values[v], &decl);
        g->outputs[g->n_outputs++] = v;
    }
    if (g->n_outputs == 0)
        return mbi_fail(im->err, MOBINFER_ERR_INVALID_MODEL, "the graph has no outputs");
    if ((st = sort_topologically(im)))
        return st;
    return check_depth(im);
}

mobinfer_status mbi_onnx_import(const uint8_t *data, size_t size, const mobinfer_limits *limits,
                                const mbi_external_resolver *external, mbi_pool *pool,
                                mbi_graph *graph, mbi_error *err)
{
    importer im;
    memset(&im, 0, sizeof im);
    memset(graph, 0, sizeof *graph);
    im.pool = pool;
    im.limits = limits;
    im.err = err;
    im.g = graph;
    im.decoder.pool = pool;
    im.decoder.limits = limits;
    im.decoder.external = external;
    im.decoder.err = err;

    if (size == 0)
        return mbi_fail(err, MOBINFER_ERR_PARSE, "the model is empty (0 bytes)");
    if (size > limits->max_model_bytes)
        return mbi_fail(err, MOBINFER_ERR_LIMIT,
                        "the model has %zu bytes, more than the limit of %llu (max_model_bytes)",
                        size, (unsigned long long)limits->max_model_bytes);
    mbi_wire w = mbi_wire_make(data, size);
    mbi_wire_field f;
    span graph_bytes = {NULL, 0};
    mobinfer_status st;
    while (mbi_wire_next(&w, &f)) {
        switch (f.number) {
        case MP_IR_VERSION:
            if (f.type == MBI_WIRE_VARINT)
                graph->ir_version = (int64_t)f.varint;
            break;
        case MP_OPSET_IMPORT:
            if (f.type != MBI_WIRE_LEN)
                return parse_error(&im, "opset_import");
            if ((st = read_opset(&im, f.data, f.size)))
                return st;
            break;
        case MP_GRAPH:
            if (f.type != MBI_WIRE_LEN)
                return parse_error(&im, "graph");
            graph_bytes.data = f.data;
            graph_bytes.size = f.size;
            break;
        default:
            break;
        }
    }
    if (w.bad)
        return mbi_fail(err, MOBINFER_ERR_PARSE,
                        "the file is not a valid ONNX model (malformed or truncated protobuf)");
    if (!graph_bytes.data)
        return mbi_fail(err, MOBINFER_ERR_PARSE, "the file is not an ONNX model: it has no graph");
    int64_t opset = opset_of(&im, "");
    if (opset < 0 && im.n_opsets == 0) {
        if (!(graph->ir_version > 0 && graph->ir_version < 3))
            return mbi_fail(err, MOBINFER_ERR_INVALID_MODEL, "the model imports no opset");
        opset = 1; /* IR v1/v2 files predate opset_import */
        im.opsets[0].domain = "";
        im.opsets[0].version = opset;
        im.n_opsets = 1;
    }
    /* A model of other domains only (ai.onnx.ml, ...) has no default opset:
     * its nodes then fail as unsupported operators, by name. */
    if (opset < 0)
        opset = 0;
    if (opset > MOBINFER_MAX_OPSET)
        return mbi_fail(err, MOBINFER_ERR_UNSUPPORTED,
                        "the model uses ONNX opset %lld; mobinfer supports opsets up to %d",
                        (long long)opset, MOBINFER_MAX_OPSET);
    graph->opset = opset;
    return import_graph(&im, graph_bytes.data, graph_bytes.size);
}
