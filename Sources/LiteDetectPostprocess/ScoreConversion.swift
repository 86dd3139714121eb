import Foundation

/// How a head's raw class logits become per-class scores.
///
/// A head emits `logitColumns` numbers per anchor. With a background column (column 0: torchvision,
/// TensorFlow SSD, Caffe/pytorch-ssd), it is used for the conversion and then dropped, so
/// foreground class `c` (0-based) reads column `c + 1`.
public enum ScoreConversion: Sendable, Hashable {
    /// Softmax over all columns of an anchor, background included (torchvision `F.softmax(dim=-1)`,
    /// pytorch-ssd). Computed as `exp(x - max) / Σ exp(x - max)`, which cannot overflow.
    case softmax
    /// Independent logistic per column (TensorFlow `score_converter: SIGMOID`), computed as
    /// `1 / (1 + exp(-x))` for `x ≥ 0` and `exp(x) / (1 + exp(x))` otherwise, so no `exp` overflows.
    case sigmoid

    /// Converts one anchor's logits (`logitColumns` of them) into its foreground scores
    /// (`logitColumns - backgroundColumns` of them), in class order.
    @inline(__always)
    func convertRow(
        _ logits: UnsafePointer<Float>, logitColumns: Int, hasBackgroundColumn: Bool, into scores: UnsafeMutablePointer<Float>
    ) {
        let firstClassColumn = hasBackgroundColumn ? 1 : 0
        switch self {
        case .softmax:
            var largest = -Float.infinity
            for column in 0..<logitColumns { largest = max(largest, logits[column]) }
            // Each exponential is computed once: foreground ones are parked in their output
            // slots, then rescaled by the reciprocal of the full sum (summed in column order).
            var sum: Float = hasBackgroundColumn ? expf(logits[0] - largest) : 0
            for column in firstClassColumn..<logitColumns {
                let exponential = expf(logits[column] - largest)
                scores[column - firstClassColumn] = exponential
                sum += exponential
            }
            let reciprocal = 1 / sum
            for column in firstClassColumn..<logitColumns {
                scores[column - firstClassColumn] *= reciprocal
            }
        case .sigmoid:
            for column in firstClassColumn..<logitColumns {
                scores[column - firstClassColumn] = Self.logistic(logits[column])
            }
        }
    }

    @inlinable
    static func logistic(_ x: Float) -> Float {
        if x >= 0 {
            return 1 / (1 + expf(-x))
        }
        let e = expf(x)
        return e / (1 + e)
    }
}
