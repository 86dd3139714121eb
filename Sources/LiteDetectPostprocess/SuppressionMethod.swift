import Foundation

/// How a selected box affects the remaining, overlapping candidates.
///
/// All methods are greedy: the highest-scoring remaining candidate (equal scores: lower index
/// first) is selected, then it acts on the rest. IoU is `Box.intersectionOverUnion(with:)`, so
/// zero-area and inverted boxes never suppress or decay anything.
package enum SuppressionMethod: Sendable, Hashable {
    /// Classic NMS: discard every candidate with IoU **strictly greater** than `iouThreshold`
    /// (torchvision `nms`, TensorFlow `non_max_suppression`). The float32 IoU is compared in double
    /// precision, as torchvision compares it with a Python float; to reproduce TensorFlow's float32
    /// comparison pass `Double(Float(threshold))` (the `tensorFlowSSD` preset does).
    case hard(iouThreshold: Double)
    /// Linear soft-NMS (Bodla et al. 2017): a candidate with IoU > `iouThreshold` keeps its
    /// score times `1 - IoU`.
    case linear(iouThreshold: Double)
    /// Gaussian soft-NMS (Bodla et al. 2017): every candidate's score is multiplied by
    /// `exp(-IoU² / sigma)`. TensorFlow's `soft_nms_sigma` means `exp(-0.5 · IoU² / soft_nms_sigma)`,
    /// i.e. `sigma = 2 · soft_nms_sigma`.
    case gaussian(sigma: Float)

    /// The factor a candidate's score is multiplied by for one selected box at this IoU
    /// (0 means hard suppression).
    @inline(__always)
    func decay(forOverlap iou: Float) -> Float {
        switch self {
        case let .hard(threshold):
            return Double(iou) > threshold ? 0 : 1
        case let .linear(threshold):
            return Double(iou) > threshold ? 1 - iou : 1
        case let .gaussian(sigma):
            return expf(-(iou * iou) / sigma)
        }
    }

    /// Hard NMS never re-queues a candidate, so it needs no heap.
    var isHard: Bool {
        if case .hard = self { return true }
        return false
    }

    /// The smallest float32 IoU that counts as "greater than `threshold`" (a double): comparing a
    /// float32 IoU `>=` this is the same as comparing its double value `>` the threshold.
    static func smallestFloatAbove(_ threshold: Double) -> Float {
        let nearest = Float(threshold)
        return Double(nearest) > threshold ? nearest : nearest.nextUp
    }

    func validate(field: String) throws(PostprocessError) {
        switch self {
        case let .hard(threshold), let .linear(threshold):
            guard threshold >= 0 && threshold <= 1 else {
                throw .invalidParameter(field: field, value: "IoU threshold \(threshold)", expected: "a value in [0, 1]")
            }
        case let .gaussian(sigma):
            guard sigma > 0 && sigma.isFinite else {
                throw .invalidParameter(field: field, value: "sigma \(sigma)", expected: "a finite value > 0")
            }
        }
    }
}
