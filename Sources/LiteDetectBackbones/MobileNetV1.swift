import LiteDetectKernels
import LiteDetectNN

/// MobileNet V1 (Howard et al. 2017, Table 1): a 3×3 stem and thirteen depthwise-separable
/// layers, ReLU as in the paper, channels scaled by the width multiplier α (rounded to a
/// multiple of 8). torchvision has no V1; the reference module is `Tools/reference`'s.
enum MobileNetV1 {
    /// (output channels, stride) of `features.1` … `features.13`.
    static let layers: [(channels: Int, stride: Int)] = [
        (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
    ]
    /// `features.11` ends the stride-16 stage; `features.13` is the final stride-32 map.
    static let stride16Index = 11

    static func build(_ config: BackboneConfiguration, on g: GraphBuilder, input: Value, keys: KeyPrefix, classes: Int?) throws -> BackboneFeatures {
        func scaled(_ channels: Int) -> Int { makeDivisible(Double(channels) * config.width, 8) }
        var x = try g.convBNAct(input, outputChannels: scaled(32), kernel: 3, stride: 2, activation: .relu, at: keys("features.0"))
        var stride16 = x
        for (i, layer) in layers.enumerated() {
            x = try g.depthwiseSeparable(
                x, outputChannels: scaled(layer.channels), stride: layer.stride, activation: .relu, at: keys("features.\(i + 1)"))
            if i + 1 == stride16Index { stride16 = x }
        }
        let logits = try classes.map {
            try g.linear(g.globalAveragePool(x), outputs: $0, weight: keys("classifier.weight"), bias: keys("classifier.bias"))
        }
        return BackboneFeatures(stride16: stride16, stride32: x, logits: logits)
    }
}
