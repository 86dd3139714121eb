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
