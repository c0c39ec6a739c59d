/*
 * One of the three OCR models on mobinfer's public API, with a session per
 * input shape. mobinfer plans a session once for fixed shapes, so the
 * pipeline asks for few distinct shapes (one detector size per page size,
 * one classifier size, a few recogniser widths) and the sessions are kept
 * and reused across lines and pages.
 */
#ifndef OCR_NET_H
#define OCR_NET_H

#include <stddef.h>
#include <stdint.h>

#include "mobinfer.h"

#define OCR_NET_MAX_SESSIONS 8

typedef struct ocr_net {
    mobinfer_model *model;
    const char *input;   /* the model's first input; owned by the model  */
    const char *path;    /* borrowed: for messages                         */
    int num_threads;
    int disable_optimizations; /* mobinfer's reference path (see mobinfer.h) */
    int used, next;      /* filled slots; the slot to evict next          */
    int64_t dims[OCR_NET_MAX_SESSIONS][4];
    mobinfer_session *sessions[OCR_NET_MAX_SESSIONS];
    double plan_ms;      /* time spent creating sessions                   */
    int plans;           /* sessions created                               */
} ocr_net;

/* Returns 0, or -1 with a message in err. path is borrowed for the net's life.
 * Nonzero disable_optimizations runs the graph as written on the reference
 * kernels. */
int ocr_net_load(ocr_net *net, const char *path, int num_threads, int disable_optimizations,
                 char *err, size_t errlen);
void ocr_net_free(ocr_net *net);

/* Runs the model on one float32 NCHW input and returns its first output in
 * *out (owned by a session of the net; valid until the next run on the net).
 * Returns 0, or -1 with a message in err. */
int ocr_net_run(ocr_net *net, const int64_t dims[4], const float *data, mobinfer_tensor *out,
                char *err, size_t errlen);

/* Monotonic time in milliseconds. */
double ocr_now_ms(void);

#endif
