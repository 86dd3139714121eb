/// Everything about a 2-D convolution except its weights: sizes, stride, padding and groups.
/// Dilation is always 1 (none of the supported networks dilate).
package struct ConvolutionGeometry: Sendable, Hashable, CustomStringConvertible {
    package var input: FeatureMapShape
    package var outputChannels: Int
    package var kernelHeight: Int
    package var kernelWidth: Int
    package var stride: Int
    package var padding: Padding
    package var groups: Int

    package init(
        input: FeatureMapShape, outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
        stride: Int = 1, padding: Padding = .zero, groups: Int = 1
    ) {
        self.input = input
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    package var inputChannelsPerGroup: Int { input.channels / groups }
    package var outputChannelsPerGroup: Int { outputChannels / groups }
    package var isDepthwise: Bool { groups == input.channels && groups == outputChannels }
    package var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == .zero }

    /// Floats in the packed weight tensor, laid out `[outputChannels][kernelHeight][kernelWidth][inputChannelsPerGroup]`.
    package var weightCount: Int { outputChannels * kernelHeight * kernelWidth * inputChannelsPerGroup }

    package var output: FeatureMapShape {
        FeatureMapShape(
            height: (input.height + padding.top + padding.bottom - kernelHeight) / stride + 1,
            width: (input.width + padding.left + padding.right - kernelWidth) / stride + 1,
            channels: outputChannels)
    }

    /// Multiply-accumulates of one forward pass.
    package var multiplyAccumulates: Int { output.pixelCount * outputChannels * kernelHeight * kernelWidth * inputChannelsPerGroup }

    /// Why the geometry cannot run, or `nil` when it is valid.
    package var problem: String? {
        if groups < 1 { return "groups must be ≥ 1, got \(groups)" }
        if input.channels % groups != 0 { return "\(input.channels) input channels do not divide into \(groups) groups" }
        if outputChannels % groups != 0 { return "\(outputChannels) output channels do not divide into \(groups) groups" }
        if kernelHeight < 1 || kernelWidth < 1 { return "kernel must be at least 1×1" }
        if stride < 1 { return "stride must be ≥ 1, got \(stride)" }
        if min(padding.top, padding.left, padding.bottom, padding.right) < 0 { return "negative padding" }
        if input.height + padding.top + padding.bottom < kernelHeight || input.width + padding.left + padding.right < kernelWidth {
            return "input \(input) is smaller than the \(kernelHeight)×\(kernelWidth) kernel"
        }
        return nil
    }

    package var description: String {
        "conv \(kernelHeight)×\(kernelWidth)/\(stride) pad \(padding) groups \(groups): \(input) → \(output)"
    }
}
