import LiteDetectKernels

extension GraphBuilder {
    /// Squeeze-and-excitation (Hu et al. 2018) as MobileNet V3 uses it: global average pool,
    /// 1×1 conv to `squeezeChannels` + ReLU, 1×1 conv back + hard-sigmoid, then scale the input's
    /// channels. Keys: `<prefix>.fc1.{weight,bias}`, `<prefix>.fc2.{weight,bias}` (torchvision).
    package func squeezeExcite(_ x: Value, squeezeChannels: Int, at prefix: String) throws -> Value {
        let channels = shape(of: x).channels
        let pooled = globalAveragePool(x)
        let squeezed = try convolution(
            pooled, outputChannels: squeezeChannels, kernel: 1, padding: .zero, activation: .relu,
            weight: "\(prefix).fc1.weight", bias: "\(prefix).fc1.bias")
        let gate = try convolution(
            squeezed, outputChannels: channels, kernel: 1, padding: .zero, activation: .hardSigmoid,
            weight: "\(prefix).fc2.weight", bias: "\(prefix).fc2.bias")
        return try scaleChannels(x, by: gate)
    }
}
