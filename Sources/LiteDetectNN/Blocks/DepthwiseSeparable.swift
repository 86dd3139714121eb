import LiteDetectKernels

extension GraphBuilder {
    /// MobileNet V1's depthwise-separable convolution (Howard et al. 2017): 3×3 depthwise conv
    /// + BN + activation, then 1×1 pointwise conv + BN + activation.
    /// Keys: `<prefix>.depthwise.{0,1}`, `<prefix>.pointwise.{0,1}`.
    package func depthwiseSeparable(
        _ x: Value, outputChannels: Int, stride: Int, activation: Activation, at prefix: String
    ) throws -> Value {
        let channels = shape(of: x).channels
        let depthwise = try convBNAct(
            x, outputChannels: channels, kernel: 3, stride: stride, groups: channels, activation: activation, at: "\(prefix).depthwise")
        return try convBNAct(depthwise, outputChannels: outputChannels, kernel: 1, activation: activation, at: "\(prefix).pointwise")
    }
}
