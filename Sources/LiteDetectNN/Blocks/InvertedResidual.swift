import LiteDetectKernels

/// One MobileNet V2/V3 inverted residual block (Sandler et al. 2018; Howard et al. 2019):
/// 1×1 expansion, k×k depthwise, optional squeeze-and-excitation, then a *linear* 1×1 projection
/// (the linear bottleneck), with a residual connection when shapes allow.
package struct InvertedResidualSpec: Sendable, Hashable {
    package var expandedChannels: Int
    package var outputChannels: Int
    package var kernel: Int
    package var stride: Int
    /// Channels of the squeeze-and-excitation bottleneck, or `nil` for none.
    package var squeezeChannels: Int?
    /// Activation after the expansion and the depthwise convolution (the projection has none).
    package var activation: Activation

    package init(expandedChannels: Int, outputChannels: Int, kernel: Int = 3, stride: Int, squeezeChannels: Int? = nil, activation: Activation) {
        self.expandedChannels = expandedChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.squeezeChannels = squeezeChannels
        self.activation = activation
    }
}

/// How a family names the layers inside an inverted residual block. Both follow torchvision:
/// children are numbered in order inside a `Sequential`.
package enum InvertedResidualNaming: Sendable {
    /// MobileNet V2: children under `conv.`; the projection is a bare conv and BatchNorm taking two indices.
    case mobileNetV2
    /// MobileNet V3: children under `block.`; the projection is one `Conv2dNormActivation`; SE is a child.
    case mobileNetV3
}

/// The block's output, plus the expansion's output when there is one (SSDLite taps the
/// expansion of the first stride-32 block as its stride-16 feature map).
package struct InvertedResidualOutputs: Sendable {
    package var output: Value
    package var expanded: Value?
}

extension GraphBuilder {
    package func invertedResidual(
        _ x: Value, _ spec: InvertedResidualSpec, naming: InvertedResidualNaming, at prefix: String
    ) throws -> InvertedResidualOutputs {
        let inputChannels = shape(of: x).channels
        let root = naming == .mobileNetV2 ? "\(prefix).conv" : "\(prefix).block"
        var child = 0
        func next() -> String {
            defer { child += 1 }
            return "\(root).\(child)"
        }
        var h = x
        var expanded: Value?
        if spec.expandedChannels != inputChannels {
            h = try convBNAct(h, outputChannels: spec.expandedChannels, kernel: 1, activation: spec.activation, at: next())
            expanded = h
        }
        h = try convBNAct(
            h, outputChannels: spec.expandedChannels, kernel: spec.kernel, stride: spec.stride,
            groups: spec.expandedChannels, activation: spec.activation, at: next())
        if let squeeze = spec.squeezeChannels {
            h = try squeezeExcite(h, squeezeChannels: squeeze, at: next())
        }
        // The skip connection is added inside the projection convolution (no separate pass).
        let skip = spec.stride == 1 && inputChannels == spec.outputChannels ? x : nil
        switch naming {
        case .mobileNetV2:
            let conv = next(), bn = next()
            h = try convolution(
                h, outputChannels: spec.outputChannels, kernel: 1, activation: .identity, weight: "\(conv).weight", batchNorm: bn,
                residual: skip)
        case .mobileNetV3:
            h = try convBNAct(h, outputChannels: spec.outputChannels, kernel: 1, activation: .identity, residual: skip, at: next())
        }
        return InvertedResidualOutputs(output: h, expanded: expanded)
    }
}
