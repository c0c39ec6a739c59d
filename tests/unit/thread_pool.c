/* The session thread pool: every task runs exactly once on a thread id in
 * range, results written by tasks are visible to the caller after run, the
 * sleep and wake paths work, and pools on several threads do not interfere.
 * Plain (non-atomic) writes in tasks let ThreadSanitizer check the ordering
 * of run's fork and join. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "check.h"
#include "runtime/thread_pool.h"

/* Sanitizers reserve far more address space than a small RLIMIT_AS allows. */
#if defined(__linux__) && !defined(MOBINFER_SANITIZED)
#define TEST_THREAD_FAILURE 1
#include <sys/wait.h>
#include <unistd.h>
#else
#define TEST_THREAD_FAILURE 0
#endif

#define MAX_THREADS 4
#define MAX_TASKS 1000

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* ---- every task once, thread ids in range, one task per thread id at a time */

typedef struct count_job {
    atomic_int runs[MAX_TASKS];
    atomic_int busy[MAX_THREADS]; /* a task is running with this thread id */
    atomic_int bad_thread;
    atomic_int overlap;
    size_t n_tasks;
    int size; /* of the pool */
} count_job;

static void count_task(void *arg, size_t task, int thread)
{
    count_job *j = arg;
    if (task >= j->n_tasks || thread < 0 || thread >= j->size) {
        atomic_fetch_add(&j->bad_thread, 1);
        return;
    }
    if (atomic_exchange(&j->busy[thread], 1))
        atomic_fetch_add(&j->overlap, 1);
    atomic_fetch_add(&j->runs[task], 1);
    atomic_store(&j->busy[thread], 0);
}

static void check_counts(mbi_threadpool *pool, size_t n_tasks)
{
    static count_job j;
    memset(&j, 0, sizeof j);
    int size = mbi_threadpool_size(pool);
    j.n_tasks = n_tasks;
    j.size = size;
    mbi_threadpool_run(pool, n_tasks, count_task, &j);
    int wrong = 0;
    for (size_t t = 0; t < n_tasks; t++)
        wrong += atomic_load(&j.runs[t]) != 1;
    CHECK(wrong == 0, "size %d, %zu tasks: %d tasks did not run exactly once", size, n_tasks,
          wrong);
    CHECK(atomic_load(&j.bad_thread) == 0, "size %d, %zu tasks: bad task or thread id", size,
          n_tasks);
    CHECK(atomic_load(&j.overlap) == 0, "size %d, %zu tasks: two tasks shared a thread id at once",
          size, n_tasks);
}

static void test_sizes_and_task_counts(void)
{
    static const size_t counts[] = {0, 1, 2, 3, 4, 5, 7, 64, MAX_TASKS};
    for (int n = 1; n <= MAX_THREADS; n++) {
        mbi_threadpool *pool = NULL;
        mbi_error err = {0};
        CHECK(mbi_threadpool_create(n, &pool, &err) == MOBINFER_OK, "create(%d): %s", n,
              err.message);
        if (!pool)
            continue;
        CHECK(mbi_threadpool_size(pool) == n, "size %d", mbi_threadpool_size(pool));
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
            check_counts(pool, counts[i]);
        mbi_threadpool_destroy(pool);
    }
    /* No pool means the caller alone. */
    CHECK(mbi_threadpool_size(NULL) == 1, "size(NULL)");
    check_counts(NULL, 0);
    check_counts(NULL, 5);
    mbi_threadpool_destroy(NULL);
}

static void test_bad_arguments(void)
{
    static const int bad[] = {0, -1, MBI_THREADPOOL_MAX_THREADS + 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mbi_threadpool *pool = (mbi_threadpool *)&pool; /* must be reset to NULL */
        mbi_error err = {0};
        CHECK(mbi_threadpool_create(bad[i], &pool, &err) == MOBINFER_ERR_INVALID_ARGUMENT,
              "create(%d)", bad[i]);
        CHECK(pool == NULL, "create(%d) left *out set", bad[i]);
        CHECK(err.message[0] != '\0', "create(%d) gave no message", bad[i]);
    }
    CHECK(mbi_threadpool_create(2, NULL, NULL) == MOBINFER_ERR_INVALID_ARGUMENT, "out NULL");
}

