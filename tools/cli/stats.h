/* Latency statistics for `bench`. */
#ifndef MOBINFER_CLI_STATS_H
#define MOBINFER_CLI_STATS_H

#include <stddef.h>

typedef struct latency_stats {
    double min, median, p90, mean, max;
} latency_stats;

/* Sorts samples[0..n) in place and summarises them; n >= 1. The median of
 * an even count is the mean of the middle two; p90 is the nearest-rank
 * percentile (the smallest sample with at least 90% of samples <= it). */
void latency_summarise(double *samples, size_t n, latency_stats *out);

#endif
