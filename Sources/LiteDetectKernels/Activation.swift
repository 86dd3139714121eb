/// The element-wise non-linearities the lightweight backbones use, fused into the
/// operation that produces a value (a convolution, an add) rather than run as separate passes.
package enum Activation: String, Sendable, Hashable, CaseIterable {
    case identity
    case relu
    /// `min(max(x, 0), 6)` — MobileNet V2 (Sandler et al. 2018).
    case relu6
    /// `x · relu6(x + 3) / 6` — MobileNet V3 (Howard et al. 2019).
    case hardSwish
    /// `relu6(x + 3) / 6` — the gate of MobileNet V3's squeeze-and-excitation.
    case hardSigmoid

    @inlinable
    package func apply(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        case .hardSwish: return x * (min(max(x + 3, 0), 6) * (1 / 6 as Float))
        case .hardSigmoid: return min(max(x + 3, 0), 6) * (1 / 6 as Float)
        }
    }
}