/* ---- many consecutive runs: plain writes by tasks, plain reads by the caller */

typedef struct sum_job {
    int value[16];
    int round;
} sum_job;

static void sum_task(void *arg, size_t task, int thread)
{
    sum_job *j = arg;
    /* Reads the caller's plain write of round and the previous run's writes,
     * possibly made on another thread. */
    j->value[task] += j->round;
}

static void test_many_runs(void)
{
    enum { RUNS = 10000 };
    for (int n = 2; n <= MAX_THREADS; n++) {
        mbi_threadpool *pool = NULL;
        if (mbi_threadpool_create(n, &pool, NULL) != MOBINFER_OK) {
            CHECK(0, "create(%d)", n);
            continue;
        }
        sum_job j;
        memset(&j, 0, sizeof j);
        size_t n_tasks = 0;
        long expected[16] = {0};
        int bad = 0;
        for (int r = 0; r < RUNS; r++) {
            j.round = r % 7;
            n_tasks = (size_t)(r % 16) + 1;
            mbi_threadpool_run(pool, n_tasks, sum_task, &j);
            for (size_t t = 0; t < n_tasks; t++)
                expected[t] += r % 7;
            for (size_t t = 0; t < 16; t++)
                bad += j.value[t] != expected[t];
        }
        CHECK(bad == 0, "size %d: %d wrong sums over %d runs", n, bad, RUNS);
        mbi_threadpool_destroy(pool);
    }
}

/* ---- the workers really take part, and the sleep/wake paths work */

typedef struct share_job {
    atomic_int worker_ran;
    atomic_int caller_gave_up;
} share_job;

static void share_task(void *arg, size_t task, int thread)
{
    share_job *j = arg;
    if (thread != 0) {
        atomic_store(&j->worker_ran, 1);
        return;
    }
    /* The caller waits (bounded) for a worker to take the other task. */
    for (int i = 0; i < 2000 && !atomic_load(&j->worker_ran); i++)
        sleep_us(1000);
    if (!atomic_load(&j->worker_ran))
        atomic_store(&j->caller_gave_up, 1);
}

static void slow_worker_task(void *arg, size_t task, int thread)
{
    int *done = arg;
    if (thread != 0)
        sleep_us(2000); /* long enough for the caller to stop spinning and sleep */
    done[task] = 1;
}

static void test_workers_participate_and_wake(void)
{
    /* Gaps below and above the spin time, so workers are caught both
     * spinning and asleep. */
    static const long gaps_us[] = {0, 10, 200, 5000};
    for (int n = 2; n <= MAX_THREADS; n++) {
        mbi_threadpool *pool = NULL;
        if (mbi_threadpool_create(n, &pool, NULL) != MOBINFER_OK) {
            CHECK(0, "create(%d)", n);
            continue;
        }
        for (size_t g = 0; g < sizeof gaps_us / sizeof gaps_us[0]; g++) {
            for (int rep = 0; rep < 3; rep++) {
                sleep_us(gaps_us[g]);
                share_job j;
                atomic_init(&j.worker_ran, 0);
                atomic_init(&j.caller_gave_up, 0);
                mbi_threadpool_run(pool, 2, share_task, &j);
                CHECK(atomic_load(&j.worker_ran) && !atomic_load(&j.caller_gave_up),
                      "size %d, gap %ld us: no worker took part", n, gaps_us[g]);

                sleep_us(gaps_us[g]);
                int done[8] = {0};
                mbi_threadpool_run(pool, 8, slow_worker_task, done);
                int missing = 0;
                for (int t = 0; t < 8; t++)
                    missing += !done[t];
                CHECK(missing == 0, "size %d, gap %ld us: %d tasks not done", n, gaps_us[g],
                      missing);
            }
        }
        mbi_threadpool_destroy(pool);
    }
}

