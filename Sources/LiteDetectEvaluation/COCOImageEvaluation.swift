/// pycocotools' `evaluateImg` for one image, one category and one area range: which of the
/// image's best detections match which ground truth at each IoU threshold.
///
/// Arrays indexed `[t * detectionCount + d]` hold IoU threshold `t` (of
/// `COCOEvaluationParameters.iouThresholds`) and detection `d` (highest score first).
struct COCOImageEvaluation: Sendable {
    /// The kept detections' scores, highest first, ties in the results file's order.
    var scores: [Double]
    /// Matched a ground truth (a crowd region included) at that threshold.
    var matched: [Bool]
    /// Neither a true nor a false positive at that threshold: matched to an ignored ground truth,
    /// or unmatched with an area outside the range.
    var ignored: [Bool]
    /// Ground truths that count: not crowd, area inside the range.
    var positives: Int

    /// - Parameters:
    ///   - detectionAreas: `width × height` of each kept detection, highest score first.
    ///   - groundTruths: the image's ground truth of the category, in the file's order.
    ///   - overlaps: `[d * groundTruths.count + g]`, `COCOBox.overlap(with:groundTruthIsCrowd:)`.
    init(
        scores: [Double], detectionAreas: [Double], groundTruths: [(area: Double, isCrowd: Bool)], overlaps: [Double],
        area range: ClosedRange<Double>
    ) {
        let thresholds = COCOEvaluationParameters.iouThresholds
        let detectionCount = scores.count, groundTruthCount = groundTruths.count
        let outOfRange = { (area: Double) in area < range.lowerBound || area > range.upperBound }
        let groundTruthIgnored = groundTruths.map { $0.isCrowd || outOfRange($0.area) }
        // Ignored ground truth goes last (a stable sort), so a detection prefers a counted match.
        let order = groundTruths.indices.filter { !groundTruthIgnored[$0] } + groundTruths.indices.filter { groundTruthIgnored[$0] }

        var matched = [Bool](repeating: false, count: thresholds.count * detectionCount)
        var ignored = matched
        var groundTruthTaken = [Bool](repeating: false, count: groundTruthCount)
        if detectionCount > 0 && groundTruthCount > 0 {
            for (t, threshold) in thresholds.enumerated() {
                for i in groundTruthTaken.indices { groundTruthTaken[i] = false }
                for d in 0..<detectionCount {
                    // Greedy, as pycocotools: the best remaining ground truth whose IoU reaches the
                    // threshold; on equal IoU the later one in `order` wins (`<` skips, `==` takes).
                    var best = min(threshold, 1 - 1e-10)
                    var match: Int? = nil
                    for (position, g) in order.enumerated() {
                        if groundTruthTaken[position] && !groundTruths[g].isCrowd { continue }
                        // Once matched to a counted ground truth, stop at the ignored ones.
                        if let m = match, !groundTruthIgnored[order[m]], groundTruthIgnored[g] { break }
                        let overlap = overlaps[d * groundTruthCount + g]
                        if overlap < best { continue }
                        best = overlap
                        match = position
                    }
                    guard let match else { continue }
                    ignored[t * detectionCount + d] = groundTruthIgnored[order[match]]
                    matched[t * detectionCount + d] = true
                    groundTruthTaken[match] = true
                }
            }
        }
        for d in 0..<detectionCount where outOfRange(detectionAreas[d]) {
            for t in thresholds.indices where !matched[t * detectionCount + d] { ignored[t * detectionCount + d] = true }
        }
        self.scores = scores
        self.matched = matched
        self.ignored = ignored
        self.positives = groundTruthIgnored.count { !$0 }
    }
}
