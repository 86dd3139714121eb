/// The object-size ranges of COCO's evaluation, judged on an annotation's `area` field (and on
/// `width × height` for an unmatched detection). Both ends are inclusive: an area of exactly 32²
/// is small and medium.
public enum COCOAreaRange: Int, Sendable, CaseIterable {
    case all, small, medium, large

    /// `[0, 1e5²]`, `[0, 32²]`, `[32², 96²]`, `[96², 1e5²]` as in pycocotools' `Params`.
    public var bounds: ClosedRange<Double> {
        switch self {
        case .all: return 0...1e10
        case .small: return 0...1024
        case .medium: return 1024...9216
        case .large: return 9216...1e10
        }
    }

    /// pycocotools' `areaRngLbl`.
    public var label: String {
        switch self {
        case .all: return "all"
        case .small: return "small"
        case .medium: return "medium"
        case .large: return "large"
        }
    }
}

/// The fixed settings of pycocotools' `Params(iouType="bbox")`.
public enum COCOEvaluationParameters {
    /// 0.5, 0.55, …, 0.95, computed as `np.linspace(.5, .95, 10)` computes them (`i * step + start`,
    /// the last set to the end point), so that the ninth is 0.8999999999999999 as there.
    public static let iouThresholds: [Double] = linearlySpaced(from: 0.5, to: 0.95, count: 10)
    /// 0, 0.01, …, 1: `np.linspace(0, 1, 101)`, the recall points of the interpolated precision.
    public static let recallThresholds: [Double] = linearlySpaced(from: 0, to: 1, count: 101)
    /// Detections per image counted for each of the three settings, ascending.
    public static let maxDetections: [Int] = [1, 10, 100]

    /// Index of 0.5 and 0.75 in `iouThresholds` (pycocotools finds them by equality).
    public static let iou50Index = 0
    public static let iou75Index = 5

    private static func linearlySpaced(from start: Double, to end: Double, count: Int) -> [Double] {
        let step = (end - start) / Double(count - 1)
        return (0..<count).map { $0 == count - 1 ? end : Double($0) * step + start }
    }
}
