import LiteDetectKernels

/// The working memory of `DetectionPostprocessor`, allocated once per model.
struct PostprocessWorkspace: Sendable {
    /// Selections one NMS group (a class, or everything when class-agnostic) can contribute.
    let selectionsPerGroup: Int
    /// Decoded boxes, normalised, one per anchor.
    var decodedBoxes: [Box]
    /// Rows to convert per call of the score kernel: 32 rows of ~91 scores stay in L1.
    static let scoreBlockRows = 32
    /// A block of anchors' scores (`scoreBlockRows` rows of `logitColumns`, background included).
    var blockScores: [Float]
    /// Per row of `blockScores`, bit masks of the scores above the threshold (one bit per logit
    /// column, from `FastVectorMath.softmaxRows`), so filing visits only those.
    var blockMasks: [UInt64]
    /// Class-agnostic mode: each anchor's best foreground class.
    var bestClasses: [Int32]
    /// Each group's candidates as `CandidateKey`s, in anchor order: group `g` owns
    /// `candidateKeys[g · anchorCount ..< g · anchorCount + candidateCounts[g]]`.
    var candidateKeys: [UInt64]
    var candidateCounts: [Int]
    /// `CandidateKeySort`'s ping-pong buffer and histograms.
    var sortScratch: [UInt64]
    var sortHistograms: [Int]
    /// Soft-NMS: the current group's candidates (heap storage), keyed by anchor.
    var candidates: [ScoredCandidate]
    /// Selections of the current group.
    var selections: [ScoredCandidate]
    /// The boxes of `selections`, column-wise for the NMS inner loop (`SelectedBoxColumns`); for
    /// hard NMS one such store per group (`selectGroupsInScoreOrder` runs all groups at once).
    var selectedBoxes: [Float]
    /// Hard NMS: each group's progress through its sorted candidates, and the merge heap of the
    /// groups' next candidates (`selectGroupsInScoreOrder`).
    var groupRuns: [GroupRun]
    var groupHeads: [ScoredCandidate]
    /// Hard NMS: a histogram of the filed candidates' scores (by their keys' top 16 bits,
    /// `RunningCutoff`) and room for the best keys of every group (`selectFromBestKeys`):
    /// 32 · maxDetections.
    var scoreHistogram: [UInt32]
    var bestKeys: [UInt64]
    /// Every group's selections, keyed by their position here (class-major, then selection order).
    var pool: [ScoredCandidate]
    var poolClasses: [Int32]
    var poolAnchors: [Int32]

    init(configuration: PostprocessConfiguration, anchorCount: Int) {
        let classCount = configuration.classCount
        let groupCount = configuration.classAgnostic ? 1 : classCount
        let groupCap = configuration.classAgnostic ? configuration.maxDetections : configuration.maxDetectionsPerClass
        selectionsPerGroup = min(anchorCount, configuration.candidatesPerClass ?? anchorCount, groupCap ?? anchorCount)
        let poolSize = groupCount * selectionsPerGroup
        let empty = ScoredCandidate(score: 0, key: 0)
        decodedBoxes = Array(repeating: Box(x1: 0, y1: 0, x2: 0, y2: 0), count: anchorCount)
        blockScores = Array(repeating: 0, count: min(anchorCount, Self.scoreBlockRows) * configuration.logitColumns)
        blockMasks = Array(
            repeating: 0, count: min(anchorCount, Self.scoreBlockRows) * FastVectorMath.maskWords(columns: configuration.logitColumns))
        bestClasses = Array(repeating: 0, count: configuration.classAgnostic ? anchorCount : 0)
        candidateKeys = Array(repeating: 0, count: groupCount * anchorCount)
        candidateCounts = Array(repeating: 0, count: groupCount)
        sortScratch = Array(repeating: 0, count: anchorCount)
        sortHistograms = Array(repeating: 0, count: CandidateKeySort.histogramSize)
        candidates = Array(repeating: empty, count: configuration.suppression.isHard ? 0 : anchorCount)
        selections = Array(repeating: empty, count: selectionsPerGroup)
        let hard = configuration.suppression.isHard
        selectedBoxes = Array(
            repeating: 0, count: (hard ? groupCount : 1) * SelectedBoxColumns.storageSize(capacity: selectionsPerGroup))
        groupRuns = Array(repeating: GroupRun(), count: hard ? groupCount : 0)
        groupHeads = Array(repeating: empty, count: hard ? groupCount : 0)
        scoreHistogram = Array(repeating: 0, count: hard ? 1 << 16 : 0)
        bestKeys = Array(repeating: 0, count: hard ? min(32 * configuration.maxDetections, groupCount * anchorCount) : 0)
        pool = Array(repeating: empty, count: poolSize)
        poolClasses = Array(repeating: 0, count: poolSize)
        poolAnchors = Array(repeating: 0, count: poolSize)
    }

