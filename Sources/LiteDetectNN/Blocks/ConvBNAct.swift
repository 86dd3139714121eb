import LiteDetectKernels

extension GraphBuilder {
    /// Convolution → BatchNorm → activation, with weights keyed as torchvision's
    /// `Conv2dNormActivation`: `<prefix>.0.weight` for the convolution, `<prefix>.1.*` for the BatchNorm.
    package func convBNAct(
        _ x: Value, outputChannels: Int, kernel: Int, stride: Int = 1, groups: Int = 1,
        activation: Activation, residual: Value? = nil, at prefix: String
    ) throws -> Value {
        try convolution(
            x, outputChannels: outputChannels, kernel: kernel, stride: stride, groups: groups,
            activation: activation, weight: "\(prefix).0.weight", batchNorm: "\(prefix).1", residual: residual)
    }
}
