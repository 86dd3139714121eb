import Foundation
import LiteDetect
import LiteDetectTestSupport
import XCTest

/// The person model against the original TensorFlow graph it was converted from
/// (fixtures: `Tools/reference/tensorflow/make_person_fixtures.py`): the same input tensor,
/// anchors, raw outputs and final detections on real photos.
final class TensorFlowPersonModelTests: XCTestCase {
    private static let detector = Result { try Detector(model: "ssdlite300-mobilenetv2-person") }

    private func fixture(_ stem: String) throws -> [String: NamedTensors.Tensor] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            .appendingPathComponent("tf-person/\(stem).safetensors")
        return try SafeTensors.read(contentsOf: url.path).tensors.tensors
    }

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
            stem == "chelsea" ? "chelsea.png" : "\(stem).jpg").path
        let image = try ImageFile.load(path).image

        // 1. Our decode + TF-legacy resize + normalisation reproduce the tensor TF fed its network.
        let endToEnd = try session.detect(image)
        let input = session.networkSession.input
        let expectedInput = try XCTUnwrap(reference["input"]).values  // already HWC
        XCTAssertLessThanOrEqual(maxAbsoluteDifference(input.base, expectedInput), 1e-5, "\(stem): network input")

        // 2. Raw outputs on exactly TF's input: ≤ 1e-4 relative.
        input.base.update(from: expectedInput, count: expectedInput.count)
        session.networkSession.run()
        let (boxes, logits) = try gatheredHeadOutputs(detector.detectionNetwork, session.networkSession)
        XCTAssertLessThanOrEqual(relativeError(boxes, try XCTUnwrap(reference["box_encodings"]).values), 1e-4, "\(stem): box encodings")
        XCTAssertLessThanOrEqual(relativeError(logits, try XCTUnwrap(reference["class_predictions"]).values), 1e-4, "\(stem): class logits")

        // 3. Identical final detection lists from TF's input: boxes within 0.5 px at 300×300, scores within 1e-4.
        var postprocessor = try DetectionPostprocessor(configuration: detector.postprocessConfiguration(DetectionOptions()), anchors: detector.anchors)
        var detections: [Detection] = []
        try postprocessor.process(boxRegressions: boxes, classLogits: logits, transform: .identity, into: &detections)
        let count = Int(try XCTUnwrap(reference["num_detections"]).values[0])
        XCTAssertEqual(detections.count, count, "\(stem): number of detections")
        let tfBoxes = try XCTUnwrap(reference["detection_boxes"]).values, tfScores = try XCTUnwrap(reference["detection_scores"]).values
        let tfClasses = try XCTUnwrap(reference["detection_classes"]).values
        for (i, d) in detections.prefix(count).enumerated() {
            XCTAssertEqual(d.classID, Int(tfClasses[i]), "\(stem) #\(i) class")
            XCTAssertEqual(d.score, tfScores[i], accuracy: 1e-4, "\(stem) #\(i) score")
            let ours = [d.box.y1, d.box.x1, d.box.y2, d.box.x2]
            for k in 0..<4 { XCTAssertEqual(ours[k] * 300, tfBoxes[4 * i + k] * 300, accuracy: 0.5, "\(stem) #\(i) box") }
        }

        // 4. The end-to-end call maps the same boxes into the photo's pixels.
        XCTAssertEqual(endToEnd.detections.count, count, "\(stem): end-to-end detections")
        if let best = endToEnd.detections.first {
            XCTAssertEqual(best.label, "person")
            XCTAssertEqual(best.score, tfScores[0], accuracy: 1e-3, "\(stem): best score end to end")
            XCTAssertEqual(best.box.x1 / Float(image.width), tfBoxes[1], accuracy: 2e-3, "\(stem): best box end to end")
        }
    }
}
