import LiteDetectKernels
import LiteDetectNN

extension GraphBuilder {
    /// One SSDLite extra feature layer (torchvision `_extra_block`, TF's `layer_19_*`): 1×1 conv to
    /// half the output channels, 3×3 depthwise stride 2, 1×1 conv to the output channels; each
    /// with BatchNorm and ReLU6. Keys: `<prefix>.0.*`, `<prefix>.1.*`, `<prefix>.2.*`
    /// (each a `Conv2dNormActivation`).
    func ssdLiteExtraBlock(_ x: Value, outputChannels: Int, at prefix: String) throws -> Value {
        let intermediate = outputChannels / 2
        var h = try convBNAct(x, outputChannels: intermediate, kernel: 1, activation: .relu6, at: "\(prefix).0")
        h = try convBNAct(h, outputChannels: intermediate, kernel: 3, stride: 2, groups: intermediate, activation: .relu6, at: "\(prefix).1")
        return try convBNAct(h, outputChannels: outputChannels, kernel: 1, activation: .relu6, at: "\(prefix).2")
    }
}
