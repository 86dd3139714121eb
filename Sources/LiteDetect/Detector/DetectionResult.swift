import LiteDetectPostprocess

/// One detected object, in pixels of the original image.
public struct LabeledDetection: Sendable, Hashable {
    /// The class id: the column in the model's labels (background is 0 and never reported), or
    /// what the config's `class_ids` gives that column.
    public var classID: Int
    public var label: String
    public var score: Float
    /// `x1, y1, x2, y2` in original-image pixels (pixel-edge coordinates: a box covering the whole
    /// image is `0, 0, width, height`).
    public var box: Box

    public init(classID: Int, label: String, score: Float, box: Box) {
        self.classID = classID
        self.label = label
        self.score = score
        self.box = box
    }
}

/// Wall-clock time of each stage of one detection (`timing.inference / .milliseconds(1)` is the
/// inference time in milliseconds).
public struct StageTiming: Sendable, Hashable {
    public var preprocess: Duration
    public var inference: Duration
    public var postprocess: Duration

    public init(preprocess: Duration = .zero, inference: Duration = .zero, postprocess: Duration = .zero) {
        self.preprocess = preprocess
        self.inference = inference
        self.postprocess = postprocess
    }

    public var total: Duration { preprocess + inference + postprocess }
}

/// What one image or frame produced.
public struct DetectionResult: Sendable {
    public var imageWidth: Int
    public var imageHeight: Int
    /// By descending score.
    public var detections: [LabeledDetection]
    public var timing: StageTiming
    /// Which frame of a stream this is; `nil` for a lone image.
    public var frame: FrameMetadata? = nil
}
