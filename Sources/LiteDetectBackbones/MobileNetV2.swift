import LiteDetectNN

/// MobileNet V2 (Sandler et al. 2018), as torchvision `mobilenet_v2`: inverted residuals with
/// linear bottlenecks and ReLU6.
enum MobileNetV2 {
    /// One row of the paper's Table 2: expansion t, channels c, repeats n, first stride s.
    struct Stage {
        let expansion: Int, channels: Int, repeats: Int, stride: Int
    }

    static let stages = [
        Stage(expansion: 1, channels: 16, repeats: 1, stride: 1),
        Stage(expansion: 6, channels: 24, repeats: 2, stride: 2),
        Stage(expansion: 6, channels: 32, repeats: 3, stride: 2),
        Stage(expansion: 6, channels: 64, repeats: 4, stride: 2),
        Stage(expansion: 6, channels: 96, repeats: 3, stride: 1),
        Stage(expansion: 6, channels: 160, repeats: 3, stride: 2),
        Stage(expansion: 6, channels: 320, repeats: 1, stride: 1),
    ]

    static func build(_ config: BackboneConfiguration, on g: GraphBuilder, input: Value, keys: KeyPrefix, classes: Int?) throws -> BackboneFeatures {
        var x = try g.convBNAct(
            input, outputChannels: makeDivisible(32 * config.width, 8), kernel: 3, stride: 2, activation: .relu6, at: keys("features.0"))
        var index = 1
        var totalStride = 2
        var stride16: Value?
        for stage in stages {
            let channels = makeDivisible(Double(stage.channels) * config.width, 8)
            for repeatIndex in 0..<stage.repeats {
                let stride = repeatIndex == 0 ? stage.stride : 1
                let inputChannels = g.shape(of: x).channels
                let expanded = Int((Double(inputChannels * stage.expansion)).rounded())
                let spec = InvertedResidualSpec(expandedChannels: expanded, outputChannels: channels, stride: stride, activation: .relu6)
                let block = try g.invertedResidual(x, spec, naming: .mobileNetV2, at: keys("features.\(index)"))
                if stride == 2 && totalStride == 16 { stride16 = block.expanded }
                totalStride *= stride
                x = block.output
                index += 1
            }
        }
        let lastChannels = makeDivisible(1280 * max(1, config.width), 8)
        x = try g.convBNAct(x, outputChannels: lastChannels, kernel: 1, activation: .relu6, at: keys("features.\(index)"))
        let logits = try classes.map {
            try g.linear(g.globalAveragePool(x), outputs: $0, weight: keys("classifier.1.weight"), bias: keys("classifier.1.bias"))
        }
        return BackboneFeatures(stride16: stride16!, stride32: x, logits: logits)
    }
}
