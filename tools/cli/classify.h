/* Recognising classifier outputs and ranking their classes, for `run`'s
 * top-K printout. */
#ifndef MOBINFER_CLI_CLASSIFY_H
#define MOBINFER_CLI_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "mobinfer.h"

/* An output is taken for ImageNet scores when it is float32, holds a single
 * row (every dimension but the last is 1) and the last dimension is 1000,
 * or 1001 with class 0 the background (TensorFlow-trained models).
 * Returns the number of leading entries to skip (0 or 1), or -1 if the
 * output is not ImageNet scores. */
int classify_imagenet_offset(mobinfer_dtype dtype, const int64_t *dims, size_t rank);

/* Values already form a probability distribution: all in [0, 1] and
 * summing to 1 within 1e-2. */
int classify_is_distribution(const float *v, size_t n);

/* The k largest of v[0..n) (k is capped at n), highest first; ties keep the lower
 * index first. prob[i] is the softmax of v if softmax is set, else v. */
void classify_top_k(const float *v, size_t n, size_t k, int softmax, size_t *index,
                    float *prob);

#endif
