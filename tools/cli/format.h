/* Text formatting shared by the commands: shapes and JSON strings. */
#ifndef MOBINFER_CLI_FORMAT_H
#define MOBINFER_CLI_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "[1,3,224,224]"; a dimension with dims[i] < 0 prints its name from
 * dim_names (may be NULL) or "?". Truncates with "..." if cap is short. */
void format_shape(const int64_t *dims, const char *const *dim_names, size_t rank, char *buf,
                  size_t cap);

/* "3,504,872": digits grouped by thousands. buf needs 27 bytes. */
void format_count(uint64_t v, char *buf, size_t cap);

/* Writes s as a JSON string literal (with quotes) to f. */
void json_string(FILE *f, const char *s);

/* Writes a shape as a JSON array; symbolic dimensions become strings. */
void json_shape(FILE *f, const int64_t *dims, const char *const *dim_names, size_t rank);

#endif
