extension PostprocessBuffers {
    /// Step 2: converts the logits anchor by anchor and files every score above the threshold
    /// as a `CandidateKey` under its group, in anchor order — one pass over the logits, in their
    /// own (anchor-major) order, with no class-major score matrix in between.
    ///
    /// Sigmoid scores are screened on their logits first (`ScoreConversion.lowestLogitPassing`),
    /// so `exp` runs only where the score may pass. Softmax needs every exponential for its
    /// denominator, so it converts whole rows. Class-agnostic mode files each anchor's best class
    /// (first maximum on ties, as `tf.argmax`) in the single group.
    func gatherCandidates(logits: UnsafeBufferPointer<Float>, configuration: PostprocessConfiguration) {
        candidateCounts.update(repeating: 0)
        let columns = configuration.logitColumns
        let threshold = configuration.scoreThreshold
        let dropEmpty = configuration.clipping == .beforeSuppressionDroppingEmpty
        let screenLogits = configuration.scoreConversion == .sigmoid && !configuration.classAgnostic
        let lowestLogit = ScoreConversion.lowestLogitPassing(scoreThreshold: threshold)
        let firstClassColumn = configuration.hasBackgroundColumn ? 1 : 0
        let base = logits.baseAddress!
        for anchor in 0..<anchorCount {
            if dropEmpty && !(decodedBoxes[anchor].area > 0) { continue }
            let row = base + anchor * columns
            if screenLogits {
                for classIndex in 0..<rowScores.count where row[firstClassColumn + classIndex] >= lowestLogit {
                    let score = ScoreConversion.logistic(row[firstClassColumn + classIndex])
                    if score > threshold { file(score: score, anchor: anchor, inGroup: classIndex) }
                }
                continue
            }
            configuration.scoreConversion.convertRow(
                row, logitColumns: columns, hasBackgroundColumn: configuration.hasBackgroundColumn,
                into: rowScores.baseAddress!)
            if configuration.classAgnostic {
                var best = 0
                for classIndex in 1..<rowScores.count where rowScores[classIndex] > rowScores[best] {
                    best = classIndex
                }
                bestClasses[anchor] = Int32(best)
                if rowScores[best] > threshold { file(score: rowScores[best], anchor: anchor, inGroup: 0) }
                continue
            }
            // Most scores of a row fail or pass unpredictably: every key is written, and only the
            // passing ones are counted (the next key of the class overwrites a failed one).
            for classIndex in 0..<rowScores.count {
                let score = rowScores[classIndex]
                let count = candidateCounts[classIndex]
                candidateKeys[classIndex &* anchorCount &+ count] = CandidateKey.make(score: score, anchor: Int32(truncatingIfNeeded: anchor))
                candidateCounts[classIndex] = count &+ (score > threshold ? 1 : 0)
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
