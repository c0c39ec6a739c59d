/* syscall() and SYS_futex are outside POSIX; the rest of the library builds
 * with _POSIX_C_SOURCE only. */
#define _DEFAULT_SOURCE 1

#include "runtime/thread_pool.h"

#include "dispatch/denormals.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__linux__) && !defined(MBI_THREADPOOL_NO_FUTEX)
#define MBI_USE_FUTEX 1
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#define MBI_USE_FUTEX 0
#endif

/* How long an idle thread polls before it sleeps. Longer than the gap
 * between two parallel regions of one inference (a few non-parallel
 * operators), short enough that an idle session stops using the CPU at once. */
#define MBI_SPIN_NS 50000u

/* After this much polling with pause, a waiting thread polls with
 * sched_yield instead. When more threads are runnable than there are cores
 * (other apps, other sessions), the poller may share its core with the very
 * thread that will post the next job or finish the last task; yielding hands
 * it the core instead of spinning out the time slice. Measured with the
 * machine loaded: a worker took 53 us to pick up a job without yielding
 * (spin, sleep, wake) and 0.7 us with it. */
#define MBI_SPIN_PAUSE_NS 2000u

/* Separates data written by different threads, so that the share words the
 * running threads claim from do not slow the words the idle workers poll,
 * nor each other. */
#define MBI_CACHE_LINE 64

typedef struct mbi_worker {
    mbi_threadpool *pool;
    pthread_t thread;
    int id;
} mbi_worker;

/* The job word: who may still be inside the current job. A worker enters
 * only an open job of the generation it was woken for, by a CAS that adds one
 * to the count; the caller closes the job once every task is claimed and then
 * waits only for the workers that entered. A worker that wakes late finds the
 * job closed and stays out, so it never delays the caller nor reads a job
 * that is being replaced. The generation bits only keep a worker from
 * entering twice; when they wrap, the worst case is a useless second entry. */
#define JOB_COUNT_MASK 0x7ffu /* entered workers: MBI_THREADPOOL_MAX_THREADS - 1 fit */
#define JOB_CLOSED 0x800u
#define JOB_GEN_SHIFT 12

_Static_assert(MBI_THREADPOOL_MAX_THREADS - 1 <= JOB_COUNT_MASK, "the entered count fits");

static bool job_open_for(unsigned job, unsigned generation)
{
    return !(job & JOB_CLOSED) && ((job ^ (generation << JOB_GEN_SHIFT)) >> JOB_GEN_SHIFT) == 0;
}

/* One thread's share of a job: the chunks [front, back) not yet claimed,
 * packed as front | back << 32. Its owner takes chunks from the front,
 * other threads (once their own share is done) from the back, so a thread
 * that starts late finds only what the others left, and when every thread
 * is on time each does its own contiguous share, the same rows from one
 * node to the next. Its own cache line: the owner claims without contention. */
typedef struct share {
    alignas(MBI_CACHE_LINE) atomic_uint_least64_t span;
} share;

/* Below 2^32 - 1: front may pass back by one (claim_front) without a carry. */
#define SHARE_MAX_CHUNKS 0x7fffffffu

struct mbi_threadpool {
    /* Written by the caller once per job, polled by idle workers. */
    alignas(MBI_CACHE_LINE) atomic_uint generation; /* +1 announces a job (or stop) */
    atomic_bool stop;
    atomic_uint sleeping_workers;
    /* The job, published by the release of the job word: [0, n) in chunks
     * of `chunk` items, given to range_fn or, when task_fn is set, to
     * task_fn one index at a time. */
    mbi_task_fn task_fn;
    mbi_range_fn range_fn;
    void *arg;
    size_t n, chunk;

    alignas(MBI_CACHE_LINE) atomic_uint job; /* see JOB_*; the caller sleeps on it */
    atomic_bool caller_sleeping;

