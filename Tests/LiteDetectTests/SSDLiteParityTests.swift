import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectNN
import LiteDetectTestSupport
import XCTest

/// The SSDLite detector against torchvision: raw head outputs on every backbone, and the whole
/// pipeline (decode, resize, network, anchors, box decoding, NMS) of
/// `ssdlite320_mobilenet_v3_large` on a real photo.
final class SSDLiteParityTests: XCTestCase {
    func testRawHeadOutputsMatchTorchvisionOnEveryBackbone() throws {
        let cases = SSDLiteFixture.rawHeadCases
        let fixtures = try cases.map { try SSDLiteFixture.load($0).fixture }
        XCTAssertEqual(Set(fixtures.filter { $0.head == "ssdlite" }.map(\.backbone)), Set(BackboneName.allCases.map(\.rawValue)))
        XCTAssertTrue(fixtures.contains { $0.head == "ssd" }, "torchvision's plain SSDHead needs a case too")
        for name in cases {
            let (fixture, reference) = try SSDLiteFixture.load(name)
            let network = try DetectionNetwork(
                try fixture.architecture, inputHeight: fixture.input_size, inputWidth: fixture.input_size,
                weights: fixture.tensors.namedTensors(source: name))
            let session = NetworkSession(network: network.network)
            let pixels = channelsLast(try XCTUnwrap(fixture.input.generated), channels: 3, height: fixture.input_size, width: fixture.input_size)
            session.input.base.update(from: pixels, count: pixels.count)
            session.run()
            let (boxes, logits) = try gatheredHeadOutputs(network, session)
            XCTAssertLessThanOrEqual(relativeError(boxes, reference["bbox_regression"]!.values), 1e-4, "\(name) box regressions")
            XCTAssertLessThanOrEqual(relativeError(logits, reference["cls_logits"]!.values), 1e-4, "\(name) class logits")
        }
    }

    func testTorchvisionSSDLite320MobileNetV3LargeEndToEnd() throws {
        let name = "torchvision-ssdlite320-mobilenetv3-large"
        let (fixture, reference) = try SSDLiteFixture.load(name)
        let config = try ModelCatalog.bundled.config(named: "ssdlite320-mobilenetv3-large")
        let detector = try Detector(config: config, weightSource: fixture.tensors.namedTensors(source: name), description: .random(seed: 0))
        let session = detector.makeSession()
        let image = try ImageFile.load(repositoryRoot.appendingPathComponent("SampleImages/street.jpg").path).image

        // 1. Same input tensor as torchvision's transform (our decoder + half-pixel resize + normalise).
        let result = try session.detect(image)
        let input = session.networkSession.input
        let expectedInput = channelsLast(reference["input"]!.values, channels: 3, height: 320, width: 320)
        XCTAssertLessThanOrEqual(maxAbsoluteDifference(input.base, expectedInput), 1e-5, "preprocessed input")

        // 2. Anchors equal torchvision's DefaultBoxGenerator (xyxy, 320-px coordinates).
        let anchors = reference["anchors"]!.values
        XCTAssertEqual(detector.anchors.count * 4, anchors.count)
        var worstAnchor: Float = 0
        for (i, anchor) in detector.anchors.enumerated() {
            let box = anchor.corners
            for (k, value) in [box.x1, box.y1, box.x2, box.y2].enumerated() { worstAnchor = max(worstAnchor, abs(value * 320 - anchors[4 * i + k])) }
        }
        XCTAssertLessThanOrEqual(worstAnchor, 1e-3, "anchors (px)")

        // 3. Raw outputs on torchvision's exact input.
        input.base.update(from: expectedInput, count: expectedInput.count)
        session.networkSession.run()
        let (boxes, logits) = try gatheredHeadOutputs(detector.detectionNetwork, session.networkSession)
        XCTAssertLessThanOrEqual(relativeError(boxes, reference["bbox_regression"]!.values), 1e-4, "box regressions")
        XCTAssertLessThanOrEqual(relativeError(logits, reference["cls_logits"]!.values), 1e-4, "class logits")

        // 4. The same detections: set matched by label and box, scores ≤ 1e-4, boxes ≤ 1e-2 px,
        //    order equal except among scores closer than 1e-5.
        let expectedBoxes = reference["boxes"]!.values, expectedScores = reference["scores"]!.values, expectedLabels = reference["labels"]!.values
        XCTAssertEqual(result.detections.count, expectedScores.count)
        var unmatched = Array(expectedScores.indices)
        for (rank, detection) in result.detections.enumerated() {
            let match = unmatched.firstIndex { j in
                Int(expectedLabels[j]) == detection.classID
                    && abs(expectedBoxes[4 * j] - detection.box.x1) <= 1e-2 && abs(expectedBoxes[4 * j + 1] - detection.box.y1) <= 1e-2
                    && abs(expectedBoxes[4 * j + 2] - detection.box.x2) <= 1e-2 && abs(expectedBoxes[4 * j + 3] - detection.box.y2) <= 1e-2
            }
            guard let match else {
                XCTFail("detection \(rank) (\(detection.label) \(detection.score) \(detection.box)) has no torchvision counterpart")
                continue
            }
            let j = unmatched.remove(at: match)
            XCTAssertEqual(detection.score, expectedScores[j], accuracy: 1e-4, "score of detection \(rank)")
            if j != rank {
                XCTAssertEqual(expectedScores[j], expectedScores[rank], accuracy: 1e-5, "detection \(rank) is out of torchvision's order")
            }
            XCTAssertEqual(detection.label, config.labels[detection.classID])
        }
        XCTAssertTrue(unmatched.isEmpty, "\(unmatched.count) torchvision detections were not produced")
    }
}
