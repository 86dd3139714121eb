import LiteDetectKernels

/// SqueezeNet's Fire module (Iandola et al. 2016): a 1×1 *squeeze* to few channels, then
/// parallel 1×1 and 3×3 *expand* convolutions whose outputs are concatenated. ReLU everywhere,
/// biases, no BatchNorm.
package struct FireSpec: Sendable, Hashable {
    package var squeezeChannels: Int
    package var expand1x1Channels: Int
    package var expand3x3Channels: Int

    package init(squeeze: Int, expand1x1: Int, expand3x3: Int) {
        squeezeChannels = squeeze
        expand1x1Channels = expand1x1
        expand3x3Channels = expand3x3
    }
}

extension GraphBuilder {
    /// Keys: `<prefix>.squeeze`, `<prefix>.expand1x1`, `<prefix>.expand3x3` (torchvision `Fire`).
    package func fire(_ x: Value, _ spec: FireSpec, at prefix: String) throws -> Value {
        let squeezed = try convolution(
            x, outputChannels: spec.squeezeChannels, kernel: 1, padding: .zero, activation: .relu,
            weight: "\(prefix).squeeze.weight", bias: "\(prefix).squeeze.bias")
        let expand1 = try convolution(
            squeezed, outputChannels: spec.expand1x1Channels, kernel: 1, padding: .zero, activation: .relu,
            weight: "\(prefix).expand1x1.weight", bias: "\(prefix).expand1x1.bias")
        let expand3 = try convolution(
            squeezed, outputChannels: spec.expand3x3Channels, kernel: 3, activation: .relu,
            weight: "\(prefix).expand3x3.weight", bias: "\(prefix).expand3x3.bias")
        return try concat([expand1, expand3])
    }
}
