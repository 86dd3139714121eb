/// Carries a value that is not `Sendable` into another thread, where the code that creates it
/// guarantees it is never used from two threads at once (a lock or a hand-over orders every use):
/// the delivery closure of `ParallelImageRunner`, the stage closures of `FramePipeline`.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
