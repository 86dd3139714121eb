import Foundation
import LiteDetectServer
import XCTest

/// The pool under sustained overload: its queue never runs empty, yet every job's payload (the
/// request's image, in the server) must be freed once the job has run. The pool used to drop
/// consumed jobs only when its queue emptied, so a saturated server grew by each served image.
final class DetectionPoolTests: XCTestCase {
    /// Something a job holds, whose release the test can see.
    final class Payload: Sendable {}

    func testARunJobIsReleasedWhileOthersStillWait() async throws {
        let pool = DetectionPool(workers: 1, queueLimit: 4)
        defer { pool.shutdown() }
        let gate = DispatchSemaphore(value: 0)
        func submit(_ payload: Payload) -> Task<Void, any Error> {
            Task {
                try await pool.run { _ in
                    gate.wait()
                    withExtendedLifetime(payload) {}
                }
            }
        }
        // One job occupies the worker; the tracked job and two more queue behind it.
        let blocker = submit(Payload())
        while pool.depth.running < 1 { try await Task.sleep(for: .milliseconds(5)) }
        weak var trackedPayload: Payload?
        let tracked: Task<Void, any Error> = {
            let payload = Payload()
            trackedPayload = payload
            return submit(payload)
        }()
        while pool.depth.queued < 1 { try await Task.sleep(for: .milliseconds(5)) }
        let behind = [submit(Payload()), submit(Payload())]
        while pool.depth.queued < 3 { try await Task.sleep(for: .milliseconds(5)) }
        gate.signal()  // the blocker finishes and the tracked job starts
        try await blocker.value
        gate.signal()  // the tracked job finishes; two jobs still wait or run
        try await tracked.value
        let deadline = ContinuousClock.now + .seconds(2)
        while trackedPayload != nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertNil(trackedPayload, "a job that has run is still held by the pool")
        XCTAssertEqual(pool.depth.queued + pool.depth.running, 2)
        for _ in behind { gate.signal() }
        for task in behind { try await task.value }
    }
}
