/* Fork-join latency of the session thread pool: the median cost of one
 * mbi_threadpool_run on 2 threads, empty and with two ~50 us tasks, beside
 * the same work run inline on the caller, and the time until a worker has
 * run a task (with empty tasks the caller may finish both alone). "hot" runs follow each other at
 * once (workers still spinning, as between the operators of one inference);
 * "cold" runs follow an idle pause long enough for the workers to sleep (as
 * for the first operator of an inference). Last, a worker that starts 30 us
 * late: its whole half (2 tasks) against chunks the caller can take over
 * (mbi_threadpool_run_chunks).
 *
 * usage: bench_fork_join [reps]   (default 2000 hot, reps/10 cold) */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "runtime/thread_pool.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Busy work the compiler cannot remove: a serial dependency chain. */
typedef struct work {
    uint64_t iters;
    volatile uint64_t sink[2];
} work;

static void busy_task(void *arg, size_t task, int thread)
{
    work *w = arg;
    uint64_t x = task + 1;
    for (uint64_t i = 0; i < w->iters; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
    w->sink[task & 1] = x;
}

static void empty_task(void *arg, size_t task, int thread)
{
}

/* The caller's task waits until a worker has run the other one, so the run
 * takes the time a worker needs to pick up a job (or wake up for it); capped
 * at 10 ms in case no worker ever gets a CPU. */
static void handoff_task(void *arg, size_t task, int thread)
{
    atomic_int *worker_ran = arg;
    if (thread != 0) {
        atomic_store_explicit(worker_ran, 1, memory_order_release);
        return;
    }
    double give_up = now_us() + 10000.0;
    while (!atomic_load_explicit(worker_ran, memory_order_acquire) && now_us() < give_up) {
    }
}

/* A worker that starts its part late, as one woken from sleep or preempted
 * does: the first call on a worker spins stall_us first. The same ~100 us
 * of work as two tasks (each thread's half whole: the late worker's half
 * ends late) or as chunks (the caller takes what the worker has not). */
typedef struct late_job {
    work *w;
    double stall_us;
    atomic_int stalled;
} late_job;

static void stall(late_job *j, int thread)
{
    if (thread != 0 && !atomic_exchange(&j->stalled, 1)) {
        double until = now_us() + j->stall_us;
        while (now_us() < until) {
        }
    }
}

static void late_task(void *arg, size_t task, int thread)
{
    late_job *j = arg;
    stall(j, thread);
    busy_task(j->w, task, thread);
}

enum { LATE_CHUNKS = 64 };

static void late_range(void *arg, size_t begin, size_t end, int thread)
{
    late_job *j = arg;
    stall(j, thread);
    work part = {.iters = j->w->iters * 2 / LATE_CHUNKS * (end - begin)};
    busy_task(&part, begin, thread);
}

static double measure_late(mbi_threadpool *pool, late_job *j, bool chunked, int reps,
                           double *samples)
{
    for (int i = 0; i < reps + 20; i++) {
        atomic_store(&j->stalled, 0);
        double t0 = now_us();
        if (chunked)
            mbi_threadpool_run_chunks(pool, LATE_CHUNKS, 1, late_range, j);
        else
            mbi_threadpool_run(pool, 2, late_task, j);
        if (i >= 20)
            samples[i - 20] = now_us() - t0;
    }
    return median(samples, reps);
}

/* Iterations that make busy_task take about target_us on this machine. */
static uint64_t calibrate(double target_us)
{
    work w = {.iters = 100000};
    double samples[31];
    for (int i = 0; i < 31; i++) {
        double t0 = now_us();
        busy_task(&w, 0, 0);
        samples[i] = now_us() - t0;
    }
    double per_iter = median(samples, 31) / (double)w.iters;
    return (uint64_t)(target_us / per_iter);
}

/* arg, when it is a flag for handoff_task, is cleared before every run. */
static double measure(mbi_threadpool *pool, mbi_task_fn fn, void *arg, int reps, long idle_us,
                      double *samples)
{
    atomic_int *flag = fn == handoff_task ? arg : NULL;
    for (int i = 0; i < 20; i++) { /* warm up: threads running, caches filled */
        if (flag)
            atomic_store(flag, 0);
        mbi_threadpool_run(pool, 2, fn, arg);
    }
    for (int i = 0; i < reps; i++) {
        if (idle_us)
            sleep_us(idle_us);
        if (flag)
            atomic_store(flag, 0);
        double t0 = now_us();
        mbi_threadpool_run(pool, 2, fn, arg);
        samples[i] = now_us() - t0;
    }
    return median(samples, reps);
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 2000;
    if (reps < 10)
        reps = 10;
    int cold_reps = reps / 10;
    const long idle_us = 2000; /* well past the pool's spin time */
    double *samples = malloc((size_t)reps * sizeof *samples);
    mbi_threadpool *pool = NULL;
    mbi_error err = {0};
    if (!samples || mbi_threadpool_create(2, &pool, &err) != MOBINFER_OK) {
        fprintf(stderr, "setup failed: %s\n", err.message);
        free(samples);
        return 1;
    }
    work w = {.iters = calibrate(50.0)};

    printf("fork-join, 2 tasks, median of %d hot / %d cold runs (microseconds)\n", reps,
           cold_reps);
    printf("%-28s %10s %10s %10s\n", "", "inline", "2 threads", "cold");
    double e_in = measure(NULL, empty_task, NULL, reps, 0, samples);
    double e_hot = measure(pool, empty_task, NULL, reps, 0, samples);
    double e_cold = measure(pool, empty_task, NULL, cold_reps, idle_us, samples);
    printf("%-28s %10.2f %10.2f %10.2f\n", "empty tasks", e_in, e_hot, e_cold);
    atomic_int worker_ran;
    atomic_init(&worker_ran, 0);
    double h_hot = measure(pool, handoff_task, &worker_ran, reps, 0, samples);
    double h_cold = measure(pool, handoff_task, &worker_ran, cold_reps, idle_us, samples);
    printf("%-28s %10s %10.2f %10.2f\n", "handoff to a worker", "", h_hot, h_cold);
    double b_in = measure(NULL, busy_task, &w, reps, 0, samples);
    double b_hot = measure(pool, busy_task, &w, reps, 0, samples);
    double b_cold = measure(pool, busy_task, &w, cold_reps, idle_us, samples);
    printf("%-28s %10.2f %10.2f %10.2f\n", "2 x ~50 us tasks", b_in, b_hot, b_cold);
    printf("%-28s %10s %10.2f %10.2f\n", "speed-up over inline", "", b_in / b_hot,
           b_in / b_cold);

    late_job late = {.w = &w, .stall_us = 30.0};
    atomic_init(&late.stalled, 0);
    printf("%-28s %10s %10.2f\n", "worker 30 us late, 2 tasks", "",
           measure_late(pool, &late, false, reps, samples));
    printf("%-28s %10s %10.2f\n", "worker 30 us late, chunks", "",
           measure_late(pool, &late, true, reps, samples));

    mbi_threadpool_destroy(pool);
    free(samples);
    return 0;
}
