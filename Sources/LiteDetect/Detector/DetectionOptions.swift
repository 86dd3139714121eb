/// Per-call settings that change which detections come out, without reloading the model.
/// `nil` means the model config's default.
public struct DetectionOptions: Sendable, Hashable {
    /// Keep detections scoring strictly above this.
    public var scoreThreshold: Float?
    /// NMS suppresses boxes overlapping a better one by more than this IoU.
    public var iouThreshold: Double?
    /// At most this many detections per image or frame, in `1...DetectionOptions.detectionLimit`.
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

    /// The most detections an image or frame may be asked for (`maxDetections`, and a model
    /// config's `top_k`, `max_per_class` and `max_detections`). A session keeps room for that many
    /// in each result it reuses, so the bound keeps a mistaken value from reserving gigabytes; no
    /// model here has as many anchors.
    public static let detectionLimit = 100_000

    /// Throws `DetectorError.invalidOption` for a value out of its range.
    public func validate() throws(DetectorError) {
        if let s = scoreThreshold, !(0...1).contains(s) { throw .invalidOption(name: "score threshold", problem: "\(s) is not in [0, 1]") }
        if let i = iouThreshold, !(0...1).contains(i) { throw .invalidOption(name: "IoU threshold", problem: "\(i) is not in [0, 1]") }
        if let m = maxDetections, !(1...Self.detectionLimit).contains(m) {
            throw .invalidOption(name: "max detections", problem: "\(m) is not in 1…\(Self.detectionLimit)")
        }
    }
}
