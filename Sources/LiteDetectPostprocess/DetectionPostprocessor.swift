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
        let level = HeadOutputLevel(
            boxRegressions: boxRegressions.baseAddress!, classLogits: classLogits.baseAddress!, anchorCount: anchorCount)
        try withUnsafePointer(to: level) { (level) throws(PostprocessError) in
            try process(levels: UnsafeBufferPointer(start: level, count: 1), transform: transform, into: &detections)
        }
    }

    /// Decodes, scores and suppresses one frame whose head outputs lie level by level where the
    /// network wrote them (no concatenated copy needed).
    ///
    /// - Parameters:
    ///   - levels: the levels in anchor order; their `anchorCount`s add up to the anchors'.
    ///   - transform: from normalised network coordinates to original-image pixels.
    ///   - detections: emptied (capacity kept) and filled with at most `maxDetections` detections,
    ///     by descending score.
    /// - Throws: `PostprocessError.bufferSizeMismatch` when the levels hold another number of
    ///   anchors, `.invalidParameter` for a negative `anchorCount`.
    package mutating func process(
        levels: UnsafeBufferPointer<HeadOutputLevel>, transform: NormalizedToImageTransform, into detections: inout [Detection]
    ) throws(PostprocessError) {
        var levelAnchors = 0
        for (index, level) in levels.enumerated() {
            guard level.anchorCount >= 0 else {
                throw .invalidParameter(field: "levels[\(index)].anchorCount", value: "\(level.anchorCount)", expected: "at least 0")
            }
            levelAnchors += level.anchorCount
        }
        guard levelAnchors == anchors.count else {
            throw .bufferSizeMismatch(tensor: "boxRegressions", expected: anchors.count * 4, actual: levelAnchors * 4)
        }
        detections.removeAll(keepingCapacity: true)
        detections.reserveCapacity(configuration.maxDetections)

        let configuration = self.configuration
        anchors.withUnsafeBufferPointer { anchors in
            workspace.withBuffers { buffers in
                buffers.decodeBoxes(levels: levels, anchors: anchors, configuration: configuration)
                // Hard NMS files only the best candidates first (`RunningCutoff`); rarely (heavy
                // suppression) they do not give `maxDetections`, and every candidate is filed.
                let best = buffers.gatherCandidates(
                    levels: levels, configuration: configuration, bestOnly: configuration.suppression.isHard)
                var pooled = buffers.selectGroups(configuration: configuration, cutoff: best)
                if pooled == nil {
                    let all = buffers.gatherCandidates(levels: levels, configuration: configuration, bestOnly: false)
                    pooled = buffers.selectGroups(configuration: configuration, cutoff: all)
                }
                guard let pooled else { preconditionFailure("selection declined a filing that left nothing out") }
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
