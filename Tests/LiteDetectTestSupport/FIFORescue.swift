import Dispatch
import Foundation

/// Guards a call that must not block on a FIFO: if it is still running after `seconds`, the
/// FIFO's write end is opened (which completes a reader's blocked `open`), so a regression fails
/// the test instead of hanging the suite. Returns whether that rescue was needed.
package func returnsWithoutBlocking(on fifo: String, after seconds: Double = 5, _ body: () throws -> Void) rethrows -> Bool {
    let state = FIFORescueState()
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
        guard !state.isFinished else { return }
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        if writer >= 0 {
            state.markRescued()
            close(writer)
        }
    }
    defer { state.finish() }
    try body()
    return state.wasRescued
}

/// Flags shared between a guarded call and its rescue timer.
private final class FIFORescueState: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false, rescued = false
    var isFinished: Bool { lock.withLock { finished } }
    var wasRescued: Bool { lock.withLock { rescued } }
    func finish() { lock.withLock { finished = true } }
    func markRescued() { lock.withLock { rescued = true } }
}
