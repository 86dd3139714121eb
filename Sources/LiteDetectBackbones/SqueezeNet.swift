import LiteDetectKernels
import LiteDetectNN

/// SqueezeNet 1.0 and 1.1 (Iandola et al. 2016), as torchvision `squeezenet1_0/1_1`: a stem
/// convolution, ceil-mode max pools and Fire modules; biases, no BatchNorm.
///
/// SqueezeNet ends at stride 16, but an SSD head wants a stride-32 map too. Like SqueezeNet-SSD
/// designs, we add one more downsampling stage: a 3×3/2 ceil-mode max pool and a
/// `Fire(64, 256, 256)` (512 channels, the width of the last stage), keyed `stride32.*`. It has
/// no ImageNet weights; it is trained with the detector.
enum SqueezeNet {
    /// One entry of torchvision's `features` Sequential, at its index there (ReLUs take indices too).
    enum Layer {
        case stem(channels: Int, kernel: Int)
        case maxPool
        case fire(FireSpec)
    }

    private static func fire(_ s: Int, _ e: Int) -> Layer { .fire(FireSpec(squeeze: s, expand1x1: e, expand3x3: e)) }

    static let version1_0: [(index: Int, layer: Layer)] = [
        (0, .stem(channels: 96, kernel: 7)), (2, .maxPool), (3, fire(16, 64)), (4, fire(16, 64)), (5, fire(32, 128)),
        (6, .maxPool), (7, fire(32, 128)), (8, fire(48, 192)), (9, fire(48, 192)), (10, fire(64, 256)),
        (11, .maxPool), (12, fire(64, 256)),
    ]

    static let version1_1: [(index: Int, layer: Layer)] = [
        (0, .stem(channels: 64, kernel: 3)), (2, .maxPool), (3, fire(16, 64)), (4, fire(16, 64)),
        (5, .maxPool), (6, fire(32, 128)), (7, fire(32, 128)),
        (8, .maxPool), (9, fire(48, 192)), (10, fire(48, 192)), (11, fire(64, 256)), (12, fire(64, 256)),
    ]

    static let detectionStage = FireSpec(squeeze: 64, expand1x1: 256, expand3x3: 256)

    static func build(_ config: BackboneConfiguration, on g: GraphBuilder, input: Value, keys: KeyPrefix, classes: Int?) throws -> BackboneFeatures {
        var x = input
        for (index, layer) in config.name == .squeezeNet1_0 ? version1_0 : version1_1 {
            let at = keys("features.\(index)")
            switch layer {
            case let .stem(channels, kernel):
                x = try g.convolution(
                    x, outputChannels: channels, kernel: kernel, stride: 2, padding: .zero, activation: .relu, weight: "\(at).weight",
                    bias: "\(at).bias")
            case .maxPool:
                x = try g.maxPool(x, kernel: 3, stride: 2, ceilMode: true)
            case let .fire(spec):
                x = try g.fire(x, spec, at: at)
            }
        }
        let stride16 = x
        let stride32 = try g.fire(g.maxPool(stride16, kernel: 3, stride: 2, ceilMode: true), detectionStage, at: keys("stride32"))
        let logits = try classes.map { classes -> Value in
            // torchvision: Dropout, 1×1 conv + ReLU, then the global average pool.
            let scores = try g.convolution(
                stride16, outputChannels: classes, kernel: 1, padding: .zero, activation: .relu,
                weight: keys("classifier.1.weight"), bias: keys("classifier.1.bias"))
            return g.globalAveragePool(scores)
        }
        return BackboneFeatures(stride16: stride16, stride32: stride32, logits: logits)
    }
}
