import LiteDetectPostprocess
import XCTest

/// NMS against torchvision (`nms`, `batched_nms`), TensorFlow (`non_max_suppression_with_scores`,
/// hard and Gaussian soft) and ensemble-boxes (Bodla soft-NMS, Gaussian and linear).
final class NonMaximumSuppressionTests: XCTestCase {
    func testHardNMSMatchesTorchvisionExactly() throws {
        let fixture = try SafetensorsFixture(named: "torchvision_nms")
        let thresholds: [Double] = try fixture.setting("iouThresholds")
        let cases: [String] = try fixture.setting("cases")
        XCTAssertEqual(cases.count, 4)
        for name in cases {
            let boxes = try fixture.boxes("\(name).boxes")
            let scores = try fixture.floats("\(name).scores")
            for (index, threshold) in thresholds.enumerated() {
                let kept = try NonMaximumSuppression.select(boxes: boxes, scores: scores, method: .hard(iouThreshold: threshold))
                XCTAssertEqual(kept.map(\.index), try fixture.ints("\(name).nms.\(index)"), "\(name) nms IoU > \(threshold)")
                XCTAssertEqual(kept.map(\.score), kept.map { scores[$0.index] }, "\(name): hard NMS keeps scores")
            }
        }
    }

    func testPerClassNMSMatchesTorchvisionBatchedNMSExactly() throws {
        let fixture = try SafetensorsFixture(named: "torchvision_nms")
        let thresholds: [Double] = try fixture.setting("iouThresholds")
        for name in try fixture.setting("cases", as: [String].self) {
            let boxes = try fixture.boxes("\(name).boxes")
            let scores = try fixture.floats("\(name).scores")
            let classes = try fixture.ints("\(name).classes")
            for (index, threshold) in thresholds.enumerated() {
                let kept = try NonMaximumSuppression.selectPerClass(
                    boxes: boxes, scores: scores, classes: classes, method: .hard(iouThreshold: threshold))
                XCTAssertEqual(kept.map(\.index), try fixture.ints("\(name).batched.\(index)"), "\(name) batched IoU > \(threshold)")
            }
        }
    }

    func testTensorFlowNMSOpsMatch() throws {
        let fixture = try SafetensorsFixture(named: "tensorflow_nms")
        let boxes = try fixture.boxes("boxes")
        let scores = try fixture.floats("scores")
        let cases: [[String: Any]] = try fixture.setting("cases")
        XCTAssertEqual(cases.count, 4)
        for (index, config) in cases.enumerated() {
            let name: String = try fixture.setting("cases", index, "name")
            let sigma: Double = try fixture.setting("cases", index, "softNMSSigma")
            let iou: Double = try fixture.setting("cases", index, "iouThreshold")
            // TensorFlow compares in float32 and decays by exp(-0.5 IoU² / sigma).
            let method: SuppressionMethod =
                sigma > 0 ? .gaussian(sigma: Float(2 * sigma)) : .hard(iouThreshold: Double(Float(iou)))
            let scoreThreshold = (config["scoreThreshold"] as? Double).map(Float.init) ?? -.infinity
            let kept = try NonMaximumSuppression.select(
                boxes: boxes, scores: scores, method: method, scoreThreshold: scoreThreshold,
                maxSelected: try fixture.setting("cases", index, "maxOutput"))
            XCTAssertEqual(kept.map(\.index), try fixture.ints("\(name).kept"), name)
            let expectedScores = try fixture.floats("\(name).scores")
            for (selected, expected) in zip(kept, expectedScores) {
                XCTAssertEqual(selected.score, expected, accuracy: 1e-5, "\(name) index \(selected.index)")
            }
        }
    }