/* ---- lifetime: destroy at once, and with workers asleep */

static void test_create_destroy(void)
{
    for (int rep = 0; rep < 50; rep++) {
        for (int n = 1; n <= MAX_THREADS; n++) {
            mbi_threadpool *pool = NULL;
            mbi_error err = {0};
            mobinfer_status st = mbi_threadpool_create(n, &pool, &err);
            CHECK(st == MOBINFER_OK && pool, "create(%d): %s", n, err.message);
            mbi_threadpool_destroy(pool);
        }
    }
    mbi_threadpool *pool = NULL;
    if (mbi_threadpool_create(3, &pool, NULL) == MOBINFER_OK) {
        check_counts(pool, 10);
        sleep_us(5000); /* workers are asleep now */
        mbi_threadpool_destroy(pool);
    }
}

/* ---- an idle pool sleeps instead of burning CPU */

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

static void test_idle_pool_sleeps(void)
{
    mbi_threadpool *pool = NULL;
    if (mbi_threadpool_create(MAX_THREADS, &pool, NULL) != MOBINFER_OK) {
        CHECK(0, "create(%d)", MAX_THREADS);
        return;
    }
    check_counts(pool, 16);
    double before = cpu_seconds();
    sleep_us(300000);
    double used = cpu_seconds() - before;
    /* Spinning through the sleep would use ~0.9 s; the spin time is 50 us. */
    CHECK(used < 0.05, "an idle pool of %d used %.3f s of CPU in 0.3 s", MAX_THREADS, used);
    check_counts(pool, 16);
    mbi_threadpool_destroy(pool);
}

/* ---- one pool per thread, several threads at once */

typedef struct fill_job {
    int values[64];
} fill_job;

static void fill_task(void *arg, size_t task, int thread)
{
    fill_job *j = arg;
    j->values[task] = (int)task + 1;
}

typedef struct owner {
    pthread_t thread;
    int n_threads;
    int failures;
} owner;

static void *own_a_pool(void *arg)
{
    owner *o = arg;
    mbi_threadpool *pool = NULL;
    if (mbi_threadpool_create(o->n_threads, &pool, NULL) != MOBINFER_OK) {
        o->failures++;
        return NULL;
    }
    fill_job j;
    for (int r = 0; r < 2000; r++) {
        memset(&j, 0, sizeof j);
        size_t n_tasks = (size_t)(r % 64) + 1;
        mbi_threadpool_run(pool, n_tasks, fill_task, &j);
        for (size_t t = 0; t < 64; t++)
            o->failures += j.values[t] != (t < n_tasks ? (int)t + 1 : 0);
    }
    mbi_threadpool_destroy(pool);
    return NULL;
}

static void test_pools_on_several_threads(void)
{
    owner owners[4];
    for (int i = 0; i < 4; i++) {
        owners[i].n_threads = 1 + i % 3;
        owners[i].failures = 0;
        if (pthread_create(&owners[i].thread, NULL, own_a_pool, &owners[i]) != 0) {
            CHECK(0, "pthread_create");
            owners[i].n_threads = 0;
        }
    }
    for (int i = 0; i < 4; i++) {
        if (!owners[i].n_threads)
            continue;
        pthread_join(owners[i].thread, NULL);
        CHECK(owners[i].failures == 0, "owner %d (pool of %d): %d failures", i,
              owners[i].n_threads, owners[i].failures);
    }
}

/* ---- a thread that cannot be created is an error, not an abort */

#if TEST_THREAD_FAILURE
static long mapped_bytes(void)
{
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * sysconf(_SC_PAGESIZE);
}

/* Runs in a child: address-space limits from too small for one thread stack
 * up to enough for all three, so creation fails after 0, 1 and 2 threads
 * started. Exit code 0: every failure was clean and at least one happened. */
