/* Whole-file reading and directory creation for the CLI's own files. */
#ifndef MOBINFER_CLI_FILEIO_H
#define MOBINFER_CLI_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole regular file into a malloc'd buffer (one spare NUL byte
 * after the data). Files above max_bytes are refused before reading.
 * Returns 0, or -1 with "cannot read 'path': reason" in err. */
int read_file(const char *path, uint64_t max_bytes, unsigned char **data, size_t *size,
              char *err, size_t errlen);

/* mkdir -p: creates path and missing parents (mode 0777 minus umask).
 * Returns 0, or -1 with a message in err. */
int make_dirs(const char *path, char *err, size_t errlen);

/* File name for a tensor called `name`: characters outside [A-Za-z0-9._-]
 * become '_' and ".npy" is appended. Returns the length, or 0 if cap is too
 * small. The model tests rely on this exact mapping. */
size_t output_file_name(const char *name, char *buf, size_t cap);

#endif
