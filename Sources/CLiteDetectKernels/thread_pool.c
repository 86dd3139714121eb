// A small persistent thread pool for splitting one convolution across cores.
//
// Jobs are short (tens of µs to a few ms) and come back to back, so waking threads through the
// kernel for each would cost as much as the work: workers spin on the job counter for a while
// after each job and only then sleep on a condition variable.
//
// Safety of the job hand-over: `state` packs the job's generation, a "closed" flag and the
// number of workers that entered the job. A worker enters only an open job of the generation
// it woke for (compare-and-swap), and the caller closes the job before returning, then waits
// for exactly the workers that entered. So a worker that wakes late never reads the fields of
// a job being replaced, and the caller never waits on a worker that is asleep or descheduled.

#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernels_internal.h"

/// How long a worker busy-waits for the next job before it sleeps. Long enough to bridge the
/// single-threaded operations between two convolutions, short enough not to burn a core
/// between frames.
#define LDK_SPIN_NANOSECONDS 100000

#define LDK_STATE_GENERATION_SHIFT 32
#define LDK_STATE_CLOSED ((uint64_t)1 << 31)
#define LDK_STATE_ENTERED_MASK (LDK_STATE_CLOSED - 1)

struct ldk_thread_pool {
    int threads;
    pthread_t *workers;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    /// generation << 32 | closed flag | workers entered.
    uint64_t state;
    int sleepers;
    int stopping;
    /// Each worker's start argument: the pool and the worker's thread index (1…).
    struct ldk_worker_start *starts;
    /// Nonzero while a caller runs a job; a second caller runs its job alone.
    int busy;
    /// The job, valid while it is open or entered workers remain.
    void (*task)(void *, ptrdiff_t, int);
    void *context;
    ptrdiff_t items;
    ptrdiff_t next_item;
    int exited;
};

