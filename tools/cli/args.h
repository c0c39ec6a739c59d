/*
 * Command-line parsing helpers. getopt_long is a GNU extension (the CLI
 * builds with _POSIX_C_SOURCE only), and the commands need little: long
 * options taking "--name VALUE" or "--name=VALUE", and strict number
 * parsing so that "--threads 4x" is an error rather than 4.
 */
#ifndef MOBINFER_CLI_ARGS_H
#define MOBINFER_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

/* If argv[*i] is option `name` (e.g. "--resize") with a value, in either
 * form, sets *value, advances *i past a separate value and returns 1.
 * Returns 0 if argv[*i] is something else, -1 if the value is missing. */
int arg_value(int argc, char **argv, int *i, const char *name, const char **value);

/* A whole decimal integer in [min, max], surrounding spaces not allowed. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
int parse_int(const char *s, int min, int max, int *out);

/* Exactly n comma-separated finite floats, e.g. "123.675,116.28,103.53". */
int parse_float_list(const char *s, float *out, size_t n);

/* Comma-separated non-negative dimensions, e.g. "1,3,224,224", at most
 * max of them; "" is a scalar (rank 0). */
int parse_dims(const char *s, int64_t *dims, size_t max, size_t *rank);

/* "H" (square) or "HxW", both positive. */
int parse_size2(const char *s, int *h, int *w);

/* Splits "NAME=VALUE" at the last '=' (values of --dim and --shape never
 * contain one, names might). Returns a malloc'd copy of NAME and points
 * *value into s, or NULL if there is no '=' or NAME is empty. */
char *split_last_eq(const char *s, const char **value);

#endif
