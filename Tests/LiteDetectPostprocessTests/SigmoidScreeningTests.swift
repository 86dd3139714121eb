import Foundation
import LiteDetectPostprocess
import XCTest

/// Sigmoid candidates are screened on their logits before `exp`; the screen must never drop a
/// logit whose score passes the threshold. Checked at the edges (thresholds 0, 1, negative,
/// subnormal, tiny, close to 1) against the logistic in double precision, and through the whole
/// postprocessor against the documented float32 formula, float by float around each boundary.
final class SigmoidScreeningTests: XCTestCase {
    private let thresholds: [Float] = [
        -1, 0, .leastNonzeroMagnitude, .leastNormalMagnitude / 4096, .leastNormalMagnitude, 1e-30, 1e-20, 1e-8, 1e-3, 0.01, 0.3, 0.5, 0.6, 0.99,
        0.999, Float(1).nextDown, 1, 2, .infinity,
    ]

    private func logit(_ p: Double) -> Double { log(p / (1 - p)) }

    func testBoundIsBelowTheExactLogitAndClose() {
        for threshold in thresholds {
            let bound = ScoreConversion.lowestLogitPassing(scoreThreshold: threshold)
            if threshold >= 1 {
                XCTAssertEqual(bound, .infinity, "no score exceeds \(threshold)")
            } else if threshold < 1e-30 {
                XCTAssertEqual(bound, -.infinity, "\(threshold): no screening near subnormal exp results")
            } else {
                let exact = logit(Double(threshold))
                XCTAssertLessThan(Double(bound), exact, "\(threshold)")
                // Tight enough to screen: the bound's score is within 2e-5 of the threshold, relatively.
                XCTAssertGreaterThanOrEqual(1 / (1 + exp(-Double(bound))), Double(threshold) * (1 - 2e-5), "\(threshold)")
            }
        }
    }

    /// One anchor per logit, one class; no suppression (IoU threshold 1), nothing capped.
    private func passingAnchors(logits: [Float], threshold: Float) throws -> Set<Int> {
        let configuration = PostprocessConfiguration(
            boxCoder: .tensorFlow, scoreConversion: .sigmoid, logitColumns: 2, hasBackgroundColumn: true,
            scoreThreshold: threshold, candidatesPerClass: nil, suppression: .hard(iouThreshold: 1),
            maxDetectionsPerClass: nil, maxDetections: logits.count, clipping: .none)
        let anchors = Array(repeating: CenterSizeBox(centerX: 0.5, centerY: 0.5, width: 0.2, height: 0.2), count: logits.count)
        var postprocessor = try DetectionPostprocessor(configuration: configuration, anchors: anchors)
        var detections: [Detection] = []
        try postprocessor.process(
            boxRegressions: Array(repeating: 0, count: 4 * logits.count), classLogits: logits.flatMap { [0, $0] },
            transform: .identity, into: &detections)
        return Set(detections.map(\.anchorIndex))
    }

    /// `ScoreConversion.sigmoid`'s documented float32 formula.
    private func documentedLogistic(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
    }

    /// `count` consecutive floats on each side of `center`.
    private func floats(around center: Float, count: Int) -> [Float] {
        var below: [Float] = [], above: [Float] = []
        var (down, up) = (center, center)
        for _ in 0..<count {
            down = down.nextDown
            up = up.nextUp
            below.append(down)
            above.append(up)
        }
        return below.reversed() + [center] + above
    }

    func testScreenedSelectionEqualsTheFormulaAroundEveryBoundary() throws {
        let specials: [Float] = [-.infinity, -1000, -104, -103.97, -103.9, -87.4, -87.3, -69, -0.0, 0, 16.6, 17, 89, 1000, .infinity, .nan]
        for threshold in thresholds {
            // Around the exact boundary (or where exp leaves the subnormals, for thresholds at or below 0).
            let boundary = Float(logit(min(max(Double(threshold), 1e-45), 1 - 1e-7)))
            let bound = ScoreConversion.lowestLogitPassing(scoreThreshold: threshold)
            var logits = specials + floats(around: boundary, count: 2_000)
            if bound.isFinite { logits += floats(around: bound, count: 200) }
            let passing = try passingAnchors(logits: logits, threshold: threshold)
            for (anchor, x) in logits.enumerated() {
                let formula = documentedLogistic(x)
                XCTAssertEqual(passing.contains(anchor), formula > threshold, "threshold \(threshold), logit \(x), score \(formula)")
                // The independent reference: float32 rounding aside, the formula is the logistic.
                let exact = 1 / (1 + exp(-Double(x)))
                if abs(exact - Double(threshold)) > 1e-6 * Double(threshold) + 1e-44 && !x.isNaN {
                    XCTAssertEqual(formula > threshold, exact > Double(threshold), "threshold \(threshold), logit \(x)")
                }
            }
        }
    }
}
