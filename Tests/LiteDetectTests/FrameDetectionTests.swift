import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectTestSupport
import XCTest

/// The frame API gives exactly the single-image results: same pixels, same detections, bit for bit.
final class FrameDetectionTests: XCTestCase {
    private static let detector = Result { try Detector(model: "ssdlite320-mobilenetv3-small", weights: .random(seed: 11)) }

    private func street() throws -> RGBImage {
        try ImageFile.load(repositoryRoot.appendingPathComponent("SampleImages/street.jpg").path).image
    }

    func testEveryPackedFormatEqualsTheRGBImagePathBitForBit() throws {
        let detector = try Self.detector.get()
        let image = try street()
        let options = FrameFixtures.manyDetections
        let reference = try detector.makeSession().detect(image, options: options)
        XCTAssertFalse(reference.detections.isEmpty, "the comparison needs detections")
        let session = detector.makeSession()
        for format in [PixelFormat.rgb8, .bgr8, .rgba8, .bgra8] {
            let (bytes, stride) = FrameFixtures.packed(image, as: format, padding: 7)
            let result = try bytes.withUnsafeBytes { raw in
                try session.detect(
                    try PixelFrame(format: format, width: image.width, height: image.height, bytes: raw, bytesPerRow: stride), options: options)
            }
            XCTAssertEqual(result.detections, reference.detections, "\(format)")
            XCTAssertEqual(result.imageWidth, image.width)
            XCTAssertEqual(result.imageHeight, image.height)
        }
    }

    /// An I420 frame gives the detections of OpenCV's RGB conversion of it, run as an image.
    func testI420FrameEqualsTheImagePathOnOpenCVsConversion() throws {
        let detector = try Self.detector.get()
        let fixture = try FrameFixtures.conversions()
        let openCVImage = try XCTUnwrap(RGBImage(width: fixture.width, height: fixture.height, pixels: try FrameFixtures.bytes("i420_to_rgb")))
        let options = FrameFixtures.manyDetections
        let reference = try detector.makeSession().detect(openCVImage, options: options)
        XCTAssertFalse(reference.detections.isEmpty)
        let planes = try FrameFixtures.bytes("i420")
        var result = DetectionResult()
        try planes.withUnsafeBytes { raw in
            let frame = try PixelFrame(format: .i420, width: fixture.width, height: fixture.height, bytes: raw)
            try detector.makeSession().detect(
                frame, options: options, metadata: FrameMetadata(index: 41, timestamp: .milliseconds(1640)), into: &result)
        }
        XCTAssertEqual(result.detections, reference.detections)
        XCTAssertEqual(result.frame, FrameMetadata(index: 41, timestamp: .milliseconds(1640)))
        XCTAssertNil(reference.frame)
    }

    /// One session and one result reused over frames of changing sizes and options: every
    /// answer equals a fresh session's on the same image.
    func testReusedSessionAndResultFollowSizeAndOptionChanges() throws {
        let detector = try Self.detector.get()
        let images = [
            FrameFixtures.randomImage(width: 96, height: 64, seed: 1), FrameFixtures.randomImage(width: 96, height: 64, seed: 2),
            FrameFixtures.randomImage(width: 50, height: 81, seed: 3), FrameFixtures.randomImage(width: 96, height: 64, seed: 4),
        ]
        let optionSets = [
            FrameFixtures.manyDetections, DetectionOptions(scoreThreshold: 0.05, maxDetections: 3),
            DetectionOptions(scoreThreshold: 0.01, classIDs: [1, 3]), FrameFixtures.manyDetections,
        ]
        let session = detector.makeSession()
        var result = DetectionResult()
        for (index, (image, options)) in zip(images, optionSets).enumerated() {
            let (bytes, stride) = FrameFixtures.packed(image, as: .bgr8, padding: 1)
            try bytes.withUnsafeBytes { raw in
                let frame = try PixelFrame(format: .bgr8, width: image.width, height: image.height, bytes: raw, bytesPerRow: stride)
                try session.detect(frame, options: options, metadata: FrameMetadata(index: index), into: &result)
            }
            let fresh = try detector.makeSession().detect(image, options: options)
            XCTAssertEqual(result.detections, fresh.detections, "frame \(index)")
            XCTAssertEqual(result.imageWidth, image.width)
            XCTAssertEqual(result.frame?.index, index)
            XCTAssertGreaterThan(result.timing.inference, .zero)
            XCTAssertGreaterThanOrEqual(result.timing.preprocess, .zero)
        }
    }

    func testAFrameOfTheWrongSizeForItsPlanesIsATypedError() throws {
        let bytes = [UInt8](repeating: 0, count: 10)
        try bytes.withUnsafeBytes { raw in
            XCTAssertThrowsError(try PixelFrame(format: .i420, width: 8, height: 8, bytes: raw)) { error in
                guard case .invalidFrame(format: .i420, width: 8, height: 8, problem: _)? = error as? VideoError else {
                    return XCTFail("unexpected \(error)")
                }
            }
        }
    }
}
