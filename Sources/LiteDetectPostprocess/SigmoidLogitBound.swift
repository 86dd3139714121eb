import Foundation

extension ScoreConversion {
    /// A logit below which `logistic` never exceeds `scoreThreshold`, so that sigmoid candidates
    /// can be screened on their logits and `exp` runs only for the ones that may pass.
    ///
    /// The logistic is monotonic, so `score > t ⇔ logit > log(t / (1 - t))` in exact arithmetic;
    /// the computed score can be off by a few units in the last place, so the bound is taken for a
    /// threshold lowered by 1e-5 relative (`logistic` is within 1e-6 relative of the exact value
    /// while `exp`'s result is a normal float). It only screens: a logit at or above it still gets
    /// its exact score compared with the threshold, so results are unchanged.
    ///
    /// - Returns: `-infinity` (screen nothing) when the threshold is below 1e-30, where `exp`
    ///   approaches subnormal results and loses relative accuracy — including 0 and negative
    ///   thresholds; `+infinity` for thresholds of 1 and more, which no score exceeds.
    package static func lowestLogitPassing(scoreThreshold: Float) -> Float {
        guard scoreThreshold < 1 else { return .infinity }
        guard Double(scoreThreshold) >= 1e-30 else { return -.infinity }
        let lowered = Double(scoreThreshold) * (1 - 1e-5)
        let logit = log(lowered / (1 - lowered))
        // Float(_:) rounds to nearest; step down when that rounded up.
        let rounded = Float(logit)
        return Double(rounded) > logit ? rounded.nextDown : rounded
    }
}
