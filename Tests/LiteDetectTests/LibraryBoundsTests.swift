import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectTestSupport
import XCTest

/// The public parameters that size memory are bounded with an error, not an allocation: a
/// session keeps room for `maxDetections` detections in each result it reuses, a config's counts
/// size the postprocessor, and a thread count sizes a thread pool.
final class LibraryBoundsTests: XCTestCase {
    func testMaxDetectionsAboveTheLimitIsAnError() throws {
        let detector = try Detector(model: "ssdlite320-mobilenetv3-small", weights: .random(seed: 1))
        let session = detector.makeSession()
        let image = RGBImage(width: 64, height: 48)
        for bad in [0, DetectionOptions.detectionLimit + 1, Int.max] {
            XCTAssertThrowsError(try session.detect(image, options: DetectionOptions(maxDetections: bad))) { error in
                guard case .invalidOption(name: "max detections", let problem)? = error as? DetectorError else { return XCTFail("\(error)") }
                XCTAssertTrue(problem.contains("1…\(DetectionOptions.detectionLimit)"), problem)
            }
        }
        XCTAssertNoThrow(try session.detect(image, options: DetectionOptions(maxDetections: DetectionOptions.detectionLimit)))
    }

    /// A config built in code skips the file's checks; the detector applies them.
    func testAConfigBuiltInCodeWithHugeCountsIsRefused() throws {
        let original = try ModelCatalog.bundled.config(named: "ssdlite320-mobilenetv3-small")
        let changes: [(String, (inout ModelConfig) -> Void)] = [
            ("postprocess.max_detections", { $0.postprocess.maxDetections = Int.max }),
            ("postprocess.top_k", { $0.postprocess.topK = 0 }),
            ("postprocess.max_per_class", { $0.postprocess.maxPerClass = DetectionOptions.detectionLimit + 1 }),
            ("postprocess.iou_threshold", { $0.postprocess.iouThreshold = 2 }),
        ]
        for (key, change) in changes {
            var config = original
            change(&config)
            XCTAssertThrowsError(try Detector(config: config, weights: .random(seed: 1)), key) { error in
                guard case .invalidOption(let name, _)? = error as? DetectorError else { return XCTFail("\(error)") }
                XCTAssertEqual(name, key)
            }
        }
    }

    /// The same in a config file: the error names the file and the key.
    func testAConfigFileWithAHugeCountIsRefused() throws {
        let path = repositoryRoot.appendingPathComponent("Configs/models/ssdlite320-mobilenetv3-small.json").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let key = try XCTUnwrap(text.range(of: #""max_detections": [0-9]+"#, options: .regularExpression))
        text.replaceSubrange(key, with: #""max_detections": 1000000000000"#)
        XCTAssertThrowsError(try ModelConfig.parse(Data(text.utf8), name: "huge.json")) { error in
            XCTAssertEqual(error as? ConfigError, .invalidValue(file: "huge.json", key: "postprocess.max_detections", problem: "must be in 1…100000"))
        }
    }

    func testSessionThreadsAreClamped() throws {
        let detector = try Detector(model: "ssdlite320-mobilenetv3-small", weights: .random(seed: 1))
        XCTAssertEqual(detector.makeSession(threads: 0).threadCount, 1)
        XCTAssertEqual(detector.makeSession(threads: -5).threadCount, 1)
        // Clamped before any thread starts: a mistaken Int.max asks for 256, not for the machine's limit.
        XCTAssertLessThanOrEqual(detector.makeSession(threads: Int.max).threadCount, Detector.maximumSessionThreads)
    }
}
