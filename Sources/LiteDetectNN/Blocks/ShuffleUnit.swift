import LiteDetectKernels

extension GraphBuilder {
    /// ShuffleNet V1 unit (Zhang et al. 2017, Fig. 2b/c): 1×1 group conv + BN + ReLU, channel
    /// shuffle, 3×3 depthwise conv (stride) + BN, 1×1 group conv + BN; then `relu(x + branch)`,
    /// or at stride 2 `relu(concat(avgpool3×3/2(x), branch))`.
    ///
    /// - Parameter compressGroups: groups of the first 1×1 conv — 1 for the very first unit of
    ///   stage 2, whose input is too narrow to split (the paper's choice); no shuffle then.
    /// Keys: `<prefix>.compress.{0,1}`, `<prefix>.depthwise.{0,1}`, `<prefix>.expand.{0,1}`.
    package func shuffleUnitV1(
        _ x: Value, outputChannels: Int, groups: Int, compressGroups: Int, stride: Int, at prefix: String
    ) throws -> Value {
        let inputChannels = shape(of: x).channels
        let bottleneck = outputChannels / 4
        let branchChannels = stride == 2 ? outputChannels - inputChannels : outputChannels
        var h = try convBNAct(x, outputChannels: bottleneck, kernel: 1, groups: compressGroups, activation: .relu, at: "\(prefix).compress")
        if compressGroups > 1 { h = try channelShuffle(h, groups: compressGroups) }
        h = try convBNAct(
            h, outputChannels: bottleneck, kernel: 3, stride: stride, groups: bottleneck, activation: .identity, at: "\(prefix).depthwise")
        if stride == 2 {
            // relu(concat(a, b)) == concat(relu(a), relu(b)): fuse the ReLU into each part.
            h = try convBNAct(h, outputChannels: branchChannels, kernel: 1, groups: groups, activation: .relu, at: "\(prefix).expand")
            let shortcut = try activation(averagePool(x, kernel: 3, stride: 2, padding: .symmetric(1)), .relu)
            return try concat([shortcut, h])
        }
        // relu(x + bn(conv(h))): the skip connection and ReLU are fused into the conv's epilogue
        // rather than a separate pass over memory (17% of ShuffleNetV1's forward when it was one).
        return try convBNAct(h, outputChannels: branchChannels, kernel: 1, groups: groups, activation: .relu, residual: x, at: "\(prefix).expand")
    }

    /// ShuffleNet V2 unit (Ma et al. 2018, Fig. 3c/d), torchvision's `InvertedResidual`.
    /// Stride 1: split channels in half, transform the second half, concat, shuffle (2 groups).
    /// Stride 2: both branches see the whole input and each produce half the output channels.
    /// Keys follow torchvision's `Sequential` indices, ReLUs included:
    /// `branch1.{0 dw, 1 bn, 2 pw, 3 bn}`, `branch2.{0 pw, 1 bn, 3 dw, 4 bn, 5 pw, 6 bn}`.
    package func shuffleUnitV2(_ x: Value, outputChannels: Int, stride: Int, at prefix: String) throws -> Value {
        let inputChannels = shape(of: x).channels
        let half = outputChannels / 2
        let left: Value, right: Value
        if stride == 1 {
            left = channelSlice(x, offset: 0, count: inputChannels / 2)
            right = try shuffleV2Branch2(channelSlice(x, offset: inputChannels / 2, count: inputChannels / 2), half: half, stride: 1, at: prefix)
        } else {
            var b1 = try convolution(
                x, outputChannels: inputChannels, kernel: 3, stride: stride, groups: inputChannels, activation: .identity,
                weight: "\(prefix).branch1.0.weight", batchNorm: "\(prefix).branch1.1")
            b1 = try convolution(
                b1, outputChannels: half, kernel: 1, activation: .relu, weight: "\(prefix).branch1.2.weight", batchNorm: "\(prefix).branch1.3")
            left = b1
            right = try shuffleV2Branch2(x, half: half, stride: stride, at: prefix)
        }
        return try channelShuffle(concat([left, right]), groups: 2)
    }

    private func shuffleV2Branch2(_ x: Value, half: Int, stride: Int, at prefix: String) throws -> Value {
        var h = try convolution(
            x, outputChannels: half, kernel: 1, activation: .relu, weight: "\(prefix).branch2.0.weight", batchNorm: "\(prefix).branch2.1")
        h = try convolution(
            h, outputChannels: half, kernel: 3, stride: stride, groups: half, activation: .identity,
            weight: "\(prefix).branch2.3.weight", batchNorm: "\(prefix).branch2.4")
        return try convolution(
            h, outputChannels: half, kernel: 1, activation: .relu, weight: "\(prefix).branch2.5.weight", batchNorm: "\(prefix).branch2.6")
    }
}
