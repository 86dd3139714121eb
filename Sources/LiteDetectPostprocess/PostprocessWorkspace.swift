/// The working memory of `DetectionPostprocessor`, allocated once per model.
struct PostprocessWorkspace: Sendable {
    /// Selections one NMS group (a class, or everything when class-agnostic) can contribute.
    let selectionsPerGroup: Int
    /// Decoded boxes, normalised, one per anchor.
    var decodedBoxes: [Box]
    /// Foreground scores, class-major: `scores[class · anchorCount + anchor]`.
    var scores: [Float]
    /// Class-agnostic mode: each anchor's best foreground class.
    var bestClasses: [Int32]
    /// Candidates of the current group (heap storage), keyed by anchor.
    var candidates: [ScoredCandidate]
    /// Selections of the current group; also the scratch of the top-k cut.
    var selections: [ScoredCandidate]
    /// The boxes of `selections`, column-wise for the NMS inner loop (`SelectedBoxColumns`).
    var selectedBoxes: [Float]
    /// Every group's selections, keyed by their position here (class-major, then selection order).
    var pool: [ScoredCandidate]
    var poolClasses: [Int32]
    var poolAnchors: [Int32]

    init(configuration: PostprocessConfiguration, anchorCount: Int) {
        let classCount = configuration.classCount
        let groupCap = configuration.classAgnostic ? configuration.maxDetections : configuration.maxDetectionsPerClass
        selectionsPerGroup = min(anchorCount, configuration.candidatesPerClass ?? anchorCount, groupCap ?? anchorCount)
        let poolSize = (configuration.classAgnostic ? 1 : classCount) * selectionsPerGroup
        let empty = ScoredCandidate(score: 0, key: 0)
        decodedBoxes = Array(repeating: Box(x1: 0, y1: 0, x2: 0, y2: 0), count: anchorCount)
        selectedBoxes = Array(repeating: 0, count: SelectedBoxColumns.storageSize(capacity: anchorCount))
        scores = Array(repeating: 0, count: anchorCount * classCount)
        bestClasses = Array(repeating: 0, count: configuration.classAgnostic ? anchorCount : 0)
        candidates = Array(repeating: empty, count: anchorCount)
        selections = Array(repeating: empty, count: anchorCount)
        pool = Array(repeating: empty, count: poolSize)
        poolClasses = Array(repeating: 0, count: poolSize)
        poolAnchors = Array(repeating: 0, count: poolSize)
    }

