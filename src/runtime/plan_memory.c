/* Session creation, second half: one arena for every activation. Values
 * that are alive at the same time get disjoint byte ranges; the others share.
 * Reshape-like operators alias their input, elementwise operators write
 * over an input that dies at that node, and a convolution filling its slice
 * of a Concat's output writes over the tensor holding the other slices. */
#include <stdlib.h>
#include <string.h>

#include "ir/attr.h"
#include "runtime/session.h"

#define ARENA_ALIGN 64

static uint64_t round_up(uint64_t x)
{
    return (x + ARENA_ALIGN - 1) & ~(uint64_t)(ARENA_ALIGN - 1);
}

static bool in_arena(const mbi_svalue *v)
{
    return !v->is_const;
}

static int root_of(const mobinfer_session *s, int v)
{
    while (s->values[v].storage != v)
        v = s->values[v].storage;
    return v;
}

static void compute_last_use(mobinfer_session *s)
{
    for (int i = 0; i < s->n_steps; i++) {
        const mbi_node *nd = s->steps[i].node;
        for (int k = 0; k < nd->n_inputs; k++) {
            int v = nd->inputs[k];
            if (v >= 0 && s->values[v].last_step < i)
                s->values[v].last_step = i;
        }
        /* An output nobody reads still occupies memory while it is written. */
        for (int k = 0; k < nd->n_outputs; k++) {
            int v = nd->outputs[k];
            if (v >= 0 && s->values[v].last_step < i)
                s->values[v].last_step = i;
        }
    }
    /* Outputs are read after the run; inputs are set once and reused by
     * later runs, so neither block may be handed to another value. */
    for (int v = 0; v < s->n_values; v++)
        if (s->values[v].is_output || s->values[v].is_input)
            s->values[v].last_step = s->n_steps;
}

/* The input output 0 may share storage with under the op's flags, or -1. */
static int shared_input(const mbi_step *st, bool *writes)
{
    const mbi_node *nd = st->node;
    unsigned flags = st->def->flags;
    *writes = !(flags & MBI_OP_ALIAS_INPUT0) || (flags & MBI_OP_INPLACE_INPUT0);
    if (flags & (MBI_OP_ALIAS_INPUT0 | MBI_OP_INPLACE_INPUT0))
        return 0;
    if (!(flags & MBI_OP_INPLACE_NAMED))
        return -1;
    const mbi_attr *a = mbi_attr_find(nd, MBI_ATTR_INPLACE_INPUT);
    if (!a || a->type != MBI_ATTR_INT || a->i < 0 || a->i >= nd->n_inputs)
        return -1;
    return (int)a->i;
}

/* Decides which outputs share their input's storage. Walks the steps in
 * order so that chains (Reshape after Relu after Conv) resolve to one root. */
static void assign_sharing(mobinfer_session *s)
{
    for (int i = 0; i < s->n_steps; i++) {
        const mbi_step *st = &s->steps[i];
        const mbi_node *nd = st->node;
        bool writes;
        int slot = shared_input(st, &writes);
        if (slot < 0 || slot >= nd->n_inputs || nd->n_outputs < 1 || nd->inputs[slot] < 0 || nd->outputs[0] < 0)
            continue;
        int in = nd->inputs[slot], out = nd->outputs[0];
        mbi_svalue *vi = &s->values[in], *vo = &s->values[out];
        if (!in_arena(vi) || !in_arena(vo))
            continue;
        if (mbi_tensor_bytes(&vi->t) != mbi_tensor_bytes(&vo->t))
            continue;
        int root = root_of(s, in);
        mbi_svalue *r = &s->values[root];
        /* Graph inputs are filled by the caller before each run: never write
         * over them, and only alias them when the op writes nothing. */
        bool root_is_input = r->is_input;
        if (writes) {
            if (root_is_input || r->is_output || r->last_step > i)
                continue;
            /* The input must not be read again by this very node through
             * another operand. */
            bool reread = false;
            for (int k = 0; k < nd->n_inputs; k++)
                if (k != slot && nd->inputs[k] >= 0 && root_of(s, nd->inputs[k]) == root)
                    reread = true;
            if (reread)
                continue;
        }
        /* Two graph outputs must not end up in one block. */
        if (vo->is_output && r->is_output)
            continue;
        vo->storage = root;
        if (vo->last_step > r->last_step)
            r->last_step = vo->last_step;
        if (vo->is_output)
            r->is_output = true; /* keeps the block alive to the end */
    }
    /* Every alias extends the lifetime of its root. */
    for (int v = 0; v < s->n_values; v++) {
        int root = root_of(s, v);
        if (root != v && s->values[v].last_step > s->values[root].last_step)
            s->values[root].last_step = s->values[v].last_step;
    }
}

typedef struct block {
    int value;
    int first, last;
    uint64_t size;
    uint64_t offset;
} block;

