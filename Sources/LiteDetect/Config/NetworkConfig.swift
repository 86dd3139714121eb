import LiteDetectNN

/// The layers added on top of the backbone and the conventions they follow.
public struct NetworkConfig: Sendable, Equatable, Decodable {
    public var padding: GraphBuilder.PaddingConvention
    public var extraLayers: [Int]
    public var head: SSDHeadType
    public var headBatchNormEpsilon: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case padding, head
        case extraLayers = "extra_layers"
        case headBatchNormEpsilon = "head_batch_norm_epsilon"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decodeIfPresent(String.self, forKey: .padding) ?? "pytorch" {
        case "pytorch": padding = .pyTorch
        case "tensorflow_same": padding = .tensorFlowSame
        case let other: throw decoder.invalid(CodingKeys.padding, "'\(other)' is not one of pytorch, tensorflow_same")
        }
        extraLayers = try c.decodeIfPresent([Int].self, forKey: .extraLayers) ?? [512, 256, 256, 128]
        guard extraLayers.allSatisfy({ $0 >= 2 && $0 % 2 == 0 && $0 <= 8192 }) else {
            throw decoder.invalid(CodingKeys.extraLayers, "channel counts must be even numbers in 2…8192")
        }
        let headName = try c.decodeIfPresent(String.self, forKey: .head) ?? "ssdlite"
        guard let head = SSDHeadType(rawValue: headName) else {
            throw decoder.invalid(CodingKeys.head, "'\(headName)' is not one of \(SSDHeadType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.head = head
        headBatchNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .headBatchNormEpsilon) ?? 1e-3
        guard headBatchNormEpsilon > 0 && headBatchNormEpsilon < 1 else {
            throw decoder.invalid(CodingKeys.headBatchNormEpsilon, "must be a small positive number")
        }
    }
}
