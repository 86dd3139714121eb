import Dispatch
import LiteDetect
import LiteDetectModels
import Synchronization
import XCTest

/// One shared `Detector`, one `DetectorSession` per thread: the same answers as one thread.
final class FrameThreadingTests: XCTestCase {
    func testSessionsOnParallelThreadsMatchASingleThread() throws {
        let detector = try Detector(model: "ssdlite320-mobilenetv3-small", weights: .random(seed: 3))
        let images = (0..<8).map { FrameFixtures.randomImage(width: 80 + 8 * $0, height: 60, seed: UInt64(100 + $0)) }
        let options = FrameFixtures.manyDetections
        let session = detector.makeSession()
        let expected = try images.map { try session.detect($0, options: options).detections }
        XCTAssertTrue(expected.allSatisfy { !$0.isEmpty })

        let threads = 4
        let mismatches = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let session = detector.makeSession()
            var result = DetectionResult()
            // Each thread walks the frames from a different start, three times over.
            for step in 0..<(3 * images.count) {
                let index = (thread * 3 + step) % images.count
                let (bytes, stride) = FrameFixtures.packed(images[index], as: .rgba8, padding: 0)
                do {
                    try bytes.withUnsafeBytes { raw in
                        let frame = try PixelFrame(format: .rgba8, width: images[index].width, height: 60, bytes: raw, bytesPerRow: stride)
                        try session.detect(frame, options: options, into: &result)
                    }
                    if result.detections != expected[index] { mismatches.withLock { $0.append("thread \(thread) image \(index)") } }
                } catch {
                    mismatches.withLock { $0.append("thread \(thread) image \(index): \(error)") }
                }
            }
        }
        XCTAssertEqual(mismatches.withLock { $0 }, [])
    }
}
