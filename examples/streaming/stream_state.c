#include "stream_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char state_prefix[] = "new_";

static size_t value_bytes(const mobinfer_value_info *v)
{
    size_t n = mobinfer_dtype_size(v->dtype);
    for (size_t i = 0; i < v->rank; i++)
        n *= (size_t)v->dims[i];
    return n;
}

static int same_type_and_shape(const mobinfer_value_info *a, const mobinfer_value_info *b)
{
    if (a->dtype != b->dtype || a->rank != b->rank)
        return 0;
    for (size_t i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

/* Index of the session output called `new_<name>`, or -1. */
static long find_next_output(const mobinfer_session *session, const char *name,
                             mobinfer_value_info *out)
{
    size_t plen = sizeof state_prefix - 1;
    size_t n = mobinfer_session_output_count(session);
    for (size_t i = 0; i < n; i++) {
        if (mobinfer_session_output(session, i, out) != MOBINFER_OK)
            continue;
        if (strncmp(out->name, state_prefix, plen) == 0 && strcmp(out->name + plen, name) == 0)
            return (long)i;
    }
    return -1;
}

int stream_states_init(stream_states *ss, const mobinfer_session *session, char *err,
                       size_t errlen)
{
    memset(ss, 0, sizeof *ss);
    size_t n_in = mobinfer_session_input_count(session);
    ss->states = calloc(n_in ? n_in : 1, sizeof *ss->states);
    if (!ss->states) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n_frames = 0;
    for (size_t i = 0; i < n_in; i++) {
        mobinfer_value_info in, out;
        if (mobinfer_session_input(session, i, &in) != MOBINFER_OK) {
            snprintf(err, errlen, "%s", mobinfer_session_last_error(session));
            goto fail;
        }
        if (find_next_output(session, in.name, &out) < 0) {
            ss->frame = in;
            n_frames++;
            continue;
        }
        if (!same_type_and_shape(&in, &out)) {
            snprintf(err, errlen, "state input '%s' and output '%s' differ in type or shape",
                     in.name, out.name);
            goto fail;
        }
        stream_state *st = &ss->states[ss->count];
        st->input = in;
        st->byte_size = value_bytes(&in);
        st->output_name = malloc(strlen(out.name) + 1);
        st->data = calloc(st->byte_size ? st->byte_size : 1, 1);
        ss->count++;
        if (!st->output_name || !st->data) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        strcpy(st->output_name, out.name);
        ss->total_bytes += st->byte_size;
    }
    if (n_frames != 1) {
        snprintf(err, errlen,
                 "expected exactly one input without a matching 'new_<input>' output (the "
                 "frame), found %zu",
                 n_frames);
        goto fail;
    }
    return 0;
fail:
    stream_states_free(ss);
    return -1;
}

void stream_states_reset(stream_states *ss)
{
    for (size_t i = 0; i < ss->count; i++)
        memset(ss->states[i].data, 0, ss->states[i].byte_size);
}

mobinfer_status stream_states_feed(const stream_states *ss, mobinfer_session *session)
{
    for (size_t i = 0; i < ss->count; i++) {
        const stream_state *st = &ss->states[i];
        mobinfer_status s = mobinfer_session_set_input(session, st->input.name, st->input.dtype,
                                                       st->input.dims, st->input.rank, st->data,
                                                       st->byte_size);
        if (s != MOBINFER_OK)
            return s;
    }
    return MOBINFER_OK;
}

mobinfer_status stream_states_carry(stream_states *ss, const mobinfer_session *session)
{
    for (size_t i = 0; i < ss->count; i++) {
        stream_state *st = &ss->states[i];
        mobinfer_tensor t;
        mobinfer_status s = mobinfer_session_get_output(session, st->output_name, &t);
        if (s != MOBINFER_OK)
            return s;
        if (t.byte_size != st->byte_size)
            return MOBINFER_ERR_INTERNAL;
        memcpy(st->data, t.data, st->byte_size);
    }
    return MOBINFER_OK;
}

void stream_states_free(stream_states *ss)
{
    if (!ss || !ss->states)
        return;
    for (size_t i = 0; i < ss->count; i++) {
        free(ss->states[i].output_name);
        free(ss->states[i].data);
    }
    free(ss->states);
    memset(ss, 0, sizeof *ss);
}
