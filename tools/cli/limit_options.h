/* --limit NAME=VALUE: sets one field of mobinfer_limits (NAME is the field
 * without "max_", e.g. tensor_bytes). run, info and bench apply the result
 * to both the load and the session options. */
#ifndef MOBINFER_CLI_LIMIT_OPTIONS_H
#define MOBINFER_CLI_LIMIT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "mobinfer.h"

/* A positive integer with an optional binary suffix K, M or G (x2^10,
 * x2^20, x2^30; either case). Returns 0, or -1 if malformed, zero or
 * overflowing uint64_t. */
int parse_limit_value(const char *s, uint64_t *out);

/* Applies "NAME=VALUE" to *limits. Returns 0, or -1 with the reason in err
 * (an unknown NAME is named in it). */
int limit_apply(mobinfer_limits *limits, const char *spec, char *err, size_t err_size);

/* Consumes --limit at argv[*i]: returns 1, 0 if argv[*i] is something else,
 * or -1 after reporting a usage error for `command`. */
int limit_option_parse(mobinfer_limits *limits, const char *command, int argc, char **argv,
                       int *i);

/* The option's lines for the commands' --help. */
extern const char limit_options_help[];

#endif
