import Foundation
import LiteDetect
import LiteDetectModels
import XCTest

/// Resident memory stays flat over a long frame loop: nothing accumulates per frame.
final class FrameMemoryTests: XCTestCase {
    /// Resident set size in bytes (`/proc/self/statm`, second field, in pages).
    private func residentBytes() throws -> Int {
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let pages = try XCTUnwrap(Int(statm.split(separator: " ")[1]))
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// 2,000 frames through a small model (64×64 SSDLite-MobileNetV3-small, random weights; about
    /// 2 s in a release build): a leak of even 1 KiB per frame would add 2 MiB.
    func testResidentMemoryIsFlatOver2000Frames() throws {
        let detector = try FrameFixtures.tinyDetector()
        let session = detector.makeSession()
        let (width, height) = (96, 72)
        let frames = (0..<4).map { seed in
            (0..<PixelFormat.nv12.contiguousByteCount(width: width, height: height)).map { UInt8(truncatingIfNeeded: ($0 &* 7) ^ (seed &* 89)) }
        }
        var result = DetectionResult()
        var detections = 0
        func run(_ count: Int, from start: Int) throws {
            for index in start..<(start + count) {
                try frames[index % frames.count].withUnsafeBytes { raw in
                    let frame = try PixelFrame(format: .nv12, width: width, height: height, bytes: raw)
                    try session.detect(frame, options: FrameFixtures.manyDetections, metadata: FrameMetadata(index: index), into: &result)
                }
                detections += result.detections.count
            }
        }
        try run(50, from: 0)  // warm-up
        let before = try residentBytes()
        try run(2000, from: 50)
        let after = try residentBytes()
        XCTAssertGreaterThan(detections, 0)
        XCTAssertEqual(result.frame?.index, 2049)
        XCTAssertLessThan(after - before, 1 << 20, "resident memory grew by \(after - before) bytes over 2000 frames")
    }
}
