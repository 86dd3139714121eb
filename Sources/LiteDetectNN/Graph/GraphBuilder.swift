import LiteDetectKernels

/// Records a network as a sequence of operations while taking its weights from a source.
///
/// Shapes are inferred as layers are added, so a layer that cannot work on its input fails at
/// build time with the layer's name. BatchNorm is folded and weights are repacked here, once:
/// `build(outputs:)` then plans all memory, and nothing is allocated when the network runs.
package final class GraphBuilder {
    /// How a convolution pads when it is not told explicitly.
    package enum PaddingConvention: Sendable {
        /// PyTorch: `(kernel - 1) / 2` on every side.
        case pyTorch
        /// TensorFlow `SAME`: output `ceil(input / stride)`, the odd pixel at the bottom/right.
        case tensorFlowSame
    }

    /// How a model's files store the BatchNorm after a convolution.
    package enum BatchNormStorage: Sendable, Hashable {
        /// As PyTorch: `weight`, `bias`, `running_mean`, `running_var` under the BatchNorm's own key.
        case separate
        /// Already folded into the convolution (Caffe deploy models with merged BN, for one): the
        /// convolution carries a bias at `<its key>.bias`, and there are no BatchNorm tensors.
        case foldedIntoBias
    }

    package var paddingConvention: PaddingConvention = .pyTorch
    package var batchNormStorage: BatchNormStorage = .separate
    /// Added to the running variance when BatchNorm is folded (PyTorch 1e-5; MobileNetV3 and TF models 1e-3).
    package var batchNormEpsilon: Double = 1e-5
    /// What the convolutions multiply in (`ConvolutionLayer`); must be supported by this CPU.
    package var precision: KernelPrecision = .float32

    private var weights: any WeightSource
    private(set) var shapes: [FeatureMapShape] = []
    private(set) var steps: [(operation: Operation, output: Value)] = []
    private var inputValue: Value?
    private(set) var parameterCount = 0

    package init(weights: any WeightSource) {
        self.weights = weights
    }

    package func shape(of value: Value) -> FeatureMapShape { shapes[value.id] }

    /// The network's single input.
    package func input(_ shape: FeatureMapShape) -> Value {
        precondition(inputValue == nil, "a network has one input")
        let value = newValue(shape)
        inputValue = value
        return value
    }

    // MARK: Parameters

    /// Takes a tensor from the weight source, counting it as a learned parameter unless it is a
    /// BatchNorm running statistic.
    package func parameter(_ name: String, shape: [Int]) throws -> [Float] {
        let values = try weights.take(name, shape: shape)
        if !name.hasSuffix("running_mean") && !name.hasSuffix("running_var") { parameterCount += values.count }
        return values
    }

    // MARK: Layers

    /// A convolution with optional bias and optional BatchNorm (folded), then `activation`.
    ///
    /// - Parameters:
    ///   - weight: key of the `[out, in/groups, kh, kw]` weight tensor.
    ///   - bias: key of the convolution's own bias, if it has one.
    ///   - batchNorm: key prefix of the BatchNorm that follows (`.weight`, `.bias`, `.running_mean`, `.running_var`).
    ///   - padding: explicit padding; `nil` uses the builder's `paddingConvention`.
    ///   - residual: a value of the output's shape added before the activation (a fused skip connection).
    package func convolution(
        _ x: Value, outputChannels: Int, kernel: Int, stride: Int = 1, groups: Int = 1, padding: Padding? = nil,
        activation: Activation, weight: String, bias: String? = nil, batchNorm: String? = nil, residual: Value? = nil
    ) throws -> Value {
        let input = shape(of: x)
        let geometry = ConvolutionGeometry(
            input: input, outputChannels: outputChannels, kernelHeight: kernel, kernelWidth: kernel, stride: stride,
            padding: padding ?? defaultPadding(input: input, kernel: kernel, stride: stride), groups: groups)
        let layerName = weight.hasSuffix(".weight") ? String(weight.dropLast(7)) : weight
        // Checked before any weight is requested: a negative count must never reach an allocation.
        guard outputChannels >= 1 else {
            throw GraphError.invalidLayer(
                name: layerName, problem: "\(outputChannels) output channels; a layer needs at least 1 (is a width or scale multiplier too small?)")
        }
        if let problem = geometry.problem { throw GraphError.invalidLayer(name: layerName, problem: problem) }

        let cinG = geometry.inputChannelsPerGroup
        let torchWeights = try parameter(weight, shape: [outputChannels, cinG, kernel, kernel])
        var biasKey = bias
        if batchNorm != nil && batchNormStorage == .foldedIntoBias {
            guard bias == nil else {
                throw GraphError.invalidLayer(name: layerName, problem: "has both its own bias and a BatchNorm folded into a bias")
            }
            biasKey = "\(layerName).bias"
        }
        var biasValues = try biasKey.map { try parameter($0, shape: [outputChannels]) } ?? [Float](repeating: 0, count: outputChannels)
        var scale = [Double](repeating: 1, count: outputChannels)
        if let bn = batchNorm, batchNormStorage == .separate {
            let gamma = try parameter("\(bn).weight", shape: [outputChannels])
            let beta = try parameter("\(bn).bias", shape: [outputChannels])
            let mean = try parameter("\(bn).running_mean", shape: [outputChannels])
            let variance = try parameter("\(bn).running_var", shape: [outputChannels])
            for o in 0..<outputChannels {
                scale[o] = Double(gamma[o]) / (Double(variance[o]) + batchNormEpsilon).squareRoot()
                biasValues[o] = Float((Double(biasValues[o]) - Double(mean[o])) * scale[o] + Double(beta[o]))
            }
        }
        // PyTorch [O][I/g][kh][kw] → engine [O][kh][kw][I/g], scaled by the folded BatchNorm.
        var packed = [Float](repeating: 0, count: geometry.weightCount)
        for o in 0..<outputChannels {
            for i in 0..<cinG {
                for k in 0..<(kernel * kernel) {
                    packed[(o * kernel * kernel + k) * cinG + i] = Float(Double(torchWeights[(o * cinG + i) * kernel * kernel + k]) * scale[o])
                }
            }
        }
        if let residual, shape(of: residual) != geometry.output {
            throw GraphError.shapeMismatch(
                operation: "residual of \(layerName)", shapes: [geometry.output.description, shape(of: residual).description])
        }
        let layer = ConvolutionLayer(
            name: layerName, geometry: geometry, activation: activation, weights: packed, bias: biasValues,
            precision: precision)
        return append(.convolution(layer, input: x, residual: residual), shape: geometry.output)
    }

    /// A fully connected layer on a `1×1×C` value (a 1×1 convolution; PyTorch `Linear` weights are `[out, in]`).
    package func linear(_ x: Value, outputs: Int, activation: Activation = .identity, weight: String, bias: String?) throws -> Value {
        let input = shape(of: x)
        guard input.height == 1 && input.width == 1 else {
            throw GraphError.invalidLayer(name: weight, problem: "a linear layer needs a 1×1 input, got \(input) (global-pool first)")
        }
        let torchWeights = try parameter(weight, shape: [outputs, input.channels])
        let biasValues = try bias.map { try parameter($0, shape: [outputs]) } ?? [Float](repeating: 0, count: outputs)
        let geometry = ConvolutionGeometry(input: input, outputChannels: outputs, kernelHeight: 1, kernelWidth: 1)
        let layerName = weight.hasSuffix(".weight") ? String(weight.dropLast(7)) : weight
        let layer = ConvolutionLayer(
            name: layerName, geometry: geometry, activation: activation, weights: torchWeights, bias: biasValues,
            precision: precision)
        return append(.convolution(layer, input: x, residual: nil), shape: geometry.output)
    }

    package func maxPool(_ x: Value, kernel: Int, stride: Int, padding: Padding = .zero, ceilMode: Bool = false) throws -> Value {
        let geometry = PoolGeometry(input: shape(of: x), kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
        if let problem = geometry.problem { throw GraphError.invalidLayer(name: "max pool", problem: problem) }
        return append(.maxPool(geometry, input: x), shape: geometry.output)
    }

    package func averagePool(_ x: Value, kernel: Int, stride: Int, padding: Padding = .zero, countIncludePadding: Bool = true) throws -> Value {
        let geometry = PoolGeometry(input: shape(of: x), kernel: kernel, stride: stride, padding: padding)
        if let problem = geometry.problem { throw GraphError.invalidLayer(name: "average pool", problem: problem) }
        return append(.averagePool(geometry, countIncludePadding: countIncludePadding, input: x), shape: geometry.output)
    }

    package func globalAveragePool(_ x: Value) -> Value {
        append(.globalAveragePool(input: x), shape: FeatureMapShape(height: 1, width: 1, channels: shape(of: x).channels))
    }

    package func add(_ a: Value, _ b: Value, activation: Activation = .identity) throws -> Value {
        guard shape(of: a) == shape(of: b) else {
            throw GraphError.shapeMismatch(operation: "add", shapes: [shape(of: a).description, shape(of: b).description])
        }
        return append(.add(a, b, activation: activation), shape: shape(of: a))
    }

    package func activation(_ x: Value, _ activation: Activation) -> Value {
        append(.activation(x, activation), shape: shape(of: x))
    }

    package func concat(_ values: [Value]) throws -> Value {
        let first = shape(of: values[0])
        guard values.allSatisfy({ shape(of: $0).height == first.height && shape(of: $0).width == first.width }) else {
            throw GraphError.shapeMismatch(operation: "concat", shapes: values.map { shape(of: $0).description })
        }
        let channels = values.reduce(0) { $0 + shape(of: $1).channels }
        return append(.concat(values), shape: FeatureMapShape(height: first.height, width: first.width, channels: channels))
    }

    package func channelSlice(_ x: Value, offset: Int, count: Int) -> Value {
        let input = shape(of: x)
        precondition(offset >= 0 && count > 0 && offset + count <= input.channels, "channel slice out of range")
        return append(
            .channelSlice(input: x, offset: offset, count: count),
            shape: FeatureMapShape(height: input.height, width: input.width, channels: count))
    }

    package func channelShuffle(_ x: Value, groups: Int) throws -> Value {
        guard shape(of: x).channels % groups == 0 else {
            throw GraphError.invalidLayer(name: "channel shuffle", problem: "\(shape(of: x).channels) channels do not divide into \(groups) groups")
        }
        return append(.channelShuffle(input: x, groups: groups), shape: shape(of: x))
    }

    package func scaleChannels(_ x: Value, by scales: Value) throws -> Value {
        guard shape(of: scales) == FeatureMapShape(height: 1, width: 1, channels: shape(of: x).channels) else {
            throw GraphError.shapeMismatch(operation: "scale channels", shapes: [shape(of: x).description, shape(of: scales).description])
        }
        return append(.scaleChannels(input: x, scales: scales), shape: shape(of: x))
    }

    // MARK: Finishing

    /// Checks that every weight was used and plans the network's memory; `banding` decides which
    /// chains of convolutions run band by band (the result is the same either way).
    package func build(outputs: [String: Value], banding: Banding = .automatic) throws -> Network {
        try weights.checkAllUsed()
        guard let input = inputValue else { throw GraphError.unknownOutput(name: "input") }
        return Network(
            input: input, shapes: shapes, steps: steps, outputs: outputs, parameterCount: parameterCount,
            banding: banding)
    }

    // MARK: Internals

    private func defaultPadding(input: FeatureMapShape, kernel: Int, stride: Int) -> Padding {
        switch paddingConvention {
        case .pyTorch: return .symmetric((kernel - 1) / 2)
        case .tensorFlowSame:
            return .tensorFlowSame(inputHeight: input.height, inputWidth: input.width, kernelHeight: kernel, kernelWidth: kernel, stride: stride)
        }
    }

    private func newValue(_ shape: FeatureMapShape) -> Value {
        shapes.append(shape)
        return Value(shapes.count - 1)
    }

    private func append(_ operation: Operation, shape: FeatureMapShape) -> Value {
        let output = newValue(shape)
        steps.append((operation, output))
        return output
    }
}
