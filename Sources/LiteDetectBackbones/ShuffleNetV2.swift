import LiteDetectKernels
import LiteDetectNN

/// ShuffleNet V2 (Ma et al. 2018), as torchvision `shufflenet_v2_x0_5/x1_0/x1_5/x2_0`: channel
/// split, a branch with equal input/output widths, concat and shuffle.
enum ShuffleNetV2 {
    /// Output channels of stages 2–4 and of `conv5`, by scale (torchvision's table).
    static let channelsByScale: [Double: [Int]] = [
        0.5: [48, 96, 192, 1024], 1.0: [116, 232, 464, 1024], 1.5: [176, 352, 704, 1024], 2.0: [244, 488, 976, 2048],
    ]
    static let repeats = [4, 8, 4]
    static let stemChannels = 24

    static func build(_ config: BackboneConfiguration, on g: GraphBuilder, input: Value, keys: KeyPrefix, classes: Int?) throws -> BackboneFeatures {
        let channels = channelsByScale[config.scale]!
        var x = try g.convBNAct(input, outputChannels: stemChannels, kernel: 3, stride: 2, activation: .relu, at: keys("conv1"))
        x = try g.maxPool(x, kernel: 3, stride: 2, padding: .symmetric(1))
        var stride16 = x
        for stage in 0..<3 {
            for unit in 0..<repeats[stage] {
                x = try g.shuffleUnitV2(x, outputChannels: channels[stage], stride: unit == 0 ? 2 : 1, at: keys("stage\(stage + 2).\(unit)"))
            }
            if stage == 1 { stride16 = x }
        }
        x = try g.convBNAct(x, outputChannels: channels[3], kernel: 1, activation: .relu, at: keys("conv5"))
        let logits = try classes.map {
            try g.linear(g.globalAveragePool(x), outputs: $0, weight: keys("fc.weight"), bias: keys("fc.bias"))
        }
        return BackboneFeatures(stride16: stride16, stride32: x, logits: logits)
    }
}
