import LiteDetect
import LiteDetectModels
import LiteDetectTestSupport
import XCTest

/// The README's library quick start, kept compiling and running (with random weights, so it
/// needs no trained model).
final class QuickStartTests: XCTestCase {
    func testReadmeQuickStart() throws {
        let photo = repositoryRoot.appendingPathComponent("SampleImages/street.jpg").path
        // --- README quick start (the model and weights differ there) ---
        let detector = try Detector(model: "ssdlite320-mobilenetv3-small", weights: .random(seed: 1))  // load once, share
        let session = detector.makeSession()  // one per thread: owns every buffer a frame needs
        let image = try ImageFile.load(photo).image
        let result = try session.detect(image, options: DetectionOptions(scoreThreshold: 0.001, maxDetections: 10))
        for detection in result.detections {
            _ = "\(detection.label) \(detection.score) \(detection.box)"
        }
        // --- end ---
        XCTAssertEqual(result.imageWidth, 768)
        XCTAssertLessThanOrEqual(result.detections.count, 10)
        XCTAssertGreaterThan(result.timing.inference, .zero)
    }
}
