import LiteDetectPostprocess
import XCTest

/// Box decoding and encoding against torchvision's `BoxCoder`, TensorFlow's `FasterRcnnBoxCoder`
/// and pytorch-ssd's `convert_locations_to_boxes`.
final class BoxCoderTests: XCTestCase {
    /// Reads rows of 4 floats as the coder's raw codes.
    private func rows(_ values: [Float]) -> [(Float, Float, Float, Float)] {
        stride(from: 0, to: values.count, by: 4).map { (values[$0], values[$0 + 1], values[$0 + 2], values[$0 + 3]) }
    }

    func testDecodeMatchesTorchvisionInPixels() throws {
        let fixture = try SafetensorsFixture(named: "torchvision_box_coder")
        let anchors = try fixture.boxes("anchors")  // pixel xyxy
        let codes = rows(try fixture.floats("codes"))
        let expected = try fixture.boxes("decoded")
        XCTAssertEqual(anchors.count, 512)
        let clamp: Double = try fixture.setting("bboxXformClip")
        XCTAssertEqual(CenterSizeBoxCoder.torchvision.maxLogScale, Float(clamp))
        var clampedRows = 0
        for (index, (anchor, code)) in zip(anchors, codes).enumerated() {
            // The coder is unit-free: fed pixel anchors (center-size computed as torchvision does),
            // it reproduces torchvision's pixel output up to float32 rounding of large values.
            let decoded = CenterSizeBoxCoder.torchvision.decode(code.0, code.1, code.2, code.3, anchor: CenterSizeBox(anchor))
            let magnitude = [expected[index].x1, expected[index].y1, expected[index].x2, expected[index].y2].map(abs).max()!
            assertBoxesClose(decoded, expected[index], tolerance: 1e-4 + 2e-7 * magnitude, "row \(index)")
            if max(code.2, code.3) / 5 > Float(clamp) { clampedRows += 1 }
        }
        XCTAssertGreaterThan(clampedRows, 30, "the fixture must exercise the dw/dh clamp")
    }

    func testNormalisedDecodingAgreesWithTorchvisionPixelDecoding() throws {
        // torchvision decodes with pixel anchors of the resized input and clips to it; the
        // postprocessor decodes normalised anchors and scales afterwards. Bound the difference.
        let fixture = try SafetensorsFixture(named: "torchvision_box_coder")
        let anchors = try fixture.boxes("anchors")
        let codes = rows(try fixture.floats("codes"))
        let expected = try fixture.boxes("decoded")
        let side: Float = 320
        for (index, (anchor, code)) in zip(anchors, codes).enumerated() {
            let normalisedAnchor = CenterSizeBox(
                Box(x1: anchor.x1 / side, y1: anchor.y1 / side, x2: anchor.x2 / side, y2: anchor.y2 / side))
            let normalised = CenterSizeBoxCoder.torchvision.decode(code.0, code.1, code.2, code.3, anchor: normalisedAnchor)
            let pixels = NormalizedToImageTransform.stretched(toWidth: 320, height: 320).apply(normalised.clamped(to: 0...1))
            assertBoxesClose(pixels, expected[index].clamped(to: 0...side), tolerance: 1e-3, "row \(index)")
        }
    }

    func testEncodeMatchesTorchvision() throws {
        let fixture = try SafetensorsFixture(named: "torchvision_box_coder")
        let anchors = try fixture.boxes("anchors")
        let targets = try fixture.boxes("targets")
        let expected = rows(try fixture.floats("encoded"))
        for (index, (anchor, target)) in zip(anchors, targets).enumerated() {
            let code = CenterSizeBoxCoder.torchvision.encode(target, anchor: CenterSizeBox(anchor))
            let actual = [code.0, code.1, code.2, code.3]
            let reference = [expected[index].0, expected[index].1, expected[index].2, expected[index].3]
            for (a, e) in zip(actual, reference) {
                XCTAssertEqual(a, e, accuracy: 1e-4 + 1e-5 * abs(e), "row \(index)")
            }
        }
    }

    func testDecodeMatchesTensorFlowFasterRcnnBoxCoder() throws {
        let fixture = try SafetensorsFixture(named: "tensorflow_box_coder")
        let anchors = try fixture.boxes("anchors", order: "yxyx")
        let codes = rows(try fixture.floats("codes"))  // (ty, tx, th, tw)
        let expected = try fixture.boxes("decoded", order: "yxyx")
        XCTAssertEqual(anchors.count, 512)
        for (index, (anchor, code)) in zip(anchors, codes).enumerated() {
            let decoded = CenterSizeBoxCoder.tensorFlow.decode(code.0, code.1, code.2, code.3, anchor: CenterSizeBox(anchor))
            let magnitude = [expected[index].x1, expected[index].y1, expected[index].x2, expected[index].y2].map(abs).max()!
            assertBoxesClose(decoded, expected[index], tolerance: 1e-6 + 2e-7 * magnitude, "row \(index)")
        }
    }

    func testDecodeMatchesPytorchSSDVariances() throws {
        let fixture = try SafetensorsFixture(named: "pytorch_ssd_priors")
        let priors = try fixture.floats("mobilenetv1_ssd")
        let locations = rows(try fixture.floats("locations"))
        let expected = rows(try fixture.floats("decoded"))  // [center_x, center_y, w, h]
        for index in locations.indices {
            let prior = CenterSizeBox(
                centerX: priors[4 * index], centerY: priors[4 * index + 1], width: priors[4 * index + 2], height: priors[4 * index + 3])
            let location = locations[index]
            let decoded = CenterSizeBoxCoder.pytorchSSD.decode(location.0, location.1, location.2, location.3, anchor: prior)
            let reference = CenterSizeBox(
                centerX: expected[index].0, centerY: expected[index].1, width: expected[index].2, height: expected[index].3)
            assertBoxesClose(decoded, reference.corners, tolerance: 1e-6, "row \(index)")
        }
    }

    func testEncodeInvertsDecodeInBothOrders() {
        // Round trip: decode(encode(box)) == box, for both component orders.
        let anchor = CenterSizeBox(centerX: 0.4, centerY: 0.55, width: 0.2, height: 0.3)
        let box = Box(x1: 0.31, y1: 0.42, x2: 0.62, y2: 0.71)
        for coder in [CenterSizeBoxCoder.torchvision, .tensorFlow] {
            let code = coder.encode(box, anchor: anchor)
            assertBoxesClose(coder.decode(code.0, code.1, code.2, code.3, anchor: anchor), box, tolerance: 1e-6, "\(coder.order)")
        }
        // The TensorFlow order puts y first: a pure vertical shift only moves component 0.
        let shifted = Box(x1: 0.3, y1: 0.5, x2: 0.5, y2: 0.8)
        let code = CenterSizeBoxCoder.tensorFlow.encode(shifted, anchor: anchor)
        XCTAssertEqual(code.0, 10 * (0.65 - 0.55) / 0.3, accuracy: 1e-5)
        XCTAssertEqual(code.1, 0, accuracy: 1e-6)
    }
}
