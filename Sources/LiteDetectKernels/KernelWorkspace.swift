internal import CLiteDetectKernels

/// The working memory some convolution kernels need while they run (Winograd's transformed
/// inputs, the bfloat16 kernels' rounded inputs): one slot per thread, allocated once with the
/// rest of a session's memory instead of on each thread's stack (up to 144 KiB a call there).
///
/// A workspace serves one caller at a time, like the session that owns it: the slots belong to
/// the threads of one running convolution (or program), the caller's first, then the pool's
/// workers'.
package final class KernelWorkspace: @unchecked Sendable {
    /// The threads it has a slot for: at least those of the pool the kernels run on.
    package let threadCount: Int
    /// Bytes of each thread's slot.
    package let bytesPerThread: Int
    private let base: UnsafeMutableRawPointer?

    /// A workspace with a slot of `bytesPerThread` (rounded up to a cache line) for each of
    /// `threadCount` threads; none is allocated when `bytesPerThread` is 0.
    package init(threadCount: Int, bytesPerThread: Int) {
        precondition(threadCount >= 1 && bytesPerThread >= 0, "a workspace needs a thread and a size ≥ 0")
        let line = FastAlignedBuffer.alignment
        let slot = (bytesPerThread + line - 1) / line * line
        self.threadCount = threadCount
        self.bytesPerThread = slot
        base = slot == 0 ? nil : UnsafeMutableRawPointer.allocate(byteCount: slot * threadCount, alignment: line)
    }

    /// A workspace for `convolutions` run on up to `threadCount` threads: each slot as large as
    /// the hungriest kernel's need.
    package convenience init(for convolutions: some Sequence<FastConvolution>, threadCount: Int) {
        self.init(threadCount: threadCount, bytesPerThread: convolutions.map(\.workspaceBytesPerThread).max() ?? 0)
    }

    deinit { base?.deallocate() }

    /// Whether it can serve `convolution` split across `threads` threads (1 without a pool).
    package func covers(_ convolution: FastConvolution, threads: Int) -> Bool {
        covers(bytesPerThread: convolution.workspaceBytesPerThread, threads: threads)
    }

    /// Whether it has a slot of at least `bytesPerThread` for each of `threads` threads.
    package func covers(bytesPerThread needed: Int, threads: Int) -> Bool {
        needed <= bytesPerThread && threads <= threadCount
    }

    var cValue: ldk_workspace {
        ldk_workspace(base: base, bytes_per_thread: bytesPerThread, threads: Int32(clamping: threadCount))
    }
}
