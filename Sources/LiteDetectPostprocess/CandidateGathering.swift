import LiteDetectKernels

extension PostprocessBuffers {
    /// Step 2: converts the logits anchor by anchor and files every score above the threshold
    /// as a `CandidateKey` under its group, in anchor order — one pass over the logits, in their
    /// own (anchor-major) order, with no class-major score matrix in between.
    ///
    /// Sigmoid scores are screened on their logits first (`ScoreConversion.lowestLogitPassing`),
    /// so `exp` runs only where the score may pass. Softmax needs every exponential for its
    /// denominator, so it converts whole rows, a block of them per call of the vector kernel;
    /// a mask of the scores above the threshold then lets filing visit only those (~1 in 5 at
    /// 0.01 with random weights). Class-agnostic mode files each anchor's best class (first
    /// maximum on ties, as `tf.argmax`) in the single group.
    func gatherCandidates(logits: UnsafeBufferPointer<Float>, configuration: PostprocessConfiguration) {
        candidateCounts.update(repeating: 0)
        let columns = configuration.logitColumns
        let threshold = configuration.scoreThreshold
        let dropEmpty = configuration.clipping == .beforeSuppressionDroppingEmpty
        let screenLogits = configuration.scoreConversion == .sigmoid && !configuration.classAgnostic
        let lowestLogit = ScoreConversion.lowestLogitPassing(scoreThreshold: threshold)
        let firstClassColumn = configuration.hasBackgroundColumn ? 1 : 0
        let classCount = columns - firstClassColumn
        let blockRows = blockScores.count / columns
        let maskWords = FastVectorMath.maskWords(columns: classCount)
        let base = logits.baseAddress!
        for blockStart in stride(from: 0, to: anchorCount, by: blockRows) {
            let blockEnd = min(blockStart + blockRows, anchorCount)
            // A block of rows at a time, so the vector kernel's call is spread over many rows
            // and its output is read back from L1.
            if !screenLogits {
                configuration.scoreConversion.convertRows(
                    base + blockStart * columns, rows: blockEnd - blockStart, logitColumns: columns,
                    into: blockScores.baseAddress!)
            }
            if !screenLogits && !configuration.classAgnostic {
                FastVectorMath.maskGreater(
                    blockScores.baseAddress! + firstClassColumn, rows: blockEnd - blockStart, columns: classCount,
                    rowStride: columns, threshold: threshold, into: blockMasks.baseAddress!)
            }
            for anchor in blockStart..<blockEnd {
                if dropEmpty && !(decodedBoxes[anchor].area > 0) { continue }
                if screenLogits {
                    let row = base + anchor * columns + firstClassColumn
                    for classIndex in 0..<classCount where row[classIndex] >= lowestLogit {
                        let score = ScoreConversion.logistic(row[classIndex])
                        if score > threshold { file(score: score, anchor: anchor, inGroup: classIndex) }
                    }
                    continue
                }
                let scores = UnsafePointer(blockScores.baseAddress! + (anchor - blockStart) * columns + firstClassColumn)
                if configuration.classAgnostic {
                    var best = 0
                    for classIndex in 1..<classCount where scores[classIndex] > scores[best] {
                        best = classIndex
                    }
                    bestClasses[anchor] = Int32(best)
                    if scores[best] > threshold { file(score: scores[best], anchor: anchor, inGroup: 0) }
                    continue
                }
                // Only the scores above the threshold, by the set bits of the row's masks.
                let masks = blockMasks.baseAddress! + (anchor - blockStart) * maskWords
                for word in 0..<maskWords {
                    var bits = masks[word]
                    while bits != 0 {
                        let classIndex = word &* 64 &+ bits.trailingZeroBitCount
                        bits &= bits &- 1
                        file(score: scores[classIndex], anchor: anchor, inGroup: classIndex)
                    }
                }
            }
        }
    }

    @inline(__always)
    private func file(score: Float, anchor: Int, inGroup group: Int) {
        let count = candidateCounts[group]
        candidateKeys[group &* anchorCount &+ count] = CandidateKey.make(score: score, anchor: Int32(truncatingIfNeeded: anchor))
        candidateCounts[group] = count &+ 1
    }
}
