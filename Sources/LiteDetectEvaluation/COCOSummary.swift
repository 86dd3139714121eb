import Foundation

/// The 12 numbers pycocotools' `COCOeval.summarize()` prints and stores in `stats`, in its order:
/// AP, AP50, AP75, AP small/medium/large, AR at 1/10/100 detections, AR small/medium/large.
/// -1 where no category has ground truth in that setting.
public struct COCOSummary: Sendable, Hashable {
    /// One summary line: average precision or recall in one setting.
    public struct Metric: Sendable, Hashable {
        public enum Kind: Sendable, Hashable { case precision, recall }
        public var kind: Kind
        /// The short name (`AP`, `AP50`, `APs`, `AR100`, …).
        public var name: String
        /// `nil`: averaged over 0.50:0.95.
        public var iouThresholdIndex: Int?
        public var area: COCOAreaRange
        public var maxDetections: Int
        public var value: Double

        /// The line exactly as pycocotools prints it, e.g.
        /// ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.372`.
        public var pycocotoolsLine: String {
            let title = kind == .precision ? "Average Precision" : "Average Recall"
            let type = kind == .precision ? "(AP)" : "(AR)"
            let thresholds = COCOEvaluationParameters.iouThresholds
            let iou =
                iouThresholdIndex.map { String(format: "%0.2f", thresholds[$0]) }
                ?? String(format: "%0.2f:%0.2f", thresholds.first!, thresholds.last!)
            func padRight(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
            func padLeft(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
            return
                " \(padRight(title, 18)) \(type) @[ IoU=\(padRight(iou, 9)) | area=\(padLeft(area.label, 6)) | maxDets=\(padLeft(String(maxDetections), 3)) ] = "
                + String(format: "%0.3f", value)
        }
    }

    /// The 12 metrics in pycocotools' order.
    public let metrics: [Metric]

    /// `stats[0...11]`.
    public var values: [Double] { metrics.map(\.value) }

    init(_ evaluation: COCOEvaluation) {
        let limits = COCOEvaluationParameters.maxDetections
        func precision(_ name: String, iou: Int? = nil, area: COCOAreaRange = .all) -> Metric {
            Metric(
                kind: .precision, name: name, iouThresholdIndex: iou, area: area, maxDetections: limits[2],
                value: evaluation.meanPrecision(iou: iou, area: area, maxDetectionsIndex: 2))
        }
        func recall(_ name: String, area: COCOAreaRange = .all, limit m: Int = 2) -> Metric {
            Metric(
                kind: .recall, name: name, iouThresholdIndex: nil, area: area, maxDetections: limits[m],
                value: evaluation.meanRecall(area: area, maxDetectionsIndex: m))
        }
        metrics = [
            precision("AP"), precision("AP50", iou: COCOEvaluationParameters.iou50Index),
            precision("AP75", iou: COCOEvaluationParameters.iou75Index),
            precision("APs", area: .small), precision("APm", area: .medium), precision("APl", area: .large),
            recall("AR1", limit: 0), recall("AR10", limit: 1), recall("AR100"),
            recall("ARs", area: .small), recall("ARm", area: .medium), recall("ARl", area: .large),
        ]
    }
}
