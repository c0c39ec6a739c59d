/* The thread pool of one session: fork-join parallel regions with low
 * latency. A session runs tens of short regions (20-500 us) per inference,
 * so workers spin briefly for the next job before they sleep, and the caller
 * works alongside them instead of only waiting. Nothing here is global: each
 * session owns its pool. */
#ifndef MBI_RUNTIME_THREAD_POOL_H
#define MBI_RUNTIME_THREAD_POOL_H

#include <stddef.h>

#include "core/error.h"

typedef struct mbi_threadpool mbi_threadpool;

/* Far above any core count a session can use; it bounds the allocation a
 * bad num_threads option could ask for. */
#define MBI_THREADPOOL_MAX_THREADS 1024

/* n_threads >= 1 counts the caller; 1 creates no thread. Returns
 * MOBINFER_ERR_INVALID_ARGUMENT for n_threads outside
 * [1, MBI_THREADPOOL_MAX_THREADS], MOBINFER_ERR_OUT_OF_MEMORY when the pool
 * or one of its threads cannot be created (never aborts); *out is NULL then. */
mobinfer_status mbi_threadpool_create(int n_threads, mbi_threadpool **out, mbi_error *err);

/* NULL ok; joins the workers. No run may be in progress. */
void mbi_threadpool_destroy(mbi_threadpool *pool);

/* NULL -> 1. */
int mbi_threadpool_size(const mbi_threadpool *pool);

/* task < n_tasks; thread in [0, size), 0 being the caller of run; tasks that
 * share a thread id never run at the same time, so it can index per-thread
 * scratch memory. */
typedef void (*mbi_task_fn)(void *arg, size_t task, int thread);

/* Runs fn(arg, t, thread) for every t < n_tasks, spread over the pool's
 * threads, and returns when all are done; everything the tasks wrote is then
 * visible to the caller. pool NULL or size 1 (or a single task) -> runs inline
 * on the caller with thread = 0.
 *
 * Thread i owns the i-th contiguous share of the tasks (about n_tasks /
 * size, the caller's first) and runs it in increasing order; a thread that
 * finished its share takes tasks one by one from the back of the others'.
 * So when every thread starts on time, thread i runs the same tasks from
 * one run to the next (and reads the data it wrote before from its own
 * cache), uneven tasks still balance, and a worker that starts late (woken
 * from sleep, preempted) takes only what the others left instead of
 * holding up the run with its whole share. Not reentrant: one run at a time
 * per pool, and not from inside a task. Allocates nothing. */
void mbi_threadpool_run(mbi_threadpool *pool, size_t n_tasks, mbi_task_fn fn, void *arg);

/* The tasks [*begin, *end) of mbi_threadpool_run(pool of n_threads,
 * n_tasks) that thread `thread` owns: those it runs when every thread is
 * on time (for planning what each thread's cache will need). */
void mbi_threadpool_share(size_t n_tasks, int n_threads, int thread, size_t *begin, size_t *end);

/* fn(arg, begin, end, thread) over disjoint ranges covering [0, n) once.
 * The same shares as mbi_threadpool_run, in chunks whose size is a
 * multiple of `grain` (about MBI_THREADPOOL_CHUNKS_PER_THREAD per thread,
 * the last one shorter): fn is called once per chunk; every range begins
 * on a multiple of grain and all but the last end on one (rows, vector
 * widths). Runs inline on the caller, as one range, when n < 2 * grain:
 * grain is the least work worth handing to another thread, a few
 * microseconds (a fork-join costs about one when the workers are spinning,
 * far more when they sleep). grain 0 counts as 1. */
typedef void (*mbi_range_fn)(void *arg, size_t begin, size_t end, int thread);
void mbi_threadpool_run_chunks(mbi_threadpool *pool, size_t n, size_t grain, mbi_range_fn fn,
                               void *arg);

/* run_chunks with grain 1: for items that are each worth a fork (rows of
 * a large tensor). */
void mbi_threadpool_run_ranges(mbi_threadpool *pool, size_t n, mbi_range_fn fn, void *arg);

/* Chunks per thread of run_chunks: a late worker's share is taken over
 * chunk by chunk, and the chunks a stealing thread ends with are small. */
#define MBI_THREADPOOL_CHUNKS_PER_THREAD 8

#endif
