import LiteDetectKernels
import LiteDetectNN

/// The layers added on top of the backbone and the conventions they follow.
package struct NetworkConfig: Sendable, Equatable, Decodable {
    package var padding: GraphBuilder.PaddingConvention
    package var extraLayers: [Int]
    package var extraBlock: SSDExtraBlockType
    /// Activation of the extra layers and of the SSDLite head's depthwise convolutions.
    package var extraActivation: Activation
    package var head: SSDHeadType
    /// Kernel of the `ssd` head's convolution (torchvision `SSDHead`: 3; Caffe MobileNet-SSD: 1).
    package var headKernel: Int
    package var headBatchNormEpsilon: Double
    package var batchNorm: GraphBuilder.BatchNormStorage

    enum CodingKeys: String, CodingKey, CaseIterable {
        case padding, head
        case extraLayers = "extra_layers"
        case extraBlock = "extra_block"
        case extraActivation = "extra_activation"
        case headKernel = "head_kernel"
        case headBatchNormEpsilon = "head_batch_norm_epsilon"
        case batchNorm = "batch_norm"
    }

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func choice<T>(_ key: CodingKeys, _ options: [(String, T)], default fallback: String) throws -> T {
            let value = try c.decodeIfPresent(String.self, forKey: key) ?? fallback
            guard let match = options.first(where: { $0.0 == value }) else {
                throw decoder.invalid(key, "'\(value)' is not one of \(options.map(\.0).joined(separator: ", "))")
            }
            return match.1
        }
        padding = try choice(.padding, [("pytorch", .pyTorch), ("tensorflow_same", .tensorFlowSame)], default: "pytorch")
        extraLayers = try c.decodeIfPresent([Int].self, forKey: .extraLayers) ?? [512, 256, 256, 128]
        guard extraLayers.allSatisfy({ $0 >= 2 && $0 % 2 == 0 && $0 <= 8192 }) else {
            throw decoder.invalid(CodingKeys.extraLayers, "channel counts must be even numbers in 2…8192")
        }
        extraBlock = try choice(.extraBlock, SSDExtraBlockType.allCases.map { ($0.rawValue, $0) }, default: "ssdlite")
        extraActivation = try choice(.extraActivation, [("relu6", .relu6), ("relu", .relu)], default: "relu6")
        head = try choice(.head, SSDHeadType.allCases.map { ($0.rawValue, $0) }, default: "ssdlite")
        headKernel = try c.decodeIfPresent(Int.self, forKey: .headKernel) ?? 3
        guard headKernel == 1 || headKernel == 3 else { throw decoder.invalid(CodingKeys.headKernel, "must be 1 or 3") }
        if head == .ssdLite && c.contains(.headKernel) {
            throw decoder.invalid(
                CodingKeys.headKernel, "applies to the 'ssd' head only (SSDLite's predictor is a 3×3 depthwise then a 1×1 convolution)")
        }
        headBatchNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .headBatchNormEpsilon) ?? 1e-3
        guard headBatchNormEpsilon > 0 && headBatchNormEpsilon < 1 else {
            throw decoder.invalid(CodingKeys.headBatchNormEpsilon, "must be a small positive number")
        }
        batchNorm = try choice(.batchNorm, [("separate", .separate), ("folded", .foldedIntoBias)], default: "separate")
    }
}
