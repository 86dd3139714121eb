/// Turns one frame's raw SSD head outputs into detections, following a `PostprocessConfiguration`.
///
/// Create one per model and input size (anchors fixed) and reuse it for every frame: all working
/// memory is allocated here, once, so `process` allocates nothing as long as the caller's
/// `detections` array keeps its capacity. Being a value type, a copy gets its own workspaces
/// (copied on its first `process`), so keep one per video stream or thread.
///
/// Results are deterministic: every ordering decision breaks score ties by a fixed key.
package struct DetectionPostprocessor: Sendable {
    package let configuration: PostprocessConfiguration
    /// The anchors, normalised center-size, in head-output order.
    package let anchors: [CenterSizeBox]

    /// Every buffer a frame needs, sized once in `init`.
    private var workspace: PostprocessWorkspace

    /// - Parameters:
    ///   - configuration: how to decode, score and select.
    ///   - anchors: from one of the anchor generators, in the order the head emits its rows.
    package init(configuration: PostprocessConfiguration, anchors: [CenterSizeBox]) throws(PostprocessError) {
        try configuration.validate()
        guard !anchors.isEmpty else {
            throw .invalidParameter(field: "anchors", value: "[]", expected: "at least one anchor")
        }
        let anchorCount = anchors.count
        let classCount = configuration.classCount
        guard anchorCount <= Int(Int32.max), classCount <= Int(Int32.max) else {
            throw .invalidParameter(field: "anchors", value: "\(anchorCount) anchors", expected: "at most \(Int32.max)")
        }
        self.configuration = configuration
        self.anchors = anchors
        workspace = PostprocessWorkspace(configuration: configuration, anchorCount: anchorCount)
    }

    /// Decodes, scores and suppresses one frame.
    ///
    /// - Parameters:
    ///   - boxRegressions: `[anchorCount × 4]` box codes, anchor-major, in the coder's order.
    ///   - classLogits: `[anchorCount × logitColumns]` raw logits, anchor-major.
    ///   - transform: from normalised network coordinates to original-image pixels.
    ///   - detections: emptied (capacity kept) and filled with at most `maxDetections` detections,
    ///     by descending score.
    /// - Throws: `PostprocessError.bufferSizeMismatch` when a buffer's size disagrees with the configuration.
    package mutating func process(
        boxRegressions: UnsafeBufferPointer<Float>, classLogits: UnsafeBufferPointer<Float>,
        transform: NormalizedToImageTransform, into detections: inout [Detection]
    ) throws(PostprocessError) {
        let anchorCount = anchors.count
        guard boxRegressions.count == anchorCount * 4 else {
            throw .bufferSizeMismatch(tensor: "boxRegressions", expected: anchorCount * 4, actual: boxRegressions.count)
        }
        guard classLogits.count == anchorCount * configuration.logitColumns else {
            throw .bufferSizeMismatch(
                tensor: "classLogits", expected: anchorCount * configuration.logitColumns, actual: classLogits.count)
        }
        detections.removeAll(keepingCapacity: true)
        detections.reserveCapacity(configuration.maxDetections)

        let configuration = self.configuration
        anchors.withUnsafeBufferPointer { anchors in
            workspace.withBuffers { buffers in
                buffers.decodeBoxes(regressions: boxRegressions, anchors: anchors, configuration: configuration)
                buffers.gatherCandidates(logits: classLogits, configuration: configuration)
                let pooled = buffers.selectGroups(configuration: configuration)
                buffers.emitDetections(
                    pooledCount: pooled, configuration: configuration, transform: transform, into: &detections)
            }
        }
    }

    /// `process` for arrays (no copy is made).
    package mutating func process(
        boxRegressions: [Float], classLogits: [Float], transform: NormalizedToImageTransform,
        into detections: inout [Detection]
    ) throws(PostprocessError) {
        try boxRegressions.withUnsafeBufferPointer { (regressions) throws(PostprocessError) in
            try classLogits.withUnsafeBufferPointer { (logits) throws(PostprocessError) in
                try process(boxRegressions: regressions, classLogits: logits, transform: transform, into: &detections)
            }
        }
    }
}
