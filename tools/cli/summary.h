/* One-line statistics of a tensor, for `run` without --output-dir. */
#ifndef MOBINFER_CLI_SUMMARY_H
#define MOBINFER_CLI_SUMMARY_H

#include <stddef.h>

#include "mobinfer.h"

typedef struct tensor_summary {
    size_t count;      /* elements */
    size_t nan_count;  /* float32 only; NaNs are left out of min/max/mean */
    double min, max, mean;
} tensor_summary;

/* Returns 0, or -1 for a dtype it cannot read or a byte_size that does not
 * match count * element size. */
int tensor_summarise(mobinfer_dtype dtype, const void *data, size_t count, size_t byte_size,
                     tensor_summary *out);

#endif
