internal import CLiteDetectKernels

/// Threads that the fast convolutions split their output rows across, kept alive between calls.
///
/// After a job its workers spin for about 100 µs waiting for the next one (convolutions come
/// back to back within a forward pass), then sleep. Convolutions too small to pay for a parallel
/// region (under ~400 k multiply-accumulates) run on the calling thread alone. One job runs at a
/// time; a second thread calling in while the pool is busy runs its convolution by itself, so
/// sharing a pool is safe but gains nothing; give each concurrently running session its own.
package final class KernelThreadPool: @unchecked Sendable {
    /// Threads in all, the calling thread included.
    package let threadCount: Int
    /// What the workers' thread names start with ("ld-kernel-1", …); the calling thread keeps its own.
    package static let workerThreadNamePrefix = LDK_WORKER_THREAD_NAME_PREFIX
    let pool: OpaquePointer?

    /// A pool of `threadCount` threads in all: the caller plus `threadCount − 1` workers.
    /// Returns `nil` when `threadCount` is below 1 or the workers cannot be started.
    package init?(threadCount: Int) {
        guard threadCount >= 1, let pool = ldk_thread_pool_create(Int32(clamping: threadCount)) else { return nil }
        self.threadCount = threadCount
        self.pool = pool
    }

    deinit { ldk_thread_pool_destroy(pool) }
}
