extension DetectionResult {
    /// An empty result, to be filled (again and again) by `DetectorSession.detect(_:options:metadata:into:)`.
    public init() {
        self.init(imageWidth: 0, imageHeight: 0, detections: [], timing: StageTiming())
    }
}
