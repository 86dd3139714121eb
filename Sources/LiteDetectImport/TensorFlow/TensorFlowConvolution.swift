import LiteDetectImportFormats

/// One convolution of a TF graph as the OD API writes it: the `Conv2D`/`DepthwiseConv2dNative`
/// node of a variable scope, then a bias or a BatchNorm (fused, or unfused `batchnorm/*` ops),
/// then optionally a ReLU6/ReLU.
struct TensorFlowConvolution {
    enum Normalization {
        case bias
        case batchNorm(epsilon: Float)
    }

    let scope: String
    let node: Tensorflow_NodeDef
    let isDepthwise: Bool
    /// `[kh, kw, in, out]` (`Conv2D`) or `[kh, kw, in, multiplier]` (depthwise).
    let weightShape: [Int]
    let stride: Int
    let normalization: Normalization
    /// `Relu6`, `Relu` or nil.
    let activation: String?
    /// The node whose output the next layers read (the activation, else the normalisation's output).
    let output: Tensorflow_NodeDef
    /// The node the convolution reads (resolved through `Identity`).
    let input: Tensorflow_NodeDef
    /// What reads the normalisation's output, as `name (op)`, for messages.
    let followers: [String]

    /// Reads the convolution of `scope` and checks its attributes; fails naming the node.
    init(scope: String, in graph: TensorFlowGraph) throws(ImportError) {
        self.scope = scope
        let file = graph.file
        let weightsName = graph.has(scope + "/depthwise_weights") ? scope + "/depthwise_weights" : scope + "/weights"
        guard graph.has(weightsName) else {
            throw .invalidModel(file: file, location: "scope '\(scope)'", problem: "no weights or depthwise_weights constant")
        }
        let readers = graph.readers(of: weightsName).filter { $0.op == "Conv2D" || $0.op == "DepthwiseConv2dNative" }
        guard readers.count == 1, let conv = readers.first else {
            throw .invalidModel(file: file, location: "'\(weightsName)'", problem: "read by \(readers.count) convolutions, expected 1")
        }
        node = conv
        isDepthwise = conv.op == "DepthwiseConv2dNative"
        let location = "node '\(conv.name)' (\(conv.op))"
        guard isDepthwise == weightsName.hasSuffix("depthwise_weights") else {
            throw .invalidModel(file: file, location: location, problem: "its weights are named \(weightsName)")
        }
        weightShape = try graph.floatConstant(weightsName).shape
        guard weightShape.count == 4 else { throw .invalidModel(file: file, location: location, problem: "weights of rank \(weightShape.count)") }
        if let format = graph.stringAttribute(conv, "data_format"), format != "NHWC" {
            throw .unsupported(file: file, location: location, problem: "data_format \(format); only NHWC graphs are read")
        }
        guard graph.stringAttribute(conv, "padding") == "SAME" else {
            throw .unsupported(
                file: file, location: location, problem: "padding \(graph.stringAttribute(conv, "padding") ?? "missing"); only SAME is mapped")
        }
        if let dilations = graph.intListAttribute(conv, "dilations"), dilations.contains(where: { $0 != 1 }) {
            throw .unsupported(file: file, location: location, problem: "dilations \(dilations)")
        }
        let strides = graph.intListAttribute(conv, "strides") ?? []
        guard strides.count == 4, strides[0] == 1, strides[3] == 1, strides[1] == strides[2] else {
            throw .unsupported(file: file, location: location, problem: "strides \(strides); only equal spatial strides are mapped")
        }
        stride = strides[1]
        let inputs = try graph.dataInputs(of: conv)
        guard inputs.count == 2 else { throw .invalidModel(file: file, location: location, problem: "has \(inputs.count) inputs") }
        input = inputs[0]

        // Bias or BatchNorm after the convolution.
        let next = graph.readers(of: conv.name)
        let normOutput: Tensorflow_NodeDef
        if let biasAdd = next.first(where: { $0.op == "BiasAdd" }) {
            guard next.count == 1, graph.has(scope + "/biases"), try graph.resolve(graph.input(biasAdd, 1)).name == scope + "/biases" else {
                throw .invalidModel(
                    file: file, location: "node '\(biasAdd.name)' (BiasAdd)", problem: "does not add \(scope)/biases to \(conv.name) alone")
            }
            normalization = .bias
            normOutput = biasAdd
        } else if let fused = next.first(where: { $0.op.hasPrefix("FusedBatchNorm") }) {
            let parameters = try graph.dataInputs(of: fused).dropFirst().map(\.name)
            let expected = ["gamma", "beta", "moving_mean", "moving_variance"].map { "\(scope)/BatchNorm/\($0)" }
            guard next.count == 1, parameters == expected else {
                throw .invalidModel(file: file, location: "node '\(fused.name)' (\(fused.op))", problem: "reads \(parameters), expected \(expected)")
            }
            if fused.attr["is_training"]?.b == true {
                throw .unsupported(
                    file: file, location: "node '\(fused.name)' (\(fused.op))", problem: "is_training is true (not a frozen inference graph)")
            }
            normalization = .batchNorm(epsilon: fused.attr["epsilon"]?.f ?? 1e-4)
            normOutput = fused
        } else if let multiply = next.first(where: { $0.name == scope + "/BatchNorm/batchnorm/mul_1" }) {
            // Unfused: x·(γ·rsqrt(var + ε)) + (β − mean·γ·rsqrt(var + ε)); every wire is checked.
            let bn = scope + "/BatchNorm/batchnorm/"
            func inputs(_ name: String) throws(ImportError) -> [String] { try graph.dataInputs(of: graph.node(name)).map(\.name) }
            let wiring: [(String, [String])] = [
                (bn + "add", [scope + "/BatchNorm/moving_variance", bn + "add/y"]),
                (bn + "Rsqrt", [bn + "add"]),
                (bn + "mul", [bn + "Rsqrt", scope + "/BatchNorm/gamma"]),
                (bn + "mul_1", [conv.name, bn + "mul"]),
                (bn + "mul_2", [scope + "/BatchNorm/moving_mean", bn + "mul"]),
                (bn + "sub", [scope + "/BatchNorm/beta", bn + "mul_2"]),
                (bn + "add_1", [bn + "mul_1", bn + "sub"]),
            ]
            for (name, expected) in wiring {
                let actual = try inputs(name)
                guard Set(actual) == Set(expected) else {
                    throw .invalidModel(
                        file: file, location: "node '\(name)' (\(try graph.node(name).op))", problem: "reads \(actual), expected \(expected)")
                }
            }
            guard next.count == 1, multiply.op == "Mul" else {
                throw .invalidModel(file: file, location: "node '\(conv.name)'", problem: "feeds \(next.map(\.name)), expected only \(bn)mul_1")
            }
            normalization = .batchNorm(epsilon: try graph.floatScalar(bn + "add/y"))
            normOutput = try graph.node(bn + "add_1")
        } else {
            throw .unsupported(
                file: file, location: location, problem: "followed by \(next.map { "\($0.name) (\($0.op))" }); expected a bias or a BatchNorm")
        }
        let activations = graph.readers(of: normOutput.name).filter { $0.op == "Relu6" || $0.op == "Relu" }
        guard activations.count <= 1 else {
            throw .invalidModel(file: file, location: "node '\(normOutput.name)'", problem: "feeds \(activations.count) activations")
        }
        activation = activations.first?.op
        output = activations.first ?? normOutput
        followers = graph.readers(of: normOutput.name).map { "\($0.name) (\($0.op))" }
    }
}