static int create_under_memory_limits(void)
{
    int clean_failures = 0, bad = 0;
    for (long extra = 1L << 20; extra <= 64L << 20; extra += 2L << 20) {
        struct rlimit limit;
        getrlimit(RLIMIT_AS, &limit);
        limit.rlim_cur = (rlim_t)(mapped_bytes() + extra);
        if (setrlimit(RLIMIT_AS, &limit) != 0)
            return 2;
        mbi_threadpool *pool = (mbi_threadpool *)&pool;
        mbi_error err = {0};
        mobinfer_status st = mbi_threadpool_create(4, &pool, &err);
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_AS, &limit);
        if (st == MOBINFER_OK && pool) {
            int done[8] = {0};
            mbi_threadpool_run(pool, 8, slow_worker_task, done);
            for (int t = 0; t < 8; t++)
                bad += !done[t];
            mbi_threadpool_destroy(pool);
        } else if (st == MOBINFER_ERR_OUT_OF_MEMORY && !pool && err.message[0]) {
            clean_failures++;
        } else {
            bad++;
        }
    }
    return bad ? 3 : clean_failures ? 0 : 4;
}

static void test_thread_creation_failure(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(create_under_memory_limits());
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork/waitpid");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "create under an address-space limit: child status %d", status);
}
#else
static void test_thread_creation_failure(void)
{
    printf("skipped: thread creation failure (sanitized build or not Linux)\n");
}
#endif

/* ---- run_chunks / run_ranges: [0, n) covered exactly once, in ranges on
 * multiples of the grain, inline below two grains */

#define MAX_ITEMS 5000

typedef struct ranges_seen {
    atomic_int hits[MAX_ITEMS];
    atomic_int calls;
    atomic_int misaligned;
    atomic_int bad_thread;
    size_t grain;
    int size;
} ranges_seen;

static void mark_range(void *arg, size_t begin, size_t end, int thread)
{
    ranges_seen *r = arg;
    atomic_fetch_add(&r->calls, 1);
    if (thread < 0 || thread >= r->size || begin >= end || end > MAX_ITEMS) {
        atomic_fetch_add(&r->bad_thread, 1);
        return;
    }
    if (begin % r->grain != 0)
        atomic_fetch_add(&r->misaligned, 1);
    for (size_t i = begin; i < end; i++)
        atomic_fetch_add(&r->hits[i], 1);
}

static void check_chunks(mbi_threadpool *pool, size_t n, size_t grain)
{
    static ranges_seen r;
    memset(&r, 0, sizeof r);
    r.grain = grain ? grain : 1;
    r.size = mbi_threadpool_size(pool);
    if (grain == 1 && n % 2)
        mbi_threadpool_run_ranges(pool, n, mark_range, &r);
    else
        mbi_threadpool_run_chunks(pool, n, grain, mark_range, &r);
    int wrong = 0;
    for (size_t i = 0; i < n; i++)
        wrong += atomic_load(&r.hits[i]) != 1;
    size_t calls = (size_t)atomic_load(&r.calls);
    /* Chunks: about CHUNKS_PER_THREAD per thread, one more per share at
     * most where the rounding to grains leaves a short one. */
    size_t most = (size_t)r.size * (MBI_THREADPOOL_CHUNKS_PER_THREAD + 1);
    if (n < 2 * r.grain || r.size == 1)
        most = n ? 1 : 0;
    CHECK(wrong == 0 && calls <= most && atomic_load(&r.misaligned) == 0 &&
              atomic_load(&r.bad_thread) == 0,
          "chunks(n %zu, grain %zu) on %d threads: %d indices not once, %zu calls (<= %zu), "
          "%d misaligned, %d bad",
          n, grain, r.size, wrong, calls, most, atomic_load(&r.misaligned),
          atomic_load(&r.bad_thread));
}

static void test_run_chunks(void)
{
    static const size_t grains[] = {0, 1, 3, 16, 100, 4096};
    for (int threads = 1; threads <= MAX_THREADS; threads++) {
        mbi_threadpool *pool = NULL;
        CHECK(mbi_threadpool_create(threads, &pool, NULL) == MOBINFER_OK, "create(%d)", threads);
        for (size_t g = 0; g < sizeof grains / sizeof grains[0]; g++)
            for (size_t n = 0; n <= MAX_ITEMS; n += n < 40 ? 1 : n / 3 + 7)
                check_chunks(pool, n, grains[g]);
        check_chunks(pool, MAX_ITEMS, 1);
        mbi_threadpool_destroy(pool);
    }
    check_chunks(NULL, 100, 1);
}

