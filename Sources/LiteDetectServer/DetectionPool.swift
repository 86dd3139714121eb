import DequeModule
import Foundation
import LiteDetect

/// The threads that decode images and run detection for the server, apart from its event loops:
/// `workers` threads, each with its own `DetectorSession` per model (made on first use), fed from
/// a queue of at most `queueLimit` waiting jobs. A job that finds the queue full is refused at
/// once (the server answers 429), so overload costs a refusal, never unbounded memory.
///
/// `shutdown()` lets queued and running jobs finish, then stops the threads.
package final class DetectionPool: @unchecked Sendable {  // all mutable state is behind `condition`
    /// Why a job was not queued.
    package enum Refusal: Error, Equatable {
        case queueFull(limit: Int)
        case shuttingDown
    }

    /// One worker's sessions, by model name: a session is not thread-safe, a detector is.
    package final class Sessions {
        private var byModel: [String: DetectorSession] = [:]

        package func session(for detector: Detector) -> DetectorSession {
            if let session = byModel[detector.config.name] { return session }
            let session = detector.makeSession(threads: 1)
            byModel[detector.config.name] = session
            return session
        }
    }

    let workers: Int
    let queueLimit: Int
    private let condition = NSCondition()
    /// Waiting jobs. A job does its work and returns what to do once the worker is free again
    /// (resume the caller), so that a client never hears back before the worker counts as free.
    /// A job leaves the queue when a worker takes it, so the image it holds is freed with it even
    /// while the queue never runs empty (under sustained overload).
    private var queue = Deque<(Sessions) -> () -> Void>()
    private var running = 0
    private var stopping = false
    private var finishedWorkers = 0

    package init(workers: Int, queueLimit: Int) {
        precondition(workers >= 1 && queueLimit >= 0)
        self.workers = workers
        self.queueLimit = queueLimit
        for index in 0..<workers {
            let thread = Thread { [self] in work() }
            thread.name = "litedetect-worker-\(index)"
            // The kernels keep up to 144 KiB of scratch on the stack of the thread that runs them.
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Whether new jobs are taken (false once shutting down): readiness.
    package var isAcceptingWork: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !stopping
    }

    /// Jobs waiting for a worker, and jobs running: for the metrics.
    package var depth: (queued: Int, running: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (queue.count, running)
    }

    /// Runs `body` on a worker with that worker's sessions; throws `Refusal` when the queue is full
    /// or the pool is shutting down, and whatever `body` throws.
    package func run<Value: Sendable>(_ body: @escaping @Sendable (Sessions) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            condition.lock()
            defer { condition.unlock() }
            if stopping {
                continuation.resume(throwing: Refusal.shuttingDown)
                return
            }
            // A free worker takes the job at once; otherwise it waits in the bounded queue.
            guard queue.count < queueLimit + max(0, workers - running) else {
                continuation.resume(throwing: Refusal.queueFull(limit: queueLimit))
                return
            }
            queue.append { sessions in
                let outcome = Result { try body(sessions) }
                return { continuation.resume(with: outcome) }
            }
            condition.signal()
        }
    }

    /// Stops taking jobs, lets the queued and running ones finish, and waits for the threads.
    package func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while finishedWorkers < workers { condition.wait() }
        condition.unlock()
    }

    private func work() {
        let sessions = Sessions()
        condition.lock()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            guard let job = queue.popFirst() else {
                finishedWorkers += 1
                condition.broadcast()
                condition.unlock()
                return
            }
            running += 1
            condition.unlock()
            let resume = job(sessions)
            condition.lock()
            running -= 1
            condition.unlock()
            resume()
            condition.lock()
        }
    }
}
