/* Latency statistics; see stats.h. */
#include "stats.h"

#include <stdlib.h>

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void latency_summarise(double *samples, size_t n, latency_stats *out)
{
    double sum = 0.0;
    size_t i, rank;
    qsort(samples, n, sizeof *samples, compare_double);
    for (i = 0; i < n; i++)
        sum += samples[i];
    out->min = samples[0];
    out->max = samples[n - 1];
    out->mean = sum / (double)n;
    out->median = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2.0;
    /* ceil(0.9 * n) in integers, as a 1-based rank. */
    rank = (9 * n + 9) / 10;
    out->p90 = samples[rank - 1];
}
