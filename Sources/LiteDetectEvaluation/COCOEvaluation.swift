/// What `COCOEvaluator` computed: pycocotools' `eval['precision']` and `eval['recall']`, the 12
/// summary statistics and per-category average precision.
///
/// Indices follow pycocotools: IoU threshold `t` of `COCOEvaluationParameters.iouThresholds`,
/// recall point `r` of `recallThresholds`, category `k` of `categoryIDs` (ascending ids), area range,
/// detection limit `m` of `maxDetections` (1, 10, 100). -1 marks a setting without ground truth.
public struct COCOEvaluation: Sendable {
    /// Ascending, as evaluated.
    public let imageIDs: [Int]
    public let categoryIDs: [Int]
    /// Detections whose category is not among the annotations' categories (skipped, as pycocotools does).
    public let ignoredDetections: Int
    /// `[T][R][K][A][M]`, row-major.
    private var precisionValues: [Double]
    /// `[T][K][A][M]`, row-major.
    private var recallValues: [Double]

    private static var iouCount: Int { COCOEvaluationParameters.iouThresholds.count }
    private static var recallCount: Int { COCOEvaluationParameters.recallThresholds.count }
    private static var areaCount: Int { COCOAreaRange.allCases.count }
    private static var limitCount: Int { COCOEvaluationParameters.maxDetections.count }

    init(imageIDs: [Int], categoryIDs: [Int], ignoredDetections: Int) {
        self.imageIDs = imageIDs
        self.categoryIDs = categoryIDs
        self.ignoredDetections = ignoredDetections
        let settings = categoryIDs.count * Self.areaCount * Self.limitCount
        precisionValues = [Double](repeating: -1, count: Self.iouCount * Self.recallCount * settings)
        recallValues = [Double](repeating: -1, count: Self.iouCount * settings)
    }

    // MARK: The accumulated arrays

    /// Interpolated precision at recall point `recall` (`eval['precision'][t, r, k, a, m]`).
    public func precision(iou t: Int, recall r: Int, category k: Int, area: COCOAreaRange, maxDetectionsIndex m: Int) -> Double {
        precisionValues[precisionIndex(t, r, k, area, m)]
    }

    /// The recall reached with all ranked detections (`eval['recall'][t, k, a, m]`).
    public func recall(iou t: Int, category k: Int, area: COCOAreaRange, maxDetectionsIndex m: Int) -> Double {
        recallValues[recallIndex(t, k, area, m)]
    }

    mutating func setPrecision(_ value: Double, iou t: Int, recall r: Int, category k: Int, area: COCOAreaRange, maxDetectionsIndex m: Int) {
        precisionValues[precisionIndex(t, r, k, area, m)] = value
    }

    mutating func setRecall(_ value: Double, iou t: Int, category k: Int, area: COCOAreaRange, maxDetectionsIndex m: Int) {
        recallValues[recallIndex(t, k, area, m)] = value
    }

    private func precisionIndex(_ t: Int, _ r: Int, _ k: Int, _ area: COCOAreaRange, _ m: Int) -> Int {
        (((t * Self.recallCount + r) * categoryIDs.count + k) * Self.areaCount + area.rawValue) * Self.limitCount + m
    }

    private func recallIndex(_ t: Int, _ k: Int, _ area: COCOAreaRange, _ m: Int) -> Int {
        ((t * categoryIDs.count + k) * Self.areaCount + area.rawValue) * Self.limitCount + m
    }

    // MARK: Means, as pycocotools' summarize() takes them

    /// Mean precision over all recall points and the given IoU threshold (all ten when `nil`) and
    /// category (all when `nil`), leaving out -1 entries; -1 when nothing is left.
    public func meanPrecision(iou: Int? = nil, category: Int? = nil, area: COCOAreaRange = .all, maxDetectionsIndex m: Int = 2) -> Double {
        var sum = 0.0, count = 0
        for t in iou.map({ [$0] }) ?? Array(COCOEvaluationParameters.iouThresholds.indices) {
            for r in 0..<Self.recallCount {
                for k in category.map({ [$0] }) ?? Array(categoryIDs.indices) {
                    let value = precision(iou: t, recall: r, category: k, area: area, maxDetectionsIndex: m)
                    if value > -1 {
                        sum += value
                        count += 1
                    }
                }
            }
        }
        return count == 0 ? -1 : sum / Double(count)
    }

    /// Mean of the final recall over the IoU thresholds (one when given) and categories (one when
    /// given), leaving out -1 entries; -1 when nothing is left.
    public func meanRecall(iou: Int? = nil, category: Int? = nil, area: COCOAreaRange = .all, maxDetectionsIndex m: Int = 2) -> Double {
        var sum = 0.0, count = 0
        for t in iou.map({ [$0] }) ?? Array(COCOEvaluationParameters.iouThresholds.indices) {
            for k in category.map({ [$0] }) ?? Array(categoryIDs.indices) {
                let value = recall(iou: t, category: k, area: area, maxDetectionsIndex: m)
                if value > -1 {
                    sum += value
                    count += 1
                }
            }
        }
        return count == 0 ? -1 : sum / Double(count)
    }

    /// pycocotools' `stats`, in its order.
    public var summary: COCOSummary { COCOSummary(self) }

    /// Per category (ascending id): AP over IoU 0.50:0.95, AP at 0.5 and 0.75, all areas, 100
    /// detections per image, from `eval['precision']` as Detectron and MMDetection report it; -1
    /// for a category without ground truth.
    public var categories: [COCOCategoryPrecision] {
        categoryIDs.indices.map { k in
            COCOCategoryPrecision(
                categoryID: categoryIDs[k], averagePrecision: meanPrecision(category: k),
                averagePrecision50: meanPrecision(iou: COCOEvaluationParameters.iou50Index, category: k),
                averagePrecision75: meanPrecision(iou: COCOEvaluationParameters.iou75Index, category: k))
        }
    }
}

/// One category's COCO average precision (all areas, 100 detections per image); -1 without ground truth.
public struct COCOCategoryPrecision: Sendable, Hashable {
    public var categoryID: Int
    /// Over IoU thresholds 0.50:0.95.
    public var averagePrecision: Double
    public var averagePrecision50: Double
    public var averagePrecision75: Double
}
