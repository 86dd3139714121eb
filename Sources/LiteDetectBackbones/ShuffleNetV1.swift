import LiteDetectKernels
import LiteDetectNN

/// ShuffleNet V1 (Zhang et al. 2017, Table 1): a 3×3 stem and max pool, then three stages of
/// ShuffleNet units (4, 8, 4 of them, each stage opening at stride 2). torchvision has no V1;
/// the reference module is `Tools/reference`'s.
enum ShuffleNetV1 {
    /// Table 1's output channels of stages 2–4 at scale 1, by group count.
    static let stageChannels: [Int: [Int]] = [
        1: [144, 288, 576], 2: [200, 400, 800], 3: [240, 480, 960], 4: [272, 544, 1088], 8: [384, 768, 1536],
    ]
    static let repeats = [4, 8, 4]
    static let stemChannels = 24

    static func build(_ config: BackboneConfiguration, on g: GraphBuilder, input: Value, keys: KeyPrefix, classes: Int?) throws -> BackboneFeatures {
        let groups = config.groups
        var x = try g.convBNAct(input, outputChannels: stemChannels, kernel: 3, stride: 2, activation: .relu, at: keys("conv1"))
        x = try g.maxPool(x, kernel: 3, stride: 2, padding: .symmetric(1))
        var stageOutputs: [Value] = []
        for (stage, baseChannels) in stageChannels[groups]!.enumerated() {
            // Scaled widths stay multiples of 4g so the bottleneck (a quarter) splits into g groups.
            let channels = makeDivisible(Double(baseChannels) * config.scale, 4 * groups)
            for unit in 0..<repeats[stage] {
                let firstOfNetwork = stage == 0 && unit == 0
                x = try g.shuffleUnitV1(
                    x, outputChannels: channels, groups: groups, compressGroups: firstOfNetwork ? 1 : groups,
                    stride: unit == 0 ? 2 : 1, at: keys("stage\(stage + 2).\(unit)"))
            }
            stageOutputs.append(x)
        }
        let logits = try classes.map {
            try g.linear(g.globalAveragePool(x), outputs: $0, weight: keys("fc.weight"), bias: keys("fc.bias"))
        }
        return BackboneFeatures(stride16: stageOutputs[1], stride32: stageOutputs[2], logits: logits)
    }
}
