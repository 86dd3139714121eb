/// The canonical backbone names, used everywhere: CLI, configs, docs, fixtures.
public enum BackboneName: String, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    case squeezeNet1_0 = "squeezenet1.0"
    case squeezeNet1_1 = "squeezenet1.1"
    case mobileNetV1 = "mobilenetv1"
    case mobileNetV2 = "mobilenetv2"
    case mobileNetV3Small = "mobilenetv3-small"
    case mobileNetV3Large = "mobilenetv3-large"
    case shuffleNetV1 = "shufflenetv1"
    case shuffleNetV2 = "shufflenetv2"

    public var description: String { rawValue }

    /// Parses a canonical name; the error lists the valid ones.
    package init(validating name: String) throws(BackboneError) {
        guard let value = BackboneName(rawValue: name.lowercased()) else {
            throw .unknownName(name, valid: BackboneName.allCases.map(\.rawValue))
        }
        self = value
    }

    /// Where the definition comes from.
    package var reference: String {
        switch self {
        case .squeezeNet1_0: return "torchvision squeezenet1_0 (Iandola et al. 2016)"
        case .squeezeNet1_1: return "torchvision squeezenet1_1"
        case .mobileNetV1: return "Howard et al. 2017 (reference module in Tools/reference)"
        case .mobileNetV2: return "torchvision mobilenet_v2 (Sandler et al. 2018)"
        case .mobileNetV3Small: return "torchvision mobilenet_v3_small (Howard et al. 2019)"
        case .mobileNetV3Large: return "torchvision mobilenet_v3_large (Howard et al. 2019)"
        case .shuffleNetV1: return "Zhang et al. 2017 (reference module in Tools/reference)"
        case .shuffleNetV2: return "torchvision shufflenet_v2 (Ma et al. 2018)"
        }
    }
}
