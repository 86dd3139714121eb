/// Everything `detect eval` reports for one set of detections against one annotation file: the
/// COCO summary, per-category COCO and VOC average precision, and counts.
public struct EvaluationReport: Sendable {
    /// One category's line of the per-class table.
    public struct CategoryRow: Sendable, Hashable {
        public var id: Int
        public var name: String
        /// Non-crowd ground-truth objects.
        public var instances: Int
        /// COCO AP over IoU 0.50:0.95, at 0.5 and at 0.75; -1 without ground truth.
        public var averagePrecision: Double
        public var averagePrecision50: Double
        public var averagePrecision75: Double
        /// VOC 2010+ AP at IoU 0.5; `nil` without non-crowd ground truth.
        public var vocAveragePrecision50: Double?
    }

    public let coco: COCOEvaluation
    public let summary: COCOSummary
    public let voc: VOCEvaluation
    /// By ascending category id.
    public let categories: [CategoryRow]
    public let imageCount: Int
    /// Detections given, including ignored ones.
    public let detectionCount: Int

    public init(detections: [COCODetection], groundTruth: COCOGroundTruth) throws(EvaluationError) {
        coco = try COCOEvaluator.evaluate(detections, groundTruth: groundTruth)
        voc = try VOCEvaluation.evaluate(detections, groundTruth: groundTruth)
        summary = coco.summary
        imageCount = groundTruth.images.count
        detectionCount = detections.count
        var names: [Int: String] = [:], instances: [Int: Int] = [:]
        for category in groundTruth.categories { names[category.id] = category.name }
        for annotation in groundTruth.annotations where !annotation.isCrowd { instances[annotation.categoryID, default: 0] += 1 }
        categories = zip(coco.categories, voc.averagePrecision).map { precision, vocPrecision in
            CategoryRow(
                id: precision.categoryID, name: names[precision.categoryID] ?? "", instances: instances[precision.categoryID] ?? 0,
                averagePrecision: precision.averagePrecision, averagePrecision50: precision.averagePrecision50,
                averagePrecision75: precision.averagePrecision75, vocAveragePrecision50: vocPrecision)
        }
    }
}
