import Foundation

/// How a selected box affects the remaining, overlapping candidates.
///
/// All methods are greedy: the highest-scoring remaining candidate (equal scores: lower index
/// first) is selected, then it acts on the rest. IoU is `Box.intersectionOverUnion(with:)`, so
/// zero-area and inverted boxes never suppress or decay anything.
public enum SuppressionMethod: Sendable, Hashable {
    /// Classic NMS: discard every candidate with IoU **strictly greater** than `iouThreshold`
    /// (torchvision `nms`, TensorFlow `non_max_suppression`). The float32 IoU is compared in double
    /// precision, as torchvision compares it with a Python float; to reproduce TensorFlow's float32
    /// comparison pass `Double(Float(threshold))` (the `tensorFlowSSD` preset does).
    case hard(iouThreshold: Double)
    /// Linear soft-NMS (Bodla et al. 2017): a candidate with IoU > `iouThreshold` keeps its
    /// score times `1 - IoU`.
    case linear(iouThreshold: Double)
    /// Gaussian soft-NMS (Bodla et al. 2017): every candidate's score is multiplied by
    /// `exp(-IoU² / sigma)`. TensorFlow's `soft_nms_sigma` means `exp(-0.5 · IoU² / soft_nms_sigma)`,
    /// i.e. `sigma = 2 · soft_nms_sigma`.
    case gaussian(sigma: Float)

    /// The factor a candidate's score is multiplied by for one selected box at this IoU
    /// (0 means hard suppression).
    @inline(__always)
    func decay(forOverlap iou: Float) -> Float {
        switch self {
        case let .hard(threshold):
            return Double(iou) > threshold ? 0 : 1
        case let .linear(threshold):
            return Double(iou) > threshold ? 1 - iou : 1
        case let .gaussian(sigma):
            return expf(-(iou * iou) / sigma)
        }
    }

    /// The smallest float32 IoU that counts as "greater than `threshold`" (a double): comparing a
    /// float32 IoU `>=` this is the same as comparing its double value `>` the threshold.
    static func smallestFloatAbove(_ threshold: Double) -> Float {
        let nearest = Float(threshold)
        return Double(nearest) > threshold ? nearest : nearest.nextUp
    }

    func validate(field: String) throws(PostprocessError) {
        switch self {
        case let .hard(threshold), let .linear(threshold):
            guard threshold >= 0 && threshold <= 1 else {
                throw .invalidParameter(field: field, value: "IoU threshold \(threshold)", expected: "a value in [0, 1]")
            }
        case let .gaussian(sigma):
            guard sigma > 0 && sigma.isFinite else {
                throw .invalidParameter(field: field, value: "sigma \(sigma)", expected: "a finite value > 0")
            }
        }
    }
}

/// The greedy selection shared by hard and soft NMS, on caller-owned buffers (no allocation).
///
/// Follows the structure of TensorFlow's `DoNonMaxSuppressionOp`: candidates wait in a max-heap;
/// the first one is checked against the boxes selected since it was last checked. Hard NMS drops
/// it on the first IoU above the threshold. Soft NMS decays its score; if nothing changed it is
/// selected (nothing left can beat it, since scores only decrease), otherwise it goes back into
/// the heap while its score stays above `scoreThreshold`. This selects the same boxes with the
/// same scores as the textbook loop that decays all remaining boxes after each selection, but
/// touches far fewer of them, and can stop as soon as `maxSelected` boxes are chosen.
///
/// - Parameters:
///   - heap: the candidates (keys index `boxes`), scores already above `scoreThreshold`.
///   - selected: receives the selected candidates in selection order, with their final scores.
///   - selectedBoxes: scratch for the selected boxes (see `SelectedBoxColumns`), sized for `selected`.
/// - Returns: the number of selected candidates.
func selectGreedily(
    from heap: inout CandidateHeap, boxes: UnsafeBufferPointer<Box>, method: SuppressionMethod,
    scoreThreshold: Float, maxSelected: Int, into selected: UnsafeMutableBufferPointer<ScoredCandidate>,
    selectedBoxes: UnsafeMutableBufferPointer<Float>
) -> Int {
    var columns = SelectedBoxColumns(storage: selectedBoxes, capacity: selected.count)
    if case let .hard(threshold) = method {
        // Hard NMS never re-queues: each candidate is tested once against every selection, in
        // any order (one IoU above the threshold suffices), so 8 at a time.
        let minimumIoU = SuppressionMethod.smallestFloatAbove(threshold)
        while columns.count < maxSelected, let candidate = heap.popFirst() {
            let box = boxes[Int(candidate.key)]
            if columns.anyOverlap(with: box, atLeast: minimumIoU) { continue }
            selected[columns.count] = candidate
            columns.append(box)
        }
        return columns.count
    }
    while columns.count < maxSelected, var candidate = heap.popFirst() {
        let box = boxes[Int(candidate.key)]
        let originalScore = candidate.score
        // Newest selections first: overlapping boxes tend to have close scores (TensorFlow's order).
        var index = columns.count - 1
        while index >= Int(candidate.decayedThrough) {
            candidate.score *= method.decay(forOverlap: box.intersectionOverUnion(with: columns.box(at: index)))
            if candidate.score <= scoreThreshold { break }
            index -= 1
        }
        candidate.decayedThrough = Int32(columns.count)
        if candidate.score == originalScore {
            selected[columns.count] = candidate
            columns.append(box)
        } else if candidate.score > scoreThreshold {
            heap.push(candidate)
        }
    }
    return columns.count
}