static int by_size_desc(const void *a, const void *b)
{
    const block *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return x->value - y->value;
}

/* Greedy by size: each block goes to the lowest offset that no already
 * placed block with an overlapping lifetime occupies. */
static mobinfer_status place_blocks(mobinfer_session *s, block *blocks, int n, uint64_t *total)
{
    qsort(blocks, (size_t)n, sizeof *blocks, by_size_desc);
    block **live = malloc(((size_t)n + 1) * sizeof *live);
    if (!live)
        return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    uint64_t top = 0;
    for (int i = 0; i < n; i++) {
        block *b = &blocks[i];
        int m = 0;
        for (int j = 0; j < i; j++)
            if (blocks[j].first <= b->last && b->first <= blocks[j].last)
                live[m++] = &blocks[j];
        /* Sort the conflicting blocks by offset (insertion sort: m is small). */
        for (int p = 1; p < m; p++) {
            block *x = live[p];
            int q = p - 1;
            while (q >= 0 && live[q]->offset > x->offset) {
                live[q + 1] = live[q];
                q--;
            }
            live[q + 1] = x;
        }
        uint64_t at = 0;
        for (int p = 0; p < m; p++) {
            if (at + b->size <= live[p]->offset)
                break;
            uint64_t end = live[p]->offset + live[p]->size;
            if (end > at)
                at = end;
        }
        b->offset = at;
        if (at + b->size > top)
            top = at + b->size;
        if (top > s->limits.max_arena_bytes) {
            free(live);
            return mbi_fail(&s->err, MOBINFER_ERR_LIMIT,
                            "the planned arena exceeds the limit of %llu bytes (max_arena_bytes)",
                            (unsigned long long)s->limits.max_arena_bytes);
        }
    }
    free(live);
    *total = top;
    return MOBINFER_OK;
}

mobinfer_status mbi_session_plan_memory(mobinfer_session *s)
{
    compute_last_use(s);
    assign_sharing(s);

    int n_blocks = 0;
    block *blocks = mbi_pool_alloc_array(&s->pool, (size_t)s->n_values + 1, sizeof *blocks);
    if (!blocks)
        return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    for (int v = 0; v < s->n_values; v++) {
        mbi_svalue *sv = &s->values[v];
        bool used = sv->is_input || sv->first_step >= 0;
        if (!in_arena(sv) || sv->storage != v || !used)
            continue;
        block *b = &blocks[n_blocks++];
        b->value = v;
        b->first = sv->is_input ? -1 : sv->first_step;
        b->last = sv->last_step < b->first ? b->first : sv->last_step;
        b->size = round_up(mbi_tensor_bytes(&sv->t));
        if (b->size == 0)
            b->size = ARENA_ALIGN;
    }
    uint64_t total = 0;
    mobinfer_status st = place_blocks(s, blocks, n_blocks, &total);
    if (st)
        return st;

    size_t scratch = 0;
    for (int i = 0; i < s->n_steps; i++)
        if (s->steps[i].ctx.scratch_bytes > scratch)
            scratch = s->steps[i].ctx.scratch_bytes;
    if (scratch > s->limits.max_arena_bytes - total)
        return mbi_fail(&s->err, MOBINFER_ERR_LIMIT,
                        "the planned arena and scratch memory exceed the limit of %llu bytes "
                        "(max_arena_bytes)",
                        (unsigned long long)s->limits.max_arena_bytes);
    s->arena_bytes = total;
    s->scratch_bytes = scratch;
    if (total) {
        s->arena = aligned_alloc(ARENA_ALIGN, (size_t)round_up(total));
        if (!s->arena)
            return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY,
                            "cannot allocate the arena of %llu bytes", (unsigned long long)total);
        /* Values that no node writes (unset inputs) read as zeros, not garbage. */
        memset(s->arena, 0, (size_t)total);
    }
    if (scratch) {
        s->scratch = aligned_alloc(ARENA_ALIGN, (size_t)round_up(scratch));
        if (!s->scratch)
            return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY,
                            "cannot allocate %zu bytes of scratch memory", scratch);
    }
    for (int i = 0; i < n_blocks; i++)
        s->values[blocks[i].value].offset = blocks[i].offset;
    for (int v = 0; v < s->n_values; v++) {
        mbi_svalue *sv = &s->values[v];
        if (!in_arena(sv) || !(sv->is_input || sv->first_step >= 0))
            continue;
        sv->t.data = (char *)s->arena + s->values[root_of(s, v)].offset;
    }
    for (int i = 0; i < s->n_steps; i++) {
        s->steps[i].ctx.scratch = s->scratch;
        s->steps[i].ctx.scratch_bytes = scratch;
        s->steps[i].ctx.pool = NULL; /* prepare is over */
    }
    return MOBINFER_OK;
}
