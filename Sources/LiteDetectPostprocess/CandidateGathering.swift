import LiteDetectKernels

extension PostprocessBuffers {
    /// Step 2: converts the logits anchor by anchor and files every score above the threshold
    /// as a `CandidateKey` under its group, in anchor order — one pass over the logits, in their
    /// own (anchor-major) order, with no class-major score matrix in between.
    ///
    /// Sigmoid scores are screened on their logits first (`ScoreConversion.lowestLogitPassing`),
    /// so `exp` runs only where the score may pass. Softmax needs every exponential for its
    /// denominator, so it converts whole rows, a block of them per call of the vector kernel,
    /// which also marks the scores above the threshold so that filing visits only those.
    /// Class-agnostic mode files each anchor's best class (first maximum on ties, as
    /// `tf.argmax`) in the single group.
    ///
    /// With `bestOnly` (hard NMS), a `RunningCutoff` raises a bar as candidates arrive, to the
    /// level of the best 4 · `maxDetections` so far; each block's threshold mask is taken at the
    /// bar, so what lies below it is never visited or filed. At a score threshold of 0.01 with 90
    /// classes and random weights, most of the ~50,000 candidates above the threshold lie below.
    func gatherCandidates(
        levels: UnsafeBufferPointer<HeadOutputLevel>, configuration: PostprocessConfiguration, bestOnly: Bool
    ) -> RunningCutoff {
        candidateCounts.update(repeating: 0)
        let columns = configuration.logitColumns
        let dropEmpty = configuration.clipping == .beforeSuppressionDroppingEmpty
        let screenLogits = configuration.scoreConversion == .sigmoid && !configuration.classAgnostic
        var cutoff = RunningCutoff(
            scoreThreshold: configuration.scoreThreshold,
            wanted: bestOnly ? min(4 * configuration.maxDetections, bestKeys.count) : nil)
        let firstClassColumn = configuration.hasBackgroundColumn ? 1 : 0
        let classCount = columns - firstClassColumn
        let blockRows = blockScores.count / columns
        let maskWords = FastVectorMath.maskWords(columns: columns)
        let backgroundBit: UInt64 = configuration.hasBackgroundColumn ? 1 : 0
        var levelStart = 0
        for level in levels {
            let levelEnd = levelStart + level.anchorCount
            // Blocks stay within a level: each level's rows lie where the network wrote them.
            for blockStart in stride(from: levelStart, to: levelEnd, by: blockRows) {
                let blockEnd = min(blockStart + blockRows, levelEnd)
                let blockLogits = level.classLogits + (blockStart - levelStart) * columns
                // Scores at or below the bar can no longer be among the best; `file` re-checks each key.
                let threshold = max(configuration.scoreThreshold, cutoff.scoreBar)
                let lowestLogit = screenLogits ? ScoreConversion.lowestLogitPassing(scoreThreshold: threshold) : 0
                // A block of rows at a time, so the vector kernel's call is spread over many rows
                // and its output is read back from L1.
                if !screenLogits {
                    // Class-aware, the scores above the threshold are marked as they are written.
                    configuration.scoreConversion.convertRows(
                        blockLogits, rows: blockEnd - blockStart, logitColumns: columns, into: blockScores.baseAddress!,
                        masksAbove: threshold, masks: configuration.classAgnostic ? nil : blockMasks.baseAddress!)
                }
                for anchor in blockStart..<blockEnd {
                    if dropEmpty && !(decodedBoxes[anchor].area > 0) { continue }
                    if screenLogits {
                        let row = blockLogits + (anchor - blockStart) * columns + firstClassColumn
                        for classIndex in 0..<classCount where row[classIndex] >= lowestLogit {
                            let score = ScoreConversion.logistic(row[classIndex])
                            if score > threshold { file(score: score, anchor: anchor, inGroup: classIndex, cutoff: &cutoff) }
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
                        if scores[best] > threshold { file(score: scores[best], anchor: anchor, inGroup: 0, cutoff: &cutoff) }
                        continue
                    }
                    // Only the scores above the threshold, by the set bits of the row's masks (one
                    // bit per column: the background's, if any, is bit 0 and skipped).
                    let masks = blockMasks.baseAddress! + (anchor - blockStart) * maskWords
                    for word in 0..<maskWords {
                        var bits = word == 0 ? masks[0] & ~backgroundBit : masks[word]
                        while bits != 0 {
                            let classIndex = word &* 64 &+ bits.trailingZeroBitCount &- firstClassColumn
                            bits &= bits &- 1
                            file(score: scores[classIndex], anchor: anchor, inGroup: classIndex, cutoff: &cutoff)
                        }
                    }
                }
            }
            levelStart = levelEnd
        }
        return cutoff
    }

    @inline(__always)
    private func file(score: Float, anchor: Int, inGroup group: Int, cutoff: inout RunningCutoff) {
        let key = CandidateKey.make(score: score, anchor: Int32(truncatingIfNeeded: anchor))
        if cutoff.isRunning && !cutoff.admit(key, histogram: scoreHistogram) { return }
        let count = candidateCounts[group]
        candidateKeys[group &* anchorCount &+ count] = key
        candidateCounts[group] = count &+ 1
    }
}
