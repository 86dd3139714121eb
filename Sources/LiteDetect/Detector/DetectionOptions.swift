/// Per-call settings that change which detections come out, without reloading the model.
/// `nil` means the model config's default.
public struct DetectionOptions: Sendable, Hashable {
    /// Keep detections scoring strictly above this.
    public var scoreThreshold: Float?
    /// NMS suppresses boxes overlapping a better one by more than this IoU.
    public var iouThreshold: Double?
    public var maxDetections: Int?
    /// Only these class ids (config label indices); `nil`: all classes.
    public var classIDs: Set<Int>?
    /// One NMS across all classes instead of one per class.
    public var classAgnostic: Bool?

    public init(
        scoreThreshold: Float? = nil, iouThreshold: Double? = nil, maxDetections: Int? = nil,
        classIDs: Set<Int>? = nil, classAgnostic: Bool? = nil
    ) {
        self.scoreThreshold = scoreThreshold
        self.iouThreshold = iouThreshold
        self.maxDetections = maxDetections
        self.classIDs = classIDs
        self.classAgnostic = classAgnostic
    }

    public func validate() throws(DetectorError) {
        if let s = scoreThreshold, !(0...1).contains(s) { throw .invalidOption(name: "score threshold", problem: "\(s) is not in [0, 1]") }
        if let i = iouThreshold, !(0...1).contains(i) { throw .invalidOption(name: "IoU threshold", problem: "\(i) is not in [0, 1]") }
        if let m = maxDetections, m < 1 { throw .invalidOption(name: "max detections", problem: "\(m) must be at least 1") }
    }
}