    func testSoftNMSMatchesEnsembleBoxes() throws {
        let fixture = try SafetensorsFixture(named: "soft_nms_ensemble_boxes")
        let boxes = try fixture.boxes("boxes")
        let scores = try fixture.floats("scores")
        let cases: [[String: Any]] = try fixture.setting("cases")
        XCTAssertEqual(cases.count, 4)
        for index in cases.indices {
            let name: String = try fixture.setting("cases", index, "name")
            let kind: String = try fixture.setting("cases", index, "method")
            let method: SuppressionMethod =
                kind == "gaussian"
                ? .gaussian(sigma: Float(try fixture.setting("cases", index, "sigma", as: Double.self)))
                : .linear(iouThreshold: try fixture.setting("cases", index, "iouThreshold"))
            let threshold = Float(try fixture.setting("cases", index, "scoreThreshold", as: Double.self))
            let kept = try NonMaximumSuppression.select(boxes: boxes, scores: scores, method: method, scoreThreshold: threshold)
            XCTAssertEqual(kept.map(\.index), try fixture.ints("\(name).kept"), name)
            let expectedScores = try fixture.floats("\(name).scores")
            XCTAssertEqual(kept.count, expectedScores.count, name)
            for (selected, expected) in zip(kept, expectedScores) {
                XCTAssertEqual(selected.score, expected, accuracy: 1e-5, "\(name) index \(selected.index)")
            }
        }
    }

    func testThresholdIsStrictAndDegenerateBoxesNeverSuppress() throws {
        // Two 2×2 squares overlapping in a 1×2 strip: IoU = 2 / (4 + 4 - 2), computed in float32.
        let a = Box(x1: 0, y1: 0, x2: 2, y2: 2)
        let b = Box(x1: 1, y1: 0, x2: 3, y2: 2)
        let iou = a.intersectionOverUnion(with: b)
        XCTAssertEqual(iou, Float(2.0) / Float(6.0))
        // At exactly the IoU the threshold does not suppress (strict >); just below it does.
        XCTAssertEqual(try NonMaximumSuppression.select(boxes: [a, b], scores: [0.9, 0.8], method: .hard(iouThreshold: Double(iou))).count, 2)
        XCTAssertEqual(
            try NonMaximumSuppression.select(boxes: [a, b], scores: [0.9, 0.8], method: .hard(iouThreshold: Double(iou) - 1e-6)).count, 1)
        // Zero-area and inverted boxes overlap nothing, even themselves.
        let line = Box(x1: 1, y1: 0, x2: 1, y2: 2)
        let inverted = Box(x1: 2, y1: 0, x2: 0, y2: 2)
        XCTAssertEqual(line.intersectionOverUnion(with: line), 0)
        XCTAssertEqual(inverted.intersectionOverUnion(with: a), 0)
        let kept = try NonMaximumSuppression.select(
            boxes: [line, line, inverted, a], scores: [0.5, 0.5, 0.7, 0.6], method: .hard(iouThreshold: 0))
        // Equal scores: lower index first.
        XCTAssertEqual(kept.map(\.index), [2, 3, 0, 1])
    }

    func testEmptyInputSelectsNothing() throws {
        XCTAssertEqual(try NonMaximumSuppression.select(boxes: [], scores: [], method: .hard(iouThreshold: 0.5)), [])
        XCTAssertEqual(try NonMaximumSuppression.select(boxes: [], scores: [], method: .gaussian(sigma: 0.5)), [])
        XCTAssertEqual(
            try NonMaximumSuppression.selectPerClass(boxes: [], scores: [], classes: [], method: .hard(iouThreshold: 0.5)), [])
        // Everything below the score threshold: no candidate at all.
        let box = Box(x1: 0, y1: 0, x2: 1, y2: 1)
        XCTAssertEqual(
            try NonMaximumSuppression.select(boxes: [box], scores: [0.2], method: .hard(iouThreshold: 0.5), scoreThreshold: 0.2), [])
    }

    func testInvalidThresholdIsRejected() {
        XCTAssertThrowsError(try NonMaximumSuppression.select(boxes: [], scores: [], method: .hard(iouThreshold: 1.5))) { error in
            XCTAssertEqual("\(error)", "method is IoU threshold 1.5, expected a value in [0, 1]")
        }
        XCTAssertThrowsError(try NonMaximumSuppression.select(boxes: [Box(x1: 0, y1: 0, x2: 1, y2: 1)], scores: [], method: .gaussian(sigma: 0.5)))
    }
}
