/* A tensor the CLI owns: what an input file turns into before it is handed
 * to a session (which copies it). */
#ifndef MOBINFER_CLI_TENSOR_H
#define MOBINFER_CLI_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "mobinfer.h"

typedef struct cli_tensor {
    mobinfer_dtype dtype;
    size_t rank;
    int64_t dims[MOBINFER_MAX_RANK];
    void *data; /* owned (malloc) */
    size_t byte_size;
} cli_tensor;

/* Frees data and zeroes the struct; accepts NULL. */
void cli_tensor_free(cli_tensor *t);

#endif
