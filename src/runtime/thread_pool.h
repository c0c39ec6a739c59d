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
 * on the caller with thread = 0. Tasks are claimed dynamically (atomic
 * counter) so uneven tasks balance. Not reentrant: one run at a time per
 * pool, and not from inside a task. Allocates nothing. */
void mbi_threadpool_run(mbi_threadpool *pool, size_t n_tasks, mbi_task_fn fn, void *arg);

/* fn(arg, begin, end, thread) over [0, n) cut into one contiguous range per
 * thread of the pool (fewer when n is smaller): the split the operators
 * use, so that a thread goes on with the rows it wrote in the node before,
 * from its own cache. pool NULL or n <= 1 runs one range inline. */
typedef void (*mbi_range_fn)(void *arg, size_t begin, size_t end, int thread);
void mbi_threadpool_run_ranges(mbi_threadpool *pool, size_t n, mbi_range_fn fn, void *arg);

#endif
