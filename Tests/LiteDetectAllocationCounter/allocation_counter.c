// Allocation functions that count, then forward to glibc (see the header for why this works
// without LD_PRELOAD). Kept minimal: no locks, no allocation, one relaxed atomic per call.
#include "LiteDetectAllocationCounter.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define LDAC_UNDER_SANITIZER 1
#endif
#endif

#ifdef LDAC_UNDER_SANITIZER
// A sanitizer replaces the allocation functions itself; defining them here too would hand its
// memory to glibc's free (and crash before main). Counting is unavailable: -1 says so.
void ldac_start_counting(void) {}
long ldac_stop_counting(void) { return -1; }
long ldac_counted_on_starting_thread(void) { return -1; }
#else

static atomic_int counting;
static atomic_long allocations;
static atomic_long starting_thread_allocations;
// The thread that started counting. pthread_self reads the thread pointer: it never allocates.
static _Atomic pthread_t starting_thread;

static inline void note_allocation(void) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
        if (pthread_equal(pthread_self(), atomic_load_explicit(&starting_thread, memory_order_relaxed))) {
            atomic_fetch_add_explicit(&starting_thread_allocations, 1, memory_order_relaxed);
        }
    }
}

void ldac_start_counting(void) {
    atomic_store(&allocations, 0);
    atomic_store(&starting_thread_allocations, 0);
    atomic_store(&starting_thread, pthread_self());
    atomic_store(&counting, 1);
}

long ldac_stop_counting(void) {
    atomic_store(&counting, 0);
    return atomic_load(&allocations);
}

long ldac_counted_on_starting_thread(void) { return atomic_load(&starting_thread_allocations); }

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
