import Foundation

/// A bounded buffer between one producing task and one consuming task, with a
/// `FrameBufferingPolicy` for when it is full. Cancelling either side (or `cancel()`) wakes the
/// other with `CancellationError`, so neither can be left waiting forever.
final class HandoffBuffer<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var finished = false
        var failure: (any Error)?
        var cancelled = false
        var waitingTaker: CheckedContinuation<Element?, any Error>?
        /// Resumed with `false` ("room now, try again") or a `CancellationError`.
        var waitingPutter: CheckedContinuation<Bool, any Error>?
    }

    private enum PutOutcome { case added(CheckedContinuation<Element?, any Error>?), parked, cancelled }
    private enum TakeOutcome { case item(Element, CheckedContinuation<Bool, any Error>?), end, failed(any Error), waiting }

    private let policy: FrameBufferingPolicy
    private let state = Locked(State())

    init(policy: FrameBufferingPolicy) {
        precondition(policy.limit >= 1, "a buffer holds at least one element, got \(policy)")
        self.policy = policy
    }

    /// Adds `element`, waiting for room under `.queue`, discarding the oldest under `.dropOldest`.
    func put(_ element: Element) async throws {
        while true {
            let added: Bool = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                    let outcome: PutOutcome = state.withLock { state in
                        if state.cancelled { return .cancelled }
                        if state.items.count >= policy.limit {
                            guard case .dropOldest = policy else {
                                // Full under `.queue`: wait for a `take` to make room, then try again.
                                state.waitingPutter = continuation
                                return .parked
                            }
                            state.items.removeFirst()
                        }
                        if let taker = state.waitingTaker {
                            // A waiting taker means the buffer is empty: hand the element over.
                            state.waitingTaker = nil
                            return .added(taker)
                        }
                        state.items.append(element)
                        return .added(nil)
                    }
                    switch outcome {
                    case let .added(taker):
                        taker?.resume(returning: element)
                        continuation.resume(returning: true)
                    case .cancelled:
                        continuation.resume(throwing: CancellationError())
                    case .parked:
                        break
                    }
                }
            } onCancel: {
                cancel()
            }
            if added { return }
        }
    }

    /// The oldest element, waiting for one; `nil` once the producer finished and all were taken.
    func take() async throws -> Element? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                let outcome: TakeOutcome = state.withLock { state in
                    if state.cancelled { return .failed(CancellationError()) }
                    if !state.items.isEmpty {
                        let putter = state.waitingPutter
                        state.waitingPutter = nil
                        return .item(state.items.removeFirst(), putter)
                    }
                    if let failure = state.failure { return .failed(failure) }
                    if state.finished { return .end }
                    state.waitingTaker = continuation
                    return .waiting
                }
                switch outcome {
                case let .item(element, putter):
                    continuation.resume(returning: element)
                    putter?.resume(returning: false)  // "there is room now, try again"
                case .end: continuation.resume(returning: nil)
                case let .failed(error): continuation.resume(throwing: error)
                case .waiting: break
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// No more elements will come; `failure` is rethrown to the taker after the buffered ones.
    func finish(throwing failure: (any Error)? = nil) {
        let taker: CheckedContinuation<Element?, any Error>? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            state.failure = failure
            defer { state.waitingTaker = nil }
            return state.waitingTaker
        }
        if let failure { taker?.resume(throwing: failure) } else { taker?.resume(returning: nil) }
    }

    /// Stops both sides: waiting and later calls throw `CancellationError`; buffered elements are dropped.
    func cancel() {
        let (taker, putter) = state.withLock { state in
            state.cancelled = true
            state.items.removeAll()
            defer { (state.waitingTaker, state.waitingPutter) = (nil, nil) }
            return (state.waitingTaker, state.waitingPutter)
        }
        taker?.resume(throwing: CancellationError())
        putter?.resume(throwing: CancellationError())
    }
}
