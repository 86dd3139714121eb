import LiteDetectKernels
import LiteDetectNN

/// How each extra feature layer after the backbone's stride-32 map is built.
package enum SSDExtraBlockType: String, Sendable, Hashable, Codable, CaseIterable {
    /// torchvision `_extra_block`, TF's SSDLite `layer_19_*`: 1×1 to half, 3×3 depthwise stride 2, 1×1.
    case ssdLite = "ssdlite"
    /// The original SSD's (and Caffe MobileNet-SSD's `conv14`…`conv17`): 1×1 to half, 3×3 stride 2.
    case ssd
}

extension GraphBuilder {
    /// One extra feature layer; each convolution has BatchNorm (or a folded bias) and `activation`.
    /// Keys: `<prefix>.0.*`, `<prefix>.1.*` and for SSDLite `<prefix>.2.*` (each a `Conv2dNormActivation`).
    func ssdExtraBlock(_ x: Value, type: SSDExtraBlockType, outputChannels: Int, activation: Activation, at prefix: String) throws -> Value {
        let intermediate = outputChannels / 2
        let h = try convBNAct(x, outputChannels: intermediate, kernel: 1, activation: activation, at: "\(prefix).0")
        switch type {
        case .ssdLite:
            let d = try convBNAct(
                h, outputChannels: intermediate, kernel: 3, stride: 2, groups: intermediate, activation: activation, at: "\(prefix).1")
            return try convBNAct(d, outputChannels: outputChannels, kernel: 1, activation: activation, at: "\(prefix).2")
        case .ssd:
            return try convBNAct(h, outputChannels: outputChannels, kernel: 3, stride: 2, activation: activation, at: "\(prefix).1")
        }
    }
}
