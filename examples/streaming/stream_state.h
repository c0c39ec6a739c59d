/*
 * State carried between runs of a step model.
 *
 * Convention: a graph input `X` is state when the graph also has an output
 * `new_X` of the same type and shape; the output of one run becomes the input
 * of the next. Exactly one other input, the frame, takes fresh data each
 * step. Each state keeps a buffer owned by the caller: outputs are only valid
 * until the next run, and an output may share storage with a graph input (an
 * Identity or Reshape of it), so the state goes through this buffer rather
 * than straight from mobinfer_session_get_output into set_input.
 */
#ifndef STREAM_STATE_H
#define STREAM_STATE_H

#include <stddef.h>

#include "mobinfer.h"

typedef struct stream_state {
    mobinfer_value_info input; /* owned by the session */
    char *output_name;         /* "new_" + input name; owned here */
    void *data;                /* the carried value; owned here */
    size_t byte_size;
} stream_state;

typedef struct stream_states {
    mobinfer_value_info frame; /* the one input that is not state */
    stream_state *states;
    size_t count;
    size_t total_bytes;
} stream_states;

/* Pairs the session's inputs with their `new_` outputs and allocates zeroed
 * buffers. Returns 0, or -1 with a message in err. */
int stream_states_init(stream_states *ss, const mobinfer_session *session, char *err,
                       size_t errlen);

/* The state before the first frame: all zeros. A model whose initial state
 * is not zero takes it as a learned offset inside the graph. */
void stream_states_reset(stream_states *ss);

/* Sets every state input from the carried buffers. */
mobinfer_status stream_states_feed(const stream_states *ss, mobinfer_session *session);

/* Copies every `new_` output of the last run into the carried buffers. */
mobinfer_status stream_states_carry(stream_states *ss, const mobinfer_session *session);

void stream_states_free(stream_states *ss);

#endif