    /// Lends every array as a raw buffer for the duration of `body` (no copy, no allocation).
    mutating func withBuffers<R>(_ body: (inout PostprocessBuffers) -> R) -> R {
        let selectionsPerGroup = self.selectionsPerGroup
        return decodedBoxes.withUnsafeMutableBufferPointer { decodedBoxes in
            blockScores.withUnsafeMutableBufferPointer { blockScores in
                blockMasks.withUnsafeMutableBufferPointer { blockMasks in
                    bestClasses.withUnsafeMutableBufferPointer { bestClasses in
                        candidateKeys.withUnsafeMutableBufferPointer { candidateKeys in
                            candidateCounts.withUnsafeMutableBufferPointer { candidateCounts in
                                sortScratch.withUnsafeMutableBufferPointer { sortScratch in
                                    sortHistograms.withUnsafeMutableBufferPointer { sortHistograms in
                                        candidates.withUnsafeMutableBufferPointer { candidates in
                                            selections.withUnsafeMutableBufferPointer { selections in
                                                selectedBoxes.withUnsafeMutableBufferPointer { selectedBoxes in
                                                    pool.withUnsafeMutableBufferPointer { pool in
                                                        poolClasses.withUnsafeMutableBufferPointer { poolClasses in
                                                            poolAnchors.withUnsafeMutableBufferPointer { poolAnchors in
                                                                groupRuns.withUnsafeMutableBufferPointer { groupRuns in
                                                                    groupHeads.withUnsafeMutableBufferPointer { groupHeads in
                                                                        scoreHistogram.withUnsafeMutableBufferPointer { scoreHistogram in
                                                                            bestKeys.withUnsafeMutableBufferPointer { bestKeys in
                                                                                var buffers = PostprocessBuffers(
                                                                                    selectionsPerGroup: selectionsPerGroup,
                                                                                    decodedBoxes: decodedBoxes, blockScores: blockScores,
                                                                                    blockMasks: blockMasks,
                                                                                    bestClasses: bestClasses, candidateKeys: candidateKeys,
                                                                                    candidateCounts: candidateCounts,
                                                                                    sortScratch: sortScratch,
                                                                                    sortHistograms: sortHistograms, candidates: candidates,
                                                                                    selections: selections, selectedBoxes: selectedBoxes,
                                                                                    groupRuns: groupRuns, groupHeads: groupHeads,
                                                                                    scoreHistogram: scoreHistogram, bestKeys: bestKeys,
                                                                                    pool: pool, poolClasses: poolClasses,
                                                                                    poolAnchors: poolAnchors)
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
    let blockScores: UnsafeMutableBufferPointer<Float>
    let blockMasks: UnsafeMutableBufferPointer<UInt64>
    let bestClasses: UnsafeMutableBufferPointer<Int32>
    let candidateKeys: UnsafeMutableBufferPointer<UInt64>
    let candidateCounts: UnsafeMutableBufferPointer<Int>
    let sortScratch: UnsafeMutableBufferPointer<UInt64>
    let sortHistograms: UnsafeMutableBufferPointer<Int>
    let candidates: UnsafeMutableBufferPointer<ScoredCandidate>
    let selections: UnsafeMutableBufferPointer<ScoredCandidate>
    let selectedBoxes: UnsafeMutableBufferPointer<Float>
    let groupRuns: UnsafeMutableBufferPointer<GroupRun>
    let groupHeads: UnsafeMutableBufferPointer<ScoredCandidate>
    let scoreHistogram: UnsafeMutableBufferPointer<UInt32>
    let bestKeys: UnsafeMutableBufferPointer<UInt64>
    let pool: UnsafeMutableBufferPointer<ScoredCandidate>
    let poolClasses: UnsafeMutableBufferPointer<Int32>
    let poolAnchors: UnsafeMutableBufferPointer<Int32>

    var anchorCount: Int { decodedBoxes.count }

    /// Step 1: every anchor's box, normalised, clamped into [0, 1] when clipping comes first.
    func decodeBoxes(
        levels: UnsafeBufferPointer<HeadOutputLevel>, anchors: UnsafeBufferPointer<CenterSizeBox>,
        configuration: PostprocessConfiguration
    ) {
        let coder = configuration.boxCoder
        let clipNow = configuration.clipping == .beforeSuppression || configuration.clipping == .beforeSuppressionDroppingEmpty
        var index = 0
        for level in levels {
            let codes = level.boxRegressions
            for row in 0..<level.anchorCount {
                let code = codes + 4 * row
                let box = coder.decode(code[0], code[1], code[2], code[3], anchor: anchors[index])
                decodedBoxes[index] = clipNow ? box.clamped(to: 0...1) : box
                index += 1
            }
        }
    }

    /// Step 3: one NMS per group (per class, or one over every anchor's best class); returns how
    /// many selections were pooled, or `nil` when `cutoff` left out candidates that are needed
    /// (gather everything and call again). Hard NMS runs all groups at once in score order
    /// (`selectGroupsInScoreOrder`); soft-NMS one group after another.
    func selectGroups(configuration: PostprocessConfiguration, cutoff: RunningCutoff) -> Int? {
        if case let .hard(threshold) = configuration.suppression {
            return selectGroupsInScoreOrder(
                minimumIoU: SuppressionMethod.smallestFloatAbove(threshold), configuration: configuration, cutoff: cutoff)
        }
        var pooled = 0
        for group in 0..<candidateCounts.count {
            let count = selectGroup(group, configuration: configuration)
            for index in 0..<count {
                let selection = selections[index]
                let classIndex = configuration.classAgnostic ? bestClasses[Int(selection.key)] : Int32(group)
                appendToPool(selection, classIndex: classIndex, pooled: &pooled)
            }
        }
        return pooled
    }

    /// Sorts one group's candidates, keeps its best `candidatesPerClass`, and runs soft-NMS; the
    /// selections land in `selections[0..<returned]`, keyed by anchor.
    private func selectGroup(_ group: Int, configuration: PostprocessConfiguration) -> Int {
        let sorted = sortedRun(ofGroup: group, limit: configuration.candidatesPerClass)
        // Soft-NMS re-queues decayed candidates: a heap, which a sorted buffer already is.
        for (index, key) in sorted.enumerated() {
            candidates[index] = ScoredCandidate(score: CandidateKey.score(of: key), key: CandidateKey.anchor(of: key))
        }
        var heap = CandidateHeap(storage: candidates, count: sorted.count)
        return selectGreedily(
            from: &heap, boxes: UnsafeBufferPointer(decodedBoxes), method: configuration.suppression,
            scoreThreshold: configuration.scoreThreshold, maxSelected: selectionsPerGroup, into: selections,
            selectedBoxes: selectedBoxes)
    }

    /// One group's candidates sorted into selection order, cut to the best `limit`; in the
    /// group's own part of `candidateKeys` or in `sortScratch` (until the next sort).
    func sortedRun(ofGroup group: Int, limit: Int?) -> UnsafeMutableBufferPointer<UInt64> {
        let start = group * anchorCount
        let keys = UnsafeMutableBufferPointer(rebasing: candidateKeys[start..<(start + candidateCounts[group])])
        let sorted = CandidateKeySort.sort(keys, scratch: sortScratch, histograms: sortHistograms)
        guard let limit, limit < sorted.count else { return sorted }
        return UnsafeMutableBufferPointer(rebasing: sorted[0..<limit])
    }

    /// Adds one selection to the pool, keyed by its pool position (the merge's tie-breaker).
    func appendToPool(_ selection: ScoredCandidate, classIndex: Int32, pooled: inout Int) {
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
