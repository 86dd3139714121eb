#ifndef LITEDETECT_ALLOCATION_COUNTER_H
#define LITEDETECT_ALLOCATION_COUNTER_H

/// Counts heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign)
/// made by any thread of the test process while counting is on.
///
/// The test executable defines these allocation functions itself; the dynamic linker binds
/// every library's calls (the Swift runtime's, Foundation's, libc's own) to the executable's
/// definitions first, so nothing needs LD_PRELOAD. Each definition forwards to glibc's
/// `__libc_*` entry points, so `free` stays glibc's. Linux with glibc only (as the package).

/// Resets the counts and starts counting. Threads whose name starts with `watched_prefix` (at most
/// 15 characters: the kernels' workers, say) are counted apart too, their name read when they
/// allocate; NULL watches none.
void ldac_start_counting(const char *watched_prefix);

/// Stops counting and returns the number of allocations since `ldac_start_counting`, or -1 in a
/// build with AddressSanitizer or ThreadSanitizer, which own the allocation functions.
long ldac_stop_counting(void);

/// Of the allocations the last `ldac_stop_counting` returned, those made by the thread that
/// called `ldac_start_counting` (-1 under a sanitizer). The others came from other threads: the
/// watched ones, or any thread of the test process still winding down from an earlier test.
long ldac_counted_on_starting_thread(void);

/// Of the allocations the last `ldac_stop_counting` returned, those made by watched threads other
/// than the starting one (-1 under a sanitizer).
long ldac_counted_on_watched_threads(void);

/// Names the calling thread (at most 15 characters), for tests of the watching itself.
/// (pthread_setname_np is a GNU extension Swift's Glibc module does not import.)
void ldac_name_calling_thread(const char *name);

#endif
