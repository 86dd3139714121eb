import Foundation

/// A value that is only touched while holding an `NSLock`.
///
/// The frame-loop types use this rather than `Synchronization.Mutex` for one reason:
/// ThreadSanitizer sees `NSLock` (a pthread mutex) but not `Mutex` on Linux (Swift 6.3.1 ships an
/// uninstrumented standard library whose `Mutex` waits on a futex directly), so with `Mutex` every
/// pair of critical sections is reported as a race, and silencing that would hide real races too.
/// The lock is created once, with the value: taking it allocates nothing.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
