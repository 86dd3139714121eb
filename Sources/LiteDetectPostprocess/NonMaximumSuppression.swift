/// One box kept by non-maximum suppression: its index in the input and its final score
/// (the input score for hard NMS, the decayed one for soft-NMS).
package struct SelectedBox: Sendable, Hashable {
    package var index: Int
    package var score: Float

    package init(index: Int, score: Float) {
        self.index = index
        self.score = score
    }
}

/// Stand-alone non-maximum suppression over arrays, for tools and tests.
///
/// These allocate their scratch space on every call; the per-frame path
/// (`DetectionPostprocessor`) runs the same selection code on buffers sized once.
///
/// Rules, shared with the postprocessor:
/// - Only candidates with `score > scoreThreshold` take part (NaN scores never do).
/// - Selection is greedy by score; equal scores go to the lower index first (what a stable
///   descending sort gives — torchvision's CPU `nms` and TensorFlow's NMS both do this).
/// - Hard NMS removes boxes with IoU **strictly greater** than the threshold.
/// - IoU is `Box.intersectionOverUnion(with:)`: zero-area and inverted boxes overlap nothing,
///   so they are never suppressed and never suppress.
/// - Results come in selection order: for hard NMS that is descending score.
package enum NonMaximumSuppression {
    /// NMS over one set of boxes, whatever their class (torchvision `nms`, TensorFlow
    /// `non_max_suppression_with_scores`).
    ///
    /// - Parameters:
    ///   - boxes, scores: one score per box.
    ///   - method: hard, linear or Gaussian (see `SuppressionMethod`).
    ///   - scoreThreshold: candidates must score above it; soft-NMS also drops boxes whose decayed
    ///     score falls to it or below.
    ///   - maxSelected: stop after this many selections.
    package static func select(
        boxes: [Box], scores: [Float], method: SuppressionMethod,
        scoreThreshold: Float = -.infinity, maxSelected: Int = .max
    ) throws(PostprocessError) -> [SelectedBox] {
        try validate(boxes: boxes, scores: scores, method: method)
        let indices = Array(0..<boxes.count)
        return run(indices: indices, boxes: boxes, scores: scores, method: method, scoreThreshold: scoreThreshold, maxSelected: maxSelected)
    }

    /// NMS run separately within each class (torchvision `batched_nms`): boxes of different
    /// classes never affect each other. The kept boxes of all classes are returned together,
    /// sorted by final score (equal scores: lower index first).
    ///
    /// - Parameter maxSelectedPerClass: stop each class after this many selections.
    package static func selectPerClass(
        boxes: [Box], scores: [Float], classes: [Int], method: SuppressionMethod,
        scoreThreshold: Float = -.infinity, maxSelectedPerClass: Int = .max
    ) throws(PostprocessError) -> [SelectedBox] {
        try validate(boxes: boxes, scores: scores, method: method)
        guard classes.count == boxes.count else {
            throw .lengthMismatch(field: "classes", count: classes.count, otherField: "boxes", otherCount: boxes.count)
        }
        var indicesByClass: [Int: [Int]] = [:]
        for (index, label) in classes.enumerated() {
            indicesByClass[label, default: []].append(index)
        }
        var kept: [SelectedBox] = []
        for label in indicesByClass.keys.sorted() {
            kept += run(
                indices: indicesByClass[label]!, boxes: boxes, scores: scores, method: method,
                scoreThreshold: scoreThreshold, maxSelected: maxSelectedPerClass)
        }
        kept.sort { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
        return kept
    }

    private static func validate(boxes: [Box], scores: [Float], method: SuppressionMethod) throws(PostprocessError) {
        guard scores.count == boxes.count else {
            throw .lengthMismatch(field: "scores", count: scores.count, otherField: "boxes", otherCount: boxes.count)
        }
        try method.validate(field: "method")
    }

    /// Selects among `indices` (into `boxes` / `scores`); returned indices refer to `boxes`.
    private static func run(
        indices: [Int], boxes: [Box], scores: [Float], method: SuppressionMethod,
        scoreThreshold: Float, maxSelected: Int
    ) -> [SelectedBox] {
        var storage = [ScoredCandidate]()
        storage.reserveCapacity(indices.count)
        for index in indices where scores[index] > scoreThreshold {
            storage.append(ScoredCandidate(score: scores[index], key: Int32(index)))
        }
        var selected = [ScoredCandidate](repeating: ScoredCandidate(score: 0, key: 0), count: storage.count)
        var selectedBoxes = [Float](repeating: 0, count: SelectedBoxColumns.storageSize(capacity: storage.count))
        let count = storage.withUnsafeMutableBufferPointer { heapStorage in
            boxes.withUnsafeBufferPointer { boxBuffer in
                selected.withUnsafeMutableBufferPointer { selectedBuffer in
                    selectedBoxes.withUnsafeMutableBufferPointer { selectedBoxBuffer in
                        var heap = CandidateHeap(storage: heapStorage, count: heapStorage.count)
                        heap.heapify()
                        return selectGreedily(
                            from: &heap, boxes: boxBuffer, method: method, scoreThreshold: scoreThreshold,
                            maxSelected: maxSelected, into: selectedBuffer, selectedBoxes: selectedBoxBuffer)
                    }
                }
            }
        }
        return selected[0..<count].map { SelectedBox(index: Int($0.key), score: $0.score) }
    }
}
