import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectNN
import LiteDetectPostprocess
import LiteDetectTestSupport
import XCTest

/// The bundled VOC model (Caffe MobileNet-SSD imported by `detect import`) against OpenCV DNN
/// running the original Caffe files (fixtures: `Tools/reference/caffe/make_voc_fixtures.py`):
/// priors, raw outputs and final detections on every sample photo, fed at exactly 300×300.
final class VOCModelTests: XCTestCase {
    /// `LITEDETECT_VOC_CONFIG` points the test at another import of the same files (e.g. float16 weights).
    private static let detector = Result {
        try Detector(model: ProcessInfo.processInfo.environment["LITEDETECT_VOC_CONFIG"] ?? "ssd300-mobilenetv1-voc")
    }

    private func fixture(_ name: String) throws -> [String: NamedTensors.Tensor] { try RealModelFixtures.tensors("voc-ssd", name) }

    func testModelShape() throws {
        let detector = try Self.detector.get()
        XCTAssertEqual(detector.config.labels.count, 21)
        XCTAssertEqual(detector.config.labels[15], "person")
        XCTAssertEqual(detector.anchors.count, 1917)
    }

    func testPriorsEqualOpenCVs() throws {
        // mbox_priorbox: row 0 the corners [xmin, ymin, xmax, ymax] of every prior, row 1 the variances.
        let priors = try XCTUnwrap(fixture("anchors")["anchors"]).values
        let detector = try Self.detector.get()
        XCTAssertEqual(priors.count, 2 * 4 * detector.anchors.count)
        var worst: Float = 0
        for (i, anchor) in detector.anchors.enumerated() {
            let b = anchor.corners
            for (k, value) in [b.x1, b.y1, b.x2, b.y2].enumerated() { worst = max(worst, abs(value - priors[4 * i + k])) }
        }
        XCTAssertLessThanOrEqual(worst, 1e-6)
        let variances = priors[(4 * detector.anchors.count)...]
        XCTAssertTrue(variances.enumerated().allSatisfy { abs($0.element - ($0.offset % 4 < 2 ? 0.1 : 0.2)) < 1e-7 })
    }

    func testMatchesOpenCVOnEveryPhoto() throws {
        XCTAssertGreaterThanOrEqual(RealModelFixtures.stems.count, 10)
        for stem in RealModelFixtures.stems { try checkPhoto(stem) }
    }

    private func checkPhoto(_ stem: String) throws {
        let reference = try fixture(stem)
        let detector = try Self.detector.get()
        let session = detector.makeSession()
        let image = try RealModelFixtures.photo300(stem)

        // 1. The input: BGR, (pixel − 127.5) · 0.007843. The fixture stores OpenCV's blob (CHW) for one
        // photo; for the others it is that rule, checked bit for bit against the blob by the script.
        _ = try session.detect(image)
        let input = session.networkSession.input
        var expected = RealModelFixtures.caffeInput(image)
        if let blob = reference["input"]?.values {
            for c in 0..<3 { for p in 0..<(300 * 300) { expected[p * 3 + c] = blob[c * 300 * 300 + p] } }
        }
        XCTAssertLessThanOrEqual(maxAbsoluteDifference(input.base, expected), 1e-6, "\(stem): network input")

        // 2. Raw outputs on exactly OpenCV's input.
        input.base.update(from: expected, count: expected.count)
        session.networkSession.run()
        let (boxes, logits) = try gatheredHeadOutputs(detector.detectionNetwork, session.networkSession)
        XCTAssertLessThanOrEqual(relativeError(boxes, try XCTUnwrap(reference["box_encodings"]).values), Self.rawTolerance, "\(stem): box encodings")
        XCTAssertLessThanOrEqual(relativeError(logits, try XCTUnwrap(reference["class_logits"]).values), Self.rawTolerance, "\(stem): class logits")

        // 3. The same detections as DetectionOutput (rows: image, label, score, xmin, ymin, xmax, ymax).
        var postprocessor = try DetectionPostprocessor(
            configuration: detector.postprocessConfiguration(DetectionOptions()), anchors: detector.anchors)
        var detections: [Detection] = []
        try postprocessor.process(boxRegressions: boxes, classLogits: logits, transform: .identity, into: &detections)
        let rows = try XCTUnwrap(reference["detection_out"]).values
        var theirs = stride(from: 0, to: rows.count, by: 7).map { Array(rows[$0..<($0 + 7)]) }.filter { $0[2] > 0 }
        XCTAssertEqual(detections.count, theirs.count, "\(stem): number of detections")
        for d in detections {
            let ours = [d.box.x1, d.box.y1, d.box.x2, d.box.y2]
            guard let match = theirs.firstIndex(where: { Int($0[1]) == d.classID && zip(ours, $0[3...]).allSatisfy { abs($0 - $1) * 300 <= 0.5 } })
            else {
                XCTFail("\(stem): \(detector.config.labels[d.classID]) \(d.score) \(ours) has no OpenCV counterpart")
                continue
            }
            XCTAssertEqual(d.score, theirs[match][2], accuracy: Self.scoreTolerance, "\(stem): \(detector.config.labels[d.classID]) score")
            theirs.remove(at: match)
        }
    }

    static let rawTolerance: Float = 1e-4
    static let scoreTolerance: Float = 1e-4
}