    /// Lends every array as a raw buffer for the duration of `body` (no copy, no allocation).
    mutating func withBuffers<R>(_ body: (inout PostprocessBuffers) -> R) -> R {
        let selectionsPerGroup = self.selectionsPerGroup
        return decodedBoxes.withUnsafeMutableBufferPointer { decodedBoxes in
            scores.withUnsafeMutableBufferPointer { scores in
                bestClasses.withUnsafeMutableBufferPointer { bestClasses in
                    candidates.withUnsafeMutableBufferPointer { candidates in
                        selections.withUnsafeMutableBufferPointer { selections in
                            selectedBoxes.withUnsafeMutableBufferPointer { selectedBoxes in
                                pool.withUnsafeMutableBufferPointer { pool in
                                    poolClasses.withUnsafeMutableBufferPointer { poolClasses in
                                        poolAnchors.withUnsafeMutableBufferPointer { poolAnchors in
                                            var buffers = PostprocessBuffers(
                                                selectionsPerGroup: selectionsPerGroup, decodedBoxes: decodedBoxes,
                                                scores: scores, bestClasses: bestClasses, candidates: candidates,
                                                selections: selections, selectedBoxes: selectedBoxes, pool: pool,
                                                poolClasses: poolClasses, poolAnchors: poolAnchors)
                                            return body(&buffers)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `PostprocessWorkspace` seen through raw buffers, with the per-frame steps.
struct PostprocessBuffers {
    let selectionsPerGroup: Int
    let decodedBoxes: UnsafeMutableBufferPointer<Box>
    let scores: UnsafeMutableBufferPointer<Float>
    let bestClasses: UnsafeMutableBufferPointer<Int32>
    let candidates: UnsafeMutableBufferPointer<ScoredCandidate>
    let selections: UnsafeMutableBufferPointer<ScoredCandidate>
    let selectedBoxes: UnsafeMutableBufferPointer<Float>
    let pool: UnsafeMutableBufferPointer<ScoredCandidate>
    let poolClasses: UnsafeMutableBufferPointer<Int32>
    let poolAnchors: UnsafeMutableBufferPointer<Int32>

    var anchorCount: Int { decodedBoxes.count }

    /// Step 1: every anchor's box, normalised, clamped into [0, 1] when clipping comes first.
    func decodeBoxes(
        regressions: UnsafeBufferPointer<Float>, anchors: UnsafeBufferPointer<CenterSizeBox>,
        configuration: PostprocessConfiguration
    ) {
        let coder = configuration.boxCoder
        let clipNow = configuration.clipping == .beforeSuppression || configuration.clipping == .beforeSuppressionDroppingEmpty
        for index in 0..<anchors.count {
            let box = coder.decode(regressions, at: index, anchor: anchors[index])
            decodedBoxes[index] = clipNow ? box.clamped(to: 0...1) : box
        }
    }

    /// Step 3, per class: one NMS per foreground class; returns how many selections were pooled.
    func selectPerClass(configuration: PostprocessConfiguration) -> Int {
        var pooled = 0
        for classIndex in 0..<configuration.classCount {
            let classScores = UnsafeBufferPointer(rebasing: scores[(classIndex * anchorCount)..<((classIndex + 1) * anchorCount)])
            let count = selectGroup(configuration: configuration) { anchor in classScores[anchor] }
            for index in 0..<count {
                appendToPool(selections[index], classIndex: Int32(classIndex), pooled: &pooled)
            }
        }
        return pooled
    }

    /// Step 3, class-agnostic: one NMS over each anchor's best class (first maximum on ties, as
    /// `tf.argmax`); returns how many selections were pooled.
    func selectClassAgnostic(configuration: PostprocessConfiguration) -> Int {
        let anchorCount = self.anchorCount
        for anchor in 0..<anchorCount {
            var best = 0
            for classIndex in 1..<configuration.classCount
            where scores[classIndex * anchorCount + anchor] > scores[best * anchorCount + anchor] {
                best = classIndex
            }
            bestClasses[anchor] = Int32(best)
        }
        let count = selectGroup(configuration: configuration) { anchor in
            scores[Int(bestClasses[anchor]) * anchorCount + anchor]
        }
        var pooled = 0
        for index in 0..<count {
            let selection = selections[index]
            appendToPool(selection, classIndex: bestClasses[Int(selection.key)], pooled: &pooled)
        }
        return pooled
    }

    /// Thresholds one group whose score for anchor `a` is `score(a)`, optionally keeps its best
    /// `candidatesPerClass`, and suppresses; the selections land in `selections[0..<returned]`.
    private func selectGroup(configuration: PostprocessConfiguration, score: (Int) -> Float) -> Int {
        var count = 0
        let dropEmpty = configuration.clipping == .beforeSuppressionDroppingEmpty
        for anchor in 0..<anchorCount {
            let value = score(anchor)
            if value > configuration.scoreThreshold && (!dropEmpty || decodedBoxes[anchor].area > 0) {
                candidates[count] = ScoredCandidate(score: value, key: Int32(anchor))
                count += 1
            }
        }
        var heap = CandidateHeap(storage: candidates, count: count)
        heap.heapify()
        if let limit = configuration.candidatesPerClass {
            heap.keepFirst(limit, scratch: selections)
        }
        return selectGreedily(
            from: &heap, boxes: UnsafeBufferPointer(decodedBoxes), method: configuration.suppression,
            scoreThreshold: configuration.scoreThreshold, maxSelected: selectionsPerGroup, into: selections,
            selectedBoxes: selectedBoxes)
    }

    /// Adds one selection to the pool, keyed by its pool position (the merge's tie-breaker).
    private func appendToPool(_ selection: ScoredCandidate, classIndex: Int32, pooled: inout Int) {
        pool[pooled] = ScoredCandidate(score: selection.score, key: Int32(pooled))
        poolAnchors[pooled] = selection.key
        poolClasses[pooled] = classIndex
        pooled += 1
    }

    /// Step 4: merges the pool by score and appends the final detections.
    func emitDetections(
        pooledCount: Int, configuration: PostprocessConfiguration, transform: NormalizedToImageTransform,
        into detections: inout [Detection]
    ) {
        let dropEmpty = configuration.clipping == .afterSuppressionDroppingEmpty
        var heap = CandidateHeap(storage: pool, count: pooledCount)
        heap.heapify()
        while detections.count < configuration.maxDetections, let entry = heap.popFirst() {
            let anchor = Int(poolAnchors[Int(entry.key)])
            var box = decodedBoxes[anchor]
            if dropEmpty {
                box = box.clamped(to: 0...1)
                guard box.area > 0 else { continue }
            }
            detections.append(
                Detection(
                    classID: configuration.classID(forClass: Int(poolClasses[Int(entry.key)])),
                    score: entry.score, box: transform.apply(box), anchorIndex: anchor))
        }
    }
}
