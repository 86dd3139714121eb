import LiteDetect
import LiteDetectModels
import Synchronization
import XCTest

/// The `AsyncSequence` frame loop: order, metadata, back-pressure and dropping.
final class FrameStreamTests: XCTestCase {
    private func frames(_ count: Int) -> [RGBImage] {
        (0..<count).map { FrameFixtures.randomImage(width: 48, height: 40, seed: UInt64($0)) }
    }

    func testQueueDeliversEveryFrameInOrderWithTheSynchronousResults() async throws {
        let detector = try FrameFixtures.tinyDetector()
        let images = frames(6)
        let session = detector.makeSession()
        let expected = try images.map { try session.detect($0, options: FrameFixtures.manyDetections).detections }
        var received: [DetectionResult] = []
        for try await result in detector.detections(in: images.async, options: FrameFixtures.manyDetections, buffering: .queue(limit: 2)) {
            received.append(result)
        }
        XCTAssertEqual(received.map(\.frame?.index), Array(0..<6))
        XCTAssertEqual(received.map(\.detections), expected)
    }

    func testVideoFramesKeepTheirOwnIndexAndTimestamp() async throws {
        let detector = try FrameFixtures.tinyDetector()
        let videoFrames = (0..<3).map { index -> VideoFrame in
            var frame = VideoFrame(format: .i420, width: 32, height: 24)
            frame.index = 10 + index
            frame.timestamp = .milliseconds(400 * index)
            return frame
        }
        var metadata: [FrameMetadata?] = []
        for try await result in detector.detections(in: videoFrames.async) { metadata.append(result.frame) }
        XCTAssertEqual(
            metadata,
            [
                FrameMetadata(index: 10, timestamp: .zero), FrameMetadata(index: 11, timestamp: .milliseconds(400)),
                FrameMetadata(index: 12, timestamp: .milliseconds(800)),
            ])
    }

    /// A consumer that stalls makes `.queue` stop pulling frames: the source is asked for at most
    /// the buffered frames plus the ones in flight (one being detected, one result waiting, one
    /// being put).
    func testQueueAppliesBackPressureToTheSource() async throws {
        let detector = try FrameFixtures.tinyDetector()
        final class Counter: Sendable { let value = Atomic<Int>(0) }
        let pulled = Counter()
        let image = FrameFixtures.randomImage(width: 48, height: 40, seed: 1)
        let endless = AsyncStream<RGBImage>(unfolding: {
            pulled.value.add(1, ordering: .relaxed)
            return image
        })
        var iterator = detector.detections(in: endless, buffering: .queue(limit: 3)).makeAsyncIterator()
        for _ in 0..<4 { _ = try await iterator.next() }
        try await Task.sleep(for: .milliseconds(300))
        let count = pulled.value.load(ordering: .relaxed)
        XCTAssertLessThanOrEqual(count, 4 + 3 + 3, "the source was pulled \(count) times for 4 results")
        _ = try await iterator.next()
        XCTAssertGreaterThan(pulled.value.load(ordering: .relaxed), 4)
    }

    /// With `.dropOldest`, a stalled consumer does not stall the source: waiting frames are
    /// discarded oldest first, the newest always survives, and results stay in order.
    func testDropOldestDiscardsStaleFramesButKeepsTheNewest() async throws {
        let detector = try FrameFixtures.tinyDetector()
        let images = frames(30)
        var indices: [Int] = []
        for try await result in detector.detections(in: images.async, buffering: .dropOldest(limit: 1)) {
            if indices.isEmpty { try await Task.sleep(for: .milliseconds(300)) }  // the source runs ahead meanwhile
            indices.append(try XCTUnwrap(result.frame?.index))
        }
        XCTAssertEqual(indices.last, 29, "the newest frame is never dropped")
        XCTAssertEqual(indices, indices.sorted())
        XCTAssertEqual(Set(indices).count, indices.count)
        XCTAssertLessThan(indices.count, 10, "a stalled consumer must make frames drop, got \(indices)")
    }

    func testSourceErrorsReachTheConsumerAfterTheFramesBeforeThem() async throws {
        struct CameraUnplugged: Error {}
        let detector = try FrameFixtures.tinyDetector()
        let images = frames(3)
        let failing = AsyncThrowingStream<RGBImage, any Error> { continuation in
            for image in images { continuation.yield(image) }
            continuation.finish(throwing: CameraUnplugged())
        }
        var received = 0
        do {
            for try await _ in detector.detections(in: failing) { received += 1 }
            XCTFail("the source's error was swallowed")
        } catch is CameraUnplugged {
            XCTAssertEqual(received, 3)
        }
    }
}

/// A finite sequence as an `AsyncSequence` (test helper).
struct AsyncArray<Element: Sendable>: AsyncSequence, Sendable {
    let elements: [Element]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<Element>
        mutating func next() async -> Element? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: elements[...]) }
}

extension Array where Element: Sendable {
    var async: AsyncArray<Element> { AsyncArray(elements: self) }
}