    alignas(MBI_CACHE_LINE) int n_threads;
    mbi_worker *workers; /* n_threads - 1, ids 1.. (0 is the caller) */
    share *shares;       /* n_threads, share i owned by thread i */
#if !MBI_USE_FUTEX
    pthread_mutex_t park_lock;
    pthread_cond_t park_cond;
#endif
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct spinner {
    unsigned count;
    bool yielding;
    uint64_t start_ns;
} spinner;

/* One step of polling; false once the spin budget is spent. While pausing,
 * the clock is read only every 64 pauses, so a wait that ends quickly never
 * reads it; a yield costs far more than a clock read. */
static bool spinner_pause(spinner *s)
{
    if (s->yielding) {
        sched_yield();
        return monotonic_ns() - s->start_ns < MBI_SPIN_NS;
    }
    cpu_relax();
    if (++s->count % 64)
        return true;
    uint64_t now = monotonic_ns();
    if (s->count == 64)
        s->start_ns = now;
    else
        s->yielding = now - s->start_ns >= MBI_SPIN_PAUSE_NS;
    return true;
}

/* park() may return early or spuriously: callers re-check in a loop. It does
 * not sleep unless *word still equals expected, and unpark_all() wakes every
 * thread parked on word; the waker changes *word before calling it. */
#if MBI_USE_FUTEX
_Static_assert(sizeof(atomic_uint) == sizeof(uint32_t) && ATOMIC_INT_LOCK_FREE == 2,
               "a futex word is a plain lock-free 32-bit integer");

static void park(mbi_threadpool *pool, atomic_uint *word, unsigned expected)
{
    (void)pool;
    syscall(SYS_futex, (void *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void unpark_all(mbi_threadpool *pool, atomic_uint *word)
{
    (void)pool;
    syscall(SYS_futex, (void *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static int park_init(mbi_threadpool *pool)
{
    (void)pool;
    return 0;
}

static void park_destroy(mbi_threadpool *pool)
{
    (void)pool;
}
#else
static void park(mbi_threadpool *pool, atomic_uint *word, unsigned expected)
{
    pthread_mutex_lock(&pool->park_lock);
    while (atomic_load(word) == expected)
        pthread_cond_wait(&pool->park_cond, &pool->park_lock);
    pthread_mutex_unlock(&pool->park_lock);
}

/* Taking the lock orders the wake after any parked thread's check of *word,
 * which is what makes the wake impossible to miss. */
static void unpark_all(mbi_threadpool *pool, atomic_uint *word)
{
    (void)word;
    pthread_mutex_lock(&pool->park_lock);
    pthread_mutex_unlock(&pool->park_lock);
    pthread_cond_broadcast(&pool->park_cond);
}

static int park_init(mbi_threadpool *pool)
{
    int rc = pthread_mutex_init(&pool->park_lock, NULL);
    if (rc)
        return rc;
    rc = pthread_cond_init(&pool->park_cond, NULL);
    if (rc)
        pthread_mutex_destroy(&pool->park_lock);
    return rc;
}

static void park_destroy(mbi_threadpool *pool)
{
    pthread_cond_destroy(&pool->park_cond);
    pthread_mutex_destroy(&pool->park_lock);
}
#endif

/* Relaxed: the share words only hand out chunks; the job word orders
 * everything else (entering acquires the job, leaving releases results). */
static bool claim_front(share *s, size_t *chunk)
{
    /* One fetch_add instead of a CAS loop: the owner is the only thread that
     * moves front, and it stops at the first failure, so front exceeds back
     * by one at most and never carries into back. */
    uint_least64_t w = atomic_fetch_add_explicit(&s->span, 1, memory_order_relaxed);
    uint32_t front = (uint32_t)w, back = (uint32_t)(w >> 32);
    *chunk = front;
    return front < back;
}

static bool claim_back(share *s, size_t *chunk)
{
    uint_least64_t w = atomic_load_explicit(&s->span, memory_order_relaxed);
    for (;;) {
        uint32_t front = (uint32_t)w, back = (uint32_t)(w >> 32);
        if (front >= back)
            return false;
        uint_least64_t taken = (uint_least64_t)front | (uint_least64_t)(back - 1) << 32;
        if (atomic_compare_exchange_weak_explicit(&s->span, &w, taken, memory_order_relaxed,
                                                  memory_order_relaxed)) {
            *chunk = back - 1;
            return true;
        }
    }
}

static void run_chunk(const mbi_threadpool *pool, size_t chunk, int thread)
{
    size_t begin = chunk * pool->chunk;
    size_t end = pool->n - begin < pool->chunk ? pool->n : begin + pool->chunk;
    if (pool->task_fn) {
        for (size_t t = begin; t < end; t++)
            pool->task_fn(pool->arg, t, thread);
    } else {
        pool->range_fn(pool->arg, begin, end, thread);
    }
}

/* The thread's own share from the front, then the others' from the back, in
 * the order of the threads after it so that thieves spread out. Returns
 * when every chunk of the job is claimed: shares only shrink, so a share
 * found empty stays empty. */
static void run_chunks(mbi_threadpool *pool, int thread)
{
    const int n = pool->n_threads;
    size_t chunk;
    while (claim_front(&pool->shares[thread], &chunk))
        run_chunk(pool, chunk, thread);
    for (int k = 1; k < n; k++) {
        share *victim = &pool->shares[(thread + k) % n];
        while (claim_back(victim, &chunk))
            run_chunk(pool, chunk, thread);
    }
}

/* Returns the generation of the next job, once it differs from seen. */
static unsigned wait_for_job(mbi_threadpool *pool, unsigned seen)
{
    spinner s = {0};
    unsigned g;
    while ((g = atomic_load_explicit(&pool->generation, memory_order_acquire)) == seen &&
           spinner_pause(&s)) {
    }
    if (g != seen)
        return g;
    /* seq_cst pairs with the caller's bump then check of sleeping_workers:
     * either it sees this worker asleep and wakes it, or this load sees the
     * new generation. */
    atomic_fetch_add(&pool->sleeping_workers, 1);
    while ((g = atomic_load(&pool->generation)) == seen)
        park(pool, &pool->generation, seen);
    atomic_fetch_sub(&pool->sleeping_workers, 1);
    return g;
}

/* Runs tasks of the job announced as `generation` if it is still open. */
static void join_job(mbi_threadpool *pool, unsigned generation, int thread)
{
    unsigned job = atomic_load_explicit(&pool->job, memory_order_relaxed);
    for (;;) {
        if (!job_open_for(job, generation))
            return;
        /* Acquire: pairs with the caller's release of the open job word, so
         * the job and the shares are those of this job. */
        if (atomic_compare_exchange_weak_explicit(&pool->job, &job, job + 1,
                                                  memory_order_acquire, memory_order_relaxed))
            break;
    }
    run_chunks(pool, thread);
    /* seq_cst (a release of this worker's task writes) pairs with the
     * caller's store of caller_sleeping then load of the job word. */
    job = atomic_fetch_sub(&pool->job, 1);
    if ((job & JOB_COUNT_MASK) == 1 && (job & JOB_CLOSED) && atomic_load(&pool->caller_sleeping))
        unpark_all(pool, &pool->job);
}

static void *worker_main(void *p)
{
    mbi_worker *w = p;
    mbi_threadpool *pool = w->pool;
    unsigned seen = 0;
    /* Workers only ever run inference kernels (dispatch/denormals.h). */
    mbi_fp_mode mode;
    mbi_denormals_off(&mode);
    for (;;) {
        seen = wait_for_job(pool, seen);
        if (atomic_load_explicit(&pool->stop, memory_order_relaxed))
            break;
        join_job(pool, seen, w->id);
    }
    return NULL;
}

/* After the caller closed the job: until every worker that entered it left. */
static void wait_for_workers(mbi_threadpool *pool)
{
    spinner s = {0};
    while (atomic_load_explicit(&pool->job, memory_order_acquire) & JOB_COUNT_MASK) {
        if (!spinner_pause(&s))
            break;
    }
    if (!(atomic_load_explicit(&pool->job, memory_order_acquire) & JOB_COUNT_MASK))
        return;
    atomic_store(&pool->caller_sleeping, true);
    unsigned job;
    while ((job = atomic_load(&pool->job)) & JOB_COUNT_MASK)
        park(pool, &pool->job, job);
    atomic_store_explicit(&pool->caller_sleeping, false, memory_order_relaxed);
}

/* Posts the job set in pool, takes part in it, and returns once every
 * thread that entered it has left. The callers set the job with plain
 * writes: the previous job is closed and every worker that entered it has
 * left, so no thread reads them until it enters the job opened here. */
static void run_job(mbi_threadpool *pool, size_t n_chunks)
{
    /* Share i starts at ceil(n_chunks * i / threads), so that with fewer
     * chunks than threads the caller (0) gets one. */
    const uint64_t threads = (uint64_t)pool->n_threads;
    uint64_t begin = 0;
    for (uint64_t i = 0; i < threads; i++) {
        uint64_t end = ((uint64_t)n_chunks * (i + 1) + threads - 1) / threads;
        atomic_store_explicit(&pool->shares[i].span,
                              (uint_least64_t)begin | (uint_least64_t)end << 32,
                              memory_order_relaxed);
        begin = end;
    }
    /* Only the caller (and destroy) change generation. */
    unsigned generation = atomic_load_explicit(&pool->generation, memory_order_relaxed) + 1;
    atomic_store_explicit(&pool->job, generation << JOB_GEN_SHIFT, memory_order_release);
    /* seq_cst pairs with a worker's count in sleeping_workers then load of
     * generation: either this load sees it asleep, or it sees this job. */
    atomic_store(&pool->generation, generation);
    if (atomic_load(&pool->sleeping_workers) != 0)
        unpark_all(pool, &pool->generation);
    run_chunks(pool, 0);
    /* Every chunk is claimed. Acquire: the workers that already left made
     * their writes with a release. */
    unsigned job = atomic_fetch_or_explicit(&pool->job, JOB_CLOSED, memory_order_acq_rel);
    if (job & JOB_COUNT_MASK)
        wait_for_workers(pool);
}

static size_t ceil_div(size_t a, size_t b)
{
    return a / b + (a % b != 0);
}

void mbi_threadpool_share(size_t n_tasks, int n_threads, int thread, size_t *begin, size_t *end)
{
    /* run_job's shares, in chunks as mbi_threadpool_run cuts them. */
    const uint64_t threads = n_threads > 1 ? (uint64_t)n_threads : 1;
    const size_t chunk = n_tasks <= SHARE_MAX_CHUNKS ? 1 : ceil_div(n_tasks, SHARE_MAX_CHUNKS);
    const uint64_t chunks = ceil_div(n_tasks, chunk), i = thread > 0 ? (uint64_t)thread : 0;
    if (threads == 1 || n_tasks <= 1) {
        *begin = i == 0 ? 0 : n_tasks;
        *end = n_tasks;
        return;
    }
    uint64_t b = (chunks * i + threads - 1) / threads, e = (chunks * (i + 1) + threads - 1) / threads;
    *begin = b * chunk < n_tasks ? (size_t)(b * chunk) : n_tasks;
    *end = e * chunk < n_tasks ? (size_t)(e * chunk) : n_tasks;
}

void mbi_threadpool_run(mbi_threadpool *pool, size_t n_tasks, mbi_task_fn fn, void *arg)
{
    if (!pool || pool->n_threads == 1 || n_tasks <= 1) {
        for (size_t t = 0; t < n_tasks; t++)
            fn(arg, t, 0);
        return;
    }
    pool->task_fn = fn;
    pool->range_fn = NULL;
    pool->arg = arg;
    pool->n = n_tasks;
    pool->chunk = n_tasks <= SHARE_MAX_CHUNKS ? 1 : ceil_div(n_tasks, SHARE_MAX_CHUNKS);
    run_job(pool, ceil_div(n_tasks, pool->chunk));
}

void mbi_threadpool_run_chunks(mbi_threadpool *pool, size_t n, size_t grain, mbi_range_fn fn,
                               void *arg)
{
    if (grain == 0)
        grain = 1;
    if (!pool || pool->n_threads == 1 || n / 2 < grain) {
        if (n)
            fn(arg, 0, n, 0);
        return;
    }
    const size_t threads = (size_t)pool->n_threads;
    size_t chunk = ceil_div(n, threads * MBI_THREADPOOL_CHUNKS_PER_THREAD);
    if (chunk < ceil_div(n, SHARE_MAX_CHUNKS))
        chunk = ceil_div(n, SHARE_MAX_CHUNKS);
    chunk = ceil_div(chunk, grain) * grain;
    pool->task_fn = NULL;
    pool->range_fn = fn;
    pool->arg = arg;
    pool->n = n;
    pool->chunk = chunk;
    run_job(pool, ceil_div(n, chunk));
}

void mbi_threadpool_run_ranges(mbi_threadpool *pool, size_t n, mbi_range_fn fn, void *arg)
{
    mbi_threadpool_run_chunks(pool, n, 1, fn, arg);
}

int mbi_threadpool_size(const mbi_threadpool *pool)
{
    return pool ? pool->n_threads : 1;
}

/* Stops and joins the first n_started workers, then frees the pool. */
static void shut_down(mbi_threadpool *pool, int n_started)
{
    if (n_started > 0) {
        atomic_store_explicit(&pool->stop, true, memory_order_relaxed);
        atomic_fetch_add(&pool->generation, 1);
        unpark_all(pool, &pool->generation);
        for (int i = 0; i < n_started; i++)
            pthread_join(pool->workers[i].thread, NULL);
    }
    park_destroy(pool);
    free(pool->shares);
    free(pool->workers);
    free(pool);
}

void mbi_threadpool_destroy(mbi_threadpool *pool)
{
    if (pool)
        shut_down(pool, pool->n_threads - 1);
}

mobinfer_status mbi_threadpool_create(int n_threads, mbi_threadpool **out, mbi_error *err)
{
    if (!out)
        return mbi_fail(err, MOBINFER_ERR_INVALID_ARGUMENT, "thread pool: no output pointer");
    *out = NULL;
    if (n_threads < 1 || n_threads > MBI_THREADPOOL_MAX_THREADS)
        return mbi_fail(err, MOBINFER_ERR_INVALID_ARGUMENT,
                        "thread pool: %d threads (expected 1 to %d)", n_threads,
                        MBI_THREADPOOL_MAX_THREADS);
    size_t bytes = (sizeof(mbi_threadpool) + MBI_CACHE_LINE - 1) / MBI_CACHE_LINE * MBI_CACHE_LINE;
    mbi_threadpool *pool = aligned_alloc(MBI_CACHE_LINE, bytes);
    if (!pool)
        return mbi_fail(err, MOBINFER_ERR_OUT_OF_MEMORY, "thread pool: out of memory");
    memset(pool, 0, bytes);
    atomic_init(&pool->generation, 0);
    atomic_init(&pool->stop, false);
    atomic_init(&pool->sleeping_workers, 0);
    atomic_init(&pool->job, JOB_CLOSED);
    atomic_init(&pool->caller_sleeping, false);
    pool->n_threads = n_threads;
    int rc = park_init(pool);
    if (rc) {
        free(pool);
        return mbi_fail(err, MOBINFER_ERR_OUT_OF_MEMORY, "thread pool: cannot create a lock: %s",
                        strerror(rc));
    }
    if (n_threads == 1) {
        *out = pool;
        return MOBINFER_OK;
    }
    pool->workers = calloc((size_t)n_threads - 1, sizeof *pool->workers);
    pool->shares = aligned_alloc(MBI_CACHE_LINE, (size_t)n_threads * sizeof *pool->shares);
    if (pool->shares) {
        for (int i = 0; i < n_threads; i++)
            atomic_init(&pool->shares[i].span, 0);
    }
    if (!pool->workers || !pool->shares) {
        shut_down(pool, 0);
        return mbi_fail(err, MOBINFER_ERR_OUT_OF_MEMORY, "thread pool: out of memory");
    }
    /* Workers inherit a mask blocking every signal, so the application's
     * handlers keep running on its own threads only. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int started = 0;
    for (; started < n_threads - 1; started++) {
        mbi_worker *w = &pool->workers[started];
        w->pool = pool;
        w->id = started + 1;
        rc = pthread_create(&w->thread, NULL, worker_main, w);
        if (rc)
            break;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        shut_down(pool, started);
        return mbi_fail(err, MOBINFER_ERR_OUT_OF_MEMORY,
                        "thread pool: cannot start thread %d of %d: %s", started + 1, n_threads,
                        strerror(rc));
    }
    *out = pool;
    return MOBINFER_OK;
}