static inline void ldk_pause(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static uint32_t ldk_generation(uint64_t state) { return (uint32_t)(state >> LDK_STATE_GENERATION_SHIFT); }

static uint64_t ldk_current_generation(ldk_thread_pool *pool) {
    return ldk_generation(__atomic_load_n(&pool->state, __ATOMIC_ACQUIRE));
}

struct ldk_worker_start {
    ldk_thread_pool *pool;
    int thread;
};

/// Claims and runs items of the current job until none are left, as thread `thread`.
static void ldk_run_items(ldk_thread_pool *pool, int thread) {
    for (;;) {
        ptrdiff_t item = __atomic_fetch_add(&pool->next_item, 1, __ATOMIC_RELAXED);
        if (item >= pool->items) return;
        pool->task(pool->context, item, thread);
    }
}

/// Names the calling thread LDK_WORKER_THREAD_NAME_PREFIX + its index. The worker names itself,
/// before it can enter any job, so no job runs on an unnamed worker. Best effort: a name that
/// cannot be set changes nothing else.
static void ldk_name_worker_thread(int thread) {
    char name[16]; // Linux's limit, the terminating zero included
    snprintf(name, sizeof name, LDK_WORKER_THREAD_NAME_PREFIX "%d", thread);
#if defined(__APPLE__)
    pthread_setname_np(name);
#else
    pthread_setname_np(pthread_self(), name);
#endif
}

static void *ldk_worker_main(void *argument) {
    const struct ldk_worker_start *start = argument;
    ldk_thread_pool *pool = start->pool;
    const int thread = start->thread;
    ldk_name_worker_thread(thread);
    // Generation 0 is the pool's initial, closed state. (Reading `state` here instead could
    // already see the stop signal of a pool destroyed before this thread got going, and then
    // wait for a generation that never comes.)
    uint32_t seen = 0;
    for (;;) {
        // Wait for a new generation: spin, then sleep.
        uint64_t state = __atomic_load_n(&pool->state, __ATOMIC_ACQUIRE);
        const int64_t spin_end = ldk_now_nanoseconds() + LDK_SPIN_NANOSECONDS;
        for (int round = 1; ldk_generation(state) == seen; round++) {
            ldk_pause();
            state = __atomic_load_n(&pool->state, __ATOMIC_ACQUIRE);
            if (round % 64 == 0 && ldk_now_nanoseconds() > spin_end) break;
        }
        if (ldk_generation(state) == seen) {
            pthread_mutex_lock(&pool->mutex);
            __atomic_fetch_add(&pool->sleepers, 1, __ATOMIC_SEQ_CST);
            while (ldk_generation(state = __atomic_load_n(&pool->state, __ATOMIC_SEQ_CST)) == seen)
                pthread_cond_wait(&pool->wake, &pool->mutex);
            __atomic_fetch_sub(&pool->sleepers, 1, __ATOMIC_SEQ_CST);
            pthread_mutex_unlock(&pool->mutex);
        }
        seen = ldk_generation(state);
        if (__atomic_load_n(&pool->stopping, __ATOMIC_ACQUIRE)) return NULL;

        // Enter the job if it is still open and still the one we woke for.
        int entered = 0;
        while (!(state & LDK_STATE_CLOSED) && ldk_generation(state) == seen) {
            if (__atomic_compare_exchange_n(&pool->state, &state, state + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                entered = 1;
                break;
            }
        }
        if (!entered) continue;
        ldk_run_items(pool, thread);
        __atomic_fetch_add(&pool->exited, 1, __ATOMIC_RELEASE);
    }
}

ldk_thread_pool *ldk_thread_pool_create(int threads) {
    if (threads < 1) return NULL;
    ldk_thread_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->threads = threads;
    pool->state = LDK_STATE_CLOSED;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->workers = calloc((size_t)threads, sizeof(pthread_t));
    pool->starts = calloc((size_t)threads, sizeof *pool->starts);
    if (!pool->workers || !pool->starts) {
        pool->threads = 1; // no worker to join
        ldk_thread_pool_destroy(pool);
        return NULL;
    }
    for (int i = 0; i < threads - 1; i++) {
        pool->starts[i] = (struct ldk_worker_start){pool, i + 1};
        if (pthread_create(&pool->workers[i], NULL, ldk_worker_main, &pool->starts[i]) != 0) {
            pool->threads = i + 1; // the workers started so far, for destroy to join
            ldk_thread_pool_destroy(pool);
            return NULL;
        }
    }
    return pool;
}

/// Starts a new generation (a job, or the stop signal) and wakes sleeping workers.
static void ldk_publish(ldk_thread_pool *pool, uint64_t new_state) {
    __atomic_store_n(&pool->state, new_state, __ATOMIC_SEQ_CST);
    // A worker increments `sleepers` before its last look at `state` (both sequentially
    // consistent), so either it sees the new generation or this sees it asleep.
    if (__atomic_load_n(&pool->sleepers, __ATOMIC_SEQ_CST) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
}

void ldk_thread_pool_destroy(ldk_thread_pool *pool) {
    if (!pool) return;
    if (pool->workers) {
        __atomic_store_n(&pool->stopping, 1, __ATOMIC_RELEASE);
        const uint32_t next = (uint32_t)ldk_current_generation(pool) + 1;
        ldk_publish(pool, ((uint64_t)next << LDK_STATE_GENERATION_SHIFT) | LDK_STATE_CLOSED);
        for (int i = 0; i < pool->threads - 1; i++) pthread_join(pool->workers[i], NULL);
        free(pool->workers);
    }
    free(pool->starts);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    free(pool);
}

int ldk_thread_pool_threads(const ldk_thread_pool *pool) { return pool ? pool->threads : 1; }

void ldk_thread_pool_run(ldk_thread_pool *pool, ptrdiff_t items, void (*task)(void *, ptrdiff_t, int), void *context) {
    int expected = 0;
    if (!pool || pool->threads < 2 || items < 2 ||
        !__atomic_compare_exchange_n(&pool->busy, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        for (ptrdiff_t i = 0; i < items; i++) task(context, i, 0);
        return;
    }
    // The previous job is closed and every worker that entered it has left, so its fields are free.
    pool->task = task;
    pool->context = context;
    pool->items = items;
    pool->next_item = 0;
    pool->exited = 0;
    const uint32_t generation = (uint32_t)ldk_current_generation(pool) + 1;
    ldk_publish(pool, (uint64_t)generation << LDK_STATE_GENERATION_SHIFT);

    ldk_run_items(pool, 0);

    // Close the job (no one enters after this), then wait for those who did.
    uint64_t state = __atomic_load_n(&pool->state, __ATOMIC_ACQUIRE);
    while (!__atomic_compare_exchange_n(&pool->state, &state, state | LDK_STATE_CLOSED, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {}
    const int entered = (int)(state & LDK_STATE_ENTERED_MASK);
    while (__atomic_load_n(&pool->exited, __ATOMIC_ACQUIRE) < entered) ldk_pause();
    __atomic_store_n(&pool->busy, 0, __ATOMIC_RELEASE);
}
