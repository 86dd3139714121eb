import Foundation
import LiteDetectKernels

/// How a head's raw class logits become per-class scores.
///
/// A head emits `logitColumns` numbers per anchor. With a background column (column 0: torchvision,
/// TensorFlow SSD, Caffe/pytorch-ssd), it is used for the conversion and then dropped, so
/// foreground class `c` (0-based) reads column `c + 1`.
package enum ScoreConversion: Sendable, Hashable {
    /// Softmax over all columns of an anchor, background included (torchvision `F.softmax(dim=-1)`,
    /// pytorch-ssd). Computed as `exp(x - max) / Σ exp(x - max)`, which cannot overflow.
    case softmax
    /// Independent logistic per column (TensorFlow `score_converter: SIGMOID`), computed as
    /// `1 / (1 + exp(-x))` for `x ≥ 0` and `exp(x) / (1 + exp(x))` otherwise, so no `exp` overflows.
    case sigmoid

    /// Converts `rows` anchors' logits (`logitColumns` per row, rows adjacent) into scores in
    /// the same layout, every column included (a background column's score is computed and
    /// ignored). Softmax runs in `FastVectorMath`'s vector kernel, whose `exp` is within about
    /// 1 ulp of the exact value (not `expf` bit for bit). With `masks` (softmax only), also marks
    /// each score above `threshold` as a bit (`FastVectorMath.softmaxRows`' layout).
    func convertRows(
        _ logits: UnsafePointer<Float>, rows: Int, logitColumns: Int, into scores: UnsafeMutablePointer<Float>,
        masksAbove threshold: Float = .infinity, masks: UnsafeMutablePointer<UInt64>? = nil
    ) {
        switch self {
        case .softmax:
            FastVectorMath.softmaxRows(
                logits, rows: rows, columns: logitColumns, inputRowStride: logitColumns, into: scores,
                outputRowStride: logitColumns, masksAbove: threshold, masks: masks)
        case .sigmoid:
            // Sigmoid candidates are screened on their logits instead (`lowestLogitPassing`).
            precondition(masks == nil, "sigmoid conversion marks no scores")
            for index in 0..<(rows * logitColumns) { scores[index] = Self.logistic(logits[index]) }
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
