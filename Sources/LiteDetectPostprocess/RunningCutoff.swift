/// The bar `gatherCandidates` raises while filing, so that hard NMS files only its best
/// candidates: once `wanted` of them lie above a score level, nothing below that level can be
/// among the first `wanted` of the global selection order, and is left out.
///
/// Levels are the `CandidateKey` buckets of `scoreHistogram` (a key's top 16 bits: the score's
/// exponent and 7 mantissa bits, ~0.8 % steps; a lower bucket is a higher score). The bar only
/// ever rises, so each key is counted once and the bar moves down the buckets at most once
/// each: filing stays O(1) per candidate. What it guarantees: every candidate above the score
/// threshold whose bucket lies below `bucket` was filed (and counted in the histogram), so those
/// keys are a complete prefix of the global order, per group too — which is what
/// `selectFromBestKeys` needs. Whether candidates below the bar were left out is `isComplete`.
struct RunningCutoff {
    /// Every passing key in a bucket below this one was filed.
    private(set) var bucket: Int
    /// One past the bucket of the lowest score that passes the score threshold: where the
    /// histogram's used part ends.
    let endBucket: Int
    /// The highest score's bucket counted so far: where the histogram's used part starts.
    private(set) var firstBucket: Int
    /// Keys filed in buckets below `bucket`.
    private(set) var counted = 0
    /// How many of the best keys to keep (`Int.max` when not running).
    let wanted: Int

    init(scoreThreshold: Float, wanted: Int?) {
        // Scores are never negative, so below a negative threshold the first passing score is +0.
        let lowestPassing = scoreThreshold < 0 ? 0 : scoreThreshold.nextUp
        endBucket = CandidateKey.bucket(of: CandidateKey.make(score: lowestPassing, anchor: 0)) + 1
        bucket = endBucket
        firstBucket = endBucket
        precondition(wanted.map { $0 > 0 } ?? true, "a running cutoff keeps at least one key")
        self.wanted = wanted ?? .max
    }

    /// False: file everything above the score threshold (no histogram is kept).
    var isRunning: Bool { wanted != .max }

    /// True when no candidate above the score threshold was left out.
    var isComplete: Bool { bucket == endBucket }

    /// The score at or below which a candidate is left out (a screen for the threshold masks;
    /// `admit` decides exactly). `-infinity` while the bar has not risen.
    var scoreBar: Float {
        isComplete ? -.infinity : CandidateKey.highestScore(fromBucket: bucket)
    }

    /// Counts `key` and raises the bar as far as `wanted` allows; false when `key` is below the
    /// bar (not to be filed). Only while `isRunning`.
    @inline(__always)
    mutating func admit(_ key: UInt64, histogram: UnsafeMutableBufferPointer<UInt32>) -> Bool {
        let keyBucket = CandidateKey.bucket(of: key)
        guard keyBucket < bucket else { return false }
        histogram[keyBucket] &+= 1
        counted &+= 1
        firstBucket = min(firstBucket, keyBucket)
        // Raise the bar while the buckets above it still hold `wanted` keys.
        while counted &- Int(histogram[bucket &- 1]) >= wanted {
            bucket &-= 1
            counted &-= Int(histogram[bucket])
        }
        return true
    }

    /// Zeroes the histogram counts this filing made.
    func clear(_ histogram: UnsafeMutableBufferPointer<UInt32>) {
        guard isRunning, firstBucket < endBucket else { return }
        UnsafeMutableBufferPointer(rebasing: histogram[firstBucket..<endBucket]).update(repeating: 0)
    }
}
