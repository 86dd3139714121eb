import LiteDetectKernels
import LiteDetectNN

/// The per-level predictor that turns a feature map into box regressions or class logits.
package enum SSDHeadType: String, Sendable, Hashable, Codable, CaseIterable {
    /// torchvision `SSDLiteHead` / TF SSDLite: 3×3 depthwise + BN + activation, then 1×1 conv with bias.
    case ssdLite = "ssdlite"
    /// torchvision `SSDHead` / original SSD: one convolution with bias (3×3; Caffe MobileNet-SSD 1×1).
    case ssd
}

extension GraphBuilder {
    /// One prediction branch on one level. Outputs `H×W×(anchors·columns)`; channel `a·columns + k`
    /// is column `k` of anchor `a`, so the channels-last buffer is already in anchor order.
    /// Keys (torchvision): SSDLite `<prefix>.0.{0,1}` and `<prefix>.1.{weight,bias}`; SSD `<prefix>.{weight,bias}`.
    func ssdPrediction(
        _ x: Value, type: SSDHeadType, kernel: Int, activation: Activation, outputs: Int, at prefix: String
    ) throws -> Value {
        switch type {
        case .ssdLite:
            let channels = shape(of: x).channels
            let h = try convBNAct(x, outputChannels: channels, kernel: 3, groups: channels, activation: activation, at: "\(prefix).0")
            return try convolution(
                h, outputChannels: outputs, kernel: 1, activation: .identity, weight: "\(prefix).1.weight", bias: "\(prefix).1.bias")
        case .ssd:
            return try convolution(
                x, outputChannels: outputs, kernel: kernel, activation: .identity, weight: "\(prefix).weight", bias: "\(prefix).bias")
        }
    }
}
