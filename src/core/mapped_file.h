/* A read-only memory mapping of a whole file. Weights are used in place
 * from it, so the model never holds a second copy of them. */
#ifndef MBI_CORE_MAPPED_FILE_H
#define MBI_CORE_MAPPED_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct mbi_mapped_file {
    const uint8_t *data; /* NULL for an empty file */
    size_t size;
} mbi_mapped_file;

/* Maps path. Fails with MOBINFER_ERR_IO naming the file, or
 * MOBINFER_ERR_LIMIT when the file is larger than max_bytes. */
mobinfer_status mbi_mapped_file_open(mbi_mapped_file *f, const char *path, uint64_t max_bytes,
                                     mbi_error *err);
void mbi_mapped_file_close(mbi_mapped_file *f);

#endif
