/// Default thresholds and the NMS behaviour a model was made with (`"postprocess"` in a config).
/// Every value can be overridden per call.
public struct PostprocessConfig: Sendable, Equatable, Decodable {
    public enum Style: String, Sendable, Equatable, Decodable {
        /// torchvision `SSD.postprocess_detections`: per class score threshold and top-k, then batched NMS.
        case torchvision
        /// TF OD API `batch_multiclass_non_max_suppression`: per class NMS capped at `max_per_class`, then merged.
        case tensorflow
    }

    public enum SoftNMS: String, Sendable, Equatable, Decodable {
        case gaussian, linear
    }

    /// When boxes are clamped to the image (`"clip_boxes"`).
    public enum BoxClipping: String, Sendable, Equatable, Decodable, CaseIterable {
        /// Before NMS, keeping boxes that collapse onto the border (torchvision's default).
        case beforeNMS = "before_nms"
        /// Before NMS, dropping boxes left with zero area (TF Object Detection API graphs of 2018).
        case beforeNMSDroppingEmpty = "before_nms_drop_empty"
        /// After NMS, dropping boxes left with zero area (TF Object Detection API's default).
        case afterNMSDroppingEmpty = "after_nms_drop_empty"
        /// Never (Caffe SSD's `DetectionOutput` without `clip`).
        case none
    }

    public var style: Style
    /// The evaluation threshold: detections kept by the library unless a call asks otherwise
    /// (torchvision's 0.001, so that AP sees the whole precision-recall curve).
    public var scoreThreshold: Float
    /// The model's operating point: the score above which `detect` reports a detection when no
    /// `--score-threshold` is given (chosen on held-out data for the trained students). `nil`: 0.5.
    public var detectThreshold: Float?
    public var iouThreshold: Double
    /// Candidates kept per class before NMS (torchvision `topk_candidates`).
    public var topK: Int
    /// Detections kept per class after NMS (TF `max_detections_per_class`).
    public var maxPerClass: Int
    public var maxDetections: Int
    public var classAgnostic: Bool
    public var softNMS: SoftNMS?
    /// Gaussian soft-NMS σ in `exp(-IoU²/σ)`.
    public var softNMSSigma: Float
    /// Defaults by style: `torchvision` before NMS, `tensorflow` after NMS dropping empty boxes.
    public var clipBoxes: BoxClipping

    enum CodingKeys: String, CodingKey, CaseIterable {
        case style
        case scoreThreshold = "score_threshold"
        case detectThreshold = "detect_threshold"
        case iouThreshold = "iou_threshold"
        case topK = "top_k"
        case maxPerClass = "max_per_class"
        case maxDetections = "max_detections"
        case classAgnostic = "class_agnostic"
        case softNMS = "soft_nms"
        case softNMSSigma = "soft_nms_sigma"
        case clipBoxes = "clip_boxes"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        style = try c.decodeIfPresent(Style.self, forKey: .style) ?? .torchvision
        scoreThreshold = try c.decodeIfPresent(Float.self, forKey: .scoreThreshold) ?? 0.5
        detectThreshold = try c.decodeIfPresent(Float.self, forKey: .detectThreshold)
        iouThreshold = try c.decodeIfPresent(Double.self, forKey: .iouThreshold) ?? 0.5
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? 400
        maxPerClass = try c.decodeIfPresent(Int.self, forKey: .maxPerClass) ?? 100
        maxDetections = try c.decodeIfPresent(Int.self, forKey: .maxDetections) ?? 100
        classAgnostic = try c.decodeIfPresent(Bool.self, forKey: .classAgnostic) ?? false
        softNMS = try c.decodeIfPresent(SoftNMS.self, forKey: .softNMS)
        softNMSSigma = try c.decodeIfPresent(Float.self, forKey: .softNMSSigma) ?? 0.5
        let clipping = try c.decodeIfPresent(String.self, forKey: .clipBoxes)
        if let clipping {
            guard let value = BoxClipping(rawValue: clipping) else {
                throw decoder.invalid(
                    CodingKeys.clipBoxes, "'\(clipping)' is not one of \(BoxClipping.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            clipBoxes = value
        } else {
            clipBoxes = style == .torchvision ? .beforeNMS : .afterNMSDroppingEmpty
        }
        if let (key, problem) = valueProblem { throw decoder.invalid(key, problem) }
    }

    /// The first value out of its range, with its key: what a config file is refused for, and a
    /// config built in code too (`Detector(config:)`), before a bad count can size any buffer.
    var valueProblem: (key: CodingKeys, problem: String)? {
        if !(0...1).contains(scoreThreshold) { return (.scoreThreshold, "must be in [0, 1]") }
        if let detectThreshold, !(0...1).contains(detectThreshold) { return (.detectThreshold, "must be in [0, 1]") }
        if !(0...1).contains(iouThreshold) { return (.iouThreshold, "must be in [0, 1]") }
        let limit = DetectionOptions.detectionLimit
        for (key, value) in [(CodingKeys.topK, topK), (.maxPerClass, maxPerClass), (.maxDetections, maxDetections)]
        where !(1...limit).contains(value) {
            return (key, "must be in 1…\(limit)")
        }
        if !(softNMSSigma > 0 && softNMSSigma.isFinite) { return (.softNMSSigma, "must be positive") }
        return nil
    }
}