/* ---- a worker that stalls (as one woken late or preempted does) holds up
 * only the chunk it took: the other threads take the rest of its share. */

typedef struct stall_job {
    int owner[MAX_ITEMS]; /* plain writes: TSan checks the join orders them */
    atomic_int stalled;   /* thread ids that already stalled, as bits */
    atomic_int by_caller;
    long stall_us;
} stall_job;

static void stall_once(stall_job *j, int thread)
{
    if (thread != 0 && !(atomic_fetch_or(&j->stalled, 1 << thread) & (1 << thread)))
        sleep_us(j->stall_us);
}

static void stall_task(void *arg, size_t task, int thread)
{
    stall_job *j = arg;
    stall_once(j, thread);
    j->owner[task] += thread + 1;
    if (thread == 0)
        atomic_fetch_add(&j->by_caller, 1);
}

static void stall_range(void *arg, size_t begin, size_t end, int thread)
{
    stall_job *j = arg;
    stall_once(j, thread);
    for (size_t i = begin; i < end; i++)
        j->owner[i] += thread + 1;
    if (thread == 0)
        atomic_fetch_add(&j->by_caller, (int)(end - begin));
}

static void test_stalled_worker(void)
{
    static const size_t sizes[] = {2, 3, 5, 17, 64, 999, MAX_ITEMS};
    static stall_job j;
    for (int threads = 2; threads <= MAX_THREADS; threads++) {
        mbi_threadpool *pool = NULL;
        if (mbi_threadpool_create(threads, &pool, NULL) != MOBINFER_OK) {
            CHECK(0, "create(%d)", threads);
            continue;
        }
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            for (int ranges = 0; ranges <= 1; ranges++) {
                size_t n = sizes[s];
                memset(&j, 0, sizeof j);
                j.stall_us = 20000;
                if (ranges)
                    mbi_threadpool_run_chunks(pool, n, 1, stall_range, &j);
                else
                    mbi_threadpool_run(pool, n, stall_task, &j);
                int wrong = 0;
                for (size_t i = 0; i < n; i++)
                    wrong += j.owner[i] < 1 || j.owner[i] > threads;
                for (size_t i = n; i < MAX_ITEMS; i++)
                    wrong += j.owner[i] != 0;
                /* Each stalled worker holds one chunk; while it sleeps for
                 * 20 ms, the caller does the rest (a few microseconds). */
                size_t chunk = ranges ? (n + (size_t)threads * MBI_THREADPOOL_CHUNKS_PER_THREAD -
                                         1) / ((size_t)threads * MBI_THREADPOOL_CHUNKS_PER_THREAD)
                                      : 1;
                size_t held = chunk * (size_t)(threads - 1);
                size_t caller = (size_t)atomic_load(&j.by_caller);
                CHECK(wrong == 0, "%s(%zu) on %d threads, stalled workers: %d items not once",
                      ranges ? "chunks" : "run", n, threads, wrong);
                CHECK(caller + held >= n, "%s(%zu) on %d threads: the caller ran %zu, the "
                      "stalled workers can hold %zu only",
                      ranges ? "chunks" : "run", n, threads, caller, held);
            }
        }
        mbi_threadpool_destroy(pool);
    }
}

int main(void)
{
    /* First: glibc caches the stacks of joined threads and reuses them
     * without mapping, which would let creation succeed under any limit. */
    test_thread_creation_failure();
    test_bad_arguments();
    test_sizes_and_task_counts();
    test_many_runs();
    test_workers_participate_and_wake();
    test_create_destroy();
    test_idle_pool_sleeps();
    test_pools_on_several_threads();
    test_run_chunks();
    test_stalled_worker();
    return check_summary();
}
