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

    /// Converts the logits of `anchorCount` anchors (`[anchorCount × logitColumns]`, anchor-major)
    /// into foreground scores stored class-major (`scores[class · anchorCount + anchor]`), the
    /// layout the per-class selection reads contiguously.
    ///
    /// - Precondition: `logits.count == anchorCount · logitColumns`,
    ///   `scores.count >= anchorCount · (logitColumns - backgroundColumns)`.
    func convert(
        logits: UnsafeBufferPointer<Float>, anchorCount: Int, logitColumns: Int, hasBackgroundColumn: Bool,
        into scores: UnsafeMutableBufferPointer<Float>
    ) {
        let firstClassColumn = hasBackgroundColumn ? 1 : 0
        for anchor in 0..<anchorCount {
            let row = anchor * logitColumns
            switch self {
            case .softmax:
                var largest = -Float.infinity
                for column in 0..<logitColumns { largest = max(largest, logits[row + column]) }
                // Each exponential is computed once: foreground ones are parked in their output
                // slots, then rescaled by the reciprocal of the full sum.
                var sum: Float = hasBackgroundColumn ? expf(logits[row] - largest) : 0
                for column in firstClassColumn..<logitColumns {
                    let exponential = expf(logits[row + column] - largest)
                    scores[(column - firstClassColumn) * anchorCount + anchor] = exponential
                    sum += exponential
                }
                let reciprocal = 1 / sum
                for column in firstClassColumn..<logitColumns {
                    scores[(column - firstClassColumn) * anchorCount + anchor] *= reciprocal
                }
            case .sigmoid:
                for column in firstClassColumn..<logitColumns {
                    scores[(column - firstClassColumn) * anchorCount + anchor] = Self.logistic(logits[row + column])
                }
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
