import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectNN
import LiteDetectTestSupport
import XCTest

/// The person model against the original TensorFlow graph it was converted from
/// (fixtures: `Tools/reference/tensorflow/make_person_fixtures.py`): the same input tensor,
/// anchors, raw outputs and final detections on real photos.
final class TensorFlowPersonModelTests: XCTestCase {
    private static let detector = Result { try Detector(model: "ssdlite300-mobilenetv2-person") }

    private func fixture(_ stem: String) throws -> [String: NamedTensors.Tensor] { try RealModelFixtures.tensors("tf-person", stem) }

    func testPersonModelIsTheConvertedGraph() throws {
        let detector = try Self.detector.get()
        XCTAssertEqual(detector.config.name, "ssdlite300-mobilenetv2-person")
        XCTAssertEqual(detector.config.labels, ["background", "person"])
        XCTAssertEqual(detector.anchors.count, 1917)
        XCTAssertFalse(detector.isRandomlyInitialised)
    }

    func testAnchorsEqualTheGraphs() throws {
        let anchors = try XCTUnwrap(fixture("street")["anchors"]).values  // [ymin, xmin, ymax, xmax]
        let detector = try Self.detector.get()
        var worst: Float = 0
        for (i, anchor) in detector.anchors.enumerated() {
            let b = anchor.corners
            for (k, value) in [b.y1, b.x1, b.y2, b.x2].enumerated() { worst = max(worst, abs(value - anchors[4 * i + k])) }
        }
        XCTAssertLessThanOrEqual(worst, 1e-6)
    }

    func testMatchesTensorFlowOnSamplePhotos() throws {
        for stem in ["street", "astronaut", "chelsea"] {
            try checkImage(stem)
        }
    }

    private func checkImage(_ stem: String) throws {
        let reference = try fixture(stem)
        let detector = try Self.detector.get()
        let session = detector.makeSession()
        let path = repositoryRoot.appendingPathComponent("SampleImages").appendingPathComponent(
            stem == "chelsea" ? "chelsea.png" : "\(stem).jpg"
        ).path
        let image = try ImageFile.load(path).image

        // 1. Our decode + TF-legacy resize + normalisation reproduce the tensor TF fed its network.
        let endToEnd = try session.detect(image)
        let input = session.networkSession.input
        let expectedInput = try XCTUnwrap(reference["input"]).values  // already HWC
        XCTAssertLessThanOrEqual(maxAbsoluteDifference(input.base, expectedInput), 1e-5, "\(stem): network input")

        // 2–3. Raw outputs on exactly TF's input (≤ 1e-4 relative) and identical final detection
        // lists: boxes within 0.5 px at 300×300, scores within 1e-4.
        try TensorFlowReference.assertMatches(
            reference, input: expectedInput, detector: detector, session: session, rawTolerance: 1e-4, scoreTolerance: 1e-4, context: stem)
        let count = Int(try XCTUnwrap(reference["num_detections"]).values[0])
        let tfBoxes = try XCTUnwrap(reference["detection_boxes"]).values, tfScores = try XCTUnwrap(reference["detection_scores"]).values

        // 4. The end-to-end call maps the same boxes into the photo's pixels.
        XCTAssertEqual(endToEnd.detections.count, count, "\(stem): end-to-end detections")
        if let best = endToEnd.detections.first {
            XCTAssertEqual(best.label, "person")
            XCTAssertEqual(best.score, tfScores[0], accuracy: 1e-3, "\(stem): best score end to end")
            XCTAssertEqual(best.box.x1 / Float(image.width), tfBoxes[1], accuracy: 2e-3, "\(stem): best box end to end")
        }
    }
}
