import LiteDetectPostprocess
import XCTest

/// The postprocessor's hard NMS (every class interleaved in score order, stopping once
/// `maxDetections` are found) against the plain pipeline built from public pieces: every class's
/// candidates (read from a run that suppresses nothing), the stand-alone
/// `NonMaximumSuppression.select` per class, then a stable merge by score.
final class ScoreOrderedSelectionTests: XCTestCase {
    private struct Setting {
        var scoreThreshold: Float
        var iouThreshold: Double
        var candidatesPerClass: Int
        var maxDetections: Int
        var maxDetectionsPerClass: Int?
        var classAgnostic: Bool
        /// Independent logistic scores (the TensorFlow path, which screens logits) instead of softmax.
        var sigmoid = false
        /// Added to every background logit: large values leave few candidates (as trained weights do).
        var backgroundBias: Float = 0
        /// Added to every other class's logit: with sigmoid, half the scores are exactly 1 (as the
        /// COCO SSD's random weights give), too many equal keys for the best-keys buffer.
        var saturatingBias: Float = 0
    }

    func testMatchesPerClassSuppressionThenMerge() throws {
        let anchors = try TorchvisionDefaultBoxGenerator(
            aspectRatios: Array(repeating: [2, 3], count: 6), minRatio: 0.2, maxRatio: 0.95
        ).anchors(featureMaps: [20, 10, 5, 3, 2, 1].map(GridSize.init(square:)), imageWidth: 320, imageHeight: 320)
        let columns = 91
        var random = SplitMix64(seed: 1515)
        func uniform() -> Float { Float(random.next() >> 40) / Float(1 << 24) * 2 - 1 }
        let regressions = (0..<(anchors.count * 4)).map { _ in uniform() }
        // Near-uniform softmax scores around 1/91, as random weights give: most anchors pass 0.01.
        let logits = (0..<(anchors.count * columns)).map { _ in uniform() * 0.6 }
        let settings = [
            Setting(scoreThreshold: 0.01, iouThreshold: 0.55, candidatesPerClass: 300, maxDetections: 300, classAgnostic: false),
            Setting(scoreThreshold: 0.01, iouThreshold: 0.45, candidatesPerClass: 50, maxDetections: 7, classAgnostic: false),
            Setting(
                scoreThreshold: 0.012, iouThreshold: 0.5, candidatesPerClass: 400, maxDetections: 5000,
                maxDetectionsPerClass: 3, classAgnostic: false),
            Setting(scoreThreshold: 0.01, iouThreshold: 0.3, candidatesPerClass: 300, maxDetections: 100, classAgnostic: true),
            Setting(scoreThreshold: 0.013, iouThreshold: 0, candidatesPerClass: 200, maxDetections: 1, classAgnostic: false),
            // Few selections among the best keys: the postprocessor must fall back to all keys.
            Setting(scoreThreshold: 0.01, iouThreshold: 0, candidatesPerClass: 3000, maxDetections: 40, classAgnostic: true),
            Setting(scoreThreshold: 0.01, iouThreshold: 0.05, candidatesPerClass: 300, maxDetections: 400, classAgnostic: false),
            // Sigmoid scores around 0.3–0.7: the logit screen runs at the bar gathering raises.
            Setting(
                scoreThreshold: 0.01, iouThreshold: 0.6, candidatesPerClass: 300, maxDetections: 100,
                maxDetectionsPerClass: 100, classAgnostic: false, sigmoid: true),
            Setting(scoreThreshold: 0.5, iouThreshold: 0.1, candidatesPerClass: 300, maxDetections: 300, classAgnostic: false, sigmoid: true),
            Setting(
                scoreThreshold: 0.01, iouThreshold: 0.6, candidatesPerClass: 300, maxDetections: 100,
                maxDetectionsPerClass: 100, classAgnostic: false, sigmoid: true, saturatingBias: 30),
            // The same, but three per class from the saturated half cannot give 200: the merge
            // reaches below the bar, where the filing is incomplete, and everything is filed again.
            Setting(
                scoreThreshold: 0.01, iouThreshold: 0.6, candidatesPerClass: 300, maxDetections: 200,
                maxDetectionsPerClass: 3, classAgnostic: false, sigmoid: true, saturatingBias: 30),
            // Few candidates pass, as with trained weights: nothing is left out while filing.
            Setting(
                scoreThreshold: 0.01, iouThreshold: 0.55, candidatesPerClass: 300, maxDetections: 300, classAgnostic: false,
                backgroundBias: 5),
        ]
        for setting in settings {
            var configuration = PostprocessConfiguration.torchvisionSSD(
                logitColumns: columns, scoreThreshold: setting.scoreThreshold, iouThreshold: setting.iouThreshold,
                candidatesPerClass: setting.candidatesPerClass, maxDetections: setting.maxDetections)
            configuration.maxDetectionsPerClass = setting.maxDetectionsPerClass
            configuration.classAgnostic = setting.classAgnostic
            if setting.sigmoid { configuration.scoreConversion = .sigmoid }
            var logits = logits
            for anchor in 0..<anchors.count {
                logits[anchor * columns] += setting.backgroundBias
                for column in stride(from: 2, to: columns, by: 2) { logits[anchor * columns + column] += setting.saturatingBias }
            }

            // Every candidate: IoU > 1 never happens, so nothing is suppressed or cut.
            var everything = configuration
            everything.suppression = .hard(iouThreshold: 1)
            everything.maxDetectionsPerClass = nil
            everything.maxDetections = anchors.count * columns
            var candidates: [Detection] = []
            var all = try DetectionPostprocessor(configuration: everything, anchors: anchors)
            try all.process(boxRegressions: regressions, classLogits: logits, transform: .identity, into: &candidates)
            if setting.backgroundBias > 0 {
                XCTAssertLessThan(candidates.count, 8 * setting.maxDetections, "meant to be sparse: \(setting)")
            }

            // The plain pipeline: per class (or once), NMS over its candidates in anchor order.
            let groups = Dictionary(grouping: candidates) { setting.classAgnostic ? 0 : $0.classID }
            var pool: [Detection] = []
            for group in groups.keys.sorted() {
                let members = groups[group]!.sorted { $0.anchorIndex < $1.anchorIndex }
                let kept = try NonMaximumSuppression.select(
                    boxes: members.map(\.box), scores: members.map(\.score), method: configuration.suppression,
                    maxSelected: setting.classAgnostic ? setting.maxDetections : setting.maxDetectionsPerClass ?? .max)
                pool.append(contentsOf: kept.map { members[$0.index] })
            }
            // Stable: equal scores keep class-major, then selection order.
            let merged = pool.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }
            let expected = Array(merged.prefix(setting.maxDetections).map(\.element))

            var detections: [Detection] = []
            var postprocessor = try DetectionPostprocessor(configuration: configuration, anchors: anchors)
            try postprocessor.process(boxRegressions: regressions, classLogits: logits, transform: .identity, into: &detections)
            XCTAssertGreaterThan(expected.count, 0, "\(setting)")
            XCTAssertEqual(detections, expected, "\(setting)")
        }
    }
}
