/* Top-K over classifier scores; see classify.h. */
#include "classify.h"

#include <math.h>

int classify_imagenet_offset(mobinfer_dtype dtype, const int64_t *dims, size_t rank)
{
    size_t i;
    if (dtype != MOBINFER_DTYPE_FLOAT32 || rank == 0)
        return -1;
    for (i = 0; i + 1 < rank; i++)
        if (dims[i] != 1)
            return -1;
    if (dims[rank - 1] == 1000)
        return 0;
    if (dims[rank - 1] == 1001)
        return 1;
    return -1;
}

int classify_is_distribution(const float *v, size_t n)
{
    double sum = 0.0;
    size_t i;
    for (i = 0; i < n; i++) {
        if (!(v[i] >= 0.0f && v[i] <= 1.0f)) /* also false for NaN */
            return 0;
        sum += v[i];
    }
    return fabs(sum - 1.0) <= 1e-2;
}

/* a ranks above b; NaN ranks below everything so it cannot block a slot. */
static int ranks_above(float a, float b)
{
    if (isnan(b))
        return !isnan(a);
    return a > b;
}

void classify_top_k(const float *v, size_t n, size_t k, int softmax, size_t *index, float *prob)
{
    double max = -INFINITY, total = 0.0;
    size_t i, j, filled = 0;

    if (k > n)
        k = n;
    if (k == 0)
        return;
    /* Insertion into a sorted list of k: k is small, n is ~1000. */
    for (i = 0; i < n; i++) {
        if (filled < k) {
            filled++;
        } else if (!ranks_above(v[i], v[index[k - 1]])) {
            continue;
        }
        for (j = filled - 1; j > 0 && ranks_above(v[i], v[index[j - 1]]); j--)
            index[j] = index[j - 1];
        index[j] = i;
    }
    if (!softmax) {
        for (j = 0; j < k; j++)
            prob[j] = v[index[j]];
        return;
    }
    /* Subtract the maximum so exp() cannot overflow. */
    for (i = 0; i < n; i++)
        if (v[i] > max)
            max = v[i];
    for (i = 0; i < n; i++)
        total += exp((double)v[i] - max);
    for (j = 0; j < k; j++)
        prob[j] = (float)(exp((double)v[index[j]] - max) / total);
}
