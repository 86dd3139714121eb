import LiteDetectKernels
import LiteDetectNN

/// MobileNet V3 small and large (Howard et al. 2019), as torchvision `mobilenet_v3_small/large`:
/// inverted residuals with optional squeeze-and-excitation, ReLU or hard-swish.
enum MobileNetV3 {
    /// One row of the paper's Tables 1/2 (channels before the width multiplier).
    struct Block {
        let kernel: Int, expanded: Int, output: Int, squeezeExcite: Bool, activation: Activation, stride: Int
        /// Whether `reduced_tail` halves this block's channels (the last stage).
        let inTail: Bool
    }

    private static func b(_ k: Int, _ exp: Int, _ out: Int, _ se: Bool, _ act: Activation, _ s: Int, tail: Bool = false) -> Block {
        Block(kernel: k, expanded: exp, output: out, squeezeExcite: se, activation: act, stride: s, inTail: tail)
    }

    static let large: [Block] = [
        b(3, 16, 16, false, .relu, 1), b(3, 64, 24, false, .relu, 2), b(3, 72, 24, false, .relu, 1),
        b(5, 72, 40, true, .relu, 2), b(5, 120, 40, true, .relu, 1), b(5, 120, 40, true, .relu, 1),
        b(3, 240, 80, false, .hardSwish, 2), b(3, 200, 80, false, .hardSwish, 1), b(3, 184, 80, false, .hardSwish, 1),
        b(3, 184, 80, false, .hardSwish, 1), b(3, 480, 112, true, .hardSwish, 1), b(3, 672, 112, true, .hardSwish, 1),
        // The stride-32 stage: its first expansion (672, not reduced) is SSDLite's stride-16 tap.
        Block(kernel: 5, expanded: 672, output: 160, squeezeExcite: true, activation: .hardSwish, stride: 2, inTail: true),
        b(5, 960, 160, true, .hardSwish, 1, tail: true), b(5, 960, 160, true, .hardSwish, 1, tail: true),
    ]

    static let small: [Block] = [
        b(3, 16, 16, true, .relu, 2), b(3, 72, 24, false, .relu, 2), b(3, 88, 24, false, .relu, 1),
        b(5, 96, 40, true, .hardSwish, 2), b(5, 240, 40, true, .hardSwish, 1), b(5, 240, 40, true, .hardSwish, 1),
        b(5, 120, 48, true, .hardSwish, 1), b(5, 144, 48, true, .hardSwish, 1),
        Block(kernel: 5, expanded: 288, output: 96, squeezeExcite: true, activation: .hardSwish, stride: 2, inTail: true),
        b(5, 576, 96, true, .hardSwish, 1, tail: true), b(5, 576, 96, true, .hardSwish, 1, tail: true),
    ]

    static func build(_ config: BackboneConfiguration, on g: GraphBuilder, input: Value, keys: KeyPrefix, classes: Int?) throws -> BackboneFeatures {
        let isLarge = config.name == .mobileNetV3Large
        let blocks = isLarge ? large : small
        let divider = config.reducedTail ? 2 : 1
        func adjust(_ channels: Int) -> Int { makeDivisible(Double(channels) * config.width, 8) }

        var x = try g.convBNAct(input, outputChannels: adjust(16), kernel: 3, stride: 2, activation: .hardSwish, at: keys("features.0"))
        var totalStride = 2
        var stride16: Value?
        for (i, block) in blocks.enumerated() {
            // torchvision divides the tail's *output* channels, and the expansion of every block after the first tail block.
            let expanded = block.inTail && block.stride == 1 ? block.expanded / divider : block.expanded
            let output = block.inTail ? block.output / divider : block.output
            let expandedChannels = adjust(expanded)
            let spec = InvertedResidualSpec(
                expandedChannels: expandedChannels, outputChannels: adjust(output), kernel: block.kernel, stride: block.stride,
                squeezeChannels: block.squeezeExcite ? makeDivisible(Double(expandedChannels / 4), 8) : nil, activation: block.activation)
            let result = try g.invertedResidual(x, spec, naming: .mobileNetV3, at: keys("features.\(i + 1)"))
            if block.stride == 2 && totalStride == 16 { stride16 = result.expanded }
            totalStride *= block.stride
            x = result.output
        }
        let lastConv = 6 * g.shape(of: x).channels
        x = try g.convBNAct(x, outputChannels: lastConv, kernel: 1, activation: .hardSwish, at: keys("features.\(blocks.count + 1)"))
        let logits = try classes.map { classes -> Value in
            let hidden = adjust((isLarge ? 1280 : 1024) / divider)
            let pooled = g.globalAveragePool(x)
            let h = try g.linear(
                pooled, outputs: hidden, activation: .hardSwish, weight: keys("classifier.0.weight"), bias: keys("classifier.0.bias"))
            return try g.linear(h, outputs: classes, weight: keys("classifier.3.weight"), bias: keys("classifier.3.bias"))
        }
        // The stride-16 tap is the expansion of the first stride-32 block; at a tiny width the
        // expansion rounds to the block's input channels and torchvision drops that layer.
        guard let stride16 else {
            throw BackboneError.invalidOption(
                backbone: config.name, option: "width", value: "\(config.width)",
                expected: "a multiplier large enough that the first stride-32 block expands its channels (its expansion is the stride-16 feature tap)"
            )
        }
        return BackboneFeatures(stride16: stride16, stride32: x, logits: logits)
    }
}
