// Allocation functions that count, then forward to glibc (see the header for why this works
// without LD_PRELOAD). Kept minimal: no locks, no allocation; while counting, a few atomics per
// call and, for a thread other than the starting one, one prctl to read its name.
#define _GNU_SOURCE // pthread_setname_np
#include "LiteDetectAllocationCounter.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define LDAC_UNDER_SANITIZER 1
#endif
#endif

void ldac_name_calling_thread(const char *name) { pthread_setname_np(pthread_self(), name); }

#ifdef LDAC_UNDER_SANITIZER
// A sanitizer replaces the allocation functions itself; defining them here too would hand its
// memory to glibc's free (and crash before main). Counting is unavailable: -1 says so.
void ldac_start_counting(const char *watched_prefix) { (void)watched_prefix; }
long ldac_stop_counting(void) { return -1; }
long ldac_counted_on_starting_thread(void) { return -1; }
long ldac_counted_on_watched_threads(void) { return -1; }
#else

static atomic_int counting;
static atomic_long allocations;
static atomic_long starting_thread_allocations;
static atomic_long watched_thread_allocations;
// The thread that started counting. pthread_self reads the thread pointer: it never allocates.
static _Atomic pthread_t starting_thread;
// Threads whose names start with this are watched. Written only while counting is off; a thread
// still inside note_allocation from the last window could read it meanwhile, which the tests
// make harmless by always watching the same prefix.
static char watched_name_prefix[16];
static size_t watched_name_prefix_length;

/// Whether the calling thread's name starts with the watched prefix. PR_GET_NAME is one system
/// call that copies at most 16 bytes: no allocation, no lock.
static int on_watched_thread(void) {
    if (watched_name_prefix_length == 0) return 0;
    char name[16] = {0};
    if (prctl(PR_GET_NAME, name) != 0) return 0;
    return strncmp(name, watched_name_prefix, watched_name_prefix_length) == 0;
}

static inline void note_allocation(void) {
    if (atomic_load_explicit(&counting, memory_order_acquire)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
        if (pthread_equal(pthread_self(), atomic_load_explicit(&starting_thread, memory_order_relaxed))) {
            atomic_fetch_add_explicit(&starting_thread_allocations, 1, memory_order_relaxed);
        } else if (on_watched_thread()) {
            atomic_fetch_add_explicit(&watched_thread_allocations, 1, memory_order_relaxed);
        }
    }
}

void ldac_start_counting(const char *watched_prefix) {
    atomic_store(&counting, 0);
    atomic_store(&allocations, 0);
    atomic_store(&starting_thread_allocations, 0);
    atomic_store(&watched_thread_allocations, 0);
    atomic_store(&starting_thread, pthread_self());
    watched_name_prefix_length = 0;
    if (watched_prefix != NULL) {
        // Thread names hold at most 15 characters; a longer prefix could never match.
        const size_t length = strnlen(watched_prefix, sizeof watched_name_prefix);
        if (length < sizeof watched_name_prefix) {
            memcpy(watched_name_prefix, watched_prefix, length + 1);
            watched_name_prefix_length = length;
        }
    }
    // Release: a thread that sees counting on sees the prefix written above.
    atomic_store_explicit(&counting, 1, memory_order_release);
}

long ldac_stop_counting(void) {
    atomic_store(&counting, 0);
    return atomic_load(&allocations);
}

long ldac_counted_on_starting_thread(void) { return atomic_load(&starting_thread_allocations); }

long ldac_counted_on_watched_threads(void) { return atomic_load(&watched_thread_allocations); }

void *malloc(size_t size) {
    note_allocation();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    note_allocation();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    note_allocation();
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    note_allocation();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    note_allocation();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    // posix_memalign's contract: a power of two that is a multiple of sizeof(void *).
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment % sizeof(void *) != 0) return EINVAL;
    note_allocation();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

#endif // LDAC_UNDER_SANITIZER
