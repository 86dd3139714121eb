/// A backbone and its size options. Options that do not apply to a family are ignored by it.
package struct BackboneConfiguration: Sendable, Hashable, Codable, CustomStringConvertible {
    package var name: BackboneName
    /// MobileNet width multiplier α: every layer's channels scaled, rounded to a multiple of 8.
    package var width: Double
    /// MobileNet V3: halve the channels of the last stage (torchvision `reduced_tail`, used by its SSDLite).
    package var reducedTail: Bool
    /// ShuffleNet V1 groups g ∈ {1, 2, 3, 4, 8}.
    package var groups: Int
    /// ShuffleNet V1 scale (any positive) or ShuffleNet V2 scale ∈ {0.5, 1, 1.5, 2}.
    package var scale: Double
    /// BatchNorm epsilon, when it differs from the family's reference definition (TF models use 1e-3).
    package var batchNormEpsilonOverride: Double?

    package init(
        _ name: BackboneName, width: Double = 1, reducedTail: Bool = false, groups: Int = 3, scale: Double = 1,
        batchNormEpsilon: Double? = nil
    ) {
        self.name = name
        self.width = width
        self.reducedTail = reducedTail
        self.groups = groups
        self.scale = scale
        self.batchNormEpsilonOverride = batchNormEpsilon
    }

    package var description: String {
        switch name {
        case .squeezeNet1_0, .squeezeNet1_1: return name.rawValue
        case .mobileNetV1, .mobileNetV2: return "\(name) α=\(width)"
        case .mobileNetV3Small, .mobileNetV3Large: return "\(name) α=\(width)\(reducedTail ? " reduced-tail" : "")"
        case .shuffleNetV1: return "\(name) g=\(groups) ×\(scale)"
        case .shuffleNetV2: return "\(name) ×\(scale)"
        }
    }

    /// BatchNorm epsilon used when folding: the override, else the family's reference value.
    package var batchNormEpsilon: Double {
        if let batchNormEpsilonOverride { return batchNormEpsilonOverride }
        switch name {
        case .mobileNetV3Small, .mobileNetV3Large: return 1e-3
        default: return 1e-5
        }
    }

    package func validate() throws(BackboneError) {
        func invalid(_ option: String, _ value: String, _ expected: String) -> BackboneError {
            .invalidOption(backbone: name, option: option, value: value, expected: expected)
        }
        if let eps = batchNormEpsilonOverride, !(eps.isFinite && eps > 0 && eps < 1) {
            throw invalid("batch_norm_epsilon", "\(eps)", "a small positive number such as 1e-5 or 1e-3")
        }
        switch name {
        case .squeezeNet1_0, .squeezeNet1_1: break
        case .mobileNetV1, .mobileNetV2, .mobileNetV3Small, .mobileNetV3Large:
            guard width.isFinite && width > 0 && width <= 4 else {
                throw invalid("width", "\(width)", "a multiplier in (0, 4], e.g. 0.25, 0.5, 0.75, 1.0")
            }
        case .shuffleNetV1:
            guard [1, 2, 3, 4, 8].contains(groups) else { throw invalid("groups", "\(groups)", "one of 1, 2, 3, 4, 8") }
            guard scale.isFinite && scale > 0 && scale <= 4 else {
                throw invalid("scale", "\(scale)", "a multiplier in (0, 4], e.g. 0.5, 1.0, 1.5, 2.0")
            }
            // Each stage opens with a unit that concatenates its input with a new branch, so every
            // stage must be wider than the one before (the stem gives 24 channels).
            let widths = [ShuffleNetV1.stemChannels] + ShuffleNetV1.stageChannels[groups]!.map { makeDivisible(Double($0) * scale, 4 * groups) }
            guard zip(widths, widths.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw invalid(
                    "scale", "\(scale)",
                    "a multiplier large enough that every stage widens; at g=\(groups) it gives stage widths \(widths.map(String.init).joined(separator: " → "))"
                )
            }
        case .shuffleNetV2:
            guard [0.5, 1, 1.5, 2].contains(scale) else { throw invalid("scale", "\(scale)", "one of 0.5, 1.0, 1.5, 2.0") }
        }
    }
}

/// torchvision's `_make_divisible`: round `value` to the nearest multiple of `divisor`, never
/// below `divisor` and never more than 10% below `value`.
func makeDivisible(_ value: Double, _ divisor: Int) -> Int {
    var rounded = max(divisor, Int(value + Double(divisor) / 2) / divisor * divisor)
    if Double(rounded) < 0.9 * value { rounded += divisor }
    return rounded
}
